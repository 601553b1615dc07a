"""Compact JSON for the sandbox's storage and answers: orjson when installed, else stdlib.

Both paths give the same documents: compact separators, UTF-8 text (no ``\\uXXXX``
escapes), ``str()`` for values JSON has no type for (datetimes, decimals, dataclasses),
keys turned to strings as :func:`json.dumps` does. orjson (in the ``sandbox`` extra) is
about five times faster, and the sandbox encodes or decodes a dossier record several times
per request.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps", "dumps_text", "loads"]

try:  # pragma: no branch - which one depends on the environment
    import orjson as _orjson
except ImportError:  # pragma: no cover - the sandbox extra installs orjson
    _orjson = None  # type: ignore[assignment]


def _stdlib_dumps(data: Any, lenient: bool) -> bytes:
    return json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=str if lenient else None
    ).encode("utf-8")


if _orjson is not None:
    # Every ASCII digit byte becomes "0" and every other byte "x": a run of 19 "0" is a
    # number that may be beyond 64 bits. bytes.translate with a 256-byte table runs at C
    # speed; str.translate with a mapping goes through a dict per character (twenty times
    # slower on a dossier record), so text is encoded first.
    _DIGIT_RUN = b"0" * 19
    _DIGITS_BYTES = bytes(0x30 if 0x30 <= i <= 0x39 else 0x78 for i in range(256))

    def _may_hold_long_integer(text: str | bytes) -> bool:
        raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
        return _DIGIT_RUN in raw.translate(_DIGITS_BYTES)

    _OPTS = (
        _orjson.OPT_NON_STR_KEYS
        | _orjson.OPT_PASSTHROUGH_DATETIME
        | _orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def _strict(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    def dumps(data: Any, *, lenient: bool = True) -> bytes:
        """Compact UTF-8 JSON; ``lenient`` writes ``str(value)`` for non-JSON values."""
        try:
            return _orjson.dumps(data, default=str if lenient else _strict, option=_OPTS)
        except _orjson.JSONEncodeError:
            # Out of orjson's range (an integer beyond 64 bits, a NaN...): the stdlib path
            # decides, as it always did.
            return _stdlib_dumps(data, lenient)

    def loads(text: str | bytes) -> Any:
        """Parse JSON text (our own stored documents)."""
        # orjson reads an integer beyond 64 bits as a float; the stdlib keeps it exact.
        if _may_hold_long_integer(text):
            return json.loads(text)
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            return json.loads(text)

else:  # pragma: no cover

    def dumps(data: Any, *, lenient: bool = True) -> bytes:
        """Compact UTF-8 JSON; ``lenient`` writes ``str(value)`` for non-JSON values."""
        return _stdlib_dumps(data, lenient)

    def loads(text: str | bytes) -> Any:
        """Parse JSON text (our own stored documents)."""
        return json.loads(text)


def dumps_text(data: Any, *, lenient: bool = True) -> str:
    """:func:`dumps` as a ``str`` (what the SQLite TEXT columns hold)."""
    return dumps(data, lenient=lenient).decode("utf-8")
