"""The loopback service of the test PKI: OCSP, CRLs, CA certificates and RFC 3161 timestamps.

A ``ThreadingHTTPServer`` on 127.0.0.1 in a daemon thread: stdlib only, so that tests of
long-term signatures need no network and no extra dependency. It binds its port when
constructed, so the PKI it creates can write that port into its certificates.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from cryptography.hazmat.primitives import serialization

from .._errors import ConfigurationError, InvalidInputError

if TYPE_CHECKING:
    from .pki import TestPKI

_MAX_BODY = 1 << 20  # OCSP and timestamp requests are a few hundred bytes


class PKIServer:
    """Serve a :class:`~rokhas_sdk.testing.pki.TestPKI` on ``http://127.0.0.1:<port>``.

    Endpoints: ``POST /ocsp`` (RFC 6960), ``POST /tsa`` (RFC 3161),
    ``GET /crl/intermediate.crl`` and ``/crl/root.crl``, ``GET /certs/<name>.crt``.
    ``hits`` counts requests per endpoint (``"ocsp"``, ``"tsa"``, ``"crl"``, ``"certs"``),
    so a test can check that a batch reuses its timestamps and revocation data.

    Use it as a context manager (start on enter, stop on exit) or call
    :meth:`start` / :meth:`stop`. Without ``pki``, ``make_pki`` is called with this
    service's URL to create one whose certificates point at it (``pki.PKIService`` does,
    so that this module never imports the PKI that imports it).
    """

    def __init__(
        self,
        pki: TestPKI | None = None,
        *,
        port: int = 0,
        make_pki: Callable[[str], TestPKI] | None = None,
    ) -> None:
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port: int = int(self._httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        if pki is None:
            if make_pki is None:
                self._httpd.server_close()
                raise InvalidInputError(
                    "PKIServer needs a pki or a make_pki factory; use testing.pki.PKIService"
                )
            pki = make_pki(self.url)
        self.pki: TestPKI = pki
        self._thread: threading.Thread | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"PKIService({self.url!r}, {state})"

    @property
    def tsa_url(self) -> str:
        """The RFC 3161 endpoint, for ``HTTPTimeStamper`` or ``sign_pdf(tsa_url=...)``."""
        return f"{self.url}/tsa"

    @property
    def ocsp_url(self) -> str:
        """The OCSP endpoint written in the signer certificates' AIA."""
        return f"{self.url}/ocsp"

    def crl_url(self, issuer: str = "intermediate") -> str:
        """The CRL distribution point of ``issuer`` (``intermediate`` or ``root``)."""
        return f"{self.url}/crl/{issuer}.crl"

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Start serving in a daemon thread (idempotent)."""
        if self._closed:
            raise ConfigurationError("this PKIService was stopped; create a new one")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"rokhas-test-pki-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _count(self, endpoint: str) -> None:
        with self._lock:
            self.hits[endpoint] += 1


def _handler_for(service: PKIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "rokhas-test-pki"

        def log_message(self, format: str, *args: Any) -> None:
            # Quiet: a test run is not the place for access logs.
            return

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes | None:
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                return None
            if length <= 0 or length > _MAX_BODY:
                return None
            return self.rfile.read(length)

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            body = self._body()
            if body is None:
                self._send(400, "text/plain", b"missing or oversized body")
                return
            pki = service.pki
            if path == "/ocsp":
                service._count("ocsp")
                self._send(200, "application/ocsp-response", pki.ocsp_response(body))
            elif path == "/tsa":
                service._count("tsa")
                self._send(200, "application/timestamp-reply", pki.timestamp_response(body))
            else:
                self._send(404, "text/plain", b"not found")

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            pki = service.pki
            if path in ("/crl/intermediate.crl", "/crl/root.crl"):
                service._count("crl")
                which = "intermediate" if "intermediate" in path else "root"
                self._send(200, "application/pkix-crl", pki.crl(which))  # type: ignore[arg-type]
                return
            certs = {
                "/certs/root.crt": pki.root.certificate,
                "/certs/intermediate.crt": pki.intermediate.certificate,
                "/certs/tsa.crt": pki.tsa.certificate,
                "/certs/ocsp.crt": pki.ocsp_responder.certificate,
            }
            cert = certs.get(path)
            if cert is not None:
                service._count("certs")
                self._send(
                    200,
                    "application/pkix-cert",
                    cert.public_bytes(serialization.Encoding.DER),
                )
                return
            self._send(404, "text/plain", b"not found")

    return Handler
