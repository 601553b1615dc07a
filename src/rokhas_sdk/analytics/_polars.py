"""The one place polars is imported, so a missing extra gives one clear error."""

from __future__ import annotations

from .._errors import require_extra

try:
    import polars as pl
except ImportError:  # pragma: no cover - the analytics extra is installed in tests
    raise require_extra("polars", "analytics") from None

__all__ = ["pl"]
