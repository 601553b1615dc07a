"""Morocco's territory: regions, prefectures/provinces, communes, as bundled data.

The registry is read from ``data/territory.json`` at first use (never at import): the
12 regions, the 75 prefectures and provinces, the 1,503 communes and the 41
arrondissements of the HCP census of 2024, with the HCP geographic codes, French and
Arabic names, urban/rural status and population (docs/models.md gives the sources).
It can be extended from a CSV with :func:`load_communes_csv`.

Codes are HCP's: region ``06``, province ``06.141``, commune ``06.141.01.0`` (the
seventh and eighth characters are the cercle, ``01`` for municipalities). The codes of
the first seed registry (``141.01.01`` for Casablanca...) are accepted on input as
aliases and normalised to the HCP code: every code the SDK writes (models, signed
permits, the sandbox, permit numbers) has the one HCP form.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from .._errors import DataFileError, InvalidInputError, NotFoundError

__all__ = [
    "GUICHET_UNIQUE_THRESHOLD",
    "Arrondissement",
    "Commune",
    "CommuneCode",
    "Province",
    "ProvinceCode",
    "Region",
    "TerritoryRegistry",
    "commune_code",
    "get_commune",
    "load_communes_csv",
    "permit_number",
    "registry",
    "same_commune",
]

GUICHET_UNIQUE_THRESHOLD = 50_000
"""Communes above this population must run a guichet unique (RGC 2019; docs/legal-sources.md)."""

_LOOKUP_HINT = (
    "look it up with `rokhas commune NAME` or rokhas_sdk.models.registry().find('NAME'), "
    "or add it with rokhas_sdk.models.load_communes_csv()"
)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for searching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .replace("'", "")
        .replace("-", " ")
    )


@dataclass(frozen=True, slots=True)
class Region:
    """One of the 12 regions of the 2015 division."""

    code: str
    name_fr: str
    name_ar: str
    population: int | None = None
    population_year: int | None = None


@dataclass(frozen=True, slots=True)
class Province:
    """A prefecture (mostly urban) or a province."""

    code: str
    name_fr: str
    name_ar: str
    region_code: str
    kind: Literal["prefecture", "province"]
    population: int | None = None
    population_year: int | None = None


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune with its names, province, urban/rural status and population if known.

    ``kind`` is ``"urban"`` for a municipality and ``"rural"`` for a rural commune.
    ``population`` is the census figure of ``population_year``; ``source`` names where
    the row comes from (a source id of territory.json, or the CSV it was loaded from).
    """

    code: str
    name_fr: str
    name_ar: str
    province_code: str
    kind: Literal["urban", "rural"]
    population: int | None = None
    population_year: int | None = None
    source: str = ""
    illustrative: bool = False
    population_2014: int | None = None

    @property
    def region_code(self) -> str:
        """The region's code: the first two characters of an HCP code."""
        return self.province_code.split(".", 1)[0]

    @property
    def needs_guichet_unique(self) -> bool | None:
        """True above 50,000 inhabitants; None when the population is unknown."""
        if self.population is None:
            return None
        return self.population > GUICHET_UNIQUE_THRESHOLD


@dataclass(frozen=True, slots=True)
class Arrondissement:
    """An arrondissement of one of the six large municipalities (Casablanca, Rabat...)."""

    code: str
    name_fr: str
    name_ar: str
    commune_code: str
    population: int | None = None
    population_year: int | None = None


