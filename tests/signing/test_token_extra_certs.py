"""A token that holds other people's certificates still signs.

pyHanko embeds every certificate it pulls from a token in the CMS object, not only the
signer's issuer chain; the space reserved for the signature must count them all, or
signing fails with "Final ByteRange payload larger than expected" (seen at random when
the token held one extra certificate, every time with several).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import SecretStr

from rokhas_sdk.signing import Pkcs11Signer, TrustStore, sign_pdf, verify_pdf
from rokhas_sdk.testing.pki import PKIService

from .conftest import Token


def test_signing_with_many_foreign_certificates_on_the_token(
    token: Token, pki_service: PKIService, plain_pdf: bytes
) -> None:
    pki = pki_service.pki
    for n, role in enumerate(("architect", "commission_member"), start=3):
        for key_type in ("rsa", "ecdsa"):
            token.hsm.import_identity(
                token.label,
                token.pin,
                pki.identity(role, key_type),
                label=f"{role}-{key_type}",
                key_id=bytes([n * 2 + (key_type == "ecdsa")]),
                with_chain=False,
            )
    with Pkcs11Signer.open(
        token.hsm.module, token.label, SecretStr(token.pin), key_label="sign-ec"
    ) as signer:
        # The signer's own chain stays the issuer chain...
        assert len(signer.chain) == 2
        # ...but every certificate on the token is embedded, and all of them are counted.
        assert len(signer.embedded_certificates) >= 7
        signed = [sign_pdf(plain_pdf, signer, visible=False) for _ in range(3)]
    trust = TrustStore([c.public_bytes(Encoding.DER) for c in pki.trust_roots])
    for pdf in signed:
        report = verify_pdf(pdf, trust=trust)
        assert report.document.indication.value == "TOTAL_PASSED", report.document.errors
