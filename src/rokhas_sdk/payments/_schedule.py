"""Fee schedules as versioned data: legal bounds, commune tariffs, policies, exemptions.

Nothing here hard-codes a rate. The national file (``data/legal_bounds.json``) holds what
the law allows; one file per commune (``data/tariffs-<code>.json``) holds what its
arrêté fiscal sets. Every commune tariff is checked against the legal bound in force on
its own effective date when the schedule is built, so a schedule that loaded is a
schedule within the law. The bundled schedule is read and validated once, at first use.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .._errors import DataFileError, InvalidInputError
from ..models import (
    CommuneCode,
    ConstructionUse,
    LabelledEnum,
    Money,
    ProcedureKind,
    ValueObject,
    registry,
)
from ._errors import NoTariffError, TariffOutOfLegalBounds

__all__ = [
    "AreaRounding",
    "CommunePolicy",
    "CommuneSchedule",
    "CommuneTariff",
    "Confidence",
    "Exemption",
    "FeeDue",
    "FeeSchedule",
    "FeeUnit",
    "InstalmentRule",
    "LegalBound",
    "MoneyRounding",
    "PenaltyRule",
    "SaillieMode",
    "TaxRule",
    "UseRubric",
    "canonical_commune",
    "default_schedule",
]

Confidence = Literal["C", "S", "I", "U"]
"""How sure the source is: Confirmed, Secondary source, Inference, Unverified."""

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Z0-9_.]+$")]


class FeeUnit(LabelledEnum):
    """The unit of a rate or of a legal bound."""

    MAD_PER_M2_COUVERT = ("MAD_PER_M2_COUVERT", "MAD par m² couvert", "درهم للمتر المربع المغطى")
    MAD_FIXED = ("MAD_FIXED", "Montant fixe en MAD", "مبلغ ثابت بالدرهم")
    PERCENT_OF_COST_HT = (
        "PERCENT_OF_COST_HT",
        "% du coût des travaux HT",
        "% من كلفة الأشغال دون احتساب الرسوم",
    )
    MAD_PER_M2_PER_QUARTER = (
        "MAD_PER_M2_PER_QUARTER",
        "MAD par m² et par trimestre",
        "درهم للمتر المربع في الربع سنة",
    )
    PERCENT_OF_RECEIPTS_HT = (
        "PERCENT_OF_RECEIPTS_HT",
        "% des recettes HT",
        "% من المداخيل دون احتساب الرسوم",
    )
    MAD_PER_M2_PLANCHER_HT = (
        "MAD_PER_M2_PLANCHER_HT",
        "MAD HT par m² de plancher",
        "درهم دون رسوم للمتر المربع المبني",
    )
    MAD_PER_M2_LOTI_HT = (
        "MAD_PER_M2_LOTI_HT",
        "MAD HT par m² loti",
        "درهم دون رسوم للمتر المربع المجزأ",
    )
    PERCENT = ("PERCENT", "Pourcentage", "نسبة مئوية")

    @property
    def is_percent(self) -> bool:
        """True for rates expressed in percent of a base amount."""
        return str(self.value).startswith("PERCENT")


class FeeDue(LabelledEnum):
    """When an amount falls due."""

    AT_FILING = ("AT_FILING", "Au dépôt du dossier", "عند إيداع الملف")
    AUTORISATION_DELIVERED = (
        "AUTORISATION_DELIVERED",
        "À la délivrance de l'autorisation",
        "عند تسليم الرخصة",
    )
    CONFORMITE_DELIVERED = (
        "CONFORMITE_DELIVERED",
        "À la délivrance du certificat de conformité",
        "عند تسليم شهادة المطابقة",
    )
    BEFORE_OCCUPATION = (
        "BEFORE_OCCUPATION",
        "Avant l'occupation, par trimestre",
        "قبل الاحتلال، عن كل ربع سنة",
    )
    ANNUAL_BEFORE_APRIL = (
        "ANNUAL_BEFORE_APRIL",
        "Chaque année avant le 1er avril",
        "سنويا قبل فاتح أبريل",
    )
    ON_DEMAND = ("ON_DEMAND", "À la mise en recouvrement", "عند الاستخلاص")


class SaillieMode(LabelledEnum):
    """Which saillies (balconies, overhangs) the construction tax counts twice."""

    PUBLIC_DOMAIN_DOUBLE = (
        "PUBLIC_DOMAIN_DOUBLE",
        "Saillies sur le domaine public comptées deux fois",
        "البروزات على الملك العمومي تحتسب مرتين",
    )
    ALL_DOUBLE = (
        "ALL_DOUBLE",
        "Toutes les saillies comptées deux fois",
        "جميع البروزات تحتسب مرتين",
    )


class AreaRounding(LabelledEnum):
    """How a fraction of a m² becomes a whole m² (or does not).

    The whole-m² rule is the construction tax's (loi 47-06: a fraction of a m² counts as
    a m²); no source extends it to another tax, so other rows are unrounded (``NONE``)
    unless the row says otherwise.
    """

    NONE = (
        "NONE",
        "Surface exacte, sans arrondi",
        "المساحة الفعلية دون تقريب",
    )
    CEIL_TOTAL = (
        "CEIL_TOTAL",
        "Arrondi au m² supérieur sur la surface totale",
        "التقريب إلى المتر الأعلى على المساحة الإجمالية",
    )
    CEIL_EACH = (
        "CEIL_EACH",
        "Arrondi au m² supérieur de chaque composante",
        "التقريب إلى المتر الأعلى لكل مكون",
    )


class MoneyRounding(LabelledEnum):
    """How an amount is rounded once computed."""

    CENTIME_HALF_UP = (
        "CENTIME_HALF_UP",
        "Au centime, demi vers le haut",
        "إلى السنتيم، النصف إلى الأعلى",
    )
    DIRHAM_HALF_UP = (
        "DIRHAM_HALF_UP",
        "Au dirham, demi vers le haut",
        "إلى الدرهم، النصف إلى الأعلى",
    )
    DIRHAM_UP = ("DIRHAM_UP", "Au dirham supérieur", "إلى الدرهم الأعلى")


class _Sourced(ValueObject):
    """Provenance every row carries."""

    legal_text: Text
    article: str | None = None
    valid_from: date
    valid_to: date | None = None
    source_url: Text
    confidence: Confidence
    note: str = ""

    def in_force(self, on: date) -> bool:
        """True if the row applies on ``on`` (``valid_to`` is inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @model_validator(mode="after")
    def _dates(self) -> Any:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    @property
    def legal_basis(self) -> str:
        """The legal text and article, as shown on a quote line."""
        return f"{self.legal_text}, {self.article}" if self.article else self.legal_text


class LegalBound(_Sourced):
    """What the law allows for one rubric: a minimum and/or a maximum, in ``unit``."""

    tax: Code
    rubric: Code
    unit: FeeUnit
    min: Decimal | None = None
    max: Decimal | None = None
    label_fr: Text
    label_ar: Text

    @model_validator(mode="after")
    def _range(self) -> LegalBound:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"bound {self.rubric}: min {self.min} is above max {self.max}")
        return self

    def describe(self) -> str:
        """``10–20 MAD par m² couvert`` style summary."""
        lo = "…" if self.min is None else str(self.min)
        hi = "…" if self.max is None else str(self.max)
        return f"{lo}–{hi} {self.unit.label_fr}"


