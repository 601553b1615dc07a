"""Fee orders in the sandbox's store, and what a dossier owes and has paid.

A fee order of the contract *is* a ``payments.PaymentOrder`` (its reference is the order
id and the CMI ``oid``), stored through :class:`SandboxOrderStore`, an implementation of
``payments.OrderStore`` on the sandbox's SQLite database, so an order changes in the
same transaction as the request that changes it. The amounts come from
``payments.quote``. (Moved unchanged from ``_money``, whose routes use it, so that the
unit of work can ask "are the fees paid?" without importing the routes.)
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..models import Money
from ._record import DossierRecord

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = ["SandboxOrderStore", "fees_paid", "quote_for"]


class SandboxOrderStore:
    """``payments.OrderStore`` over the sandbox's SQLite store (kind ``payment_order``)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def create(self, order: Any) -> Any:
        """Store a new order."""
        from ..payments import DuplicateOrderError

        with self.sb._lock, self.sb.store.transaction():
            if self.sb.store.get("payment_order", order.reference) is not None:
                raise DuplicateOrderError(f"a payment order {order.reference} already exists")
            self._put(order)
        return order

    def _put(self, order: Any) -> None:
        self.sb.store.put(
            "payment_order",
            order.reference,
            order.model_dump(mode="json"),
            owner=order.dossier_reference,
            state=order.state.value,
        )

    def get(self, reference: str) -> Any:
        """The order, or ``payments.OrderNotFoundError``."""
        from ..payments import OrderNotFoundError, PaymentOrder

        raw = self.sb.store.get("payment_order", reference)
        if raw is None:
            raise OrderNotFoundError(f"no payment order {reference!r}")
        return PaymentOrder.model_validate(raw)

    def transition(
        self,
        reference: str,
        to: Any,
        *,
        transaction_id: str | None = None,
        auth_code: str | None = None,
        amount: Money | None = None,
        note: str = "",
    ) -> Any:
        """Apply ``payments.apply_transition`` atomically, at the sandbox's instant."""
        from ..payments import apply_transition

        with self.sb._lock, self.sb.store.transaction():
            result = apply_transition(
                self.get(reference),
                to,
                transaction_id=transaction_id,
                auth_code=auth_code,
                amount=amount,
                at=self.sb.clock.now(),
                note=note,
            )
            if result.changed:
                self._put(result.order)
        return result

    def list(self, *, dossier_reference: str | None = None) -> list[Any]:
        """Orders (of one dossier), oldest first."""
        from ..payments import PaymentOrder

        rows = self.sb.store.scan("payment_order", owner=dossier_reference, limit=1_000_000)
        return sorted((PaymentOrder.model_validate(r) for _, r in rows), key=lambda o: o.created_at)

    def next_reference(self, *, prefix: str = "ord", year: int | None = None) -> str:
        """A fresh unique reference, usable as a CMI oid."""
        return f"{prefix}_{secrets.token_hex(8)}"


_QUOTES: dict[str, tuple[tuple[int, str], Any]] = {}


def quote_for(sb: Sandbox, record: DossierRecord) -> Any:
    """``payments.quote`` of a stored dossier, on the sandbox's date (kept per version and day)."""
    from ..payments import quote

    day = sb.clock.now().date()
    key = (record.version, day.isoformat())
    cached = _QUOTES.get(record.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = quote(record.dossier, on=day)
    if len(_QUOTES) > 20_000:
        _QUOTES.clear()
    _QUOTES[record.id] = (key, result)
    return result


def fees_paid(sb: Sandbox, record: DossierRecord) -> bool:
    """Whether what is owed before delivery is paid (captured orders cover it)."""
    try:
        q = quote_for(sb, record)
    except Exception:  # no tariff in force: nothing the platform can ask for
        return True
    owed = sum((ln.amount.amount for ln in q.lines), Decimal(0))
    if owed <= 0:
        return True
    paid = Decimal(0)
    for order in SandboxOrderStore(sb).list(dossier_reference=record.id):
        if order.state.is_paid:
            paid += order.amount.amount
    return paid >= owed
