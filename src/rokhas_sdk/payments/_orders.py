"""Payment orders, their life cycle, receipts, and the stores that keep them.

An order is created per quote or per instalment with a unique reference (the CMI
``oid``). State changes go through :func:`apply_transition`, which is idempotent: asking
for the state an order is already in, by the same transaction, changes nothing. An
order is never marked paid twice, nor paid for another amount. Stores apply a transition
atomically (a lock for :class:`InMemoryOrderStore`, an ``IMMEDIATE`` SQLite transaction
for :class:`SQLiteOrderStore`), so duplicate callbacks racing on threads are safe.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, NamedTuple, Protocol, runtime_checkable

from pydantic import AwareDatetime, Field, model_validator

from .._time import CASABLANCA as _TZ
from ..models import LabelledEnum, Money, ValueObject
from ._errors import (
    DuplicateOrderError,
    InvalidTransitionError,
    OrderNotFoundError,
    PaymentConflictError,
)
from ._quote import FeeQuote
from ._schedule import FeeDue

__all__ = [
    "InMemoryOrderStore",
    "OrderLine",
    "OrderStore",
    "PaymentEvent",
    "PaymentOrder",
    "PaymentState",
    "Receipt",
    "SQLiteOrderStore",
    "TransitionResult",
    "apply_transition",
]


OrderReference = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
]
"""Letters, digits, ``-`` and ``_``: usable as a CMI ``oid`` (no whitespace)."""


def _now() -> datetime:
    return datetime.now(_TZ)


class PaymentState(LabelledEnum):
    """Where a payment order stands."""

    PENDING = ("pending", "En attente de paiement", "في انتظار الأداء")
    AUTHORISED = ("authorised", "Paiement autorisé (non débité)", "أداء مرخص (غير مقتطع)")
    CAPTURED = ("captured", "Payé", "تم الأداء")
    FAILED = ("failed", "Paiement échoué ou annulé", "أداء فاشل أو ملغى")
    REFUNDED = ("refunded", "Remboursé", "تم الاسترجاع")

    @property
    def is_paid(self) -> bool:
        """True once the money is taken (captured)."""
        return self is PaymentState.CAPTURED


# A failed attempt may be followed by a successful one on the same order (CMI sends
# several callbacks per oid); a refund only follows a capture.
_ALLOWED: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.PENDING: frozenset(
        {PaymentState.AUTHORISED, PaymentState.CAPTURED, PaymentState.FAILED}
    ),
    PaymentState.FAILED: frozenset({PaymentState.AUTHORISED, PaymentState.CAPTURED}),
    PaymentState.AUTHORISED: frozenset({PaymentState.CAPTURED, PaymentState.FAILED}),
    PaymentState.CAPTURED: frozenset({PaymentState.REFUNDED}),
    PaymentState.REFUNDED: frozenset(),
}


class OrderLine(ValueObject):
    """One quoted line carried by an order (what the money pays for)."""

    code: str
    label_fr: str
    label_ar: str
    amount: Money


class PaymentEvent(ValueObject):
    """One state change of an order."""

    at: AwareDatetime
    from_state: PaymentState
    to_state: PaymentState
    transaction_id: str | None = None
    note: str = ""


class PaymentOrder(ValueObject):
    """What is to be paid, by whom, and where the payment stands.

    ``reference`` is unique and is posted to CMI as ``oid``.
    """

    reference: OrderReference
    commune: str
    amount: Money
    dossier_reference: str | None = None
    due: FeeDue | None = None
    lines: tuple[OrderLine, ...] = ()
    state: PaymentState = PaymentState.PENDING
    transaction_id: str | None = None
    auth_code: str | None = None
    created_at: AwareDatetime = Field(default_factory=_now)
    updated_at: AwareDatetime | None = None
    history: tuple[PaymentEvent, ...] = ()

    @model_validator(mode="after")
    def _positive(self) -> PaymentOrder:
        if self.amount.amount <= 0:
            raise ValueError(
                f"a payment order needs a positive amount, got {self.amount}; nothing is "
                "owed, so nothing to pay"
            )
        return self

    @classmethod
    def for_quote(
        cls,
        quote: FeeQuote,
        *,
        reference: str,
        dossier_reference: str | None = None,
        due: FeeDue | None = None,
    ) -> PaymentOrder:
        """An order for a whole quote, or for the part due at ``due`` (an instalment)."""
        lines = [ln for ln in quote.lines if due is None or ln.due is due]
        amount = sum((ln.amount for ln in lines), Money.zero())
        return cls(
            reference=reference,
            commune=quote.commune,
            amount=amount,
            dossier_reference=dossier_reference,
            due=due,
            lines=tuple(
                OrderLine(
                    code=ln.code, label_fr=ln.label_fr, label_ar=ln.label_ar, amount=ln.amount
                )
                for ln in lines
                if ln.amount
            ),
        )

    def receipt(self, *, number: str | None = None, gateway: str = "CMI") -> Receipt:
        """The quittance of a captured order. ``number`` defaults to ``Q-<reference>``."""
        if self.state is not PaymentState.CAPTURED:
            raise InvalidTransitionError(
                f"order {self.reference} is {self.state.value}: a receipt is issued only once "
                "it is captured"
            )
        paid_at = next(
            (e.at for e in reversed(self.history) if e.to_state is PaymentState.CAPTURED),
            self.updated_at or self.created_at,
        )
        return Receipt(
            number=number or f"Q-{self.reference}",
            order_reference=self.reference,
            dossier_reference=self.dossier_reference,
            commune=self.commune,
            amount=self.amount,
            paid_at=paid_at,
            gateway=gateway,
            transaction_id=self.transaction_id,
            auth_code=self.auth_code,
            lines=self.lines,
        )


class Receipt(ValueObject):
    """A quittance: proof that an order was paid, with the gateway's identifiers."""

    number: str
    order_reference: str
    dossier_reference: str | None
    commune: str
    amount: Money
    paid_at: AwareDatetime
    gateway: str
    transaction_id: str | None
    auth_code: str | None
    lines: tuple[OrderLine, ...] = ()


