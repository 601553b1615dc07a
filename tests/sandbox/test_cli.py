"""``rokhas sandbox``: tokens and usage (``serve`` runs in test_durability)."""

from __future__ import annotations

import json

import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.sandbox import Sandbox


def test_tokens_json_match_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "tokens", "--seed", "cli-seed", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["users"]
    sb = Sandbox(seed="cli-seed")
    try:
        by_id = {r["id"]: r["token"] for r in rows}
        president = sb.user_for("PRESIDENT_COMMUNE")
        assert by_id[president.id] == sb.token_for("PRESIDENT_COMMUNE")
        assert {r["role"] for r in rows} >= {
            "PETITIONNAIRE",
            "COMMISSION_MEMBER",
            "DGCT",
            "SANDBOX_ADMIN",
        }
    finally:
        sb.close()


def test_tokens_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "tokens"]) == 0
    out = capsys.readouterr().out
    assert "GUICHET_AGENT" in out
    assert "rks_test_" in out


def test_sandbox_without_a_subcommand_is_usage() -> None:
    assert main(["sandbox"]) == 2


def test_serve_refuses_bad_fault_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--faults", "{not json", "--no-pki"]) == 2
    assert "--faults is not JSON" in capsys.readouterr().err
    assert main(["sandbox", "serve", "--faults", '{"error_rate": 3}', "--no-pki"]) == 2
