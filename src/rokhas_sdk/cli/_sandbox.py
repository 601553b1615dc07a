"""``rokhas sandbox``: run the sandbox platform over HTTP, list its tokens."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._input import host_argument, instant_argument


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas sandbox serve`` and ``rokhas sandbox tokens``."""
    p = sub.add_parser("sandbox", help="a faithful Rokhas-like platform to test against")
    s = p.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = s.add_parser("serve", help="serve the sandbox over HTTP (uvicorn)")
    serve.add_argument(
        "--host",
        type=host_argument,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1)",
    )
    serve.add_argument(
        "--port",
        default="8000",
        help="port, 1 to 65535 (default 8000; 0 picks a free one); a busy port exits 2",
    )
    serve.add_argument(
        "--db", default=None, help="SQLite file to keep the state in (WAL); in memory without it"
    )
    serve.add_argument(
        "--seed",
        default=None,
        help="fixes the users' tokens and the CMI store key (default: random at each start)",
    )
    serve.add_argument(
        "--token-ttl",
        default="3650",
        metavar="DAYS",
        help="how long the tokens live from the start, on the sandbox clock (default 3650)",
    )
    serve.add_argument(
        "--tokens-file",
        default=None,
        metavar="FILE",
        help="where to write the users' tokens (mode 0600; default: a new temporary directory)",
    )
    serve.add_argument(
        "--quiet", action="store_true", help="no request log (one line per request on stderr)"
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
        "--clock",
        type=instant_argument,
        default=None,
        help="start the clock at this ISO instant with offset, years 1900-2999",
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
    tokens = s.add_parser(
        "tokens",
        help="print the users and tokens of a seed (a server started without --seed "
        "writes its own to the tokens file it prints)",
    )
    tokens.add_argument(
        "--seed", default="rokhas-sandbox", help="the seed (default: Sandbox()'s in code)"
    )
    tokens.add_argument("--json", action="store_true", help="one JSON document")
    tokens.set_defaults(handler=_tokens)
    p.set_defaults(handler=lambda args: (p.print_help(sys.stderr), 2)[1])


def _fail(message: str) -> int:
    """One line on stderr, exit status 2 (a usage error)."""
    sys.stderr.write(f"rokhas: error: {message}\n")
    return 2


def _bind(host: str, port: int) -> Any:
    """The listening socket, bound before anything starts: a busy port is one line."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ValueError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "choose another --port (0 picks a free one) or --host"
        ) from None
    return sock


def _write_tokens(path: str | None, sb: Any, url: str) -> str:
    """Write every user's token to a file only its owner reads; returns its path."""
    import os
    import tempfile

    if path is None:
        path = os.path.join(tempfile.mkdtemp(prefix="rokhas-sandbox-"), "tokens.json")
    expires = sb.users.tokens_expire_at
    doc = {
        "url": url,
        "tokens_expire_at": expires.isoformat() if expires else None,
        "users": [{**u.as_public_dict(), "token": u.token.get_secret_value()} for u in sb.users],
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return path


def _serve(args: argparse.Namespace) -> int:
    import secrets
    from datetime import datetime, timedelta

    from ..sandbox import FaultSettings, Sandbox, SandboxClock, serve, stderr_request_log

    try:
        port = int(args.port)
    except ValueError:
        return _fail(f"--port {args.port!r} is not a number; give 1 to 65535, or 0 for a free one")
    if not 0 <= port <= 65535:
        return _fail(f"--port {port} is out of range; give 1 to 65535, or 0 for a free one")
    try:
        ttl_days = float(args.token_ttl)
        if not 0 < ttl_days <= 36_525:
            raise ValueError
    except ValueError:
        return _fail(
            f"--token-ttl {args.token_ttl!r}: give a number of days, above 0, at most 36525"
        )
    try:
        faults = FaultSettings.model_validate(json.loads(args.faults)) if args.faults else None
    except json.JSONDecodeError as exc:
        return _fail(f"--faults is not JSON ({exc}); e.g. '{{\"error_rate\": 0.1}}'")
    clock = None
    if args.clock or args.frozen_clock:
        try:
            start = datetime.fromisoformat(args.clock) if args.clock else None
            if start is not None and start.tzinfo is None:
                raise ValueError("no offset")
        except ValueError:
            return _fail(
                f"--clock {args.clock!r} is not an ISO instant with its offset; "
                "e.g. 2026-03-02T09:00:00+01:00"
            )
        clock = SandboxClock(start, frozen=args.frozen_clock)
    try:
        sock = _bind(args.host, port)
    except ValueError as exc:
        return _fail(str(exc))
    port = sock.getsockname()[1]
    url = f"http://[{args.host}]:{port}" if ":" in args.host else f"http://{args.host}:{port}"
    signer = None
    root = None
    if not args.no_pki:
        from ..testing import sandbox_signing

        signer, root = sandbox_signing()
        if args.pki_dir:
            from pathlib import Path

            Path(args.pki_dir).mkdir(parents=True, exist_ok=True)
            (Path(args.pki_dir) / "trust-root.pem").write_bytes(root)
    # Without --seed, a seed nobody else knows: the admin token and the CMI store key are
    # derived from it, and the default seed is public.
    seed = args.seed if args.seed is not None else secrets.token_urlsafe(32)
    sb = Sandbox(
        db=args.db,
        permit_renderer=args.renderer,
        clock=clock,
        faults=faults,
        seed=seed,
        permit_signer=signer,
        trust_root_pem=root,
        synchronous=args.sync,
        signing_workers=0 if args.no_pki else args.signing_workers,
        token_ttl=timedelta(days=ttl_days),
    )
    try:
        tokens_file = _write_tokens(args.tokens_file, sb, url)
        expires = sb.users.tokens_expire_at
        sys.stdout.write(
            json.dumps(
                {
                    "url": url,
                    "db": args.db,
                    "tokens_file": tokens_file,
                    "tokens_expire_at": expires.isoformat() if expires else None,
                    "seed": "given" if args.seed is not None else "random",
                }
            )
            + "\n"
        )
        sys.stdout.flush()
        sys.stderr.write(
            f"rokhas sandbox: serving {url}; the users' bearer tokens are in {tokens_file}\n"
        )
        serve(
            sb,
            args.host,
            port,
            sock=sock,
            request_log=None if args.quiet else stderr_request_log,
        )
    finally:
        sock.close()
        sb.close()
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from ..sandbox import seed_users

    users = seed_users(args.seed)
    rows = [{**u.as_public_dict(), "token": u.token.get_secret_value()} for u in users]
    if args.json:
        sys.stdout.write(json.dumps({"users": rows}, ensure_ascii=False) + "\n")
        return 0
    header = ("role", "commune", "body", "order number", "user id", "token")
    table = [header] + [
        (
            str(r["role"]),
            str(r["commune"] or "national"),
            str(r["body"] or "-"),
            str(r.get("order_number") or "-"),
            str(r["id"]),
            str(r["token"]),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        sys.stdout.write("\n")
        if i == 0:
            sys.stdout.write("  ".join("-" * w for w in widths) + "\n")
    return 0