class TransitionResult(NamedTuple):
    """The order after a transition, and whether this call changed it."""

    order: PaymentOrder
    changed: bool


def apply_transition(
    order: PaymentOrder,
    to: PaymentState,
    *,
    transaction_id: str | None = None,
    auth_code: str | None = None,
    amount: Money | None = None,
    at: datetime | None = None,
    note: str = "",
) -> TransitionResult:
    """Move ``order`` to ``to``; a pure function (stores call it under their lock).

    Idempotent: the same target by the same transaction returns the order unchanged
    with ``changed=False``. Raises :class:`PaymentConflictError` for a payment of
    another amount or by another transaction once paid, and
    :class:`InvalidTransitionError` for a change the life cycle forbids.
    """
    if amount is not None and amount != order.amount:
        raise PaymentConflictError(
            f"order {order.reference} is for {order.amount}, not {amount}; the payment is refused"
        )
    paid_states = (PaymentState.AUTHORISED, PaymentState.CAPTURED)
    if (
        to in paid_states
        and order.state in paid_states
        and transaction_id is not None
        and order.transaction_id is not None
        and transaction_id != order.transaction_id
    ):
        raise PaymentConflictError(
            f"order {order.reference} is already {order.state.value} by transaction "
            f"{order.transaction_id}; "
            f"a second payment ({transaction_id}) is refused and must be voided"
        )
    if order.state is to or (
        order.state is PaymentState.CAPTURED and to is PaymentState.AUTHORISED
    ):
        return TransitionResult(order, False)
    if to not in _ALLOWED[order.state]:
        raise InvalidTransitionError(
            f"order {order.reference} cannot go from {order.state.value} to {to.value}; "
            f"allowed from {order.state.value}: "
            f"{', '.join(sorted(s.value for s in _ALLOWED[order.state])) or 'nothing'}"
        )
    when = at or _now()
    event = PaymentEvent(
        at=when, from_state=order.state, to_state=to, transaction_id=transaction_id, note=note
    )
    keep_txn = to in paid_states or to is PaymentState.REFUNDED
    new = order.model_copy(
        update={
            "state": to,
            "transaction_id": (transaction_id or order.transaction_id)
            if keep_txn
            else order.transaction_id,
            "auth_code": (auth_code or order.auth_code) if keep_txn else order.auth_code,
            "updated_at": when,
            "history": (*order.history, event),
        }
    )
    return TransitionResult(new, True)


