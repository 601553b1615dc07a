"""``rokhas api``: the HTTP contract from the shell (OpenAPI export, operation table)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas api openapi`` and ``rokhas api operations``."""
    api = sub.add_parser("api", help="the v1 HTTP contract: OpenAPI document, operations")
    api_sub = api.add_subparsers(dest="api_command", metavar="SUBCOMMAND")
    api.set_defaults(handler=lambda _a: (api.print_help(sys.stderr), 2)[1])

    openapi = api_sub.add_parser("openapi", help="print or write the OpenAPI 3.1 document")
    openapi.add_argument(
        "-o", "--output", type=Path, help="write to this file (e.g. docs/api/openapi.json)"
    )
    openapi.add_argument(
        "--check", action="store_true", help="exit 1 if --output differs from the contract"
    )
    openapi.set_defaults(handler=_openapi)

    ops = api_sub.add_parser("operations", help="list the operations of the contract")
    ops.add_argument("--json", action="store_true", help="one JSON document")
    ops.set_defaults(handler=_operations)


def _openapi(args: argparse.Namespace) -> int:
    from ..api import openapi_json

    text = openapi_json()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        from ._input import read_text

        current = read_text(args.output, "--output") if args.output.exists() else ""
        if current != text:
            sys.stderr.write(
                f"{args.output} is out of date: run `rokhas api openapi -o {args.output}`\n"
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


def _operations(args: argparse.Namespace) -> int:
    from ..api import OPERATIONS

    rows = [
        {
            "id": op.id,
            "method": op.method,
            "path": op.path,
            "status": op.status,
            "auth": "bearer" if op.auth else "none",
            "idempotent_write": op.is_write,
            "paginated": op.is_paginated,
            "summary": op.summary,
        }
        for op in OPERATIONS
    ]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max(len(str(r["id"])) for r in rows)
    for r in rows:
        sys.stdout.write(
            f"{r['method']:<7}{r['path']:<58}{r['id']:<{width + 2}}{r['status']}  {r['summary']}\n"
        )
    return 0
