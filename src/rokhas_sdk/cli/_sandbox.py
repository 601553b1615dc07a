"""``rokhas sandbox``: run the sandbox platform over HTTP, list its tokens."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas sandbox serve`` and ``rokhas sandbox tokens``."""
    p = sub.add_parser("sandbox", help="a faithful Rokhas-like platform to test against")
    s = p.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = s.add_parser("serve", help="serve the sandbox over HTTP (uvicorn)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    serve.add_argument(
        "--db", default=None, help="SQLite file to keep the state in (WAL); in memory without it"
    )
    serve.add_argument(
        "--seed", default="rokhas-sandbox", help="fixes the users' tokens and the CMI store key"
    )
    serve.add_argument(
        "--sync",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="SQLite synchronous mode (FULL survives power loss)",
    )
    serve.add_argument(
        "--faults",
        default=None,
        help='fault settings as JSON, e.g. \'{"error_rate": 0.1, "latency_ms": 50}\'',
    )
    serve.add_argument(
        "--clock", default=None, help="start the clock at this ISO instant (with offset)"
    )
    serve.add_argument(
        "--frozen-clock", action="store_true", help="time stands still between explicit moves"
    )
    serve.add_argument(
        "--no-pki", action="store_true", help="no test PKI: permits cannot be signed"
    )
    serve.add_argument(
        "--pki-dir",
        default=None,
        help="write the test PKI's root certificate (trust-root.pem) here",
    )
    serve.add_argument(
        "--renderer",
        choices=("stand-in", "documents"),
        default="documents",
        help="permit PDF: documents' bilingual permit (default) or a plain stand-in page",
    )
    serve.add_argument(
        "--signing-workers",
        type=int,
        default=1,
        metavar="N",
        help="processes that render and sign permits off the event loop (default 1; "
        "0 signs inside the server process)",
    )
    serve.set_defaults(handler=_serve)
    tokens = s.add_parser("tokens", help="print the seeded users and their bearer tokens")
    tokens.add_argument("--seed", default="rokhas-sandbox")
    tokens.add_argument("--json", action="store_true", help="one JSON document")
    tokens.set_defaults(handler=_tokens)
    p.set_defaults(handler=lambda args: (p.print_help(sys.stderr), 2)[1])


def _serve(args: argparse.Namespace) -> int:
    from datetime import datetime

    from ..sandbox import FaultSettings, Sandbox, SandboxClock, serve

    try:
        faults = FaultSettings.model_validate(json.loads(args.faults)) if args.faults else None
    except json.JSONDecodeError as exc:
        sys.stderr.write(
            f"rokhas: error: --faults is not JSON ({exc}); e.g. '{{\"error_rate\": 0.1}}'\n"
        )
        return 2
    clock = None
    if args.clock or args.frozen_clock:
        start = datetime.fromisoformat(args.clock) if args.clock else None
        clock = SandboxClock(start, frozen=args.frozen_clock)
    signer = None
    root = None
    if not args.no_pki:
        from ..testing import sandbox_signing

        signer, root = sandbox_signing()
        if args.pki_dir:
            from pathlib import Path

            Path(args.pki_dir).mkdir(parents=True, exist_ok=True)
            (Path(args.pki_dir) / "trust-root.pem").write_bytes(root)
    sb = Sandbox(
        db=args.db,
        permit_renderer=args.renderer,
        clock=clock,
        faults=faults,
        seed=args.seed,
        permit_signer=signer,
        trust_root_pem=root,
        synchronous=args.sync,
        signing_workers=0 if args.no_pki else args.signing_workers,
    )
    port = args.port
    if port == 0:
        import socket

        with socket.socket() as s:
            s.bind((args.host, 0))
            port = s.getsockname()[1]
    sys.stdout.write(
        json.dumps(
            {
                "url": f"http://{args.host}:{port}",
                "db": args.db,
                "admin_token_env": "see `rokhas sandbox tokens`",
            }
        )
        + "\n"
    )
    sys.stdout.flush()
    try:
        serve(sb, args.host, port)
    finally:
        sb.close()
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from ..sandbox import seed_users

    users = seed_users(args.seed)
    rows = [{**u.as_public_dict(), "token": u.token.get_secret_value()} for u in users]
    if args.json:
        sys.stdout.write(json.dumps({"users": rows}, ensure_ascii=False) + "\n")
        return 0
    for r in rows:
        where = r["commune"] or "national"
        extra = f" {r['body']}" if r["body"] else ""
        sys.stdout.write(f"{r['role']:<26} {where:<10}{extra:<18} {r['id']:<44} {r['token']}\n")
    return 0
