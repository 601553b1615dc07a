"""Fees, fee orders and payments: amounts from ``rokhas_sdk.payments``, kept in the sandbox's store.

A fee order of the contract *is* a ``payments.PaymentOrder`` (its reference is the order
id and the CMI ``oid``), stored through :class:`SandboxOrderStore`, an implementation of
``payments.OrderStore`` on the sandbox's SQLite database, so an order changes in the
same transaction as the request that changes it. The CMI callback is judged by
``payments.cmi.CmiCallbackHandler`` on that store.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..models import Money, Role
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._routes import _emit, _load, _new_id, _page, _query, _user, _validate, op

if TYPE_CHECKING:
    from ._core import RequestContext, Sandbox

__all__ = ["SandboxOrderStore", "fees_paid", "quote_for"]

ORDER_VALIDITY = timedelta(days=30)


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


def quote_for(sb: Sandbox, record: dict[str, Any]) -> Any:
    """``payments.quote`` of a stored dossier, on the sandbox's date (kept per version and day)."""
    from ..payments import quote
    from ._routes import _dossier_model

    day = sb.clock.now().date()
    key = (record["version"], day.isoformat())
    cached = _QUOTES.get(record["id"])
    if cached is not None and cached[0] == key:
        return cached[1]
    result = quote(_dossier_model(record), on=day)
    if len(_QUOTES) > 20_000:
        _QUOTES.clear()
    _QUOTES[record["id"]] = (key, result)
    return result


def _payee(sb: Sandbox, record: dict[str, Any], line: Any) -> str:
    from ..models import get_commune

    tax = str(getattr(line, "tax", "")).upper()
    if "AGENCE" in tax or "RSR" in tax or tax.startswith("AU"):
        return "Agence urbaine"
    return f"Commune de {get_commune(record['dossier']['commune']).name_fr}"


def _wire_line(sb: Sandbox, record: dict[str, Any], line: Any) -> dict[str, Any]:
    return {
        "code": str(line.code),  # the library's fee code, as in rokhas_sdk.payments
        "label_fr": line.label_fr,
        "label_ar": line.label_ar,
        "amount": str(line.amount.amount),
        "payee": _payee(sb, record, line),
        "legal_basis": line.legal_basis or None,
        "base": f"{line.base} {line.unit.value} x {line.rate}",
    }


def fees_paid(sb: Sandbox, record: dict[str, Any]) -> bool:
    """Whether what is owed before delivery is paid (captured orders cover it)."""
    try:
        q = quote_for(sb, record)
    except Exception:  # no tariff in force: nothing the platform can ask for
        return True
    owed = sum((ln.amount.amount for ln in q.lines), Decimal(0))
    if owed <= 0:
        return True
    paid = Decimal(0)
    for order in SandboxOrderStore(sb).list(dossier_reference=record["id"]):
        if order.state.is_paid:
            paid += order.amount.amount
    return paid >= owed


def _fee_order(sb: Sandbox, order: Any) -> dict[str, Any]:
    extra = sb.store.get("fee_order_meta", order.reference) or {}
    status = {"captured": "paid", "refunded": "cancelled"}.get(order.state.value, "open")
    expires = extra.get("expires_at")
    if status == "open" and expires and sb.clock.now().isoformat() > expires:
        status = "expired"
    paid_at = next(
        (e.at.isoformat() for e in reversed(order.history) if e.to_state.value == "captured"), None
    )
    return {
        "id": order.reference,
        "dossier_id": order.dossier_reference,
        "lines": extra.get("lines", []),
        "total": str(order.amount.amount),
        "currency": "MAD",
        "status": status,
        "created_at": order.created_at.isoformat(),
        "expires_at": expires,
        "paid_at": paid_at,
    }


@op("quoteFees")
def _quote(ctx: RequestContext) -> dict[str, Any]:
    record = _load(ctx)
    q = _quote_or_problem(ctx.sandbox, record)
    return {
        "dossier_id": record["id"],
        "lines": [_wire_line(ctx.sandbox, record, ln) for ln in q.lines],
        "total": str(q.total.amount),
        "currency": "MAD",
        "computed_at": ctx.now().isoformat(),
        "schedule_version": q.schedule_version or None,
    }


