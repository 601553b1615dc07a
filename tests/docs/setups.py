"""What each page takes as given, prepared before its first example runs.

A page's examples may use names a reader already has at that point (a dossier they
built, a signed permit, a trust root, their time-stamping authority). The function for
the page builds them in the page's working folder (the current directory), sets the
environment variables its shell examples use, and returns the names for its Python
examples. Pages not listed start empty. ``DOCS_TEST_PORT`` is the free port that stands
in for the sandbox's documented default 8000 (run_page.py).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "docs-passphrase"
# Services a page's examples use run until its interpreter ends: keep them referenced.
_RUNNING: list[Any] = []

DOSSIER: dict[str, Any] = {
    "reference": "CAS-2026-000123",
    "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
    "commune": "06.141.01.0",
    "applicant": {
        "type": "natural",
        "first_name": "Salma",
        "last_name": "Bennani",
        "cin": "BE123456",
    },
    "parcel": {"commune": "06.141.01.0", "address": "12 rue des Orangers", "land_area": "240"},
    "architect": {
        "person": {
            "type": "natural",
            "first_name": "Omar",
            "last_name": "Alaoui",
            "cin": "BK200001",
        },
        "order_number": "ARC-06141010-1",
    },
    "project": {
        "use": "INDIVIDUAL_HOUSING",
        "description": "Maison individuelle R+1",
        "covered_area": "187.40",
    },
}

PERMIT: dict[str, Any] = {
    "number": "PC-141-2026-000042",
    "dossier_reference": "CAS-2026-000123",
    "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
    "commune": "06.141.01.0",
    "commune_name_fr": "Casablanca",
    "commune_name_ar": "الدار البيضاء",
    "beneficiary_name": "Salma Bennani",
    "beneficiary_id": "BE123456",
    "object_fr": "Construction d'une maison individuelle R+1",
    "object_ar": "بناء منزل فردي",
    "address": "12 rue des Orangers, Casablanca",
    "issued_on": "2026-04-20",
    "signatory": {
        "name": "Karim Bennani",
        "title_fr": "Président du conseil communal",
        "title_ar": "رئيس المجلس الجماعي",
    },
}


def stop_services() -> None:
    """Stop what the setups started, last first (run_page.py calls it when the page ends)."""
    while _RUNNING:
        _RUNNING.pop().__exit__(None, None, None)


def _dossier() -> dict[str, Any]:
    from rokhas_sdk.models import Dossier

    Path("dossier.json").write_text(json.dumps(DOSSIER, ensure_ascii=False), encoding="utf-8")
    return {"dossier": Dossier.model_validate(DOSSIER), "payload": json.dumps(DOSSIER)}


def _pki(*, service: bool = False) -> dict[str, Any]:
    """A throw-away PKI: president.p12, root.pem, trust/; with ``service``, OCSP/CRL/TSA too."""
    from rokhas_sdk.testing.pki import PKIService, TestPKI

    names: dict[str, Any] = {}
    if service:
        running = PKIService()
        running.__enter__()
        _RUNNING.append(running)
        pki = running.pki
        os.environ["TSA_URL"] = running.tsa_url
        names["TSA_URL"] = running.tsa_url
    else:
        pki = TestPKI.create()
    president = pki.identity("president")
    Path("president.p12").write_bytes(president.pkcs12(PASSPHRASE))
    Path("architect.p12").write_bytes(pki.identity("architect").pkcs12(PASSPHRASE))
    root = pki.root.certificate_pem()
    for name in ("root.pem", "barid-esign-root.pem"):
        Path(name).write_bytes(root)
    Path("trust").mkdir(exist_ok=True)
    Path("trust/root.pem").write_bytes(root)
    os.environ["ROKHAS_P12_PASSPHRASE"] = PASSPHRASE
    names.update(pki=pki, passphrase=PASSPHRASE)
    return names


def _permit(pki: Any) -> dict[str, Any]:
    """permit.json, the rendered permit.pdf, and the same signed by the president."""
    from pydantic import SecretStr

    from rokhas_sdk.documents import render_permit
    from rokhas_sdk.models import Permit
    from rokhas_sdk.signing import Pkcs12Signer, sign_pdf

    Path("permit.json").write_text(json.dumps(PERMIT, ensure_ascii=False), encoding="utf-8")
    permit = Permit.model_validate(PERMIT)
    layout = render_permit(permit, cosigners=[("architect", "L'architecte", "المهندس المعماري")])
    Path("permit.pdf").write_bytes(layout.pdf)
    president = Pkcs12Signer.from_file("president.p12", SecretStr(PASSPHRASE))
    architect = Pkcs12Signer.from_file("architect.p12", SecretStr(PASSPHRASE))
    signed = sign_pdf(
        layout.pdf, president, certify=True, field_name="president", trust_roots=pki.trust_roots
    )
    Path("signed.pdf").write_bytes(signed)
    return {
        "permit": permit,
        "permit_pdf": layout.pdf,
        "permit_pdfs": [layout.pdf, layout.pdf],
        "pdf": layout.pdf,
        "president": president,
        "architect": architect,
        "signed": signed,
    }


def _sandbox() -> dict[str, Any]:
    """An in-process sandbox (the page's own ``rokhas sandbox serve`` takes the port)."""
    from rokhas_sdk.sandbox import Sandbox

    return {"sb": Sandbox()}


def _sandbox_server() -> dict[str, Any]:
    """The sandbox over HTTP on the page's port, its base URL and a token in the environment."""
    from rokhas_sdk.sandbox import Sandbox
    from rokhas_sdk.testing import SandboxServer

    sandbox = Sandbox()
    server = SandboxServer(sandbox, port=int(os.environ["DOCS_TEST_PORT"])).start()
    os.environ["ROKHAS_BASE_URL"] = server.url
    os.environ["ROKHAS_API_TOKEN"] = sandbox.token_for("PETITIONNAIRE")
    Path("plans.pdf").write_bytes(b"%PDF-1.7\n% plans\n%%EOF\n")
    return {"sb": sandbox, "server": server}


def readme() -> dict[str, Any]:
    names = {**_pki(service=True), **_dossier()}
    return {**names, **_permit(names["pki"])}


def analytics() -> dict[str, Any]:
    from rokhas_sdk.analytics import synthetic_events, write_events

    write_events(synthetic_events(communes=20, dossiers=800, seed=1), "export.parquet")
    return {}


def api() -> dict[str, Any]:
    Path("docs/api").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "api" / "openapi.json", "docs/api/openapi.json")
    return {}


