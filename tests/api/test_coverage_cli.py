"""``rokhas api`` and the dispatcher of ``rokhas``: exit codes, files written, JSON shapes."""

from __future__ import annotations

import argparse
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from rokhas_sdk._errors import DataFileError, InvalidInputError
from rokhas_sdk.api import OPERATIONS, openapi_json
from rokhas_sdk.cli import _main, main


def test_api_without_subcommand_prints_help_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["api"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "openapi" in err
    assert "operations" in err


def test_openapi_to_stdout_is_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", "openapi"]) == 0
    out = capsys.readouterr().out
    assert out == openapi_json()
    assert json.loads(out)["openapi"].startswith("3.1")


def test_openapi_output_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nested" / "dir" / "openapi.json"
    assert main(["api", "openapi", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == openapi_json()
    assert capsys.readouterr().out == ""
    assert main(["api", "openapi", "-o", str(target), "--check"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("stale", [None, "{}", openapi_json() + " "])
def test_openapi_check_fails_on_missing_or_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stale: str | None
) -> None:
    target = tmp_path / "openapi.json"
    if stale is not None:
        target.write_text(stale, encoding="utf-8")
    assert main(["api", "openapi", "-o", str(target), "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{target} is out of date" in err
    assert f"rokhas api openapi -o {target}" in err
    # --check never writes
    assert (target.read_text(encoding="utf-8") if target.exists() else None) == stale


def test_operations_json_lists_every_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", "operations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [op.id for op in OPERATIONS]
    keys = {"id", "method", "path", "status", "auth", "idempotent_write", "paginated", "summary"}
    for row, op in zip(rows, OPERATIONS, strict=True):
        assert set(row) == keys
        assert row["auth"] == ("bearer" if op.auth else "none")
        assert row["idempotent_write"] is op.is_write
        assert row["paginated"] is op.is_paginated
        assert row["status"] == op.status


def test_operations_table_has_one_line_per_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", "operations"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(OPERATIONS)
    for line, op in zip(lines, OPERATIONS, strict=True):
        assert line.startswith(op.method)
        assert op.path in line
        assert op.id in line
        assert line.endswith(op.summary)


# --------------------------------------------------------------------------- dispatcher


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rokhas: error:")
    assert err.count("\n") == 1  # one line, no usage block


def _with_command(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Register a ``boom`` command whose handler raises ``exc`` (a plug-in command)."""
    module = types.ModuleType("rokhas_sdk.cli._zz_boom")

    def handler(_args: argparse.Namespace) -> int:
        raise exc

    def register(sub: argparse._SubParsersAction[Any]) -> None:
        sub.add_parser("boom").set_defaults(handler=handler)

    module.register = register  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(_main, "COMMAND_MODULES", (*_main.COMMAND_MODULES, "_zz_boom"))


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (InvalidInputError("the permit number is malformed"), 2, "the permit number is malformed"),
        (FileNotFoundError("nope.pdf"), 2, "nope.pdf"),
        (DataFileError("the rules file is broken"), 2, "the rules file is broken"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_handler_errors_map_to_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    code: int,
    message: str,
) -> None:
    _with_command(monkeypatch, exc)
    assert main(["boom"]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("rokhas: ")
    assert message in err


def test_unexpected_exceptions_are_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_command(monkeypatch, ZeroDivisionError("bug"))
    monkeypatch.delenv("ROKHAS_DEBUG", raising=False)
    assert main(["boom"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "internal error" in err
    assert "ZeroDivisionError: bug" in err
    assert "Traceback" not in err


def test_rokhas_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_command(monkeypatch, ZeroDivisionError("bug"))
    monkeypatch.setenv("ROKHAS_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["boom"])