class TaxRule(ValueObject):
    """Which procedures a tax applies to and when it is due (national, interpretation rows).

    ``area_rounding`` is the law's rule for the tax's area base: ``CEIL_TOTAL`` for the
    construction tax (a fraction of a m² counts as a m²), ``NONE`` where no text rounds.
    """

    tax: Code
    kinds: tuple[ProcedureKind, ...]
    due: FeeDue
    area_rounding: AreaRounding = AreaRounding.NONE
    confidence: Confidence
    note: str = ""


class UseRubric(ValueObject):
    """The construction-tax rubrics tried, in order, for a building use."""

    use: ConstructionUse
    rubrics: tuple[Code, ...] = Field(min_length=1)
    confidence: Confidence
    note: str = ""


class Exemption(_Sourced):
    """A legal exemption with its code. ``uses`` apply it automatically; else it is claimed."""

    tax: Code
    code: Code
    label_fr: Text
    label_ar: Text
    uses: tuple[ConstructionUse, ...] = ()
    rural_commune_only: bool = False


class InstalmentRule(_Sourced):
    """A share of a tax due at a given moment; ``share=None`` means the balance."""

    tax: Code
    code: Code
    due: FeeDue
    share: Decimal | None
    base_kind: Literal["ESTIMATED_COST_HT", "ACTUAL_COST_HT"]
    label_fr: Text
    label_ar: Text


class PenaltyRule(_Sourced):
    """Late payment or declaration: fixed % + first month % + % per extra month or part."""

    kind: Literal["LATE_PAYMENT", "LATE_DECLARATION"]
    taxes: tuple[Code, ...] = ()
    fixed_pct: Decimal = Field(ge=0)
    first_month_pct: Decimal = Field(ge=0)
    per_extra_month_pct: Decimal = Field(ge=0)
    floor: Money | None = None


