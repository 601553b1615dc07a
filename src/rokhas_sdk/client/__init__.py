"""rokhas_sdk.client (see design.md §2)."""
