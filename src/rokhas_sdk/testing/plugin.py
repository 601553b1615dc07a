"""The pytest plugin of rokhas-sdk (registered through the ``pytest11`` entry point).

Installed with the package, it loads in every pytest run, so it imports nothing but
pytest at load time; each fixture imports what it needs when a test asks for it.

Fixtures (all prefixed ``rokhas_`` so they never shadow a project's own):

- ``rokhas_sandbox``: a fresh in-memory :class:`~rokhas_sdk.sandbox.Sandbox` per test,
  clock frozen at 2026-03-02 09:00 (Casablanca), permits signed by the test PKI;
- ``rokhas_client`` / ``rokhas_async_client``: ``RokhasClient`` / ``AsyncRokhasClient``
  talking to it in-process (no sockets), as a pétitionnaire of Casablanca;
- ``rokhas_client_for``: ``rokhas_client_for("GUICHET_AGENT")``, any seeded role;
- ``rokhas_clock``: the sandbox's clock; ``rokhas_clock.advance(days=61)`` also applies
  what the law does on its own (tacit approvals);
- ``rokhas_server``: the same sandbox over real HTTP on 127.0.0.1 (``.url``);
- ``rokhas_pki``: the throw-away test PKI (session); ``rokhas_trust_root_pem`` and
  ``rokhas_trust_store`` (its root, as PEM and as a ``signing.TrustStore``);
- ``rokhas_dossier``: the dossier factory
  (``rokhas_dossier("URB_PERMIS_CONSTRUIRE_PETIT_PROJET")``);
- ``rokhas_walker``: walks a dossier through its procedure (``.walk(kind, until=...)``);
- ``rokhas_signed_permit_pdf``: bytes of a signed permit PDF (session).

The ``rokhas_sandbox`` marker tunes the sandbox of one test:
``@pytest.mark.rokhas_sandbox(start="2024-06-03T09:00:00+01:00", seed="mine",
faults={"error_rate": 0.2})``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

__all__: list[str] = []

DEFAULT_START = "2026-03-02T09:00:00+01:00"


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "rokhas_sandbox(start=ISO, seed=str, faults=dict, frozen=bool): settings of the "
        "rokhas_sandbox fixture",
    )


@pytest.fixture(scope="session")
def rokhas_pki() -> Any:
    """A throw-away test PKI (root, CA, president/architect/commission signers)."""
    from .pki import TestPKI

    return TestPKI.create()


@pytest.fixture(scope="session")
def _rokhas_signing(rokhas_pki: Any) -> tuple[Callable[[bytes], bytes], bytes]:
    from ._signing import sandbox_signing

    return sandbox_signing(rokhas_pki)


@pytest.fixture(scope="session")
def rokhas_trust_root_pem(_rokhas_signing: tuple[Callable[[bytes], bytes], bytes]) -> bytes:
    """The PEM of the test PKI's root: verify the sandbox's permits against it."""
    return _rokhas_signing[1]


@pytest.fixture(scope="session")
def rokhas_trust_store(rokhas_trust_root_pem: bytes) -> Any:
    """A ``signing.TrustStore`` of the test root: ``verify_pdf(pdf, trust=rokhas_trust_store)``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from ..signing import TrustStore

    roots = x509.load_pem_x509_certificates(rokhas_trust_root_pem)
    return TrustStore([c.public_bytes(Encoding.DER) for c in roots])


@pytest.fixture
def rokhas_sandbox(
    request: pytest.FixtureRequest, _rokhas_signing: tuple[Callable[[bytes], bytes], bytes]
) -> Iterator[Any]:
    """A fresh sandbox platform for one test (in memory, frozen clock, signing permits)."""
    from datetime import datetime

    from ..sandbox import FaultSettings, Sandbox, SandboxClock

    marker = request.node.get_closest_marker("rokhas_sandbox")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    start = datetime.fromisoformat(str(options.get("start", DEFAULT_START)))
    faults = options.get("faults")
    signer, root = _rokhas_signing
    sandbox = Sandbox(
        clock=SandboxClock(start, frozen=bool(options.get("frozen", True))),
        faults=FaultSettings.model_validate(faults) if faults else None,
        seed=str(options.get("seed", "rokhas-sandbox")),
        permit_signer=signer,
        trust_root_pem=root,
    )
    yield sandbox
    sandbox.close()


