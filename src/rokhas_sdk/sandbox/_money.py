"""Fees, fee orders and payments: amounts from ``rokhas_sdk.payments``, kept in the sandbox's store.

A fee order of the contract *is* a ``payments.PaymentOrder`` (its reference is the order
id and the CMI ``oid``), stored through :class:`SandboxOrderStore`, an implementation of
``payments.OrderStore`` on the sandbox's SQLite database, so an order changes in the
same transaction as the request that changes it. The CMI callback is judged by
``payments.cmi.CmiCallbackHandler`` on that store.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..models import Money, Role
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._orders import SandboxOrderStore, quote_for
from ._record import DossierRecord
from ._requests import cursor_page, new_id, query, validate
from ._unit import emit, load_for, webhook

if TYPE_CHECKING:
    from ._core import Handler, RequestContext, Sandbox

__all__ = ["HANDLERS", "payment_body", "settle_payment"]

ORDER_VALIDITY = timedelta(days=30)


def _emit(
    sb: Sandbox,
    type_: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    dossier_id: str | None = None,
) -> None:
    emit(sb, webhook(sb, type_, object_type, object_id, data, dossier_id))


def _user(ctx: RequestContext) -> Any:
    return ctx.require_user()


def _load(ctx: RequestContext, dossier_id: str | None = None) -> DossierRecord:
    return load_for(ctx, dossier_id)


_new_id, _page, _query, _validate = new_id, cursor_page, query, validate


def _payee(sb: Sandbox, record: DossierRecord, line: Any) -> str:
    from ..models import get_commune

    tax = str(getattr(line, "tax", "")).upper()
    if "AGENCE" in tax or "RSR" in tax or tax.startswith("AU"):
        return "Agence urbaine"
    return f"Commune de {get_commune(record.dossier.commune).name_fr}"


def _wire_line(sb: Sandbox, record: DossierRecord, line: Any) -> dict[str, Any]:
    return {
        "code": str(line.code),  # the library's fee code, as in rokhas_sdk.payments
        "label_fr": line.label_fr,
        "label_ar": line.label_ar,
        "amount": str(line.amount.amount),
        "payee": _payee(sb, record, line),
        "legal_basis": line.legal_basis or None,
        "base": f"{line.base} {line.unit.value} x {line.rate}",
    }


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


def _quote(ctx: RequestContext) -> dict[str, Any]:
    record = _load(ctx)
    q = _quote_or_problem(ctx.sandbox, record)
    return {
        "dossier_id": record.id,
        "lines": [_wire_line(ctx.sandbox, record, ln) for ln in q.lines],
        "total": str(q.total.amount),
        "currency": "MAD",
        "computed_at": ctx.now().isoformat(),
        "schedule_version": q.schedule_version or None,
    }


def _quote_or_problem(sb: Sandbox, record: DossierRecord) -> Any:
    from .._errors import InvalidInputError, NotFoundError

    try:
        return quote_for(sb, record)
    except (InvalidInputError, NotFoundError) as exc:
        raise ApiProblem(
            422, "invalid_input", f"les droits ne peuvent pas être calculés : {exc}"
        ) from None


def _create_order(ctx: RequestContext) -> SandboxResponse:
    from ..api import FeeOrderCreate, fee_code_key
    from ..payments import PaymentOrder

    sb = ctx.sandbox
    record = _load(ctx)
    req = _validate(FeeOrderCreate, ctx.request.json())
    if record.state in ("DRAFT", "PLANS_SIGNED", "WITHDRAWN"):
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
        commune=record.dossier.commune,
        amount=Money(sum((ln.amount.amount for _, ln in wire), Decimal(0))),
        dossier_reference=record.id,
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
        owner=record.id,
    )
    body = _fee_order(sb, order)
    _emit(
        sb,
        "fee_order.created",
        "fee_order",
        order.reference,
        {"total": body["total"]},
        record.id,
    )
    return SandboxResponse.json(body, 201)


def _list_orders(ctx: RequestContext) -> dict[str, Any]:
    from ..api import ListQuery

    record = _load(ctx)
    q = _query(ctx, ListQuery)
    orders = SandboxOrderStore(ctx.sandbox).list(dossier_reference=record.id)
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
    if succeeded:
        _cancel_other_attempts(sb, pay)


def _cancel_other_attempts(sb: Sandbox, paid: dict[str, Any]) -> None:
    """Once an order is paid, its other pending attempts can no longer pay it: they are
    ``cancelled`` (their page says so, and CMI's late approval of one is voided)."""
    pending = sb.store.scan("payment", owner=paid["order_id"], state="pending", limit=1_000_000)
    for _, other in pending:
        if other["id"] != paid["id"]:
            other["status"] = "cancelled"
            other["failure_reason"] = f"ordre payé par le paiement {paid['id']}"
            other["updated_at"] = paid["updated_at"]
            sb.store.put("payment", other["id"], other, owner=other["order_id"], state="cancelled")


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


HANDLERS: dict[str, Handler] = {
    "quoteFees": _quote,
    "createFeeOrder": _create_order,
    "listFeeOrders": _list_orders,
    "getFeeOrder": _get_order,
    "createPayment": _create_payment,
    "getPayment": _get_payment,
}
