"""rokhas_sdk.documents (see design.md §2): what a decision LOOKS like.

A permit rendered as a bilingual (French / Arabic) A4 PDF with its data attached as
``permit.json``, a QR code and empty signature fields; a filing receipt likewise.
Rendering needs the ``documents`` extra (fpdf2, arabic-reshaper, python-bidi, segno,
fontpkg-amiri); names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "ATTACHMENT_NAME": "._permit_pdf",
    "PermitLayout": "._permit_pdf",
    "SignatureBox": "._permit_pdf",
    "parse_qr_payload": "._permit_pdf",
    "permit_json_bytes": "._permit_pdf",
    "permit_qr_payload": "._permit_pdf",
    "render_permit": "._permit_pdf",
    "extract_permit": "._extract",
    "render_receipt": "._receipt",
    "MissingGlyphError": ".._text",
}

if TYPE_CHECKING:
    from .._text import MissingGlyphError as MissingGlyphError
    from ._extract import extract_permit as extract_permit
    from ._permit_pdf import ATTACHMENT_NAME as ATTACHMENT_NAME
    from ._permit_pdf import PermitLayout as PermitLayout
    from ._permit_pdf import SignatureBox as SignatureBox
    from ._permit_pdf import parse_qr_payload as parse_qr_payload
    from ._permit_pdf import permit_json_bytes as permit_json_bytes
    from ._permit_pdf import permit_qr_payload as permit_qr_payload
    from ._permit_pdf import render_permit as render_permit
    from ._receipt import render_receipt as render_receipt


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


__all__ = sorted(_EXPORTS)
