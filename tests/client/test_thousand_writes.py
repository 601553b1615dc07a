"""1,000 writes under injected faults: none lost, none duplicated, for both clients."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from rokhas_sdk.client import AsyncRokhasClient, RokhasClient

from ._data import dossier
from ._platform import ServerThread, TestPlatform

FAULTS = ("drop_before", "drop_after", "500", "503", "429", "500_after", "slow")
N = 1000
# Reads time out fast (the "slow" fault); connects get room on a loaded 2-core machine.
TIMEOUT = httpx.Timeout(0.1, connect=5.0)


def _check(platform: TestPlatform, prefix: str, returned: dict[str, str]) -> None:
    refs = Counter(
        d.dossier.reference
        for d in platform.dossiers.values()
        if d.dossier.reference.startswith(prefix)
    )
    duplicates = {r: n for r, n in refs.items() if n > 1}
    lost = {f"{prefix}{i}" for i in range(N)} - set(refs)
    assert duplicates == {}, f"{len(duplicates)} duplicated writes"
    assert lost == set(), f"{len(lost)} lost writes"
    # Every call returned the dossier the platform holds for its reference.
    for ref, did in returned.items():
        assert platform.dossiers[did].dossier.reference == ref
    injected = sum(platform.faults_injected.values())
    assert injected >= N * 0.1, platform.faults_injected
    assert set(platform.faults_injected) == set(FAULTS)


def test_sync_client_1000_writes_under_faults() -> None:
    platform = TestPlatform()
    platform.slow_seconds = 0.25
    platform.randomise(0.15, FAULTS, seed=11)
    with (
        ServerThread(platform) as srv,
        RokhasClient(base_url=srv.url, token="bulk", timeout=TIMEOUT, max_retries=12) as base,
    ):
        client = base.with_options(backoff_initial=0.005, backoff_max=0.1)
        returned = {}
        for i in range(N):
            ref = f"S-{i}"
            returned[ref] = client.dossiers.create(dossier(ref)).id
        _check(platform, "S-", returned)


async def test_async_client_1000_writes_under_faults_concurrently() -> None:
    platform = TestPlatform()
    platform.slow_seconds = 0.25
    platform.randomise(0.15, FAULTS, seed=13)
    with ServerThread(platform) as srv:
        async with AsyncRokhasClient(
            base_url=srv.url, token="bulk", timeout=TIMEOUT, max_retries=12
        ) as base:
            client = base.with_options(backoff_initial=0.005, backoff_max=0.1)
            gate = asyncio.Semaphore(16)
            returned: dict[str, str] = {}

            async def write(i: int) -> None:
                ref = f"A-{i}"
                async with gate:
                    returned[ref] = (await client.dossiers.create(dossier(ref))).id

            await asyncio.gather(*(write(i) for i in range(N)))
        _check(platform, "A-", returned)
