"""``rokhas demo``: the SDK end to end on embedded defaults, with no network."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("demo", help="walk a sample building-permit dossier through the SDK")
    p.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    p.set_defaults(handler=_run)


def sample_dossier_data() -> dict[str, Any]:
    """An individual-housing building permit in Casablanca, as a portal would send it."""
    sha = "5f2b7c0e9d4a1b3c6e8f0a2d4c6b8e0f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d"
    return {
        "reference": "DEMO-2026-0001",
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "141.01.01",
        "applicant": {
            "type": "natural",
            "first_name": "Amina",
            "last_name": "El Idrissi",
            "first_name_ar": "أمينة",
            "last_name_ar": "الإدريسي",
            "cin": "BE 123456",
            "contact": {"phone": "0612345678", "email": "amina.elidrissi@example.ma"},
        },
        "architect": {
            "person": {"first_name": "Youssef", "last_name": "Benjelloun", "cin": "A654321"},
            "order_number": "CNOA-4821",
        },
        "parcel": {
            "commune": "141.01.01",
            "address": "Lot 12, lotissement Al Amal, Hay Hassani",
            "titre_foncier": "TF 48213/63",
            "land_area": "160",
        },
        "project": {
            "use": "INDIVIDUAL_HOUSING",
            "description": "Maison individuelle R+2",
            "covered_area": "312.40",
            "levels": [
                {"name": "RDC", "floor_area": "104.20"},
                {"name": "R+1", "floor_area": "104.10"},
                {"name": "R+2", "floor_area": "104.10"},
            ],
            "saillies_public_domain_area": "6.5",
            "works_cost_ht": "950000.00",
        },
        "pieces": [
            {"type": "DEMANDE", "file_name": "demande.pdf", "size": 48213, "sha256": sha},
            {"type": "CERTIFICAT_PROPRIETE", "file_name": "certificat-propriete.pdf", "size": 120443, "sha256": sha},
            {
                "type": "PLANS_ARCHITECTURAUX",
                "file_name": "plans.pdf",
                "size": 2400113,
                "sha256": sha,
                "signed_by": [{"signer_name": "Youssef Benjelloun", "role": "ARCHITECTE"}],
            },
        ],
    }


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ..models import Dossier

    dossier = Dossier.model_validate(sample_dossier_data())
    missing = dossier.missing_for_submission()
    if args.json:
        print(
            json.dumps(
                {
                    "dossier": json.loads(dossier.model_dump_json()),
                    "scale": dossier.scale.value,
                    "missing_for_submission": [m.model_dump(mode="json") for m in missing],
                },
                ensure_ascii=False,
            )
        )
        return 0
    console = Console()
    console.rule("[bold]rokhas demo")
    console.print(f"Dossier [bold]{dossier.reference}[/]: {dossier.kind.label_fr} / {dossier.kind.label_ar}")
    console.print(f"Classé : {dossier.scale.label_fr} ({dossier.scale.label_ar})")
    table = Table(title="À compléter avant dépôt / ما يجب إكماله قبل الإيداع")
    table.add_column("code")
    table.add_column("français")
    table.add_column("العربية")
    for m in missing:
        table.add_row(m.code, m.label_fr, m.label_ar)
    console.print(table)
    return 0
