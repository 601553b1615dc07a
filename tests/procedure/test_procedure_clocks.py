"""Legal clocks: due instants, pauses, regimes, policy, tacit approval, overdue steps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from procedure_helpers import CASA, at

from rokhas_sdk.models import ProcedureKind as K
from rokhas_sdk.procedure import (
    ClockPolicy,
    ProcedureDataError,
    ProcedureState,
    RuleOverride,
    deadlines,
    definition,
    rules_in_force,
)

UTC = dt.UTC


def state(
    kind: K, *marks: tuple[str, dt.datetime], flags: frozenset[str] = frozenset()
) -> ProcedureState:
    """A state carrying only the marks the clocks read (the graph state is irrelevant)."""
    return ProcedureState(
        graph=definition(kind).name,
        kind=kind,
        state="RECEIPT_ISSUED",
        seq=len(marks),
        last_at=marks[-1][1] if marks else None,
        marks=tuple(marks),
        flags=flags,
    )


def midnight(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=CASA)


PETIT = K.URB_PERMIS_CONSTRUIRE_PETIT_PROJET


def test_small_permit_clocks_after_receipt() -> None:
    t0 = at(2026, 4, 6)  # Monday
    s = state(PETIT, ("submit", t0), ("issue_receipt", t0))
    r = deadlines(s, at(2026, 4, 10))
    decision = r.clock("decision")
    assert decision is not None
    assert decision.rule_id == "order2023.decision.petit"
    assert decision.due_at == midnight(2026, 4, 22)  # end of 6 + 15 = 21 April
    assert (decision.elapsed_days, decision.remaining_days) == (4, 11)
    assert r.clock("rgc_target").due_at == midnight(2026, 4, 17)  # type: ignore[union-attr]
    dispatch = r.clock("dispatch")
    assert dispatch is not None
    assert dispatch.overdue
    assert dispatch.due_at == midnight(2026, 4, 10)
    assert [c.clock for c in r.overdue] == ["dispatch"]
    receipt = r.clock("receipt")
    assert receipt is not None
    assert receipt.status == "stopped"
    assert receipt.met is True
    assert r.tacit_approval_at == midnight(2026, 6, 7)  # two months: end of 6 June
    assert not r.tacitly_approved
    assert deadlines(s, midnight(2026, 6, 7)).tacitly_approved


def test_regime_follows_the_filing_date() -> None:
    before = state(PETIT, ("submit", at(2023, 7, 12)), ("issue_receipt", at(2023, 7, 12)))
    after = state(PETIT, ("submit", at(2023, 7, 13)), ("issue_receipt", at(2023, 7, 13)))
    assert deadlines(before, at(2023, 7, 14)).clock("decision") is None
    assert deadlines(after, at(2023, 7, 14)).clock("decision") is not None
    old = state(PETIT, ("submit", at(2018, 1, 8)))
    assert {c.clock for c in deadlines(old, at(2018, 1, 9)).clocks} == {
        "tacit_approval",
        "validity",
    }


def test_grand_projet_flag_selects_thirty_days_for_a_modification_permit() -> None:
    t0 = at(2026, 4, 6)
    marks = (("submit", t0), ("issue_receipt", t0))
    small = deadlines(state(K.URB_PERMIS_MODIFIER, *marks), t0).clock("decision")
    big = deadlines(
        state(K.URB_PERMIS_MODIFIER, *marks, flags=frozenset({"grand_projet"})), t0
    ).clock("decision")
    assert small is not None
    assert small.length == 15
    assert big is not None
    assert big.length == 30


def test_a_complement_pauses_the_decision_clock() -> None:
    t0 = at(2026, 3, 2)
    marks = [("submit", t0), ("issue_receipt", t0)]
    plain = deadlines(state(PETIT, *marks), at(2026, 3, 4)).clock("decision")
    assert plain is not None
    assert plain.due_at == midnight(2026, 3, 18)
    paused_state = state(PETIT, *marks, ("request_complement", at(2026, 3, 5)))
    paused = deadlines(paused_state, at(2026, 3, 9)).clock("decision")
    assert paused is not None
    assert paused.status == "paused"
    assert paused.elapsed_days == 3
    resumed_state = state(
        PETIT,
        *marks,
        ("request_complement", at(2026, 3, 5)),
        ("submit_complement", at(2026, 3, 12)),
    )
    resumed = deadlines(resumed_state, at(2026, 3, 13)).clock("decision")
    assert resumed is not None
    assert resumed.due_at == midnight(2026, 3, 25)
    restarted = deadlines(
        resumed_state, at(2026, 3, 13), policy=ClockPolicy(complement_effect="restart")
    )
    assert restarted.clock("decision").due_at == midnight(2026, 3, 28)  # type: ignore[union-attr]


def test_working_day_override_crosses_weekend_and_holiday() -> None:
    policy = ClockPolicy(overrides=(RuleOverride("order2023.dispatch", unit="working_days"),))
    friday = at(2026, 11, 13)
    s = state(PETIT, ("submit", friday), ("issue_receipt", friday))
    c = deadlines(s, at(2026, 11, 16), policy=policy).clock("dispatch")
    # Mon 16 (1), Tue 17 (2), Wed 18 Independence Day, Thu 19 (3)
    assert c is not None
    assert c.unit == "working_days"
    assert c.due_at == midnight(2026, 11, 20)
    assert c.elapsed_days == 1
    assert c.remaining_days == 2


def test_working_day_step_across_eid_al_adha_2024() -> None:
    policy = ClockPolicy(
        overrides=(RuleOverride("order2023.commission", length=3, unit="working_days"),)
    )
    t0 = at(2024, 6, 14)  # Friday
    s = state(PETIT, ("submit", t0), ("issue_receipt", t0), ("dispatch", t0))
    c = deadlines(s, at(2024, 6, 15), policy=policy).clock("commission")
    assert c is not None
    assert c.due_at == midnight(2024, 6, 22)


def test_due_instant_across_the_ramadan_clock_change() -> None:
    t0 = at(2026, 2, 10)  # UTC+1
    s = state(PETIT, ("submit", t0), ("issue_receipt", t0), ("dispatch", t0))
    c = deadlines(s, at(2026, 2, 11)).clock("commission")
    assert c is not None
    assert c.due_at == dt.datetime(2026, 2, 26, 0, 0, tzinfo=UTC)  # local midnight at UTC+0
    assert c.due_at.astimezone(CASA).utcoffset() == dt.timedelta(0)
    # 15 days and 15 hours after the start in absolute time, not 15 days and 14 hours.
    assert c.due_at.astimezone(UTC) - t0.astimezone(UTC) == dt.timedelta(days=15, hours=15)
    # A deadline started during Ramadan and ending after it is back at UTC+1.
    t1 = at(2026, 3, 10)
    s = state(PETIT, ("submit", t1), ("issue_receipt", t1))
    d = deadlines(s, t1).clock("decision")
    assert d is not None
    assert d.due_at == dt.datetime(2026, 3, 26, 0, tzinfo=CASA)
    assert d.due_at.utcoffset() == dt.timedelta(hours=1)


def test_months_clamp_to_the_end_of_a_short_month() -> None:
    s = state(PETIT, ("submit", at(2025, 12, 31)))
    assert deadlines(s, at(2026, 1, 5)).tacit_approval_at == midnight(2026, 3, 1)


def test_policy_can_enable_the_2023_silence_rule_and_roll_deadlines() -> None:
    t0 = at(2026, 4, 6)
    s = state(PETIT, ("submit", t0), ("issue_receipt", t0))
    policy = ClockPolicy(enable=frozenset({"order2023.tacit"}))
    assert deadlines(s, t0, policy=policy).tacit_approval_at == midnight(2026, 4, 22)
    # 21 April 2026 is a Tuesday: rolling does nothing; 15 days from Friday 3 April end on Saturday.
    s2 = state(PETIT, ("submit", at(2026, 4, 3)), ("issue_receipt", at(2026, 4, 3)))
    rolled = deadlines(s2, t0, policy=ClockPolicy(roll_to_working_day=True)).clock("decision")
    assert rolled is not None
    assert rolled.due_at == midnight(2026, 4, 21)
    with pytest.raises(ProcedureDataError, match="unknown clock rules"):
        ClockPolicy(enable=frozenset({"no.such.rule"}))
    with pytest.raises(ProcedureDataError, match="positive"):
        ClockPolicy(overrides=(RuleOverride("order2023.dispatch", length=0),))


def test_economic_deadlines_depend_on_investment_and_silence_is_opt_in() -> None:
    t0 = at(2026, 4, 6)
    marks = (("submit", t0), ("issue_receipt", t0))
    plain = deadlines(state(K.ECO_ACTIVITE_COURANTE, *marks), t0)
    invest = deadlines(state(K.ECO_ACTIVITE_COURANTE, *marks, flags=frozenset({"investment"})), t0)
    assert plain.clock("decision").length == 60  # type: ignore[union-attr]
    assert invest.clock("decision").length == 30  # type: ignore[union-attr]
    assert plain.tacit_approval_at is None
    opt_in = ClockPolicy(enable=frozenset({"loi55-19.eco.tacit"}))
    assert deadlines(
        state(K.ECO_ACTIVITE_COURANTE, *marks), t0, policy=opt_in
    ).tacit_approval_at == midnight(2026, 6, 6)


def test_stopped_clocks_report_whether_they_were_met_and_reports_are_as_of() -> None:
    t0 = at(2026, 4, 6)
    s = state(PETIT, ("submit", t0), ("issue_receipt", t0), ("dispatch", at(2026, 4, 14)))
    r = deadlines(s, at(2026, 4, 20))
    dispatch = r.clock("dispatch")
    assert dispatch is not None
    assert dispatch.status == "stopped"
    assert dispatch.met is False
    assert not dispatch.overdue
    assert dispatch.remaining_days is None
    earlier = deadlines(s, at(2026, 4, 8)).clock("dispatch")
    assert earlier is not None
    assert earlier.status == "running"
    assert earlier.remaining_days == 1
    assert rules_in_force(None, frozenset(), dt.date(2026, 1, 1)) == ()


def test_report_serialises() -> None:
    t0 = at(2026, 4, 6)
    doc = deadlines(state(PETIT, ("submit", t0)), t0).to_dict()
    assert doc["tacit_approval_at"] == "2026-06-07T00:00:00+01:00"
    assert {c["clock"] for c in doc["clocks"]} >= {"tacit_approval", "receipt"}


# --- properties ---------------------------------------------------------------------

starts = st.datetimes(
    min_value=dt.datetime(2023, 8, 1), max_value=dt.datetime(2029, 12, 31), timezones=st.just(CASA)
)
UNITS = ["calendar_days", "working_days", "months"]


@given(
    starts,
    st.integers(min_value=0, max_value=40 * 24),
    st.integers(min_value=0, max_value=40 * 24),
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=90),
    st.sampled_from([K.ECO_ACTIVITE_COURANTE, K.URB_PERMIS_CONSTRUIRE_GRAND_PROJET]),
)
def test_a_pause_never_shortens_a_deadline(
    t0: dt.datetime, pause_after_h: int, pause_h: int, unit: str, length: int, kind: K
) -> None:
    rule = "loi55-19.eco.decision" if kind.is_economic else "order2023.decision.grand"
    policy = ClockPolicy(
        overrides=(
            RuleOverride(rule, length=length if unit != "months" else 1 + length % 12, unit=unit),  # type: ignore[arg-type]
        )
    )
    paused_at = t0 + dt.timedelta(hours=pause_after_h)
    resumed_at = paused_at + dt.timedelta(hours=pause_h)
    report_at = resumed_at + dt.timedelta(days=1)
    base = [("submit", t0), ("issue_receipt", t0)]
    without = deadlines(state(kind, *base), report_at, policy=policy).clock("decision")
    with_pause = deadlines(
        state(kind, *base, ("request_complement", paused_at), ("submit_complement", resumed_at)),
        report_at,
        policy=policy,
    ).clock("decision")
    assert without is not None
    assert with_pause is not None
    assert without.due_at is not None
    assert with_pause.due_at is not None
    assert with_pause.due_at >= without.due_at
    # While still paused, the due instant is never earlier either.
    paused_only = deadlines(
        state(kind, *base, ("request_complement", paused_at)), resumed_at, policy=policy
    ).clock("decision")
    assert paused_only is not None
    assert paused_only.due_at is not None
    assert paused_only.due_at >= without.due_at
    for restart in ("restart",):
        again = deadlines(
            state(
                kind, *base, ("request_complement", paused_at), ("submit_complement", resumed_at)
            ),
            report_at,
            policy=ClockPolicy(overrides=policy.overrides, complement_effect=restart),
        ).clock("decision")
        assert again is not None
        assert again.due_at is not None
        assert again.due_at >= without.due_at


@given(starts, st.integers(min_value=1, max_value=120), st.sampled_from(UNITS))
def test_due_instant_is_a_local_midnight_after_the_start(
    t0: dt.datetime, length: int, unit: str
) -> None:
    n = length if unit != "months" else 1 + length % 24
    policy = ClockPolicy(overrides=(RuleOverride("loi55-19.eco.decision", length=n, unit=unit),))  # type: ignore[arg-type]
    s = state(K.ECO_ACTIVITE_COURANTE, ("submit", t0), ("issue_receipt", t0))
    c = deadlines(s, t0, policy=policy).clock("decision")
    assert c is not None
    assert c.due_at is not None
    local = c.due_at.astimezone(CASA)
    assert (local.hour, local.minute) == (0, 0)
    assert c.due_at > t0 + dt.timedelta(days=n if unit != "months" else 28 * n) - dt.timedelta(
        days=1
    )
    assert c.elapsed_days == 0


@given(
    starts,
    st.integers(min_value=0, max_value=120 * 24),
    st.integers(min_value=0, max_value=20 * 24),
    st.sampled_from(["tacit_approval", "validity", "maximum"]),
    st.sampled_from([PETIT, K.URB_PERMIS_DEMOLITION, K.URB_PERMIS_HABITER]),
)
def test_the_guards_shortcut_never_misses_a_reached_deadline(
    t0: dt.datetime, after_h: int, pause_h: int, purpose: str, kind: K
) -> None:
    from rokhas_sdk.procedure._clocks import DEFAULT_POLICY, due_instant

    t1 = t0 + dt.timedelta(hours=pause_h)
    s = state(
        kind,
        ("submit", t0),
        ("issue_receipt", t0),
        ("request_complement", t0 + dt.timedelta(hours=1)),
        ("submit_complement", t1),
        ("issue", t1),
    )
    when = t1 + dt.timedelta(hours=after_h)
    precise = due_instant(s, when, DEFAULT_POLICY, purpose)
    lazy = due_instant(s, when, DEFAULT_POLICY, purpose, only_if_reached=True)
    if precise is not None and when >= precise:
        assert lazy == precise
    else:
        assert lazy is None or lazy == precise