class CommuneTariff(ValueObject):
    """What a commune's arrêté fiscal sets for one rubric, from ``valid_from``.

    ``bound_rubric`` names the legal bound that governs it when the commune splits a
    legal rubric (Casablanca's slum-clearance housing under the collective bound).
    """

    rubric: Code
    value: Decimal = Field(ge=0)
    bound_rubric: Code | None = None
    arrete_ref: Text
    valid_from: date
    valid_to: date | None = None
    source_url: Text
    confidence: Confidence
    illustrative: bool = False
    vat_applies: bool = False
    """VAT at the standard rate is added on top of this row's amount as its own line
    (agence urbaine fees are priced "HT"); a row without it is not subject to VAT."""
    area_rounding: AreaRounding | None = None
    """How this row rounds its area base; ``None``: its tax's rule (``TaxRule``), i.e.
    the commune policy's whole-m² reading for the construction tax, no rounding for
    the others."""
    note: str = ""

    @property
    def governing_rubric(self) -> str:
        """The rubric of the legal bound that governs this tariff."""
        return self.bound_rubric or self.rubric

    def in_force(self, on: date) -> bool:
        """True if the tariff applies on ``on`` (``valid_to`` is inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class CommunePolicy(ValueObject):
    """Per-commune readings where the sources disagree or are silent.

    ``area_rounding`` is how the commune applies the whole-m² rule to taxes whose law
    rounds areas (the construction tax): on the total, or on each component.
    """

    saillie_mode: SaillieMode = SaillieMode.PUBLIC_DOMAIN_DOUBLE
    area_rounding: AreaRounding = AreaRounding.CEIL_TOTAL
    money_rounding: MoneyRounding = MoneyRounding.CENTIME_HALF_UP
    quarter_days: int = Field(default=90, ge=1, le=366)
    confidence: Confidence = "I"
    note: str = ""


class CommuneSchedule(ValueObject):
    """One commune's file: its tariffs, policy and own penalty rules."""

    commune: CommuneCode
    name: Text
    illustrative: bool = False
    policy: CommunePolicy = CommunePolicy()
    tariffs: tuple[CommuneTariff, ...] = ()
    penalties: tuple[PenaltyRule, ...] = ()
    note: str = ""


class NationalRules(ValueObject):
    """The national file: legal bounds and the interpretation rows around them."""

    version: Text
    bounds: tuple[LegalBound, ...]
    taxes: tuple[TaxRule, ...]
    use_rubrics: tuple[UseRubric, ...]
    exemptions: tuple[Exemption, ...] = ()
    instalments: tuple[InstalmentRule, ...] = ()
    penalties: tuple[PenaltyRule, ...] = ()
    default_policy: CommunePolicy = CommunePolicy()


def canonical_commune(code: str) -> str:
    """The territory registry's current code for ``code`` (older seed codes are aliases).

    Unknown codes are returned unchanged, so a schedule lookup fails with its own message.
    """
    known = _CANONICAL.get(code)
    if known is not None:
        return known
    found = registry().canonical_code(code)
    if found is None:
        return code
    _CANONICAL[code] = found  # only known codes are remembered: the registry may grow
    return found


_CANONICAL: dict[str, str] = {}


def _read_json(text: str, where: str) -> Any:
    try:
        # Decimals straight from the text: a float never touches a rate.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{where} is not valid JSON (line {exc.lineno}): {exc.msg}") from None


