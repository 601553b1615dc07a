"""The permit PDF: the bilingual ``documents.render_permit``, or a plain stand-in.

``renderer="documents"`` (the default) is the real bilingual permit of the documents
room. ``"stand-in"`` is a one-page A4 PDF (fpdf2, core font, French only) that embeds the
``models.Permit`` JSON as ``permit.json``: useful where the documents extra (fonts) is
not installed. Both sign and verify TOTAL_PASSED (``tests/sandbox/test_render.py``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["render_permit_pdf"]


DEFAULT_RENDERER = "documents"


def render_permit_pdf(permit: Any, renderer: str = DEFAULT_RENDERER) -> bytes:
    """A PDF of ``permit`` (a ``models.Permit``), with its JSON embedded."""
    if renderer == "documents":
        from ..documents import render_permit

        return bytes(render_permit(permit).pdf)
    if renderer != "stand-in":
        raise ValueError(f"unknown permit renderer {renderer!r}: 'documents' or 'stand-in'")
    return _stand_in(permit)


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _stand_in(permit: Any) -> bytes:
    from fpdf import FPDF

    data = permit.model_dump(mode="json")
    pdf = FPDF(format="A4")
    pdf.set_creator("rokhas-sdk sandbox")
    pdf.set_title(_latin(f"Autorisation {permit.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Commune de {permit.commune_name_fr}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    lines = [
        f"Autorisation n° {permit.number}",
        f"Objet : {permit.object_fr}",
        f"Bénéficiaire : {permit.beneficiary_name} ({permit.beneficiary_id})",
        f"Adresse : {permit.address}",
        f"Dossier : {permit.dossier_reference}",
        f"Décision : {'accordée' if permit.decision == 'granted' else 'accord tacite'} le "
        f"{permit.issued_on.isoformat()}",
        f"Signataire : {permit.signatory.name}, {permit.signatory.title_fr}",
        "Document émis par le sandbox rokhas-sdk : sans valeur légale.",
    ]
    for line in lines:
        pdf.multi_cell(0, 8, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(
        basename="permit.json",
        bytes=json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        desc="Permit data (rokhas_sdk.models.Permit, JSON)",
        compress=False,
    )
    return bytes(pdf.output())
