"""``rokhas fees``: quote what a dossier owes, and show the fee schedules."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ._input import bounded_int, load_dossier, load_json, parse_instant

if TYPE_CHECKING:
    from ..models import Activity, ProcedureKind, Project
    from ..payments import FeeQuote, FeeSchedule

EXIT_OK = 0
EXIT_USAGE = 2


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas fees quote`` and ``rokhas fees schedule``."""
    fees = sub.add_parser("fees", help="fee quotes and fee schedules (taxes, legal bounds)")
    fsub = fees.add_subparsers(dest="fees_command", metavar="SUBCOMMAND", parser_class=type(fees))
    fees.set_defaults(handler=lambda args: _help(fees))

    q = fsub.add_parser(
        "quote",
        help="quote the fees of a dossier (JSON file) or of a project given by flags",
        description=("Quote what a dossier owes, from a dossier JSON file or from flags."),
    )
    q.add_argument(
        "dossier", nargs="?", help="dossier JSON file ('-' reads stdin); omit to use the flags"
    )
    q.add_argument(
        "--commune", help="commune code (06.141.01.0; old 141.01.01 accepted) or name (Casablanca)"
    )
    q.add_argument(
        "--procedure",
        default="URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        help="procedure kind (default: %(default)s)",
    )
    q.add_argument(
        "--use", help="building use: INDIVIDUAL_HOUSING, COLLECTIVE_HOUSING, COMMERCIAL..."
    )
    q.add_argument("--covered-area", default="0", help="covered area in m² (surface couverte)")
    q.add_argument(
        "--saillies-public-domain", default="0", help="saillies over the public domain, m²"
    )
    q.add_argument(
        "--saillies-private",
        default="0",
        help="private saillies (included in the covered area), m²",
    )
    q.add_argument("--floor-area", help="total floor area (m² de plancher), for agency fees")
    q.add_argument(
        "--works-cost", help="works cost excluding VAT (estimated), MAD: lotissement tax base"
    )
    q.add_argument(
        "--actual-works-cost", help="actual works cost excluding VAT, MAD: lotissement tax balance"
    )
    q.add_argument(
        "--restoration", action="store_true", help="restoration works (fixed construction fee)"
    )
    q.add_argument("--odp-area", help="public domain occupied by the building site, m²")
    q.add_argument(
        "--odp-days",
        type=bounded_int(0, 3660),
        help="days of public-domain occupation by the building site (0 to 3660)",
    )
    q.add_argument(
        "--beverage-receipts",
        help="annual receipts from drinks excluding VAT, MAD (débit de boissons)",
    )
    q.add_argument(
        "--exemption",
        action="append",
        default=[],
        metavar="CODE",
        help="claim an exemption code (repeatable)",
    )
    q.add_argument(
        "--schedule",
        action="append",
        default=[],
        metavar="FILE",
        help="add or replace a commune schedule file",
    )
    q.add_argument("--on", help="quote date, YYYY-MM-DD (default: today in Casablanca)")
    q.add_argument("--json", action="store_true", help="print one JSON document")
    q.set_defaults(handler=_quote)

    s = fsub.add_parser("schedule", help="show the legal bounds and a commune's tariffs")
    s.add_argument(
        "--commune", help="commune code or name; omit to list the communes with a schedule"
    )
    s.add_argument(
        "--schedule",
        action="append",
        default=[],
        metavar="FILE",
        help="add or replace a commune schedule file",
    )
    s.add_argument("--on", help="date, YYYY-MM-DD (default: today)")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(handler=_schedule)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _date(text: str | None) -> date | None:
    from .._errors import InvalidInputError

    if text is None:
        return None
    try:
        on = date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"--on {text[:40]!r} is not a date; write it as YYYY-MM-DD"
        ) from None
    # the same years as any instant given to the command
    parse_instant(f"{on.isoformat()}T12:00:00+00:00", "--on")
    return on


