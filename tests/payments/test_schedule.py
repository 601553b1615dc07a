"""The schedule data: provenance on every row, validation, versioning, fail-closed lookups."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from rokhas_sdk import DataFileError, InvalidInputError
from rokhas_sdk.models import ConstructionUse, Money
from rokhas_sdk.payments import (
    FeeSchedule,
    MoneyRounding,
    NoTariffError,
    SaillieMode,
    TariffOutOfLegalBounds,
    default_schedule,
    quote,
)

from ._builders import CASABLANCA, RABAT, building, cafe

DATA = resources.files("rokhas_sdk.payments").joinpath("data")


def _national() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DATA.joinpath("legal_bounds.json").read_text(encoding="utf-8"))
    return doc


def _commune(tariffs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"commune": RABAT, "name": "Test", "illustrative": True, "tariffs": tariffs} | extra


def _tariff(
    rubric: str, value: str, valid_from: str = "2020-01-01", **extra: Any
) -> dict[str, Any]:
    return {
        "rubric": rubric,
        "value": value,
        "arrete_ref": "test",
        "valid_from": valid_from,
        "source_url": "https://example.ma/t",
        "confidence": "I",
        **extra,
    }


def test_every_bundled_row_carries_provenance() -> None:
    sched = default_schedule()
    for b in sched.national.bounds:
        assert b.source_url.startswith("http")
        assert b.legal_text
        assert b.confidence in "CSIU"
    for e in sched.national.exemptions:
        assert e.source_url.startswith("http")
        assert e.code
    for c in sched.communes.values():
        for t in c.tariffs:
            assert t.source_url.startswith("http")
            assert t.arrete_ref
            assert t.confidence in "CSIU"
            if c.illustrative:
                assert t.illustrative, (
                    f"{c.name}: rows of an illustrative schedule must be marked illustrative"
                )


def test_default_schedule_is_loaded_once() -> None:
    assert default_schedule() is default_schedule()


def test_no_float_reaches_a_rate() -> None:
    for b in default_schedule().national.bounds:
        for v in (b.min, b.max):
            assert v is None or isinstance(v, Decimal)


def test_fixed_fee_has_only_a_maximum() -> None:
    # a restoration fee below anything is fine; above 500 is refused
    default_schedule().with_commune(_commune([_tariff("TOC.RESTAURATION", "100")]))
    with pytest.raises(TariffOutOfLegalBounds, match="500"):
        default_schedule().with_commune(_commune([_tariff("TOC.RESTAURATION", "501")]))


def test_tariff_checked_against_bound_of_its_own_date() -> None:
    # under loi 30-89 only a 20 DH ceiling applied to collective housing: 5 DH was lawful then
    old = _tariff(
        "TOC.COLLECTIF_ET_NON_RESIDENTIEL", "5", valid_from="2000-01-01", valid_to="2007-12-31"
    )
    sched = default_schedule().with_commune(_commune([old]))
    q = quote(
        building(ConstructionUse.COLLECTIVE_HOUSING, covered="100", commune=RABAT),
        on=date(2005, 6, 1),
        schedule=sched,
    )
    assert q.total == Money("500.00")
    assert "30-89" in q.lines[0].legal_basis
    # the same 5 DH from 2008 breaks the 47-06 minimum of 10
    with pytest.raises(TariffOutOfLegalBounds, match="minimum of 10"):
        default_schedule().with_commune(
            _commune([_tariff("TOC.COLLECTIF_ET_NON_RESIDENTIEL", "5", valid_from="2008-01-01")])
        )


def test_versioned_tariffs_pick_the_row_in_force() -> None:
    rows = [
        _tariff("TOC.INDIVIDUEL", "20", valid_from="2018-01-01", valid_to="2022-12-31"),
        _tariff("TOC.INDIVIDUEL", "30", valid_from="2023-01-01"),
    ]
    sched = default_schedule().with_commune(_commune(rows))
    d = building(ConstructionUse.INDIVIDUAL_HOUSING, covered="100", commune=RABAT)
    assert quote(d, on=date(2022, 12, 31), schedule=sched).total == Money("2000.00")
    assert quote(d, on=date(2023, 1, 1), schedule=sched).total == Money("3000.00")
    with pytest.raises(NoTariffError, match="2017-06-01"):
        quote(d, on=date(2017, 6, 1), schedule=sched)


def test_overlapping_rows_are_refused() -> None:
    rows = [
        _tariff("TOC.INDIVIDUEL", "20", valid_from="2018-01-01"),
        _tariff("TOC.INDIVIDUEL", "30", valid_from="2023-01-01"),
    ]
    with pytest.raises(DataFileError, match="overlaps"):
        default_schedule().with_commune(_commune(rows))


def test_tariff_for_unknown_rubric_is_refused() -> None:
    with pytest.raises(DataFileError, match=r"no legal bound for TOC\.PISCINE"):
        default_schedule().with_commune(_commune([_tariff("TOC.PISCINE", "10")]))


def test_bad_rows_name_the_problem() -> None:
    with pytest.raises(DataFileError, match="confidence"):
        default_schedule().with_commune(
            _commune([_tariff("TOC.INDIVIDUEL", "25", confidence="maybe")])
        )
    with pytest.raises(DataFileError, match="not valid JSON"):
        default_schedule().with_commune("{not json")
    nat = _national()
    nat["bounds"][0]["min"] = "30"
    with pytest.raises(DataFileError, match="min 30 is above max 20"):
        FeeSchedule.from_data(nat)


def test_commune_without_schedule_fails_closed() -> None:
    sched = FeeSchedule.from_data(DATA.joinpath("legal_bounds.json").read_text(encoding="utf-8"))
    with pytest.raises(NoTariffError, match=r"no fee schedule for commune 06\.141\.01\.0"):
        quote(building(covered="100"), on=date(2026, 1, 1), schedule=sched)


def test_policy_switches() -> None:
    rows = [_tariff("TOC.COLLECTIF_ET_NON_RESIDENTIEL", "20")]
    d = building(
        ConstructionUse.COLLECTIVE_HOUSING,
        covered="1250.25",
        commune=RABAT,
        saillies_private_area=Decimal(40),
        saillies_public_domain_area=Decimal("12.50"),
    )
    on = date(2026, 1, 1)
    all_double = default_schedule().with_commune(
        _commune(rows, policy={"saillie_mode": SaillieMode.ALL_DOUBLE.value})
    )
    # 1250.25 + 40 (private, once more) + 2 x 12.50 = 1315.25 -> 1316 m²
    assert quote(d, on=on, schedule=all_double).total == Money("26320.00")
    each = default_schedule().with_commune(_commune(rows, policy={"area_rounding": "CEIL_EACH"}))
    # ceil(1250.25)=1251 + 2 x ceil(12.50)=26 -> 1277 m²
    assert quote(d, on=on, schedule=each).total == Money("25540.00")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (MoneyRounding.CENTIME_HALF_UP, "12345.68"),
        (MoneyRounding.DIRHAM_HALF_UP, "12346.00"),
        (MoneyRounding.DIRHAM_UP, "12346.00"),
    ],
)
def test_money_rounding_policy(mode: MoneyRounding, expected: str) -> None:
    sched = default_schedule().with_commune(
        _commune([_tariff("DEBIT_BOISSONS.TAUX", "8")], policy={"money_rounding": mode.value})
    )
    # 8 % of 154320.95 = 12345.676
    q = quote(
        cafe(commune=RABAT),
        on=date(2026, 1, 1),
        schedule=sched,
        beverage_receipts_ht=Money("154320.95"),
    )
    assert q.total == Money(expected)


def test_dirham_up_rounds_up_small_fractions() -> None:
    sched = default_schedule().with_commune(
        _commune([_tariff("DEBIT_BOISSONS.TAUX", "8")], policy={"money_rounding": "DIRHAM_UP"})
    )
    q = quote(
        cafe(commune=RABAT),
        on=date(2026, 1, 1),
        schedule=sched,
        beverage_receipts_ht=Money("100.10"),
    )
    assert q.total == Money("9.00")  # 8.008 -> 9


def test_unknown_exemption_code_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="ALEM"):
        quote(building(covered="10"), on=date(2026, 1, 1), exemptions=["NOPE"])


def test_claimed_exemption() -> None:
    q = quote(building(covered="100"), on=date(2026, 1, 1), exemptions=["ALEM"])
    assert q.lines[0].exemption_code == "ALEM"
    assert q.total == Money("0.00")


def test_slum_clearance_uses_casablanca_specific_rate_else_collective() -> None:
    d = building(ConstructionUse.SLUM_CLEARANCE_HOUSING, covered="100")
    q = quote(d, on=date(2026, 1, 1))
    assert q.lines[0].code == "TOC.HABITAT_RESORPTION"
    assert q.total == Money("1000.00")
    d2 = building(ConstructionUse.SLUM_CLEARANCE_HOUSING, covered="100", commune=RABAT)
    q2 = quote(d2, on=date(2026, 1, 1))
    assert q2.lines[0].code == "TOC.COLLECTIF_ET_NON_RESIDENTIEL"
    assert q2.total == Money("2000.00")
    assert q2.illustrative


def test_old_seed_codes_are_aliases() -> None:
    # dossiers filed with the first seed codes (141.01.01) quote like the current ones
    old = quote(building(covered="187.40", commune="141.01.01"), on=date(2026, 1, 1))
    new = quote(building(covered="187.40", commune=CASABLANCA), on=date(2026, 1, 1))
    assert old.total == new.total == Money("4700.00")
    assert old.commune == new.commune == CASABLANCA
    sched = default_schedule().with_commune(
        _commune([_tariff("TOC.INDIVIDUEL", "30")], commune="421.01.01")
    )
    assert sched.tariff(RABAT, "TOC.INDIVIDUEL", date(2026, 1, 1)).value == Decimal(30)
    assert list(sched.communes).count(RABAT) == 1


def test_casablanca_bundled_values() -> None:
    sched = default_schedule()
    assert sched.tariff(CASABLANCA, "TOC.INDIVIDUEL", date(2026, 1, 1)).value == Decimal(25)
    assert sched.bound("TOC.INDIVIDUEL", date(2026, 1, 1)).max == Decimal(30)


FES = "03.231.01.0"


def test_fes_relocation_rate_is_the_sourced_row_and_the_rest_stays_illustrative() -> None:
    # the one rate the search found (docs/fee-schedules.md): 5 DH/m² from 2021
    sched = default_schedule()
    row = sched.tariff(FES, "TOC.HABITAT_RESORPTION", date(2026, 1, 1))
    assert row.value == Decimal(5)
    assert not row.illustrative
    assert row.confidence == "S"
    assert row.source_url.startswith("https://leseco.ma/")
    # before the 2021 session there is no sourced relocation rate: the collective one applies
    with pytest.raises(NoTariffError):
        sched.tariff(FES, "TOC.HABITAT_RESORPTION", date(2020, 6, 1))
    q = quote(
        building(ConstructionUse.SLUM_CLEARANCE_HOUSING, covered="100", commune=FES),
        on=date(2026, 1, 1),
    )
    toc = q.lines[0]
    assert toc.code == "TOC.HABITAT_RESORPTION"
    assert toc.amount == Money("500.00")
    assert not toc.illustrative
    # a quote that needs a placeholder row says so
    q2 = quote(building(covered="100", commune=FES), on=date(2026, 1, 1))
    assert q2.illustrative
    for code in ("TOC.INDIVIDUEL", "TOL.TAUX", "ODP.CHANTIER", "AU_RSR.PLANCHER"):
        assert sched.tariff(FES, code, date(2026, 1, 1)).illustrative, code


def test_communes_without_a_sourced_row_stay_illustrative() -> None:
    for code, c in default_schedule().communes.items():
        sourced = [t for t in c.tariffs if not t.illustrative]
        assert c.illustrative == (not sourced), code
        for t in sourced:
            # a row read from a source may carry our inference on its reading, never [U]
            assert t.confidence in "CSI", (code, t.rubric)
