"""The shared bilingual text helpers: reduced font build, cache fallback, glyph checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import _text
from rokhas_sdk._text import MissingGlyphError, check_glyphs, has_arabic, shape_arabic


def test_reduced_font_is_built_from_the_pypi_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _text.font_file.cache_clear()
    try:
        path = _text.font_file("Regular")
        assert path.parent == tmp_path / "rokhas-sdk" / "fonts"
        with TTFont(str(path)) as font:
            assert "GSUB" not in font  # layout tables dropped: we shape beforehand
            cmap = font.getBestCmap()
            names = {rec.nameID for rec in font["name"].names}
        assert 0 in names  # the copyright notice (OFL) is kept
        assert ord("é") in cmap
        assert ord("ب") in cmap
        assert 0xFE91 in cmap  # beh, initial form
        assert ord("建") not in cmap
        again = _text.font_file.__wrapped__("Regular")  # a second build reuses the file
        assert again == path
    finally:
        _text.font_file.cache_clear()


def test_cache_falls_back_to_a_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    d = _text._cache_dir()
    assert d.is_dir()
    assert not str(d).startswith(str(blocker))


@given(st.text(alphabet=st.sampled_from(list("abc éàç ابتثجح 0123456789.,:;()-")), max_size=40))
def test_supported_text_passes_the_glyph_check(text: str) -> None:
    check_glyphs(text)
    shaped = shape_arabic(text)
    if has_arabic(text):
        check_glyphs(shaped)  # presentation forms are in the font too
    assert len(shaped.replace(" ", "")) <= len(text.replace(" ", ""))


@given(st.sampled_from(["✈", "建", "😀", "\u0300x"]))
def test_unsupported_characters_are_named(ch: str) -> None:
    with pytest.raises(MissingGlyphError, match="U\\+"):
        check_glyphs(f"ok {ch}")
