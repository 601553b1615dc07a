"""Helpers shared by the procedure tests."""

from __future__ import annotations

import datetime as dt

from rokhas_sdk.procedure import CASABLANCA as CASA  # from tzdata, never the host

__all__ = ["CASA", "at"]


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    """An instant in Casablanca time."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=CASA)
