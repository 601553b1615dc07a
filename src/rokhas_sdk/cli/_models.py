"""``rokhas schema`` (JSON Schema of the public models) and ``rokhas commune`` (look-up)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._input import bounded_int

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``schema`` and ``commune``."""
    p = sub.add_parser(
        "schema",
        help="export the JSON Schema of every public model (one file per model)",
        description="Write docs/schema/<Model>.json for every public model of rokhas_sdk.models. "
        "With --check, write nothing and exit 1 if the files on disk differ.",
    )
    p.add_argument(
        "--out", type=Path, default=Path("docs/schema"), help="directory (default: docs/schema)"
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="compare only; exit 1 when a file is missing, stale or extra",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    p.set_defaults(handler=_schema)

    c = sub.add_parser(
        "commune",
        help="find communes by name (French or Arabic) or code",
        description="Look communes up in the bundled registry (HCP census 2024). "
        "Exit 1 when nothing matches.",
    )
    c.add_argument(
        "query", help="a name (accents optional: 'fes' finds Fès), an Arabic name, or a code"
    )
    c.add_argument(
        "--limit",
        type=bounded_int(1, 2_000),
        default=20,
        help="at most this many rows (1 to 2000; default 20)",
    )
    c.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    c.set_defaults(handler=_commune)


def _schema(args: argparse.Namespace) -> int:
    from ..models import json_schemas, render_schema

    out: Path = args.out
    if out.exists() and not out.is_dir():
        sys.stderr.write(f"rokhas: error: {out} is not a directory; pass --out DIRECTORY\n")
        return EXIT_USAGE
    wanted = {f"{name}.json": render_schema(schema) for name, schema in json_schemas().items()}
    present = {p.name for p in out.glob("*.json")} if out.is_dir() else set()
    changed = sorted(
        n
        for n, text in wanted.items()
        if not (out / n).is_file() or (out / n).read_text(encoding="utf-8") != text
    )
    extra = sorted(present - set(wanted))
    if not args.check:
        out.mkdir(parents=True, exist_ok=True)
        for name in changed:
            (out / name).write_text(wanted[name], encoding="utf-8")
        for name in extra:
            (out / name).unlink()
    report = {
        "directory": str(out),
        "models": len(wanted),
        "changed": changed,
        "removed" if not args.check else "extra": extra,
        "check": bool(args.check),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    elif args.check:
        if changed or extra:
            print(
                f"{out}: schema drift: {len(changed)} stale or missing "
                f"({', '.join(changed) or '-'}), {len(extra)} extra ({', '.join(extra) or '-'})"
            )
            print("regenerate with: rokhas schema --out " + str(out))
        else:
            print(f"{out}: {len(wanted)} schemas up to date")
    else:
        print(f"{out}: {len(wanted)} schemas, {len(changed)} written, {len(extra)} removed")
    if args.check and (changed or extra):
        return EXIT_NEGATIVE
    return EXIT_OK


def _commune(args: argparse.Namespace) -> int:
    from ..models import registry

    reg = registry()
    query = args.query.strip()
    code = reg.canonical_code(query)
    hits = [reg.communes[code]] if code else reg.find(query, limit=args.limit)
    rows = [
        {
            "code": c.code,
            "name_fr": c.name_fr,
            "name_ar": c.name_ar,
            "province_code": c.province_code,
            "province": reg.provinces[c.province_code].name_fr
            if c.province_code in reg.provinces
            else None,
            "kind": c.kind,
            "population": c.population,
            "population_year": c.population_year,
            "guichet_unique": c.needs_guichet_unique,
            "source": c.source,
        }
        for c in hits
    ]
    if args.json:
        print(json.dumps({"query": query, "communes": rows}, ensure_ascii=False))
    elif rows:
        print(
            f"{'code':<13} {'commune':<32} {'province':<22} {'kind':<6} {'population':>11}  "
            "guichet unique"
        )
        for r in rows:
            pop = f"{r['population']:,}".replace(",", " ") if r["population"] is not None else "?"
            gu = {True: "yes", False: "no"}.get(r["guichet_unique"], "?")  # type: ignore[call-overload]
            name = f"{r['name_fr']} / {r['name_ar']}"
            print(
                f"{r['code']:<13} {name:<32} {r['province'] or '':<22} {r['kind']:<6} {pop:>11}  "
                f"{gu}"
            )
    else:
        sys.stderr.write(f"no commune matches {query!r}; try part of the name, without accents\n")
    return EXIT_OK if rows else EXIT_NEGATIVE
