"""The unit of work: one function per change a request makes to a dossier.

Each function checks the caller, applies the event through the procedure engine (a
copy of the record's :class:`~rokhas_sdk.procedure.Journal` records it, so a refused
event changes nothing) and returns an :class:`Outcome`: the new record, the activity
journal line and the webhook events. :func:`commit` writes the three in the request's
transaction (``Sandbox.handle`` opens one per request), so they are all stored or none.

Reading goes through :func:`load_for` (visibility, then what the law did on its own by
now: a tacit approval that fell due is applied and committed like any other change).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..models import Dossier, Piece, Role, SignatureOnPiece, procedure_kind_info
from ..procedure import Journal, TransitionRefused
from ._authz import DESIGNER_ROLES, can_see_dossier
from ._decisions import tacit_permit
from ._errors import ApiProblem
from ._orders import fees_paid
from ._record import (
    ActivityLine,
    DecisionRecord,
    DossierRecord,
    PermitRecord,
    WebhookEvent,
)
from ._requests import new_id
from ._rules import wire_events, wire_state
from ._users import SandboxUser

if TYPE_CHECKING:
    from ._core import RequestContext, Sandbox

__all__ = [
    "Outcome",
    "add_piece",
    "attach_permit_pdf",
    "commit",
    "context_for",
    "declare_tacit",
    "edit_draft",
    "emit",
    "file_dossier",
    "load_for",
    "refresh",
    "remove_piece",
    "resource",
    "sign_plans",
    "sweep_deadlines",
    "transition",
]

PLAN_TYPES = frozenset({"PLANS_ARCHITECTURAUX", "PLAN_TOPOGRAPHIQUE", "PLAN_MASSE"})
# When the platform takes pieces and edits (the sandbox's reading of the portal: a
# draft is edited, pieces come until filing and again when a complement is asked).
EDITABLE = frozenset({"DRAFT"})
PIECES_OPEN = frozenset({"DRAFT", "PLANS_SIGNED", "COMPLEMENT_REQUESTED"})
_NOT_FILED = frozenset({"DRAFT", "PLANS_SIGNED"})


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What one change produces: committed together by :func:`commit`."""

    record: DossierRecord
    line: ActivityLine | None
    webhooks: tuple[WebhookEvent, ...] = ()


def commit(sb: Sandbox, outcome: Outcome) -> DossierRecord:
    """Write the record, its journal line and its webhook events (request's transaction)."""
    with sb.store.transaction():
        sb.records.put(outcome.record)
        if outcome.line is not None:
            sb.store.journal_append(
                outcome.record.id, outcome.line.to_json(), seq=outcome.line.sequence
            )
        for event in outcome.webhooks:
            emit(sb, event)
    return outcome.record


def emit(sb: Sandbox, event: WebhookEvent) -> None:
    """Put a webhook event in the outbox (delivered once the transaction commits)."""
    sb.store.outbox_add(event.id, event.type, event.to_json())


def webhook(
    sb: Sandbox,
    type_: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    dossier_id: str | None,
) -> WebhookEvent:
    """A webhook event stamped with the sandbox's clock."""
    return WebhookEvent(
        new_id("evt"), type_, object_type, object_id, dossier_id, data, sb.clock.now()
    )


def _line(
    before: DossierRecord,
    after: DossierRecord,
    event: str,
    role: str,
    actor_name: str | None,
    data: dict[str, Any],
    at: datetime,
) -> ActivityLine:
    return ActivityLine(
        id=new_id("jrn"),
        dossier_id=after.id,
        sequence=after.activity_lines,
        event=event,
        actor_role=role,
        actor_name=actor_name,
        state_before=wire_state(before.state),
        state_after=wire_state(after.state),
        data=data,
        recorded_at=at,
    )


def _next(record: DossierRecord, at: datetime, **changes: Any) -> DossierRecord:
    return dataclasses.replace(
        record,
        version=record.version + 1,
        updated_at=at,
        activity_lines=record.activity_lines + 1,
        **changes,
    )


def _actor_role(user: SandboxUser | None) -> str:
    if user is None or user.role == "SANDBOX_ADMIN":
        return str(Role.SYSTEM.value)
    return user.role


# -- filing and editing a draft ---------------------------------------------------------
def file_dossier(
    sb: Sandbox, user: SandboxUser, dossier_id: str, dossier: Dossier, at: datetime
) -> Outcome:
    """A new draft: its journal opens the procedure of the dossier's kind."""
    from ..models import get_commune
    from ._users import canonical_commune

    journal = Journal.open(
        dossier.kind, at=at, actor=user.id, role=_actor_role(user), dossier=dossier_id
    )
    record = DossierRecord(
        id=dossier_id,
        dossier=dossier,
        journal=journal,
        version=1,
        created_by=user.id,
        commune=canonical_commune(dossier.commune),
        province=get_commune(dossier.commune).province_code,
        created_at=at,
        updated_at=at,
        activity_lines=1,
    )
    line = _line(record, record, "create", user.role, user.name, {}, at)
    created = webhook(
        sb,
        "dossier.created",
        "dossier",
        dossier_id,
        {"state": record.state, "kind": dossier.kind.value},
        dossier_id,
    )
    return Outcome(record, line, (created,))