class TerritoryRegistry:
    """Regions, provinces and communes, indexed by code.

    ``aliases`` maps older commune codes to current ones (``province_aliases`` the same
    for provinces); lookups accept either. Construction checks that every province and
    commune names a known parent, and raises :class:`DataFileError` otherwise.
    """

    def __init__(
        self,
        regions: Iterable[Region],
        provinces: Iterable[Province],
        communes: Iterable[Commune],
        *,
        arrondissements: Iterable[Arrondissement] = (),
        aliases: dict[str, str] | None = None,
        province_aliases: dict[str, str] | None = None,
    ) -> None:
        self.regions: dict[str, Region] = {r.code: r for r in regions}
        self.provinces: dict[str, Province] = {}
        self.communes: dict[str, Commune] = {}
        self.arrondissements: dict[str, Arrondissement] = {}
        self.aliases: dict[str, str] = dict(aliases or {})
        self.province_aliases: dict[str, str] = dict(province_aliases or {})
        self.sources: dict[str, dict[str, str]] = {}
        self.version = ""
        self._folded: dict[str, str] | None = None
        for p in provinces:
            if p.region_code not in self.regions:
                raise DataFileError(
                    f"province {p.code} ({p.name_fr}) names unknown region {p.region_code!r}; "
                    f"known regions: {', '.join(sorted(self.regions))}"
                )
            self.provinces[p.code] = p
        for old, new in self.province_aliases.items():
            if new not in self.provinces:
                raise DataFileError(f"province alias {old!r} points to unknown code {new!r}")
        self.add_communes(communes)
        for a in arrondissements:
            if a.commune_code not in self.communes:
                raise DataFileError(
                    f"arrondissement {a.code} names unknown commune {a.commune_code!r}"
                )
            self.arrondissements[a.code] = a
        for old, new in self.aliases.items():
            if new not in self.communes:
                raise DataFileError(f"commune alias {old!r} points to unknown code {new!r}")

    def add_communes(self, communes: Iterable[Commune]) -> None:
        """Add or replace communes; each must name a known province (code or alias)."""
        for c in communes:
            province = self.province_aliases.get(c.province_code, c.province_code)
            if province not in self.provinces:
                raise DataFileError(
                    f"commune {c.code} ({c.name_fr}) names unknown province {c.province_code!r}; "
                    f"province codes look like '06.141' (see registry().provinces)"
                )
            self.communes[c.code] = (
                c if province == c.province_code else replace(c, province_code=province)
            )
        self._folded = None

    def canonical_code(self, code: str) -> str | None:
        """The registry's code for ``code`` (itself, or what an alias points to), else None."""
        if code in self.communes:
            return code
        return self.aliases.get(code)

    def commune(self, code: str) -> Commune:
        """The commune with this code or alias; :class:`NotFoundError` with suggestions."""
        canonical = self.canonical_code(code.strip()) if isinstance(code, str) else None
        if canonical is None:
            raise NotFoundError(
                f"no commune with code {code!r}{self._suggest(code)}; {_LOOKUP_HINT}"
            )
        return self.communes[canonical]

    def province(self, code: str) -> Province:
        """The prefecture or province with this code (``06.141``) or alias (``141``)."""
        key = self.province_aliases.get(code, code)
        try:
            return self.provinces[key]
        except KeyError:
            raise NotFoundError(
                f"no prefecture or province with code {code!r}; codes look like '06.141' "
                "(region, dot, 3 digits): see rokhas_sdk.models.registry().provinces"
            ) from None

    def region(self, code: str) -> Region:
        """The region with this two-digit code (``01`` to ``12``)."""
        try:
            return self.regions[code]
        except KeyError:
            raise NotFoundError(
                f"no region with code {code!r}; regions are numbered '01' to '12'"
            ) from None

    def communes_of(self, province_code: str) -> list[Commune]:
        """The communes of one prefecture or province, by code."""
        key = self.province(province_code).code
        return [c for c in self.communes.values() if c.province_code == key]

    def find(self, text: str, *, limit: int | None = None) -> list[Commune]:
        """Communes whose French or Arabic name contains ``text``.

        Case and accents are ignored (``fes`` finds Fès); exact name matches come first,
        then larger communes.
        """
        needle = _fold(text.strip())
        if not needle:
            return []
        folded = self._folded_names()
        hits = [
            c
            for c in self.communes.values()
            if needle in (folded.get(c.code) or _fold(c.name_fr)) or text.strip() in c.name_ar
        ]
        hits.sort(
            key=lambda c: (
                _fold(c.name_fr) != needle and c.name_ar != text.strip(),
                -(c.population or 0),
                c.code,
            )
        )
        return hits[:limit] if limit is not None else hits

    def _folded_names(self) -> dict[str, str]:
        # Built once per registry state: add_communes() drops it.
        if self._folded is None:
            self._folded = {code: _fold(c.name_fr) for code, c in self.communes.items()}
        return self._folded

    def _suggest(self, code: object) -> str:
        if not isinstance(code, str) or not code.strip():
            return ""
        close = difflib.get_close_matches(code.strip(), list(self.communes), n=3, cutoff=0.8)
        if not close:
            return ""
        return (
            " (did you mean " + ", ".join(f"{c} {self.communes[c].name_fr}" for c in close) + "?)"
        )


_lock = threading.Lock()
_registry: TerritoryRegistry | None = None


