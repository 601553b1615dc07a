"""Fixtures: a real HTTP platform on 127.0.0.1 and both clients pointed at it."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from rokhas_sdk.client import AsyncRokhasClient, RokhasClient, SyncPager

from ._platform import ServerThread, TestPlatform

FAST = {"backoff_initial": 0.001, "backoff_max": 0.01}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(TestPlatform()) as srv:
        yield srv


@pytest.fixture
def platform(server: ServerThread) -> TestPlatform:
    """The platform's state, with the fault plan cleared before each test."""
    app = server.app
    app.plans.clear()
    app.random_rate = 0.0
    app.slow_seconds = 0.5
    app.retry_after = "0"
    app.faults_injected.clear()
    return app


class SyncAsAsync:
    """Drive a RokhasClient with ``await`` so that one test body serves both clients."""

    def __init__(self, client: RokhasClient) -> None:
        self._client = client

    def with_options(self, **changes: Any) -> SyncAsAsync:
        return SyncAsAsync(self._client.with_options(**changes))

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if callable(attr):

            async def call(*args: Any, **kwargs: Any) -> Any:
                return attr(*args, **kwargs)

            return call
        return _Resource(attr)


class _Resource:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return attr(*args, **kwargs)

        return call


@pytest.fixture(params=["sync", "async"])
async def api(
    request: pytest.FixtureRequest, server: ServerThread, platform: TestPlatform
) -> AsyncIterator[Any]:
    """Both clients behind one awaitable surface (the parametrised suite)."""
    if request.param == "sync":
        with RokhasClient(base_url=server.url, token="t0k3n", timeout=2.0, max_retries=3) as c:
            yield SyncAsAsync(c.with_options(**FAST))
    else:
        async with AsyncRokhasClient(
            base_url=server.url, token="t0k3n", timeout=2.0, max_retries=3
        ) as ac:
            yield ac.with_options(**FAST)


async def collect(pager_or_coro: Any) -> list[Any]:
    """Every item of a SyncPager or an AsyncPager (possibly behind an await)."""
    pager = await pager_or_coro if inspect.isawaitable(pager_or_coro) else pager_or_coro
    if isinstance(pager, SyncPager):
        return list(pager)
    return [item async for item in pager]
