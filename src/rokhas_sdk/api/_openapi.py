"""The OpenAPI 3.1 document of the v1 contract, generated from the operation table.

Nothing here is written by hand twice: paths come from :data:`OPERATIONS`, schemas from
the pydantic models (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). The committed
copy lives in ``docs/api/openapi.json`` (``rokhas api openapi``); a test fails when the
two drift.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ._common import (
    API_PREFIX,
    CONTENT_SHA256_HEADER,
    CONTRACT_VERSION,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_PATTERN,
    IDEMPOTENCY_REPLAYED_HEADER,
    REQUEST_ID_HEADER,
    RETRY_COUNT_HEADER,
    ErrorCode,
    ErrorEnvelope,
)
from ._operations import OPERATIONS, PATH_PARAMETERS, Operation
from ._payloads import WebhookEvent
from ._webhooks import WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER

__all__ = ["openapi_document", "openapi_json"]

_REF = "#/components/schemas/{model}"

_DESCRIPTION = """\
The HTTP contract of rokhas-sdk for permit platforms.

Rokhas.ma publishes no developer API: this document is rokhas-sdk's own contract,
implemented by `rokhas_sdk.sandbox` and offered to portals and platforms that adopt it.
It carries the legal vocabulary of Moroccan permit procedures (procedure kinds, pieces,
states, events) as typed payloads.

Conventions:
- Versioning: the major version is in the path (`/v1`); additions bump the minor version.
- Auth: `Authorization: Bearer <token>`; the token's role decides what passes.
- Idempotency: every write (non-GET) accepts `Idempotency-Key`. The same key with the
  same method, path and body within 24 h returns the stored response (header
  `Idempotent-Replayed: true`) without acting twice; the same key with a different
  request is refused with `idempotency_key_reused` (422); a key whose first request is
  still running answers `idempotency_in_progress` (409, retry later).
- Errors: every non-2xx response is an `ErrorEnvelope` with a stable `code`, French and
  Arabic messages and the `request_id` (also in the `X-Request-Id` header).
- Retries: clients may retry connection errors, 408, 409, 429 and 5xx, honouring
  `Retry-After` (seconds), always with the same `Idempotency-Key`.
- Pagination: list operations take `cursor` and `limit` and answer `{items, next_cursor}`;
  `next_cursor` is null on the last page.
