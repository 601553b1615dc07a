"""rokhas_sdk.signing (see design.md §2)."""
