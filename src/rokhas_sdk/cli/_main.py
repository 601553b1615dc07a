"""Argument parsing and dispatch for the ``rokhas`` command.

Exit status (design.md §3): 0 success or valid, 1 a negative verdict, 2 bad usage or
unreadable input. ``--json`` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from .._errors import InvalidInputError, NotFoundError, RokhasError
from .._version import __version__

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2

# Each module defines ``register(subparsers)``; every parser it adds sets
# ``handler=callable(args) -> int`` through ``set_defaults``.
COMMAND_MODULES = (
    "_demo",
    "_models",
    "_procedure",
    "_fees",
    "_documents",
    "_signing",
    "_verify",
    "_api",
    "_sandbox",
    "_analytics",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rokhas",
        description="rokhas-sdk: Morocco's digital permit procedures from the shell.",
    )
    parser.add_argument("--version", action="version", version=f"rokhas-sdk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (also used as ``sys.exit`` code)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except (
        InvalidInputError,
        NotFoundError,
        FileNotFoundError,
        IsADirectoryError,
        PermissionError,
    ) as exc:
        sys.stderr.write(f"rokhas: error: {exc}\n")
        return EXIT_USAGE
    except RokhasError as exc:
        sys.stderr.write(f"rokhas: error: {exc}\n")
        return EXIT_NEGATIVE
    except KeyboardInterrupt:
        sys.stderr.write("rokhas: interrupted\n")
        return 130


def run() -> None:  # pragma: no cover - console entry
    sys.exit(main())