def client() -> dict[str, Any]:
    return {**_dossier(), **_sandbox_server()}


def documents() -> dict[str, Any]:
    names = {**_pki(), **_dossier()}
    return {**names, **_permit(names["pki"])}


def signing() -> dict[str, Any]:
    names = _pki(service=True)
    names = {**names, **_permit(names["pki"]), **token(names["pki"])}
    os.environ["ROKHAS_TOKEN_PIN"] = OLD_PIN  # this page signs with the token's first PIN
    return {**names, "pin": OLD_PIN}


def verifying_many() -> dict[str, Any]:
    names = documents()
    shutil.copy("signed.pdf", "permit.pdf")  # these pages verify a permit you were given
    Path("archive/2026").mkdir(parents=True)
    for i in range(3):
        shutil.copy("signed.pdf", f"archive/2026/permit-{i}.pdf")
    return {**names, "paths": sorted(Path("archive").rglob("*.pdf"))}


def trust() -> dict[str, Any]:
    names = _pki()
    Path("roots").mkdir()
    shutil.copy("root.pem", "roots/barid-esign-root.pem")
    intermediate = names["pki"].intermediate.certificate_pem()
    for name in ("qualified-ca.pem", "barid-esign-qualified-ca.pem"):
        Path(name).write_bytes(intermediate)
    return names


def payments() -> dict[str, Any]:
    os.environ["CMI_STORE_KEY"] = "docs-store-key"
    return _dossier()


OLD_PIN, NEW_PIN = "1234-initial", "docs-new-pin-7"


def token(pki: Any = None) -> dict[str, Any]:
    """A SoftHSM2 token PRESIDENT with the president's RSA and ECDSA keys, as Barid ships one."""
    from rokhas_sdk.documents import render_permit
    from rokhas_sdk.models import Permit
    from rokhas_sdk.testing.pki import TestPKI
    from rokhas_sdk.testing.softhsm import SoftHSM

    hsm = SoftHSM(Path("softhsm").resolve())
    active = hsm.activate()  # SOFTHSM2_CONF for this process and the commands it runs
    active.__enter__()
    _RUNNING.append(active)
    hsm.init_token("PRESIDENT", so_pin="docs-so-pin-1", user_pin=OLD_PIN)
    pki = pki or TestPKI.create()
    hsm.import_identity("PRESIDENT", OLD_PIN, pki.identity("president"), label="sign")
    hsm.import_identity(
        "PRESIDENT", OLD_PIN, pki.identity("president", "ecdsa"), label="sign-ec", key_id=b"\x02"
    )
    return {
        "module": hsm.module,
        "old_pin": OLD_PIN,
        "new_pin": NEW_PIN,
        "pin": NEW_PIN,  # the pages sign after changing the initial PIN
        "permit_pdf": render_permit(Permit.model_validate(PERMIT)).pdf,
    }


def fee_schedule_tanger() -> dict[str, Any]:
    from rokhas_sdk.testing import make_dossier

    dossier = make_dossier(
        "URB_PERMIS_CONSTRUIRE_PETIT_PROJET", commune="01.511.01.0", covered_area="120"
    )
    return {"dossier": dossier}


SETUPS: dict[str, Callable[[], dict[str, Any]]] = {
    "README.md": readme,
    "docs/analytics.md": analytics,
    "docs/api.md": api,
    "docs/client.md": client,
    "docs/documents.md": documents,
    "docs/howto/commune-fee-schedule.md": fee_schedule_tanger,
    "docs/howto/dask-verification.md": verifying_many,
    "docs/howto/tokens.md": lambda: token(),
    "docs/howto/trust-stores.md": trust,
    "docs/models.md": _dossier,
    "docs/payments.md": payments,
    "docs/sandbox.md": _sandbox,
    "docs/signing.md": signing,
    "docs/tokens.md": lambda: token(),
    "docs/trust.md": trust,
    "docs/verify.md": verifying_many,
}