class ClockControl:
    """The sandbox's clock, as tests move it."""

    def __init__(self, sandbox: Any) -> None:
        self._sandbox = sandbox

    def now(self) -> Any:
        """The sandbox's current instant."""
        return self._sandbox.clock.now()

    def advance(self, *args: Any, **kwargs: Any) -> Any:
        """Move forward (``days=``, ``hours=``... or a timedelta) and apply tacit approvals."""
        return self._sandbox.advance(*args, **kwargs)


@pytest.fixture
def rokhas_clock(rokhas_sandbox: Any) -> ClockControl:
    """Read and advance the sandbox's clock."""
    return ClockControl(rokhas_sandbox)


@pytest.fixture
def rokhas_client_for(rokhas_sandbox: Any) -> Iterator[Callable[..., Any]]:
    """``rokhas_client_for(role, commune=None, body=None, index=0)``: a RokhasClient, in-process."""
    from ..client import RokhasClient

    made: list[Any] = []

    def make(
        role: str = "PETITIONNAIRE",
        *,
        commune: str | None = None,
        body: str | None = None,
        index: int = 0,
    ) -> Any:
        token = (
            rokhas_sandbox.admin_token
            if role == "SANDBOX_ADMIN"
            else rokhas_sandbox.token_for(role, commune=commune, body=body, index=index)
        )
        client = RokhasClient(
            base_url=rokhas_sandbox.base_url, token=token, transport=rokhas_sandbox.transport()
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def rokhas_client(rokhas_client_for: Callable[..., Any]) -> Any:
    """A RokhasClient of a seeded pétitionnaire (Casablanca), in-process."""
    return rokhas_client_for("PETITIONNAIRE")


@pytest.fixture
def rokhas_async_client(rokhas_sandbox: Any) -> Iterator[Any]:
    """An AsyncRokhasClient of a seeded pétitionnaire (Casablanca), in-process.

    For ``async def`` tests, which need an async test runner: pytest-asyncio (installed
    by the ``testing`` extra; mark the test ``@pytest.mark.asyncio``) or anyio's plugin.
    """
    import asyncio

    from ..client import AsyncRokhasClient

    client = AsyncRokhasClient(
        base_url=rokhas_sandbox.base_url,
        token=rokhas_sandbox.token_for("PETITIONNAIRE"),
        transport=rokhas_sandbox.async_transport(),
    )
    yield client
    asyncio.run(client.close())


@pytest.fixture
def rokhas_server(rokhas_sandbox: Any) -> Iterator[Any]:
    """The test's sandbox served over HTTP on 127.0.0.1 (``rokhas_server.url``)."""
    from ._server import SandboxServer

    with SandboxServer(rokhas_sandbox) as server:
        yield server


@pytest.fixture
def rokhas_dossier() -> Callable[..., dict[str, Any]]:
    """The dossier factory: ``rokhas_dossier(kind, commune=..., **overrides)`` -> a create body."""
    from ._factories import dossier_data

    return dossier_data


@pytest.fixture
def rokhas_walker(rokhas_sandbox: Any) -> Iterator[Any]:
    """Walks dossiers through their procedure in the sandbox (``.walk(kind, until=STATE)``)."""
    import httpx

    from ._walk import PlatformWalker

    def factory(token: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            transport=rokhas_sandbox.transport(), base_url=rokhas_sandbox.base_url, headers=headers
        )

    walker = PlatformWalker(factory, rokhas_sandbox.token_for)
    yield walker
    walker.close()


@pytest.fixture(scope="session")
def rokhas_signed_permit_pdf(_rokhas_signing: tuple[Callable[[bytes], bytes], bytes]) -> bytes:
    """A permit rendered and signed by the test PKI's president (PAdES B-B, certified)."""
    from ..models import Permit
    from ..sandbox import render_permit_pdf

    permit = Permit.model_validate(
        {
            "number": "P-06.141.01.0-2026-000042",
            "dossier_reference": "TEST-PC-000042",
            "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
            "commune": "06.141.01.0",
            "commune_name_fr": "Casablanca",
            "commune_name_ar": "الدار البيضاء",
            "beneficiary_name": "Salma Bennani",
            "beneficiary_id": "BE123456",
            "object_fr": "Construction d'une maison individuelle R+1",
            "object_ar": "بناء منزل فردي",
            "address": "12 rue des Orangers, Casablanca",
            "issued_on": "2026-03-02",
            "signatory": {
                "name": "Karim Bennani",
                "title_fr": "Président du conseil communal",
                "title_ar": "رئيس المجلس الجماعي",
            },
        }
    )
    signer, _ = _rokhas_signing
    return signer(render_permit_pdf(permit))
