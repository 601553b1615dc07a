"""Benchmark: quotes per second against a hand-written Decimal baseline, in one run.

The baseline computes the same amounts as the quote (construction tax on an individual
house and a collective building with public-domain saillies, lotissement instalments)
with hard-coded rates and bare Decimal arithmetic: no schedule lookup, no validation,
no provenance. The ratio says what the data-driven, validated calculator costs on top.
The CMI hash is measured the same way against a bare hashlib call on a prepared string.

Run: PYTHONPATH=src python bench/fees.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from rokhas_sdk.models import (
    ConstructionUse,
    Dossier,
    Money,
    NaturalPerson,
    Parcel,
    ProcedureKind,
    Project,
)
from rokhas_sdk.payments import default_schedule, quote
from rokhas_sdk.payments.cmi import hash_fields

ON = date(2026, 1, 15)
CENT = Decimal("0.01")


def _dossier(kind: ProcedureKind, project: Project) -> Dossier:
    return Dossier(
        reference="B-1",
        kind=kind,
        commune="06.141.01.0",
        applicant=NaturalPerson(first_name="A", last_name="B", cin="BE123456"),
        parcel=Parcel(commune="06.141.01.0", address="x", land_area=Decimal(500)),
        project=project,
    )


HOUSE = _dossier(
    ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
    Project(
        use=ConstructionUse.INDIVIDUAL_HOUSING, description="house", covered_area=Decimal("187.40")
    ),
)
BUILDING = _dossier(
    ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
    Project(
        use=ConstructionUse.COLLECTIVE_HOUSING,
        description="building",
        covered_area=Decimal("1250.25"),
        saillies_private_area=Decimal(40),
        saillies_public_domain_area=Decimal("12.50"),
    ),
)
LOTISSEMENT = _dossier(
    ProcedureKind.URB_AUTORISATION_LOTIR,
    Project(
        use=ConstructionUse.INDIVIDUAL_HOUSING,
        description="lots",
        works_cost_ht=Money("2400000"),
        lots_count=10,
    ),
)
ACTUAL = Money("2650000")


def ours() -> Decimal:
    a = quote(HOUSE, on=ON).total
    b = quote(BUILDING, on=ON).total
    c = quote(LOTISSEMENT, on=ON, actual_works_cost=ACTUAL).total
    return (a + b + c).amount


def baseline() -> Decimal:
    house = (Decimal("187.40").to_integral_value(ROUND_CEILING) * 25).quantize(CENT, ROUND_HALF_UP)
    base = (Decimal("1250.25") + 2 * Decimal("12.50")).to_integral_value(ROUND_CEILING)
    building = (base * 20).quantize(CENT, ROUND_HALF_UP)
    estimate = (Decimal(2400000) * 5 / 100).quantize(CENT, ROUND_HALF_UP)
    first = (estimate * Decimal("0.75")).quantize(CENT, ROUND_HALF_UP)
    final = (Decimal(2650000) * 5 / 100).quantize(CENT, ROUND_HALF_UP)
    return house + building + first + (final - first)


FIELDS = {
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
PLAIN = (
    "4700.00|Test User|https://example.ma/cb|600000000|504|test@example.ma|https://example.ma/fail|ver3|fr|"
    "RKH2024000123|https://example.ma/ok|0.12345600 1700000000|https://example.ma/shop|3D_PAY_HOSTING|PreAuth|TEST1234"
)


def our_hash() -> str:
    return hash_fields(FIELDS, "TEST1234")


def raw_hash() -> str:
    return base64.b64encode(hashlib.sha512(PLAIN.encode()).digest()).decode()


def _rate(
    fn: Callable[[], object], per_call: int, *, seconds: float = 0.25, repeats: int = 5
) -> float:
    """Median operations per second over ``repeats`` timed batches."""
    n = 1
    while True:  # size a batch to about ``seconds``
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t > seconds / 4:
            break
        n *= 2
    n = max(1, int(n * seconds / max(time.perf_counter() - t, 1e-9)))
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n * per_call / (time.perf_counter() - t))
    return statistics.median(rates)


def main() -> None:
    """Print one JSON line: quotes/s, baseline/s, and their ratio; same for the CMI hash."""
    default_schedule()  # loaded once, outside the timing
    assert ours() == baseline() == Decimal("162720.00"), (ours(), baseline())
    assert our_hash() == raw_hash()
    q, b = _rate(ours, 3), _rate(baseline, 3)
    h, r = _rate(our_hash, 1), _rate(raw_hash, 1)
    print(
        json.dumps(
            {
                "bench": "fees",
                "quotes_per_s": round(q),
                "baseline_decimal_per_s": round(b),
                "quote_vs_baseline_slowdown": round(b / q, 1),
                "cmi_hash_per_s": round(h),
                "raw_hashlib_per_s": round(r),
                "hash_vs_hashlib_slowdown": round(r / h, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
