"""Rendering permits and receipts: text both ways, the attached JSON, QR, signing."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_tool
from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk._text import hijri_date_ar
from rokhas_sdk.documents import (
    ATTACHMENT_NAME,
    MissingGlyphError,
    extract_permit,
    parse_qr_payload,
    permit_json_bytes,
    permit_qr_payload,
    render_permit,
    render_receipt,
)
from rokhas_sdk.models import Dossier, Permit
from rokhas_sdk.signing import Pkcs12Signer, StampOptions, sign_pdf
from rokhas_sdk.testing.pki import TestPKI

from .conftest import PERMIT_DATA

FRENCH = [
    "Royaume du Maroc",
    "Permis de construire (petit projet)",
    "N° PC-2026/0042",
    "Fatima Zahra ALAOUI",
    "Construction d'une maison individuelle R+1 avec piscine",
    "Respecter l'alignement de la voie publique.",
    "Président du conseil communal",
]
ARABIC = [
    "المملكة المغربية",
    "وزارة الداخلية",
    # pdftotext restores the logical order but not the mirrored brackets: the words only
    "رخصة البناء",
    "مشروع صغير",
    "بناء منزل فردي من طابقين مع مسبح",
    "احترام تصفيف الطريق العمومية",
    "رئيس المجلس الجماعي",
    "جماعة الدار البيضاء",
]


def _text(pdf: bytes, tmp_path: Path) -> str:
    require_tool("pdftotext")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # the PDF carries Arabic presentation forms (shaped glyphs): NFKC folds them back
    return unicodedata.normalize("NFKC", out)


def test_rendered_permit_reads_back_in_both_languages(permit: Permit, tmp_path: Path) -> None:
    layout = render_permit(permit)
    text = _text(layout.pdf, tmp_path)
    for words in FRENCH + ARABIC:
        assert words in text, words
    # Gregorian and Hijri dates (28/11/2026 is 18 Jumada al-Akhirah 1448)
    assert "28/11/2026" in text
    assert "1448" in text
    assert "جمادى الآخرة" in text


def test_attached_json_is_the_permit_and_hashed_in_the_qr(permit: Permit) -> None:
    layout = render_permit(permit)
    assert extract_permit(layout.pdf) == permit
    from rokhas_sdk.documents._extract import extract_permit_json

    raw = extract_permit_json(layout.pdf)
    assert raw == permit_json_bytes(permit)
    number, digest = parse_qr_payload(layout.qr_payload)
    assert number == permit.number
    import hashlib

    assert digest == hashlib.sha256(raw).hexdigest() == layout.json_sha256
    assert layout.qr_payload == permit_qr_payload(permit)


def test_signed_permit_keeps_text_and_data(
    permit: Permit, offline_pki: TestPKI, tmp_path: Path
) -> None:
    layout = render_permit(permit, cosigners=[("architect", "L'architecte", "المهندس المعماري")])
    assert [b.name for b in layout.signature_boxes] == ["president", "architect"]
    pres = offline_pki.identity("president", "ecdsa")
    arch = offline_pki.identity("architect", "rsa")
    signed = sign_pdf(
        layout.pdf,
        Pkcs12Signer(pres.key, pres.certificate, pres.chain),
        certify=True,
        field_name="president",
        reference=permit.number,
        stamp=StampOptions(name_ar=pres.name_ar, title_ar=pres.title_ar),
    )
    signed = sign_pdf(
        signed, Pkcs12Signer(arch.key, arch.certificate, arch.chain), field_name="architect"
    )
    text = _text(signed, tmp_path)
    for words in [*FRENCH, *ARABIC, "Signé électroniquement", "توقيع إلكتروني"]:
        assert words in text, words
    assert extract_permit(signed) == permit

    # both signatures cover the attachment, and pdfsig says so
    from signing._pdfsig import pdfsig  # the signing tests' pdfsig wrapper

    report = pdfsig(signed, tmp=tmp_path)
    assert len(report) == 2
    assert all(s.valid for s in report), [s.fields for s in report]
    # pyHanko: the attachment was in the first revision, covered by every signature
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed))
    sigs = reader.embedded_signatures
    assert len(sigs) == 2
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert str(names[0]) == ATTACHMENT_NAME
    from asn1crypto import x509 as ax509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = ax509.Certificate.load(offline_pki.root.certificate_der())
    vc = ValidationContext(trust_roots=[root], allow_fetching=False)
    for sig in sigs:
        status = validate_pdf_signature(sig, vc)
        assert status.bottom_line, status.pretty_print_details()  # type: ignore[no-untyped-call]
        assert status.docmdp_ok


def test_missing_glyph_is_an_error_not_a_blank(permit: Permit) -> None:
    data = dict(PERMIT_DATA, object_fr="Maison ✈ avec 建 terrasse")
    with pytest.raises(MissingGlyphError, match=r"U\+2708") as info:
        render_permit(Permit.model_validate(data))
    assert "U+5EFA" in str(info.value)


def test_duplicate_signature_fields_are_refused(permit: Permit) -> None:
    with pytest.raises(InvalidInputError, match="unique"):
        render_permit(permit, cosigners=[("president", "x", "y")])


def test_long_conditions_flow_onto_a_second_page(permit: Permit) -> None:
    many = {
        **PERMIT_DATA,
        "conditions_fr": [
            f"Condition numéro {i} : respecter le règlement d'aménagement." for i in range(30)
        ],
        "conditions_ar": [f"الشرط رقم {i}: احترام تصميم التهيئة." for i in range(30)],
    }
    layout = render_permit(Permit.model_validate(many))
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert int(PdfFileReader(io.BytesIO(layout.pdf)).root["/Pages"]["/Count"]) >= 2
    assert extract_permit(layout.pdf).conditions_fr[29].startswith("Condition numéro 29")


def test_no_attachment_is_not_found(offline_pki: TestPKI) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(NotFoundError, match=r"permit\.json"):
        extract_permit(bytes(pdf.output()))
    with pytest.raises(InvalidInputError):
        extract_permit(b"garbage")


_WORDS = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéèàçôABCDEF0123456789 -'")),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")
_AR = st.text(
    alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءةى ٠١٢0123456789-")),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fr=_WORDS, ar=_AR)
def test_any_french_and_arabic_object_round_trips(fr: str, ar: str) -> None:
    data: dict[str, Any] = dict(PERMIT_DATA, object_fr=fr, object_ar=ar)
    try:
        permit = Permit.model_validate(data)
    except InvalidInputError:
        return  # the model refuses it: not this room's business
    layout = render_permit(permit)
    assert extract_permit(layout.pdf) == permit


@given(st.text(max_size=120))
def test_qr_parser_never_crashes(payload: str) -> None:
    try:
        number, digest = parse_qr_payload(payload)
    except InvalidInputError:
        return
    assert payload == f"ROKHAS-PERMIT|{number}|sha256:{digest}"


@given(
    st.dates(min_value=dt.date(1937, 3, 14), max_value=dt.date(2076, 11, 16)), st.integers(-2, 2)
)
def test_hijri_dates_shift_by_whole_days(day: dt.date, shift: int) -> None:
    text = hijri_date_ar(day, shift)
    assert text == hijri_date_ar(day + dt.timedelta(days=shift))
    year = int(text.split()[-2])
    assert 1355 <= year <= 1500


def test_hijri_out_of_range_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="Hijri"):
        hijri_date_ar(dt.date(1800, 1, 1))


def test_filing_receipt(tmp_path: Path) -> None:
    dossier = Dossier(
        reference="D-2026-000123",
        kind="URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        commune="141.01.01",
        applicant={
            "type": "natural",
            "first_name": "Fatima",
            "last_name": "ALAOUI",
            "cin": "BE778899",
        },
        pieces=[
            {
                "type": _a_piece_type(),
                "file_name": "plan.pdf",
                "size": 1234,
                "sha256": "ab" * 32,
            }
        ],
    )
    pdf = render_receipt(dossier, filed_at=dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC))
    text = _text(pdf, tmp_path)
    for words in [
        "Récépissé de dépôt",
        "وصل الإيداع",
        "D-2026-000123",
        "Fatima ALAOUI",
        "Casablanca",
        "الدار البيضاء",
        "plan.pdf",
        "ab" * 32,
        "28/11/2026",
    ]:
        assert words in text, words
    with pytest.raises(InvalidInputError, match="timezone"):
        render_receipt(dossier, filed_at=dt.datetime(2026, 11, 28, 10, 30))


def _a_piece_type() -> str:
    from rokhas_sdk.models import PieceType

    return str(next(iter(PieceType)).value)