def _require_filer(user: SandboxUser, record: DossierRecord, what_fr: str, what_ar: str) -> None:
    """Drafts are edited only by who filed them (a named architect reads, not rewrites)."""
    if record.created_by != user.id:
        raise ApiProblem(
            403,
            "forbidden",
            f"seul le déposant du dossier peut {what_fr} tant qu'il est en brouillon",
            f"وحده مودع الملف يمكنه {what_ar} ما دام في طور المسودة",
            details={"rule": "draft_edited_by_filer", "filed_by": record.created_by},
            hint="edit the draft with the token of the user who created it",
        )


def _require_state(record: DossierRecord, allowed: frozenset[str], fr: str, ar: str) -> None:
    if record.state not in allowed:
        raise ApiProblem(
            422,
            "dossier_not_editable",
            f"le dossier est à l'état {record.state} : {fr}",
            f"الملف في وضعية {record.state}: {ar}",
            details={"rule": "editable_states", "state": record.state, "allowed": sorted(allowed)},
        )


def edit_draft(
    sb: Sandbox, user: SandboxUser, record: DossierRecord, changes: Any, at: datetime
) -> Outcome:
    """Apply a ``DossierUpdate`` to a draft (by its filer); the result must stay valid."""
    _require_filer(user, record, "le modifier", "تعديله")
    _require_state(record, EDITABLE, "seul un brouillon se modifie", "لا يمكن تعديل سوى المسودة")
    merged = dict(sb.records.dossier_json(record))
    for name in changes.model_fields_set:
        value = getattr(changes, name)
        merged[name] = (
            None
            if value is None
            else (value.model_dump(mode="json") if hasattr(value, "model_dump") else value)
        )
    dossier = Dossier.model_validate(merged)
    fields = sorted(changes.model_fields_set)
    after = _next(record, at, dossier=dossier)
    line = _line(record, after, "update", user.role, user.name, {"fields": fields}, at)
    updated = webhook(sb, "dossier.updated", "dossier", record.id, {"fields": fields}, record.id)
    return Outcome(after, line, (updated,))


def add_piece(
    sb: Sandbox,
    user: SandboxUser,
    record: DossierRecord,
    piece_id: str,
    piece: Piece,
    at: datetime,
) -> Outcome:
    """A piece joins the dossier (drafts, and a complement when one was asked)."""
    _require_state(
        record, PIECES_OPEN, "on n'y ajoute plus de pièces", "لم يعد ممكنا إضافة وثائق إليه"
    )
    if record.state in _NOT_FILED:
        _require_filer_or_designer(user, record)
    dossier = record.dossier.model_copy(update={"pieces": [*record.dossier.pieces, piece]})
    after = _next(record, at, dossier=dossier, piece_ids=(*record.piece_ids, piece_id))
    data = {"piece_id": piece_id, "type": piece.type.value, "sha256": piece.sha256}
    line = _line(record, after, "upload_piece", user.role, user.name, data, at)
    uploaded = webhook(
        sb,
        "piece.uploaded",
        "piece",
        piece_id,
        {"type": piece.type.value, "sha256": piece.sha256},
        record.id,
    )
    return Outcome(after, line, (uploaded,))


def _require_filer_or_designer(user: SandboxUser, record: DossierRecord) -> None:
    # The designers named in a draft bring their plans; only the filer edits the rest.
    if record.created_by != user.id and user.role not in DESIGNER_ROLES:
        _require_filer(user, record, "y ajouter des pièces", "إضافة وثائق إليه")


def remove_piece(
    sb: Sandbox, user: SandboxUser, record: DossierRecord, piece_id: str, at: datetime
) -> Outcome:
    """A piece leaves a draft."""
    _require_state(record, EDITABLE, "ses pièces ne se retirent plus", "لم يعد ممكنا سحب وثائقه")
    _require_filer_or_designer(user, record)
    idx = record.piece_ids.index(piece_id)
    pieces = list(record.dossier.pieces)
    del pieces[idx]
    ids = record.piece_ids[:idx] + record.piece_ids[idx + 1 :]
    after = _next(
        record, at, dossier=record.dossier.model_copy(update={"pieces": pieces}), piece_ids=ids
    )
    line = _line(record, after, "delete_piece", user.role, user.name, {"piece_id": piece_id}, at)
    return Outcome(after, line)


