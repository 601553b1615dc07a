"""Just enough text extraction to find the permit number printed on a page.

Permits are rendered with embedded TrueType fonts, so the page content shows glyph codes,
not characters; the font's ``/ToUnicode`` CMap maps them back. This reads the show-text
operators (``Tj``, ``TJ``, ``'``, ``"``) of a page's content streams and its form
XObjects, decodes them through the CMaps, and returns the text. Everything is bounded:
the content is read through the reader's decode limits, and the scan stops after
``max_chars`` characters or ``max_depth`` nested XObjects.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["page_text"]

_TOKEN = re.compile(
    rb"""
    (?P<hex><[0-9A-Fa-f\s]*>)
    | (?P<name>/[^\s/\[\]()<>{}%]*)
    | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
    | (?P<open>\[) | (?P<close>\])
    | (?P<dict><<|>>)
    | (?P<lit>\()
    | (?P<op>[A-Za-z'"*]+)
    | (?P<skip>%[^\r\n]*|\s+|[{}])
    """,
    re.VERBOSE,
)
# a backslash before anything else (even "8" or "9") is dropped: PDF 32000 7.3.4.2
_OCTAL = re.compile(rb"[0-7]{1,3}")
_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after '(' at ``i``; returns (bytes, next index)."""
    out = bytearray()
    depth = 1
    n = len(data)
    while i < n:
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            octal = _OCTAL.match(data, i + 1, i + 4)
            if nxt in _ESC:
                out += _ESC[nxt]
                i += 2
            elif octal is not None:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
            else:
                out += nxt
                i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1
    return bytes(out), i


def _cmap(stream: Any) -> tuple[dict[bytes, str], int]:
    """A ToUnicode CMap as {code bytes: text} and the code width in bytes."""
    mapping: dict[bytes, str] = {}
    width = 1
    try:
        data = stream.get_object().data
    except Exception:
        return mapping, width

    def hexb(h: bytes) -> bytes:
        return bytes.fromhex(h.decode("ascii"))

    def text(h: bytes) -> str:
        try:
            return hexb(h).decode("utf-16-be")
        except (UnicodeDecodeError, ValueError):
            return ""

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[hexb(src)] = text(dst)
            width = max(width, len(src) // 2)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, rest in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            a, b = int(lo, 16), int(hi, 16)
            size = len(lo) // 2
            width = max(width, size)
            if b - a > 0xFFFF:
                continue
            if rest.startswith(b"["):
                dsts = re.findall(rb"<([0-9A-Fa-f]*)>", rest)
                for k, d in enumerate(dsts[: b - a + 1]):
                    mapping[(a + k).to_bytes(size, "big")] = text(d)
            else:
                base = hexb(rest[1:-1])
                for k in range(b - a + 1):
                    val = int.from_bytes(base, "big") + k
                    try:
                        mapping[(a + k).to_bytes(size, "big")] = val.to_bytes(
                            len(base), "big"
                        ).decode("utf-16-be")
                    except (UnicodeDecodeError, OverflowError):
                        continue
    return mapping, width


def _decode(raw: bytes, font: tuple[dict[bytes, str], int] | None) -> str:
    if not font or not font[0]:
        return raw.decode("latin-1")
    mapping, width = font
    out = []
    for i in range(0, len(raw), width):
        out.append(mapping.get(raw[i : i + width], ""))
    return "".join(out)


def page_text(page: Any, *, max_chars: int = 200_000, max_depth: int = 4) -> str:
    """The text shown on ``page`` (a pyHanko page dictionary), best effort."""
    chunks: list[str] = []
    _walk(page, chunks, max_chars, max_depth, is_page=True)
    return "".join(chunks)[:max_chars]


def _walk(obj: Any, chunks: list[str], max_chars: int, depth: int, *, is_page: bool) -> None:
    if depth < 0:
        return
    resources = obj.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    fonts: dict[str, tuple[dict[bytes, str], int]] = {}
    try:
        for name, ref in resources.get("/Font", {}).items():
            font = ref.get_object()
            tu = font.get("/ToUnicode")
            fonts[str(name)] = _cmap(tu) if tu is not None else ({}, 1)
    except Exception:  # a broken font dictionary only loses its text
        fonts = {}
    xobjects: dict[str, Any] = {}
    try:
        for name, ref in resources.get("/XObject", {}).items():
            xobjects[str(name)] = ref
    except Exception:
        xobjects = {}
    if is_page:
        contents = obj.get("/Contents")
        if contents is None:
            return
        contents = contents.get_object()
        streams = list(contents) if isinstance(contents, list) else [contents]
        data = b"\n".join(s.get_object().data for s in streams[:64])
    else:
        data = obj.data
    _scan(data, fonts, xobjects, chunks, max_chars, depth)


def _scan(
    data: bytes,
    fonts: dict[str, tuple[dict[bytes, str], int]],
    xobjects: dict[str, Any],
    chunks: list[str],
    max_chars: int,
    depth: int,
) -> None:
    operands: list[Any] = []
    current: tuple[dict[bytes, str], int] | None = None
    array: list[bytes] | None = None
    i, n = 0, len(data)
    total = sum(len(c) for c in chunks)
    while i < n and total < max_chars:
        m = _TOKEN.match(data, i)
        if m is None:
            i += 1
            continue
        kind = m.lastgroup
        i = m.end()
        if kind == "lit":
            s, i = _literal(data, i)
            (array if array is not None else operands).append(s)
        elif kind == "hex":
            h = re.sub(rb"\s", b"", m.group(0)[1:-1])
            if len(h) % 2:
                h += b"0"
            s = bytes.fromhex(h.decode("ascii"))
            (array if array is not None else operands).append(s)
        elif kind == "open":
            array = []
        elif kind == "close":
            operands.append(array or [])
            array = None
        elif kind in ("name", "num"):
            if array is None:
                operands.append(m.group(0).decode("latin-1"))
        elif kind == "op":
            op = m.group(0)
            if op == b"Tf" and len(operands) >= 2 and isinstance(operands[-2], str):
                current = fonts.get(operands[-2])
            elif op in (b"Tj", b"'", b'"') and operands and isinstance(operands[-1], bytes):
                text = _decode(operands[-1], current)
                chunks.append(text)
                total += len(text)
            elif op == b"TJ" and operands and isinstance(operands[-1], list):
                text = "".join(_decode(s, current) for s in operands[-1] if isinstance(s, bytes))
                chunks.append(text)
                total += len(text)
            elif op == b"Do" and operands and isinstance(operands[-1], str):
                ref = xobjects.get(operands[-1])
                if ref is not None:
                    try:
                        xo = ref.get_object()
                        if str(xo.get("/Subtype")) == "/Form":
                            _walk(xo, chunks, max_chars, depth - 1, is_page=False)
                    except Exception:  # noqa: S110 - an unreadable XObject shows no text
                        pass
            elif op in (b"ET", b"BT"):
                chunks.append(" ")
            operands = []
