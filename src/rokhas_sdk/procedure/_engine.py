"""The pure transition function: ``apply(state, event, role=..., at=..., context=...)``.

No I/O, no clock reading, no randomness: the same inputs always give the same result,
which is what makes journal replay reproduce the live state exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import InvalidInputError
from ..models import CommissionBody, ProcedureFamily, ProcedureKind, Role
from . import _data
from ._calendar import fixed, local_date
from ._clocks import DEFAULT_POLICY, ClockPolicy, due_instant, filing_windows
from ._definitions import (
    SIGNATURE_KEY,
    EventInfo,
    ProcedureDefinition,
    Transition,
    definition,
    kind_info,
)
from ._errors import RefusalReason, TransitionRefused, UnknownProcedureError
from ._state import EMPTY_CONTEXT, FLAG_FIELDS, Context, ProcedureState

__all__ = ["allowed_events", "apply", "check", "start"]

_ROLES: dict[str, Role] = {r.value: r for r in Role}
# ``ProcedureState`` is a named tuple: building it through tuple.__new__ skips the
# generated Python-level constructor (one call per replayed event).
_new_state = tuple.__new__
_KINDS: dict[str, ProcedureKind] = {k.value: k for k in ProcedureKind}


def start(
    which: ProcedureKind | ProcedureFamily | str, *, at: dt.datetime | None = None
) -> ProcedureState:
    """A new procedure in its graph's initial state.

    ``which`` is a :class:`ProcedureKind` (a dossier's procedure) or ``"signature_key"``
    (the key-delivery machine of the 2020 circular).
    """
    kind: ProcedureKind | None = None
    if isinstance(which, ProcedureKind):
        kind = which
    elif isinstance(which, str) and not isinstance(which, ProcedureFamily):
        kind = _KINDS.get(which)
    if kind is None and which != SIGNATURE_KEY:
        raise UnknownProcedureError(
            f"cannot start {which!r}: pass a ProcedureKind (e.g. "
            f"'{ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET.value}') or {SIGNATURE_KEY!r}"
        )
    d = definition(kind if kind is not None else SIGNATURE_KEY)
    return ProcedureState(
        graph=d.name, kind=kind, state=d.initial, last_at=fixed(at) if at is not None else None
    )


def as_role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    found = _ROLES.get(role)
    if found is None:
        raise InvalidInputError(f"unknown role {role!r}; roles: {', '.join(_ROLES)}")
    return found


def _definition(state: ProcedureState) -> ProcedureDefinition:
    return definition(state.kind if state.kind is not None else state.graph)


def check(
    state: ProcedureState,
    event: str,
    *,
    role: Role | str,
    at: dt.datetime,
    context: Context | Mapping[str, Any] | None = None,
    policy: ClockPolicy | None = None,
) -> TransitionRefused | None:
    """The refusal ``apply`` would raise, or ``None`` when the event is allowed."""
    at = fixed(at)
    try:
        find_transition(
            _definition(state),
            state,
            event,
            as_role(role),
            at,
            _context(context),
            policy or DEFAULT_POLICY,
        )
    except TransitionRefused as refusal:
        return refusal
    return None


def apply(
    state: ProcedureState,
    event: str,
    *,
    role: Role | str,
    at: dt.datetime,
    context: Context | Mapping[str, Any] | None = None,
    policy: ClockPolicy | None = None,
) -> ProcedureState:
    """Apply ``event`` done by ``role`` at instant ``at``; return the new state.

    Raises :class:`TransitionRefused` (reason code + French/Arabic message) when the
    graph, the role or a guard refuses it; the input state is never modified.
    """
    ctx = _context(context)
    role_ = as_role(role)
    at = fixed(at)
    transition = find_transition(
        _definition(state), state, event, role_, at, ctx, policy or DEFAULT_POLICY
    )
    return advance_state(state, transition, at, ctx)


def _context(context: Context | Mapping[str, Any] | None) -> Context:
    if context is None:
        return EMPTY_CONTEXT
    if isinstance(context, Context):
        return context
    return Context.from_dict(context)


def find_transition(
    d: ProcedureDefinition,
    state: ProcedureState,
    event: str,
    role: Role,
    at: dt.datetime,
    ctx: Context,
    policy: ClockPolicy,
) -> Transition:
    # ``at`` is aware here: apply()/check() pass it through fixed(), replay checks it.
    t = d.transitions.get((state.state, event))
    if t is None:
        if event not in d.events:
            reason = RefusalReason.UNKNOWN_EVENT
        elif d.is_terminal(state.state):
            reason = RefusalReason.TERMINAL_STATE
        else:
            reason = RefusalReason.EVENT_NOT_ALLOWED
        raise TransitionRefused(reason, state=state.state, event=event, role=role.value)
    if role not in t.roles:
        allowed = ", ".join(sorted(r.value for r in t.roles))
        raise TransitionRefused(
            RefusalReason.ROLE_NOT_PERMITTED,
            state=state.state,
            event=event,
            role=role.value,
            detail=f"allowed roles: {allowed}",
            detail_ar=f"الصفات المؤهلة: {allowed}",
        )
    if state.last_at is not None and at < state.last_at:
        raise TransitionRefused(
            RefusalReason.TIME_ORDER,
            state=state.state,
            event=event,
            role=role.value,
            detail=f"{at.isoformat()} < {state.last_at.isoformat()}",
        )
    for guard in t.guards:
        refusal = _GUARDS[guard](state, ctx, at, role, policy)
        if refusal is not None:
            reason, detail = refusal
            raise TransitionRefused(
                reason, state=state.state, event=event, role=role.value, detail=detail
            )
    return t


def advance_state(
    state: ProcedureState, t: Transition, at: dt.datetime, ctx: Context
) -> ProcedureState:
    # Positional construction: this runs once per replayed event (the bench's hot path).
    event = t.event
    complements, appeals = state.complement_requests, state.appeals
    opinions, flags = state.opinions, state.flags
    if event == "request_complement":
        complements += 1
    elif event == "appeal":
        appeals += 1
    elif event == "enter_opinion" and ctx.body is not None and ctx.opinion is not None:
        body = ctx.body
        opinions = (*[p for p in opinions if p[0] is not body], (body, ctx.opinion))
    elif event == "submit":
        changed = set(flags)
        for name in FLAG_FIELDS:
            value = getattr(ctx, name)
            if value is True:
                changed.add(name)
            elif value is False:
                changed.discard(name)
        flags = frozenset(changed)
    elif event == "open_inquiry":
        flags = flags | {"inquiry_done"}
    elif event == "record_payment":
        flags = flags | {"fees_paid"}
    return _new_state(
        ProcedureState,
        (
            state.graph,
            state.kind,
            t.target,
            state.seq + 1,
            at,
            (*state.marks, (event, at)),
            complements,
            appeals,
            opinions,
            flags,
        ),
    )


def allowed_events(
    state: ProcedureState,
    role: Role | str | None = None,
    *,
    at: dt.datetime | None = None,
    context: Context | Mapping[str, Any] | None = None,
    policy: ClockPolicy | None = None,
) -> tuple[EventInfo, ...]:
    """Events the table allows from ``state`` (to ``role`` when given).

    With ``at`` (and ``context``), the guards are evaluated too, so only events that
    ``apply`` would accept right now are listed.
    """
    d = _definition(state)
    role_ = as_role(role) if role is not None else None
    out = []
    for t in d.outgoing(state.state):
        if role_ is not None and role_ not in t.roles:
            continue
        if at is not None:
            who = role_ if role_ is not None else next(iter(sorted(t.roles, key=lambda r: r.value)))
            if check(state, t.event, role=who, at=at, context=context, policy=policy) is not None:
                continue
        out.append(d.events[t.event])
    return tuple(out)


# --- guards: each returns None (pass) or (reason, detail) ---------------------------

Refusal = tuple[RefusalReason, str] | None
Guard = Callable[[ProcedureState, Context, dt.datetime, Role, ClockPolicy], Refusal]


def _g_missing(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if ctx.missing_pieces:
        return RefusalReason.MISSING_PIECES, ", ".join(ctx.missing_pieces)
    return None


def _g_first_complement(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if state.complement_requests >= 1:
        return RefusalReason.SECOND_COMPLEMENT_REQUEST, "Loi 55-19"
    return None


def _clock_due(
    state: ProcedureState, at: dt.datetime, p: ClockPolicy, purpose: str, lazy: bool = False
) -> dt.datetime | None:
    return due_instant(state, at, p, purpose, only_if_reached=lazy)


def _before_deadline(purpose: str, reason: RefusalReason, word: str) -> Guard:
    """A guard that refuses once the ``purpose`` clock has run out (e.g. tacit approval)."""

    def guard(
        state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
    ) -> Refusal:
        due = _clock_due(state, at, p, purpose, lazy=True)
        if due is not None and at >= due:
            return reason, f"{word} {due.isoformat()}"
        return None

    return guard


def _deadline_reached(purpose: str, reason: RefusalReason, clock: str, word: str) -> Guard:
    """A guard that refuses until the ``purpose`` clock has run out (or if none runs)."""

    def guard(
        state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
    ) -> Refusal:
        due = _clock_due(state, at, p, purpose)
        if due is None:
            return reason, f"no {clock} clock is running"
        if at < due:
            return reason, f"{word} {due.isoformat()}"
        return None

    return guard


_g_not_after_tacit = _before_deadline("tacit_approval", RefusalReason.AFTER_TACIT_APPROVAL, "since")
_g_validity_ok = _before_deadline("validity", RefusalReason.VALIDITY_EXPIRED, "expired")
_g_tacit_passed = _deadline_reached(
    "tacit_approval", RefusalReason.TACIT_DEADLINE_NOT_REACHED, "tacit-approval", "due"
)
_g_decision_passed = _deadline_reached(
    "maximum", RefusalReason.DECISION_DEADLINE_NOT_REACHED, "decision", "due"
)
_g_validity_expired = _deadline_reached(
    "validity", RefusalReason.VALIDITY_NOT_EXPIRED, "validity", "valid until"
)


def _g_fees(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    # Paid when the régisseur recorded it (``record_payment``) or the event states it.
    if ctx.fees_paid is False or (ctx.fees_paid is not True and "fees_paid" not in state.flags):
        return RefusalReason.FEES_UNPAID, "record_payment first, or pass context.fees_paid=true"
    return None


def _g_key(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if ctx.signer_key_active is False:
        return RefusalReason.SIGNER_KEY_INACTIVE, role.value
    return None


def _g_reason(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if not (ctx.reason and ctx.reason.strip()):
        return RefusalReason.REASON_REQUIRED, "context.reason"
    return None


def _g_opinion(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if ctx.opinion is None or ctx.body is None:
        return RefusalReason.OPINION_REQUIRED, "context.opinion and context.body"
    return None


def _bodies(state: ProcedureState) -> tuple[frozenset[CommissionBody], tuple[CommissionBody, ...]]:
    if state.kind is None:
        return frozenset(), ()
    info = kind_info(state.kind)
    return info.commission_bodies, info.required_opinions


def _g_body(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    sits, _ = _bodies(state)
    if ctx.body is None or ctx.body not in sits:
        return RefusalReason.BODY_NOT_ON_COMMISSION, ctx.body.value if ctx.body else "none"
    return None


def _g_required(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    _, required = _bodies(state)
    have = {b for b, _ in state.opinions}
    missing = [b.value for b in required if b not in have]
    if missing:
        return RefusalReason.OPINIONS_MISSING, ", ".join(missing)
    return None


def _g_window(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if state.kind is None:
        return None
    windows = filing_windows(state.kind, p)
    if not windows:
        return None
    day = local_date(at)
    if any(a <= day <= b for a, b in windows):
        return None
    spans = "; ".join(f"{a.isoformat()}..{b.isoformat()}" for a, b in windows)
    return RefusalReason.OUTSIDE_FILING_WINDOW, spans


def _g_first_appeal(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if state.appeals >= 1:
        return RefusalReason.SECOND_APPEAL, ""
    return None


def _requires(state: ProcedureState, what: str) -> bool:
    if state.kind is None:
        return False
    info = kind_info(state.kind)
    return bool(info.requires_inquiry if what == "inquiry" else info.requires_commission)


def _g_inquiry_required(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if not _requires(state, "inquiry"):
        return RefusalReason.STEP_NOT_APPLICABLE, "no commodo-incommodo inquiry for this kind"
    return None


def _g_commission_required(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if not _requires(state, "commission"):
        return RefusalReason.STEP_NOT_APPLICABLE, "no commission for this kind"
    return None


def _g_commission_not_required(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if _requires(state, "commission"):
        return RefusalReason.STEP_NOT_APPLICABLE, "this kind goes through a commission"
    return None


def _g_inquiry_done(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if _requires(state, "inquiry") and "inquiry_done" not in state.flags:
        return RefusalReason.INQUIRY_REQUIRED, ""
    return None


def _g_attestation(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if ctx.architect_attestation is not True:
        return RefusalReason.ATTESTATION_REQUIRED, "context.architect_attestation"
    return None


def _g_provisional(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    if ctx.in_lotissement and ctx.provisional_acceptance is not True:
        return RefusalReason.PROVISIONAL_ACCEPTANCE_MISSING, "Loi 12-90 art. 57"
    return None


def _g_authority(
    state: ProcedureState, ctx: Context, at: dt.datetime, role: Role, p: ClockPolicy
) -> Refusal:
    multi = "multi_commune" in state.flags
    if multi and role is not Role.GOUVERNEUR:
        return RefusalReason.WRONG_AUTHORITY, "multi-commune land: the governor (or wali) decides"
    if not multi and role is Role.GOUVERNEUR:
        return RefusalReason.WRONG_AUTHORITY, "single-commune land: the commune president decides"
    return None


_GUARDS: dict[str, Guard] = {
    "no_missing_pieces": _g_missing,
    "first_complement_request": _g_first_complement,
    "not_after_tacit_approval": _g_not_after_tacit,
    "fees_paid": _g_fees,
    "signer_key_active": _g_key,
    "reason_given": _g_reason,
    "opinion_given": _g_opinion,
    "body_sits_on_commission": _g_body,
    "required_opinions_entered": _g_required,
    "tacit_deadline_passed": _g_tacit_passed,
    "decision_deadline_passed": _g_decision_passed,
    "validity_not_expired": _g_validity_ok,
    "validity_expired": _g_validity_expired,
    "within_filing_window": _g_window,
    "first_appeal": _g_first_appeal,
    "inquiry_required": _g_inquiry_required,
    "commission_required": _g_commission_required,
    "commission_not_required": _g_commission_not_required,
    "inquiry_done_if_required": _g_inquiry_done,
    "architect_attestation": _g_attestation,
    "provisional_acceptance_if_lotissement": _g_provisional,
    "authority_for_territory": _g_authority,
}
assert set(_GUARDS) == _data.GUARDS, "every guard named in the data vocabulary has code"
