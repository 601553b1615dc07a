"""The fee calculator: a dossier and a date in, an itemised :class:`FeeQuote` out.

Computation order (fees-payments.md §6): exemptions, taxable base (saillies per the
commune's policy, then a fraction of a m² counts as a whole m²), base × tariff, rounding
per the commune's policy, instalments. No rate lives here: every figure comes from the
:class:`~rokhas_sdk.payments.FeeSchedule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Protocol

from pydantic import Field, model_validator

from .._errors import InvalidInputError, NotFoundError
from .._time import add_months, local_date, now
from ..models import (
    Activity,
    LabelledEnum,
    Money,
    ProcedureKind,
    Project,
    SquareMetres,
    ValueObject,
    get_commune,
)
from ._schedule import (
    AreaRounding,
    CommunePolicy,
    CommuneTariff,
    Confidence,
    Exemption,
    FeeDue,
    FeeSchedule,
    FeeUnit,
    LegalBound,
    MoneyRounding,
    PenaltyRule,
    SaillieMode,
    canonical_commune,
    default_schedule,
)

__all__ = [
    "BaseUnit",
    "FeeLine",
    "FeeQuote",
    "Quotable",
    "SiteOccupation",
    "late_payment_penalty",
    "penalty",
    "quote",
]

_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class BaseUnit(LabelledEnum):
    """The unit of a quote line's base."""

    M2_COUVERT = ("M2_COUVERT", "m² couvert", "م² مغطى")
    M2_PLANCHER = ("M2_PLANCHER", "m² de plancher", "م² مبني")
    M2_LOTI = ("M2_LOTI", "m² loti", "م² مجزأ")
    M2_QUARTER = ("M2_QUARTER", "m² × trimestre", "م² × ربع سنة")
    MAD_HT = ("MAD_HT", "MAD hors taxes", "درهم دون احتساب الرسوم")
    MAD = ("MAD", "MAD", "درهم")
    FIXED = ("FIXED", "forfait", "جزافي")


class Quotable(Protocol):
    """What :func:`quote` reads: a :class:`~rokhas_sdk.models.Dossier` has all of it."""

    @property
    def kind(self) -> ProcedureKind: ...
    @property
    def commune(self) -> str: ...
    @property
    def project(self) -> Project | None: ...
    @property
    def activity(self) -> Activity | None: ...


