"""The OpenAPI document: committed copy in step with the code, and well formed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rokhas_sdk.api import OPERATIONS, ErrorCode, openapi_document, openapi_json
from rokhas_sdk.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "api" / "openapi.json"


def test_committed_document_matches_the_code() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(), (
        "docs/api/openapi.json drifted: run `rokhas api openapi -o docs/api/openapi.json`"
    )


def test_generation_is_deterministic() -> None:
    assert openapi_json() == openapi_json()


def test_cli_check_detects_drift(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    assert main(["api", "openapi", "-o", str(out)]) == 0
    assert main(["api", "openapi", "-o", str(out), "--check"]) == 0
    out.write_text(
        out.read_text(encoding="utf-8").replace("createDossier", "makeDossier"), encoding="utf-8"
    )
    assert main(["api", "openapi", "-o", str(out), "--check"]) == 1


def test_every_operation_is_in_the_document_once() -> None:
    doc = openapi_document()
    seen = [
        (method.upper(), path, op["operationId"])
        for path, item in doc["paths"].items()
        for method, op in item.items()
    ]
    assert sorted(seen) == sorted((op.method, op.path, op.id) for op in OPERATIONS)
    assert len({s[2] for s in seen}) == len(OPERATIONS)


def test_every_ref_resolves() -> None:
    doc = openapi_document()
    text = json.dumps(doc)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node = doc
        for part in ref.split("/"):
            assert part in node, f"dangling $ref #/{ref}"
            node = node[part]


def test_writes_declare_the_idempotency_key_and_reads_do_not() -> None:
    doc = openapi_document()
    for op in OPERATIONS:
        params = doc["paths"][op.path][op.method.lower()]["parameters"]
        has_key = {"$ref": "#/components/parameters/IdempotencyKey"} in params
        assert has_key == (op.method != "GET"), op.id


def test_error_responses_use_the_envelope_and_right_statuses() -> None:
    doc = openapi_document()
    for op in OPERATIONS:
        responses = doc["paths"][op.path][op.method.lower()]["responses"]
        for code in op.all_errors:
            entry = responses[str(code.status)]
            assert entry["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"
            }
            assert code.value in entry["description"]
    assert set(doc["components"]["schemas"]["ErrorEnvelope"]["properties"]) == {
        "code",
        "message_fr",
        "message_ar",
        "request_id",
        "details",
        "hint",
    }
    assert {c.value for c in ErrorCode} == set(
        doc["components"]["schemas"]["ErrorEnvelope"]["properties"]["code"]["examples"]
    )


def test_document_declares_openapi_31_and_webhooks() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    hook = doc["webhooks"]["rokhasEvent"]["post"]
    assert any(p["name"] == "Rokhas-Signature" for p in hook["parameters"])
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
