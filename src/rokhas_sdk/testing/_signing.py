"""A permit signer for the sandbox, from the throw-away test PKI (``testing.pki``)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import SecretStr

__all__ = ["PresidentSigner", "sandbox_signing"]


class PresidentSigner:
    """The president's PAdES B-B certification signature, as a ``bytes -> bytes`` callable.

    It holds the key as a PKCS#12 file and its passphrase (a ``SecretStr``) and builds its
    :class:`~rokhas_sdk.signing.SigningSession` on first use. It can be pickled (the key
    material, never the session) so that ``rokhas sandbox serve`` can hand it to the
    worker processes that sign permits off the server's event loop.
    """

    def __init__(self, pkcs12: bytes, passphrase: SecretStr, trust_roots_der: tuple[bytes, ...]):
        self._pkcs12 = pkcs12
        self._passphrase = passphrase
        self._roots_der = trust_roots_der
        self._session: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._init_lock = threading.Lock()

    def __repr__(self) -> str:
        size = len(self._pkcs12)
        return f"PresidentSigner(pkcs12=<{size} bytes>, passphrase={self._passphrase!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"pkcs12": self._pkcs12, "passphrase": self._passphrase, "roots": self._roots_der}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["pkcs12"], state["passphrase"], state["roots"])  # type: ignore[misc]

    def _ready(self) -> tuple[Any, ThreadPoolExecutor]:
        with self._init_lock:
            if self._session is None:
                from cryptography import x509

                from ..signing import Pkcs12Signer, SigningSession

                signer = Pkcs12Signer.from_bytes(self._pkcs12, self._passphrase)
                roots = [x509.load_der_x509_certificate(der) for der in self._roots_der]
                self._session = SigningSession(signer, level="B-B", certify=True, trust_roots=roots)
                # pyHanko signs on an asyncio loop of its own; the sandbox may call from
                # inside a running loop (the ASGI server), so signing happens on one
                # dedicated thread.
                self._pool = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="rokhas-sandbox-signer"
                )
            assert self._pool is not None
            return self._session, self._pool

    def __call__(self, pdf: bytes) -> bytes:
        session, pool = self._ready()
        # documents.render_permit leaves an empty "president" field for this signature.
        signed: bytes = pool.submit(session.sign, pdf, field_name="president").result()
        return signed


def sandbox_signing(pki: Any = None) -> tuple[Callable[[bytes], bytes], bytes]:
    """``(signer, trust_root_pem)``: the president's PAdES B-B certification signature.

    ``pki`` is a :class:`rokhas_sdk.testing.pki.TestPKI` (a fresh one by default). The
    signer (a :class:`PresidentSigner`) keeps one
    :class:`~rokhas_sdk.signing.SigningSession` (the parsed key is kept), is safe to call
    from several threads and can be pickled to a worker process. Pass both to
    ``Sandbox(permit_signer=..., trust_root_pem=...)``; verify the permits it signs with
    the returned root.
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from .pki import TestPKI

    pki = pki or TestPKI.create()
    president = pki.identity("president")
    passphrase = secrets.token_urlsafe(16)
    signer = PresidentSigner(
        president.pkcs12(passphrase),
        SecretStr(passphrase),
        tuple(c.public_bytes(Encoding.DER) for c in pki.trust_roots),
    )
    root_pem = b"".join(c.public_bytes(Encoding.PEM) for c in pki.trust_roots)
    return signer, root_pem
