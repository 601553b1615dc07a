"""Dossier factories: valid dossiers of every procedure family, and their pieces.

Each factory returns data the law accepts (valid CIN, ICE, land references, a parcel in
the dossier's commune) so a downstream test starts from a dossier the sandbox will take
all the way to a permit. Override any field with keyword arguments.

>>> from rokhas_sdk.testing import dossier_data
>>> body = dossier_data("URB_PERMIS_CONSTRUIRE_PETIT_PROJET", commune="06.141.01.0")
>>> body["kind"]
'URB_PERMIS_CONSTRUIRE_PETIT_PROJET'
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from ..models import Dossier, PieceType, ProcedureFamily, ProcedureKind, procedure_kind_info

__all__ = ["FAMILY_KINDS", "dossier_data", "make_dossier", "piece_bytes", "piece_files"]

#: One representative procedure kind per family (the end-to-end scenarios walk these).
FAMILY_KINDS: dict[ProcedureFamily, ProcedureKind] = {
    ProcedureFamily.BUILDING: ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
    ProcedureFamily.SUBDIVISION: ProcedureKind.URB_AUTORISATION_LOTIR,
    ProcedureFamily.REFECTION: ProcedureKind.URB_PERMIS_REFECTION,
    ProcedureFamily.DEMOLITION: ProcedureKind.URB_PERMIS_DEMOLITION,
    ProcedureFamily.REGULARISATION: ProcedureKind.URB_PERMIS_REGULARISATION,
    ProcedureFamily.OCCUPANCY: ProcedureKind.URB_PERMIS_HABITER,
    ProcedureFamily.ECONOMIC: ProcedureKind.ECO_ACTIVITE_COURANTE,
}

_counter = itertools.count(1)


def _ice(first13: str) -> str:
    from ..models import ice_check_key

    return first13 + ice_check_key(first13)


def _person(cin: str, first: str = "Salma", last: str = "Bennani") -> dict[str, Any]:
    return {"type": "natural", "first_name": first, "last_name": last, "cin": cin}


def _professional(order_number: str, cin: str, first: str, last: str) -> dict[str, Any]:
    return {"person": _person(cin, first, last), "order_number": order_number}


def dossier_data(
    kind: ProcedureKind | str,
    *,
    commune: str = "06.141.01.0",
    architect_order: str | None = None,
    surveyor_order: str | None = None,
    reference: str | None = None,
    covered_area: str = "180",
    **overrides: Any,
) -> dict[str, Any]:
    """The JSON body of ``createDossier`` for a valid dossier of ``kind``.

    ``architect_order`` / ``surveyor_order`` name the professionals by their order
    number (the sandbox's seeded architects are ``ARC-<commune digits>-1``...): that is
    how a seeded architect gets to see and sign the dossier. Defaults follow the
    sandbox's seed for ``commune``.
    """
    kind = ProcedureKind(kind)
    info = procedure_kind_info(kind)
    from ..models import get_commune

    # The sandbox's seeded professionals carry the registry's current code in their number.
    digits = get_commune(commune).code.replace(".", "")
    n = next(_counter)
    ref = reference or f"TEST-{kind.value[:12].replace('_', '')}-{n:06d}"
    data: dict[str, Any] = {"reference": ref, "kind": kind.value, "commune": commune}
    if info.family is ProcedureFamily.SUBDIVISION:
        data["applicant"] = {
            "type": "legal",
            "name": "Al Omrane Test SA",
            "legal_form": "SA",
            "ice": _ice(f"{1525489000 + n % 1000:013d}"),
        }
    else:
        data["applicant"] = _person(f"BE{100000 + n % 800000}")
    if kind.is_urban:
        data["parcel"] = {
            "commune": commune,
            "address": f"{n} rue des Orangers",
            "titre_foncier": f"TF {10000 + n % 80000}/63",
            "land_area": "240",
        }
        roles = {r.value for r in info.plans_signed_by}
        if "ARCHITECTE" in roles:
            data["architect"] = _professional(
                architect_order or f"ARC-{digits}-1", "BK200001", "Omar", "Alaoui"
            )
        if "IGT" in roles:
            data["surveyor"] = _professional(
                surveyor_order or f"IGT-{digits}-1", "BK200002", "Nadia", "Tazi"
            )
        if info.family is ProcedureFamily.SUBDIVISION:
            data["project"] = {
                "use": "INDIVIDUAL_HOUSING",
                "description": "Lotissement de 24 lots",
                "lots_count": 24,
                "subdivided_area": "12000",
                "works_cost_ht": "2400000.00",
            }
        elif info.family is ProcedureFamily.OCCUPANCY:
            pass
        elif info.family is ProcedureFamily.REFECTION:
            data["project"] = {
                "use": "INDIVIDUAL_HOUSING",
                "description": "Réfection de la façade",
                "restoration": True,
            }
        elif info.family is ProcedureFamily.DEMOLITION:
            data["project"] = {
                "use": "INDIVIDUAL_HOUSING",
                "description": "Démolition d'une construction vétuste",
            }
        else:
            data["project"] = {
                "use": "INDIVIDUAL_HOUSING",
                "description": "Maison individuelle R+1",
                "covered_area": covered_area,
                "levels": [
                    {"name": "RDC", "floor_area": "120"},
                    {"name": "1er étage", "floor_area": "110"},
                ],
                "housing_units": 1,
            }
    else:
        data["activity"] = {
            "label": "Épicerie",
            "premises_address": f"{n} avenue Hassan II",
            "premises_area": "40",
        }
    data.update(overrides)
    return data


def make_dossier(kind: ProcedureKind | str, **kwargs: Any) -> Dossier:
    """A validated :class:`~rokhas_sdk.models.Dossier` (without pieces)."""
    return Dossier.model_validate(dossier_data(kind, **kwargs))


def piece_bytes(piece: PieceType | str, salt: str = "") -> bytes:
    """A small, valid one-page PDF standing for a piece (distinct per type and salt)."""
    label = f"{PieceType(piece).value} {salt}".strip().encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + label + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def piece_files(kind: ProcedureKind | str, salt: str = "") -> list[tuple[PieceType, str, bytes]]:
    """Every piece ``kind`` requires: ``(type, file name, PDF bytes)``."""
    info = procedure_kind_info(kind)
    out = []
    for piece in info.required_pieces:
        data = piece_bytes(piece, salt)
        out.append(
            (piece, f"{piece.value.lower()}-{hashlib.sha256(data).hexdigest()[:6]}.pdf", data)
        )
    return out
