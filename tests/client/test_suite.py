"""One suite, both clients, a real HTTP platform on 127.0.0.1 (see conftest.api)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from rokhas_sdk.api import (
    IDEMPOTENCY_HEADER,
    DossierState,
    ErrorCode,
    RequestComplement,
)
from rokhas_sdk.client import (
    APIConnectionError,
    APITimeoutError,
    ChecksumMismatchError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    UnprocessableEntityError,
)

from ._data import CASABLANCA, dossier
from ._platform import TestPlatform
from .conftest import collect


def _keys_for(platform: TestPlatform, op_id: str) -> list[str | None]:
    return [h.get(IDEMPOTENCY_HEADER.lower()) for op, _m, _r, h in platform.log if op == op_id]


async def test_dossier_round_trip(api: Any, platform: TestPlatform) -> None:
    created = await api.dossiers.create(dossier("RT-1"))
    assert created.state is DossierState.DRAFT
    assert (await api.dossiers.get(created.id)).dossier.reference == "RT-1"
    updated = await api.dossiers.update(created.id, {"reference": "RT-1b"})
    assert updated.dossier.reference == "RT-1b"
    assert updated.dossier.project is not None  # a PATCH sends only the fields given
    submitted = await api.dossiers.submit(created.id)
    assert submitted.state is DossierState.SUBMITTED
    withdrawn = await api.dossiers.withdraw(created.id, reason="erreur de saisie")
    assert withdrawn.state is DossierState.WITHDRAWN
    assert withdrawn.version == 4


async def test_dict_input_is_validated_before_sending(api: Any, platform: TestPlatform) -> None:
    from rokhas_sdk import InvalidInputError

    before = len(platform.log)
    with pytest.raises(InvalidInputError, match="cin"):
        await api.dossiers.create(
            {
                **dossier().model_dump(mode="json"),
                "applicant": {"type": "natural", "first_name": "A", "last_name": "B", "cin": "??"},
            }
        )
    assert len(platform.log) == before


async def test_auto_pagination_walks_every_page(api: Any, platform: TestPlatform) -> None:
    refs = {f"PG-{i}" for i in range(7)}
    for ref in sorted(refs):
        await api.dossiers.create(
            dossier(
                ref,
                commune="421.01.01",
                parcel={"commune": "421.01.01", "address": "x", "land_area": "100"},
            )
        )
    listed = await collect(api.dossiers.list(commune="421.01.01", limit=3))
    assert {d.dossier.reference for d in listed} >= refs
    pages = [op for op, *_ in platform.log if op == "listDossiers"]
    assert len(pages) >= 3


async def test_procedure_event_and_journal(api: Any, platform: TestPlatform) -> None:
    d = await api.dossiers.create(dossier("EV-1"))
    rec = await api.dossiers.record_event(
        d.id,
        RequestComplement(reasons_fr=["Plan de masse illisible"], missing_pieces=["PLAN_MASSE"]),
    )
    assert rec.event.value == "request_complement"
    rec2 = await api.dossiers.record_event(
        d.id, {"event": "schedule_commission", "session_at": "2026-12-01T10:00:00+01:00"}
    )
    assert rec2.sequence == 2
    journal = await collect(api.dossiers.journal(d.id, limit=1))
    assert [r.sequence for r in journal] == [1, 2]


@pytest.mark.parametrize("source", ["bytes", "path", "file", "pipe"])
async def test_upload_then_download_checks_sha256(
    api: Any, platform: TestPlatform, tmp_path: Path, source: str
) -> None:
    content = os.urandom(300_000)
    d = await api.dossiers.create(dossier("UP-" + source))
    path = tmp_path / "plans.pdf"
    path.write_bytes(content)
    if source == "bytes":
        piece = await api.pieces.upload(
            d.id, content, type="PLANS_ARCHITECTURAUX", file_name="plans.pdf"
        )
    elif source == "path":
        piece = await api.pieces.upload(d.id, path, type="PLANS_ARCHITECTURAUX")
    elif source == "file":
        with path.open("rb") as fh:
            fh.read(0)
            piece = await api.pieces.upload(d.id, fh, type="PLANS_ARCHITECTURAUX")
    else:
        r, w = os.pipe()
        os.write(w, content[:60_000])
        os.close(w)
        with os.fdopen(r, "rb") as fh:
            piece = await api.pieces.upload(
                d.id, fh, type="PLANS_ARCHITECTURAUX", file_name="plans.pdf"
            )
        content = content[:60_000]
    assert piece.piece.file_name == "plans.pdf"
    assert piece.piece.size == len(content)
    out = tmp_path / "copy.pdf"
    result = await api.pieces.download(d.id, piece.id, out)
    assert out.read_bytes() == content
    assert result.sha256 == piece.piece.sha256
    assert await api.pieces.read(d.id, piece.id) == content
    buf = io.BytesIO()
    await api.pieces.download(d.id, piece.id, buf)
    assert buf.getvalue() == content
    assert [p.id for p in await collect(api.pieces.list(d.id))] == [piece.id]
    await api.pieces.delete(d.id, piece.id)
    with pytest.raises(NotFoundError):
        await api.pieces.get(d.id, piece.id)


async def test_upload_is_retried_with_the_body_replayed(
    api: Any, platform: TestPlatform, tmp_path: Path
) -> None:
    d = await api.dossiers.create(dossier("UP-R"))
    path = tmp_path / "p.pdf"
    path.write_bytes(b"%PDF" + b"x" * 200_000)
    platform.plan("drop_before", "drop_after", op="uploadPiece")
    piece = await api.pieces.upload(d.id, path, type="PLAN_MASSE")
    assert len([p for p, _ in platform.pieces.values() if p.dossier_id == d.id]) == 1
    assert piece.piece.size == 200_004
    keys = _keys_for(platform, "uploadPiece")[-3:]
    assert len(set(keys)) == 1
    assert keys[0]


async def test_corrupted_download_is_refused_and_leaves_no_file(
    api: Any, platform: TestPlatform, tmp_path: Path
) -> None:
    d = await api.dossiers.create(dossier("CR-1"))
    piece = await api.pieces.upload(d.id, b"%PDF-1.7 abc", type="PLAN_MASSE", file_name="m.pdf")
    platform.plan("corrupt", op="downloadPiece")
    out = tmp_path / "m.pdf"
    with pytest.raises(ChecksumMismatchError) as info:
        await api.pieces.download(d.id, piece.id, out)
    assert info.value.expected == piece.piece.sha256
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "fault", ["drop_before", "drop_after", "500", "503", "429", "500_after", "slow"]
)
async def test_a_write_under_a_fault_happens_exactly_once(
    api: Any, platform: TestPlatform, fault: str
) -> None:
    if fault == "slow":
        platform.slow_seconds = 0.6
        api = api.with_options(timeout=0.2, max_retries=6, backoff_initial=0.05, backoff_max=0.2)
    ref = f"F-{fault}-{id(api)}"
    platform.plan(fault, op="createDossier")
    created = await api.dossiers.create(dossier(ref))
    same = [d for d in platform.dossiers.values() if d.dossier.reference == ref]
    assert [d.id for d in same] == [created.id]
    keys = _keys_for(platform, "createDossier")[-2:]
    assert keys[0] == keys[1] is not None
    assert platform.faults_injected == {fault: 1}


async def test_reads_are_retried_too(api: Any, platform: TestPlatform) -> None:
    platform.plan("drop_before", "503", "429", op="getHealth")
    assert (await api.health()).status == "ok"
    retries = [r for op, _m, r, _h in platform.log if op == "getHealth"][-4:]
    assert retries == [0, 1, 2, 3]


async def test_retry_after_is_honoured(api: Any, platform: TestPlatform) -> None:
    import time

    platform.retry_after = "1"
    platform.plan("429", op="getHealth")
    started = time.monotonic()
    await api.health()
    assert time.monotonic() - started >= 0.95


async def test_exhausted_retries_raise_typed_errors_with_request_id(
    api: Any, platform: TestPlatform
) -> None:
    platform.plan("500", "500", "500", "500", op="getHealth")
    with pytest.raises(InternalServerError) as info:
        await api.health()
    assert info.value.status_code == 500
    assert info.value.code == ErrorCode.INTERNAL_ERROR.value
    assert info.value.request_id
    assert info.value.request_id.startswith("req_")
    assert info.value.message_ar == ErrorCode.INTERNAL_ERROR.label_ar
    platform.plan("429", "429", "429", "429", op="getHealth")
    with pytest.raises(RateLimitError):
        await api.health()
    platform.plan("drop_before", "drop_before", "drop_before", "drop_before", op="getHealth")
    with pytest.raises(APIConnectionError):
        await api.health()


async def test_timeout_raises_api_timeout_error(api: Any, platform: TestPlatform) -> None:
    platform.slow_seconds = 0.5
    platform.plan("slow", op="getHealth")
    with pytest.raises(APITimeoutError):
        await api.with_options(timeout=0.1, max_retries=0).health()


async def test_status_errors_are_typed(api: Any, platform: TestPlatform) -> None:
    with pytest.raises(NotFoundError) as nf:
        await api.dossiers.get("dos_nope")
    assert nf.value.code == "not_found"
    assert nf.value.request_id
    from rokhas_sdk import NotFoundError as RokhasNotFound

    assert isinstance(nf.value, RokhasNotFound)
    d = await api.dossiers.create(dossier("ST-1"))
    await api.dossiers.submit(d.id)
    with pytest.raises(UnprocessableEntityError) as un:
        await api.dossiers.submit(d.id)
    assert un.value.code == ErrorCode.TRANSITION_NOT_ALLOWED.value
    assert un.value.details == {"allowed_events": []}
    with pytest.raises(UnprocessableEntityError) as ne:
        await api.dossiers.update(d.id, {"reference": "x"})
    assert ne.value.code == "dossier_not_editable"


async def test_idempotency_key_replays_and_refuses_reuse(api: Any, platform: TestPlatform) -> None:
    keyed = api.with_options(idempotency_key="order-2026-0001")
    first = await keyed.dossiers.create(dossier("ID-1"))
    again = await keyed.dossiers.create(dossier("ID-1"))
    assert again.id == first.id
    assert len([d for d in platform.dossiers.values() if d.dossier.reference == "ID-1"]) == 1
    with pytest.raises(UnprocessableEntityError) as info:
        await keyed.dossiers.create(dossier("ID-2"))
    assert info.value.code == ErrorCode.IDEMPOTENCY_KEY_REUSED.value


async def test_each_write_gets_its_own_key_and_reads_none(api: Any, platform: TestPlatform) -> None:
    await api.dossiers.create(dossier("K-1"))
    await api.dossiers.create(dossier("K-2"))
    keys = _keys_for(platform, "createDossier")[-2:]
    assert keys[0] != keys[1]
    await api.health()
    assert _keys_for(platform, "getHealth")[-1] is None


async def test_expired_token_is_refreshed_once(server: Any, platform: TestPlatform) -> None:
    from rokhas_sdk.client import AsyncRokhasClient, AuthenticationError, RokhasClient

    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return "fresh"

    with RokhasClient(base_url=server.url, token="expired", token_refresher=refresh) as c:
        assert c.me().subject == "fresh"
        assert c.me().subject == "fresh"
    assert calls == [1]

    async def arefresh() -> str:
        calls.append(2)
        return "fresh2"

    async with AsyncRokhasClient(base_url=server.url, token_refresher=arefresh) as ac:
        assert (await ac.me()).subject == "fresh2"
    assert calls == [1, 2]
    with (
        RokhasClient(base_url=server.url, token="expired") as c,
        pytest.raises(AuthenticationError),
    ):
        c.me()


async def test_every_other_resource(api: Any, platform: TestPlatform, tmp_path: Path) -> None:
    d = await api.dossiers.create(dossier("RS-1"))
    quote = await api.fees.quote(d.id)
    assert str(quote.total.amount) == "2400.00"
    order = await api.fees.create_order(d.id)
    assert (await api.fees.get_order(order.id)).id == order.id
    assert [o.id for o in await collect(api.fees.list_orders(d.id))] == [order.id]
    pay = await api.payments.create(order.id)
    assert (await api.payments.get(pay.id)).status.value == "pending"
    assert (await api.permits.get(d.id)).permit.number == f"PC-{d.id}"
    pdf = await api.permits.read_pdf(d.id)
    assert pdf.startswith(b"%PDF")
    res = await api.permits.download_pdf(d.id, tmp_path / "permit.pdf")
    assert res.size == len(pdf)
    assert (await api.permits.verify(pdf)).valid
    assert not (await api.permits.verify(b"%PDF-1.7 forged")).valid
    assert len(await collect(api.permits.list(limit=2))) == len(platform.dossiers)
    communes = await collect(api.communes.list(limit=200))
    assert len(communes) == len(platform._communes())
    assert (await api.communes.get(CASABLANCA)).name_fr == "Casablanca"
    ind = await api.communes.indicators(CASABLANCA, period="2026-Q3")
    assert ind.period == "2026-Q3"
    assert len(await collect(api.indicators.list(period="2026-Q3", limit=200))) == len(communes)
    assert len(await collect(api.events.list(limit=4))) == len(platform.dossiers)
    ep = await api.webhook_endpoints.create("https://example.ma/hook", ["dossier.submitted"])
    assert ep.secret is not None
    assert "whsec_" not in repr(ep)
    assert (await api.webhook_endpoints.rotate_secret(ep.id)).secret is not None
    assert (await api.webhook_endpoints.send_test(ep.id)).type.value == "webhook.test"
    assert ep.id in [e.id for e in await collect(api.webhook_endpoints.list())]
    await api.webhook_endpoints.delete(ep.id)
    assert ep.id not in [e.id for e in await collect(api.webhook_endpoints.list())]
