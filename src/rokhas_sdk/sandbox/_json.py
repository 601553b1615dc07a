"""Compact JSON for the sandbox's storage and answers: orjson when installed, else stdlib.

Both paths give the same documents: compact separators, UTF-8 text (no ``\\uXXXX``
escapes), ``str()`` for values JSON has no type for (datetimes, decimals, dataclasses),
keys turned to strings as :func:`json.dumps` does. orjson (in the ``sandbox`` extra) is
about five times faster, and the sandbox encodes or decodes a dossier record several times
per request.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "JsonBodyError",
    "dumps",
    "dumps_text",
    "loads",
    "loads_request",
]

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


# -- request bodies ---------------------------------------------------------------------
# What a client sends is read more strictly than our own documents: UTF-8 only (RFC 8259;
# the stdlib would guess UTF-16 or UTF-32 from the first bytes), no NaN or Infinity, no
# lone surrogate, and a bounded nesting depth, checked *before* parsing so that no parser
# recurses a thousand levels deep.

MAX_JSON_BYTES = 1024 * 1024
"""Largest JSON request body (1 MiB): a dossier's JSON is a few kilobytes."""

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects in a JSON request body (a dossier needs about 6)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonBodyError(ValueError):
    """A JSON request body the sandbox refuses; ``kind`` says why."""

    def __init__(self, kind: str, message: str, *, limit: int = 0, found: int = 0) -> None:
        super().__init__(message)
        self.kind = kind  # "too_large", "too_deep", "encoding" or "syntax"
        self.limit = limit
        self.found = found


def depth_beyond(body: bytes, limit: int) -> int | None:
    """The nesting depth of ``[``/``{`` outside strings when it exceeds ``limit``, else None.

    Runs at C speed but for the brackets themselves, and stops at the first one too deep.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return None  # not enough brackets to go deeper: not worth a scan
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if m.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return depth
        else:
            depth -= 1
    return None


def loads_request(
    body: bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parse a client's JSON body strictly, or raise :class:`JsonBodyError`."""
    if len(body) > max_bytes:
        raise JsonBodyError(
            "too_large", f"{len(body)} bytes, limit {max_bytes}", limit=max_bytes, found=len(body)
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonBodyError("encoding", f"not UTF-8 (byte {exc.start})") from None
    if depth_beyond(body, max_depth) is not None:
        raise JsonBodyError("too_deep", f"nested deeper than {max_depth}", limit=max_depth)
    if _orjson is not None:
        try:
            data = _orjson.loads(body)
        except _orjson.JSONDecodeError as exc:
            raise JsonBodyError("syntax", str(exc)) from None
        if not _may_hold_long_integer(body):
            return data
    try:  # integers beyond 64 bits stay exact on this path
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise JsonBodyError("syntax", str(exc)) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
