"""The permit renderers, signed and verified."""

from __future__ import annotations

from typing import Any

import pytest

from rokhas_sdk.models import Permit
from rokhas_sdk.sandbox._render import render_permit_pdf
from rokhas_sdk.signing import verify_pdf

from .conftest import trust_store

PERMIT = Permit.model_validate(
    {
        "number": "PC-2026-000042",
        "dossier_reference": "TEST-PC-000042",
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "141.01.01",
        "commune_name_fr": "Casablanca",
        "commune_name_ar": "الدار البيضاء",
        "beneficiary_name": "Salma Bennani",
        "beneficiary_id": "BE123456",
        "object_fr": "Maison individuelle R+1",
        "object_ar": "منزل فردي",
        "address": "12 rue des Orangers",
        "issued_on": "2026-03-02",
        "signatory": {"name": "Karim Bennani", "title_fr": "Président", "title_ar": "الرئيس"},
    }
)


def test_stand_in_permit_signed_verifies_and_carries_the_permit(signing: tuple[Any, bytes]) -> None:
    signer, root = signing
    report = verify_pdf(signer(render_permit_pdf(PERMIT, "stand-in")), trust=trust_store(root))
    assert report.document.indication.value == "TOTAL_PASSED"
    assert report.permit is not None
    assert report.permit.permit == PERMIT
    assert report.permit.covered


def test_documents_permit_signed_verifies(signing: tuple[Any, bytes]) -> None:
    signer, root = signing
    report = verify_pdf(signer(render_permit_pdf(PERMIT, "documents")), trust=trust_store(root))
    assert report.document.indication.value == "TOTAL_PASSED", report.permit
    assert report.permit is not None
    assert report.permit.permit == PERMIT
    assert report.permit.reference_matches


def test_unknown_renderer_is_refused() -> None:
    with pytest.raises(ValueError, match="renderer"):
        render_permit_pdf(PERMIT, "word")
