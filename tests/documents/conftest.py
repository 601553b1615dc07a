"""Fixtures of the documents tests: a realistic permit and an offline signing PKI."""

from __future__ import annotations

from typing import Any

import pytest

from rokhas_sdk.models import Permit
from rokhas_sdk.testing.pki import TestPKI

PERMIT_DATA: dict[str, Any] = {
    "number": "PC-2026/0042",
    "dossier_reference": "D-2026-000123",
    "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
    "commune": "141.01.01",
    "commune_name_fr": "Casablanca",
    "commune_name_ar": "الدار البيضاء",
    "beneficiary_name": "Fatima Zahra ALAOUI",
    "beneficiary_id": "BE778899",
    "object_fr": "Construction d'une maison individuelle R+1 avec piscine",
    "object_ar": "بناء منزل فردي من طابقين مع مسبح",
    "address": "12 rue des Orangers, Anfa",
    "land_reference": "TF 12345/C",
    "architect_name": "Salma EL IDRISSI",
    "surfaces": {"land_area": "250.00", "covered_area": "140.50", "floor_area": "281", "levels": 2},
    "issued_on": "2026-11-28",
    "valid_until": "2027-11-28",
    "conditions_fr": [
        "Respecter l'alignement de la voie publique.",
        "Déposer la déclaration d'ouverture de chantier.",
    ],
    "conditions_ar": ["احترام تصفيف الطريق العمومية.", "إيداع التصريح بفتح الورش."],
    "signatory": {
        "name": "Karim BENNANI",
        "title_fr": "Président du conseil communal",
        "title_ar": "رئيس المجلس الجماعي",
    },
}


@pytest.fixture
def permit() -> Permit:
    """A small-project building permit from Casablanca."""
    return Permit.model_validate(PERMIT_DATA)


@pytest.fixture(scope="session")
def offline_pki() -> TestPKI:
    """A PKI without services (B-B signatures only)."""
    return TestPKI.create(key_type="ecdsa")
