"""Webhook signatures: verification, tolerance, rotation, constant-time, test signer."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from rokhas_sdk import InvalidInputError
from rokhas_sdk.api import (
    WEBHOOK_SIGNATURE_HEADER,
    WebhookEvent,
    WebhookEventType,
    WebhookSignatureError,
    compute_webhook_signature,
    sign_webhook,
    verify_webhook,
    webhook_signature_header,
)

SECRET = "whsec_canary_SECRET_123"
EVENT = WebhookEvent(
    id="evt_1",
    type=WebhookEventType.PERMIT_ISSUED,
    created_at=datetime(2026, 11, 29, 10, tzinfo=UTC),
    object_type="permit",
    object_id="dos_1",
    dossier_id="dos_1",
    data={"number": "PC-1"},
)


def test_signed_event_round_trips() -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    assert headers["Rokhas-Event-Id"] == "evt_1"
    event = verify_webhook(body, headers, SECRET)
    assert event == EVENT


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"id":"evt_1"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert compute_webhook_signature(body, SECRET, 1700000000) == expected
    assert webhook_signature_header(body, SECRET, 1700000000) == f"t=1700000000,v1={expected}"


def test_headers_are_looked_up_case_insensitively_and_as_pairs() -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_webhook(body, lower, SECRET).id == "evt_1"
    assert verify_webhook(body.decode(), list(headers.items()), SecretStr(SECRET)).id == "evt_1"


def test_rotation_two_signatures_and_several_secrets() -> None:
    body, headers = sign_webhook(EVENT, ["new-secret", "old-secret"])
    assert headers[WEBHOOK_SIGNATURE_HEADER].count("v1=") == 2
    assert verify_webhook(body, headers, "old-secret").id == "evt_1"
    assert verify_webhook(body, headers, "new-secret").id == "evt_1"
    # The receiver may hold both too, while it switches.
    body2, headers2 = sign_webhook(EVENT, "old-secret")
    assert verify_webhook(body2, headers2, ["new-secret", "old-secret"]).id == "evt_1"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b, h: (b + b" ", h), "no_matching_signature"),
        (lambda b, h: (b, {}), "missing_header"),
        (lambda b, h: (b, {WEBHOOK_SIGNATURE_HEADER: "garbage"}), "malformed_header"),
        (lambda b, h: (b, {WEBHOOK_SIGNATURE_HEADER: "t=abc,v1=00"}), "malformed_header"),
        (
            lambda b, h: (
                b,
                {WEBHOOK_SIGNATURE_HEADER: h[WEBHOOK_SIGNATURE_HEADER].replace("v1=", "v0=")},
            ),
            "malformed_header",
        ),
    ],
)
def test_tampering_is_refused(mutate: object, reason: str) -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    bad_body, bad_headers = mutate(body, headers)  # type: ignore[operator]
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(bad_body, bad_headers, SECRET)
    assert info.value.reason == reason
    assert SECRET not in str(info.value)


def test_wrong_secret_is_refused_without_leaking_it() -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(body, headers, "another")
    assert info.value.reason == "no_matching_signature"
    assert "another" not in str(info.value)
    assert SECRET not in str(info.value)


def test_tolerance_on_both_sides() -> None:
    now = time.time()
    old_body, old_headers = sign_webhook(EVENT, SECRET, timestamp=int(now) - 301)
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(old_body, old_headers, SECRET)
    assert info.value.reason == "timestamp_outside_tolerance"
    assert verify_webhook(old_body, old_headers, SECRET, tolerance=600).id == "evt_1"
    future_body, future_headers = sign_webhook(EVENT, SECRET, timestamp=int(now) + 400)
    with pytest.raises(WebhookSignatureError):
        verify_webhook(future_body, future_headers, SECRET)
    assert verify_webhook(old_body, old_headers, SECRET, now=now - 300).id == "evt_1"


def test_valid_signature_on_a_non_event_body() -> None:
    body, headers = sign_webhook(b'{"hello": "world"}', SECRET)
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(body, headers, SECRET)
    assert info.value.reason == "invalid_payload"


def test_bad_arguments_say_how_to_fix_them() -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    with pytest.raises(InvalidInputError, match="raw request body"):
        verify_webhook({"id": "evt_1"}, headers, SECRET)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        verify_webhook(body, headers, "")
    with pytest.raises(InvalidInputError):
        verify_webhook(body, headers, [])
    with pytest.raises(InvalidInputError):
        verify_webhook(body, headers, SECRET, tolerance=-1)


@given(
    body=st.binary(max_size=300),
    secret=st.text(min_size=1, max_size=40),
    ts=st.integers(min_value=0, max_value=10**11),
    flip=st.integers(min_value=0, max_value=299),
)
def test_any_change_to_body_or_time_breaks_the_signature(
    body: bytes, secret: str, ts: int, flip: int
) -> None:
    header = webhook_signature_header(body, secret, ts)
    _, _, sig = header.partition(",v1=")
    assert sig == compute_webhook_signature(body, secret, ts)
    assert compute_webhook_signature(body, secret, ts + 1) != sig
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
        assert compute_webhook_signature(changed, secret, ts) != sig


@given(st.text(max_size=200))
def test_header_parser_never_crashes(header: str) -> None:
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(b"{}", {WEBHOOK_SIGNATURE_HEADER: header}, SECRET, now=0)
    assert info.value.reason in {
        "malformed_header",
        "timestamp_outside_tolerance",
        "no_matching_signature",
    }


@pytest.mark.parametrize(
    "timestamp", ["²", "١٧٠٠٠٠٠٠٠٠", "1e3", " 12", "-5", "0x10", "1_000", "", "１２"]
)
def test_a_timestamp_that_is_not_ascii_digits_is_a_malformed_header(timestamp: str) -> None:
    body, _ = sign_webhook(EVENT, SECRET)
    header = f"t={timestamp},v1={compute_webhook_signature(body, SECRET, 0)}"
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook(body, {WEBHOOK_SIGNATURE_HEADER: header}, SECRET, now=0)
    assert info.value.reason == "malformed_header"


@pytest.mark.parametrize(
    "tolerance", [float("nan"), float("inf"), -0.5, True, "300", None, -float("inf")]
)
def test_a_tolerance_that_is_not_finite_seconds_is_refused(tolerance: object) -> None:
    # NaN compares false with everything: accepted, it would let any old delivery through.
    body, headers = sign_webhook(EVENT, SECRET, timestamp=1)
    with pytest.raises(InvalidInputError, match="tolerance"):
        verify_webhook(body, headers, SECRET, tolerance=tolerance, now=10**9)  # type: ignore[arg-type]


@pytest.mark.parametrize("now", [float("nan"), float("inf"), "now", True])
def test_a_now_that_is_not_a_finite_time_is_refused(now: object) -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    with pytest.raises(InvalidInputError, match="now"):
        verify_webhook(body, headers, SECRET, now=now)  # type: ignore[arg-type]


@pytest.mark.parametrize("headers", [None, 42, "Rokhas-Signature: t=1", b"x", [("a",)], [1, 2]])
def test_headers_that_are_not_headers_are_refused(headers: object) -> None:
    body, _ = sign_webhook(EVENT, SECRET)
    with pytest.raises(InvalidInputError, match="headers"):
        verify_webhook(body, headers, SECRET)  # type: ignore[arg-type]


def test_header_values_as_bytes_are_read_as_latin1() -> None:
    body, headers = sign_webhook(EVENT, SECRET)
    raw = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]
    assert verify_webhook(body, raw, SECRET).id == "evt_1"  # type: ignore[arg-type]


_HEADER_PART = st.tuples(
    st.sampled_from(["t", "v1", "v0", "", " t", "T", "v1 "]),
    st.sampled_from(["=", "", "=="]),
    st.one_of(
        st.text(max_size=20),
        st.text(alphabet="0123456789²³¹٠١٢٣٤٥٦٧٨٩０１２", max_size=14),
        st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    ),
)


@given(parts=st.lists(_HEADER_PART, max_size=6), keep_valid=st.booleans())
def test_any_structured_header_gives_the_documented_error(
    parts: list[tuple[str, str, str]], keep_valid: bool
) -> None:
    # Headers built from the pieces a real one has, with digits from every script.
    body, headers = sign_webhook(EVENT, SECRET, timestamp=1_700_000_000)
    pieces = [f"{k}{sep}{v}" for k, sep, v in parts]
    if keep_valid:
        pieces.append(headers[WEBHOOK_SIGNATURE_HEADER])
    header = ",".join(pieces)
    outcome: object
    try:
        outcome = verify_webhook(
            body, {WEBHOOK_SIGNATURE_HEADER: header}, SECRET, now=1_700_000_000
        )
    except WebhookSignatureError as exc:
        outcome = exc.reason
    if isinstance(outcome, WebhookEvent):
        # only a header that still carries the genuine timestamp and signature passes
        assert keep_valid
        assert outcome.id == "evt_1"
    else:
        assert outcome in {
            "malformed_header",
            "timestamp_outside_tolerance",
            "no_matching_signature",
        }


@given(
    headers=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=30),
        st.binary(max_size=30),
        st.dictionaries(
            st.one_of(st.text(max_size=20), st.binary(max_size=20)),
            st.one_of(st.text(max_size=40), st.binary(max_size=40), st.integers(), st.none()),
            max_size=4,
        ),
        st.lists(
            st.one_of(
                st.tuples(st.text(max_size=20), st.text(max_size=40)),
                st.tuples(st.just(WEBHOOK_SIGNATURE_HEADER), st.one_of(st.none(), st.integers())),
                st.text(max_size=5),
            ),
            max_size=4,
        ),
    ),
    tolerance=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(), st.none()
    ),
)
def test_any_argument_gives_a_rokhas_error(headers: object, tolerance: object) -> None:
    from rokhas_sdk import RokhasError

    body, _ = sign_webhook(EVENT, SECRET)
    with pytest.raises(RokhasError):
        verify_webhook(body, headers, SECRET, tolerance=tolerance)  # type: ignore[arg-type]