def _commune(text: str) -> str:
    from .._errors import InvalidInputError
    from ..models import get_commune, registry

    if text[:1].isdigit():
        return get_commune(text).code
    found = registry().find(text)
    exact = [c for c in found if c.name_fr.casefold() == text.casefold() or c.name_ar == text]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0].code
    if not found:
        raise InvalidInputError(
            f"no commune named {text!r}; give its code, e.g. --commune 06.141.01.0"
        )
    names = ", ".join(f"{c.name_fr} ({c.code})" for c in found[:8])
    raise InvalidInputError(f"{text!r} names several communes: {names}; give the code")


def _load_schedule(files: list[str]) -> FeeSchedule:
    from ..payments import default_schedule

    sched = default_schedule()
    for f in files:
        sched = sched.with_commune(load_json(f, "--schedule"))
    return sched


@dataclass(frozen=True)
class _QuickDossier:
    kind: ProcedureKind
    commune: str
    project: Project | None
    activity: Activity | None


def _money(text: str | None, flag: str) -> Any:
    """A non-negative amount of MAD given on the command line (a cost, receipts)."""
    from .._errors import InvalidInputError
    from ..models import Money

    if text is None:
        return None
    try:
        money = Money(text)
    except ValueError as exc:
        raise InvalidInputError(f"{flag}: {exc}") from None
    if money.is_negative():
        raise InvalidInputError(
            f"{flag} cannot be negative, got {text[:40]}; give the amount in MAD"
        )
    return money


def _from_flags(args: argparse.Namespace) -> _QuickDossier:
    from .._errors import InvalidInputError
    from ..models import Activity, ConstructionUse, Level, ProcedureKind, Project

    if not args.commune:
        raise InvalidInputError(
            "give a dossier JSON file, or at least --commune (and --use for a building)"
        )
    try:
        kind = ProcedureKind[args.procedure.upper()]
    except KeyError:
        raise InvalidInputError(
            f"unknown procedure {args.procedure!r}; one of: "
            f"{', '.join(k.value for k in ProcedureKind)}"
        ) from None
    commune = _commune(args.commune)
    if kind.is_economic:
        activity = Activity(
            label="quick quote",
            premises_address="-",
            sells_beverages=args.beverage_receipts is not None,
        )
        return _QuickDossier(kind, commune, None, activity)
    if not args.use:
        raise InvalidInputError(
            f"--use is needed for {kind.value}; one of: "
            f"{', '.join(u.value for u in ConstructionUse)}"
        )
    try:
        use = ConstructionUse[args.use.upper()]
    except KeyError:
        raise InvalidInputError(
            f"unknown use {args.use!r}; one of: {', '.join(u.value for u in ConstructionUse)}"
        ) from None
    project = Project(
        use=use,
        description="quick quote",
        covered_area=args.covered_area,
        saillies_public_domain_area=args.saillies_public_domain,
        saillies_private_area=args.saillies_private,
        levels=(Level(name="total", floor_area=args.floor_area),) if args.floor_area else (),
        works_cost_ht=_money(args.works_cost, "--works-cost"),
        restoration=args.restoration,
        lots_count=1 if kind is ProcedureKind.URB_AUTORISATION_LOTIR else 0,
    )
    return _QuickDossier(kind, commune, project, None)


def _quote(args: argparse.Namespace) -> int:
    from .._errors import InvalidInputError
    from ..payments import SiteOccupation, quote

    dossier: Any = load_dossier(args.dossier) if args.dossier else _from_flags(args)
    site = None
    if args.odp_area is not None or args.odp_days is not None:
        if args.odp_area is None or args.odp_days is None:
            raise InvalidInputError("--odp-area and --odp-days go together")
        site = SiteOccupation(area=args.odp_area, days=args.odp_days)
    q = quote(
        dossier,
        on=_date(args.on),
        schedule=_load_schedule(args.schedule),
        exemptions=args.exemption,
        site_occupation=site,
        actual_works_cost=_money(args.actual_works_cost, "--actual-works-cost"),
        beverage_receipts_ht=_money(args.beverage_receipts, "--beverage-receipts"),
    )
    if args.json:
        print(json.dumps(q.as_json(), ensure_ascii=False, indent=2))
    else:
        print(_table(q))
    return EXIT_OK