def _validate(model: type[Any], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except InvalidInputError as exc:
        raise DataFileError(f"{where}: {exc.message}") from None


class FeeSchedule:
    """Legal bounds plus commune tariffs, validated together and indexed for quoting.

    Build it with :func:`default_schedule` (the bundled data) or
    :meth:`FeeSchedule.from_data`; add or replace a commune with :meth:`with_commune`.
    Construction raises :class:`TariffOutOfLegalBounds` when a tariff breaks the law.
    """

    def __init__(self, national: NationalRules, communes: Iterable[CommuneSchedule] = ()) -> None:
        self.national = national
        self.version = national.version
        self._bounds: dict[str, list[LegalBound]] = {}
        for b in national.bounds:
            self._bounds.setdefault(b.rubric, []).append(b)
        for rows in self._bounds.values():
            rows.sort(key=lambda r: r.valid_from, reverse=True)
            _no_overlap(rows, "legal bound")
        self._taxes = {t.tax: t for t in national.taxes}
        self._uses = {u.use: u.rubrics for u in national.use_rubrics}
        self.communes: dict[str, CommuneSchedule] = {}
        self._tariffs: dict[tuple[str, str], list[CommuneTariff]] = {}
        for c in communes:
            self._add(c)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def from_data(
        cls, national: Mapping[str, Any] | str, communes: Iterable[Mapping[str, Any] | str] = ()
    ) -> FeeSchedule:
        """Build from parsed JSON documents or JSON text (national file, commune files)."""
        nat = _validate(
            NationalRules,
            _read_json(national, "national rules") if isinstance(national, str) else national,
            "national rules",
        )
        docs = []
        for i, c in enumerate(communes):
            raw = _read_json(c, f"commune schedule #{i}") if isinstance(c, str) else c
            docs.append(
                _validate(
                    CommuneSchedule,
                    raw,
                    f"commune schedule {raw.get('commune', i) if isinstance(raw, Mapping) else i}",
                )
            )
        return cls(nat, docs)

    def with_commune(
        self, commune: CommuneSchedule | Mapping[str, Any] | str | Path
    ) -> FeeSchedule:
        """A new schedule with this commune's file added (replacing any file for that commune)."""
        doc: CommuneSchedule
        if isinstance(commune, CommuneSchedule):
            doc = commune
        else:
            raw: Any = commune
            if isinstance(raw, Path):
                raw = _read_json(raw.read_text(encoding="utf-8"), str(raw))
            elif isinstance(raw, str):
                raw = _read_json(raw, "commune schedule")
            name = raw.get("commune", "?") if isinstance(raw, Mapping) else "?"
            doc = _validate(CommuneSchedule, raw, f"commune schedule {name}")
        new = canonical_commune(doc.commune)
        others = [c for code, c in self.communes.items() if code != new]
        return FeeSchedule(self.national, [*others, doc])

    def _add(self, c: CommuneSchedule) -> None:
        code = canonical_commune(c.commune)
        if code != c.commune:
            c = c.model_copy(update={"commune": code})
        if c.commune in self.communes:
            raise DataFileError(
                f"two schedule files for commune {c.commune}; keep one file per commune"
            )
        by_rubric: dict[str, list[CommuneTariff]] = {}
        for t in c.tariffs:
            self._check_against_bound(c, t)
            by_rubric.setdefault(t.rubric, []).append(t)
        for rubric, rows in by_rubric.items():
            rows.sort(key=lambda r: r.valid_from, reverse=True)
            _no_overlap(rows, f"tariff {rubric} of commune {c.commune}")
            self._tariffs[(c.commune, rubric)] = rows
        self.communes[c.commune] = c

    def _check_against_bound(self, c: CommuneSchedule, t: CommuneTariff) -> None:
        governing = t.governing_rubric
        try:
            bound = self.bound(governing, t.valid_from)
        except NoTariffError:
            raise DataFileError(
                f"tariff {t.rubric} of commune {c.commune} ({c.name}) starts {t.valid_from}, "
                "but no legal bound "
                f"for {governing} is in force on that date; add the bound to "
                "legal_bounds.json or fix the rubric"
            ) from None
        where = (
            f"tariff {t.rubric} = {t.value} ({bound.unit.label_fr}) of commune {c.commune} "
            f"({c.name}), in force from {t.valid_from},"
        )
        src = f"{bound.legal_basis}, source {bound.source_url} [{bound.confidence}]"
        if bound.max is not None and t.value > bound.max:
            raise TariffOutOfLegalBounds(
                f"{where} exceeds the legal maximum of {bound.max} for {bound.rubric} "
                f"({src}); lower the tariff to at most {bound.max}",
                rubric=t.rubric,
                value=str(t.value),
                bound=f"max {bound.max}",
                source_url=bound.source_url,
            )
        if bound.min is not None and bound.unit is not FeeUnit.MAD_FIXED and t.value < bound.min:
            raise TariffOutOfLegalBounds(
                f"{where} is below the legal minimum of {bound.min} for {bound.rubric} "
                f"({src}); raise the tariff to at least {bound.min}",
                rubric=t.rubric,
                value=str(t.value),
                bound=f"min {bound.min}",
                source_url=bound.source_url,
            )

    # -- lookups ----------------------------------------------------------------------

    def bound(self, rubric: str, on: date) -> LegalBound:
        """The legal bound of ``rubric`` in force on ``on``."""
        for row in self._bounds.get(rubric, ()):
            if row.in_force(on):
                return row
        raise NoTariffError(
            f"no legal bound for {rubric} is in force on {on}; check the date or add the "
            "bound to legal_bounds.json"
        )

    def bound_of(self, tariff: CommuneTariff, on: date) -> LegalBound:
        """The legal bound in force on ``on`` that governs ``tariff``."""
        return self.bound(tariff.governing_rubric, on)

    def tariff(self, commune: str, rubric: str, on: date) -> CommuneTariff:
        """The commune's tariff for ``rubric`` on ``on``.

        Raises :class:`NoTariffError` if there is none: the calculator fails closed.
        """
        commune = canonical_commune(commune)
        for row in self._tariffs.get((commune, rubric), ()):
            if row.in_force(on):
                return row
        if commune not in self.communes:
            raise NoTariffError(
                f"no fee schedule for commune {commune}; add its arrêté fiscal as a schedule file "
                "(docs/fee-schedules.md) or pass schedule=FeeSchedule.with_commune(...)"
            )
        raise NoTariffError(
            f"commune {commune} ({self.communes[commune].name}) has no tariff for {rubric} in "
            f"force on {on}; "
            "add the row to its schedule file or quote for another date"
        )

    def find_tariff(self, commune: str, rubric: str, on: date) -> CommuneTariff | None:
        """Like :meth:`tariff` but ``None`` when there is none."""
        for row in self._tariffs.get((canonical_commune(commune), rubric), ()):
            if row.in_force(on):
                return row
        return None

    def policy(self, commune: str) -> CommunePolicy:
        """The commune's interpretation switches (the national default if it has no file)."""
        c = self.communes.get(canonical_commune(commune))
        return c.policy if c is not None else self.national.default_policy

    def tax_rule(self, tax: str) -> TaxRule | None:
        """Which procedures ``tax`` applies to, or ``None`` if the tax is unknown."""
        return self._taxes.get(tax)

    def rubrics_for_use(self, use: ConstructionUse) -> tuple[str, ...]:
        """The construction-tax rubrics to try for ``use``, in order."""
        try:
            return self._uses[use]
        except KeyError:
            raise DataFileError(
                f"legal_bounds.json maps no construction-tax rubric for use {use.value}; add "
                "it to use_rubrics"
            ) from None

    def exemption(self, code: str) -> Exemption:
        """The exemption with this code."""
        for e in self.national.exemptions:
            if e.code == code:
                return e
        known = ", ".join(e.code for e in self.national.exemptions)
        raise InvalidInputError(f"unknown exemption code {code!r}; known codes: {known}")

    def instalments(self, tax: str) -> list[InstalmentRule]:
        """The instalment rules of ``tax`` (empty: paid at once)."""
        return [i for i in self.national.instalments if i.tax == tax]

    def penalty_rule(
        self, kind: str, *, commune: str | None = None, tax: str | None = None, on: date
    ) -> PenaltyRule:
        """The penalty rule in force: the commune's own first, then the national one."""
        pools: list[Iterable[PenaltyRule]] = []
        if commune is not None:
            commune = canonical_commune(commune)
        if commune is not None and commune in self.communes:
            pools.append(self.communes[commune].penalties)
        pools.append(self.national.penalties)
        for pool in pools:
            for r in pool:
                if (
                    r.kind == kind
                    and r.in_force(on)
                    and (tax is None or not r.taxes or tax in r.taxes)
                ):
                    return r
        raise NoTariffError(
            f"no {kind} penalty rule in force on {on}{f' for {tax}' if tax else ''}"
        )


def _no_overlap(rows: list[Any], what: str) -> None:
    # rows sorted by valid_from, newest first
    for newer, older in itertools.pairwise(rows):
        if older.valid_to is None or older.valid_to >= newer.valid_from:
            raise DataFileError(
                f"{what}: the row from {older.valid_from} overlaps the row from "
                f"{newer.valid_from}; "
                f"set valid_to of the older row to the day before {newer.valid_from}"
            )


_lock = threading.Lock()
_default: FeeSchedule | None = None


def default_schedule() -> FeeSchedule:
    """The bundled schedule (legal bounds + every shipped commune), loaded and validated once."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                pkg = resources.files(__package__).joinpath("data")
                national = pkg.joinpath("legal_bounds.json").read_text(encoding="utf-8")
                communes = [
                    f.read_text(encoding="utf-8")
                    for f in sorted(pkg.iterdir(), key=lambda p: p.name)
                    if f.name.startswith("tariffs-") and f.name.endswith(".json")
                ]
                _default = FeeSchedule.from_data(national, communes)
    return _default
