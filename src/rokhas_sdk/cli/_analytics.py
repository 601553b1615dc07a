"""``rokhas ranking``: the Ministry's quarterly commune ranking from journals or exports.

Also ``rokhas synthetic-events`` to write a reproducible synthetic year to try it on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._input import bounded_int


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``ranking`` and ``synthetic-events``."""
    p = sub.add_parser(
        "ranking",
        help="rank communes on processing delays (best and 10 worst per criterion)",
        description=(
            "Count each dossier's processing delay (filing to decision, complement pauses "
            "excluded), per commune and quarter, petits and grands projets apart, and rank "
            "the communes as the Interior ministry does. INPUT: CSV, Parquet or JSON Lines "
            "exports, procedure journals, or folders of journals."
        ),
    )
    p.add_argument(
        "input", nargs="+", metavar="INPUT", help="events file(s) or folder(s) of journals"
    )
    p.add_argument(
        "--quarter", help="quarter like 2026Q3 (default: the latest the data covers to its end)"
    )
    p.add_argument(
        "--json", action="store_true", help="print the whole report as one JSON document"
    )
    p.add_argument(
        "--communes", metavar="FILE", help="CSV dossier,commune for journals that name no commune"
    )
    p.add_argument("--csv", metavar="PATH", help="also write one CSV row per commune and scale")
    p.add_argument("--chart", metavar="PATH", help="also write the delay chart (.png or .svg)")
    p.add_argument(
        "--best",
        type=bounded_int(0, 10_000),
        default=10,
        help="how many best communes per criterion (default 10)",
    )
    p.add_argument(
        "--worst",
        type=bounded_int(0, 10_000),
        default=10,
        help="how many worst communes per criterion (default 10)",
    )
    p.add_argument(
        "--min-decided",
        type=bounded_int(1, 1_000_000),
        default=1,
        help="dossiers a commune needs to be ranked (default 1)",
    )
    p.add_argument(
        "--day-basis", choices=["calendar", "working"], help="count calendar or working days"
    )
    p.add_argument(
        "--complement-effect",
        choices=["suspend", "restart"],
        help="a complement request suspends the clock (default) or restarts it",
    )
    p.add_argument("--lang", choices=["fr", "ar"], default="fr", help="labels of the table")
    p.set_defaults(handler=_ranking)

    s = sub.add_parser(
        "synthetic-events",
        help="write a reproducible synthetic year of events (for trying `rokhas ranking`)",
    )
    s.add_argument("output", metavar="OUTPUT", help="file to write: .csv, .parquet or .jsonl")
    s.add_argument(
        "--communes",
        type=bounded_int(1, 9_999),
        default=50,
        help="synthetic communes SYN0001... (1 to 9999; default 50)",
    )
    s.add_argument(
        "--dossiers",
        type=bounded_int(1, 2_000_000),
        default=5_000,
        help="dossiers filed in the year (1 to 2,000,000; default 5000)",
    )
    s.add_argument(
        "--year",
        type=bounded_int(2000, 2100),
        default=2026,
        help="year the dossiers are filed in (2000 to 2100; default 2026)",
    )
    s.add_argument(
        "--seed",
        type=bounded_int(0, 2**32 - 1),
        default=0,
        help="random seed: the same seed writes the same events (default 0)",
    )
    s.set_defaults(handler=_synthetic)


def _ranking(args: argparse.Namespace) -> int:
    from ..analytics import default_rules, rank_communes, read_events

    rules = default_rules()
    update: dict[str, Any] = {}
    if args.day_basis:
        update["day_basis"] = args.day_basis
    if args.complement_effect:
        update["complement_effect"] = args.complement_effect
    if update:
        rules = rules.model_copy(update=update)
    events = read_events([Path(p) for p in args.input], communes=args.communes, rules=rules)
    report = rank_communes(
        events,
        quarter=args.quarter,
        rules=rules,
        best=args.best,
        worst=args.worst,
        min_decided=args.min_decided,
    )
    if args.csv:
        report.to_csv(args.csv)
    if args.chart:
        report.write_chart(args.chart)
    if args.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(report.table(lang=args.lang) + "\n")
        for label, path in (("CSV", args.csv), ("chart", args.chart)):
            if path:
                sys.stdout.write(f"{label}: {path}\n")
    return 0


def _synthetic(args: argparse.Namespace) -> int:
    from ..analytics import synthetic_events, write_events

    events = synthetic_events(
        communes=args.communes, dossiers=args.dossiers, year=args.year, seed=args.seed
    )
    path = write_events(events, args.output)
    sys.stdout.write(
        f"{events.height} events of {args.dossiers} dossiers in {args.communes} communes: {path}\n"
    )
    return 0
