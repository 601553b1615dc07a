"""The tables: labels, reachability, and the complete (state, event, role) matrix."""

from __future__ import annotations

import pytest
from procedure_helpers import at

from rokhas_sdk.models import Opinion, ProcedureFamily, ProcedureKind, Role
from rokhas_sdk.procedure import (
    SIGNATURE_KEY,
    Context,
    EventInfo,
    ProcedureDefinition,
    ProcedureState,
    RefusalReason,
    StateInfo,
    UnknownProcedureError,
    apply,
    check,
    definition,
    definitions,
    kind_info,
)

# Which refusal each guard may produce: an allowed (state, event, role) triple may only
# be refused for one of the reasons of its own guards.
GUARD_REASONS = {
    "no_missing_pieces": {RefusalReason.MISSING_PIECES},
    "first_complement_request": {RefusalReason.SECOND_COMPLEMENT_REQUEST},
    "not_after_tacit_approval": {RefusalReason.AFTER_TACIT_APPROVAL},
    "fees_paid": {RefusalReason.FEES_UNPAID},
    "signer_key_active": {RefusalReason.SIGNER_KEY_INACTIVE},
    "reason_given": {RefusalReason.REASON_REQUIRED},
    "opinion_given": {RefusalReason.OPINION_REQUIRED},
    "body_sits_on_commission": {RefusalReason.BODY_NOT_ON_COMMISSION},
    "required_opinions_entered": {RefusalReason.OPINIONS_MISSING},
    "tacit_deadline_passed": {RefusalReason.TACIT_DEADLINE_NOT_REACHED},
    "decision_deadline_passed": {RefusalReason.DECISION_DEADLINE_NOT_REACHED},
    "validity_not_expired": {RefusalReason.VALIDITY_EXPIRED},
    "validity_expired": {RefusalReason.VALIDITY_NOT_EXPIRED},
    "within_filing_window": {RefusalReason.OUTSIDE_FILING_WINDOW},
    "first_appeal": {RefusalReason.SECOND_APPEAL},
    "inquiry_required": {RefusalReason.STEP_NOT_APPLICABLE},
    "commission_required": {RefusalReason.STEP_NOT_APPLICABLE},
    "commission_not_required": {RefusalReason.STEP_NOT_APPLICABLE},
    "inquiry_done_if_required": {RefusalReason.INQUIRY_REQUIRED},
    "architect_attestation": {RefusalReason.ATTESTATION_REQUIRED},
    "provisional_acceptance_if_lotissement": {RefusalReason.PROVISIONAL_ACCEPTANCE_MISSING},
    "authority_for_territory": {RefusalReason.WRONG_AUTHORITY},
}


def _subjects() -> list[tuple[ProcedureDefinition, ProcedureKind | None]]:
    out: list[tuple[ProcedureDefinition, ProcedureKind | None]] = []
    for d in definitions():
        if d.name == SIGNATURE_KEY:
            out.append((d, None))
        out.extend((d, k) for k in d.kinds)
    return out


def test_every_kind_and_family_has_a_graph() -> None:
    for kind in ProcedureKind:
        assert definition(kind).name == kind_info(kind).family
    for family in ProcedureFamily:
        assert definition(family).kinds, f"family {family.value} has no kind"
    assert definition(SIGNATURE_KEY).initial == "AWAITING_CONTACT"


def test_unknown_graph_is_a_typed_error() -> None:
    with pytest.raises(UnknownProcedureError, match="known graphs"):
        definition("no_such_graph")


@pytest.mark.parametrize("d", definitions(), ids=lambda d: d.name)
def test_states_and_events_carry_french_and_arabic_labels(d: ProcedureDefinition) -> None:
    infos: list[StateInfo | EventInfo] = [*d.states.values(), *d.events.values()]
    for info in infos:
        assert info.label_fr.strip()
        assert info.label_ar.strip()
        assert any("\u0600" <= ch <= "\u06ff" for ch in info.label_ar), info.id


@pytest.mark.parametrize("d", definitions(), ids=lambda d: d.name)
def test_every_state_is_reachable_from_the_initial_state(d: ProcedureDefinition) -> None:
    seen = {d.initial}
    frontier = [d.initial]
    while frontier:
        state = frontier.pop()
        for t in d.outgoing(state):
            if t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(d.states)


@pytest.mark.parametrize("d", definitions(), ids=lambda d: d.name)
def test_some_state_is_terminal_and_every_nonterminal_state_has_an_exit(
    d: ProcedureDefinition,
) -> None:
    assert any(s.terminal for s in d.states.values())
    for sid, info in d.states.items():
        assert info.terminal == (not d.outgoing(sid))


def _permissive(kind: ProcedureKind | None) -> Context:
    body = None
    if kind is not None and kind_info(kind).commission_bodies:
        body = sorted(kind_info(kind).commission_bodies)[0]
    return Context(
        fees_paid=True,
        signer_key_active=True,
        reason="motif",
        opinion=Opinion.FAVORABLE,
        body=body,
        architect_attestation=True,
        provisional_acceptance=True,
    )


@pytest.mark.parametrize(
    ("d", "kind"),
    _subjects(),
    ids=lambda v: v.name if isinstance(v, ProcedureDefinition) else str(v),
)
def test_every_state_event_role_triple_is_a_transition_or_a_reasoned_refusal(
    d: ProcedureDefinition, kind: ProcedureKind | None
) -> None:
    when = at(2026, 3, 2)
    ctx = _permissive(kind)
    allowed = refused = 0
    for sid, info in d.states.items():
        state = ProcedureState(graph=d.name, kind=kind, state=sid)
        for event in [*d.events, "no_such_event"]:
            transition = d.transitions.get((sid, event))
            for role in Role:
                refusal = check(state, event, role=role, at=when, context=ctx)
                if transition is None:
                    assert refusal is not None
                    expected = (
                        RefusalReason.UNKNOWN_EVENT
                        if event not in d.events
                        else RefusalReason.TERMINAL_STATE
                        if info.terminal
                        else RefusalReason.EVENT_NOT_ALLOWED
                    )
                    assert refusal.reason is expected, (sid, event, role)
                elif role not in transition.roles:
                    assert refusal is not None
                    assert refusal.reason is RefusalReason.ROLE_NOT_PERMITTED, (sid, event, role)
                elif refusal is None:
                    allowed += 1
                    assert apply(state, event, role=role, at=when, context=ctx).state == (
                        transition.target
                    )
                else:
                    possible = set().union(*(GUARD_REASONS[g] for g in transition.guards))
                    assert refusal.reason in possible, (sid, event, role, refusal.reason)
                if refusal is not None:
                    refused += 1
                    assert refusal.message_fr
                    assert refusal.message_ar
    assert allowed > 0
    assert refused > 0
