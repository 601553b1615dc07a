"""Both clients against the reference server (``rokhas_sdk.sandbox``) on 127.0.0.1.

The loopback platform of ``_platform.py`` exercises every corner of the clients; this
suite checks that they speak the same contract as the real implementation, including
under the sandbox's own fault injection (errors, dropped connections before and after
the write, 429 bursts, latency beyond the timeout).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rokhas_sdk.api import DossierState, ErrorCode
from rokhas_sdk.client import (
    AsyncRokhasClient,
    NotFoundError,
    RokhasClient,
    UnprocessableEntityError,
)
from rokhas_sdk.sandbox import FaultSettings, Sandbox
from rokhas_sdk.testing import SandboxServer, dossier_data, piece_files

from .conftest import SyncAsAsync, collect

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
FAST = {"backoff_initial": 0.002, "backoff_max": 0.05}


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    sb = Sandbox(deliver_webhooks=False)
    server = SandboxServer(sb).start()
    try:
        yield server
    finally:
        server.stop()
        sb.close()


@pytest.fixture(params=["sync", "async"])
async def sandbox_api(request: pytest.FixtureRequest, sandbox_server: SandboxServer) -> Any:
    sb = sandbox_server.sandbox
    sb.faults.reset()
    token = sb.token_for("PETITIONNAIRE")
    if request.param == "sync":
        with RokhasClient(
            base_url=sandbox_server.url, token=token, timeout=5.0, max_retries=4
        ) as c:
            yield SyncAsAsync(c.with_options(**FAST))
    else:
        async with AsyncRokhasClient(
            base_url=sandbox_server.url, token=token, timeout=5.0, max_retries=4
        ) as ac:
            yield ac.with_options(**FAST)
    sb.faults.reset()


async def test_draft_pieces_listing_and_errors(
    sandbox_api: Any, sandbox_server: SandboxServer
) -> None:
    api = sandbox_api
    created = await api.dossiers.create(dossier_data(KIND, reference=f"SBX-{id(api)}"))
    assert created.state is DossierState.DRAFT
    assert created.missing  # the sandbox says what submission still needs
    uploaded = []
    for piece_type, name, data in piece_files(KIND, salt=str(id(api)))[:3]:
        res = await api.pieces.upload(created.id, data, type=piece_type, file_name=name)
        assert res.piece.size == len(data)
        assert await api.pieces.read(created.id, res.id) == data
        uploaded.append(res.id)
    listed = await collect(api.pieces.list(created.id, limit=2))
    assert [p.id for p in listed] == uploaded
    mine = await collect(api.dossiers.list(limit=1))
    assert created.id in [d.id for d in mine]
    with pytest.raises(NotFoundError) as nf:
        await api.dossiers.get("dos_does_not_exist")
    assert nf.value.request_id
    assert nf.value.code == ErrorCode.NOT_FOUND.value
    with pytest.raises(UnprocessableEntityError) as refused:
        await api.dossiers.submit(created.id)  # plans unsigned, pieces missing
    assert refused.value.code in {
        ErrorCode.DOSSIER_INCOMPLETE.value,
        ErrorCode.TRANSITION_NOT_ALLOWED.value,
    }
    assert refused.value.message_ar


async def test_idempotent_replay_and_key_reuse(sandbox_api: Any) -> None:
    keyed = sandbox_api.with_options(idempotency_key=f"sbx-key-{id(sandbox_api)}")
    body = dossier_data(KIND, reference=f"IDK-{id(sandbox_api)}")
    first = await keyed.dossiers.create(body)
    again = await keyed.dossiers.create(body)
    assert again.id == first.id
    with pytest.raises(UnprocessableEntityError) as info:
        await keyed.dossiers.create(dossier_data(KIND, reference="IDK-other"))
    assert info.value.code == ErrorCode.IDEMPOTENCY_KEY_REUSED.value


N_WRITES = 100


@pytest.mark.parametrize("client_kind", ["sync", "async"])
def test_writes_under_sandbox_faults_are_neither_lost_nor_doubled(
    sandbox_server: SandboxServer, client_kind: str
) -> None:
    sb = sandbox_server.sandbox
    token = sb.token_for("PETITIONNAIRE", index=1)
    prefix = f"FLT-{client_kind}-"
    timeout = httpx.Timeout(0.12, connect=5.0)
    sb.faults.configure(
        FaultSettings(
            error_rate=0.1,
            drop_rate=0.1,
            drop_phase="after",
            burst_429_every=25,
            burst_429_length=2,
            retry_after_s=0,
            latency_jitter_ms=150,
            seed=5,
        )
    )
    returned: dict[str, str] = {}
    try:
        if client_kind == "sync":
            with RokhasClient(
                base_url=sandbox_server.url, token=token, timeout=timeout, max_retries=12
            ) as base:
                c = base.with_options(**FAST)
                for i in range(N_WRITES):
                    returned[f"{prefix}{i}"] = c.dossiers.create(
                        dossier_data(KIND, reference=f"{prefix}{i}")
                    ).id
        else:

            async def run() -> None:
                async with AsyncRokhasClient(
                    base_url=sandbox_server.url, token=token, timeout=timeout, max_retries=12
                ) as base:
                    c = base.with_options(**FAST)
                    gate = asyncio.Semaphore(8)

                    async def one(i: int) -> None:
                        async with gate:
                            returned[f"{prefix}{i}"] = (
                                await c.dossiers.create(
                                    dossier_data(KIND, reference=f"{prefix}{i}")
                                )
                            ).id

                    await asyncio.gather(*(one(i) for i in range(N_WRITES)))

            asyncio.run(run())
    finally:
        sb.faults.reset()
    with RokhasClient(base_url=sandbox_server.url, token=token) as reader:
        held = [
            d for d in reader.dossiers.list(limit=200) if d.dossier.reference.startswith(prefix)
        ]
    counts = Counter(d.dossier.reference for d in held)
    assert {r: n for r, n in counts.items() if n > 1} == {}, "duplicated writes"
    assert set(returned) - set(counts) == set(), "lost writes"
    assert {d.id for d in held} == set(returned.values())
