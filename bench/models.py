"""Benchmarks of rokhas_sdk.models, each beside its baseline measured in the same run.

1. Import cost, in fresh processes (medians): ``import rokhas_sdk.models`` against
   ``import pydantic``; and, since the package is lazy, the full load
   (``from rokhas_sdk.models import Dossier`` plus building its validator) against
   ``from pydantic import BaseModel``.
2. ``Dossier.model_validate_json`` on a realistic 20-piece dossier against
   ``json.loads`` of the same bytes (medians of repeated timings).

Both import figures run with byte-code caching on (in a private cache directory), as
an installed package has it: otherwise every run would time the compiler.

Run: ``PYTHONPATH=src python bench/models.py [--quick]``; prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parents[1] / "src")

IMPORT_SNIPPET = """
import time
t0 = time.perf_counter()
{stmt}
print(time.perf_counter() - t0)
"""


def _fresh_import(stmt: str, runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SNIPPET.format(stmt=stmt)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def sample_dossier() -> dict[str, Any]:
    """A grand-projet building permit as a portal would send it: 20 signed pieces."""
    person = {
        "type": "natural",
        "first_name": "Salma",
        "last_name": "Bennani",
        "first_name_ar": "سلمى",
        "last_name_ar": "بناني",
        "cin": "BE123456",
        "address": {
            "line": "12 rue Ibn Battouta",
            "city": "Casablanca",
            "postal_code": "20250",
            "commune": "06.141.01.0",
        },
        "contact": {"phone": "+212612345678", "email": "s.bennani@example.ma"},
    }
    company = {
        "type": "legal",
        "name": "Atlas Immobilier SARL",
        "name_ar": "أطلس العقارية",
        "legal_form": "SARL",
        "ice": "001561191000066",
        "rc": "123456/CASABLANCA",
        "identifiant_fiscal": "40123456",
        "taxe_professionnelle": "35712345",
        "representative": person,
        "contact": {"phone": "0522123456", "email": "contact@atlas.example.ma"},
    }
    pro = {
        "person": {**person, "cin": "BK654321", "first_name": "Youssef"},
        "order_number": "CA-1234",
    }
    signature = {
        "signer_name": "Youssef Bennani",
        "role": "ARCHITECTE",
        "certificate_sha256": "ab" * 32,
    }
    kinds = [
        "DEMANDE", "CERTIFICAT_PROPRIETE", "PLAN_CADASTRAL", "PLAN_SITUATION", "PLAN_MASSE",
        "PLANS_ARCHITECTURAUX", "CONTRAT_ARCHITECTE", "FICHE_STATISTIQUE", "NOTE_RENSEIGNEMENTS",
        "ETUDE_BETON",
    ]  # fmt: skip
    pieces = []
    for i in range(20):
        kind = kinds[i % len(kinds)]
        pieces.append(
            {
                "type": kind,
                "file_name": f"{kind.lower()}-{i:02d}.pdf",
                "media_type": "application/pdf",
                "size": 150_000 + i * 7919,
                "sha256": hashlib.sha256(f"piece {i}".encode()).hexdigest(),
                "signed_by": [signature] if kind.startswith("PLAN") else [],
            }
        )
    return {
        "reference": "CASA-2026-000123",
        "kind": "URB_PERMIS_CONSTRUIRE_GRAND_PROJET",
        "commune": "06.141.01.0",
        "applicant": company,
        "owner": person,
        "architect": {**pro, "kind": "architect"},
        "surveyor": {**pro, "kind": "surveyor", "order_number": "IGT-778"},
        "engineer": {
            **pro,
            "kind": "engineer",
            "order_number": "BET-12",
            "bet_name": "BET Structures",
        },
        "parcel": {
            "commune": "06.141.01.0",
            "address": "Lot 45, quartier Californie",
            "titre_foncier": "TF 12345/63",
            "land_area": "850.00",
            "zoning": "R+4",
        },
        "project": {
            "use": "COLLECTIVE_HOUSING",
            "description": "Immeuble R+4 de 16 logements avec sous-sol de stationnement",
            "covered_area": "520.50",
            "levels": [
                {"name": n, "floor_area": "520.50"}
                for n in ("Sous-sol", "RDC", "1er", "2e", "3e", "4e")
            ],
            "saillies_private_area": "12.00",
            "saillies_public_domain_area": "6.40",
            "works_cost_ht": "8450000.00",
            "housing_units": 16,
            "public_or_corporate_owner": True,
        },
        "pieces": pieces,
        "platform_number": "R-2026-06141-000123",
        "created_at": "2026-11-28T10:15:00+01:00",
    }


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 5 if quick else 11
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
        full = (
            "from rokhas_sdk.models import Dossier, Permit\nDossier.model_rebuild(); "
            "Permit.model_rebuild()"
        )
        for stmt in ("import pydantic", "import rokhas_sdk.models", full):
            _fresh_import(stmt, 1, env)  # fill the byte-code cache
        t_pydantic = _fresh_import("import pydantic", runs, env)
        t_models = _fresh_import("import rokhas_sdk.models", runs, env)
        t_basemodel = _fresh_import("from pydantic import BaseModel", runs, env)
        t_full = _fresh_import(full, runs, env)

    sys.path.insert(0, SRC)
    from rokhas_sdk.models import Dossier

    data = json.dumps(sample_dossier(), ensure_ascii=False).encode()
    dossier = Dossier.model_validate_json(data)  # warm: schema built, registry loaded
    assert len(dossier.pieces) == 20
    # Paired rounds: each round times json.loads then model_validate_json on the same
    # bytes, back to back, so that load from other processes hits both alike; the
    # figures are medians over the rounds.
    number = 100 if quick else 300
    rounds = 9 if quick else 31
    loads, validates, ratios = [], [], []
    for _ in range(rounds):
        a = timeit.timeit(lambda: json.loads(data), number=number) / number
        b = timeit.timeit(lambda: Dossier.model_validate_json(data), number=number) / number
        loads.append(a)
        validates.append(b)
        ratios.append(b / a)
    t_json, t_validate = statistics.median(loads), statistics.median(validates)
    dumps = timeit.repeat(dossier.model_dump_json, number=number, repeat=5)
    t_dump = statistics.median(dumps) / number
    figures = {
        "import_pydantic_ms": round(t_pydantic * 1e3, 1),
        "import_rokhas_models_ms": round(t_models * 1e3, 1),
        "import_ratio": round(t_models / t_pydantic, 2),
        "import_ratio_target": 1.5,
        "from_pydantic_import_basemodel_ms": round(t_basemodel * 1e3, 1),
        "full_load_dossier_permit_ms": round(t_full * 1e3, 1),
        "full_load_ratio_vs_basemodel": round(t_full / t_basemodel, 2),
        "dossier_json_bytes": len(data),
        "json_loads_us": round(t_json * 1e6, 1),
        "dossier_validate_json_us": round(t_validate * 1e6, 1),
        "validate_ratio": round(statistics.median(ratios), 2),
        "validate_ratio_target": 4.0,
        "dossier_dump_json_us": round(t_dump * 1e6, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
