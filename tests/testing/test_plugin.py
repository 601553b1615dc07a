"""The pytest plugin, used the way a downstream test suite uses it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from rokhas_sdk.client import NotFoundError, RokhasClient, UnprocessableEntityError
from rokhas_sdk.models import ProcedureFamily
from rokhas_sdk.testing import FAMILY_KINDS, make_dossier, piece_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_entry_point_is_declared() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["pytest11"]["rokhas_sdk"] == "rokhas_sdk.testing.plugin"


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    heavy = [
        "httpx",
        "starlette",
        "uvicorn",
        "pyhanko",
        "cryptography",
        "fpdf",
        "rokhas_sdk.sandbox._core",
    ]
    code = (
        "import sys, rokhas_sdk.testing.plugin, rokhas_sdk.testing; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert out.stdout.strip() == "[]"


def test_client_fixture_files_a_dossier(
    rokhas_client: RokhasClient, rokhas_dossier: Callable[..., dict[str, Any]]
) -> None:
    res = rokhas_client.dossiers.create(rokhas_dossier("URB_PERMIS_CONSTRUIRE_PETIT_PROJET"))
    assert res.state.value == "DRAFT"
    assert {m.code for m in res.missing} >= {"piece.DEMANDE"}
    assert rokhas_client.me().role.value == "PETITIONNAIRE"


async def test_async_client_fixture(
    rokhas_async_client: Any, rokhas_dossier: Callable[..., dict[str, Any]]
) -> None:
    res = await rokhas_async_client.dossiers.create(rokhas_dossier("ECO_ACTIVITE_COURANTE"))
    got = await rokhas_async_client.dossiers.get(res.id)
    assert got.id == res.id
    assert got.dossier.kind.value == "ECO_ACTIVITE_COURANTE"


def test_client_for_roles_and_the_rules(
    rokhas_client_for: Callable[..., RokhasClient], rokhas_dossier: Callable[..., dict[str, Any]]
) -> None:
    mine = rokhas_client_for("PETITIONNAIRE")
    did = mine.dossiers.create(rokhas_dossier("ECO_ACTIVITE_COURANTE")).id
    with pytest.raises(NotFoundError):
        rokhas_client_for("PETITIONNAIRE", index=1).dossiers.get(did)
    with pytest.raises(UnprocessableEntityError):
        mine.dossiers.submit(did)  # pieces are missing: the law refuses the filing


def test_clock_fixture_reaches_tacit_approval(
    rokhas_walker: Any, rokhas_clock: Any, rokhas_client: RokhasClient
) -> None:
    walk = rokhas_walker.walk(FAMILY_KINDS[ProcedureFamily.BUILDING], until="RECEIPT_ISSUED")
    rokhas_clock.advance(days=61)
    assert rokhas_client.dossiers.get(walk.dossier_id).state.value == "RECEIPT_ISSUED"
    rokhas_clock.advance(days=3)
    assert rokhas_client.dossiers.get(walk.dossier_id).state.value == "TACITLY_APPROVED"


@pytest.mark.rokhas_sandbox(start="2024-06-03T09:00:00+01:00", seed="marker-seed")
def test_marker_sets_the_start_and_seed(rokhas_sandbox: Any, rokhas_clock: Any) -> None:
    assert rokhas_clock.now().isoformat().startswith("2024-06-03T09:00")
    assert rokhas_sandbox.seed == "marker-seed"


@pytest.mark.rokhas_sandbox(faults={"error_rate": 1.0, "error_statuses": [503]})
def test_marker_sets_faults(rokhas_sandbox: Any) -> None:
    with httpx.Client(transport=rokhas_sandbox.transport(), base_url=rokhas_sandbox.base_url) as c:
        assert c.get("/v1/health").status_code == 503


def test_server_fixture_serves_http(rokhas_server: Any) -> None:
    r = httpx.get(rokhas_server.url + "/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_signed_permit_pdf_verifies(
    rokhas_signed_permit_pdf: bytes, rokhas_trust_root_pem: bytes
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from rokhas_sdk.signing import TrustStore, verify_pdf

    trust = TrustStore(
        [
            c.public_bytes(Encoding.DER)
            for c in x509.load_pem_x509_certificates(rokhas_trust_root_pem)
        ]
    )
    report = verify_pdf(rokhas_signed_permit_pdf, trust=trust)
    assert report.document.indication.value == "TOTAL_PASSED"
    assert report.permit is not None
    assert report.permit.permit is not None
    assert report.permit.permit.number == "P-06.141.01.0-2026-000042"


@pytest.mark.parametrize("family", list(ProcedureFamily), ids=lambda f: f.value)
def test_factories_build_valid_dossiers_with_every_required_piece(family: ProcedureFamily) -> None:
    from rokhas_sdk.models import procedure_kind_info

    kind = FAMILY_KINDS[family]
    dossier = make_dossier(kind)
    pieces = piece_files(kind)
    assert [p for p, _, _ in pieces] == list(procedure_kind_info(kind).required_pieces)
    assert all(data.startswith(b"%PDF-") for _, _, data in pieces)
    missing = {m.code for m in dossier.missing_for_submission()}
    assert missing == {f"piece.{p.value}" for p, _, _ in pieces}


def test_a_downstream_suite_uses_the_plugin(tmp_path: Path) -> None:
    test_file = tmp_path / "test_portal.py"
    test_file.write_text(
        textwrap.dedent(
            """
            def test_portal_files_a_dossier(rokhas_client, rokhas_dossier):
                res = rokhas_client.dossiers.create(rokhas_dossier("ECO_ACTIVITE_COURANTE"))
                assert res.state.value == "DRAFT"
            """
        ),
        encoding="utf-8",
    )
    from importlib.metadata import entry_points

    # Installed, the entry point loads the plugin by itself; otherwise name it with -p.
    installed = any(
        ep.value == "rokhas_sdk.testing.plugin" for ep in entry_points(group="pytest11")
    )
    load = [] if installed else ["-p", "rokhas_sdk.testing.plugin"]
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *load, "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout
