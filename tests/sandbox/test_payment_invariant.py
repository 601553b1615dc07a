"""Money never contradicts the API: random CMI callback sequences against the real sandbox.

Hypothesis draws sequences of callbacks for the card payments of one fee order:
approvals and declines in any order, verbatim replays, forged and tampered ones,
callbacks naming a payment that does not exist, counter payments by the régisseur,
payment pages opened at any moment, and batches posted concurrently over HTTP to a
server on 127.0.0.1. CMI's side is modelled from its answers only (a transaction is
captured when it was answered ``ACTION=POSTAUTH``). After every step:

money captured ⇔ a payment succeeded ⇔ the order paid, by exactly one transaction, with
exactly one capture in the order's history (one receipt) naming it; and the webhooks
tell the same story: one ``payment.succeeded`` per succeeded payment, none otherwise,
and every payment's last event carries its current status.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rokhas_sdk.payments import PaymentState
from rokhas_sdk.payments.cmi import FAILURE, POSTAUTH, hash_fields, signed_callback
from rokhas_sdk.procedure import CASABLANCA
from rokhas_sdk.sandbox import Sandbox, SandboxClock
from rokhas_sdk.sandbox._orders import SandboxOrderStore
from rokhas_sdk.testing import SandboxServer
from rokhas_sdk.testing._walk import PlatformWalker

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
_FIELD = re.compile(r'name="([^"]+)" value="([^"]*)"')

# One action of a sequence. ``who`` picks a payment of the order (modulo their number).
_callback = st.tuples(
    st.just("callback"),
    st.integers(0, 2),
    st.sampled_from(["approve", "approve", "decline", "forged", "tampered", "wrong_amount"]),
)
_replay = st.tuples(st.just("replay"), st.integers(0, 30))
_unknown = st.tuples(st.just("unknown_payment"), st.integers(0, 2))
_counter = st.tuples(st.just("counter"))
_page = st.tuples(st.just("page"), st.integers(0, 2))
_concurrent = st.tuples(
    st.just("concurrent"), st.lists(st.one_of(_callback, _replay), min_size=2, max_size=4)
)
ACTIONS = st.lists(
    st.one_of(_callback, _callback, _replay, _unknown, _counter, _page, _concurrent),
    min_size=1,
    max_size=10,
)


@dataclass
class World:
    """The sandbox under test, its server, the clients, and CMI's ledger."""

    sb: Sandbox
    server: SandboxServer
    walker: PlatformWalker
    dossier_id: str
    txn_numbers: Iterator[int] = field(default_factory=lambda: count(1))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    sb = Sandbox(
        clock=SandboxClock(datetime(2026, 3, 2, 9, 0, tzinfo=CASABLANCA), frozen=True),
        deliver_webhooks=False,
    )
    with SandboxServer(sb) as server:

        def factory(token: str | None) -> httpx.Client:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=headers)

        walker = PlatformWalker(factory, sb.token_for)
        did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
        yield World(sb, server, walker, did)
        walker.close()
    sb.close()


@dataclass
class Run:
    """One example: an order, its card payments, what was posted and answered."""

    order_id: str
    payments: list[dict[str, Any]]
    forms: dict[str, dict[str, str]]
    sent: list[dict[str, str]] = field(default_factory=list)
    answers: dict[str, set[str]] = field(default_factory=dict)  # TransId -> answers
    counter_refs: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # payments an authentic callback reached


def _start(w: World, n_payments: int) -> Run:
    app = w.walker.client("PETITIONNAIRE")
    order = app.post(f"/v1/dossiers/{w.dossier_id}/fee-orders", json={})
    assert order.status_code == 201, order.text
    payments, forms = [], {}
    with httpx.Client(base_url=w.server.url) as browser:
        for _ in range(n_payments):
            pay = app.post("/v1/payments", json={"order_id": order.json()["id"]})
            assert pay.status_code == 201, pay.text
            page = browser.get(pay.json()["redirect_url"])
            assert page.status_code == 200
            fields = {k: html.unescape(v) for k, v in _FIELD.findall(page.text)}
            payments.append(pay.json())
            forms[pay.json()["id"]] = fields
    return Run(order.json()["id"], payments, forms)


