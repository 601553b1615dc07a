"""The 26 hostile inputs of issue 16: each is one line on stderr and exit 2, never a traceback.

Plus the exit codes the issue found wrong, the help texts it found missing, and the
``sandbox tokens`` table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.sandbox import Sandbox

QUOTE = ["fees", "quote", "--commune", "141.01.01", "--use", "INDIVIDUAL_HOUSING"]
BEVERAGES = ["fees", "quote", "--commune", "141.01.01", "--procedure", "ECO_ACTIVITE_COURANTE"]
LOTIR = [*QUOTE, "--procedure", "URB_AUTORISATION_LOTIR", "--covered-area", "100"]
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Hostile files: a binary, UTF-16 JSON, deeply nested JSON, an empty folder."""
    made = {
        "BINARY": tmp_path / "binary.bin",
        "UTF16": tmp_path / "utf16.json",
        "DEEP": tmp_path / "deep.json",
        "DIR": tmp_path / "empty-folder",
    }
    made["BINARY"].write_bytes(bytes(range(256)) * 8)
    made["UTF16"].write_bytes(json.dumps({"commune": "141.01.01"}).encode("utf-16"))
    made["DEEP"].write_text(DEEP, encoding="utf-8")
    made["DIR"].mkdir()
    return {k: str(v) for k, v in made.items()}


# (argv with placeholders, a word the one line must contain)
HOSTILE: list[tuple[list[str], str]] = [
    ([*QUOTE, "--covered-area", "1e400"], "10^9 m²"),
    ([*QUOTE, "--covered-area", "1" + "0" * 30], "10^9 m²"),
    ([*QUOTE, "--covered-area", "9" * 400], "10^9 m²"),
    ([*QUOTE, "--covered-area", "100", "--works-cost", "1e400"], "10^13 MAD"),
    ([*BEVERAGES, "--beverage-receipts", "-1"], "cannot be negative"),
    ([*BEVERAGES, "--beverage-receipts", "1e400"], "10^13 MAD"),
    (["fees", "quote", "BINARY"], "not UTF-8"),
    (["fees", "quote", "UTF16"], "UTF-16"),
    ([*QUOTE, "--covered-area", "100", "--schedule", "BINARY"], "not UTF-8"),
    ([*QUOTE, "--covered-area", "100", "--schedule", "UTF16"], "UTF-16"),
    ([*QUOTE, "--covered-area", "100", "--schedule", "DEEP"], "nested more than 64"),
    (["fees", "schedule", "--schedule", "BINARY"], "not UTF-8"),
    (["permit", "render", "DEEP", "OUT"], "nested more than 64"),
    (["synthetic-events", "OUT", "--year", "-1"], "--year"),
    (["synthetic-events", "OUT", "--dossiers", "1000000000000"], "--dossiers"),
    (["verify", "DIR", "--jobs", "1000000000000"], "--jobs"),
    (["verify", "DIR", "--at", "0001-01-01T00:00:00+00:00"], "1900-2999"),
    (["api", "openapi", "-o", "BINARY", "--check"], "not UTF-8"),
    (["sandbox", "serve", "--clock", "yesterday"], "ISO 8601"),
    (["sandbox", "serve", "--clock", "9999-12-31T23:59:59+00:00"], "1900-2999"),
    (["sandbox", "serve", "--host", "999.999.1.1"], "not an IPv4 address"),
    # the exit codes the issue found wrong
    (
        [*LOTIR, "--works-cost", "100000", "--actual-works-cost", "-500000"],
        "cannot be negative",
    ),
    (["token", "info", "--module", "/nonexistent.so"], "not found"),
    # and their neighbours
    (["verify", "DIR", "--at", "yesterday"], "ISO 8601"),
    (["fees", "quote", "DIR"], "Is a directory"),
    ([*QUOTE, "--covered-area", "100", "--on", "0001-01-01"], "1900"),
]


@pytest.mark.parametrize(("argv", "needle"), HOSTILE, ids=[" ".join(a)[:60] for a, _ in HOSTILE])
def test_hostile_input_is_one_line_and_exit_2(
    argv: list[str],
    needle: str,
    files: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Should a check regress, the test must fail, not start a server that never returns.
    def must_not_serve(*_a: object, **_k: object) -> None:
        raise AssertionError("the server started despite a bad option")

    import rokhas_sdk.sandbox as sandbox_room

    monkeypatch.setattr(sandbox_room, "serve", must_not_serve)
    monkeypatch.delenv("ROKHAS_DEBUG", raising=False)
    out_path = str(tmp_path / "out.any")
    real = [files.get(a, out_path if a == "OUT" else a) for a in argv]
    code = main(real)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith("rokhas"), err
    assert "Traceback" not in err
    assert needle in err
    assert out == ""


def test_a_wrong_pin_stays_a_verdict_and_other_errors_are_usage() -> None:
    """The boundary's split: a refusal by the procedure or a token is 1, the rest 2."""
    from rokhas_sdk import DataFileError, InvalidInputError
    from rokhas_sdk.cli._main import describe_failure
    from rokhas_sdk.procedure import TransitionRefused
    from rokhas_sdk.signing import PinLockedError, TokenNotFoundError, WrongPinError

    def bare(cls: type[Exception]) -> Exception:
        # these carry facts (retries left, the refusal) the split does not look at
        exc = cls.__new__(cls)
        exc.message = "refused"  # type: ignore[attr-defined]
        return exc

    for verdict in (WrongPinError, PinLockedError, TransitionRefused):
        assert describe_failure(bare(verdict)) == (1, "refused")
    assert describe_failure(TokenNotFoundError("no token"))[0] == 2
    assert describe_failure(DataFileError("bad file"))[0] == 2
    assert describe_failure(InvalidInputError("bad"))[0] == 2
    assert describe_failure(RecursionError())[0] == 2
    assert describe_failure(UnicodeDecodeError("utf-8", b"\x80", 0, 1, "bad"))[0] == 2
    assert describe_failure(PermissionError(13, "Permission denied", "/root/x"))[1] == (
        "/root/x: Permission denied"
    )


def test_bad_flag_values_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fees", "quote", "--odp-days", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument --odp-days" in err
    assert "rokhas fees quote --help" in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["sign", "--help"], "--level"),
        (["synthetic-events", "--help"], "--communes"),
        (["synthetic-events", "--help"], "--seed"),
        (["sandbox", "tokens", "--help"], "--seed"),
    ],
)
def test_every_option_has_help(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    # argparse writes the help on the option's line or the next one; a bare option has none
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(option))
    text = " ".join(lines[at : at + 2]).split(option, 1)[1]
    assert len(text.split()) >= 4, f"{option} has no help text: {text!r}"


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from rokhas_sdk.cli._main import build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif action.option_strings and not action.help:
                missing.append(f"{path} {action.option_strings[-1]}")

    walk(build_parser(), "rokhas")
    assert missing == []


def test_sandbox_tokens_is_a_table_with_order_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "tokens"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["role", "commune", "body", "order", "number", "user", "id", "token"]
    assert set(lines[1]) <= {"-", " "}
    sb = Sandbox()
    try:
        architects = [u for u in sb.users if u.role == "ARCHITECTE"]
    finally:
        sb.close()
    assert architects
    for user in architects:
        row = next(line for line in lines if user.id in line)
        assert user.order_number is not None
        assert user.order_number in row.split()
    assert any("ARC-06141010-1" in line for line in lines)