- Binary content: uploads and downloads carry `X-Content-Sha256` (hex).
- Money: MAD amounts are decimal strings with two decimals, never floats.
- Webhooks: signed with `Rokhas-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256 of
  `"<t>." + body`); see the `webhooks` section.
"""


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, tolerant of plain validators that declare their input only.

    A custom type such as ``Money`` declares the JSON it accepts but not the JSON it
    emits; in serialization mode we describe it by what it accepts (the emitted form is
    a subset: a decimal string).
    """

    def function_plain_schema(
        self, schema: core_schema.PlainValidatorFunctionSchema
    ) -> JsonSchemaValue:
        input_schema = schema.get("json_schema_input_schema")
        if self.mode == "serialization" and input_schema:
            return self.generate_inner(input_schema)
        return super().function_plain_schema(schema)


def _schemas(
    ops: tuple[Operation, ...],
) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, Any]]:
    inputs: list[tuple[tuple[str, str], Any, TypeAdapter[Any]]] = []
    for op in ops:
        if op.request is not None:
            inputs.append(((op.id, "request"), "validation", TypeAdapter(op.request)))
        if op.response is not None:
            inputs.append(((op.id, "response"), "serialization", TypeAdapter(op.response)))
        if op.query is not None:
            inputs.append(((op.id, "query"), "validation", TypeAdapter(op.query)))
    inputs.append((("_", "error"), "serialization", TypeAdapter(ErrorEnvelope)))
    inputs.append((("_", "webhook"), "serialization", TypeAdapter(WebhookEvent)))
    keyed, defs = TypeAdapter.json_schemas(inputs, ref_template=_REF, schema_generator=_Generator)
    return {key: schema for (key, _mode), schema in keyed.items()}, defs.get("$defs", {})


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return dict(defs[ref.rsplit("/", 1)[1]])
    return schema


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    # An absent query parameter is the null; "anyOf [X, null]" would only confuse tools.
    branches = prop.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            out = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
            return {**kept[0], **out}
    return prop


def _error_responses(op: Operation) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in op.all_errors:
        by_status.setdefault(code.status, []).append(code.value)
    out: dict[str, Any] = {}
    for status in sorted(by_status):
        codes = ", ".join(f"`{c}`" for c in by_status[status])
        entry: dict[str, Any] = {
            "description": f"Error envelope; code: {codes}",
            "headers": {REQUEST_ID_HEADER: {"$ref": "#/components/headers/RequestId"}},
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}
            },
        }
        if status in (429, 503):
            entry["headers"]["Retry-After"] = {"$ref": "#/components/headers/RetryAfter"}
        out[str(status)] = entry
    return out


def _operation_object(
    op: Operation, keyed: dict[tuple[str, str], dict[str, Any]], defs: dict[str, Any]
) -> dict[str, Any]:
    obj: dict[str, Any] = {"operationId": op.id, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        obj["description"] = op.description
    params: list[dict[str, Any]] = []
    for name in op.path_params:
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": PATH_PARAMETERS[name]},
            }
        )
    if op.query is not None:
        qs = _resolve(keyed[(op.id, "query")], defs)
        required = set(qs.get("required", []))
        for name, prop in qs.get("properties", {}).items():
            prop = _without_null(prop)
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if op.is_write:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    params.append({"$ref": "#/components/parameters/RetryCount"})
    obj["parameters"] = params
    if op.request is not None:
        obj["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": keyed[(op.id, "request")]}},
        }
    elif op.request_media_types:
        obj["requestBody"] = {
            "required": True,
            "content": {
                mt: {"schema": {"type": "string", "contentMediaType": mt}}
                for mt in op.request_media_types
            },
        }
        params.append({"$ref": "#/components/parameters/ContentSha256"})
    ok: dict[str, Any] = {
        "description": "Success",
        "headers": {REQUEST_ID_HEADER: {"$ref": "#/components/headers/RequestId"}},
    }
    if op.is_write:
        ok["headers"][IDEMPOTENCY_REPLAYED_HEADER] = {
            "$ref": "#/components/headers/IdempotentReplayed"
        }
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": keyed[(op.id, "response")]}}
    elif op.response_media_types:
        ok["content"] = {
            mt: {"schema": {"type": "string", "contentMediaType": mt}}
            for mt in op.response_media_types
        }
        ok["headers"][CONTENT_SHA256_HEADER] = {"$ref": "#/components/headers/ContentSha256"}
    obj["responses"] = {str(op.status): ok, **_error_responses(op)}
    obj["security"] = [{"bearerAuth": []}] if op.auth else []
    return obj


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document as a dict (deterministic: same code, same document)."""
    keyed, defs = _schemas(OPERATIONS)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation_object(op, keyed, defs)
    # Query models were only a vehicle for their properties; drop them unless referenced.
    text = json.dumps({"p": paths, "d": [v for k, v in defs.items()]})
    for op in OPERATIONS:
        if op.query is not None:
            name = op.query.__name__
            if f'"{_REF.format(model=name)}"' not in text and name in defs:
                defs.pop(name)
    codes = [c.value for c in ErrorCode]
    error_schema = dict(defs["ErrorEnvelope"])
    error_schema["properties"] = dict(error_schema["properties"])
    error_schema["properties"]["code"] = {**error_schema["properties"]["code"], "examples": codes}
    defs["ErrorEnvelope"] = error_schema
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Rokhas permit platform API (rokhas-sdk contract)",
            "version": CONTRACT_VERSION,
            "summary": "Dossiers, procedure events, fees, payments, permits, communes, "
            "indicators, webhooks.",
            "description": _DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [
            {"url": "http://127.0.0.1:8000", "description": "rokhas sandbox serve (local)"}
        ],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "webhooks": {
            "rokhasEvent": {
                "post": {
                    "operationId": "receiveWebhookEvent",
                    "summary": "A signed event delivered to a registered endpoint",
                    "parameters": [
                        {
                            "name": WEBHOOK_SIGNATURE_HEADER,
                            "in": "header",
                            "required": True,
                            "description": "t=<unix seconds>,"
                            "v1=<hex HMAC-SHA256 of '<t>.' + body>[,v1=...]",
                            "schema": {"type": "string", "pattern": r"^t=\d+(,v1=[0-9a-f]{64})+$"},
                        },
                        {
                            "name": WEBHOOK_EVENT_ID_HEADER,
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": keyed[("_", "webhook")]}},
                    },
                    "responses": {
                        "2XX": {"description": "Received; anything else is retried with backoff"}
                    },
                }
            }
        },
        "components": {
            "schemas": dict(sorted(defs.items())),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "IdempotencyKey": {
                    "name": IDEMPOTENCY_HEADER,
                    "in": "header",
                    "required": False,
                    "description": "Same key + same request = same response, "
                    "acted on once (kept 24 h).",
                    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                },
                "RetryCount": {
                    "name": RETRY_COUNT_HEADER,
                    "in": "header",
                    "required": False,
                    "description": "0 on the first attempt, n on the n-th retry (diagnostics).",
                    "schema": {"type": "integer", "minimum": 0},
                },
                "ContentSha256": {
                    "name": CONTENT_SHA256_HEADER,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
            },
            "headers": {
                "RequestId": {
                    "description": "Names the request for support",
                    "schema": {"type": "string"},
                },
                "RetryAfter": {
                    "description": "Seconds to wait before retrying",
                    "schema": {"type": "integer", "minimum": 0},
                },
                "IdempotentReplayed": {
                    "description": "true when the response is a stored replay",
                    "schema": {"type": "string", "enum": ["true"]},
                },
                "ContentSha256": {
                    "description": "SHA-256 of the body, hex",
                    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
            },
        },
    }


def openapi_json() -> str:
    """The document as the text committed to ``docs/api/openapi.json``."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


_ = API_PREFIX  # the prefix is part of every path above
