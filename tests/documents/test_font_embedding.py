"""Embedded font subsets keep the font's own glyph boxes (no recompilation on output)."""

from __future__ import annotations

import io
from typing import Any

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfReader

from rokhas_sdk._text import font_file, fpdf_output


def _embedded_fonts(pdf_bytes: bytes) -> list[bytes]:
    found: list[bytes] = []
    resources: Any = PdfReader(io.BytesIO(pdf_bytes)).pages[0]["/Resources"]
    fonts = resources["/Font"]
    for ref in fonts.values():
        for desc in ref.get_object().get("/DescendantFonts", []):
            descriptor = desc.get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                found.append(descriptor["/FontFile2"].get_object().get_data())
    return found


def _render(text: str) -> tuple[bytes, list[bool]]:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("Amiri", "", str(font_file("Regular")))
    pdf.add_page()
    pdf.set_font("Amiri", size=14)
    pdf.cell(0, 10, text)
    raw = fpdf_output(pdf)
    return raw, [f.ttfont.recalcBBoxes for f in pdf.fonts.values() if hasattr(f, "ttfont")]


def test_subsets_are_written_without_recompiling_glyphs() -> None:
    _, recalc = _render("Casablanca")
    assert recalc == [False]


def test_embedded_glyph_boxes_are_right_for_their_outlines() -> None:
    raw, _ = _render("Permis de construire n° 42 — Casablanca, الدار البيضاء")
    fonts = _embedded_fonts(raw)
    assert len(fonts) == 1
    with TTFont(io.BytesIO(fonts[0])) as sub:
        glyf = sub["glyf"]
        drawn = [g for g in sub.getGlyphOrder() if glyf[g].numberOfContours != 0]
        assert len(drawn) > 10
        for name in drawn:
            g = glyf[name]
            stored = (g.xMin, g.yMin, g.xMax, g.yMax)
            g.recalcBounds(glyf)
            assert (g.xMin, g.yMin, g.xMax, g.yMax) == stored, name
