"""A permit as an A4 PDF: French and Arabic side by side, dates in both calendars, a QR
code, the permit's JSON attached, and empty signature fields for the signatories.

The JSON attachment (``permit.json``) is part of the first revision, so every signature
covers it; a verifier reads the permit back from it. The QR code carries the permit
number and the SHA-256 of that JSON: ``ROKHAS-PERMIT|<number>|sha256:<hex>``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import InvalidInputError, require_extra
from .._text import (
    check_glyphs,
    close_fonts,
    font_file,
    fpdf_output,
    has_arabic,
    hijri_date_ar,
    keep_together,
    ltr,
    shape_arabic,
    strip_controls,
)
from .._time import CASABLANCA
from ..models import Permit

__all__ = [
    "ATTACHMENT_NAME",
    "PermitLayout",
    "SignatureBox",
    "parse_qr_payload",
    "permit_json_bytes",
    "permit_qr_payload",
    "render_permit",
]

ATTACHMENT_NAME = "permit.json"

# A4 in points; the stamp of rokhas_sdk.signing is 241 x 91 pt.
PAGE_W, PAGE_H = 595.28, 841.89
MARGIN = 36.0
BOX_W, BOX_H = 241.0, 91.0


@dataclass(frozen=True)
class SignatureBox:
    """An empty signature field of the rendered permit: ``name``, page and rectangle
    ``(x1, y1, x2, y2)`` in PDF points (origin bottom left)."""

    name: str
    page: int
    box: tuple[float, float, float, float]
    label_fr: str
    label_ar: str


@dataclass(frozen=True)
class PermitLayout:
    """What :func:`render_permit` produced besides the bytes."""

    pdf: bytes
    json_sha256: str
    qr_payload: str
    signature_boxes: tuple[SignatureBox, ...]


def permit_json_bytes(permit: Permit) -> bytes:
    """The canonical JSON of a permit: what is attached and hashed (UTF-8, no spaces)."""
    return permit.model_dump_json().encode("utf-8")


def permit_qr_payload(permit: Permit) -> str:
    """``ROKHAS-PERMIT|<number>|sha256:<hex of permit_json_bytes>``."""
    digest = hashlib.sha256(permit_json_bytes(permit)).hexdigest()
    return f"ROKHAS-PERMIT|{permit.number}|sha256:{digest}"


def parse_qr_payload(payload: str) -> tuple[str, str]:
    """``(number, sha256 hex)`` from a permit QR payload; ``InvalidInputError`` otherwise."""
    parts = payload.split("|")
    if len(parts) != 3 or parts[0] != "ROKHAS-PERMIT" or not parts[2].startswith("sha256:"):
        raise InvalidInputError(
            "not a rokhas permit QR code: expected ROKHAS-PERMIT|<number>|sha256:<hex>"
        )
    number, digest = parts[1], parts[2][len("sha256:") :]
    if not number or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInputError(
            "the permit QR code is damaged: the number is empty or the hash is not "
            "64 lowercase hex digits"
        )
    return number, digest


def _fmt_area(value: Any) -> str:
    return f"{value} m²"


# A written-out date: a day, one to three words (the month, "من ذي الحجة"), a four-digit
# year, and the Hijri era mark if any. Its spaces become no-break spaces so that the
# wrapper moves the whole date to the next line instead of splitting it.
_WRITTEN_DATE = re.compile(r"\b\d{1,2}(?: [^\s\d()]+){1,3} \d{4}\b(?: هـ)?")


def _keep_dates(text: str) -> str:
    return _WRITTEN_DATE.sub(lambda m: keep_together(m.group(0)), text)


def _fmt_date(d: _dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def _hijri(day: _dt.date, adjust_days: int) -> str:
    """The Hijri date as one unbreakable unit: the wrapper never splits a date."""
    return keep_together(hijri_date_ar(day, adjust_days))


# The visas are the longest part of the act: set tighter, so that the act and its
# signature box fit on one A4 page for every family.
_VISA_SIZE = 8.0

_OPINION_FR = {
    "FAVORABLE": "l'avis favorable",
    "FAVORABLE_WITH_RESERVES": "l'avis favorable avec réserves",
    "UNFAVORABLE": "l'avis défavorable",
    "ADJOURNED": "l'avis d'ajournement",
}
_OPINION_AR = {
    "FAVORABLE": "الرأي الموافق",
    "FAVORABLE_WITH_RESERVES": "الرأي الموافق بتحفظات",
    "UNFAVORABLE": "الرأي غير الموافق",
    "ADJOURNED": "رأي التأجيل",
}


def _preamble(doc: PdfPage, permit: Permit) -> None:
    """The act's opening, its visas ("Vu ..."), the application and the commission's
    opinion, then the operative word ("Décide")."""
    sig = permit.signatory
    title_fr = sig.title_fr[:1].lower() + sig.title_fr[1:]
    doc.pair(
        f"Le {title_fr} de {permit.commune_name_fr},",
        f"إن {sig.title_ar} لجماعة {permit.commune_name_ar}،",
        size=9.5,
        bold=True,
    )
    for visa in permit.visas:
        doc.pair(f"{visa.text_fr} ;", f"{visa.text_ar}؛", size=_VISA_SIZE, leading=2)
    doc.pair(
        f"Vu la demande enregistrée sous le n° {permit.dossier_reference} ;",
        f"وبناء على الطلب المسجل تحت رقم {ltr(permit.dossier_reference)}؛",
        size=_VISA_SIZE,
        leading=2,
    )
    c = permit.commission
    if c is not None:
        pv_fr = f" (procès-verbal n° {c.minutes_reference})" if c.minutes_reference else ""
        pv_ar = f" (محضر رقم {ltr(c.minutes_reference)})" if c.minutes_reference else ""
        doc.pair(
            f"Vu {_OPINION_FR[c.opinion.value]} de la commission d'instruction réunie le "
            f"{_fmt_date(c.on)}{pv_fr} ;",
            f"وبناء على {_OPINION_AR[c.opinion.value]} للجنة الدراسة المجتمعة بتاريخ "
            f"{_fmt_date(c.on)}{pv_ar}؛",
            size=_VISA_SIZE,
            leading=2,
        )
    elif permit.decision == "tacit":
        doc.pair(
            "Vu le silence de l'administration au-delà du délai légal, qui vaut accord ;",
            "وبناء على سكوت الإدارة بعد انصرام الأجل القانوني، الذي يعتبر موافقة؛",
            size=_VISA_SIZE,
            leading=2,
        )
    doc.pair("Décide :", "يقرر ما يلي:", size=10, bold=True)


class PdfPage:
    """Two-column bilingual writer over fpdf2."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.y = MARGIN
        self.col_w = (PAGE_W - 2 * MARGIN - 12) / 2
        self.x_fr = MARGIN
        self.x_ar = MARGIN + self.col_w + 12

    def _font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font("amiri", style="B" if bold else "", size=size)

    def centered(self, text: str, size: float, bold: bool = False) -> None:
        check_glyphs(text, "Bold" if bold else "Regular")
        self._font(size, bold)
        shown = shape_arabic(text) if has_arabic(text) else strip_controls(text)
        self.pdf.set_xy(MARGIN, self.y)
        self.pdf.cell(w=PAGE_W - 2 * MARGIN, h=size + 4, text=shown, align="C")
        self.y += size + 6

    def pair(
        self, fr: str, ar: str, size: float = 10, bold: bool = False, leading: float = 3.5
    ) -> None:
        """French on the left, Arabic on the right, both wrapped; the row is as tall as
        the taller side. ``leading``: the space between lines, beyond the font size."""
        weight = "Bold" if bold else "Regular"
        fr, ar = _keep_dates(fr), _keep_dates(ar)
        check_glyphs(fr + ar, weight)
        self._font(size, bold)
        line_h = size + leading
        fr_lines = self._wrap(fr, self.col_w)
        ar_lines = self._wrap(ar, self.col_w)
        rows = max(len(fr_lines), len(ar_lines))
        if self.y + rows * line_h > PAGE_H - MARGIN - 20:
            self.pdf.add_page()
            self.y = MARGIN
        for i in range(rows):
            if i < len(fr_lines):
                self.pdf.set_xy(self.x_fr, self.y + i * line_h)
                self.pdf.cell(w=self.col_w, h=line_h, text=fr_lines[i], align="L")
            if i < len(ar_lines):
                self.pdf.set_xy(self.x_ar, self.y + i * line_h)
                line = ar_lines[i]
                shown = shape_arabic(line) if has_arabic(line) else strip_controls(line)
                self.pdf.cell(w=self.col_w, h=line_h, text=shown, align="R")
        self.y += rows * line_h + 2

    def rule(self) -> None:
        self.pdf.set_draw_color(20, 70, 140)
        self.pdf.line(MARGIN, self.y + 2, PAGE_W - MARGIN, self.y + 2)
        self.y += 8

    def _wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap on logical (unshaped) text, measured on the shaped form."""
        out: list[str] = []
        for para in text.split("\n"):
            words = para.split(" ")
            line = ""
            for word in words:
                cand = f"{line} {word}".strip()
                measured = shape_arabic(cand) if has_arabic(cand) else strip_controls(cand)
                if line and self.pdf.get_string_width(measured) > width - 2:
                    out.append(line)
                    line = word
                else:
                    line = cand
            out.append(line)
        return out or [""]


def render_permit(
    permit: Permit,
    *,
    cosigners: Sequence[tuple[str, str, str]] = (),
    hijri_adjust_days: int = 0,
    generated_at: _dt.datetime | None = None,
) -> PermitLayout:
    """Render ``permit`` as an A4 PDF and return it with its layout.

    ``cosigners`` adds signature boxes after the president's: ``(field name, label fr,
    label ar)``, e.g. ``("architect", "L'architecte", "المهندس المعماري")``. The fields
    are created empty; :func:`rokhas_sdk.signing.sign_pdf` fills them by name
    (``field_name="president"`` with ``certify=True`` first).

    Every character is checked against the font: a missing glyph raises
    ``MissingGlyphError`` instead of disappearing.
    """
    try:
        import segno
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("fpdf2 / segno", "documents") from None

    json_bytes = permit_json_bytes(permit)
    digest = hashlib.sha256(json_bytes).hexdigest()
    qr_payload = f"ROKHAS-PERMIT|{permit.number}|sha256:{digest}"
    when = (generated_at or _dt.datetime.now(_dt.UTC)).astimezone(CASABLANCA)

    pdf = FPDF(unit="pt", format="A4")
    try:
        pdf.set_margin(MARGIN)
        pdf.set_auto_page_break(False)
        pdf.add_font("amiri", fname=str(font_file("Regular")))
        pdf.add_font("amiri", style="B", fname=str(font_file("Bold")))
        pdf.set_title(f"{permit.kind.label_fr} n° {permit.number}")
        pdf.set_subject(permit.kind.label_ar)
        pdf.set_lang("fr-MA")
        pdf.set_creator("rokhas-sdk")
        pdf.set_creation_date(when)
        pdf.add_page()
        doc = PdfPage(pdf)

        # header: the kingdom, the ministry, the commune
        doc.pair("Royaume du Maroc", "المملكة المغربية", size=11, bold=True)
        doc.pair("Ministère de l'Intérieur", "وزارة الداخلية", size=10)
        doc.pair(f"Commune de {permit.commune_name_fr}", f"جماعة {permit.commune_name_ar}", size=10)
        doc.rule()
        doc.y += 4
        doc.centered(permit.kind.label_fr, 17, bold=True)
        doc.centered(permit.kind.label_ar, 17, bold=True)
        doc.centered(f"N° {permit.number}", 12, bold=True)
        doc.y += 4

        # the QR code, top right of the body
        qr = segno.make(qr_payload, error="m")
        qr_size = 78.0
        draw_qr(pdf, qr, PAGE_W - MARGIN - qr_size, MARGIN + 60, qr_size)
        doc.rule()

        issued = permit.issued_on
        doc.pair(
            f"Délivré le {_fmt_date(issued)}",
            f"سلم بتاريخ {_fmt_date(issued)} الموافق {_hijri(issued, hijri_adjust_days)}",
        )
        decision_fr = "Accordé" if permit.decision == "granted" else "Accordé tacitement"
        decision_ar = "مقبول" if permit.decision == "granted" else "مقبول ضمنيا"
        doc.pair(f"Décision : {decision_fr}", f"القرار: {decision_ar}")
        doc.rule()

        _preamble(doc, permit)
        doc.rule()

        name_ar = permit.beneficiary_name_ar or ltr(permit.beneficiary_name)
        doc.pair("Bénéficiaire", "المستفيد", bold=True)
        doc.pair(
            f"{permit.beneficiary_name} ({permit.beneficiary_id})",
            f"{name_ar} ({ltr(permit.beneficiary_id)})",
        )
        doc.pair("Objet", "الموضوع", bold=True)
        doc.pair(permit.object_fr, permit.object_ar)
        doc.pair(f"Adresse : {permit.address}", f"العنوان: {ltr(permit.address)}")
        if permit.land_reference:
            doc.pair(
                f"Référence foncière : {permit.land_reference}",
                f"المرجع العقاري: {ltr(permit.land_reference)}",
            )
        if permit.architect_name:
            architect_ar = permit.architect_name_ar or ltr(permit.architect_name)
            doc.pair(
                f"Architecte : {permit.architect_name}",
                f"المهندس المعماري: {architect_ar}",
            )
        s = permit.surfaces
        rows = [
            (s.land_area, "Superficie du terrain", "مساحة القطعة"),
            (s.covered_area, "Surface couverte", "المساحة المغطاة"),
            (s.floor_area, "Surface de plancher", "مساحة الطوابق"),
        ]
        if any(v is not None for v, _, _ in rows) or s.levels is not None:
            doc.pair("Surfaces", "المساحات", bold=True)
            for value, fr, ar in rows:
                if value is not None:
                    doc.pair(f"{fr} : {_fmt_area(value)}", f"{ar}: {ltr(_fmt_area(value))}")
            if s.levels is not None:
                doc.pair(f"Nombre de niveaux : {s.levels}", f"عدد الطوابق: {s.levels}")
        if permit.conditions_fr:
            doc.pair("Conditions", "الشروط", bold=True)
            for i, (fr, ar) in enumerate(
                zip(permit.conditions_fr, permit.conditions_ar, strict=True), 1
            ):
                doc.pair(f"{i}. {fr}", f"{i} - {ar}")
        if permit.valid_until is not None:
            vu = permit.valid_until
            doc.pair(
                f"Le présent acte est valable jusqu'au {_fmt_date(vu)} inclus ; passé ce "
                "délai sans ouverture du chantier, il est périmé.",
                f"تنتهي صلاحية هذا القرار في {_fmt_date(vu)} الموافق "
                f"{_hijri(vu, hijri_adjust_days)} ضمنه؛ ويسقط بعد هذا الأجل إذا لم يتم فتح الورش.",
                size=9.5,
            )
        doc.rule()

        # signature boxes: president first (the certification), then the co-signers
        boxes: list[SignatureBox] = []
        specs = [
            (
                "president",
                f"{permit.signatory.title_fr} : {permit.signatory.name}",
                f"{permit.signatory.title_ar}: "
                f"{permit.signatory.name_ar or ltr(permit.signatory.name)}",
            ),
            *cosigners,
        ]
        names = [n for n, _, _ in specs]
        if len(set(names)) != len(names):
            raise InvalidInputError(f"signature field names must be unique: {names}")
        for name, label_fr, label_ar in specs:
            boxes.append(_signature_box(pdf, doc, name, label_fr, label_ar))

        pdf.set_font("amiri", size=7)
        footer = (
            f"Document généré le {when:%d/%m/%Y %H:%M} (Casablanca) - les données du permis "
            f"sont jointes ({ATTACHMENT_NAME}, SHA-256 {digest[:16]}...)"
        )
        check_glyphs(footer)
        for page in range(1, pdf.pages_count + 1):
            pdf.page = page
            # fpdf2 remembers one current font for the whole document, not per page: on
            # a page whose stream last selected the bold font, the footer was drawn with
            # the regular font's glyph ids in the bold font (garbled). Selecting a
            # different font, then the wanted one, writes the selection into this page.
            pdf.set_font("amiri", style="B", size=7)
            pdf.set_font("amiri", size=7)
            pdf.set_xy(MARGIN, PAGE_H - MARGIN)
            pdf.cell(w=PAGE_W - 2 * MARGIN, h=9, text=footer, align="C")

        pdf.embed_file(
            bytes=json_bytes,
            basename=ATTACHMENT_NAME,
            desc=f"Permit {permit.number} (rokhas-sdk Permit schema v{permit.schema_version})",
            mime_type="application/json",
            modification_date=when,
            compress=True,
        )
        raw = fpdf_output(pdf)
    finally:
        close_fonts(pdf)
    out = _add_signature_fields(raw, boxes)
    return PermitLayout(
        pdf=out, json_sha256=digest, qr_payload=qr_payload, signature_boxes=tuple(boxes)
    )


def _signature_box(pdf: Any, doc: PdfPage, name: str, fr: str, ar: str) -> SignatureBox:
    if doc.y + BOX_H > PAGE_H - MARGIN - 20:
        pdf.add_page()
        doc.y = MARGIN
    # The box right-aligned; its bilingual label beside it on the left (French, then
    # Arabic against the box), so that the act and its signature fit on one page.
    x = PAGE_W - MARGIN - BOX_W
    top = doc.y
    label_w = x - MARGIN - 12
    check_glyphs(fr + ar, "Bold")
    pdf.set_font("amiri", style="B", size=9)
    line_h = 12.5
    y = top
    for line in doc._wrap(fr, label_w):
        pdf.set_xy(MARGIN, y)
        pdf.cell(w=label_w, h=line_h, text=strip_controls(line), align="L")
        y += line_h
    for line in doc._wrap(ar, label_w):
        pdf.set_xy(MARGIN, y)
        shown = shape_arabic(line) if has_arabic(line) else strip_controls(line)
        pdf.cell(w=label_w, h=line_h, text=shown, align="R")
        y += line_h
    pdf.set_draw_color(160, 160, 160)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.rect(x, top, BOX_W, BOX_H)
    pdf.set_dash_pattern()
    doc.y = max(top + BOX_H, y) + 10
    # fpdf2 measures from the top; PDF rectangles from the bottom
    y1 = PAGE_H - (top + BOX_H)
    return SignatureBox(
        name=name,
        page=pdf.page - 1,
        box=(round(x, 2), round(y1, 2), round(x + BOX_W, 2), round(y1 + BOX_H, 2)),
        label_fr=fr,
        label_ar=ar,
    )


def draw_qr(pdf: Any, qr: Any, x: float, y: float, size: float) -> None:
    rows = [list(r) for r in qr.matrix]
    n = len(rows)
    border = 2
    module = size / (n + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                pdf.rect(
                    x + (border + start) * module,
                    y + (border + r) * module,
                    (c - start) * module,
                    module,
                    style="F",
                )
            else:
                c += 1


def _add_signature_fields(data: bytes, boxes: Sequence[SignatureBox]) -> bytes:
    """Empty signature fields at the printed boxes, in one incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    for b in boxes:
        fields.append_signature_field(
            w,
            fields.SigFieldSpec(
                sig_field_name=b.name,
                on_page=b.page,
                box=(int(b.box[0]), int(b.box[1]), int(b.box[2]), int(b.box[3])),
            ),
        )
    out = io.BytesIO()
    w.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
