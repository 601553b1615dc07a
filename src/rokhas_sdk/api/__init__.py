"""rokhas_sdk.api (see design.md §2)."""