# -- procedure events --------------------------------------------------------------------
def refusal_problem(
    refusal: TransitionRefused, allowed: list[str], *, field: str | None = None
) -> ApiProblem:
    """The 422 answer to an event the procedure refuses."""
    details: dict[str, Any] = {
        "rule": refusal.reason.value,
        "refusal": refusal.as_dict(),
        "allowed_events": allowed,
    }
    if field is not None:
        details["field"] = field
    return ApiProblem(
        422,
        "transition_not_allowed",
        refusal.message_fr,
        refusal.message_ar,
        details=details,
        hint=getattr(refusal, "hint", None) or None,
    )


def transition(
    sb: Sandbox,
    user: SandboxUser | None,
    record: DossierRecord,
    event: str,
    context: dict[str, Any],
    at: datetime,
    *,
    wire: str,
    data: dict[str, Any] | None = None,
    extra: Iterable[WebhookEvent] = (),
    event_at: datetime | None = None,
    announce: tuple[str, dict[str, Any]] | None = None,
    **changes: Any,
) -> Outcome:
    """Apply procedure ``event`` (wire name ``wire``) as ``user`` (None: the platform).

    ``event_at`` is the instant the law gives the event when it is not the request's
    (a tacit approval happens when the deadline ran out, whenever it is noticed).
    ``announce`` replaces the generic webhooks (``dossier.event_recorded``, and
    ``dossier.state_changed``) by one event of its own type (``dossier.submitted``).
    """
    role = _actor_role(user)
    journal = record.journal.copy()
    when = event_at or at
    try:
        journal.record(
            event,
            role=role,
            actor=user.id if user is not None else "platform",
            at=max(when, record.procedure.last_at or when),
            context=context or None,
        )
    except TransitionRefused as refusal:
        allowed = allowed_wire_events(record, role, at, {}) if user is not None else []
        raise refusal_problem(refusal, allowed) from None
    after = _next(record, at, journal=journal, **changes)
    entry = journal.lines[-1]
    proof = {"hash": entry[-66:-2].decode(), "prev_hash": record.journal.head}
    line = _line(
        record,
        after,
        wire,
        role,
        user.name if user is not None else "Plateforme",
        {**(data or {}), **proof},
        at,
    )
    if announce is not None:
        data_ = {"state": wire_state(after.state), **announce[1]}
        own = webhook(sb, announce[0], "dossier", record.id, data_, record.id)
        return Outcome(after, line, (own, *extra))
    hooks = [
        webhook(
            sb,
            "dossier.event_recorded",
            "dossier",
            record.id,
            {"event": wire, "state": wire_state(after.state)},
            record.id,
        )
    ]
    if after.state != record.state:
        hooks.append(
            webhook(
                sb,
                "dossier.state_changed",
                "dossier",
                record.id,
                {"state": wire_state(after.state), "before": wire_state(record.state)},
                record.id,
            )
        )
    hooks.extend(extra)
    return Outcome(after, line, tuple(hooks))


def sign_plans(
    sb: Sandbox,
    user: SandboxUser,
    record: DossierRecord,
    piece_ids: Iterable[str],
    at: datetime,
) -> Outcome:
    """The architect (or IGT) signs the plans: each plan piece gets their signature.

    A co-designer signing after the plans are signed (the IGT after the architect) adds
    a signature without a transition; everything else is the graph's ``sign_plans``.
    """
    info = procedure_kind_info(record.dossier.kind)
    wanted = set(piece_ids)
    pieces = list(record.dossier.pieces)
    signed = 0
    for idx, pid in enumerate(record.piece_ids):
        piece = pieces[idx]
        if piece.type.value not in PLAN_TYPES or (wanted and pid not in wanted):
            continue
        if any(s.role.value == user.role for s in piece.signed_by):
            continue
        sig = SignatureOnPiece(signer_name=user.name, role=Role(user.role))
        pieces[idx] = piece.model_copy(update={"signed_by": (*piece.signed_by, sig)})
        signed += 1
    dossier = record.dossier.model_copy(update={"pieces": pieces})
    co_signer = record.state == "PLANS_SIGNED" and user.role in {
        r.value for r in info.plans_signed_by
    }
    if not co_signer:
        return transition(
            sb,
            user,
            record,
            "sign_plans",
            {},
            at,
            wire="sign_plans",
            data={"pieces_signed": signed},
            dossier=dossier,
        )
    after = _next(record, at, dossier=dossier)
    line = _line(record, after, "sign_plans", user.role, user.name, {"pieces_signed": signed}, at)
    recorded = webhook(
        sb,
        "dossier.event_recorded",
        "dossier",
        record.id,
        {"event": "sign_plans", "state": wire_state(after.state)},
        record.id,
    )
    return Outcome(after, line, (recorded,))


