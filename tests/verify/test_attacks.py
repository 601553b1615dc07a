"""Every attack class of the domain brief §4 is caught: nothing attacked is TOTAL_PASSED."""

from __future__ import annotations

from typing import Any

import pytest
from pyhanko.sign import fields

from rokhas_sdk.signing import Indication, Pkcs12Signer, TrustStore, sign_pdf, verify_pdf
from rokhas_sdk.testing.pki import TestPKI

from .verify_corpus import ATTACKS, HONEST, Signing

_DOCMDP = {
    fields.MDPPerm.NO_CHANGES: "no_changes",
    fields.MDPPerm.FILL_FORMS: "form_filling",
    fields.MDPPerm.ANNOTATE: "annotate",
}


class OurSigning(Signing):
    """The corpus signed with our own sign_pdf (visible bilingual stamp), except where
    the attack needs the attacker's tool (signing against a certification's will)."""

    def __init__(self, raw: Signing, ours: Pkcs12Signer) -> None:
        super().__init__(raw.signer)
        self.ours = ours

    def sign(self, pdf: bytes, field: str = "Signature1", **kw: Any) -> bytes:
        if kw.get("ignore_docmdp") or kw.get("box"):
            return super().sign(pdf, field, **kw)
        return sign_pdf(
            pdf,
            self.ours,
            field_name=field,
            certify=bool(kw.get("certify")),
            docmdp=_DOCMDP[kw.get("docmdp", fields.MDPPerm.FILL_FORMS)],  # type: ignore[arg-type]
            # a later signer adds an invisible field: a new *visible* field after a
            # certification is the sneaky-signature pattern (signing uses slots for it)
            visible=b"/ByteRange" not in pdf,
        )


@pytest.fixture(scope="module")
def our_signing(signing: Signing, pki: TestPKI) -> OurSigning:
    p12 = pki.identity("president", "ecdsa").pkcs12("pw-canary")
    return OurSigning(signing, Pkcs12Signer.from_bytes(p12, "pw-canary"))


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacked_file_is_never_total_passed(
    name: str, signing: Signing, trust: TrustStore
) -> None:
    data = ATTACKS[name](signing)
    report = verify_pdf(data, trust=trust)
    assert report.document.indication is not Indication.TOTAL_PASSED, report.model_dump_json(
        indent=1
    )
    assert not report.passed
    assert report.document.errors, "a rejected file must say why"


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_file_passes(name: str, signing: Signing, trust: TrustStore) -> None:
    report = verify_pdf(HONEST[name](signing), trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.model_dump_json(indent=1)
    assert all(s.indication is Indication.TOTAL_PASSED for s in report.signatures)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacks_on_files_signed_by_our_sign_pdf(
    name: str, our_signing: OurSigning, trust: TrustStore
) -> None:
    report = verify_pdf(ATTACKS[name](our_signing), trust=trust)
    assert report.document.indication is not Indication.TOTAL_PASSED, report.document.errors
    assert report.document.errors


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_files_signed_by_our_sign_pdf(
    name: str, our_signing: OurSigning, trust: TrustStore
) -> None:
    report = verify_pdf(HONEST[name](our_signing), trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.document.errors
