"""Fee lines that explain themselves, and area rounding as a rule of each tariff row.

The construction tax counts any fraction of a m² as a whole m² and saillies over the
public domain twice (fees-payments.md §1); the label of its line must say so in French
and Arabic. No text extends the whole-m² rule to the agency fee or the building-site
occupation: their areas stay exact unless their own row says otherwise.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk.api import FeeLine as WireFeeLine
from rokhas_sdk.api import fee_code_key
from rokhas_sdk.models import ConstructionUse, Level, Money
from rokhas_sdk.payments import AreaRounding, FeeSchedule, default_schedule, quote

from ._builders import CASABLANCA, RABAT, building

ON = date(2026, 3, 1)
areas = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(
    min_value=Decimal("0.01"), max_value=100_000, places=2, allow_nan=False, allow_infinity=False
)


def _num(d: Decimal) -> str:
    return f"{d:f}".replace(".", ",")


def _ceil(d: Decimal) -> Decimal:
    return d.to_integral_value(rounding=ROUND_CEILING)


def _schedule_with(commune: str, **changes: Any) -> FeeSchedule:
    """The bundled schedule with one commune's file changed (rows edited by rubric)."""
    import json
    from importlib import resources

    text = (resources.files("rokhas_sdk.payments") / "data" / f"tariffs-{commune}.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    for row in data["tariffs"]:
        row.update(changes.get(row["rubric"], {}))
    if "policy" in changes:
        data["policy"] = {**data.get("policy", {}), **changes["policy"]}
    return default_schedule().with_commune(data)


@given(covered=areas, public=areas)
def test_the_toc_label_shows_how_its_base_was_formed(covered: Decimal, public: Decimal) -> None:
    q = quote(building(covered=str(covered), saillies_public_domain_area=public), on=ON)
    toc = q.lines[0]
    exact = covered + 2 * public
    assert toc.base == _ceil(exact)  # the law's whole-m² rule, on the total
    assert f"{_num(covered)} m² couverts" in toc.label_fr
    assert f"{_num(covered)} م² مغطاة" in toc.label_ar
    if public:
        assert f"2 × {_num(public)} m² de saillies sur le domaine public" in toc.label_fr
        assert "comptées deux fois" in toc.label_fr
        assert f"= {_num(exact)} m²" in toc.label_fr
        assert f"2 × {_num(public)} م² من البروزات على الملك العمومي" in toc.label_ar
        assert "تحتسب مرتين" in toc.label_ar
    else:
        assert "saillies" not in toc.label_fr
    assert toc.label_fr.endswith(f"arrondi au m² entier supérieur : {_num(toc.base)} m²")
    assert toc.label_ar.endswith(f"مقربة إلى المتر المربع الأعلى: {_num(toc.base)} م²")
    assert toc.label_fr.startswith("Taxe sur les opérations de construction")


@given(covered=positive, public=areas)
def test_each_component_rounding_is_said_and_done(covered: Decimal, public: Decimal) -> None:
    sched = _schedule_with(CASABLANCA, policy={"area_rounding": "CEIL_EACH"})
    q = quote(
        building(covered=str(covered), saillies_public_domain_area=public),
        on=ON,
        schedule=sched,
    )
    toc = q.lines[0]
    assert toc.base == _ceil(covered) + 2 * _ceil(public)
    assert f"chaque surface arrondie au m² entier supérieur : {_num(toc.base)} m²" in toc.label_fr


@given(covered=positive, public=areas)
def test_a_toc_row_may_say_it_is_not_rounded(covered: Decimal, public: Decimal) -> None:
    sched = _schedule_with(CASABLANCA, **{"TOC.INDIVIDUEL": {"area_rounding": "NONE"}})
    q = quote(
        building(covered=str(covered), saillies_public_domain_area=public),
        on=ON,
        schedule=sched,
    )
    toc = q.lines[0]
    assert toc.base == covered + 2 * public
    assert q.total == Money.rounded(toc.base * 25)
    assert "surface exacte, sans arrondi" in toc.label_fr


_FLOORS = st.lists(positive, min_size=1, max_size=4)


@given(floors=_FLOORS, covered=positive)
def test_the_agency_fee_follows_its_own_row_not_the_toc_rule(
    floors: list[Decimal], covered: Decimal
) -> None:
    levels = tuple(Level(name=f"N{i}", floor_area=f) for i, f in enumerate(floors))
    dossier = building(covered=str(covered), commune=RABAT, levels=levels)
    floor = sum(floors, Decimal(0))
    lines = {ln.code: ln for ln in quote(dossier, on=ON).lines}
    agency = lines["AU_RSR.PLANCHER"]
    assert agency.base == floor  # unrounded: no text applies the whole-m² rule here
    assert agency.amount == Money.rounded(floor * 3)
    assert lines["TVA.AU_RSR.PLANCHER"].amount == Money.rounded(agency.amount.amount / 5)
    assert lines["TOC.INDIVIDUEL"].base == _ceil(covered)  # the TOC keeps its rule
    # ... unless the agency's own row says it rounds.
    sched = _schedule_with(RABAT, **{"AU_RSR.PLANCHER": {"area_rounding": "CEIL_TOTAL"}})
    rounded = {ln.code: ln for ln in quote(dossier, on=ON, schedule=sched).lines}
    assert rounded["AU_RSR.PLANCHER"].base == _ceil(floor)
    assert f"arrondi au m² entier supérieur : {_num(_ceil(floor))} m²" in (
        rounded["AU_RSR.PLANCHER"].label_fr
    )
    assert rounded["TOC.INDIVIDUEL"].base == lines["TOC.INDIVIDUEL"].base


def test_a_row_without_vat_gets_no_vat_line() -> None:
    dossier = building(
        covered="150", commune=RABAT, levels=(Level(name="RDC", floor_area=Decimal(150)),)
    )
    sched = _schedule_with(RABAT, **{"AU_RSR.PLANCHER": {"vat_applies": False}})
    codes = [ln.code for ln in quote(dossier, on=ON, schedule=sched).lines]
    assert "AU_RSR.PLANCHER" in codes
    assert "TVA.AU_RSR.PLANCHER" not in codes


def test_the_issue_example_explains_312_40_m2() -> None:
    # Issue 15: "326 m² couvert" for 312.40 m² without saying why.
    q = quote(building(covered="312.40", saillies_public_domain_area=Decimal("6.80")), on=ON)
    assert q.lines[0].base == 326
    assert q.lines[0].label_fr == (
        "Taxe sur les opérations de construction : habitat individuel — 312,40 m² couverts "
        "+ 2 × 6,80 m² de saillies sur le domaine public (comptées deux fois) = 326,00 m² ; "
        "arrondi au m² entier supérieur : 326 m²"
    )


def test_area_rounding_values_are_documented() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "fee-schedules.md").read_text("utf-8")
    for member in AreaRounding:
        assert f"`{member.value}`" in page
    assert "`vat_applies`" in page
    assert "`area_rounding`" in page


