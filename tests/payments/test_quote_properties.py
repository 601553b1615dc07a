"""Hypothesis properties of the calculator, and the smaller taxes (ODP, agency fees, penalties)."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import ConstructionUse, Level, Money, ProcedureKind
from rokhas_sdk.payments import (
    FeeDue,
    FeeQuote,
    SiteOccupation,
    default_schedule,
    late_payment_penalty,
    penalty,
    quote,
)

from ._builders import CASABLANCA, RABAT, building, cafe, lotissement

ON = date(2026, 3, 1)
areas = st.decimals(
    min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)
positive_areas = st.decimals(
    min_value=Decimal("0.01"), max_value=100_000, places=2, allow_nan=False, allow_infinity=False
)
costs = st.decimals(min_value=1, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
uses = st.sampled_from(list(ConstructionUse))
communes = st.sampled_from([CASABLANCA, RABAT])


def _check(q: FeeQuote) -> None:
    assert q.total == sum((ln.amount for ln in q.lines), Money.zero())
    assert all(not ln.amount.is_negative() for ln in q.lines)
    assert not q.total.is_negative()


@given(use=uses, covered=areas, public=areas, commune=communes, floor=areas)
def test_total_is_sum_and_nothing_negative(
    use: ConstructionUse, covered: Decimal, public: Decimal, commune: str, floor: Decimal
) -> None:
    d = building(
        use,
        covered=str(covered),
        commune=commune,
        saillies_public_domain_area=public,
        levels=(Level(name="all", floor_area=floor),),
    )
    _check(quote(d, on=ON))


@given(use=uses, a=areas, b=areas, public=areas)
def test_more_covered_area_never_lowers_the_construction_tax(
    use: ConstructionUse, a: Decimal, b: Decimal, public: Decimal
) -> None:
    small, large = sorted((a, b))
    q1 = quote(building(use, covered=str(small), saillies_public_domain_area=public), on=ON)
    q2 = quote(building(use, covered=str(large), saillies_public_domain_area=public), on=ON)
    assert q1.lines[0].amount <= q2.lines[0].amount


@given(covered=positive_areas)
def test_a_fraction_of_a_m2_counts_whole(covered: Decimal) -> None:
    q = quote(building(ConstructionUse.INDIVIDUAL_HOUSING, covered=str(covered)), on=ON)
    base = q.lines[0].base
    assert base == base.to_integral_value()
    assert covered <= base < covered + 1
    assert q.total == Money(base * 25)


@given(estimated=costs, actual=costs)
def test_tol_instalments_add_up_to_the_final_tax(estimated: Decimal, actual: Decimal) -> None:
    q = quote(lotissement(str(estimated)), on=ON, actual_works_cost=Money(actual))
    _check(q)
    final = Money.rounded(actual * 5 / 100)
    first = q.amount_due(FeeDue.AUTORISATION_DELIVERED)
    assert first == Money.rounded(Money.rounded(estimated * 5 / 100).amount * Decimal("0.75"))
    if final >= first:
        assert q.total == final
    else:
        assert q.amount_due(FeeDue.CONFORMITE_DELIVERED) == Money.zero()
        assert any("overpaid" in n for n in q.notes)


@given(receipts=costs)
def test_beverage_tax_is_eight_percent_in_casablanca(receipts: Decimal) -> None:
    q = quote(cafe(), on=ON, beverage_receipts_ht=Money(receipts))
    _check(q)
    assert q.total == Money.rounded(receipts * 8 / 100)


@pytest.mark.parametrize(
    ("days", "quarters"), [(1, 1), (90, 1), (91, 2), (180, 2), (181, 3), (365, 5)]
)
def test_site_occupation_counts_started_quarters(days: int, quarters: int) -> None:
    q = quote(
        building(covered="100"),
        on=ON,
        site_occupation=SiteOccupation(area=Decimal("12.5"), days=days),
    )
    odp = next(ln for ln in q.lines if ln.code == "ODP.CHANTIER")
    # No text rounds the occupied area: 12.5 m², not 13 (the whole-m² rule is the TOC's).
    assert odp.base == Decimal("12.5") * quarters
    assert odp.amount == Money(Decimal("12.5") * quarters * 40)
    assert f"× {quarters} trimestre(s)" in odp.label_fr
    assert odp.illustrative
    assert q.illustrative


def test_site_occupation_in_quarters() -> None:
    site = SiteOccupation(area=Decimal(30), quarters=3)
    q = quote(building(covered="100"), on=ON, site_occupation=site)
    assert q.lines[-1].amount == Money("3600.00")
    with pytest.raises(InvalidInputError, match="exactly one"):
        SiteOccupation(area=Decimal(30), quarters=3, days=10)
    with pytest.raises(InvalidInputError, match="exactly one"):
        SiteOccupation(area=Decimal(30))


def test_site_occupation_refused_for_economic_licence() -> None:
    with pytest.raises(InvalidInputError, match="building"):
        quote(cafe(), on=ON, site_occupation=SiteOccupation(area=Decimal(1), days=1))


def test_agency_fee_with_vat_where_a_tariff_exists() -> None:
    d = building(
        ConstructionUse.INDIVIDUAL_HOUSING,
        covered="150",
        commune=RABAT,
        levels=(
            Level(name="RDC", floor_area=Decimal("150.2")),
            Level(name="R+1", floor_area=Decimal(120)),
        ),
    )
    q = quote(d, on=ON)
    lines = {ln.code: ln for ln in q.lines}
    # The agency's own row: the exact floor area (270.2 m²), not rounded like the TOC's.
    assert lines["AU_RSR.PLANCHER"].base == Decimal("270.2")
    assert lines["AU_RSR.PLANCHER"].amount == Money("810.60")
    assert lines["TVA.AU_RSR.PLANCHER"].amount == Money("162.12")
    assert (
        "270,2 m² de plancher ; surface exacte, sans arrondi" in lines["AU_RSR.PLANCHER"].label_fr
    )
    assert "20 % de 810,60 MAD HT" in lines["TVA.AU_RSR.PLANCHER"].label_fr
    assert lines["AU_RSR.PLANCHER"].due is FeeDue.AT_FILING
    _check(q)
    # Casablanca ships no agency tariff: no line
    assert all(
        not ln.code.startswith("AU_RSR") for ln in quote(building(covered="150"), on=ON).lines
    )


def test_missing_inputs_are_reported() -> None:
    q = quote(cafe(), on=ON)
    assert q.lines == ()
    assert not q.complete
    assert any("beverage_receipts_ht" in n for n in q.notes)
    with pytest.raises(InvalidInputError, match="works_cost_ht"):
        quote(building(kind=ProcedureKind.URB_AUTORISATION_LOTIR, lots_count=3), on=ON)
    zero = quote(building(covered="0"), on=ON)
    assert zero.total == Money.zero()
    assert not zero.complete


def test_default_date_is_today() -> None:
    assert quote(building(covered="10")).on >= date(2026, 1, 1)


# -- penalties -------------------------------------------------------------------------


def test_late_payment_penalty_rule() -> None:
    rule = default_schedule().penalty_rule("LATE_PAYMENT", on=date(2026, 1, 1))
    p = Money("100000.00")
    due = date(2026, 1, 31)
    assert late_payment_penalty(p, due_on=due, paid_on=due, rule=rule) == Money.zero()
    # first month: 10 % + 5 %
    assert late_payment_penalty(p, due_on=due, paid_on=date(2026, 2, 1), rule=rule) == Money(
        "15000.00"
    )
    assert late_payment_penalty(p, due_on=due, paid_on=date(2026, 2, 28), rule=rule) == Money(
        "15000.00"
    )
    # a part of a second month: + 0.5 %
    assert late_payment_penalty(p, due_on=due, paid_on=date(2026, 3, 1), rule=rule) == Money(
        "15500.00"
    )
    # 2 months and a bit: 10 + 5 + 2 x 0.5
    assert late_payment_penalty(
        p, due_on=date(2026, 1, 15), paid_on=date(2026, 3, 20), rule=rule
    ) == Money("16000.00")


def test_casablanca_declaration_penalty_has_a_floor() -> None:
    p = penalty(
        Money("1000.00"),
        due_on=date(2026, 4, 1),
        paid_on=date(2026, 4, 10),
        commune=CASABLANCA,
        tax="DEBIT_BOISSONS",
        kind="LATE_DECLARATION",
    )
    assert p == Money("500.00")  # 15.5 % of 1000 = 155, below the 500 DH floor
    big = penalty(
        Money("100000.00"),
        due_on=date(2026, 4, 1),
        paid_on=date(2026, 6, 2),
        commune=CASABLANCA,
        tax="DEBIT_BOISSONS",
        kind="LATE_DECLARATION",
    )
    assert big == Money("16500.00")  # 15 % + 3 months (or part) x 0.5 %


@given(
    principal=costs,
    d1=st.integers(min_value=0, max_value=2000),
    d2=st.integers(min_value=0, max_value=2000),
)
def test_penalty_never_decreases_with_delay(principal: Decimal, d1: int, d2: int) -> None:
    rule = default_schedule().penalty_rule("LATE_PAYMENT", on=date(2026, 1, 1))
    due = date(2025, 1, 31)
    early, late = sorted((d1, d2))
    a = late_payment_penalty(
        Money(principal), due_on=due, paid_on=due + timedelta(days=early), rule=rule
    )
    b = late_payment_penalty(
        Money(principal), due_on=due, paid_on=due + timedelta(days=late), rule=rule
    )
    assert Money.zero() <= a <= b


def test_quote_models_refuse_inconsistent_data() -> None:
    q = quote(building(covered="100"), on=ON)
    data = q.model_dump()
    assert type(q).model_validate(data) == q
    data["total"] = "1.00"
    with pytest.raises(InvalidInputError, match="not the sum"):
        type(q).model_validate(data)
    line = q.lines[0].model_dump()
    line["amount"] = "-1.00"
    with pytest.raises(InvalidInputError, match="negative"):
        type(q.lines[0]).model_validate(line)


def test_inputs_that_do_not_fit_the_dossier_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="beverages"):
        quote(building(covered="10"), on=ON, beverage_receipts_ht=Money("10.00"))
    from rokhas_sdk.models import Dossier

    no_project = Dossier.model_validate({**building(covered="10").model_dump(), "project": None})
    with pytest.raises(InvalidInputError, match="needs a 'project'"):
        quote(no_project, on=ON)


def test_public_domain_activity_is_announced_not_priced() -> None:
    from rokhas_sdk.models import Activity, Dossier

    d = Dossier.model_validate(
        {
            **cafe().model_dump(),
            "kind": ProcedureKind.ECO_OCCUPATION_DOMAINE_PUBLIC,
            "activity": Activity(
                label="Terrasse",
                premises_address="x",
                public_domain_area=Decimal(20),
                public_domain_days=90,
            ),
        }
    )
    q = quote(d, on=ON)
    assert q.total == Money.zero()
    assert not q.complete
    assert any("zone" in n for n in q.notes)


def test_datetime_on_is_taken_in_casablanca() -> None:
    from datetime import datetime

    late_utc = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # already the 15th in Casablanca (UTC+1)
    assert quote(building(covered="10"), on=late_utc).on == date(2026, 1, 15)


def test_procedure_without_fees_says_so() -> None:
    q = quote(building(covered="100", kind=ProcedureKind.URB_PERMIS_HABITER), on=ON)
    assert q.lines == ()
    assert q.total == Money.zero()
    assert any("no fee" in n for n in q.notes)
