"""A permit signer for the sandbox, from the throw-away test PKI (``testing.pki``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["sandbox_signing"]


def sandbox_signing(pki: Any = None) -> tuple[Callable[[bytes], bytes], bytes]:
    """``(signer, trust_root_pem)``: the president's PAdES B-B certification signature.

    ``pki`` is a :class:`rokhas_sdk.testing.pki.TestPKI` (a fresh one by default). The
    signer keeps one :class:`~rokhas_sdk.signing.SigningSession` (the parsed key is kept)
    and is safe to call from several threads. Pass both to
    ``Sandbox(permit_signer=..., trust_root_pem=...)``; verify the permits it signs with
    the returned root.
    """
    from cryptography.hazmat.primitives.serialization import Encoding
    from pydantic import SecretStr

    from ..signing import Pkcs12Signer, SigningSession
    from .pki import TestPKI

    pki = pki or TestPKI.create()
    president = pki.identity("president")
    passphrase = secrets.token_urlsafe(16)
    signer = Pkcs12Signer.from_bytes(president.pkcs12(passphrase), SecretStr(passphrase))
    session = SigningSession(signer, level="B-B", certify=True, trust_roots=pki.trust_roots)
    # pyHanko signs on an asyncio loop of its own; the sandbox may call from inside a
    # running loop (the ASGI server), so signing happens on one dedicated thread.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rokhas-sandbox-signer")

    def sign(pdf: bytes) -> bytes:
        # documents.render_permit leaves an empty "president" field for this signature.
        return pool.submit(session.sign, pdf, field_name="president").result()

    root_pem = b"".join(c.public_bytes(Encoding.PEM) for c in pki.trust_roots)
    return sign, root_pem