def declare_tacit(
    sb: Sandbox, user: SandboxUser | None, record: DossierRecord, at: datetime, due: datetime
) -> Outcome:
    """Silence became consent: the tacit approval, its decision and its permit."""
    permit = tacit_permit(sb, record, due)
    issued = webhook(
        sb,
        "permit.issued",
        "permit",
        record.id,
        {"decision": "tacit", "number": permit.number},
        record.id,
    )
    return transition(
        sb,
        user,
        record,
        "record_tacit_approval",
        {},
        at,
        event_at=due,
        wire="declare_tacit_approval",
        data={"tacit_approval_at": due.isoformat()},
        extra=(issued,),
        decision=DecisionRecord("tacit", due),
        permit=PermitRecord(permit, due),
    )


def attach_permit_pdf(record: DossierRecord, digest: str) -> DossierRecord:
    """The record once its permit's signed PDF is made (no journal line: not an event)."""
    assert record.permit is not None
    return dataclasses.replace(
        record,
        version=record.version + 1,
        permit=dataclasses.replace(record.permit, pdf_sha256=digest),
    )


# -- reading ------------------------------------------------------------------------------
def load_for(ctx: RequestContext, dossier_id: str | None = None) -> DossierRecord:
    """The dossier the caller asks for, as the law has it now; 404 if they may not see it."""
    did = dossier_id or ctx.params["dossier_id"]
    record = ctx.sandbox.records.get(did)
    user = ctx.require_user()
    if record is not None:
        record = refresh(ctx.sandbox, record)
    if record is None or not can_see_dossier(user, record):
        raise ApiProblem(
            404,
            "not_found",
            f"aucun dossier {did} accessible avec ce jeton",
            f"لا يوجد ملف {did} متاح بهذا الرمز",
            details={"field": "dossier_id", "dossier_id": did},
        )
    return record


def refresh(sb: Sandbox, record: DossierRecord) -> DossierRecord:
    """Apply what the law does on its own by now (a tacit approval that fell due)."""
    if record.state in _NOT_FILED or not record.procedure.seq:
        return record
    now = sb.clock.now()
    _, tacit_at = sb.deadlines.due_and_tacit(record, now)
    if tacit_at is None or now < tacit_at:
        return record
    try:
        outcome = declare_tacit(sb, None, record, now, tacit_at)
    except ApiProblem:  # the graph has no tacit approval from here: nothing happens
        return record
    return commit(sb, outcome)


def sweep_deadlines(sb: Sandbox) -> int:
    """Apply the tacit approvals that are due (called when the clock moves)."""
    n = 0
    for record in sb.records.scan():
        if refresh(sb, record) is not record:
            n += 1
    return n


def context_for(sb: Sandbox, record: DossierRecord, role: str) -> dict[str, Any]:
    """Facts the procedure's guards need, as the platform knows them now."""
    ctx: dict[str, Any] = {}
    state = record.state
    if state in ("PLANS_SIGNED", "COMPLEMENT_REQUESTED", "DRAFT"):
        ctx["missing_pieces"] = [m.code for m in record.dossier.missing_for_submission()]
    if state == "PENDING_SIGNATURE":
        ctx["fees_paid"] = fees_paid(sb, record)
    return ctx


def allowed_wire_events(
    record: DossierRecord, role: str, at: datetime, context: dict[str, Any]
) -> list[str]:
    """Wire names of the events ``role`` may post now."""
    from ..procedure import allowed_events

    try:
        role_ = Role(role)
    except ValueError:
        return []
    infos = allowed_events(record.procedure, role_, at=at, context=context or None)
    return wire_events([i.id for i in infos])


def resource(sb: Sandbox, record: DossierRecord, user: SandboxUser | None) -> dict[str, Any]:
    """The DossierResource JSON of a record, as the caller sees it."""
    now = sb.clock.now()
    missing: list[dict[str, Any]] = []
    if record.state in ("DRAFT", "PLANS_SIGNED", "COMPLEMENT_REQUESTED"):
        missing = [m.model_dump(mode="json") for m in record.dossier.missing_for_submission()]
    allowed: list[str] = []
    if user is not None and user.role != "SANDBOX_ADMIN":
        allowed = allowed_wire_events(record, user.role, now, context_for(sb, record, user.role))
    due, _ = sb.deadlines.due_and_tacit(record, now)
    return {
        "id": record.id,
        "state": wire_state(record.state),
        "version": record.version,
        "dossier": sb.records.dossier_json(record),
        "missing": missing,
        "allowed_events": allowed,
        "due_at": due.isoformat() if due else None,
        "permit_number": record.permit.number if record.permit else None,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "submitted_at": record.submitted_at.isoformat() if record.submitted_at else None,
    }
