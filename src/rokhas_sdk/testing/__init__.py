"""rokhas_sdk.testing (see design.md §2)."""