@runtime_checkable
class OrderStore(Protocol):
    """Where orders live. Every method is safe to call from several threads at once."""

    def create(self, order: PaymentOrder) -> PaymentOrder:
        """Store a new order; :class:`DuplicateOrderError` if the reference exists."""
        ...

    def get(self, reference: str) -> PaymentOrder:
        """The order; :class:`OrderNotFoundError` if unknown."""
        ...

    def transition(
        self,
        reference: str,
        to: PaymentState,
        *,
        transaction_id: str | None = None,
        auth_code: str | None = None,
        amount: Money | None = None,
        note: str = "",
    ) -> TransitionResult:
        """Apply :func:`apply_transition` atomically."""
        ...

    def list(self, *, dossier_reference: str | None = None) -> list[PaymentOrder]:
        """All orders, or those of one dossier, oldest first."""
        ...

    def next_reference(self, *, prefix: str = "RKH", year: int | None = None) -> str:
        """A fresh unique reference such as ``RKH2026000001``."""
        ...


class InMemoryOrderStore:
    """Orders in a dict behind a lock: for tests and single-process use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, PaymentOrder] = {}
        self._seq: dict[tuple[str, int], int] = {}

    def create(self, order: PaymentOrder) -> PaymentOrder:
        """Store a new order; :class:`DuplicateOrderError` if the reference exists."""
        with self._lock:
            if order.reference in self._orders:
                raise DuplicateOrderError(
                    f"a payment order {order.reference} already exists; use next_reference() "
                    "for a fresh one"
                )
            self._orders[order.reference] = order
        return order

    def get(self, reference: str) -> PaymentOrder:
        """The order; :class:`OrderNotFoundError` if unknown."""
        try:
            return self._orders[reference]
        except KeyError:
            raise OrderNotFoundError(
                f"no payment order {reference!r}; check the reference (CMI oid)"
            ) from None

    def transition(
        self,
        reference: str,
        to: PaymentState,
        *,
        transaction_id: str | None = None,
        auth_code: str | None = None,
        amount: Money | None = None,
        note: str = "",
    ) -> TransitionResult:
        """Apply :func:`apply_transition` under the store's lock."""
        with self._lock:
            result = apply_transition(
                self.get(reference),
                to,
                transaction_id=transaction_id,
                auth_code=auth_code,
                amount=amount,
                note=note,
            )
            if result.changed:
                self._orders[reference] = result.order
            return result

    def list(self, *, dossier_reference: str | None = None) -> list[PaymentOrder]:
        """All orders, or those of one dossier, oldest first."""
        with self._lock:
            orders = list(self._orders.values())
        return [
            o
            for o in orders
            if dossier_reference is None or o.dossier_reference == dossier_reference
        ]

    def next_reference(self, *, prefix: str = "RKH", year: int | None = None) -> str:
        """A fresh unique reference ``<prefix><year><6 digits>``."""
        y = year or _now().year
        with self._lock:
            while True:
                n = self._seq.get((prefix, y), 0) + 1
                self._seq[(prefix, y)] = n
                ref = f"{prefix}{y}{n:06d}"
                if ref not in self._orders:
                    return ref


