"""rokhas_sdk.analytics (see design.md §2)."""
