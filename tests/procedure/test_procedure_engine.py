"""apply(): each refusal the issue names, with its reason code and bilingual message."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from procedure_helpers import CASA, at

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import CommissionBody as B
from rokhas_sdk.models import Opinion as O
from rokhas_sdk.models import ProcedureKind as K
from rokhas_sdk.models import Role as R
from rokhas_sdk.procedure import (
    SIGNATURE_KEY,
    ClockPolicy,
    Context,
    ProcedureState,
    RefusalReason,
    TransitionRefused,
    UnknownProcedureError,
    allowed_events,
    apply,
    check,
    deadlines,
    start,
)


def _refused(
    reason: RefusalReason, state: ProcedureState, event: str, **kw: object
) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as info:
        apply(state, event, **kw)  # type: ignore[arg-type]
    assert info.value.reason is reason
    assert info.value.code == reason.value
    assert reason.label_fr in info.value.message_fr
    assert reason.label_ar in info.value.message_ar
    return info.value


def filed(
    kind: K = K.URB_PERMIS_CONSTRUIRE_PETIT_PROJET, when: dt.datetime | None = None, **flags: bool
) -> ProcedureState:
    """A building-type dossier with its receipt issued at ``when`` (default 2 March 2026)."""
    t = when or at(2026, 3, 2)
    s = start(kind, at=t)
    if kind.value.startswith("URB_") and kind not in (
        K.URB_PERMIS_REFECTION,
        K.URB_PERMIS_DEMOLITION,
        K.URB_PERMIS_HABITER,
        K.URB_CERTIFICAT_CONFORMITE,
    ):
        s = apply(s, "sign_plans", role=R.ARCHITECTE, at=t)
    s = apply(s, "submit", role=R.PETITIONNAIRE, at=t, context=dict(flags))
    return apply(s, "issue_receipt", role=R.SYSTEM, at=t)


def to_president(s: ProcedureState, when: dt.datetime) -> ProcedureState:
    s = apply(s, "dispatch", role=R.GUICHET_AGENT, at=when)
    s = apply(s, "open_commission", role=R.SYSTEM, at=when)
    for body in (B.COMMUNE, B.AGENCE_URBAINE, B.PROVINCE, B.ANCFCC):
        ctx = Context(body=body, opinion=O.FAVORABLE)
        if check(s, "enter_opinion", role=R.COMMISSION_MEMBER, at=when, context=ctx) is None:
            s = apply(s, "enter_opinion", role=R.COMMISSION_MEMBER, at=when, context=ctx)
    s = apply(s, "conclude_commission", role=R.GUICHET_AGENT, at=when)
    return apply(s, "send_to_president", role=R.GUICHET_AGENT, at=when)


def test_the_happy_path_of_a_small_building_permit() -> None:
    s = filed()
    s = to_president(s, at(2026, 3, 5))
    s = apply(s, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 9), context={"fees_paid": True})
    assert s.state == "ISSUED"
    s = apply(s, "open_works", role=R.ARCHITECTE, at=at(2026, 5, 1))
    s = apply(s, "complete_works", role=R.ARCHITECTE, at=at(2027, 1, 4))
    assert s.state == "WORKS_COMPLETED"
    assert s.seq == len(s.marks)
    _refused(RefusalReason.TERMINAL_STATE, s, "issue", role=R.PRESIDENT_COMMUNE, at=at(2027, 1, 5))


def test_apply_never_mutates_its_input() -> None:
    s = filed()
    before = s.to_dict()
    apply(s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 3))
    assert s.to_dict() == before


def test_wrong_role_names_the_allowed_roles() -> None:
    err = _refused(
        RefusalReason.ROLE_NOT_PERMITTED,
        filed(),
        "dispatch",
        role=R.PETITIONNAIRE,
        at=at(2026, 3, 3),
    )
    assert "GUICHET_AGENT" in err.detail
    assert err.role == "PETITIONNAIRE"


def test_missing_pieces_block_submission_and_are_listed() -> None:
    s = apply(
        start(K.URB_PERMIS_CONSTRUIRE_GRAND_PROJET),
        "sign_plans",
        role=R.ARCHITECTE,
        at=at(2026, 3, 2),
    )
    err = _refused(
        RefusalReason.MISSING_PIECES,
        s,
        "submit",
        role=R.ARCHITECTE,
        at=at(2026, 3, 2),
        context={"missing_pieces": ["plan_situation", "certificat_propriete"]},
    )
    assert "plan_situation" in err.message_fr
    assert "certificat_propriete" in err.message_ar


def test_a_second_complement_request_is_refused_loi_55_19() -> None:
    s = filed()
    s = apply(s, "request_complement", role=R.GUICHET_AGENT, at=at(2026, 3, 3))
    s = apply(s, "submit_complement", role=R.PETITIONNAIRE, at=at(2026, 3, 6))
    s = apply(s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 6))
    _refused(
        RefusalReason.SECOND_COMPLEMENT_REQUEST,
        s,
        "request_complement",
        role=R.GUICHET_AGENT,
        at=at(2026, 3, 7),
    )


def test_fees_unpaid_before_delivery() -> None:
    s = to_president(filed(), at(2026, 3, 4))
    _refused(RefusalReason.FEES_UNPAID, s, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 5))
    _refused(
        RefusalReason.FEES_UNPAID,
        s,
        "issue",
        role=R.PRESIDENT_COMMUNE,
        at=at(2026, 3, 5),
        context={"fees_paid": False},
    )


def test_inactive_signature_key_blocks_signing() -> None:
    s = to_president(filed(), at(2026, 3, 4))
    _refused(
        RefusalReason.SIGNER_KEY_INACTIVE,
        s,
        "issue",
        role=R.PRESIDENT_ARRONDISSEMENT,
        at=at(2026, 3, 5),
        context={"fees_paid": True, "signer_key_active": False},
    )


def test_refusal_must_be_reasoned() -> None:
    s = to_president(filed(), at(2026, 3, 4))
    _refused(
        RefusalReason.REASON_REQUIRED,
        s,
        "refuse",
        role=R.PRESIDENT_COMMUNE,
        at=at(2026, 3, 5),
        context={"reason": "  "},
    )
    s = apply(
        s, "refuse", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 5), context={"reason": "COS dépassé"}
    )
    s = apply(s, "appeal", role=R.PETITIONNAIRE, at=at(2026, 3, 10))
    s = apply(
        s, "dismiss_appeal", role=R.GOUVERNEUR, at=at(2026, 3, 20), context={"reason": "confirmé"}
    )
    _refused(RefusalReason.SECOND_APPEAL, s, "appeal", role=R.PETITIONNAIRE, at=at(2026, 3, 21))


def test_a_decision_after_tacit_approval_is_refused() -> None:
    # Filed 2 March 2026: Loi 12-90's two months expire at the end of 2 May 2026.
    s = to_president(filed(), at(2026, 3, 4))
    late = at(2026, 5, 3, 9)
    err = _refused(
        RefusalReason.AFTER_TACIT_APPROVAL,
        s,
        "issue",
        role=R.PRESIDENT_COMMUNE,
        at=late,
        context={"fees_paid": True},
    )
    assert "2026-05-03T00:00:00+01:00" in err.detail
    _refused(
        RefusalReason.AFTER_TACIT_APPROVAL,
        s,
        "refuse",
        role=R.PRESIDENT_COMMUNE,
        at=late,
        context={"reason": "x"},
    )
    # One minute before the instant, the decision is still possible.
    ok = apply(
        s, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 5, 2, 23, 59), context={"fees_paid": True}
    )
    assert ok.state == "ISSUED"
    # After it, silence can be recorded as approval, not before.
    _refused(
        RefusalReason.TACIT_DEADLINE_NOT_REACHED,
        s,
        "record_tacit_approval",
        role=R.PETITIONNAIRE,
        at=at(2026, 5, 2, 23),
    )
    t = apply(s, "record_tacit_approval", role=R.PETITIONNAIRE, at=late)
    assert t.state == "TACITLY_APPROVED"
    assert deadlines(t, late).tacit_approval_at == dt.datetime(2026, 5, 3, tzinfo=CASA)
    assert apply(t, "open_works", role=R.ARCHITECTE, at=at(2026, 6, 1)).state == "WORKS_OPENED"


def test_commission_opinions_by_body() -> None:
    s = filed(K.URB_AUTORISATION_MORCELER)
    s = apply(s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 3))
    s = apply(s, "open_commission", role=R.SYSTEM, at=at(2026, 3, 4))
    _refused(
        RefusalReason.OPINION_REQUIRED,
        s,
        "enter_opinion",
        role=R.COMMISSION_MEMBER,
        at=at(2026, 3, 4),
        context={"body": "ANCFCC"},
    )
    _refused(
        RefusalReason.BODY_NOT_ON_COMMISSION,
        s,
        "enter_opinion",
        role=R.COMMISSION_MEMBER,
        at=at(2026, 3, 4),
        context={"body": "HYGIENE", "opinion": "FAVORABLE"},
    )
    for body in ("COMMUNE", "PROVINCE", "AGENCE_URBAINE"):
        s = apply(
            s,
            "enter_opinion",
            role=R.COMMISSION_MEMBER,
            at=at(2026, 3, 5),
            context={"body": body, "opinion": "FAVORABLE"},
        )
    err = _refused(
        RefusalReason.OPINIONS_MISSING,
        s,
        "conclude_commission",
        role=R.GUICHET_AGENT,
        at=at(2026, 3, 5),
    )
    assert "ANCFCC" in err.detail
    s = apply(
        s,
        "enter_opinion",
        role=R.COMMISSION_MEMBER,
        at=at(2026, 3, 5),
        context={"body": "ANCFCC", "opinion": "ADJOURNED"},
    )
    s = apply(
        s,
        "enter_opinion",
        role=R.COMMISSION_MEMBER,
        at=at(2026, 3, 6),
        context={"body": "ANCFCC", "opinion": "FAVORABLE_WITH_RESERVES"},
    )
    assert s.opinion_of(B.ANCFCC) is O.FAVORABLE_WITH_RESERVES
    assert len(s.opinions) == 4
    assert (
        apply(s, "conclude_commission", role=R.SYSTEM, at=at(2026, 3, 6)).state
        == "COMMISSION_CONCLUDED"
    )


def test_multi_commune_subdivision_is_decided_by_the_governor() -> None:
    single = to_president(filed(K.URB_AUTORISATION_LOTIR), at(2026, 3, 4))
    multi = to_president(filed(K.URB_AUTORISATION_LOTIR, multi_commune=True), at(2026, 3, 4))
    paid = {"fees_paid": True}
    _refused(
        RefusalReason.WRONG_AUTHORITY,
        single,
        "issue",
        role=R.GOUVERNEUR,
        at=at(2026, 3, 5),
        context=paid,
    )
    _refused(
        RefusalReason.WRONG_AUTHORITY,
        multi,
        "issue",
        role=R.PRESIDENT_COMMUNE,
        at=at(2026, 3, 5),
        context=paid,
    )
    assert (
        apply(multi, "issue", role=R.GOUVERNEUR, at=at(2026, 3, 5), context=paid).state == "ISSUED"
    )
    assert (
        apply(single, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 5), context=paid).state
        == "ISSUED"
    )


def test_regularisation_only_inside_a_filing_window() -> None:
    s = apply(
        start(K.URB_PERMIS_REGULARISATION), "sign_plans", role=R.ARCHITECTE, at=at(2022, 6, 1)
    )
    err = _refused(
        RefusalReason.OUTSIDE_FILING_WINDOW, s, "submit", role=R.PETITIONNAIRE, at=at(2022, 6, 1)
    )
    assert "2020-01-12" in err.detail
    assert apply(s, "submit", role=R.PETITIONNAIRE, at=at(2024, 6, 1)).state == "SUBMITTED"
    policy = ClockPolicy(filing_windows=((dt.date(2022, 1, 1), dt.date(2022, 12, 31)),))
    assert (
        apply(s, "submit", role=R.PETITIONNAIRE, at=at(2022, 6, 1), policy=policy).state
        == "SUBMITTED"
    )


def test_classified_establishment_needs_the_inquiry_then_the_commission() -> None:
    s = filed(K.ECO_ETABLISSEMENT_CLASSE_2E)
    _refused(RefusalReason.INQUIRY_REQUIRED, s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 3))
    _refused(
        RefusalReason.STEP_NOT_APPLICABLE,
        s,
        "send_to_president",
        role=R.GUICHET_AGENT,
        at=at(2026, 3, 3),
    )
    s = apply(s, "open_inquiry", role=R.GUICHET_AGENT, at=at(2026, 3, 3))
    s = apply(s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 20))
    assert s.state == "DISPATCHED"
    shop = filed(K.ECO_ACTIVITE_COURANTE)
    _refused(
        RefusalReason.STEP_NOT_APPLICABLE,
        shop,
        "open_inquiry",
        role=R.GUICHET_AGENT,
        at=at(2026, 3, 3),
    )
    _refused(
        RefusalReason.STEP_NOT_APPLICABLE, shop, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 3)
    )
    assert (
        apply(shop, "send_to_president", role=R.SYSTEM, at=at(2026, 3, 3)).state
        == "PENDING_SIGNATURE"
    )


def test_occupancy_substitution_after_one_month_and_lotissement_acceptance() -> None:
    s = start(K.URB_PERMIS_HABITER)
    _refused(
        RefusalReason.PROVISIONAL_ACCEPTANCE_MISSING,
        s,
        "submit",
        role=R.ARCHITECTE,
        at=at(2026, 1, 15),
        context={"in_lotissement": True},
    )
    s = apply(
        s,
        "submit",
        role=R.ARCHITECTE,
        at=at(2026, 1, 15),
        context={"in_lotissement": True, "provisional_acceptance": True},
    )
    s = apply(s, "issue_receipt", role=R.SYSTEM, at=at(2026, 1, 15))
    _refused(
        RefusalReason.ATTESTATION_REQUIRED,
        s,
        "accept_architect_attestation",
        role=R.GUICHET_AGENT,
        at=at(2026, 1, 16),
    )
    _refused(
        RefusalReason.DECISION_DEADLINE_NOT_REACHED,
        s,
        "request_substitution",
        role=R.PETITIONNAIRE,
        at=at(2026, 2, 15, 23),
    )
    s = apply(s, "request_substitution", role=R.PETITIONNAIRE, at=at(2026, 2, 16, 8))
    _refused(
        RefusalReason.ROLE_NOT_PERMITTED,
        s,
        "issue",
        role=R.PRESIDENT_COMMUNE,
        at=at(2026, 2, 17),
        context={"fees_paid": True},
    )
    assert (
        apply(
            s, "issue", role=R.AUTORITE_LOCALE, at=at(2026, 2, 17), context={"fees_paid": True}
        ).state
        == "ISSUED"
    )


def test_refection_lapses_after_six_months_not_before() -> None:
    s = filed(K.URB_PERMIS_REFECTION)
    s = apply(s, "send_to_president", role=R.SYSTEM, at=at(2026, 3, 3))
    s = apply(
        s, "issue", role=R.PRESIDENT_ARRONDISSEMENT, at=at(2026, 3, 4), context={"fees_paid": True}
    )
    _refused(RefusalReason.VALIDITY_NOT_EXPIRED, s, "lapse", role=R.SYSTEM, at=at(2026, 9, 4, 23))
    _refused(
        RefusalReason.VALIDITY_EXPIRED,
        s,
        "open_works",
        role=R.PETITIONNAIRE,
        at=at(2026, 9, 5, 0, 1),
    )
    assert apply(s, "lapse", role=R.SYSTEM, at=at(2026, 9, 5, 0, 1)).state == "LAPSED"


def test_signature_key_delivery_of_the_2020_circular() -> None:
    s = start(SIGNATURE_KEY, at=at(2026, 1, 5))
    steps = [
        ("designate_contact", R.GOUVERNEUR, "CONTACT_DESIGNATED"),
        ("ship_keys", R.SYSTEM, "KEYS_SHIPPED"),
        ("hand_over_keys", R.PROVINCE_CONTACT, "KEYS_AT_COMMUNE"),
        ("receive_pin", R.PRESIDENT_COMMUNE, "PIN_RECEIVED"),
        ("change_pin", R.PRESIDENT_COMMUNE, "PIN_CHANGED"),
        ("activate", R.SYSTEM, "ACTIVE"),
    ]
    for day, (event, role, target) in enumerate(steps, start=6):
        _refused(
            RefusalReason.ROLE_NOT_PERMITTED, s, event, role=R.PETITIONNAIRE, at=at(2026, 1, day)
        )
        s = apply(s, event, role=role, at=at(2026, 1, day))
        assert s.state == target
    assert deadlines(s, at(2026, 2, 1)).clocks == ()
    _refused(RefusalReason.REASON_REQUIRED, s, "revoke", role=R.DGCT, at=at(2026, 9, 1))
    assert (
        apply(
            s, "revoke", role=R.DGCT, at=at(2026, 9, 1), context={"reason": "fin de mandat"}
        ).state
        == "REVOKED"
    )


def test_time_order_unknown_event_and_bad_inputs() -> None:
    s = filed(when=at(2026, 3, 2))
    _refused(RefusalReason.TIME_ORDER, s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 1))
    _refused(RefusalReason.UNKNOWN_EVENT, s, "teleport", role=R.SYSTEM, at=at(2026, 3, 3))
    with pytest.raises(InvalidInputError, match="time zone"):
        apply(s, "dispatch", role=R.GUICHET_AGENT, at=dt.datetime(2026, 3, 3))
    with pytest.raises(InvalidInputError, match="unknown role"):
        apply(s, "dispatch", role="JANITOR", at=at(2026, 3, 3))
    with pytest.raises(InvalidInputError, match="unknown event data"):
        apply(s, "dispatch", role="GUICHET_AGENT", at=at(2026, 3, 3), context={"pin": "1234"})
    with pytest.raises(InvalidInputError, match="opinion"):
        Context.from_dict({"opinion": "MAYBE"})
    with pytest.raises(UnknownProcedureError):
        start("building")


def test_secret_canary_never_reaches_a_refusal_message() -> None:
    canary = "PIN-CANARY-4711"
    s = filed()
    with pytest.raises(InvalidInputError) as info:
        apply(s, "dispatch", role=R.GUICHET_AGENT, at=at(2026, 3, 3), context={"pin": canary})
    assert canary not in str(info.value)


def test_allowed_events_by_role_and_with_guards() -> None:
    s = to_president(filed(), at(2026, 3, 4))
    table = {e.id for e in allowed_events(s, R.PRESIDENT_COMMUNE)}
    assert table == {"issue", "refuse"}
    now = {
        e.id
        for e in allowed_events(
            s, R.PRESIDENT_COMMUNE, at=at(2026, 3, 5), context={"fees_paid": True}
        )
    }
    assert now == {"issue"}  # refuse needs a reason
    # Before the decision the applicant may only withdraw; once silence has run out,
    # they may also record the tacit approval.
    assert {e.id for e in allowed_events(s, R.PETITIONNAIRE, at=at(2026, 3, 5))} == {"withdraw"}
    assert {e.id for e in allowed_events(s, R.PETITIONNAIRE, at=at(2026, 6, 5))} == {
        "record_tacit_approval",
        "withdraw",
    }


def test_the_regisseur_records_payment_before_delivery() -> None:
    s = to_president(filed(), at(2026, 3, 4))
    _refused(RefusalReason.FEES_UNPAID, s, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 5))
    _refused(
        RefusalReason.ROLE_NOT_PERMITTED,
        s,
        "record_payment",
        role=R.PETITIONNAIRE,
        at=at(2026, 3, 5),
    )
    paid = apply(s, "record_payment", role=R.REGISSEUR, at=at(2026, 3, 5))
    assert paid.state == s.state
    assert "fees_paid" in paid.flags
    assert apply(paid, "issue", role=R.PRESIDENT_COMMUNE, at=at(2026, 3, 6)).state == "ISSUED"
    # An explicit "not paid" still refuses (e.g. a refunded payment).
    _refused(
        RefusalReason.FEES_UNPAID,
        paid,
        "issue",
        role=R.PRESIDENT_COMMUNE,
        at=at(2026, 3, 6),
        context={"fees_paid": False},
    )


contexts = st.builds(
    Context,
    missing_pieces=st.lists(st.text(min_size=1, max_size=12), max_size=3).map(tuple),
    fees_paid=st.none() | st.booleans(),
    signer_key_active=st.none() | st.booleans(),
    reason=st.none() | st.text(max_size=20),
    opinion=st.none() | st.sampled_from(list(O)),
    body=st.none() | st.sampled_from(list(B)),
    investment=st.none() | st.booleans(),
    multi_commune=st.none() | st.booleans(),
    in_lotissement=st.none() | st.booleans(),
    grand_projet=st.none() | st.booleans(),
    provisional_acceptance=st.none() | st.booleans(),
    architect_attestation=st.none() | st.booleans(),
)


@given(contexts)
def test_context_json_round_trip(ctx: Context) -> None:
    assert Context.from_dict(json.loads(json.dumps(ctx.to_dict()))) == ctx


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    st.dictionaries(
        st.sampled_from(["fees_paid", "reason", "opinion", "body", "missing_pieces", "pin", "x"]),
        json_values,
        max_size=4,
    )
)
def test_context_parser_accepts_or_refuses_with_a_typed_error(data: dict[str, object]) -> None:
    problem: InvalidInputError | None = None
    try:
        ctx = Context.from_dict(data)
    except InvalidInputError as exc:
        problem = exc
    if problem is not None:
        assert problem.message
    else:
        assert set(ctx.to_dict()) <= set(data)
