"""CMI hosted payment page: hash ver3 rules, the form, and the callback handler."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from rokhas_sdk.models import Money
from rokhas_sdk.payments import (
    InMemoryOrderStore,
    InvalidTransitionError,
    OrderStore,
    PaymentOrder,
    PaymentState,
    SQLiteOrderStore,
)
from rokhas_sdk.payments.cmi import (
    APPROVED,
    FAILURE,
    POSTAUTH,
    CmiCallbackHandler,
    CmiConfig,
    build_payment_form,
    hash_fields,
    hash_plaintext,
    natural_casefold_sorted,
    signed_callback,
)

CANARY = "CANARY-store-key-5f3e|\\DO-NOT-LEAK"
REF = "RKH2026000123"


def _config(capture: str = "auto") -> CmiConfig:
    return CmiConfig(
        client_id="600000000",
        store_key=SecretStr(CANARY),
        ok_url="https://portal.example.ma/ok",
        fail_url="https://portal.example.ma/fail",
        callback_url="https://portal.example.ma/cmi/callback",
        shop_url="https://portal.example.ma/shop",
        capture=capture,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderStore]:
    s: OrderStore
    if request.param == "memory":
        s = InMemoryOrderStore()
        s.create(PaymentOrder(reference=REF, commune="141.01.01", amount=Money("4700.00")))
        yield s
    else:
        with SQLiteOrderStore(tmp_path / "o.db") as sq:
            sq.create(PaymentOrder(reference=REF, commune="141.01.01", amount=Money("4700.00")))
            yield sq


def _form_fields(store: OrderStore) -> dict[str, str]:
    return dict(
        build_payment_form(
            store.get(REF), _config(), payer_name="Test User", email="test@example.ma"
        ).fields
    )


# -- hash ------------------------------------------------------------------------------


def _split(plain: str) -> list[str]:
    """Undo the ver3 escaping: values separated by unescaped '|'."""
    out, cur, i = [], [], 0
    while i < len(plain):
        c = plain[i]
        if c == "\\":
            cur.append(plain[i + 1])
            i += 2
            continue
        if c == "|":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9]{0,12}\Z")
values = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)


@given(fields=st.dictionaries(names, values, max_size=8), key=values)
def test_plaintext_escaping_round_trips(fields: dict[str, str], key: str) -> None:
    plain = hash_plaintext(fields, key)
    kept = natural_casefold_sorted(n for n in fields if n.lower() not in ("hash", "encoding"))
    assert _split(plain) == [fields[n].strip(" \t\n\r\0\x0b") for n in kept] + [key]


@given(fields=st.dictionaries(names, values, max_size=8))
def test_hash_and_encoding_fields_are_ignored(fields: dict[str, str]) -> None:
    base = {k: v for k, v in fields.items() if k.lower() not in ("hash", "encoding")}
    h = hash_fields(base, "k")
    assert hash_fields({**base, "HASH": "x", "encoding": "UTF-8"}, "k") == h
    assert hash_fields({**base, "Hash": "y", "ENCODING": "latin1"}, "k") == h


@given(st.lists(st.from_regex(r"\A[A-Za-z]{1,6}[0-9]{0,3}\Z"), unique=True, max_size=10))
def test_natural_order_is_a_case_insensitive_permutation(names_: list[str]) -> None:
    out = natural_casefold_sorted(names_)
    assert sorted(out) == sorted(names_)
    letters_only = [n for n in out if n.isalpha()]
    assert [n.upper() for n in letters_only] == sorted(n.upper() for n in letters_only)


def test_escaping_and_side_specific_cleanup() -> None:
    assert hash_plaintext({"a": " x|y\\z "}, "k|\\") == "x\\|y\\\\z|k\\|\\\\"
    # callback side: one trailing newline removed, HTML entities decoded, no trim
    assert (
        hash_plaintext({"a": "Caf&eacute; &amp; &quot;Co&#039;\n\n"}, "k", callback=True)
        == "Café & \"Co'\n|k"
    )
    # entities need their ';' (PHP html_entity_decode); PHP's trim keeps NBSP
    assert (
        hash_plaintext({"u": "https://x.ma/?a=1&copy=2&amp;b"}, "k", callback=True)
        == "https://x.ma/?a=1&copy=2&b|k"
    )
    assert hash_plaintext({"a": "\u00a01\t"}, "k") == "\u00a01|k"
    assert hash_fields({"amount": "1.00"}, SecretStr("k")) == hash_fields({"amount": "1.00"}, "k")


# -- form ------------------------------------------------------------------------------


def test_payment_form(store: OrderStore) -> None:
    form = build_payment_form(
        store.get(REF),
        _config(),
        payer_name="Test <User>",
        email="t@example.ma",
        extra={"tel": "0600000000"},
    )
    f = form.fields
    assert form.action == "https://testpayment.cmi.co.ma/fim/est3Dgate"
    assert (
        f["amount"],
        f["currency"],
        f["oid"],
        f["storetype"],
        f["TranType"],
        f["hashAlgorithm"],
    ) == (
        "4700.00",
        "504",
        REF,
        "3D_PAY_HOSTING",
        "PreAuth",
        "ver3",
    )
    assert f["HASH"] == hash_fields(f, CANARY)
    page = form.html()
    assert 'name="HASH"' in page
    assert "Test &lt;User&gt;" in page
    assert "<User>" not in page
    assert CANARY not in page
    assert "CANARY" not in repr(form)
    with pytest.raises(ValueError, match="overwrite"):
        build_payment_form(store.get(REF), _config(), extra={"amount": "1.00"})
    store.transition(REF, PaymentState.CAPTURED, transaction_id="T1")
    with pytest.raises(InvalidTransitionError):
        build_payment_form(store.get(REF), _config())


# -- callback --------------------------------------------------------------------------


def test_accepted_payment_is_captured(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    out = h(signed_callback(_form_fields(store), CANARY, transaction_id="T1", auth_code="111111"))
    assert out.answer == POSTAUTH == "ACTION=POSTAUTH"
    assert out.changed
    assert out.state is PaymentState.CAPTURED
    order = store.get(REF)
    assert order.state is PaymentState.CAPTURED
    assert order.transaction_id == "T1"
    assert order.auth_code == "111111"
    assert order.receipt().transaction_id == "T1"


def test_manual_capture_answers_approved(store: OrderStore) -> None:
    out = CmiCallbackHandler(_config("manual"), store)(
        signed_callback(_form_fields(store), CANARY, transaction_id="T1")
    )
    assert out.answer == APPROVED
    assert store.get(REF).state is PaymentState.AUTHORISED


def test_forged_hash_is_refused(store: OrderStore) -> None:
    fields = signed_callback(_form_fields(store), "not-the-store-key", transaction_id="T1")
    out = CmiCallbackHandler(_config(), store)(fields)
    assert out.answer == FAILURE
    assert out.reason == "hash mismatch"
    # a genuine callback whose amount was altered after signing
    genuine = signed_callback(_form_fields(store), CANARY)
    out2 = CmiCallbackHandler(_config(), store)({**genuine, "amount": "1.00"})
    assert out2.answer == FAILURE
    assert out2.reason == "hash mismatch"
    no_hash = {k: v for k, v in genuine.items() if k != "HASH"}
    assert CmiCallbackHandler(_config(), store)(no_hash).answer == FAILURE
    assert store.get(REF).state is PaymentState.PENDING


def test_wrong_amount_is_refused(store: OrderStore) -> None:
    fields = signed_callback({**_form_fields(store), "amount": "470.00"}, CANARY)
    out = CmiCallbackHandler(_config(), store)(fields)
    assert out.answer == FAILURE
    assert "amount" in out.reason
    bad = signed_callback({**_form_fields(store), "amount": "4 700,00"}, CANARY)
    assert CmiCallbackHandler(_config(), store)(bad).answer == FAILURE
    assert store.get(REF).state is PaymentState.PENDING


def test_unknown_order_is_refused(store: OrderStore) -> None:
    fields = signed_callback({**_form_fields(store), "oid": "RKH2026999999"}, CANARY)
    out = CmiCallbackHandler(_config(), store)(fields)
    assert out.answer == FAILURE
    assert out.reason == "unknown order"


def test_other_merchant_or_currency_is_refused(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    assert (
        h(signed_callback({**_form_fields(store), "clientid": "600000001"}, CANARY)).answer
        == FAILURE
    )
    assert h(signed_callback({**_form_fields(store), "currency": "978"}, CANARY)).answer == FAILURE


def test_replayed_callback_changes_nothing(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    fields = signed_callback(_form_fields(store), CANARY, transaction_id="T1")
    first, second = h(fields), h(fields)
    assert first.changed
    assert not second.changed
    assert first.answer == second.answer == POSTAUTH
    assert len(store.get(REF).history) == 1


def test_second_payment_for_a_paid_order_is_refused(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    form = _form_fields(store)
    assert h(signed_callback(form, CANARY, transaction_id="T1")).answer == POSTAUTH
    out = h(signed_callback(form, CANARY, transaction_id="T2"))
    assert out.answer == FAILURE
    assert "another transaction" in out.reason
    assert store.get(REF).transaction_id == "T1"


def test_failed_attempt_leaves_order_then_success(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    failed = h(signed_callback(_form_fields(store), CANARY, approved=False))
    assert failed.answer == APPROVED
    assert not failed.changed
    assert store.get(REF).state is PaymentState.PENDING
    missing_code = signed_callback(_form_fields(store), CANARY, approved=False)
    del missing_code["ProcReturnCode"]
    missing_code["HASH"] = hash_fields(missing_code, CANARY, callback=True)
    assert h(missing_code).answer == APPROVED
    ok = h(signed_callback(_form_fields(store), CANARY, transaction_id="T7"))
    assert ok.answer == POSTAUTH
    assert store.get(REF).state is PaymentState.CAPTURED


def test_concurrent_duplicate_callbacks(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    fields = signed_callback(_form_fields(store), CANARY, transaction_id="T1")
    n = 12
    barrier = threading.Barrier(n)
    outcomes = []
    lock = threading.Lock()

    def post() -> None:
        barrier.wait()
        out = h(fields)
        with lock:
            outcomes.append(out)

    threads = [threading.Thread(target=post) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [o.answer for o in outcomes] == [POSTAUTH] * n
    assert sum(o.changed for o in outcomes) == 1
    order = store.get(REF)
    assert order.state is PaymentState.CAPTURED
    assert len(order.history) == 1


def test_technical_error_answers_failure(tmp_path: Path) -> None:
    s = SQLiteOrderStore(tmp_path / "x.db")
    s.create(PaymentOrder(reference=REF, commune="141.01.01", amount=Money("4700.00")))
    fields = dict(build_payment_form(s.get(REF), _config()).fields)
    s.close()  # the database is gone: sqlite3.ProgrammingError inside the handler
    with pytest.raises(sqlite3.ProgrammingError):
        s.get(REF)
    out = CmiCallbackHandler(_config(), s)(signed_callback(fields, CANARY))
    assert out.answer == FAILURE
    assert "technical error" in out.reason


def test_store_key_never_leaks(store: OrderStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cfg = _config()
    h = CmiCallbackHandler(cfg, store)
    form = _form_fields(store)
    outs = [
        h(signed_callback(form, "forged")),
        h(signed_callback({**form, "oid": "NOPE"}, CANARY)),
        h(signed_callback(form, CANARY, approved=False)),
        h(signed_callback(form, CANARY, transaction_id="T1")),
        h(signed_callback(form, CANARY, transaction_id="T2")),
    ]
    texts = [
        repr(cfg),
        str(cfg),
        cfg.model_dump_json(),
        repr(h),
        caplog.text,
        *map(repr, outs),
        repr(store.get(REF)),
    ]
    texts.append(
        build_payment_form(
            PaymentOrder(reference="X1", commune="141.01.01", amount=Money("1.00")), cfg
        ).html()
    )
    for t in texts:
        assert "CANARY" not in t
    assert caplog.records, "the refusals above are logged"


def test_refunded_order_refuses_a_new_capture(store: OrderStore) -> None:
    h = CmiCallbackHandler(_config(), store)
    form = _form_fields(store)
    assert h(signed_callback(form, CANARY, transaction_id="T1")).answer == POSTAUTH
    store.transition(REF, PaymentState.REFUNDED)
    out = h(signed_callback(form, CANARY, transaction_id="T1"))
    assert out.answer == FAILURE
    assert "refunded" in out.reason


def test_natural_order_edge_cases() -> None:
    # runs with leading zeros compare left-aligned, like fractional parts in PHP
    assert natural_casefold_sorted(["x01", "x001", "x1"]) == ["x001", "x01", "x1"]
    assert natural_casefold_sorted(["Amount", "amount"]) == ["Amount", "amount"]
    assert natural_casefold_sorted(["ab", "a1", "a"]) == ["a", "a1", "ab"]


# -- one rule per side, whatever the values ----------------------------------------------

# Values a payer or a merchant may type, rich in what the callback rule treats apart:
# HTML references (complete or not), trailing newlines, the hash's own escapes.
entity_values = st.lists(
    st.sampled_from(
        [
            *("&amp;", "&lt;", "&#124;", "&#x41;", "&copy;", "&amp", "&bogus;", "&", ";"),
            *("|", "\\", "\n", " ", "Dupont", "فاطمة", "<b>", '"'),
        ]
    ),
    max_size=8,
).map("".join)


@given(name=entity_values, city=entity_values, approved=st.booleans())
def test_a_callback_signed_by_the_callback_rule_passes_for_any_value(
    name: str, city: str, approved: bool
) -> None:
    store = InMemoryOrderStore()
    store.create(PaymentOrder(reference=REF, commune="141.01.01", amount=Money("4700.00")))
    form = build_payment_form(
        store.get(REF), _config(), payer_name=name or None, extra={"BillToCity": city}
    )
    out = CmiCallbackHandler(_config(), store)(
        signed_callback(form.fields, CANARY, approved=approved, transaction_id="T1")
    )
    assert out.answer == (POSTAUTH if approved else APPROVED), out.reason


def test_a_callback_signed_by_the_request_rule_fails_on_an_entity() -> None:
    # Why a simulator must sign its callback with callback=True (signed_callback does):
    # the merchant reads "Dupont &amp; Fils" as "Dupont & Fils" before hashing.
    store = InMemoryOrderStore()
    store.create(PaymentOrder(reference=REF, commune="141.01.01", amount=Money("4700.00")))
    form = build_payment_form(store.get(REF), _config(), payer_name="Dupont &amp; Fils")
    fields = signed_callback(form.fields, CANARY, transaction_id="T1")
    fields["HASH"] = hash_fields(fields, CANARY)  # the request rule
    out = CmiCallbackHandler(_config(), store)(fields)
    assert (out.answer, out.reason) == (FAILURE, "hash mismatch")
    assert store.get(REF).state is PaymentState.PENDING
