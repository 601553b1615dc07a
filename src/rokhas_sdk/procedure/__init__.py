"""rokhas_sdk.procedure (see design.md §2)."""
