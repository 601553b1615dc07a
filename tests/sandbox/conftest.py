"""Fixtures of the sandbox's own tests: an in-memory sandbox with a frozen clock,
in-process clients per role, and the same sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from rokhas_sdk.procedure import CASABLANCA as CASA  # from tzdata, never the host
from rokhas_sdk.sandbox import Sandbox, SandboxClock
from rokhas_sdk.testing import SandboxServer
from rokhas_sdk.testing._walk import PlatformWalker

START = datetime(2026, 3, 2, 9, 0, tzinfo=CASA)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox(clock=SandboxClock(START, frozen=True), deliver_webhooks=False)
    yield sandbox
    sandbox.close()


@pytest.fixture
def http_for(sb: Sandbox) -> Iterator[Callable[..., httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(role: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"authorization": f"Bearer {sb.token_for(role, **kw)}"} if role else {}
        c = httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=headers)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def walker(sb: Sandbox) -> Iterator[PlatformWalker]:
    def factory(token: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=headers)

    w = PlatformWalker(factory, sb.token_for)
    yield w
    w.close()


@pytest.fixture
def server(sb: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sb) as srv:
        yield srv


@pytest.fixture(scope="session")
def signing() -> tuple[Any, bytes]:
    """The test PKI's president signer and trust root (made once: key generation is slow)."""
    from rokhas_sdk.testing import sandbox_signing

    return sandbox_signing()


def signed_sandbox(signing: tuple[Any, bytes], **options: Any) -> Sandbox:
    """A sandbox that signs permits with the test PKI (frozen clock, no webhooks)."""
    signer, root = signing
    return Sandbox(
        clock=SandboxClock(datetime(2024, 6, 3, 9, 0, tzinfo=CASA), frozen=True),
        permit_signer=signer,
        trust_root_pem=root,
        deliver_webhooks=False,
        **options,
    )


@pytest.fixture
def signed_sb(signing: tuple[Any, bytes]) -> Iterator[Sandbox]:
    sandbox = signed_sandbox(signing)
    yield sandbox
    sandbox.close()


@pytest.fixture
def signed_server(signed_sb: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(signed_sb) as srv:
        yield srv


def trust_store(root_pem: bytes) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from rokhas_sdk.signing import TrustStore

    return TrustStore(
        [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(root_pem)]
    )
