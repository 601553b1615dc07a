# mypy: disable-error-code="no-untyped-call"
"""The permit a rendered PDF carries: returned, covered, matched against the page."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from rokhas_sdk.documents import render_permit
from rokhas_sdk.models import Permit
from rokhas_sdk.signing import Indication, Pkcs12Signer, TrustStore, sign_pdf, verify_pdf
from rokhas_sdk.signing._pagetext import page_text
from rokhas_sdk.testing.pki import TestPKI

from .test_verify import _permit
from .verify_corpus import base_pdf


@pytest.fixture(scope="module")
def president(pki: TestPKI) -> Pkcs12Signer:
    return Pkcs12Signer.from_bytes(pki.identity("president", "ecdsa").pkcs12("pw"), "pw")


@pytest.fixture(scope="module")
def signed_permit(president: Pkcs12Signer) -> bytes:
    pdf = render_permit(_permit()).pdf
    return sign_pdf(pdf, president, field_name="president", certify=True)


def test_rendered_and_signed_permit_round_trip(signed_permit: bytes, trust: TrustStore) -> None:
    rep = verify_pdf(signed_permit, trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    check = rep.permit
    assert check is not None
    assert check.attachment == "permit.json"
    assert check.permit == _permit()
    assert check.covered
    assert check.reference == "PC-2026-0001"
    assert check.visible_reference == "PC-2026-0001"
    assert check.reference_matches is True
    assert rep.signatures[0].certification == "form_filling"


def test_permit_swapped_after_signing(signed_permit: bytes, trust: TrustStore) -> None:
    """An incremental update replaces the attachment with a forged permit."""
    forged = _permit().model_copy(update={"beneficiary_name": "Someone Else"})
    w = IncrementalPdfFileWriter(io.BytesIO(signed_permit))
    names = w.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1]
    new = generic.StreamObject(
        {pdf_name("/Type"): pdf_name("/EmbeddedFile")},
        stream_data=forged.model_dump_json().encode(),
    )
    spec["/EF"][pdf_name("/F")] = w.add_object(new)
    w.update_container(spec)
    out = io.BytesIO()
    w.write(out)
    rep = verify_pdf(out.getvalue(), trust=trust)
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.permit is not None
    assert rep.permit.permit is not None
    # the permit view shows what was signed, and says the attachment was replaced
    assert rep.permit.permit.beneficiary_name == _permit().beneficiary_name
    assert rep.permit.permit.beneficiary_name != "Someone Else"
    assert not rep.permit.covered
    assert not rep.permit.signed
    assert any("replaced after the last signature" in p for p in rep.permit.problems)


def test_page_text_reads_the_rendered_permit(signed_permit: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(signed_permit))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    text = page_text(page)
    assert "PC-2026-0001" in "".join(text.split())
    assert isinstance(Permit, type)


@settings(max_examples=300)
@given(content=st.binary(max_size=400))
def test_page_text_never_raises_on_garbage(content: bytes) -> None:
    pdf = base_pdf()
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=content))
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    reader = PdfFileReader(io.BytesIO(out.getvalue()))
    result = page_text(reader.root["/Pages"]["/Kids"][0].get_object())
    assert isinstance(result, str)


@settings(max_examples=200)
@given(
    words=st.lists(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
        max_size=6,
    )
)
def test_page_text_recovers_literal_strings(words: list[str]) -> None:
    def lit(w: str) -> str:
        return "(" + w.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    body = " ".join(f"BT /F1 12 Tf {lit(w)} Tj ET" for w in words).encode("latin-1")
    pdf = base_pdf()
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=body))
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    reader = PdfFileReader(io.BytesIO(out.getvalue()))
    text = page_text(reader.root["/Pages"]["/Kids"][0].get_object())
    assert "".join("".join(words).split()) == "".join(text.split())