_SCHEMA = """
CREATE TABLE IF NOT EXISTS payment_orders (
    reference TEXT PRIMARY KEY,
    dossier_reference TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_orders_dossier ON payment_orders (dossier_reference);
CREATE TABLE IF NOT EXISTS payment_sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class SQLiteOrderStore:
    """Orders persisted in SQLite; transitions run in ``BEGIN IMMEDIATE`` transactions.

    Safe across threads (one connection behind a lock) and across processes sharing
    the file (SQLite's write lock). ``path`` may be ``":memory:"``.
    """

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteOrderStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self, fn: Callable[[sqlite3.Connection], object]) -> object:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                out = fn(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return out

    def create(self, order: PaymentOrder) -> PaymentOrder:
        """Store a new order; :class:`DuplicateOrderError` if the reference exists."""

        def run(c: sqlite3.Connection) -> None:
            try:
                c.execute(
                    "INSERT INTO payment_orders (reference, dossier_reference, state, "
                    "created_at, data) VALUES (?, ?, ?, ?, ?)",
                    (
                        order.reference,
                        order.dossier_reference,
                        order.state.value,
                        order.created_at.isoformat(),
                        order.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise DuplicateOrderError(
                    f"a payment order {order.reference} already exists; use next_reference() "
                    "for a fresh one"
                ) from None

        self._tx(run)
        return order

    def _load(self, c: sqlite3.Connection, reference: str) -> PaymentOrder:
        row = c.execute(
            "SELECT data FROM payment_orders WHERE reference = ?", (reference,)
        ).fetchone()
        if row is None:
            raise OrderNotFoundError(
                f"no payment order {reference!r}; check the reference (CMI oid)"
            )
        return PaymentOrder.model_validate_json(row[0])

    def get(self, reference: str) -> PaymentOrder:
        """The order; :class:`OrderNotFoundError` if unknown."""
        with self._lock:
            return self._load(self._conn, reference)

    def transition(
        self,
        reference: str,
        to: PaymentState,
        *,
        transaction_id: str | None = None,
        auth_code: str | None = None,
        amount: Money | None = None,
        note: str = "",
    ) -> TransitionResult:
        """Apply :func:`apply_transition` inside one ``IMMEDIATE`` transaction."""

        def run(c: sqlite3.Connection) -> TransitionResult:
            result = apply_transition(
                self._load(c, reference),
                to,
                transaction_id=transaction_id,
                auth_code=auth_code,
                amount=amount,
                note=note,
            )
            if result.changed:
                c.execute(
                    "UPDATE payment_orders SET state = ?, data = ? WHERE reference = ?",
                    (result.order.state.value, result.order.model_dump_json(), reference),
                )
            return result

        out = self._tx(run)
        assert isinstance(out, TransitionResult)
        return out

    def list(self, *, dossier_reference: str | None = None) -> list[PaymentOrder]:
        """All orders, or those of one dossier, oldest first."""
        with self._lock:
            if dossier_reference is None:
                rows = self._conn.execute(
                    "SELECT data FROM payment_orders ORDER BY created_at, reference"
                ).fetchall()
            else:
                rows = self._conn.execute(
                    "SELECT data FROM payment_orders WHERE dossier_reference = ? ORDER BY "
                    "created_at, reference",
                    (dossier_reference,),
                ).fetchall()
        return [PaymentOrder.model_validate_json(r[0]) for r in rows]

    def next_reference(self, *, prefix: str = "RKH", year: int | None = None) -> str:
        """A fresh unique reference ``<prefix><year><6 digits>``, from a persisted sequence."""
        y = year or _now().year
        name = f"{prefix}{y}"

        def run(c: sqlite3.Connection) -> str:
            while True:
                c.execute(
                    "INSERT INTO payment_sequences (name, value) VALUES (?, 1) ON "
                    "CONFLICT(name) DO UPDATE SET value = value + 1",
                    (name,),
                )
                n = c.execute(
                    "SELECT value FROM payment_sequences WHERE name = ?", (name,)
                ).fetchone()[0]
                ref = f"{name}{n:06d}"
                if (
                    c.execute("SELECT 1 FROM payment_orders WHERE reference = ?", (ref,)).fetchone()
                    is None
                ):
                    return ref

        out = self._tx(run)
        assert isinstance(out, str)
        return out
