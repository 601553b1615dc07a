"""rokhas_sdk.documents (see design.md §2): what a decision LOOKS like.

A permit rendered as a bilingual (French / Arabic) A4 PDF with its data attached as
``permit.json``, a QR code and empty signature fields; a filing receipt likewise.
Rendering needs the ``documents`` extra (fpdf2, arabic-reshaper, python-bidi, segno,
fontpkg-amiri); names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .._text import MissingGlyphError as MissingGlyphError
    from ._extract import extract_permit as extract_permit
    from ._extract import extract_permit_json as extract_permit_json
    from ._permit_pdf import ATTACHMENT_NAME as ATTACHMENT_NAME
    from ._permit_pdf import PermitLayout as PermitLayout
    from ._permit_pdf import SignatureBox as SignatureBox
    from ._permit_pdf import parse_qr_payload as parse_qr_payload
    from ._permit_pdf import permit_json_bytes as permit_json_bytes
    from ._permit_pdf import permit_qr_payload as permit_qr_payload
    from ._permit_pdf import render_permit as render_permit
    from ._receipt import render_receipt as render_receipt


__getattr__, __dir__, __all__ = lazy_exports(__name__, globals())
