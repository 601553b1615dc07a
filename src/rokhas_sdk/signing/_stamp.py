"""The visible signature stamp: Arabic and French, signer, title, date (Gregorian and Hijri), QR.

Drawn as a one-page PDF with fpdf2 (Arabic shaped with arabic-reshaper, ordered with
python-bidi, font Amiri from the ``fontpkg-amiri`` PyPI package) and imported by pyHanko
as the signature field's appearance. Needs the ``documents`` extra.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .._errors import require_extra
from .._text import (
    MissingGlyphError,
    check_glyphs,
    close_fonts,
    font_file,
    fpdf_output,
    hijri_date_ar,
    shape_arabic,
)
from .._time import CASABLANCA

__all__ = ["MissingGlyphError", "StampText", "qr_operators", "render_stamp_pdf", "stamp_content"]


# Stamp size in points (85 mm x 32 mm): fits the signature boxes of an A4 permit.
STAMP_WIDTH = 241.0
STAMP_HEIGHT = 91.0


@dataclass(frozen=True)
class StampText:
    """What the stamp says. ``name``/``title_fr`` default to the certificate's CN/title."""

    name: str
    title_fr: str = ""
    title_ar: str = ""
    name_ar: str = ""
    reference: str = ""
    qr_payload: str = ""
    hijri_adjust_days: int = 0


def render_stamp_pdf(text: StampText, when: _dt.datetime) -> bytes:
    """Draw the stamp's text (no QR) as a one-page PDF of the stamp's size.

    Cached per text and minute: in a batch, documents signed in the same minute share
    one rendering (a TrueType subset costs a few hundred milliseconds).
    """
    local = when.astimezone(CASABLANCA).replace(second=0, microsecond=0)
    return _render_cached(
        StampText(
            name=text.name,
            title_fr=text.title_fr,
            title_ar=text.title_ar,
            name_ar=text.name_ar,
            hijri_adjust_days=text.hijri_adjust_days,
        ),
        local,
    )


@lru_cache(maxsize=32)
def _render_cached(text: StampText, local: _dt.datetime) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("fpdf2", "documents") from None
    fr_lines = [
        "Signé électroniquement par",
        text.name,
        text.title_fr,
        f"le {local:%d/%m/%Y à %H:%M} (Casablanca)",
    ]
    ar_lines = [
        "توقيع إلكتروني",
        text.name_ar or text.name,
        text.title_ar,
        hijri_date_ar(local.date(), text.hijri_adjust_days),
    ]
    fr_lines = [x for x in fr_lines if x]
    ar_lines = [x for x in ar_lines if x]
    check_glyphs("".join(fr_lines + ar_lines))

    pdf = FPDF(unit="pt", format=(STAMP_WIDTH, STAMP_HEIGHT))
    try:
        pdf.set_margin(0)
        pdf.set_auto_page_break(False)
        pdf.add_page()
        pdf.add_font("amiri", fname=str(font_file()))
        pdf.set_draw_color(20, 70, 140)
        pdf.set_line_width(1)
        pdf.rect(0.5, 0.5, STAMP_WIDTH - 1, STAMP_HEIGHT - 1)
        col_x = QR_SIZE + 2 * QR_MARGIN
        col_w = (STAMP_WIDTH - col_x - QR_MARGIN) / 2
        pdf.set_text_color(10, 30, 80)
        _column(pdf, fr_lines, col_x, col_w, align="L")
        _column(pdf, [shape_arabic(x) for x in ar_lines], col_x + col_w, col_w, align="R")
        return fpdf_output(pdf)
    finally:
        close_fonts(pdf)


QR_MARGIN = 6.0
QR_SIZE = STAMP_HEIGHT - 2 * QR_MARGIN


def _column(pdf: Any, lines: list[str], x: float, w: float, *, align: str) -> None:
    y = 8.0
    for i, line in enumerate(lines):
        size = 8.0 if i == 1 else 6.5
        pdf.set_font("amiri", size=size)
        # shrink long names/titles to the column instead of clipping them
        while pdf.get_string_width(line) > w - 2 and size > 4:
            size -= 0.5
            pdf.set_font("amiri", size=size)
        pdf.set_xy(x, y)
        pdf.cell(w=w, h=size + 3, text=line, align=align)
        y += size + 5


def qr_operators(payload: str, x: float, y: float, size: float) -> bytes:
    """PDF content operators drawing ``payload`` as a QR code in the square at (x, y)."""
    try:
        import segno
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("segno", "documents") from None
    qr = segno.make(payload, error="m", micro=False)
    rows = [list(r) for r in qr.matrix]
    n = len(rows)
    border = 2
    module = size / (n + 2 * border)
    ops = ["q 0 0 0 rg"]
    for r, row in enumerate(rows):
        c = 0
        top = y + size - (border + r + 1) * module
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(
                    f"{x + (border + start) * module:.3f} {top:.3f} "
                    f"{(c - start) * module:.3f} {module:.3f} re"
                )
            else:
                c += 1
    ops.append("f Q")
    return "\n".join(ops).encode("ascii")


def stamp_content(stamp_pdf: bytes, qr_payload: str) -> Any:
    """A pyHanko ``PdfContent``: the text page imported from memory, plus the QR code."""
    from pyhanko.pdf_utils.content import ImportedPdfPage

    qr_ops = qr_operators(qr_payload, QR_MARGIN, QR_MARGIN, QR_SIZE)

    class _StampContent(ImportedPdfPage):
        def render(self) -> bytes:
            import binascii
            import uuid

            from pyhanko.pdf_utils.layout import BoxConstraints
            from pyhanko.pdf_utils.reader import PdfFileReader

            w = self._ensure_writer
            r = PdfFileReader(io.BytesIO(stamp_pdf))
            xobj = w.import_page_as_xobject(r, page_ix=0)
            name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            self.box = BoxConstraints(width=STAMP_WIDTH, height=STAMP_HEIGHT)
            return name + b" Do\n" + qr_ops

    return _StampContent("<memory>")  # type: ignore[no-untyped-call]
