"""Errors of the analytics room."""

from __future__ import annotations

from .._errors import InvalidInputError

__all__ = ["EventDataError"]


class EventDataError(InvalidInputError):
    """An events file (journal or dossier export) that cannot be read as events.

    The message names the file, the line or column at fault, and the expected format
    (see ``docs/analytics.md``).
    """

    code = "event_data_invalid"
