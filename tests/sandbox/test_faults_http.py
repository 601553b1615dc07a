"""Fault injection over real HTTP, with the SDK's client retrying: nothing lost, nothing doubled."""

from __future__ import annotations

import httpx

from rokhas_sdk.client import RokhasClient
from rokhas_sdk.sandbox import FaultSettings, Sandbox
from rokhas_sdk.testing import SandboxServer, dossier_data


def test_writes_under_faults_are_neither_lost_nor_duplicated(
    sb: Sandbox, server: SandboxServer
) -> None:
    sb.faults.configure(
        FaultSettings(
            error_rate=0.15,
            error_statuses=(500, 503),
            drop_rate=0.15,
            drop_phase="after",
            burst_429_every=5,
            burst_429_length=2,
            retry_after_s=0,
            latency_ms=1,
            seed=42,
        )
    )
    n = 40
    with RokhasClient(
        base_url=server.url, token=sb.token_for("PETITIONNAIRE"), max_retries=10, timeout=10
    ) as client:
        ids = [
            client.dossiers.create(dossier_data("ECO_ACTIVITE_COURANTE", reference=f"FAULT-{i}")).id
            for i in range(n)
        ]
    injected = sb.faults.injected
    assert injected["drop"] > 0
    assert injected["error"] > 0
    assert injected["throttle"] > 0
    assert len(set(ids)) == n
    assert sb.store.count("dossier") == n  # dropped answers were replayed, not re-created
    sb.faults.reset()
    with httpx.Client(
        base_url=server.url, headers={"authorization": f"Bearer {sb.token_for('PETITIONNAIRE')}"}
    ) as c:
        refs = sorted(
            d["dossier"]["reference"]
            for d in c.get("/v1/dossiers", params={"limit": 200}).json()["items"]
        )
    assert refs == sorted(f"FAULT-{i}" for i in range(n))
