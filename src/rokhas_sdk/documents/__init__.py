"""rokhas_sdk.documents (see design.md §2)."""
