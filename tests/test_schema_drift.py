"""The committed JSON Schemas (docs/schema/) match what the models generate.

When a model changes on purpose, regenerate with ``rokhas schema`` and commit the files:
a client that validates against the committed schema must see the change.
"""

from __future__ import annotations

from pathlib import Path

from rokhas_sdk.models._schema import PUBLIC_MODELS, json_schemas, render_schema

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"


def test_committed_schemas_match_the_models() -> None:
    generated = {f"{name}.json": render_schema(schema) for name, schema in json_schemas().items()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.json")}
    stale = sorted(n for n in generated if committed.get(n) != generated[n])
    extra = sorted(set(committed) - set(generated))
    fix = "run `rokhas schema --out docs/schema` and commit"
    assert not stale, f"docs/schema drifted from the models: stale or missing {stale}; {fix}"
    assert not extra, f"docs/schema has files no model generates: {extra}; {fix}"


def test_every_public_model_is_exported() -> None:
    from rokhas_sdk import models
    from rokhas_sdk.models import RokhasModel

    public_models = {
        name
        for name in models.__all__
        if isinstance(getattr(models, name), type)
        and issubclass(getattr(models, name), RokhasModel)
        and name not in {"RokhasModel", "ValueObject"}
    }
    assert public_models == set(PUBLIC_MODELS)
