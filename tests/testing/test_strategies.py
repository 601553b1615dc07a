"""rokhas_sdk.testing.strategies: shipped for downstream suites, hypothesis only when used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from rokhas_sdk import InvalidInputError, models
from rokhas_sdk.models._schema import PUBLIC_MODELS
from rokhas_sdk.testing import strategies
from rokhas_sdk.testing.strategies import STRATEGIES, dossiers, strategy_for

SRC = Path(__file__).resolve().parents[2] / "src"


def test_importing_the_testing_room_does_not_import_hypothesis() -> None:
    code = "import sys, rokhas_sdk.testing; print('hypothesis' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False"


def test_without_hypothesis_the_error_names_the_extra() -> None:
    # A finder that refuses hypothesis stands in for an environment without it.
    code = (
        "import sys\n"
        "class NoHypothesis:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'hypothesis' or name.startswith('hypothesis.'):\n"
        "            raise ImportError('no hypothesis here')\n"
        "sys.meta_path.insert(0, NoHypothesis())\n"
        "try:\n"
        "    import rokhas_sdk.testing.strategies\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.startswith("ConfigurationError"), out.stdout + out.stderr
    assert "[testing]" in out.stdout


def test_every_public_model_has_a_strategy_by_class_or_name() -> None:
    assert sorted(STRATEGIES) == sorted(PUBLIC_MODELS)
    for name in PUBLIC_MODELS:
        assert strategy_for(name) is strategy_for(getattr(models, name))
    with pytest.raises(InvalidInputError, match="Dossier"):
        strategy_for("Dosier")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dossiers(kind=models.ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET))
def test_a_kind_can_be_fixed_and_every_drawn_dossier_is_valid(dossier: models.Dossier) -> None:
    assert dossier.kind is models.ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET
    assert models.Dossier.model_validate(dossier.model_dump(mode="json")) == dossier


def test_the_functions_are_documented() -> None:
    public = [n for n in dir(strategies) if not n.startswith("_")]
    undocumented = [
        n
        for n in public
        if callable(getattr(strategies, n))
        and getattr(getattr(strategies, n), "__module__", "") == strategies.__name__
        and not (getattr(strategies, n).__doc__ or "").strip()
    ]
    assert not undocumented
