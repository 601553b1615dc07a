"""Payment orders: life cycle, idempotency, receipts, and both stores (memory, SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import Money
from rokhas_sdk.payments import (
    DuplicateOrderError,
    FeeDue,
    InMemoryOrderStore,
    InvalidTransitionError,
    OrderNotFoundError,
    OrderStore,
    PaymentConflictError,
    PaymentOrder,
    PaymentState,
    SQLiteOrderStore,
    apply_transition,
    quote,
)

from ._builders import lotissement

S = PaymentState


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderStore]:
    if request.param == "memory":
        yield InMemoryOrderStore()
    else:
        with SQLiteOrderStore(tmp_path / "orders.db") as s:
            yield s


def _order(ref: str = "RKH2026000001", amount: str = "4700.00") -> PaymentOrder:
    return PaymentOrder(
        reference=ref, commune="141.01.01", amount=Money(amount), dossier_reference="D-1"
    )


def test_order_per_instalment_from_a_quote() -> None:
    q = quote(lotissement("2400000"), on=date(2026, 1, 1), actual_works_cost=Money("2650000"))
    first = PaymentOrder.for_quote(q, reference="RKH2026000010", due=FeeDue.AUTORISATION_DELIVERED)
    balance = PaymentOrder.for_quote(q, reference="RKH2026000011", due=FeeDue.CONFORMITE_DELIVERED)
    whole = PaymentOrder.for_quote(q, reference="RKH2026000012")
    assert first.amount == Money("90000.00")
    assert [ln.code for ln in first.lines] == ["TOL.TRANCHE_1"]
    assert balance.amount == Money("42500.00")
    assert whole.amount == first.amount + balance.amount


def test_orders_need_a_positive_amount_and_a_clean_reference() -> None:
    with pytest.raises(InvalidInputError, match="positive"):
        _order(amount="0")
    with pytest.raises(InvalidInputError, match="reference"):
        _order(ref="RKH 2026")


def test_life_cycle_and_idempotency() -> None:
    o = _order()
    r1 = apply_transition(o, S.CAPTURED, transaction_id="T1", auth_code="A1")
    assert r1.changed
    assert r1.order.state is S.CAPTURED
    assert r1.order.transaction_id == "T1"
    r2 = apply_transition(r1.order, S.CAPTURED, transaction_id="T1")
    assert not r2.changed
    assert r2.order is r1.order
    # an authorisation arriving after the capture changes nothing
    assert not apply_transition(r1.order, S.AUTHORISED, transaction_id="T1").changed
    with pytest.raises(PaymentConflictError, match="T2"):
        apply_transition(r1.order, S.CAPTURED, transaction_id="T2")
    with pytest.raises(PaymentConflictError, match=r"not 4800\.00"):
        apply_transition(o, S.CAPTURED, amount=Money("4800.00"))
    refunded = apply_transition(r1.order, S.REFUNDED).order
    assert [e.to_state for e in refunded.history] == [S.CAPTURED, S.REFUNDED]
    with pytest.raises(InvalidTransitionError, match="refunded"):
        apply_transition(refunded, S.CAPTURED, transaction_id="T1")
    with pytest.raises(InvalidTransitionError, match="pending to refunded"):
        apply_transition(o, S.REFUNDED)


def test_failed_then_paid() -> None:
    o = apply_transition(_order(), S.FAILED).order
    paid = apply_transition(o, S.AUTHORISED, transaction_id="T9").order
    assert apply_transition(paid, S.CAPTURED, transaction_id="T9").order.state is S.CAPTURED


def test_receipt_only_once_captured() -> None:
    o = _order()
    with pytest.raises(InvalidTransitionError, match="receipt"):
        o.receipt()
    paid = apply_transition(o, S.CAPTURED, transaction_id="T1", auth_code="123456").order
    r = paid.receipt()
    assert r.number == "Q-RKH2026000001"
    assert (r.amount, r.transaction_id, r.auth_code, r.gateway) == (
        Money("4700.00"),
        "T1",
        "123456",
        "CMI",
    )
    assert r.paid_at == paid.history[-1].at


def test_store_basics(store: OrderStore) -> None:
    ref = store.next_reference(year=2026)
    assert ref == "RKH2026000001"
    assert store.next_reference(year=2026) == "RKH2026000002"
    store.create(_order(ref))
    with pytest.raises(DuplicateOrderError):
        store.create(_order(ref))
    with pytest.raises(OrderNotFoundError):
        store.get("RKH0")
    assert store.get(ref).state is S.PENDING
    r = store.transition(ref, S.CAPTURED, transaction_id="T1", amount=Money("4700.00"))
    assert r.changed
    assert store.get(ref).state is S.CAPTURED
    assert not store.transition(ref, S.CAPTURED, transaction_id="T1").changed
    assert [o.reference for o in store.list(dossier_reference="D-1")] == [ref]
    assert store.list(dossier_reference="D-2") == []
    assert isinstance(store, OrderStore)


def test_next_reference_skips_existing(store: OrderStore) -> None:
    store.create(_order("RKH2026000001"))
    assert store.next_reference(year=2026) == "RKH2026000002"


def test_sqlite_persists_across_connections(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    with SQLiteOrderStore(db) as s:
        s.create(_order())
        s.transition("RKH2026000001", S.CAPTURED, transaction_id="T1")
        assert s.next_reference(year=2026) == "RKH2026000002"  # 000001 is taken
    with SQLiteOrderStore(db) as s:
        o = s.get("RKH2026000001")
        assert o.state is S.CAPTURED
        assert o.transaction_id == "T1"
        assert len(o.history) == 1
        assert s.next_reference(year=2026) == "RKH2026000003"


def test_concurrent_transitions_change_the_order_once(store: OrderStore) -> None:
    store.create(_order())
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def worker() -> None:
        barrier.wait()
        results.append(store.transition("RKH2026000001", S.CAPTURED, transaction_id="T1").changed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(store.get("RKH2026000001").history) == 1


def test_two_sqlite_connections_on_one_file(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    with SQLiteOrderStore(db) as a, SQLiteOrderStore(db) as b:
        a.create(_order())
        assert b.transition("RKH2026000001", S.CAPTURED, transaction_id="T1").changed
        assert not a.transition("RKH2026000001", S.CAPTURED, transaction_id="T1").changed
        with pytest.raises(PaymentConflictError):
            a.transition("RKH2026000001", S.CAPTURED, transaction_id="T2")
