"""The loopback PKI service answers bad requests with HTTP errors, serves its CA
certificates, and refuses to restart once stopped; plus two signing error messages."""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest
from cryptography import x509

from rokhas_sdk import ConfigurationError
from rokhas_sdk.signing import PinLockedError, TokenError
from rokhas_sdk.testing.pki import PKIService, TestPKI


@pytest.fixture(scope="module")
def service() -> Iterator[PKIService]:
    """A service over a given (offline-created) PKI, own port."""
    with PKIService(TestPKI.create(key_type="ecdsa")) as svc:
        yield svc


def _request(
    svc: PKIService, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Length": "0"}, None),
        ({"Content-Length": "lots"}, None),
        ({"Content-Length": str(10 << 20)}, None),
    ],
)
def test_post_without_a_usable_body_is_400(
    service: PKIService, headers: dict[str, str], body: bytes | None
) -> None:
    before = dict(service.hits)
    status, text = _request(service, "POST", "/ocsp", body, **headers)
    assert status == 400
    assert text == b"missing or oversized body"
    assert dict(service.hits) == before  # not counted as an OCSP request


def test_unknown_endpoints_are_404(service: PKIService) -> None:
    assert _request(service, "POST", "/nothing", b"x") == (404, b"not found")
    assert _request(service, "GET", "/certs/evil.crt") == (404, b"not found")


@pytest.mark.parametrize("name", ["root", "intermediate", "tsa", "ocsp"])
def test_ca_certificates_are_served_as_der(service: PKIService, name: str) -> None:
    count = service.hits["certs"]
    status, der = _request(service, "GET", f"/certs/{name}.crt")
    assert status == 200
    cert = x509.load_der_x509_certificate(der)
    expected = {
        "root": service.pki.root,
        "intermediate": service.pki.intermediate,
        "tsa": service.pki.tsa,
        "ocsp": service.pki.ocsp_responder,
    }[name].certificate
    assert cert == expected
    assert service.hits["certs"] == count + 1


def test_a_stopped_service_cannot_restart() -> None:
    svc = PKIService(TestPKI.create(key_type="ecdsa"))
    assert "stopped" in repr(svc)
    svc.start()
    assert "running" in repr(svc)
    svc.stop()
    svc.stop()  # idempotent
    with pytest.raises(ConfigurationError, match="create a new one"):
        svc.start()


def test_pin_locked_error_says_how_to_unlock() -> None:
    err = PinLockedError("PRESIDENT")
    assert isinstance(err, TokenError)
    assert err.token == "PRESIDENT"
    assert err.code == "pin_locked"
    assert "token 'PRESIDENT' is locked" in str(err)
    assert "SO PIN / PUK" in str(err)


def test_missing_extra_names_the_signing_extra() -> None:
    from rokhas_sdk.signing._errors import _missing_extra

    err = _missing_extra("pyhanko", "signing")
    assert isinstance(err, ConfigurationError)
    assert "pip install 'rokhas-sdk[signing]'" in str(err)