class SiteOccupation(ValueObject):
    """Temporary occupation of the communal public domain by a building site.

    Give its length in ``days`` (a started quarter counts whole; a quarter is the
    commune's ``quarter_days``, 90 by default) or directly in ``quarters``.
    """

    area: SquareMetres
    days: Annotated[int, Field(ge=1, le=3660)] | None = None
    quarters: Annotated[int, Field(ge=1, le=40)] | None = None

    @model_validator(mode="after")
    def _one_length(self) -> SiteOccupation:
        if (self.days is None) == (self.quarters is None):
            raise ValueError(
                "give the occupation's length either in days or in quarters (exactly one)"
            )
        return self

    def quarters_for(self, quarter_days: int) -> int:
        """Whole quarters billed: started quarters count in full."""
        if self.quarters is not None:
            return self.quarters
        assert self.days is not None
        return -(-self.days // quarter_days)


class FeeLine(ValueObject):
    """One itemised amount of a quote, with its base, rate and legal basis.

    An exempt line shows ``amount`` 0.00 and its ``exemption_code``.
    """

    code: str
    tax: str
    label_fr: str
    label_ar: str
    base: Decimal
    unit: BaseUnit
    rate: Decimal
    rate_unit: FeeUnit
    amount: Money
    due: FeeDue
    legal_basis: str
    source_url: str
    confidence: Confidence
    exemption_code: str | None = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _not_negative(self) -> FeeLine:
        if self.amount.is_negative():
            raise ValueError(f"fee line {self.code} has a negative amount {self.amount}")
        return self

    def as_json(self) -> dict[str, Any]:
        """The CLI/JSON form: decimals as strings."""
        return {
            "code": self.code,
            "label_fr": self.label_fr,
            "label_ar": self.label_ar,
            "base": str(self.base),
            "unit": self.unit.value,
            "rate": str(self.rate),
            "rate_unit": self.rate_unit.value,
            "amount": str(self.amount.amount),
            "legal_basis": self.legal_basis,
            "due": self.due.value,
            "exemption_code": self.exemption_code,
            "confidence": self.confidence,
            "illustrative": self.illustrative,
        }


class FeeQuote(ValueObject):
    """What a dossier owes on a date: itemised lines and their exact total."""

    commune: str
    kind: ProcedureKind
    on: date
    lines: tuple[FeeLine, ...]
    total: Money
    notes: tuple[str, ...] = ()
    complete: bool = True
    illustrative: bool = False
    schedule_version: str = ""

    @model_validator(mode="after")
    def _sum(self) -> FeeQuote:
        total = sum((line.amount for line in self.lines), Money.zero())
        if total != self.total:
            raise ValueError(f"quote total {self.total} is not the sum of its lines ({total})")
        return self

    def amount_due(self, due: FeeDue) -> Money:
        """The part of the total due at ``due`` (e.g. at the autorisation's delivery)."""
        return sum((line.amount for line in self.lines if line.due is due), Money.zero())

    def as_json(self) -> dict[str, Any]:
        """``{"lines": [...], "total": "..."}`` with decimals as strings, plus context."""
        return {
            "commune": self.commune,
            "procedure": self.kind.value,
            "on": self.on.isoformat(),
            "lines": [line.as_json() for line in self.lines],
            "total": str(self.total.amount),
            "notes": list(self.notes),
            "complete": self.complete,
            "illustrative": self.illustrative,
            "schedule_version": self.schedule_version,
        }


def today_in_morocco() -> date:
    return now().date()


def _ceil(area: Decimal) -> Decimal:
    return area.to_integral_value(rounding=ROUND_CEILING)


def _round(amount: Decimal, policy: CommunePolicy) -> Money:
    if policy.money_rounding is MoneyRounding.CENTIME_HALF_UP:
        return Money(amount.quantize(_CENT, rounding=ROUND_HALF_UP))
    mode = ROUND_HALF_UP if policy.money_rounding is MoneyRounding.DIRHAM_HALF_UP else ROUND_CEILING
    return Money(amount.quantize(_ONE, rounding=mode).quantize(_CENT))


def _times_rate(base: Decimal, rate: Decimal, unit: FeeUnit) -> Decimal:
    return base * rate / _HUNDRED if unit.is_percent else base * rate


# --- how a base was formed, in the words of the line's label ---------------------------
# Citizens read these texts: French and Arabic, the decimal comma of Moroccan notices.


def _num(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",")


def _mad(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _area(value: Decimal, rounding: AreaRounding) -> Decimal:
    return value if rounding is AreaRounding.NONE else _ceil(value)


def _rounding_words(rounding: AreaRounding, base: Decimal) -> tuple[str, str]:
    if rounding is AreaRounding.NONE:
        return "surface exacte, sans arrondi", "المساحة الفعلية دون تقريب"
    if rounding is AreaRounding.CEIL_EACH:
        return (
            f"chaque surface arrondie au m² entier supérieur : {_num(base)} m²",
            f"كل مساحة مقربة إلى المتر المربع الأعلى: {_num(base)} م²",
        )
    return (
        f"arrondi au m² entier supérieur : {_num(base)} m²",
        f"مقربة إلى المتر المربع الأعلى: {_num(base)} م²",
    )


def _labelled(title: tuple[str, str], detail: tuple[str, str]) -> tuple[str, str]:
    return f"{title[0]} — {detail[0]}", f"{title[1]} — {detail[1]}"


class _Ctx:
    __slots__ = ("commune", "complete", "kind", "lines", "notes", "on", "policy", "sched")

    def __init__(self, sched: FeeSchedule, commune: str, kind: ProcedureKind, on: date) -> None:
        self.sched = sched
        self.commune = commune
        self.kind = kind
        self.on = on
        self.policy = sched.policy(commune)
        self.lines: list[FeeLine] = []
        self.notes: list[str] = []
        self.complete = True

    def applies(self, tax: str) -> bool:
        rule = self.sched.tax_rule(tax)
        return rule is not None and self.kind in rule.kinds

    def area_rounding(self, tax: str, tariff: CommuneTariff | None) -> AreaRounding:
        """The row's own rounding, else its tax's: the policy's whole-m² reading for a tax
        whose law rounds areas (the construction tax), none for the others."""
        if tariff is not None and tariff.area_rounding is not None:
            return tariff.area_rounding
        rule = self.sched.tax_rule(tax)
        if rule is None or rule.area_rounding is AreaRounding.NONE:
            return AreaRounding.NONE
        return self.policy.area_rounding

    def due(self, tax: str) -> FeeDue:
        rule = self.sched.tax_rule(tax)
        assert rule is not None
        return rule.due

    def line(
        self,
        *,
        code: str,
        tax: str,
        bound: LegalBound,
        tariff: CommuneTariff | None,
        base: Decimal,
        unit: BaseUnit,
        amount: Money,
        due: FeeDue,
        label: tuple[str, str] | None = None,
        exemption: Exemption | None = None,
        rate: Decimal | None = None,
    ) -> None:
        if amount.is_negative():  # the check FeeLine's validator makes, kept on the fast path
            raise ValueError(f"fee line {code} has a negative amount {amount}")
        # Every value below is already typed and checked by the schedule: build the line
        # without re-validating it (the hot path of quote()).
        self.lines.append(
            FeeLine.model_construct(
                code=code,
                tax=tax,
                label_fr=label[0] if label else bound.label_fr,
                label_ar=label[1] if label else bound.label_ar,
                base=base,
                unit=unit,
                rate=rate
                if rate is not None
                else (tariff.value if tariff is not None else Decimal(0)),
                rate_unit=bound.unit,
                amount=amount,
                due=due,
                legal_basis=(
                    f"{exemption.legal_basis} ({exemption.code})"
                    if exemption is not None
                    else bound.legal_basis
                    + (f"; {tariff.arrete_ref}" if tariff is not None else "")
                ),
                source_url=exemption.source_url
                if exemption is not None
                else (tariff.source_url if tariff is not None else bound.source_url),
                confidence=exemption.confidence
                if exemption is not None
                else (tariff.confidence if tariff is not None else bound.confidence),
                exemption_code=exemption.code if exemption is not None else None,
                illustrative=tariff.illustrative if tariff is not None else False,
            )
        )

    def rate_line(
        self,
        *,
        code: str,
        tax: str,
        tariff: CommuneTariff,
        base: Decimal,
        unit: BaseUnit,
        detail: tuple[str, str],
    ) -> tuple[LegalBound, Money]:
        """The line of a tariff applied to ``base`` at the bound's unit; (bound, amount).

        ``detail`` says how the base was formed (French, Arabic); it follows the title.
        """
        bound = self.sched.bound_of(tariff, self.on)
        amount = _round(_times_rate(base, tariff.value, bound.unit), self.policy)
        self.line(
            code=code,
            tax=tax,
            bound=bound,
            tariff=tariff,
            base=base,
            unit=unit,
            amount=amount,
            due=self.due(tax),
            label=_labelled((bound.label_fr, bound.label_ar), detail),
        )
        return bound, amount


def _toc(ctx: _Ctx, project: Project, claimed: list[Exemption]) -> None:
    sched, on = ctx.sched, ctx.on
    exemption = next((e for e in claimed if e.tax == "TOC"), None)
    if exemption is None:
        for e in sched.national.exemptions:
            if (
                e.tax == "TOC"
                and project.use in e.uses
                and e.in_force(on)
                and (not e.rural_commune_only or _is_rural(ctx.commune))
            ):
                exemption = e
                break
    due = ctx.due("TOC")
    if project.restoration:
        rubric = "TOC.RESTAURATION"
        bound = sched.bound(rubric, on)
        tariff = (
            sched.find_tariff(ctx.commune, rubric, on)
            if exemption
            else sched.tariff(ctx.commune, rubric, on)
        )
        amount = Money.zero() if exemption or tariff is None else _round(tariff.value, ctx.policy)
        ctx.line(
            code=rubric,
            tax="TOC",
            bound=bound,
            tariff=tariff,
            base=_ONE,
            unit=BaseUnit.FIXED,
            amount=amount,
            due=due,
            exemption=exemption,
            label=_labelled(
                (bound.label_fr, bound.label_ar),
                ("forfait par autorisation", "مبلغ جزافي عن كل رخصة"),
            ),
        )
        return
    rubric, tariff = _toc_rubric(ctx, project, required=exemption is None)
    base, detail = _toc_base(project, ctx.policy.saillie_mode, ctx.area_rounding("TOC", tariff))
    if base == 0:
        ctx.notes.append(
            "covered area is 0 m²: the construction tax line is 0.00; declare the covered area"
        )
        ctx.complete = False
    bound = sched.bound_of(tariff, on) if tariff else sched.bound(rubric, on)
    if exemption is not None or tariff is None:
        amount = Money.zero()
    else:
        amount = _round(_times_rate(base, tariff.value, bound.unit), ctx.policy)
    label = _labelled((bound.label_fr, bound.label_ar), detail)
    ctx.line(
        code=rubric,
        tax="TOC",
        bound=bound,
        tariff=tariff,
        base=base,
        unit=BaseUnit.M2_COUVERT,
        amount=amount,
        due=due,
        label=label,
        exemption=exemption,
    )


def _toc_rubric(ctx: _Ctx, project: Project, *, required: bool) -> tuple[str, CommuneTariff | None]:
    rubrics = ctx.sched.rubrics_for_use(project.use)
    for r in rubrics:
        t = ctx.sched.find_tariff(ctx.commune, r, ctx.on)
        if t is not None:
            return r, t
    if required:
        # raises the fail-closed error naming the first rubric
        ctx.sched.tariff(ctx.commune, rubrics[0], ctx.on)
    return rubrics[-1], None


def _toc_base(
    project: Project, saillie_mode: SaillieMode, rounding: AreaRounding
) -> tuple[Decimal, tuple[str, str]]:
    """The construction tax's base in m² couvert, and how it was formed (FR, AR).

    Saillies over the communal public domain count twice (loi 47-06 as tax-news reads
    it); with ``ALL_DOUBLE`` private saillies, already inside the covered area, are
    counted once more. Then the row's rounding: the law's whole-m² rule by default.
    """
    covered = project.covered_area
    public = project.saillies_public_domain_area
    private = (
        project.saillies_private_area if saillie_mode is SaillieMode.ALL_DOUBLE else Decimal(0)
    )
    exact = covered + private + 2 * public
    if rounding is AreaRounding.CEIL_EACH:
        base = _ceil(covered) + _ceil(private) + 2 * _ceil(public)
    else:
        base = _area(exact, rounding)
    fr = [f"{_num(covered)} m² couverts"]
    ar = [f"{_num(covered)} م² مغطاة"]
    if private:
        fr.append(f"{_num(private)} m² de saillies privées comptées une seconde fois")
        ar.append(f"{_num(private)} م² من البروزات الخاصة تحتسب مرة ثانية")
    if public:
        fr.append(f"2 × {_num(public)} m² de saillies sur le domaine public (comptées deux fois)")
        ar.append(f"2 × {_num(public)} م² من البروزات على الملك العمومي (تحتسب مرتين)")
    sum_fr, sum_ar = " + ".join(fr), " + ".join(ar)
    if len(fr) > 1:
        sum_fr += f" = {_num(exact)} m²"
        sum_ar += f" = {_num(exact)} م²"
    words_fr, words_ar = _rounding_words(rounding, base)
    return base, (f"{sum_fr} ; {words_fr}", f"{sum_ar}؛ {words_ar}")


def _is_rural(commune: str) -> bool:
    try:
        return get_commune(commune).kind == "rural"
    except NotFoundError:
        return False


def _tol(ctx: _Ctx, project: Project, actual: Money | None) -> None:
    sched, on = ctx.sched, ctx.on
    if project.works_cost_ht is None:
        raise InvalidInputError(
            "an autorisation de lotir is taxed on the estimated works cost: set "
            "project.works_cost_ht "
            "(viabilisation, sanitation and electrification, excluding VAT)"
        )
    tariff = sched.tariff(ctx.commune, "TOL.TAUX", on)
    bound = sched.bound_of(tariff, on)
    estimated = project.works_cost_ht.amount
    tax_estimate = _round(_times_rate(estimated, tariff.value, bound.unit), ctx.policy)
    rules = sched.instalments("TOL")
    paid = Money.zero()
    estimated_words = (
        f"base : {_mad(estimated)} MAD HT, coût estimé des travaux",
        f"الأساس: {_mad(estimated)} درهم دون احتساب الرسوم، الكلفة التقديرية للأشغال",
    )
    for rule in rules:
        label = _labelled((rule.label_fr, rule.label_ar), estimated_words)
        if rule.share is not None:
            amount = _round(tax_estimate.amount * rule.share, ctx.policy)
            paid = paid + amount
            ctx.line(
                code=rule.code,
                tax="TOL",
                bound=bound,
                tariff=tariff,
                base=estimated,
                unit=BaseUnit.MAD_HT,
                amount=amount,
                due=rule.due,
                label=label,
            )
        elif actual is not None:
            final = _round(_times_rate(actual.amount, tariff.value, bound.unit), ctx.policy)
            balance = final - paid
            if balance.is_negative():
                ctx.notes.append(
                    f"the tax on the actual cost ({final}) is below the first instalment ({paid}): "
                    f"the balance is 0.00 and {-balance} was overpaid (refund procedure not "
                    "covered)"
                )
                balance = Money.zero()
            ctx.line(
                code=rule.code,
                tax="TOL",
                bound=bound,
                tariff=tariff,
                base=actual.amount,
                unit=BaseUnit.MAD_HT,
                amount=balance,
                due=rule.due,
                label=_labelled(
                    (rule.label_fr, rule.label_ar),
                    (
                        f"base : {_mad(actual.amount)} MAD HT, coût réel des travaux, moins "
                        f"{_mad(paid.amount)} MAD déjà dus",
                        f"الأساس: {_mad(actual.amount)} درهم دون احتساب الرسوم، الكلفة الفعلية "
                        f"للأشغال، ناقص {_mad(paid.amount)} درهم مستحقة من قبل",
                    ),
                ),
            )
        else:
            ctx.notes.append(
                f"{rule.label_fr}: due at {rule.due.label_fr.lower()}, computed on the actual "
                "works cost; "
                "quote it with actual_works_cost=..."
            )
    if not rules:
        ctx.line(
            code="TOL.TAUX",
            tax="TOL",
            bound=bound,
            tariff=tariff,
            base=estimated,
            unit=BaseUnit.MAD_HT,
            amount=tax_estimate,
            due=ctx.due("TOL"),
            label=_labelled((bound.label_fr, bound.label_ar), estimated_words),
        )


def _odp(ctx: _Ctx, site: SiteOccupation) -> None:
    tariff = ctx.sched.tariff(ctx.commune, "ODP.CHANTIER", ctx.on)
    rounding = ctx.area_rounding("ODP", tariff)
    area = _area(site.area, rounding)
    quarters = site.quarters_for(ctx.policy.quarter_days)
    base = area * quarters
    words_fr, words_ar = _rounding_words(rounding, area)
    ctx.rate_line(
        code="ODP.CHANTIER",
        tax="ODP",
        tariff=tariff,
        base=base,
        unit=BaseUnit.M2_QUARTER,
        detail=(
            f"{_num(site.area)} m² du domaine public occupés ({words_fr}) × {quarters} "
            f"trimestre(s) commencé(s) = {_num(base)} m² × trimestre",
            f"{_num(site.area)} م² من الملك العمومي المحتل ({words_ar}) × {quarters} "
            f"ربع سنة = {_num(base)} م² × ربع سنة",
        ),
    )


def _beverages(ctx: _Ctx, receipts: Money) -> None:
    tariff = ctx.sched.tariff(ctx.commune, "DEBIT_BOISSONS.TAUX", ctx.on)
    ctx.rate_line(
        code="DEBIT_BOISSONS",
        tax="DEBIT_BOISSONS",
        tariff=tariff,
        base=receipts.amount,
        unit=BaseUnit.MAD_HT,
        detail=(
            f"base : {_mad(receipts.amount)} MAD HT de recettes de boissons",
            f"الأساس: {_mad(receipts.amount)} درهم دون احتساب الرسوم من مداخيل المشروبات",
        ),
    )


def _agency(ctx: _Ctx, project: Project) -> None:
    subdivision = ctx.kind in (
        ProcedureKind.URB_AUTORISATION_LOTIR,
        ProcedureKind.URB_AUTORISATION_MORCELER,
    )
    rubric = "AU_RSR.LOTI" if subdivision else "AU_RSR.PLANCHER"
    tariff = ctx.sched.find_tariff(ctx.commune, rubric, ctx.on)
    if tariff is None:
        return  # not every agence urbaine charges it; no published tariff, no line
    area = project.subdivided_area if subdivision else project.floor_area
    if area == 0:
        ctx.notes.append(
            f"{rubric}: the {'subdivided' if subdivision else 'floor'} area is 0 m², so the "
            "agency fee could not be computed"
        )
        ctx.complete = False
        return
    # The agency prices its own base: no text rounds it like the construction tax, so it
    # is the exact area unless the agency's row says otherwise.
    rounding = ctx.area_rounding("AU_RSR", tariff)
    base = _area(area, rounding)
    words_fr, words_ar = _rounding_words(rounding, base)
    what_fr, what_ar = ("m² lotis", "م² مجزأة") if subdivision else ("m² de plancher", "م² مبنية")
    bound, amount = ctx.rate_line(
        code=rubric,
        tax="AU_RSR",
        tariff=tariff,
        base=base,
        unit=BaseUnit.M2_LOTI if subdivision else BaseUnit.M2_PLANCHER,
        detail=(f"{_num(area)} {what_fr} ; {words_fr}", f"{_num(area)} {what_ar}؛ {words_ar}"),
    )
    if tariff.vat_applies:
        vat = ctx.sched.bound("TVA.TAUX_NORMAL", ctx.on)
        rate = vat.max if vat.max is not None else Decimal(0)
        vat_amount = _round(_times_rate(amount.amount, rate, vat.unit), ctx.policy)
        ctx.line(
            code=f"TVA.{rubric}",
            tax="TVA",
            bound=vat,
            tariff=None,
            base=amount.amount,
            unit=BaseUnit.MAD,
            amount=vat_amount,
            due=ctx.due("AU_RSR"),
            rate=rate,
            label=(
                f"{vat.label_fr} sur {bound.label_fr.lower()} — {_num(rate)} % de "
                f"{_mad(amount.amount)} MAD HT",
                f"{vat.label_ar} - {bound.label_ar} — {_num(rate)} % من "
                f"{_mad(amount.amount)} درهم دون احتساب الرسوم",
            ),
        )


def quote(
    dossier: Quotable,
    *,
    on: date | None = None,
    schedule: FeeSchedule | None = None,
    exemptions: Iterable[str] = (),
    site_occupation: SiteOccupation | None = None,
    actual_works_cost: Money | None = None,
    beverage_receipts_ht: Money | None = None,
) -> FeeQuote:
    """Quote what ``dossier`` owes on ``on`` (today in Casablanca by default).

    ``schedule`` defaults to the bundled one (loaded once). ``exemptions`` claims
    exemption codes a dossier cannot show by itself (``"ALEM"``); exemptions tied to a
    use (social housing, rural housing in a rural commune) apply automatically.
    ``site_occupation`` adds the public-domain occupation of the building site;
    ``actual_works_cost`` adds the lotissement tax balance; ``beverage_receipts_ht``
    the yearly débit de boissons tax.

    >>> q = quote(dossier, on=date(2026, 1, 15))   # doctest: +SKIP
    >>> q.total                                        # doctest: +SKIP
    Money('4700.00')

    Raises :class:`NoTariffError` when the commune has no tariff in force (never
    guesses), :class:`InvalidInputError` for a dossier that lacks what a tax needs.
    """
    sched = schedule if schedule is not None else default_schedule()
    day = on if on is not None else today_in_morocco()
    if isinstance(day, datetime):
        day = local_date(day) if day.tzinfo else day.date()
    # one canonical code for the lookups, whether the dossier carries it or an alias
    ctx = _Ctx(sched, canonical_commune(str(dossier.commune)), dossier.kind, day)
    claimed = [sched.exemption(code) for code in exemptions]
    project = dossier.project
    activity = dossier.activity
    if project is not None:
        if ctx.applies("TOC"):
            _toc(ctx, project, claimed)
        if ctx.applies("TOL"):
            _tol(ctx, project, actual_works_cost)
        if ctx.applies("AU_RSR"):
            _agency(ctx, project)
    elif ctx.applies("TOC") or ctx.applies("TOL"):
        raise InvalidInputError(
            f"{dossier.kind.value} is taxed on its building project: the dossier needs a "
            "'project' to be quoted"
        )
    if site_occupation is not None:
        if not ctx.applies("ODP"):
            raise InvalidInputError(
                "a building-site occupation of the public domain does not go with "
                f"{dossier.kind.value}; quote it with the building procedure"
            )
        _odp(ctx, site_occupation)
    if activity is not None and activity.sells_beverages and ctx.applies("DEBIT_BOISSONS"):
        if beverage_receipts_ht is not None:
            _beverages(ctx, beverage_receipts_ht)
        else:
            ctx.notes.append(
                "débit de boissons tax: due yearly on declared receipts from drinks; pass "
                "beverage_receipts_ht to quote it"
            )
            ctx.complete = False
    elif beverage_receipts_ht is not None:
        raise InvalidInputError(
            "beverage_receipts_ht given, but the dossier is not an economic licence for "
            "premises that sell beverages"
        )
    if activity is not None and activity.public_domain_area > 0:
        ctx.notes.append(
            "commercial occupation of the public domain is priced by zone in each arrêté; not "
            "quoted here"
        )
        ctx.complete = False
    if not ctx.lines and not ctx.notes:
        ctx.notes.append(
            f"no fee of the schedule applies to {dossier.kind.value}; the sources name none "
            "(no specific fee was found for occupancy permits and most licences)"
        )
    total = Money(sum((line.amount.amount for line in ctx.lines), Decimal(0)))
    # the total is the sum of the lines by construction: skip re-validation
    return FeeQuote.model_construct(
        commune=ctx.commune,
        kind=dossier.kind,
        on=day,
        lines=tuple(ctx.lines),
        total=total,
        notes=tuple(ctx.notes),
        complete=ctx.complete,
        illustrative=any(line.illustrative for line in ctx.lines),
        schedule_version=sched.version,
    )


def late_payment_penalty(
    principal: Money, *, due_on: date, paid_on: date, rule: PenaltyRule
) -> Money:
    """Penalty and surcharges for paying ``principal`` on ``paid_on`` instead of ``due_on``.

    ``fixed_pct`` once late, plus ``first_month_pct`` for the first month, plus
    ``per_extra_month_pct`` for each further month **or part of a month**; at least the
    rule's ``floor``. Rounded half up to the centime. 0.00 when paid on time.
    """
    if paid_on <= due_on or principal.amount <= 0:
        return Money.zero()
    months = 1
    while add_months(due_on, months) < paid_on:
        months += 1
    pct = rule.fixed_pct + rule.first_month_pct + rule.per_extra_month_pct * (months - 1)
    amount = Money.rounded(principal.amount * pct / _HUNDRED)
    if rule.floor is not None and amount < rule.floor:
        return rule.floor
    return amount


def penalty(
    principal: Money,
    *,
    due_on: date,
    paid_on: date,
    commune: str | None = None,
    tax: str | None = None,
    kind: str = "LATE_PAYMENT",
    schedule: FeeSchedule | None = None,
) -> Money:
    """:func:`late_payment_penalty` with the rule looked up (commune's own first)."""
    sched = schedule if schedule is not None else default_schedule()
    rule = sched.penalty_rule(kind, commune=commune, tax=tax, on=due_on)
    return late_payment_penalty(principal, due_on=due_on, paid_on=paid_on, rule=rule)