def _table(q: FeeQuote) -> str:
    rows = [("Code", "Libellé", "Base", "Taux", "Montant (MAD)", "Exigible")]
    # A label is the tax's title, then " — " and how the base was formed: the title goes
    # in the column, the explanation on its own line under it, never cut.
    details = [""]
    for ln in q.lines:
        title, _, detail = ln.label_fr.partition(" — ")
        details.append(detail)
        label = title if len(title) <= 60 else title[:59] + "…"
        if ln.exemption_code:
            label += f" [exonéré: {ln.exemption_code}]"
        rows.append(
            (
                ln.code,
                label,
                f"{ln.base} {ln.unit.label_fr}",
                f"{ln.rate} {ln.rate_unit.label_fr}",
                f"{ln.amount.amount:,.2f}".replace(",", " "),
                ln.due.label_fr,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [f"Commune {q.commune} · {q.kind.label_fr} · {q.on.isoformat()}"]
    for i, r in enumerate(rows):
        cells = [c.rjust(widths[j]) if j == 4 else c.ljust(widths[j]) for j, c in enumerate(r)]
        out.append("  ".join(cells).rstrip())
        if details[i]:
            out.append(" " * (widths[0] + 2) + details[i])
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    out.append(f"Total : {q.total.amount:,.2f} MAD".replace(",", " "))
    for note in q.notes:
        out.append(f"Note : {note}")
    if q.illustrative:
        out.append("Attention : ce devis utilise des tarifs ILLUSTRATIFS (non sourcés).")
    return "\n".join(out)


def _schedule(args: argparse.Namespace) -> int:
    from .._time import now

    sched = _load_schedule(args.schedule)
    on = _date(args.on) or now().date()  # today in Morocco's legal time
    if not args.commune:
        doc: dict[str, Any] = {
            "version": sched.version,
            "communes": [
                {"code": c.commune, "name": c.name, "illustrative": c.illustrative}
                for c in sched.communes.values()
            ],
        }
        if args.json:
            print(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            for c in doc["communes"]:
                print(f"{c['code']}  {c['name']}{'  (illustrative)' if c['illustrative'] else ''}")
        return EXIT_OK
    code = _commune(args.commune)
    c = sched.communes.get(code)
    if c is None:
        from ..payments import NoTariffError

        raise NoTariffError(
            f"no fee schedule for commune {code}; see docs/fee-schedules.md to add one"
        )
    rows = []
    for t in c.tariffs:
        if not t.in_force(on):
            continue
        b = sched.bound(t.bound_rubric or t.rubric, t.valid_from)
        rows.append(
            {
                "rubric": t.rubric,
                "value": str(t.value),
                "unit": b.unit.value,
                "legal_min": None if b.min is None else str(b.min),
                "legal_max": None if b.max is None else str(b.max),
                "arrete_ref": t.arrete_ref,
                "valid_from": t.valid_from.isoformat(),
                "source_url": t.source_url,
                "confidence": t.confidence,
                "illustrative": t.illustrative,
            }
        )
    doc = {
        "commune": code,
        "name": c.name,
        "on": on.isoformat(),
        "policy": c.policy.model_dump(mode="json"),
        "tariffs": rows,
    }
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(
            f"{c.name} ({code}) on {on.isoformat()}; saillies: {c.policy.saillie_mode.value}, "
            f"rounding: {c.policy.money_rounding.value}"
        )
        for r in rows:
            rng = f"[{r['legal_min'] or '…'}–{r['legal_max'] or '…'}]"
            flag = "  ILLUSTRATIVE" if r["illustrative"] else ""
            print(
                f"  {r['rubric']:<36} {r['value']:>6} {r['unit']:<24} legal {rng:<10} "
                f"[{r['confidence']}]{flag}"
            )
    return EXIT_OK
