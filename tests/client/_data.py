"""Valid domain objects for the client tests."""

from __future__ import annotations

from typing import Any

from rokhas_sdk.models import Dossier, get_commune

CASABLANCA = get_commune("141.01.01").code
"""Casablanca's code in the territory registry (the short form is an alias)."""


def dossier(reference: str = "REF-1", **changes: Any) -> Dossier:
    """A petit projet draft in Casablanca."""
    data: dict[str, Any] = {
        "reference": reference,
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "141.01.01",
        "applicant": {
            "type": "natural",
            "first_name": "Amina",
            "last_name": "Alaoui",
            "cin": "BE123456",
        },
        "parcel": {"commune": "141.01.01", "address": "12 rue des Orangers", "land_area": "250"},
        "project": {"use": "INDIVIDUAL_HOUSING", "description": "Villa R+1", "covered_area": "120"},
    }
    data.update(changes)
    return Dossier.model_validate(data)