def _make_callback(w: World, run: Run, action: tuple[Any, ...]) -> dict[str, str] | None:
    key = w.sb.cmi_store_key
    if action[0] == "replay":
        return dict(run.sent[action[1] % len(run.sent)]) if run.sent else None
    cards = [p for p in run.payments if p["method"] == "card"]
    form = run.forms[cards[action[1] % len(cards)]["id"]]
    txn = f"T{next(w.txn_numbers):08d}"
    if action[0] == "unknown_payment":
        return signed_callback({**form, "paymentid": "pay_nobody"}, key, transaction_id=txn)
    kind = action[2]
    if kind == "forged":
        return signed_callback(form, "not-the-store-key", transaction_id=txn)
    if kind == "tampered":  # signed, then the amount changed in transit
        return {**signed_callback(form, key, transaction_id=txn), "amount": "1.00"}
    if kind == "wrong_amount":  # CMI signed another amount than the order's
        return signed_callback({**form, "amount": "1.00"}, key, transaction_id=txn)
    return signed_callback(form, key, approved=kind == "approve", transaction_id=txn)


def _post(w: World, run: Run, http: httpx.Client, fields: dict[str, str]) -> None:
    r = http.post("/cmi/callback", data=fields)
    assert r.status_code == 200, r.text
    run.answers.setdefault(fields["TransId"], set()).add(r.text)
    authentic = fields["HASH"] == hash_fields(fields, w.sb.cmi_store_key, callback=True)
    if authentic and fields.get("paymentid") in run.forms:
        run.touched.add(fields["paymentid"])


def _act(w: World, run: Run, action: tuple[Any, ...], http: httpx.Client) -> None:
    if action[0] == "counter":
        r = w.walker.client("REGISSEUR").post(
            "/v1/payments", json={"order_id": run.order_id, "method": "counter"}
        )
        assert r.status_code in (201, 422), r.text
        if r.status_code == 201:
            assert r.json()["status"] == "succeeded"
            run.counter_refs.add(r.json()["gateway_reference"])
            run.payments.append(r.json())
        return
    if action[0] == "page":
        pay = run.payments[action[1] % len(run.payments)]
        if pay["method"] == "card":
            r = http.get(f"/cmi/pay/{pay['id']}")
            assert r.status_code in (200, 409), r.text
        return
    if action[0] == "concurrent":
        batch = [cb for cb in (_make_callback(w, run, a) for a in action[1]) if cb]
        for cb in batch:
            run.sent.append(cb)
        with ThreadPoolExecutor(len(batch) or 1) as pool:
            for done in [pool.submit(_post, w, run, http, cb) for cb in batch]:
                done.result()
        return
    single = _make_callback(w, run, action)
    if single is not None:
        run.sent.append(single)
        _post(w, run, http, single)


