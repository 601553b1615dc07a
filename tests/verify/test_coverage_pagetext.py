"""Page text extraction (_pagetext) on pyHanko objects built in memory."""

# pyHanko's generic PDF object constructors are not annotated
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from rokhas_sdk.signing._pagetext import _literal, page_text

_N = generic.NameObject


def _stream(data: bytes, **entries: Any) -> generic.StreamObject:
    return generic.StreamObject({_N(f"/{k}"): v for k, v in entries.items()}, stream_data=data)


def _cmap(body: bytes) -> generic.StreamObject:
    return _stream(b"/CIDInit /ProcSet findresource begin\n" + body + b"\nend")


def _page(content: Any, resources: dict[str, Any] | None = None) -> generic.DictionaryObject:
    page = generic.DictionaryObject({_N("/Type"): _N("/Page")})
    if content is not None:
        page[_N("/Contents")] = content
    if resources is not None:
        page[_N("/Resources")] = generic.DictionaryObject({_N(k): v for k, v in resources.items()})
    return page


def _fonts(**fonts: Any) -> generic.DictionaryObject:
    return generic.DictionaryObject({_N(f"/{k}"): v for k, v in fonts.items()})


def _font(tounicode: Any = None) -> generic.DictionaryObject:
    font = generic.DictionaryObject({_N("/Type"): _N("/Font")})
    if tounicode is not None:
        font[_N("/ToUnicode")] = tounicode
    return font


def test_plain_text_operators() -> None:
    content = _stream(
        b"BT /F1 12 Tf (Permis) Tj [(PC-) -250 (2026) 10 <2d30303031>] TJ "
        b"(ligne) ' 1 2 (deux) \" ET % a comment (not shown) Tj\n"
    )
    text = page_text(_page(content, {"/Font": _fonts(F1=_font())}))
    assert text == " PermisPC-2026-0001lignedeux "


def test_literal_escapes_and_nesting() -> None:
    raw = rb"a\(b\)c \n\t\101\7x (nested (deep)) \\ \q end) trailing"
    value, end = _literal(raw, 0)
    assert value == b"a(b)c \n\tA\x07x (nested (deep)) \\ q end"
    assert raw[end:] == b" trailing"
    # an unterminated string runs to the end of the data
    assert _literal(b"abc", 0) == (b"abc", 3)
    # a backslash before a digit that is not octal is dropped (PDF 32000 7.3.4.2):
    # the digit itself is kept, not swallowed
    assert _literal(rb"\8\9)", 0) == (b"89", 5)


@given(st.binary(max_size=200))
def test_literal_is_total(raw: bytes) -> None:
    value, end = _literal(raw, 0)
    # a lone trailing backslash steps one past the end, which ends the caller's scan
    assert 0 <= end <= len(raw) + 1
    assert len(value) <= len(raw)


def test_tounicode_bfchar_and_bfrange() -> None:
    cmap = _cmap(
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"2 beginbfchar <0001> <0050> <0002> <D83D> endbfchar\n"  # P, then a lone surrogate
        b"2 beginbfrange <0010> <0012> <0043> <0020> <0021> [<0061> <0062> <0063>]\n"
        b"<0030> <0031> <FFFF> endbfrange\n"  # overflows into 3 bytes: dropped
        b"1 beginbfrange <0000> <FFFFFF> <0041> endbfrange\n"  # too wide: ignored
    )
    content = _stream(b"BT /F1 1 Tf <0001 0010 0011 0012 0020 0021 0099 0002 0030 0031> Tj ET")
    text = page_text(_page(content, {"/Font": _fonts(F1=_font(cmap))}))
    assert text == " PCDEab\uffff "  # <0031> overflows 16 bits: dropped


def test_fonts_switch_with_tf() -> None:
    cmap = _cmap(b"1 beginbfchar <01> <0058> endbfchar")
    content = _stream(b"BT /F1 1 Tf <01> Tj /F2 1 Tf <41> Tj /Missing 1 Tf (z) Tj ET")
    text = page_text(_page(content, {"/Font": _fonts(F1=_font(cmap), F2=_font())}))
    assert text == " XAz "


def test_unreadable_tounicode_falls_back_to_latin1() -> None:
    broken = generic.DictionaryObject()  # not a stream: no .data
    content = _stream(b"BT /F1 1 Tf (abc) Tj ET")
    assert page_text(_page(content, {"/Font": _fonts(F1=_font(broken))})) == " abc "


def test_broken_font_or_xobject_dictionaries_lose_only_their_text() -> None:
    content = _stream(b"BT /F1 1 Tf (abc) Tj ET /X1 Do")
    resources = {"/Font": generic.ArrayObject(), "/XObject": generic.NumberObject(3)}
    assert page_text(_page(content, resources)) == " abc "


def test_contents_array_and_missing_contents() -> None:
    parts = generic.ArrayObject([_stream(b"BT (one) Tj ET"), _stream(b"BT (two) Tj ET")])
    assert page_text(_page(parts)) == " one  two "
    assert page_text(_page(None)) == ""


def test_form_xobjects_are_followed_to_max_depth() -> None:
    inner = _stream(b"BT (inner) Tj ET", Subtype=_N("/Form"))
    image = _stream(b"(image bytes) Tj", Subtype=_N("/Image"))
    outer = _stream(b"BT (outer) Tj ET /In Do", Subtype=_N("/Form"))
    outer[_N("/Resources")] = generic.DictionaryObject(
        {_N("/XObject"): generic.DictionaryObject({_N("/In"): inner})}
    )
    xobjects = generic.DictionaryObject(
        {_N("/Out"): outer, _N("/Img"): image, _N("/Bad"): generic.NullObject()}
    )
    page = _page(_stream(b"/Out Do /Img Do /Bad Do /Nope Do 5 Do"), {"/XObject": xobjects})
    assert page_text(page) == " outer  inner "
    assert page_text(page, max_depth=1) == " outer "
    assert page_text(page, max_depth=0) == ""


def test_max_chars_bounds_the_result() -> None:
    content = _stream(b"BT " + b"(0123456789) Tj " * 100 + b"ET")
    text = page_text(_page(content), max_chars=25)
    assert text == " 0123456789012345678901234"[:25]


def test_odd_hex_and_junk_tokens() -> None:
    content = _stream(b"BT <414> Tj \x01\x02 [ /Name 3 <42> ] TJ << /K 1 >> 1 2 Td ET { }")
    assert page_text(_page(content)) == " A@B "