def _load_bundled() -> TerritoryRegistry:
    where = "bundled rokhas_sdk/models/data/territory.json"
    raw = json.loads(
        resources.files(__package__).joinpath("data/territory.json").read_text(encoding="utf-8")
    )
    try:
        year = int(raw["commune_population_year"])
        source = str(raw["commune_source"])
        columns = raw["commune_columns"]
        if columns != [
            "code",
            "name_fr",
            "name_ar",
            "province_code",
            "kind",
            "population",
            "population_2014",
        ]:
            raise DataFileError(f"{where}: unexpected commune_columns {columns}")
        regions = [Region(**r, population_year=year) for r in raw["regions"]]
        provinces = [Province(**p, population_year=year) for p in raw["provinces"]]
        communes = [
            Commune(
                code=code,
                name_fr=fr,
                name_ar=ar,
                province_code=prov,
                kind=kind,
                population=pop,
                population_year=year if pop is not None else None,
                source=source,
                population_2014=pop14,
            )
            for code, fr, ar, prov, kind, pop, pop14 in raw["communes"]
        ]
        arrondissements = [
            Arrondissement(
                code=code,
                name_fr=fr,
                name_ar=ar,
                commune_code=com,
                population=pop,
                population_year=year,
            )
            for code, fr, ar, com, pop in raw["arrondissements"]
        ]
        aliases = {k: v for k, v in raw["aliases"].items() if not k.startswith("_")}
        reg = TerritoryRegistry(
            regions,
            provinces,
            communes,
            arrondissements=arrondissements,
            aliases=aliases,
            province_aliases=raw["province_aliases"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"{where} is malformed: {exc}") from None
    reg.sources = raw["sources"]
    reg.version = raw["version"]
    return reg


def registry() -> TerritoryRegistry:
    """The process-wide territory registry, loaded on first use (thread-safe)."""
    global _registry
    reg = _registry
    if reg is None:
        with _lock:
            if _registry is None:
                _registry = _load_bundled()
            reg = _registry
    return reg


def get_commune(code: str) -> Commune:
    """The commune with this code, or :class:`NotFoundError` naming how to find one."""
    return registry().commune(code)


_CSV_REQUIRED = ("code", "name_fr", "name_ar", "province_code", "kind")
_CSV_OPTIONAL = ("population", "population_year", "population_2014", "source")
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._\-]{0,23}$")


def load_communes_csv(
    path: str | Path, *, target: TerritoryRegistry | None = None
) -> list[Commune]:
    """Add communes from a UTF-8 CSV file; returns the communes added.

    Columns: ``code,name_fr,name_ar,province_code,kind`` (``urban`` or ``rural``), and
    optionally ``population,population_year,population_2014,source``. A row whose code
    already exists replaces it (a newer census figure, a corrected name). The whole file
    is checked before anything is added: one bad row raises :class:`DataFileError`
    naming the file, line and fix, and leaves the registry unchanged.
    """
    reg = target if target is not None else registry()
    rows: list[Commune] = []
    seen: dict[str, int] = {}
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise DataFileError(f"cannot read communes CSV {path}: {exc.strerror or exc}") from None
    with fh:
        try:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or ())]
            reader.fieldnames = header
            missing = [c for c in _CSV_REQUIRED if c not in header]
            if missing:
                raise DataFileError(
                    f"{path}: missing columns {', '.join(missing)}; the header must be "
                    f"{','.join(_CSV_REQUIRED)}[,{','.join(_CSV_OPTIONAL)}]"
                )
            for row in reader:
                rows.append(_csv_row(path, reader.line_num, row, reg, seen))
        except UnicodeDecodeError:
            raise DataFileError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
        except csv.Error as exc:
            raise DataFileError(f"{path}: not a readable CSV ({exc})") from None
    reg.add_communes(rows)
    return rows


def _csv_row(
    path: str | Path, line: int, row: dict[str, Any], reg: TerritoryRegistry, seen: dict[str, int]
) -> Commune:
    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    def number(name: str) -> int | None:
        text = cell(name).replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if not text.isdigit():
            raise DataFileError(
                f"{path}:{line}: {name} must be a whole number of inhabitants or years, got "
                f"{cell(name)!r}"
            )
        return int(text)

    if None in row:
        raise DataFileError(
            f"{path}:{line}: more cells than columns; quote names that contain commas"
        )
    code = cell("code")
    if not _CODE.match(code):
        raise DataFileError(
            f"{path}:{line}: commune code {code!r} is empty or malformed; use letters, digits, "
            "'.', '-' or '_' "
            "(HCP codes look like '06.141.01.0')"
        )
    if code in seen:
        raise DataFileError(
            f"{path}:{line}: commune code {code} already appears on line {seen[code]}"
        )
    seen[code] = line
    name_fr, name_ar = cell("name_fr"), cell("name_ar")
    if not name_fr or not name_ar:
        raise DataFileError(f"{path}:{line}: commune {code} needs both name_fr and name_ar")
    kind = cell("kind").lower()
    if kind not in ("urban", "rural"):
        raise DataFileError(f"{path}:{line}: kind must be 'urban' or 'rural', got {cell('kind')!r}")
    province = cell("province_code")
    province = reg.province_aliases.get(province, province)
    if province not in reg.provinces:
        raise DataFileError(
            f"{path}:{line}: province_code {cell('province_code')!r} is not a known prefecture "
            "or province; "
            "codes look like '06.141' (see registry().provinces)"
        )
    population = number("population")
    year = number("population_year")
    if year is not None and not 1900 <= year <= 2100:
        raise DataFileError(
            f"{path}:{line}: population_year must be a census year such as 2024, got {year}"
        )
    if population is not None and year is None:
        raise DataFileError(f"{path}:{line}: give population_year with the population (e.g. 2024)")
    return Commune(
        code=code,
        name_fr=name_fr,
        name_ar=name_ar,
        province_code=province,
        kind=kind,  # type: ignore[arg-type]  # checked just above
        population=population,
        population_year=year,
        population_2014=number("population_2014"),
        source=cell("source") or str(path),
    )


