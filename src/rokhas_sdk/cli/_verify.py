"""``rokhas verify``: verify signed permits from the shell.

Exit status: 0 only when every signature of every file is TOTAL_PASSED, 1 otherwise,
2 for bad usage or unreadable arguments (a missing file, a bad --trust certificate).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..signing import VerificationReport

from ._input import bounded_int, parse_instant

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2
#: More worker processes than this only adds start-up cost on any machine we know.
MAX_JOBS = 256


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas verify``."""
    p = sub.add_parser(
        "verify",
        help="verify signed permit PDFs (ETSI EN 319 102-1 report)",
        description="Verify every signature of PDF files or of the PDFs in folders. "
        "Exit 0 only when every signature of every file is TOTAL_PASSED.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="PDF files or folders")
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT",
        help="trust anchor: PEM/DER certificate file or folder (repeatable)",
    )
    p.add_argument(
        "--intermediate",
        action="append",
        default=[],
        metavar="CERT",
        help="known intermediate certificate (never an anchor; repeatable)",
    )
    p.add_argument(
        "--jobs",
        type=bounded_int(1, MAX_JOBS),
        default=None,
        metavar="N",
        help=f"worker processes (1 to {MAX_JOBS}; default: one per core for 4 files or more)",
    )
    p.add_argument(
        "--revocation",
        choices=["offline", "soft-fail", "hard-fail"],
        default="offline",
        help="revocation checking (default: offline, embedded data only)",
    )
    p.add_argument("--at", default=None, metavar="ISO", help="validation time (ISO 8601)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument(
        "--format",
        choices=["table", "json", "etsi-xml"],
        default=None,
        help="table (default), json (same as --json) or etsi-xml: the ETSI TS 119 102-2 "
        "validation report of one file",
    )
    p.set_defaults(handler=_handle)


def _expand(paths: list[str]) -> list[str]:
    return [f for f, _shown in _expand_shown(paths)]


def _expand_shown(paths: list[str]) -> list[tuple[str, str]]:
    """(path, name shown): files found in a folder are shown relative to that folder."""
    files: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
            files.extend((str(p), str(p.relative_to(path))) for p in found)
        elif path.is_file():
            if not os.access(path, os.R_OK):
                raise PermissionError(f"{raw!r} is not readable")
            files.append((str(path), raw))
        else:
            raise FileNotFoundError(f"{raw!r} does not exist; give PDF files or folders")
    return files


def _handle(args: argparse.Namespace) -> int:
    import logging

    from .._errors import InvalidInputError
    from ..signing import TrustStore, verify_many, verify_pdf

    # pyHanko logs path-building failures with tracebacks; the report already says why.
    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko").propagate = False
    logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko_certvalidator").propagate = False

    if args.jobs is not None and args.jobs < 1:
        raise InvalidInputError("--jobs must be at least 1")
    at = parse_instant(args.at, "--at") if args.at else None
    if args.json and args.format not in (None, "json"):
        raise InvalidInputError(f"--json and --format {args.format} contradict; give one of them")
    output = "json" if args.json else (args.format or "table")
    trust = TrustStore.from_paths(*args.trust, intermediates=args.intermediate)
    shown = dict(_expand_shown(args.paths))
    files = list(shown)
    if not files:
        raise InvalidInputError("no PDF file found in the given folders")
    if output == "etsi-xml" and len(files) != 1:
        raise InvalidInputError(
            f"--format etsi-xml writes the report of one file, and {len(files)} were given; "
            "verify one file per call (an ETSI validation report covers one document)"
        )

    reports: list[VerificationReport] = []
    jobs = args.jobs if args.jobs is not None else (1 if len(files) < 4 else None)
    show_progress = len(files) > 1 and sys.stderr.isatty()
    from rich.progress import Progress

    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("verifying", total=len(files))
        if jobs == 1:
            for f in files:
                reports.append(verify_pdf(f, trust=trust, revocation=args.revocation, at=at))
                progress.advance(task)
        else:
            for rep in verify_many(
                files, trust=trust, jobs=jobs, revocation=args.revocation, at=at
            ):
                reports.append(rep)
                progress.advance(task)
    order = {f: i for i, f in enumerate(files)}
    reports.sort(key=lambda r: order.get(r.file or "", 0))

    if output == "etsi-xml":
        sys.stdout.flush()
        sys.stdout.buffer.write(reports[0].to_etsi_xml() + b"\n")
        sys.stdout.buffer.flush()
    elif output == "json":
        json.dump(
            {"files": [r.cli_dict() for r in reports]}, sys.stdout, ensure_ascii=False, indent=2
        )
        sys.stdout.write("\n")
    else:
        _table(reports, shown)
    return EXIT_OK if reports and all(_all_passed(r) for r in reports) else EXIT_NEGATIVE


