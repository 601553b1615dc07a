"""rokhas_sdk.sandbox (see design.md §2)."""