def same_commune(a: str, b: str) -> bool:
    """Whether two commune codes (HCP codes or aliases) name the same commune."""
    if a == b:
        return True
    reg = registry()
    return reg.canonical_code(a) is not None and reg.canonical_code(a) == reg.canonical_code(b)


def _commune_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f"a commune code must be text such as '06.141.01.0', got {type(value).__name__}"
        )
    code = value.strip()
    reg = _registry if _registry is not None else registry()
    canonical = reg.canonical_code(code)
    if canonical is None:
        raise ValueError(
            f"{value!r} is not a known commune code{reg._suggest(code)}; {_LOOKUP_HINT}"
        )
    # One form everywhere: an old seed code (141.01.01) becomes the HCP code it names.
    return canonical


def commune_code(code: str) -> str:
    """The HCP form of a commune code: ``commune_code("141.01.01") == "06.141.01.0"``.

    Accepts the HCP code itself or a registered alias (the seed registry's
    ``141.01.01``...), with surrounding spaces; raises :class:`NotFoundError` (with
    suggestions) for a code that names no commune.
    """
    return registry().commune(code).code


_SERIAL = re.compile(r"^[A-Za-z0-9]{1,24}$")


def permit_number(commune: str, year: int, serial: int | str, *, tacit: bool = False) -> str:
    """The number printed on a permit: ``P-06.141.01.0-2026-000042``.

    ``P`` for a decision signed by the competent authority, ``T`` for a tacit
    authorisation (silence of the administration); then the commune's HCP code (an
    alias is normalised), the year of the decision, and the serial within the commune
    and year (an integer, zero-padded to six digits, or a platform id of letters and
    digits). docs/models.md documents the format; every permit the SDK numbers
    (sandbox, test walks, the demo) goes through this function.

    >>> permit_number("141.01.01", 2026, 42)
    'P-06.141.01.0-2026-000042'
    """
    if isinstance(serial, bool) or not isinstance(serial, int | str):
        raise InvalidInputError(
            f"a permit serial is a number or letters and digits, got {serial!r}"
        )
    if isinstance(serial, int):
        if not 0 <= serial <= 999_999_999:
            raise InvalidInputError(f"permit serial {serial} is out of range; give 0 to 999999999")
        text = f"{serial:06d}"
    elif not _SERIAL.match(serial):
        raise InvalidInputError(
            f"permit serial {serial!r} must be 1 to 24 letters or digits (e.g. '000042')"
        )
    else:
        text = serial
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidInputError(f"permit year must be a year such as 2026, got {year!r}")
    return f"{'T' if tacit else 'P'}-{commune_code(commune)}-{year}-{text}"


CommuneCode = Annotated[
    str,
    BeforeValidator(_commune_code),
    Field(
        examples=["06.141.01.0"],
        description=(
            "HCP code of a commune of the registry (e.g. '06.141.01.0' Casablanca); a "
            "registered alias (old seed code such as '141.01.01') is accepted and "
            "normalised to the HCP code"
        ),
    ),
]
"""A code that names a commune of the registry; an alias is normalised to the HCP code."""


def _province_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f"a province code must be text such as '06.141', got {type(value).__name__}"
        )
    code = value.strip()
    reg = _registry if _registry is not None else registry()
    if code not in reg.provinces and code not in reg.province_aliases:
        raise ValueError(
            f"{value!r} is not a known prefecture or province code; codes look like '06.141' "
            "(region, dot, 3 digits): see rokhas_sdk.models.registry().provinces"
        )
    return code


ProvinceCode = Annotated[
    str,
    BeforeValidator(_province_code),
    Field(
        examples=["06.141"],
        description="HCP code of a prefecture or province (e.g. '06.141'), or an alias",
    ),
]
"""A code that names a prefecture or province of the registry, kept as written."""
