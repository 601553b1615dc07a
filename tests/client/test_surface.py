"""The two clients have one surface; the OpenAPI document is reachable from both."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import pytest

from rokhas_sdk.api import openapi_document
from rokhas_sdk.client import AsyncPager, AsyncRokhasClient, RokhasClient, SyncPager

from ._data import CASABLANCA, dossier
from ._platform import ServerThread, TestPlatform

RESOURCES = [
    "dossiers",
    "pieces",
    "fees",
    "payments",
    "permits",
    "communes",
    "indicators",
    "events",
    "webhook_endpoints",
]


def _public_methods(obj: Any) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(obj, callable)
        if not name.startswith("_") and not inspect.isclass(member)
    }


def test_sync_and_async_clients_have_the_same_surface() -> None:
    sync = RokhasClient(base_url="http://127.0.0.1:1")
    asy = AsyncRokhasClient(base_url="http://127.0.0.1:1")
    try:
        top_sync = {k: v for k, v in _public_methods(sync).items() if k != "close"}
        top_async = {k: v for k, v in _public_methods(asy).items() if k != "close"}
        assert top_sync.keys() == top_async.keys()
        for resource in RESOURCES:
            s_methods = _public_methods(getattr(sync, resource))
            a_methods = _public_methods(getattr(asy, resource))
            assert s_methods.keys() == a_methods.keys(), resource
            for name, sig in s_methods.items():
                asig = a_methods[name]
                assert list(sig.parameters) == list(asig.parameters), f"{resource}.{name}"
                returns_pager = "Pager" in str(sig.return_annotation)
                amethod = getattr(getattr(asy, resource), name)
                # Pagers are returned at once (iterate with async for); the rest is awaited.
                assert inspect.iscoroutinefunction(amethod) is (not returns_pager), (
                    f"{resource}.{name}"
                )
                if returns_pager:
                    assert "AsyncPager" in str(asig.return_annotation)
    finally:
        sync.close()


def test_every_operation_of_the_document_is_reached_by_both_clients(tmp_path: Any) -> None:
    doc = openapi_document()
    operation_ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    platform = TestPlatform()

    def walk_sync(c: RokhasClient) -> None:
        c.health()
        c.me()
        d = c.dossiers.create(dossier("W-1"))
        c.dossiers.get(d.id)
        list(c.dossiers.list())
        c.dossiers.update(d.id, {"reference": "W-1b"})
        p = c.pieces.upload(d.id, b"%PDF-1.7", type="PLAN_MASSE", file_name="m.pdf")
        list(c.pieces.list(d.id))
        c.pieces.get(d.id, p.id)
        c.pieces.read(d.id, p.id)
        c.pieces.delete(d.id, p.id)
        c.dossiers.record_event(d.id, {"event": "issue_receipt"})
        list(c.dossiers.journal(d.id))
        c.fees.quote(d.id)
        o = c.fees.create_order(d.id)
        list(c.fees.list_orders(d.id))
        c.fees.get_order(o.id)
        pay = c.payments.create(o.id)
        c.payments.get(pay.id)
        c.permits.get(d.id)
        pdf = c.permits.read_pdf(d.id)
        list(c.permits.list())
        c.permits.verify(pdf)
        list(c.communes.list(limit=200))
        c.communes.get(CASABLANCA)
        c.communes.indicators(CASABLANCA, period="2026-Q3")
        list(c.indicators.list(period="2026-Q3", limit=200))
        list(c.events.list())
        ep = c.webhook_endpoints.create("https://example.ma/h", ["permit.issued"])
        list(c.webhook_endpoints.list())
        c.webhook_endpoints.rotate_secret(ep.id)
        c.webhook_endpoints.send_test(ep.id)
        c.webhook_endpoints.delete(ep.id)
        c.dossiers.submit(d.id)
        c.dossiers.withdraw(d.id)

    async def walk_async(c: AsyncRokhasClient) -> None:
        await c.health()
        await c.me()
        d = await c.dossiers.create(dossier("W-2"))
        await c.dossiers.get(d.id)
        [x async for x in c.dossiers.list()]
        await c.dossiers.update(d.id, {"reference": "W-2b"})
        p = await c.pieces.upload(d.id, b"%PDF-1.7", type="PLAN_MASSE", file_name="m.pdf")
        [x async for x in c.pieces.list(d.id)]
        await c.pieces.get(d.id, p.id)
        await c.pieces.read(d.id, p.id)
        await c.pieces.delete(d.id, p.id)
        await c.dossiers.record_event(d.id, {"event": "issue_receipt"})
        [x async for x in c.dossiers.journal(d.id)]
        await c.fees.quote(d.id)
        o = await c.fees.create_order(d.id)
        [x async for x in c.fees.list_orders(d.id)]
        await c.fees.get_order(o.id)
        pay = await c.payments.create(o.id)
        await c.payments.get(pay.id)
        await c.permits.get(d.id)
        pdf = await c.permits.read_pdf(d.id)
        [x async for x in c.permits.list()]
        await c.permits.verify(pdf)
        [x async for x in c.communes.list(limit=200)]
        await c.communes.get(CASABLANCA)
        await c.communes.indicators(CASABLANCA, period="2026-Q3")
        [x async for x in c.indicators.list(period="2026-Q3", limit=200)]
        [x async for x in c.events.list()]
        ep = await c.webhook_endpoints.create("https://example.ma/h", ["permit.issued"])
        [x async for x in c.webhook_endpoints.list()]
        await c.webhook_endpoints.rotate_secret(ep.id)
        await c.webhook_endpoints.send_test(ep.id)
        await c.webhook_endpoints.delete(ep.id)
        await c.dossiers.submit(d.id)
        await c.dossiers.withdraw(d.id)

    import asyncio

    with ServerThread(platform) as srv:
        with RokhasClient(base_url=srv.url, token="walk") as c:
            walk_sync(c)
        assert platform.reached == operation_ids, sorted(operation_ids ^ platform.reached)
        platform.reached.clear()

        async def run() -> None:
            async with AsyncRokhasClient(base_url=srv.url, token="walk") as ac:
                await walk_async(ac)

        asyncio.run(run())
        assert platform.reached == operation_ids, sorted(operation_ids ^ platform.reached)


def test_pagers_are_lazy() -> None:
    calls: list[str | None] = []

    def fetch(cursor: str | None) -> Any:
        calls.append(cursor)
        raise AssertionError("not expected")

    pager: SyncPager[int] = SyncPager(fetch)
    assert calls == []
    assert isinstance(pager, SyncPager)
    assert AsyncPager.__aiter__ is not None


def test_import_is_light() -> None:
    # httpx itself loads rich/click when they are installed (for its CLI): that is httpx's
    # cost, not ours, so rich is not in the list.
    code = (
        "import sys, rokhas_sdk.client;"
        "heavy = ['starlette', 'uvicorn', 'pyhanko', 'cryptography', 'fpdf', 'polars', "
        "'matplotlib', 'pkcs11'];"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("module", ["rokhas_sdk.api"])
def test_api_import_does_not_load_httpx(module: str) -> None:
    code = f"import sys, {module}; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
