"""The root of the error tree.

Every exception the SDK raises on purpose derives from :class:`RokhasError`. Rooms add
their own subclasses next to the code that raises them (``rokhas_sdk.procedure``,
``rokhas_sdk.signing``...); the ones here are shared by all rooms. A message always
says what is wrong *and* how to fix it, and never carries a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigurationError",
    "DataFileError",
    "FieldProblem",
    "InvalidInputError",
    "NotFoundError",
    "RokhasError",
    "TimeZoneDataError",
]


class RokhasError(Exception):
    """Root of every error raised on purpose by rokhas-sdk.

    ``code`` is a stable, machine-readable reason (snake_case); ``message`` is the
    human sentence. Catch this to catch everything the SDK raises deliberately.
    """

    code: str = "rokhas_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class FieldProblem:
    """One problem with one field of an input: where, what, and what was expected."""

    __slots__ = ("kind", "location", "message")

    def __init__(self, location: Sequence[str | int], message: str, kind: str) -> None:
        self.location = tuple(location)
        self.message = message
        self.kind = kind

    @property
    def path(self) -> str:
        """The field's path, dotted (``parties.0.cin``), or ``<root>``."""
        return ".".join(str(p) for p in self.location) or "<root>"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message, "kind": self.kind}

    def __repr__(self) -> str:
        return f"FieldProblem({self.path!r}, {self.message!r})"


class InvalidInputError(RokhasError, ValueError):
    """Input that the law or the format rejects: a bad CIN, a float amount, an extra field.

    ``problems`` lists every field at fault, each with the expected format, so a
    form can show all of them at once instead of one per round trip.
    """

    code = "invalid_input"

    def __init__(self, message: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFoundError(RokhasError, LookupError):
    """A reference (commune code, procedure kind, dossier id...) that names nothing known."""

    code = "not_found"


class DataFileError(RokhasError):
    """A bundled or user-supplied data file (schedule, deadlines, communes) is invalid.

    The message names the file and the row, so the file can be fixed.
    """

    code = "data_file_invalid"


class ConfigurationError(RokhasError):
    """The SDK was set up wrongly: a missing extra, a missing system tool, a bad option."""

    code = "configuration"


class TimeZoneDataError(ConfigurationError):
    """The ``tzdata`` package is missing or too old to know Morocco's legal time.

    Raised at the first import of a room that computes legal instants (the zone is
    loaded from ``tzdata``, never the host, see ``rokhas_sdk._time``); the fix is always
    to install or upgrade ``tzdata``.
    """

    code = "tz_data_outdated"


def from_pydantic(exc: Any, *, model: str) -> InvalidInputError:
    """Turn a ``pydantic.ValidationError`` into our typed error, keeping every problem."""
    problems = []
    for err in exc.errors(include_url=False):
        msg = str(err.get("msg", "invalid value"))
        # pydantic prefixes messages of ValueError raised in validators; ours are
        # already full sentences.
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(FieldProblem(err.get("loc", ()), msg, str(err.get("type", "invalid"))))
    lines = "; ".join(f"{p.path}: {p.message}" for p in problems[:10])
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return InvalidInputError(f"invalid {model}: {lines}{more}", problems)


def require_extra(module: str, extra: str) -> ConfigurationError:
    """The error to raise when an optional dependency is missing."""
    return ConfigurationError(
        f"this feature needs the optional dependency {module!r}; "
        f"install it with: pip install 'rokhas-sdk[{extra}]'",
        code="missing_extra",
    )
