"""rokhas_sdk.payments (see design.md §2)."""
