"""sign_pdf paths the main tests do not take: revocation services that are down, input
given as a directory or a file object, field-name collisions, signing from async code on a
token."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from rokhas_sdk import InvalidInputError
from rokhas_sdk.signing import (
    Pkcs11Signer,
    Pkcs12Signer,
    RevocationCheckError,
    SigningError,
    sign_pdf,
)
from rokhas_sdk.testing.pki import PKIService

from .conftest import Token


@pytest.fixture(scope="module")
def dead_pki() -> PKIService:
    """A PKI whose OCSP responder and CRL server have been shut down."""
    service = PKIService(key_type="ecdsa")
    service.start()
    service.stop()
    return service


def _fields(pdf: bytes) -> dict[str, bool]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    return {str(n): v is not None for n, v, _ in enumerate_sig_fields(reader, filled_status=None)}


@pytest.mark.parametrize("check", [True, False])
def test_revocation_service_down_at_b_lt_is_a_revocation_error(
    dead_pki: PKIService, pki_service: PKIService, plain_pdf: bytes, check: bool
) -> None:
    who = dead_pki.pki.identity("president", "ecdsa")
    signer = Pkcs12Signer(who.key, who.certificate, who.chain)
    roots = [*dead_pki.pki.trust_roots, *pki_service.pki.trust_roots]
    # checked up front (check=True) or while pyHanko embeds the revocation data (False):
    # either way a typed error that says what to check, never a pyHanko traceback
    with pytest.raises(RevocationCheckError) as info:
        sign_pdf(
            plain_pdf,
            signer,
            level="B-LT",
            tsa_url=pki_service.tsa_url,
            trust_roots=roots,
            check_revocation=check,
            visible=False,
        )
    message = str(info.value)
    assert message.startswith(
        "the revocation status of Karim BENNANI's certificate could not be obtained"
    )
    assert "check the network access to the OCSP responder / CRL" in message
    assert message.endswith("or sign at level B-B/B-T")


def test_the_same_signer_still_signs_at_b_t_without_revocation_data(
    dead_pki: PKIService, pki_service: PKIService, plain_pdf: bytes
) -> None:
    who = dead_pki.pki.identity("president", "ecdsa")
    signer = Pkcs12Signer(who.key, who.certificate, who.chain)
    signed = sign_pdf(plain_pdf, signer, level="B-T", tsa_url=pki_service.tsa_url, visible=False)
    assert list(_fields(signed).values()) == [True]


def test_a_directory_is_not_a_pdf(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match="is a directory: give the PDF file to sign"):
        sign_pdf(tmp_path, p12_signers[("president", "ecdsa")], visible=False)


def test_path_string_and_file_object_inputs_sign_the_same_document(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], tmp_path: Path, plain_pdf: bytes
) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(plain_pdf)
    signer = p12_signers[("president", "ecdsa")]
    out = tmp_path / "out.pdf"
    from_str = sign_pdf(str(src), signer, visible=False, output=out)
    assert out.read_bytes() == from_str
    from_file = sign_pdf(io.BytesIO(plain_pdf), signer, visible=False)
    for signed in (from_str, from_file):
        assert signed.startswith(plain_pdf)  # an incremental update of the same bytes
        assert _fields(signed) == {"Signature1": True}


def test_new_field_name_skips_a_name_already_taken(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(plain_pdf))
    for name in ("Signature3", "Witness"):
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=name))
    buf = io.BytesIO()
    writer.write(buf)  # type: ignore[no-untyped-call]
    # two empty fields: sign_pdf cannot guess which, so it adds a field, and the first
    # free name after the two existing ones is Signature4 (Signature3 is taken)
    signed = sign_pdf(buf.getvalue(), p12_signers[("president", "ecdsa")], visible=False)
    assert _fields(signed) == {"Signature3": False, "Witness": False, "Signature4": True}


async def test_token_signer_opened_inside_an_event_loop(token: Token, plain_pdf: bytes) -> None:
    # opening from async code loads the token's objects without a nested event loop
    with Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign-ec") as s:
        assert s.name == "Karim BENNANI"
        assert s.key_type == "ecdsa"
        with pytest.raises(SigningError, match="async"):
            sign_pdf(plain_pdf, s, visible=False)
