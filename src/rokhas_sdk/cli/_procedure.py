"""``rokhas procedure ...``: replay a journal with its legal clocks, print a graph."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``procedure replay``, ``procedure graph`` and ``procedure docs``."""
    parser = sub.add_parser(
        "procedure",
        help="procedure engine: replay journals, show state graphs",
        description="States, transitions, legal clocks and journals of Rokhas procedures.",
    )
    inner = parser.add_subparsers(dest="procedure_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda _args: _usage(parser))

    rp = inner.add_parser(
        "replay",
        help="verify and replay a journal; print the state and every legal clock",
        description="Verify the hash chain of JOURNAL (JSON Lines), replay it and print the "
        "state, every clock (due, elapsed, remaining, overdue) and any tacit approval. "
        "Exit 1 when the journal is broken (the first bad entry is named), 2 when the "
        "file is not a procedure journal at all.",
    )
    rp.add_argument("journal", metavar="JOURNAL.jsonl")
    rp.add_argument("--at", help="instant of the report (ISO 8601; default: now)")
    rp.add_argument("--json", action="store_true", help="print one JSON document")
    rp.set_defaults(handler=_replay)

    gp = inner.add_parser(
        "graph",
        help="print a procedure's state graph as Mermaid",
        description="Print the Mermaid state diagram of KIND (a procedure kind such as "
        "URB_PERMIS_DEMOLITION, a family such as building, or signature_key).",
    )
    gp.add_argument("kind", metavar="KIND")
    gp.add_argument("--matrix", action="store_true", help="print the (state, event, role) matrix")
    gp.set_defaults(handler=_graph)

    dp = inner.add_parser(
        "docs",
        help="write the generated graph pages (docs/procedure/*.md)",
        description="Regenerate the Mermaid + matrix pages from the data tables.",
    )
    dp.add_argument("directory", metavar="DIR")
    dp.set_defaults(handler=_docs)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _parse_at(text: str | None) -> dt.datetime:
    from rokhas_sdk.procedure import CASABLANCA

    from ._input import parse_instant

    if text is None:
        return dt.datetime.now(CASABLANCA)
    return parse_instant(text, "--at", naive_zone=CASABLANCA)


#: A procedure journal holds one dossier's events: far below this.
MAX_JOURNAL_BYTES = 256 * 1024 * 1024


def _replay(args: argparse.Namespace) -> int:
    from rokhas_sdk._errors import InvalidInputError
    from rokhas_sdk.procedure import (
        Journal,
        JournalError,
        JournalFormatError,
        deadlines,
        definition,
    )

    from ._input import read_bytes

    at = _parse_at(args.at)
    data = read_bytes(args.journal, "journal", limit=MAX_JOURNAL_BYTES)
    try:
        journal = Journal.from_lines(data.splitlines())
    except JournalError as exc:
        if isinstance(exc, JournalFormatError) and exc.index == 0:
            # Not one line in the journal layout: another kind of file (an API event log,
            # a binary), which is bad input, not a journal broken by tampering.
            raise InvalidInputError(
                f"{args.journal} is not a procedure journal ({exc.message}); give the "
                "JSON Lines file written by procedure.Journal.save"
            ) from None
        if args.json:
            doc = {
                "ok": False,
                "error": {
                    "code": exc.code,
                    "message": exc.message,
                    "line": exc.line,
                    "seq": exc.seq,
                },
                "valid_entries": len(exc.valid_entries),
            }
            print(json.dumps(doc, ensure_ascii=False))
        else:
            sys.stderr.write(f"rokhas: journal broken: {exc.message}\n")
            sys.stderr.write(f"rokhas: {len(exc.valid_entries)} entries before it are intact\n")
        return EXIT_NEGATIVE
    state = journal.state
    report = deadlines(state, at)
    d = definition(state.kind if state.kind is not None else state.graph)
    label = d.states[state.state]
    if args.json:
        doc = {
            "ok": True,
            "entries": len(journal),
            "state": state.to_dict(),
            "state_label_fr": label.label_fr,
            "state_label_ar": label.label_ar,
            "clocks": report.to_dict(),
        }
        print(json.dumps(doc, ensure_ascii=False))
        return EXIT_OK
    kind = state.kind.value if state.kind else state.graph
    print(f"{kind}: {state.state} — {label.label_fr} / {label.label_ar}")
    last = state.last_at.isoformat() if state.last_at else "-"
    print(f"entries: {len(journal)}  last event: {last}")
    print(f"at: {report.at.isoformat()}")
    if report.clocks:
        header = f"{'clock':<16} {'status':<11} {'due':<26} {'elapsed':>7} {'remain':>7}  note"
        print(header)
        for c in report.clocks:
            due = c.due_at.isoformat() if c.due_at else "-"
            note = (
                "OVERDUE" if c.overdue else ("met" if c.met else ("late" if c.met is False else ""))
            )
            unit = {"calendar_days": "d", "working_days": "wd", "months": "d"}[c.unit]
            el = f"{c.elapsed_days}{unit}" if c.elapsed_days is not None else "-"
            rem = f"{c.remaining_days}{unit}" if c.remaining_days is not None else "-"
            print(
                f"{c.clock:<16} {c.status:<11} {due:<26} {el:>7} {rem:>7}  {note} [{c.confidence}]"
            )
    if report.tacit_approval_at is not None:
        verdict = "reached" if report.tacitly_approved else "not yet"
        print(f"tacit approval: {report.tacit_approval_at.isoformat()} ({verdict})")
    else:
        print("tacit approval: none running")
    return EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    from rokhas_sdk.procedure import definition, matrix_markdown, mermaid

    d = definition(args.kind)
    sys.stdout.write(matrix_markdown(d) if args.matrix else mermaid(d))
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rokhas_sdk.procedure import render_docs

    target = Path(args.directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in render_docs().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(render_docs())} files to {target}")
    return EXIT_OK
