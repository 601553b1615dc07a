"""Argument parsing and dispatch for the ``rokhas`` command.

Exit status (design.md §3): 0 success or valid, 1 a negative verdict, 2 bad usage or
unreadable input (every ``RokhasError`` but a refusal by the procedure or a token, an
unreadable file, a bad encoding, too deep or too large input, a number out of range, a
bad flag value), 70 an internal error (a bug: please report it), 130 interrupted, 141
the reader of the output went away (``| head``), silently.
``--json`` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from .._errors import InvalidInputError, RokhasError
from .._version import __version__

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
#: A bug of ours (an exception no check foresaw): one line too, but not "bad usage".
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by it

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
        # One line: the usage block would bury the reason under the list of options.
        text = " ".join(message.split())
        sys.stderr.write(f"{self.prog}: error: {text} (see `{self.prog} --help`)\n")
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
    """Run the command line; returns the exit status (also used as ``sys.exit`` code).

    This is the CLI's one error boundary: whatever goes wrong ends as one line on stderr
    and an exit status, never a traceback (set ``ROKHAS_DEBUG=1`` to see one).
    """
    try:
        if argv is not None and any("\x00" in arg for arg in argv):
            # A shell cannot pass NUL (argv is C strings); only a program calling main()
            # can, and no file name or value may hold it.
            raise InvalidInputError("an argument contains a NUL character; remove it")
        parser = build_parser()
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return handler(args)
    except SystemExit as exc:  # argparse: --help, --version, a bad option
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("rokhas: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `rokhas ... | head` closed the pipe: the reader has what it wanted. Say nothing,
        # and keep the interpreter's last flush from failing again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if os.environ.get("ROKHAS_DEBUG"):
            raise
        status, message = describe_failure(exc)
        sys.stderr.write(f"rokhas: error: {' '.join(message.split())}\n")
        return status


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """The exit status and the one-line message for an exception that reached ``main``."""
    if isinstance(exc, RokhasError):
        return (EXIT_NEGATIVE if _is_verdict(exc) else EXIT_USAGE), str(exc)
    if isinstance(exc, UnicodeError):
        return EXIT_USAGE, f"input is not UTF-8 text ({exc}); give UTF-8 files"
    if isinstance(exc, OSError):
        if exc.filename is None:
            return EXIT_USAGE, str(exc.strerror or exc)
        # "FILE: reason", as Unix tools say it: right for reading and for writing
        return EXIT_USAGE, f"{exc.filename!s}: {exc.strerror or exc}"
    if isinstance(exc, RecursionError):
        return EXIT_USAGE, "the input is nested too deeply to be read; is it the right file?"
    if isinstance(exc, MemoryError):
        return EXIT_USAGE, "the input is too large to be processed in memory"
    return EXIT_INTERNAL, (
        f"internal error, please report it: {type(exc).__name__}: {exc} "
        "(set ROKHAS_DEBUG=1 for the traceback)"
    )


def _is_verdict(exc: RokhasError) -> bool:
    """A refusal by the authority asked (the procedure, the token), not bad input."""
    from ..procedure import TransitionRefused
    from ..signing import PinLockedError, WrongPinError

    return isinstance(exc, TransitionRefused | WrongPinError | PinLockedError)


def run() -> None:  # pragma: no cover - console entry
    sys.exit(main())