def _quote_or_problem(sb: Sandbox, record: dict[str, Any]) -> Any:
    from .._errors import InvalidInputError, NotFoundError

    try:
        return quote_for(sb, record)
    except (InvalidInputError, NotFoundError) as exc:
        raise ApiProblem(
            422, "invalid_input", f"les droits ne peuvent pas être calculés : {exc}"
        ) from None


@op("createFeeOrder")
def _create_order(ctx: RequestContext) -> SandboxResponse:
    from ..api import FeeOrderCreate, fee_code_key
    from ..payments import PaymentOrder

    sb = ctx.sandbox
    record = _load(ctx)
    req = _validate(FeeOrderCreate, ctx.request.json())
    if record["state"] in ("DRAFT", "PLANS_SIGNED", "WITHDRAWN"):
        raise ApiProblem(
            422, "transition_not_allowed", "les droits se paient une fois le dossier déposé"
        )
    q = _quote_or_problem(sb, record)
    wire = [(_wire_line(sb, record, ln), ln) for ln in q.lines if ln.amount.amount > 0]
    if req.codes is not None:
        # The underscore spelling the API used before issue 15 (TOC_INDIVIDUEL) still selects.
        wanted = {fee_code_key(c) for c in req.codes}
        known = {fee_code_key(w["code"]) for w, _ in wire}
        unknown = [c for c in req.codes if fee_code_key(c) not in known]
        if unknown:
            raise ApiProblem(
                422, "invalid_input", f"codes inconnus dans le devis : {sorted(unknown)}"
            )
        wire = [(w, ln) for w, ln in wire if fee_code_key(w["code"]) in wanted]
    if not wire:
        raise ApiProblem(
            422, "payment_not_allowed", "rien n'est dû pour ce dossier : aucun ordre à émettre"
        )
    store = SandboxOrderStore(sb)
    now = ctx.now()
    from ..payments import OrderLine

    order = PaymentOrder(
        reference=store.next_reference(),
        commune=record["dossier"]["commune"],
        amount=Money(sum((ln.amount.amount for _, ln in wire), Decimal(0))),
        dossier_reference=record["id"],
        lines=tuple(
            OrderLine(
                code=w["code"], label_fr=w["label_fr"], label_ar=w["label_ar"], amount=ln.amount
            )
            for w, ln in wire
        ),
        created_at=now,
    )
    store.create(order)
    sb.store.put(
        "fee_order_meta",
        order.reference,
        {"lines": [w for w, _ in wire], "expires_at": (now + ORDER_VALIDITY).isoformat()},
        owner=record["id"],
    )
    body = _fee_order(sb, order)
    _emit(
        sb,
        "fee_order.created",
        "fee_order",
        order.reference,
        {"total": body["total"]},
        record["id"],
    )
    return SandboxResponse.json(body, 201)


@op("listFeeOrders")
def _list_orders(ctx: RequestContext) -> dict[str, Any]:
    from ..api import ListQuery

    record = _load(ctx)
    q = _query(ctx, ListQuery)
    orders = SandboxOrderStore(ctx.sandbox).list(dossier_reference=record["id"])
    items = [_fee_order(ctx.sandbox, o) for o in reversed(orders)]
    return _page(items, q.cursor, q.limit)


def _order_for_caller(ctx: RequestContext, order_id: str) -> Any:
    from ..payments import OrderNotFoundError

    try:
        order = SandboxOrderStore(ctx.sandbox).get(order_id)
    except OrderNotFoundError:
        raise ApiProblem(404, "not_found", f"aucun ordre de paiement {order_id}") from None
    try:
        _load(ctx, order.dossier_reference)
    except ApiProblem:
        raise ApiProblem(
            404, "not_found", f"aucun ordre de paiement {order_id} accessible avec ce jeton"
        ) from None
    return order


@op("getFeeOrder")
def _get_order(ctx: RequestContext) -> dict[str, Any]:
    return _fee_order(ctx.sandbox, _order_for_caller(ctx, ctx.params["order_id"]))


