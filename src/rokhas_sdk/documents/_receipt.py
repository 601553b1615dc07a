"""The filing receipt (récépissé de dépôt): bilingual, one page, with a QR code.

It proves what was filed and when: the dossier reference, the procedure, the commune,
the applicant, the filing time in both calendars, and every piece with its SHA-256.
The QR code carries ``ROKHAS-RECEIPT|<reference>|sha256:<hex of the dossier JSON>``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any

from .._errors import require_extra
from .._text import (
    check_glyphs,
    close_fonts,
    font_file,
    fpdf_output,
    hijri_date_ar,
    keep_together,
    ltr,
)
from .._time import CASABLANCA
from ..models import Dossier, get_commune
from ._permit_pdf import MARGIN, PAGE_W, PdfPage, draw_qr

__all__ = ["render_receipt"]


def render_receipt(
    dossier: Dossier,
    *,
    filed_at: _dt.datetime | None = None,
    hijri_adjust_days: int = 0,
) -> bytes:
    """Render the filing receipt of ``dossier`` as an A4 PDF.

    ``filed_at`` defaults to the dossier's ``created_at`` (or now); it must be
    timezone-aware and is shown in Casablanca time.
    """
    try:
        import segno
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("fpdf2 / segno", "documents") from None
    when = filed_at or dossier.created_at or _dt.datetime.now(_dt.UTC)
    if when.tzinfo is None:
        from .._errors import InvalidInputError

        raise InvalidInputError("filed_at must be timezone-aware (Africa/Casablanca or UTC)")
    local = when.astimezone(CASABLANCA)
    digest = hashlib.sha256(dossier.model_dump_json().encode("utf-8")).hexdigest()
    reference = str(dossier.reference)
    try:
        commune: Any = get_commune(str(dossier.commune))
        commune_fr, commune_ar = commune.name_fr, commune.name_ar
    except Exception:  # a commune outside the bundled registry: show its code
        commune_fr = commune_ar = str(dossier.commune)

    pdf = FPDF(unit="pt", format="A4")
    try:
        pdf.set_margin(MARGIN)
        pdf.set_auto_page_break(False)
        pdf.add_font("amiri", fname=str(font_file("Regular")))
        pdf.add_font("amiri", style="B", fname=str(font_file("Bold")))
        pdf.set_title(f"Récépissé de dépôt {reference}")
        pdf.set_creator("rokhas-sdk")
        pdf.set_creation_date(local)
        pdf.add_page()
        doc = PdfPage(pdf)
        doc.pair("Royaume du Maroc", "المملكة المغربية", size=11, bold=True)
        doc.pair(f"Commune de {commune_fr}", f"جماعة {commune_ar}", size=10)
        doc.rule()
        doc.centered("Récépissé de dépôt", 16, bold=True)
        doc.centered("وصل الإيداع", 16, bold=True)
        doc.centered(f"N° {reference}", 12, bold=True)
        qr = segno.make(f"ROKHAS-RECEIPT|{reference}|sha256:{digest}", error="m")
        draw_qr(pdf, qr, PAGE_W - MARGIN - 70, MARGIN + 40, 70)
        doc.y += 6
        doc.rule()
        doc.pair(dossier.kind.label_fr, dossier.kind.label_ar, bold=True)
        doc.pair(
            f"Déposé le {local:%d/%m/%Y à %H:%M}",
            f"أودع بتاريخ {local:%d/%m/%Y} ({local:%H:%M}) الموافق "
            f"{keep_together(hijri_date_ar(local.date(), hijri_adjust_days))}",
        )
        applicant = dossier.applicant.display_name
        # the Arabic name only when the dossier gives it: never a transliteration
        applicant_ar = dossier.applicant.display_name_ar or ltr(applicant)
        doc.pair(f"Demandeur : {applicant}", f"صاحب الطلب: {applicant_ar}")
        if dossier.platform_number:
            doc.pair(
                f"Numéro plateforme : {dossier.platform_number}",
                f"رقم المنصة: {ltr(dossier.platform_number)}",
            )
        doc.rule()
        doc.pair("Pièces déposées", "الوثائق المودعة", bold=True)
        if not dossier.pieces:
            doc.pair("(aucune)", "(لا شيء)")
        for i, piece in enumerate(dossier.pieces, 1):
            doc.pair(
                f"{i}. {piece.type.label_fr} - {piece.file_name}",
                f"{i} - {piece.type.label_ar}",
                size=9.5,
            )
            doc.pair(f"SHA-256 {piece.sha256}", "", size=7)
        doc.rule()
        note_fr = "Ce récépissé atteste le dépôt du dossier ; il ne vaut pas autorisation."
        note_ar = "يثبت هذا الوصل إيداع الملف ولا يعتبر رخصة."
        check_glyphs(note_fr + note_ar)
        doc.pair(note_fr, note_ar, size=9)
        # the receipt is what loi 55-19 requires at filing (loi 55-19, docs/legal-sources.md, [C])
        doc.pair(
            "Délivré en application de la loi n° 55-19 relative à la simplification des "
            "procédures et formalités administratives.",
            "سلم تطبيقا للقانون رقم 55.19 المتعلق بتبسيط المساطر والإجراءات الإدارية.",
            size=8,
            leading=2,
        )
        return fpdf_output(pdf)
    finally:
        close_fonts(pdf)
