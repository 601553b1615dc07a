"""What the ``rokhas`` command accepts from outside: files, JSON, numbers, instants, hosts.

Every reader here turns bad input into :class:`~rokhas_sdk.InvalidInputError` naming the
argument and the fix, before any library code sees it; the argparse ``type=`` helpers
raise ``argparse.ArgumentTypeError`` so argparse reports them as one line (exit 2).
The limits are documented in docs/cli.md ("What the command refuses").
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError

#: A JSON document given to the CLI (dossier, permit, schedule) is at most this big.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: ...and nested at most this deep (a dossier is about 6 levels deep).
MAX_JSON_DEPTH = 64
#: Instants given on the command line lie in these years: before is not a permit era,
#: after is a typing slip (and date arithmetic near year 9999 overflows).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999

_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# A JSON string (escapes included) or one bracket: scanning these finds the nesting
# depth without the recursion json.loads would need.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def read_bytes(source: str | Path, what: str, *, limit: int = MAX_JSON_BYTES) -> bytes:
    """The bytes of ``source`` (``-`` is stdin), refusing files over ``limit``."""
    if str(source) == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        # A missing file or a folder raises OSError, which main() reports in one line.
        with open(source, "rb") as fh:
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputError(
            f"{what} {str(source)!r} is larger than {limit // (1024 * 1024)} MiB; "
            "this is not a document the command reads"
        )
    return data


def decode_utf8(data: bytes, source: str | Path, what: str) -> str:
    """``data`` as UTF-8 text (a UTF-8 byte-order mark is tolerated)."""
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise InvalidInputError(
                f"{what} {str(source)!r} is {name} text; save it as UTF-8 "
                f"(e.g. iconv -f {name} -t UTF-8)"
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{what} {str(source)!r} is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}); give a UTF-8 JSON file, not a binary or another encoding"
        ) from None


def read_text(source: str | Path, what: str, *, limit: int = MAX_JSON_BYTES) -> str:
    """The UTF-8 text of ``source`` (``-`` is stdin), with the checks of :func:`read_bytes`."""
    return decode_utf8(read_bytes(source, what, limit=limit), source, what)


def check_json_depth(text: str, source: str | Path, what: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` (before parsing it)."""
    raw = text.encode("utf-8", "surrogatepass")
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return  # cannot be too deep: skip the scan
    depth = 0
    for match in _JSON_TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidInputError(
                    f"{what} {str(source)!r} is nested more than {MAX_JSON_DEPTH} levels deep; "
                    "no document the command reads is (is it the right file?)"
                )
        elif token in (b"]", b"}"):
            depth -= 1


def parse_json(text: str, source: str | Path, what: str) -> Any:
    """Parse JSON text checked by :func:`check_json_depth`; errors name line and column."""
    check_json_depth(text, source, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{what} {str(source)!r} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise InvalidInputError(f"{what} {str(source)!r} is not usable JSON: {exc}") from None


def load_json(source: str | Path, what: str) -> Any:
    """Read, decode and parse the JSON document ``source`` (``-`` is stdin)."""
    return parse_json(read_text(source, what), source, what)


def json_text(source: str | Path, what: str) -> str:
    """The checked text of a JSON document, for ``Model.model_validate_json``."""
    text = read_text(source, what)
    check_json_depth(text, source, what)
    return text


def load_dossier(source: str | Path) -> Any:
    """A ``models.Dossier`` from a JSON file, pointing at the member to give when the file is
    the platform's view of a dossier (the API resource, as in ``platform-dossier.json``)."""
    from ..models import Dossier

    text = json_text(source, "dossier")
    try:
        return Dossier.model_validate_json(text)
    except InvalidInputError as exc:
        try:
            doc = json.loads(text)
        except ValueError:
            raise exc from None
        if isinstance(doc, dict) and {"id", "state", "dossier"} <= doc.keys():
            raise InvalidInputError(
                f"{source} is the platform's view of a dossier (id, state, version...), not "
                'a dossier: give its "dossier" member, as the demo writes it in dossier.json',
                exc.problems,
            ) from None
        raise


# -- argparse types ----------------------------------------------------------------------
def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type=`` for an integer in ``[low, high]``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low:,} to {high:,}, got {text[:40]!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}, got {text[:40]}")
        return value

    parse.__name__ = "whole number"
    return parse


def parse_instant(text: str, flag: str, *, naive_zone: dt.tzinfo | None = None) -> dt.datetime:
    """An ISO 8601 instant with an offset (or in ``naive_zone``), between the allowed years."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{flag} {text[:40]!r} is not an ISO 8601 instant; write it like "
            "2026-03-02T10:00:00+01:00"
        ) from None
    if value.tzinfo is None:
        if naive_zone is None:
            raise InvalidInputError(
                f"{flag} {text[:40]!r} has no offset; write it like 2026-03-02T10:00:00+01:00"
            )
        value = value.replace(tzinfo=naive_zone)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidInputError(
            f"{flag} {text[:40]!r} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}; "
            "check the date"
        )
    return value


def instant_argument(text: str) -> str:
    """An argparse ``type=`` that checks an ISO 8601 instant and keeps the text."""
    try:
        parse_instant(text, "the instant")
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")


def host_argument(text: str) -> str:
    """An argparse ``type=`` for an address to listen on: an IP address or a host name."""
    host = text.strip()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if all(label.isdigit() for label in labels):
        # Dotted digits are meant as an IPv4 address: never look them up as a name.
        raise argparse.ArgumentTypeError(
            f"{host[:40]!r} is not an IPv4 address (four numbers from 0 to 255); e.g. 127.0.0.1"
        )
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise argparse.ArgumentTypeError(
            f"{host[:40]!r} is neither an IP address nor a host name; e.g. 127.0.0.1"
        )
    import socket

    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(
            f"host name {host!r} does not resolve to an address; e.g. 127.0.0.1"
        ) from None
    return host