def _check(w: World, run: Run) -> None:
    app = w.walker.client("PETITIONNAIRE")
    # CMI's view, from its answers: each transaction got one answer, however often posted.
    for txn, answers in run.answers.items():
        assert len(answers) == 1, f"{txn} answered {answers}"
    captured = {t for t, a in run.answers.items() if a == {POSTAUTH}} | run.counter_refs
    fee_order = app.get(f"/v1/fee-orders/{run.order_id}").json()
    statuses = {p["id"]: app.get(f"/v1/payments/{p['id']}").json() for p in run.payments}
    succeeded = [p for p in statuses.values() if p["status"] == "succeeded"]
    order = SandboxOrderStore(w.sb).get(run.order_id)
    captures = [e for e in order.history if e.to_state is PaymentState.CAPTURED]

    assert len(captured) <= 1, f"money captured twice: {captured}"
    assert (len(captured) == 1) == (fee_order["status"] == "paid") == bool(succeeded)
    assert len(succeeded) == len(captured) == len(captures)
    if captured:
        (txn,) = captured
        assert succeeded[0]["gateway_reference"] == txn
        assert order.receipt().transaction_id == txn
        assert fee_order["paid_at"] is not None
    for pid in run.touched:
        assert statuses[pid]["status"] != "pending", f"{pid} reached by CMI, still pending"

    events: dict[str, list[dict[str, Any]]] = {}
    for _, e in w.sb.store.outbox():
        if e["type"].startswith("payment.") and e["object_id"] in statuses:
            events.setdefault(e["object_id"], []).append(e)
    for pid, pay in statuses.items():
        mine = events.get(pid, [])
        wins = [e for e in mine if e["type"] == "payment.succeeded"]
        assert len(wins) == (pay["status"] == "succeeded"), (pid, pay["status"], mine)
        if pay["status"] in ("succeeded", "failed"):
            assert mine
            assert mine[-1]["data"]["status"] == pay["status"]
            assert mine[-1]["type"] == f"payment.{pay['status']}"
        elif pay["status"] == "pending":
            assert not mine


def test_callbacks_in_any_order_keep_money_order_and_payment_in_agreement(world: World) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(n_payments=st.integers(1, 3), actions=ACTIONS)
    def sequence(n_payments: int, actions: list[tuple[Any, ...]]) -> None:
        run = _start(world, n_payments)
        with httpx.Client(base_url=world.server.url) as http:
            for action in actions:
                _act(world, run, action, http)
                _check(world, run)

    sequence()


def _one_order(world: World) -> tuple[Run, httpx.Client]:
    return _start(world, 2), httpx.Client(base_url=world.server.url)


def test_declined_then_approved_captures_once_and_the_payment_succeeds(world: World) -> None:
    run, http = _one_order(world)
    with http:
        first = run.payments[0]["id"]
        form = run.forms[first]
        key = world.sb.cmi_store_key
        declined = signed_callback(form, key, approved=False, transaction_id="TD1")
        approved = signed_callback(form, key, approved=True, transaction_id="TA1")
        assert http.post("/cmi/callback", data=declined).text == "APPROVED"
        app = world.walker.client("PETITIONNAIRE")
        assert app.get(f"/v1/payments/{first}").json()["status"] == "failed"
        assert http.post("/cmi/callback", data=approved).text == POSTAUTH
        pay = app.get(f"/v1/payments/{first}").json()
        assert (pay["status"], pay["gateway_reference"]) == ("succeeded", "TA1")
        assert app.get(f"/v1/fee-orders/{run.order_id}").json()["status"] == "paid"
        kinds = [e["type"] for _, e in world.sb.store.outbox() if e.get("object_id") == first]
        assert kinds == ["payment.failed", "payment.succeeded"]
        # The other attempt can no longer pay: its page says so (no 500), and CMI's late
        # approval of it is voided.
        second = run.payments[1]["id"]
        page = http.get(f"/cmi/pay/{second}")
        assert page.status_code == 200
        assert "cancelled" in page.text
        late = signed_callback(run.forms[second], key, approved=True, transaction_id="TA2")
        assert http.post("/cmi/callback", data=late).text == FAILURE
        assert app.get(f"/v1/payments/{second}").json()["status"] == "cancelled"


def test_a_second_card_payment_page_of_a_paid_order_is_not_an_error(world: World) -> None:
    run, http = _one_order(world)
    with http:
        regisseur = world.walker.client("REGISSEUR")
        paid = regisseur.post("/v1/payments", json={"order_id": run.order_id, "method": "counter"})
        assert paid.status_code == 201
        for pay in run.payments:
            page = http.get(f"/cmi/pay/{pay['id']}")
            assert page.status_code == 200
            assert 'id="status">cancelled' in page.text
