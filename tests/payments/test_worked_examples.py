"""The worked examples of fees-payments.md §7 (E1-E8, E11, V1, V1-neg, V4), as tests."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from rokhas_sdk.models import ConstructionUse, Money, ProcedureKind
from rokhas_sdk.payments import FeeDue, FeeSchedule, TariffOutOfLegalBounds, default_schedule, quote
from rokhas_sdk.payments.cmi import hash_fields, hash_plaintext, natural_casefold_sorted

from ._builders import CASABLANCA, RABAT, building, cafe, lotissement

ON = date(2026, 1, 15)


def test_e1_individual_house_casablanca() -> None:
    q = quote(building(ConstructionUse.INDIVIDUAL_HOUSING, covered="187.40"), on=ON)
    (line,) = q.lines
    assert line.code == "TOC.INDIVIDUEL"
    assert line.base == Decimal(188)
    assert line.rate == Decimal(25)
    assert line.amount == Money("4700.00")
    assert q.total == Money("4700.00")
    assert line.due is FeeDue.AUTORISATION_DELIVERED
    assert "47-06" in line.legal_basis
    assert "01-2018" in line.legal_basis


def test_e2_collective_with_public_domain_saillies_counted_double() -> None:
    d = building(
        ConstructionUse.COLLECTIVE_HOUSING,
        covered="1250.25",
        saillies_private_area=Decimal(40),
        saillies_public_domain_area=Decimal("12.50"),
    )
    q = quote(d, on=ON)
    assert q.lines[0].base == Decimal(1276)
    assert q.total == Money("25520.00")


def test_e3_restoration_fixed_fee_whatever_the_area() -> None:
    for area in ("12", "4000.5"):
        q = quote(
            building(ConstructionUse.INDIVIDUAL_HOUSING, covered=area, restoration=True), on=ON
        )
        assert [ln.code for ln in q.lines] == ["TOC.RESTAURATION"]
        assert q.total == Money("500.00")


@pytest.mark.parametrize("use", [ConstructionUse.COMMERCIAL, ConstructionUse.INDUSTRIAL])
def test_e4_commercial_or_industrial(use: ConstructionUse) -> None:
    q = quote(
        building(use, covered="3000", kind=ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET), on=ON
    )
    assert q.total == Money("60000.00")


def test_e5_social_housing_exempt_with_code() -> None:
    q = quote(building(ConstructionUse.SOCIAL_HOUSING, covered="900"), on=ON)
    (line,) = q.lines
    assert line.amount == Money("0.00")
    assert line.exemption_code == "LOGEMENT_SOCIAL_CGI_92_I_28"
    assert q.total == Money("0.00")


@pytest.fixture
def rural_test_commune() -> Iterator[str]:
    """A rural commune added to the process-wide registry for one test, then removed.

    The registry is shared by every test in the process: the commune goes into a copy of
    its table, and the bundled table comes back afterwards, so tests that count the
    bundled communes pass whichever order the tests run in.
    """
    from rokhas_sdk.models import Commune, registry

    reg = registry()
    bundled = reg.communes
    reg.communes = dict(bundled)
    try:
        reg.add_communes(
            [
                Commune(
                    code="141.99.97",
                    name_fr="Commune rurale de test",
                    name_ar="جماعة قروية",
                    province_code="141",
                    kind="rural",
                    illustrative=True,
                )
            ]
        )
        yield "141.99.97"
    finally:
        reg.communes = bundled
        reg.add_communes(())  # adding nothing drops the name index that saw the test commune


def test_e5_rural_dwelling_in_rural_commune_exempt(rural_test_commune: str) -> None:
    q = quote(
        building(ConstructionUse.RURAL_HOUSING, covered="120", commune=rural_test_commune), on=ON
    )
    assert q.lines[0].exemption_code == "HABITAT_RURAL_COMMUNE_RURALE"
    assert q.total == Money("0.00")
    # the same dwelling in an urban commune is taxed as individual housing
    urban = quote(building(ConstructionUse.RURAL_HOUSING, covered="120"), on=ON)
    assert urban.lines[0].exemption_code is None
    assert urban.total == Money("3000.00")


def test_e6_lotissement_casablanca_instalments() -> None:
    first = quote(lotissement("2400000"), on=ON)
    assert [ln.code for ln in first.lines] == ["TOL.TRANCHE_1"]
    assert first.total == Money("90000.00")
    assert not first.complete or first.notes  # balance announced, not priced
    full = quote(lotissement("2400000"), on=ON, actual_works_cost=Money("2650000"))
    amounts = {ln.code: ln.amount for ln in full.lines}
    assert amounts == {"TOL.TRANCHE_1": Money("90000.00"), "TOL.SOLDE": Money("42500.00")}
    assert full.total == Money("132500.00")
    assert full.amount_due(FeeDue.AUTORISATION_DELIVERED) == Money("90000.00")
    assert full.amount_due(FeeDue.CONFORMITE_DELIVERED) == Money("42500.00")


def _hypothetical_commune(rubric_values: dict[str, str]) -> dict[str, object]:
    return {
        "commune": RABAT,
        "name": "Hypothetical commune",
        "illustrative": True,
        "tariffs": [
            {
                "rubric": rubric,
                "value": value,
                "arrete_ref": "hypothetical",
                "valid_from": "2020-01-01",
                "source_url": "https://example.ma/hypothetical",
                "confidence": "I",
                "illustrative": True,
            }
            for rubric, value in rubric_values.items()
        ],
    }


def test_e7_lotissement_at_legal_minimum() -> None:
    sched = default_schedule().with_commune(_hypothetical_commune({"TOL.TAUX": "3"}))
    q = quote(
        lotissement("1000000", commune=RABAT),
        on=ON,
        schedule=sched,
        actual_works_cost=Money("1000000"),
    )
    amounts = {ln.code: ln.amount for ln in q.lines}
    assert amounts == {"TOL.TRANCHE_1": Money("22500.00"), "TOL.SOLDE": Money("7500.00")}
    assert q.total == Money("30000.00")


@pytest.mark.parametrize(("value", "bound"), [("35", "max 30"), ("15", "min 20")])
def test_e8_tariff_outside_legal_bounds_is_refused(value: str, bound: str) -> None:
    with pytest.raises(TariffOutOfLegalBounds) as info:
        default_schedule().with_commune(_hypothetical_commune({"TOC.INDIVIDUEL": value}))
    err = info.value
    assert err.bound == bound
    assert err.rubric == "TOC.INDIVIDUEL"
    assert "tax-news.ma" in err.source_url
    assert bound.split()[1] in str(err)
    assert "47-06" in str(err)


def test_e8_same_refusal_from_raw_files() -> None:
    national = (
        resources.files("rokhas_sdk.payments")
        .joinpath("data/legal_bounds.json")
        .read_text(encoding="utf-8")
    )
    with pytest.raises(TariffOutOfLegalBounds):
        FeeSchedule.from_data(
            national, [json.dumps(_hypothetical_commune({"TOC.INDIVIDUEL": "35"}))]
        )


def test_e11_debit_de_boissons_casablanca() -> None:
    q = quote(cafe(), on=ON, beverage_receipts_ht=Money("450000"))
    (line,) = q.lines
    assert line.code == "DEBIT_BOISSONS"
    assert line.amount == Money("36000.00")
    assert line.due is FeeDue.ANNUAL_BEFORE_APRIL


V1_FIELDS = {
    "clientid": "600000000",
    "amount": "4700.00",
    "okUrl": "https://example.ma/ok",
    "failUrl": "https://example.ma/fail",
    "TranType": "PreAuth",
    "callbackUrl": "https://example.ma/cb",
    "shopurl": "https://example.ma/shop",
    "currency": "504",
    "rnd": "0.12345600 1700000000",
    "storetype": "3D_PAY_HOSTING",
    "hashAlgorithm": "ver3",
    "lang": "fr",
    "BillToName": "Test User",
    "email": "test@example.ma",
    "oid": "RKH2024000123",
    "encoding": "UTF-8",
}
V1_PLAIN = (
    "4700.00|Test User|https://example.ma/cb|600000000|504|test@example.ma|https://example.ma/fail|ver3|fr|"
    "RKH2024000123|https://example.ma/ok|0.12345600 1700000000|https://example.ma/shop|3D_PAY_HOSTING|PreAuth|TEST1234"
)
V1_HASH = "k1c9QCdlSZLreDTHSpTgHvTvUJllkb4DQ+zv5sZ7LrKOVfgefZPQePLkbn379y1NWs9lzmNiSEBYOMBo/d8Ykg=="
V1_NEG_HASH = (
    "c/zXJxxICtot4Htsyrq4RKQkw8Me6lJthZDNIV3KrJaU7ReKvfcOTxnPZ3l2M5XKalNL6RsRzMNDmBxLoNu3+Q=="
)


def test_v1_request_hash() -> None:
    assert hash_plaintext(V1_FIELDS, "TEST1234") == V1_PLAIN
    assert hash_fields(V1_FIELDS, "TEST1234") == V1_HASH


def test_v1_neg_case_sensitive_order_gives_another_hash() -> None:
    # R3's request side sorts with a case-sensitive ksort: upper-case names first
    names = sorted(n for n in V1_FIELDS if n.lower() not in ("hash", "encoding"))
    plain = "".join(V1_FIELDS[n] + "|" for n in names) + "TEST1234"
    wrong = base64.b64encode(hashlib.sha512(plain.encode()).digest()).decode()
    assert wrong == V1_NEG_HASH
    assert hash_fields(V1_FIELDS, "TEST1234") != V1_NEG_HASH


def test_v4_natural_order_of_digit_runs() -> None:
    names = ["BillToStreet12", "BillToStreet2", "BillToStreet1"]
    assert natural_casefold_sorted(names) == ["BillToStreet1", "BillToStreet2", "BillToStreet12"]
    assert sorted(n.lower() for n in names) == ["billtostreet1", "billtostreet12", "billtostreet2"]
    fields = {"BillToStreet12": "c", "BillToStreet2": "b", "BillToStreet1": "a"}
    assert hash_plaintext(fields, "K") == "a|b|c|K"
    assert (
        hash_fields(fields, "K") == base64.b64encode(hashlib.sha512(b"a|b|c|K").digest()).decode()
    )


def test_casablanca_ships_as_a_real_schedule() -> None:
    casa = default_schedule().communes[CASABLANCA]
    assert not casa.illustrative
    sourced = [t for t in casa.tariffs if not t.illustrative]
    assert {t.rubric for t in sourced} >= {
        "TOC.INDIVIDUEL",
        "TOC.COLLECTIF_ET_NON_RESIDENTIEL",
        "TOC.RESTAURATION",
        "TOL.TAUX",
    }
    assert all("casablancacity.ma" in t.source_url for t in sourced)
