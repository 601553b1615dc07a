"""Morocco's territory: regions, prefectures/provinces and communes, as bundled data.

The registry is read from ``data/territory.json`` at first use (never at import) and
can be extended from a CSV with :func:`load_communes_csv`. ``CommuneCode`` validates
that a code names a known commune.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from .._errors import DataFileError, NotFoundError

__all__ = [
    "Commune",
    "CommuneCode",
    "Province",
    "Region",
    "TerritoryRegistry",
    "get_commune",
    "load_communes_csv",
    "registry",
]

# Communes above this population must run a guichet unique (procedures.md §3).
GUICHET_UNIQUE_THRESHOLD = 50_000


@dataclass(frozen=True, slots=True)
class Region:
    """One of the 12 regions (2015 division)."""

    code: str
    name_fr: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class Province:
    """A prefecture or province."""

    code: str
    name_fr: str
    name_ar: str
    region_code: str
    kind: Literal["prefecture", "province"]


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune with its names, province, urban/rural status and population if known."""

    code: str
    name_fr: str
    name_ar: str
    province_code: str
    kind: Literal["urban", "rural"]
    population: int | None = None
    population_year: int | None = None
    source: str = ""
    illustrative: bool = False

    @property
    def needs_guichet_unique(self) -> bool | None:
        """True above 50,000 inhabitants; None when the population is unknown."""
        if self.population is None:
            return None
        return self.population > GUICHET_UNIQUE_THRESHOLD


class TerritoryRegistry:
    """Regions, provinces and communes, indexed by code."""

    def __init__(self, regions: Iterable[Region], provinces: Iterable[Province], communes: Iterable[Commune]) -> None:
        self.regions = {r.code: r for r in regions}
        self.provinces = {p.code: p for p in provinces}
        self.communes: dict[str, Commune] = {}
        for p in self.provinces.values():
            if p.region_code not in self.regions:
                raise DataFileError(f"province {p.code} names unknown region {p.region_code}")
        self.add_communes(communes)

    def add_communes(self, communes: Iterable[Commune]) -> None:
        """Add or replace communes; each must name a known province."""
        for c in communes:
            if c.province_code not in self.provinces:
                raise DataFileError(
                    f"commune {c.code} ({c.name_fr}) names unknown province {c.province_code}; "
                    f"known provinces: {', '.join(sorted(self.provinces)[:8])}..."
                )
            self.communes[c.code] = c

    def commune(self, code: str) -> Commune:
        try:
            return self.communes[code]
        except KeyError:
            raise NotFoundError(
                f"no commune with code {code!r} in the registry; look codes up with "
                "rokhas_sdk.models.registry().find('name') or extend it with load_communes_csv()"
            ) from None

    def find(self, text: str) -> list[Commune]:
        """Communes whose French or Arabic name contains ``text`` (case-insensitive)."""
        t = text.casefold()
        return [c for c in self.communes.values() if t in c.name_fr.casefold() or text in c.name_ar]


_lock = threading.Lock()
_registry: TerritoryRegistry | None = None


def _load_bundled() -> TerritoryRegistry:
    raw = json.loads(resources.files(__package__).joinpath("data/territory.json").read_text(encoding="utf-8"))
    try:
        regions = [Region(**r) for r in raw["regions"]]
        provinces = [Province(**p) for p in raw["provinces"]]
        communes = [Commune(**c) for c in raw["communes"]]
    except (KeyError, TypeError) as exc:
        raise DataFileError(f"bundled territory.json is malformed: {exc}") from None
    return TerritoryRegistry(regions, provinces, communes)


def registry() -> TerritoryRegistry:
    """The process-wide territory registry, loaded on first use."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = _load_bundled()
    return _registry


def get_commune(code: str) -> Commune:
    """The commune with this code, or :class:`NotFoundError` naming how to find one."""
    return registry().commune(code)


_CSV_FIELDS = ("code", "name_fr", "name_ar", "province_code", "kind", "population", "population_year", "source")


def load_communes_csv(path: str | Path, *, target: TerritoryRegistry | None = None) -> list[Commune]:
    """Add communes from a CSV with the columns ``code,name_fr,name_ar,province_code,kind[,population,population_year,source]``."""
    reg = target or registry()
    rows: list[Commune] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "name_fr", "name_ar", "province_code", "kind"} - set(reader.fieldnames or ())
        if missing:
            raise DataFileError(f"{path}: missing columns {sorted(missing)}; expected {', '.join(_CSV_FIELDS)}")
        for lineno, row in enumerate(reader, start=2):
            kind = (row.get("kind") or "").strip().lower()
            if kind not in ("urban", "rural"):
                raise DataFileError(f"{path}:{lineno}: kind must be 'urban' or 'rural', got {kind!r}")
            pop_text = (row.get("population") or "").strip()
            year_text = (row.get("population_year") or "").strip()
            if pop_text and not pop_text.isdigit():
                raise DataFileError(f"{path}:{lineno}: population must be a whole number, got {pop_text!r}")
            if year_text and not year_text.isdigit():
                raise DataFileError(f"{path}:{lineno}: population_year must be a year, got {year_text!r}")
            code = (row.get("code") or "").strip()
            if not code:
                raise DataFileError(f"{path}:{lineno}: empty commune code")
            rows.append(
                Commune(
                    code=code,
                    name_fr=row["name_fr"].strip(),
                    name_ar=row["name_ar"].strip(),
                    province_code=row["province_code"].strip(),
                    kind=kind,  # type: ignore[arg-type]
                    population=int(pop_text) if pop_text else None,
                    population_year=int(year_text) if year_text else None,
                    source=(row.get("source") or str(path)).strip(),
                )
            )
    reg.add_communes(rows)
    return rows


def _commune_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a commune code must be text, got {type(value).__name__}")
    code = value.strip()
    if code not in registry().communes:
        raise ValueError(
            f"{value!r} is not a known commune code; look it up with "
            "rokhas_sdk.models.registry().find('name'), or add the commune with load_communes_csv()"
        )
    return code


CommuneCode = Annotated[str, BeforeValidator(_commune_code), Field(examples=["06.141.01.01"])]
"""A code that names a commune of the registry."""
