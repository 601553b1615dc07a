"""Resource: a dossier's procedure events (post one, list the journal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._decisions import claim_permit_number, compose_permit
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._orders import fees_paid
from ._record import DecisionRecord, PermitRecord
from ._requests import cursor_page, query, validate
from ._rules import procedure_event
from ._unit import (
    Outcome,
    commit,
    context_for,
    declare_tacit,
    load_for,
    sign_plans,
    transition,
    webhook,
)

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["HANDLERS"]


def _post_event(ctx: RequestContext) -> SandboxResponse:
    from ..api import get_operation

    sb = ctx.sandbox
    record = load_for(ctx)
    user = ctx.require_user()
    event = validate(get_operation("postDossierEvent").request_adapter(), ctx.request.json())
    wire = event.event
    payload = event.model_dump(mode="json")
    now = ctx.now()
    if event.occurred_at is not None and event.occurred_at > now:
        raise ApiProblem(
            422,
            "invalid_input",
            "occurred_at est dans le futur de la plateforme",
            "occurred_at يقع في مستقبل المنصة",
            details={"field": "occurred_at", "platform_now": now.isoformat()},
        )
    name = procedure_event(wire, payload)
    if wire == "sign_plans":
        outcome = sign_plans(sb, user, record, event.piece_ids, now)
        commit(sb, outcome)
        return SandboxResponse.json(_line_of(outcome), 201)
    if wire == "declare_tacit_approval":
        _, tacit_at = sb.deadlines.due_and_tacit(record, now)
        outcome = declare_tacit(sb, user, record, now, tacit_at or now)
        commit(sb, outcome)
        return SandboxResponse.json(_line_of(outcome), 201)
    context = context_for(sb, record, user.role)
    if wire != "provide_complement":
        context.pop("missing_pieces", None)
    changes: dict[str, Any] = {}
    extra = []
    if wire == "record_opinion":
        if user.body is None or user.body.value != payload["body"]:
            mine = user.body.value if user.body else "-"
            raise ApiProblem(
                403,
                "forbidden",
                f"un membre de la commission pour {mine} ne peut pas saisir l'avis de "
                f"{payload['body']}",
                f"عضو اللجنة عن {mine} لا يمكنه إدخال رأي {payload['body']}",
                details={
                    "field": "body",
                    "rule": "own_body_opinion",
                    "your_body": user.body.value if user.body else None,
                    "event_body": payload["body"],
                },
            )
        context.update({"body": payload["body"], "opinion": payload["opinion"]})
    elif wire == "issue_decision":
        if payload["decision"] == "refused":
            if not event.reasons_fr:
                raise ApiProblem(
                    422,
                    "invalid_input",
                    "un refus doit être motivé : donnez reasons_fr",
                    "يجب تعليل الرفض: أدخل reasons_fr",
                    details={"field": "reasons_fr", "rule": "reason_required"},
                )
            context["reason"] = "; ".join(event.reasons_fr)
            changes["decision"] = DecisionRecord("refused", now, tuple(event.reasons_fr))
            extra.append(
                webhook(
                    sb,
                    "permit.refused",
                    "dossier",
                    record.id,
                    {"reasons_fr": list(event.reasons_fr)},
                    record.id,
                )
            )
        else:
            permit = compose_permit(
                sb, record, now, permit=event.permit, overrides=getattr(event, "overrides", None)
            )
            context["fees_paid"] = fees_paid(sb, record)
            changes["decision"] = DecisionRecord("granted", now)
            changes["permit"] = PermitRecord(permit, now)
            extra.append(
                webhook(
                    sb, "permit.issued", "permit", record.id, {"number": permit.number}, record.id
                )
            )
    elif wire == "provide_complement":
        context["missing_pieces"] = [m.code for m in record.dossier.missing_for_submission()]
    elif wire == "appeal_decision":
        context["reason"] = "; ".join(event.grounds_fr)
    elif wire == "declare_works_completion":
        context["architect_attestation"] = event.attestation_piece_id is not None
    data = {k: v for k, v in payload.items() if k != "event" and v not in (None, [], {})}
    if "permit" in changes:
        data["permit"] = changes["permit"].data.model_dump(mode="json")
    outcome = transition(
        sb, user, record, name, context, now, wire=wire, data=data, extra=extra, **changes
    )
    if "permit" in changes:
        # After the procedure accepted the grant: a refused grant claims no number.
        claim_permit_number(sb, record, changes["permit"].number)
    commit(sb, outcome)
    return SandboxResponse.json(_line_of(outcome), 201)


def _line_of(outcome: Outcome) -> dict[str, Any]:
    assert outcome.line is not None  # every procedure event writes a line
    return outcome.line.to_json()


def _list_events(ctx: RequestContext) -> dict[str, Any]:
    from ..api import ListQuery

    record = load_for(ctx)
    q = query(ctx, ListQuery)
    return cursor_page(ctx.store.journal(record.id), q.cursor, q.limit)


HANDLERS: dict[str, Handler] = {
    "postDossierEvent": _post_event,
    "listDossierEvents": _list_events,
}