def payment_body(sb: Sandbox, pay: dict[str, Any]) -> dict[str, Any]:
    """The contract's Payment JSON of a stored attempt."""
    return {
        k: pay.get(k)
        for k in (
            "id",
            "order_id",
            "amount",
            "currency",
            "method",
            "status",
            "redirect_url",
            "gateway_reference",
            "failure_reason",
            "created_at",
            "updated_at",
        )
    }


@op("createPayment")
def _create_payment(ctx: RequestContext) -> SandboxResponse:
    from ..api import PaymentCreate
    from ..payments import PaymentState

    sb = ctx.sandbox
    user = _user(ctx)
    req = _validate(PaymentCreate, ctx.request.json())
    order = _order_for_caller(ctx, req.order_id)
    fee = _fee_order(sb, order)
    if fee["status"] != "open" or order.state not in (PaymentState.PENDING, PaymentState.FAILED):
        raise ApiProblem(
            422,
            "payment_not_allowed",
            f"l'ordre {order.reference} est {fee['status']} : il ne se paie plus",
        )
    method = req.method.value
    if method == "counter" and user.role != Role.REGISSEUR.value:
        raise ApiProblem(403, "forbidden", "seul le régisseur enregistre un paiement au guichet")
    if method == "card" and user.role == Role.REGISSEUR.value:
        raise ApiProblem(
            403, "forbidden", "le régisseur enregistre les paiements au guichet (method=counter)"
        )
    if method == "bank_transfer":
        raise ApiProblem(
            422,
            "payment_not_allowed",
            "le virement n'est pas simulé par ce sandbox : utilisez card (CMI) ou counter",
        )
    now = ctx.now().isoformat()
    pid = _new_id("pay")
    pay: dict[str, Any] = {
        "id": pid,
        "order_id": order.reference,
        "dossier_id": order.dossier_reference,
        "amount": str(order.amount.amount),
        "currency": "MAD",
        "method": method,
        "status": "pending",
        "redirect_url": None,
        "gateway_reference": None,
        "failure_reason": None,
        "created_at": now,
        "updated_at": now,
        "return_url": str(req.return_url) if req.return_url else None,
        "payer": user.id,
    }
    if method == "card":
        pay["redirect_url"] = f"{sb.base_url}/cmi/pay/{pid}"
    sb.store.put("payment", pid, pay, owner=order.reference, state="pending")
    if method == "counter":
        result = SandboxOrderStore(sb).transition(
            order.reference,
            PaymentState.CAPTURED,
            transaction_id=f"CTR-{pid}",
            amount=order.amount,
            note="guichet du régisseur",
        )
        settle_payment(sb, pay, succeeded=result.order.state.is_paid, reference=f"CTR-{pid}")
    return SandboxResponse.json(payment_body(sb, pay), 201)


def settle_payment(
    sb: Sandbox,
    pay: dict[str, Any],
    *,
    succeeded: bool,
    reference: str | None,
    reason: str | None = None,
) -> None:
    """Record the outcome of an attempt and tell subscribers."""
    pay["status"] = "succeeded" if succeeded else "failed"
    pay["gateway_reference"] = reference
    pay["failure_reason"] = None if succeeded else (reason or "paiement refusé")
    pay["updated_at"] = sb.clock.now().isoformat()
    sb.store.put("payment", pay["id"], pay, owner=pay["order_id"], state=pay["status"])
    _emit(
        sb,
        "payment.succeeded" if succeeded else "payment.failed",
        "payment",
        pay["id"],
        {"order_id": pay["order_id"], "amount": pay["amount"], "status": pay["status"]},
        pay["dossier_id"],
    )


@op("getPayment")
def _get_payment(ctx: RequestContext) -> dict[str, Any]:
    pay = ctx.store.get("payment", ctx.params["payment_id"])
    if pay is None:
        raise ApiProblem(404, "not_found", f"aucun paiement {ctx.params['payment_id']}")
    try:
        _load(ctx, pay["dossier_id"])
    except ApiProblem:
        raise ApiProblem(
            404, "not_found", f"aucun paiement {ctx.params['payment_id']} accessible avec ce jeton"
        ) from None
    return payment_body(ctx.sandbox, pay)
