"""Signed webhook deliveries: the signature scheme, a verifier and a signer for tests.

A delivery is ``POST``-ed with the raw JSON of a :class:`WebhookEvent` as body and the
header ``Rokhas-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]``. Each ``v1`` is
``HMAC-SHA256(secret, f"{t}." + body)`` in lower-case hex; the platform adds one ``v1``
per active secret, so during a rotation the old and the new secret both verify. The
timestamp is signed too, so an old delivery cannot be replayed outside the tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Iterable, Mapping, Sequence

from pydantic import SecretStr

from .._errors import InvalidInputError
from ._errors import WebhookSignatureError
from ._payloads import WebhookEvent

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SIGNATURE_SCHEME",
    "WEBHOOK_EVENT_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "compute_webhook_signature",
    "sign_webhook",
    "verify_webhook",
    "webhook_signature_header",
]

WEBHOOK_SIGNATURE_HEADER = "Rokhas-Signature"
WEBHOOK_EVENT_ID_HEADER = "Rokhas-Event-Id"
SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

Secret = str | bytes | SecretStr
Secrets = Secret | Sequence[Secret]


def _secret_bytes(secret: Secret) -> bytes:
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not isinstance(secret, bytes) or not secret:
        raise InvalidInputError("a webhook secret must be a non-empty str, bytes or SecretStr")
    return secret


def _secret_list(secrets: Secrets) -> list[bytes]:
    if isinstance(secrets, str | bytes | SecretStr):
        return [_secret_bytes(secrets)]
    if not isinstance(secrets, Iterable):
        raise InvalidInputError(
            "a webhook secret must be a non-empty str, bytes or SecretStr, or a list of them"
        )
    out = [_secret_bytes(s) for s in secrets]
    if not out:
        raise InvalidInputError("give at least one webhook secret")
    return out


def _payload_bytes(payload: bytes | bytearray | str) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    raise InvalidInputError(
        f"the webhook payload must be the raw request body (bytes or str), "
        f"got {type(payload).__name__}; "
        "do not parse the JSON before verifying: re-serialising changes the bytes that were signed"
    )


def compute_webhook_signature(payload: bytes | str, secret: Secret, timestamp: int) -> str:
    """The ``v1`` signature (hex) of ``payload`` at ``timestamp`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + _payload_bytes(payload)
    return hmac.new(_secret_bytes(secret), message, hashlib.sha256).hexdigest()


def webhook_signature_header(
    payload: bytes | str, secrets: Secrets, timestamp: int | None = None
) -> str:
    """The value of ``Rokhas-Signature`` for ``payload``: one ``v1`` per secret."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    sigs = ",".join(
        f"{SIGNATURE_SCHEME}={compute_webhook_signature(payload, s, t)}"
        for s in _secret_list(secrets)
    )
    return f"t={t},{sigs}"


def sign_webhook(
    payload: bytes | str | WebhookEvent,
    secrets: Secrets,
    *,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """Sign a test delivery: returns the body and the headers to POST it with.

    >>> body, headers = sign_webhook(b'{"id": "evt_1"}', "whsec_test", timestamp=1700000000)
    >>> headers["Rokhas-Signature"].startswith("t=1700000000,v1=")
    True
    """
    if isinstance(payload, WebhookEvent):
        event_id: str | None = payload.id
        body = payload.model_dump_json().encode("utf-8")
    else:
        event_id = None
        body = _payload_bytes(payload)
    headers = {
        "Content-Type": "application/json",
        WEBHOOK_SIGNATURE_HEADER: webhook_signature_header(body, secrets, timestamp),
    }
    if event_id is not None:
        headers[WEBHOOK_EVENT_ID_HEADER] = event_id
    return body, headers


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    bad = InvalidInputError(
        "headers must be the request's headers: a mapping of names to values, or (name, value) "
        f"pairs, got {type(headers).__name__}"
    )
    if isinstance(headers, str | bytes) or not isinstance(headers, Mapping | Iterable):
        raise bad
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    for item in items:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise bad
        key, value = item
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if isinstance(key, str) and key.lower() == wanted:
            # HTTP header values are bytes on the wire; servers give str or latin-1 bytes
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def _parse(header: object) -> tuple[int, list[str]]:
    if not isinstance(header, str):
        raise WebhookSignatureError(
            f"the {WEBHOOK_SIGNATURE_HEADER} header is not text; "
            "expected t=<unix seconds>,v1=<hex>",
            reason="malformed_header",
        )
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            # ASCII digits only: str.isdigit() also accepts '²' and other digits int() refuses
            if not (value.isascii() and value.isdigit()) or len(value) > 12:
                raise WebhookSignatureError(
                    f"the {WEBHOOK_SIGNATURE_HEADER} header has a malformed timestamp; "
                    "expected t=<unix seconds>",
                    reason="malformed_header",
                )
            timestamp = int(value)
        elif key == SIGNATURE_SCHEME:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise WebhookSignatureError(
            f"the {WEBHOOK_SIGNATURE_HEADER} header must look like t=<unix seconds>,v1=<hex>; "
            "check that the request really comes from the platform",
            reason="malformed_header",
        )
    return timestamp, signatures


def verify_webhook(
    payload: bytes | bytearray | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    secret: Secrets,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> WebhookEvent:
    """Check a delivery's signature and return the event it carries.

    ``payload`` is the raw body exactly as received; ``headers`` the request headers (any
    mapping, looked up case-insensitively); ``secret`` one secret or several (during a
    rotation on your side). The delivery passes when its timestamp is within
    ``tolerance`` seconds of now (either side, for clock skew) and any ``v1`` signature
    matches any secret; comparisons are constant-time. Raises
    :class:`WebhookSignatureError` otherwise, whatever the header holds. Bad arguments
    (no secret, headers that are not headers, a tolerance or ``now`` that is not a finite
    number of seconds >= 0) raise :class:`rokhas_sdk.InvalidInputError`.

    >>> raw = (b'{"id":"evt_1","type":"webhook.test","created_at":"2026-01-01T00:00:00Z",'
    ...        b'"object_type":"webhook_endpoint","object_id":"we_1"}')
    >>> body, headers = sign_webhook(raw, "s3cret")
    >>> verify_webhook(body, headers, "s3cret").type.value
    'webhook.test'
    """
    body = _payload_bytes(payload)
    keys = _secret_list(secret)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or (isinstance(tolerance, float) and not math.isfinite(tolerance))
        or tolerance < 0
    ):
        # NaN compares false with everything: it would accept any timestamp
        raise InvalidInputError(
            f"tolerance must be a finite number of seconds >= 0, got {tolerance!r}"
        )
    if now is not None and (
        isinstance(now, bool)
        or not isinstance(now, int | float)
        or (isinstance(now, float) and not math.isfinite(now))
    ):
        raise InvalidInputError(f"now must be a finite Unix time in seconds, got {now!r}")
    header = _header(headers, WEBHOOK_SIGNATURE_HEADER)
    if header is None:
        raise WebhookSignatureError(
            f"no {WEBHOOK_SIGNATURE_HEADER} header: the request is not a signed delivery",
            reason="missing_header",
        )
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError(
            f"the delivery's timestamp is {int(current - timestamp)} s away from now, "
            "beyond the tolerance of "
            f"{tolerance} s: a replay, or a clock out of sync (check NTP on the receiver)",
            reason="timestamp_outside_tolerance",
        )
    message = str(timestamp).encode("ascii") + b"." + body
    matched = False
    for key in keys:
        expected = hmac.new(key, message, hashlib.sha256).hexdigest().encode("ascii")
        for candidate in signatures:
            # Evaluate every pair: the time taken does not tell which secret matched.
            if hmac.compare_digest(expected, candidate.encode("ascii", "replace")):
                matched = True
    if not matched:
        raise WebhookSignatureError(
            "no signature matches the secret(s) given: check the endpoint's current secret "
            "(after a rotation, pass both the old and the new one)",
            reason="no_matching_signature",
        )
    try:
        return WebhookEvent.model_validate_json(body)
    except InvalidInputError as exc:
        raise WebhookSignatureError(
            f"the signature is valid but the body is not a webhook event: {exc}",
            reason="invalid_payload",
        ) from exc