def _all_passed(rep: VerificationReport) -> bool:
    return bool(rep.signatures) and rep.passed


def _table(reports: list[VerificationReport], shown: dict[str, str] | None = None) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    shown = shown or {}

    def display(rep: VerificationReport) -> str:
        return shown.get(rep.file or "", rep.file or "-")

    # a pipe or a log file gets a fixed, generous width instead of rich's 80 columns
    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(title="Signature verification", show_lines=True)
    # fold rather than truncate: an auditor must see every word of a verdict
    table.add_column("file", overflow="fold")
    table.add_column("signature", overflow="fold")
    table.add_column("facts", overflow="fold")
    table.add_column("result", overflow="fold", min_width=14)
    colour = {"TOTAL_PASSED": "green", "TOTAL_FAILED": "red", "INDETERMINATE": "yellow"}
    for rep in reports:
        doc = rep.document
        name = display(rep)
        sub = f"\n{doc.subindication.value}" if doc.subindication else ""
        if not rep.signatures:
            verdict = f"[{colour[doc.indication.value]}]{doc.indication.value}{sub}[/]"
            table.add_row(name, "-", "empty file" if rep.size == 0 else "-", verdict)
        for s in rep.signatures:
            who = (s.signer.name or s.signer.subject) if s.signer else s.kind.value
            facts = (
                f"{s.kind.value} · {s.level.value} · {s.integrity.value} · {s.coverage.value}\n"
                f"after signing: {s.modified_after_signing.value}"
            )
            ssub = f"\n{s.subindication.value}" if s.subindication else ""
            verdict = f"[{colour[s.indication.value]}]{s.indication.value}{ssub}[/]"
            table.add_row(name, f"{s.field}\n{who}", facts, verdict)
    console.print(table)
    for rep in reports:
        name = display(rep)
        if rep.document.errors:
            console.print(f"[bold]{name}[/]: {rep.document.indication.value}", highlight=False)
            for e in rep.document.errors[:20]:
                console.print(f"  - {e}", markup=False, highlight=False)
        for s in rep.signatures:
            for change in s.changes[:20]:
                console.print(
                    f"  {s.field}, changed after signing: {change}", markup=False, highlight=False
                )
            for w in s.warnings[:10]:
                console.print(f"  {s.field}, warning: {w}", markup=False, highlight=False)
        if rep.permit is not None:
            console.print(
                f"[bold]{name}[/]: permit {rep.permit.reference or '?'} "
                f"({_permit_signature_state(rep)}, "
                f"matches the page: {rep.permit.reference_matches})",
                highlight=False,
            )
    if len(reports) > 1:
        counts = Counter(r.document.indication.value for r in reports)
        parts = [f"{counts[k]} {k}" for k in ("TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE")]
        console.print(f"{len(reports)} files: " + ", ".join(parts), highlight=False)


def _permit_signature_state(rep: VerificationReport) -> str:
    """Say *why* the permit is not vouched for: unsigned and untrusted are different."""
    permit = rep.permit
    assert permit is not None
    if permit.covered:
        return "covered by a valid signature"
    if permit.signed:
        return "covered by a signature that did not pass validation (see above: e.g. not trusted)"
    return "not covered by any signature"