@given(use=st.sampled_from(list(ConstructionUse)), covered=areas, public=areas)
def test_library_fee_codes_are_the_api_s(
    use: ConstructionUse, covered: Decimal, public: Decimal
) -> None:
    q = quote(
        building(use, covered=str(covered), saillies_public_domain_area=public, commune=RABAT),
        on=ON,
    )
    for line in q.lines:
        wire = WireFeeLine(
            code=line.code,
            label_fr=line.label_fr,
            label_ar=line.label_ar,
            amount=line.amount,
            payee="Commune",
        )
        assert wire.code == line.code
        assert fee_code_key(line.code.replace(".", "_")) == fee_code_key(line.code)


def test_every_code_the_schedule_can_produce_fits_the_api() -> None:
    sched = default_schedule()
    rubrics = {t.rubric for c in sched.communes.values() for t in c.tariffs}
    for code in rubrics | {f"TVA.{r}" for r in rubrics}:
        WireFeeLine(code=code, label_fr="x", label_ar="س", amount=Money("1.00"), payee="C")


@pytest.mark.parametrize(
    ("one", "other"),
    [("TOC.INDIVIDUEL", "TOC_INDIVIDUEL"), ("TVA.AU_RSR.PLANCHER", "tva_au_rsr_planchER ")],
)
def test_both_spellings_share_a_key(one: str, other: str) -> None:
    assert fee_code_key(one) == fee_code_key(other)
