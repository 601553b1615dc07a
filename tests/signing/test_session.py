"""SigningSession edges: trust problems, event loops, options, token PIN policy of the token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from rokhas_sdk import InvalidInputError, RokhasError
from rokhas_sdk.signing import (
    PinPolicyError,
    Pkcs12Signer,
    RevocationCheckError,
    SignatureSlot,
    SigningError,
    SigningSession,
    StampOptions,
    change_token_pin,
    sign_pdf,
)
from rokhas_sdk.testing.pki import PKIService, TestPKI

from ._pdfsig import pdfsig
from .conftest import Token


def test_lt_with_a_foreign_trust_root_is_a_revocation_check_error(
    pki_service: PKIService,
    p12_signers: dict[tuple[str, str], Pkcs12Signer],
    plain_pdf: bytes,
) -> None:
    stranger = TestPKI.create(key_type="ecdsa")
    with pytest.raises(RevocationCheckError, match=r"could not be validated|trusted root"):
        sign_pdf(
            plain_pdf,
            p12_signers[("president", "rsa")],
            level="B-LT",
            tsa_url=pki_service.tsa_url,
            trust_roots=[stranger.root.certificate],
        )


def test_async_sign_inside_a_loop_and_sync_sign_refused_there(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes, tmp_path: Path
) -> None:
    session = SigningSession(p12_signers[("architect", "ecdsa")], visible=False)

    async def inside() -> bytes:
        with pytest.raises(SigningError, match="async_sign"):
            session.sign(plain_pdf)
        return await session.async_sign(plain_pdf)

    signed = asyncio.run(inside())
    assert pdfsig(signed, tmp=tmp_path)[0].valid


def test_closed_session_and_bad_options(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes
) -> None:
    signer = p12_signers[("architect", "rsa")]
    session = SigningSession(signer, visible=False)
    session.close()
    with pytest.raises(SigningError, match="closed"):
        session.sign(plain_pdf)
    assert "architect" not in repr(session).lower() or "SigningSession" in repr(session)
    with pytest.raises(InvalidInputError, match="DocMDP"):
        SigningSession(signer, docmdp="everything")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="one reference per PDF"):
        SigningSession(signer, visible=False).sign_many([plain_pdf], references=["a", "b"])
    with pytest.raises(InvalidInputError, match="page 7 does not exist"):
        sign_pdf(plain_pdf, signer, stamp=StampOptions(page=7))


def test_stamp_box_slots_and_bytearray_input(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes, tmp_path: Path
) -> None:
    signed = sign_pdf(
        bytearray(plain_pdf),
        p12_signers[("president", "ecdsa")],
        certify=True,
        docmdp="no_changes",
        stamp=StampOptions(box=(300, 40, 541, 131), page=0, title_fr="Président"),
        slots=[SignatureSlot("spare", box=(36, 40, 277, 131), page=1)],
    )
    report = pdfsig(signed, tmp=tmp_path)
    assert report[0].valid
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    names = [n for n, _, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(signed)))]
    assert "spare" in names


def test_token_refuses_a_pin_longer_than_it_accepts(token: Token) -> None:
    # our policy allows it (max_length raised), SoftHSM2 does not: still a PinPolicyError
    with pytest.raises(PinPolicyError, match="refused the new PIN"):
        change_token_pin(token.hsm.module, token.label, token.pin, "Ab1" * 100, max_length=1000)
    with pytest.raises(RokhasError):
        change_token_pin(token.hsm.module, token.label, token.pin, "Ab1-ok-pin", min_length=20)
