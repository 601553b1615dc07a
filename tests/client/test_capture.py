"""``capture_responses()``: the status and headers of successful answers, beside the
typed results, for both clients, against the test platform over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from rokhas_sdk.api import IDEMPOTENCY_HEADER
from rokhas_sdk.client import (
    AsyncRokhasClient,
    CapturedResponses,
    NotFoundError,
    RokhasClient,
    capture_responses,
)

from ._data import dossier
from ._platform import ServerThread, TestPlatform


async def test_a_write_after_retries_shows_its_request_id_key_and_attempts(
    api: Any, platform: TestPlatform
) -> None:
    platform.plan("503", "429", op="createDossier")
    with capture_responses() as seen:
        created = await api.dossiers.create(dossier(f"CAP-{id(api)}"))
    assert len(seen) == 1
    info = seen.last
    assert info.operation_id == "createDossier"
    assert info.method == "POST"
    assert info.status_code == 201
    assert info.attempts == 3  # two faults, then the answer
    assert info.request_id is not None
    assert info.request_id.startswith("req_")
    assert info.headers["x-request-id"] == info.request_id
    # The key the client sent on every attempt is the one the platform saw last.
    sent = [h for op, _m, _r, h in platform.log if op == "createDossier"][-1]
    assert info.idempotency_key == sent[IDEMPOTENCY_HEADER.lower()]
    assert info.url.endswith("/v1/dossiers")
    assert info.elapsed_s > 0
    assert created.id  # the typed result is unchanged


async def test_blocks_nest_and_failures_are_not_captured(api: Any, platform: TestPlatform) -> None:
    with capture_responses() as outer:
        await api.health()
        with capture_responses() as inner:
            await api.health()
            with pytest.raises(NotFoundError):
                await api.dossiers.get("dos_does_not_exist")
        await api.health()
    assert [r.operation_id for r in outer.responses] == ["getHealth"] * 3
    assert [r.operation_id for r in inner.responses] == ["getHealth"]
    assert inner.last is outer.responses[1]
    # Nothing is recorded outside a block, and an empty capture says so.
    await api.health()
    assert len(outer) == 3
    with capture_responses() as empty, pytest.raises(LookupError, match="no response"):
        _ = empty.last


def test_threads_do_not_see_each_other_s_answers(server: ServerThread) -> None:
    seen: dict[str, CapturedResponses] = {}

    def work(name: str, n: int) -> None:
        with RokhasClient(base_url=server.url, token="t0k3n") as c, capture_responses() as mine:
            for _ in range(n):
                c.health()
        seen[name] = mine

    threads = [threading.Thread(target=work, args=(f"t{n}", n)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {name: len(c) for name, c in seen.items()} == {"t1": 1, "t2": 2, "t3": 3}


def test_asyncio_tasks_do_not_see_each_other_s_answers(server: ServerThread) -> None:
    async def main() -> dict[int, int]:
        async with AsyncRokhasClient(base_url=server.url, token="t0k3n") as c:

            async def work(n: int) -> int:
                with capture_responses() as mine:
                    for _ in range(n):
                        await c.health()
                        await asyncio.sleep(0)  # let the other tasks interleave
                return len(mine)

            counts = await asyncio.gather(*(work(n) for n in (1, 2, 3)))
            return dict(zip((1, 2, 3), counts, strict=True))

    assert asyncio.run(main()) == {1: 1, 2: 2, 3: 3}
