"""The CMI hosted payment page (``3D_PAY_HOSTING``): hash ver3, payment form, callback.

Public and stable: :func:`hash_fields`, :class:`CmiConfig`, :func:`build_payment_form`,
:class:`PaymentForm`, :class:`CmiCallbackHandler`, :class:`CallbackOutcome` and the
answers :data:`POSTAUTH`, :data:`APPROVED`, :data:`FAILURE`.

The protocol follows fees-payments.md §4.2, itself read from public integrations (not
from a CMI specification, which is not public). The store key only ever enters the hash:
it is a :class:`pydantic.SecretStr`, never posted, logged, or shown in a repr.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cmp_to_key, lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr

from ..models import Money, ValueObject
from ._errors import InvalidTransitionError, OrderNotFoundError, PaymentConflictError
from ._orders import OrderStore, PaymentOrder, PaymentState

__all__ = [
    "APPROVED",
    "FAILURE",
    "POSTAUTH",
    "TEST_GATEWAY_URL",
    "CallbackOutcome",
    "CmiCallbackHandler",
    "CmiConfig",
    "PaymentForm",
    "build_payment_form",
    "hash_fields",
    "hash_plaintext",
    "natural_casefold_sorted",
    "signed_callback",
]

log = logging.getLogger("rokhas_sdk.payments.cmi")

TEST_GATEWAY_URL = "https://testpayment.cmi.co.ma/fim/est3Dgate"
"""CMI's test gateway; production URLs are assigned per merchant."""

POSTAUTH = "ACTION=POSTAUTH"
"""Callback answer: authorisation accepted, capture (debit) it now."""
APPROVED = "APPROVED"
"""Callback answer: acknowledged (authorisation left uncaptured, or a failed attempt)."""
FAILURE = "FAILURE"
"""Callback answer: refused (bad hash, unknown order, wrong amount, technical error)."""

_EXCLUDED = frozenset({"hash", "encoding"})
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


# -- the ver3 hash ------------------------------------------------------------------------


def _natcasecmp(a: str, b: str) -> int:
    """Natural, case-insensitive comparison in the manner of PHP's ``strnatcasecmp``.

    Runs of digits compare as numbers (``Street2`` < ``Street12``); other characters
    compare one by one after folding to upper case. Runs starting with ``0`` compare
    left-aligned, as fractional parts do.
    """
    i = j = 0
    la, lb = len(a), len(b)
    while i < la and j < lb:
        ca, cb = a[i], b[j]
        if ca.isdigit() and cb.isdigit() and ca.isascii() and cb.isascii():
            ei = i
            while ei < la and a[ei].isascii() and a[ei].isdigit():
                ei += 1
            ej = j
            while ej < lb and b[ej].isascii() and b[ej].isdigit():
                ej += 1
            ra, rb = a[i:ei], b[j:ej]
            if ca == "0" or cb == "0":
                if ra != rb:
                    return -1 if ra < rb else 1
            elif len(ra) != len(rb):
                return -1 if len(ra) < len(rb) else 1
            elif ra != rb:
                return -1 if ra < rb else 1
            i, j = ei, ej
            continue
        ua, ub = ca.upper(), cb.upper()
        if ua != ub:
            return -1 if ua < ub else 1
        i += 1
        j += 1
    if (la - i) != (lb - j):
        return -1 if (la - i) < (lb - j) else 1
    return 0


def _name_order(a: str, b: str) -> int:
    # equal under natural case-folding (e.g. "Amount" / "amount"): fall back on the raw
    # names so the order is deterministic
    return _natcasecmp(a, b) or ((a > b) - (a < b))


def natural_casefold_sorted(names: Any) -> list[str]:
    """Field names in PHP ``natcasesort`` order (case-insensitive, digit runs as numbers).

    >>> natural_casefold_sorted(["BillToStreet12", "BillToStreet2", "BillToStreet1"])
    ['BillToStreet1', 'BillToStreet2', 'BillToStreet12']
    """
    return list(_sorted_names(tuple(sorted(names))))


@lru_cache(maxsize=512)
def _sorted_names(names: tuple[str, ...]) -> tuple[str, ...]:
    # A merchant posts the same few field-name sets over and over: sorting each set
    # once makes the hash about as cheap as the SHA-512 itself.
    return tuple(sorted(names, key=cmp_to_key(_name_order)))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")


# PHP's trim() set: unlike str.strip() it keeps form feeds, NBSP and other Unicode spaces
_PHP_TRIM = " \t\n\r\0\x0b"
# Only complete references (with their ';') are decoded, as html_entity_decode does;
# html.unescape alone would also turn "&copy=2" in a URL into "©=2".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _callback_value(value: str) -> str:
    if value.endswith("\n"):
        value = value[:-1]
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)


def hash_plaintext(
    fields: Mapping[str, str], store_key: str | SecretStr, *, callback: bool = False
) -> str:
    """The exact text that :func:`hash_fields` hashes.

    It ends with the store key: keep it secret, never log it.
    """
    key = store_key.get_secret_value() if isinstance(store_key, SecretStr) else store_key
    parts: list[str] = []
    for name in natural_casefold_sorted(n for n in fields if n.lower() not in _EXCLUDED):
        raw = fields[name]
        value = _callback_value(raw) if callback else raw.strip(_PHP_TRIM)
        parts.append(_escape(value))
        parts.append("|")
    parts.append(_escape(key))
    return "".join(parts)


def hash_fields(
    fields: Mapping[str, str], store_key: str | SecretStr, *, callback: bool = False
) -> str:
    """CMI hash version ``ver3`` of posted ``fields`` (fees-payments.md §4.2).

    Every field but ``hash`` and ``encoding`` (any case), names in natural
    case-insensitive order; each value trimmed (request side) or stripped of one
    trailing newline and HTML-unescaped (``callback=True``), then escaped (``\\`` to
    ``\\\\``, then ``|`` to ``\\|``) and followed by ``|``; then the escaped store key.
    Returns base64 of the raw SHA-512 digest of the UTF-8 text.
    """
    plain = hash_plaintext(fields, store_key, callback=callback)
    return base64.b64encode(hashlib.sha512(plain.encode("utf-8")).digest()).decode("ascii")


# -- configuration and the payment form ---------------------------------------------------


class CmiConfig(ValueObject):
    """A merchant's CMI settings. ``store_key`` is secret: it never appears in a repr."""

    client_id: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z]+$")
    store_key: SecretStr
    gateway_url: str = TEST_GATEWAY_URL
    ok_url: str
    fail_url: str
    callback_url: str
    shop_url: str
    lang: Literal["fr", "ar", "en"] = "fr"
    capture: Literal["auto", "manual"] = Field(
        default="auto",
        description=(
            "auto: answer ACTION=POSTAUTH and mark the order captured; "
            "manual: answer APPROVED and leave the order authorised"
        ),
    )
    currency: str = "504"


class PaymentForm(ValueObject):
    """The auto-submitted form that sends the payer to CMI's hosted page."""

    action: str
    fields: dict[str, str]

    def html(
        self,
        *,
        title: str = "Paiement sécurisé / الأداء الآمن",
        button: str = "Continuer vers le paiement / متابعة الأداء",
    ) -> str:
        """A complete HTML page posting :attr:`fields` to :attr:`action` on load."""
        inputs = "\n".join(
            f'<input type="hidden" name="{html.escape(k, quote=True)}" '
            f'value="{html.escape(v, quote=True)}">'
            for k, v in self.fields.items()
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="fr"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n"
            "<body>\n"
            '<form id="cmi-payment" method="post" '
            f'action="{html.escape(self.action, quote=True)}" accept-charset="UTF-8">\n'
            f"{inputs}\n"
            f'<button type="submit">{html.escape(button)}</button>\n'
            "</form>\n"
            '<script>document.getElementById("cmi-payment").submit();</script>\n'
            "</body></html>\n"
        )


def _rnd() -> str:
    # PHP microtime() shape, with a random fraction: only uniqueness matters
    return f"0.{secrets.randbelow(10**8):08d} {int(time.time())}"


def build_payment_form(
    order: PaymentOrder,
    config: CmiConfig,
    *,
    payer_name: str | None = None,
    email: str | None = None,
    extra: Mapping[str, str] | None = None,
    rnd: str | None = None,
) -> PaymentForm:
    """The signed form for ``order`` (amount with 2 decimals, currency 504, ``oid`` = reference).

    ``extra`` adds optional CMI fields (``tel``, ``BillToCity``, ``sessionTimeout``...).
    Refuses an order that is not awaiting payment.
    """
    if order.state not in (PaymentState.PENDING, PaymentState.FAILED):
        raise InvalidTransitionError(
            f"order {order.reference} is {order.state.value}: it cannot be paid again"
        )
    fields: dict[str, str] = {
        "clientid": config.client_id,
        "storetype": "3D_PAY_HOSTING",
        "TranType": "PreAuth",
        "amount": f"{order.amount.amount:.2f}",
        "currency": config.currency,
        "oid": order.reference,
        "okUrl": config.ok_url,
        "failUrl": config.fail_url,
        "shopurl": config.shop_url,
        "callbackUrl": config.callback_url,
        "rnd": rnd or _rnd(),
        "hashAlgorithm": "ver3",
        "lang": config.lang,
        "encoding": "UTF-8",
    }
    if payer_name:
        fields["BillToName"] = payer_name
    if email:
        fields["email"] = email
    for k, v in (extra or {}).items():
        if k.lower() in _EXCLUDED or k in fields:
            raise ValueError(
                f"extra field {k!r} would overwrite a protocol field; choose another name"
            )
        fields[k] = v
    fields = {k: v.strip(_PHP_TRIM) for k, v in fields.items()}
    fields["HASH"] = hash_fields(fields, config.store_key)
    return PaymentForm(action=config.gateway_url, fields=fields)


def signed_callback(
    form_fields: Mapping[str, str],
    store_key: str | SecretStr,
    *,
    approved: bool = True,
    transaction_id: str | None = None,
    auth_code: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The fields CMI would post to ``callbackUrl`` after a payment on this form, signed.

    For simulators (the sandbox) and tests: it echoes the form's fields, adds the
    outcome fields (``ProcReturnCode`` ``00`` or ``05``, ``Response``, ``TransId``,
    ``AuthCode``, ``mdStatus``) and a callback-side ``HASH`` made with ``store_key``.
    """
    fields = {k: v for k, v in form_fields.items() if k.lower() != "hash"}
    fields.update(
        {
            "ProcReturnCode": "00" if approved else "05",
            "Response": "Approved" if approved else "Declined",
            "TransId": transaction_id or f"T{secrets.randbelow(10**12):012d}",
            "mdStatus": "1",
        }
    )
    if approved:
        fields["AuthCode"] = auth_code or f"{secrets.randbelow(10**6):06d}"
    fields.update(extra or {})
    fields["HASH"] = hash_fields(fields, store_key, callback=True)
    return fields


# -- the server-to-server callback ------------------------------------------------------


class CallbackOutcome(ValueObject):
    """What the callback handler decided: the text to answer CMI, and why."""

    answer: Literal["ACTION=POSTAUTH", "APPROVED", "FAILURE"]
    reason: str
    order_reference: str | None = None
    state: PaymentState | None = None
    changed: bool = False


def _get(fields: Mapping[str, str], name: str) -> str | None:
    if name in fields:
        return fields[name]
    low = name.lower()
    for k, v in fields.items():
        if k.lower() == low:
            return v
    return None


class CmiCallbackHandler:
    """Handles CMI's server-to-server callback (the ``callbackUrl`` POST).

    Call it with the posted form fields; answer CMI with ``outcome.answer`` as
    ``text/plain``. Checks, in order: the hash (constant time), the order (``oid``),
    the merchant and currency, the amount; then ``ProcReturnCode`` ``00`` captures the
    order (``capture="auto"``: answer ``ACTION=POSTAUTH``) or authorises it
    (``"manual"``: ``APPROVED``); any other code leaves the order unchanged and answers
    ``APPROVED``. Anything wrong answers ``FAILURE``. Idempotent and thread-safe: the
    store applies the transition atomically, a replay changes nothing and gets the
    same answer, and a second payment for a paid order is refused.
    """

    def __init__(self, config: CmiConfig, store: OrderStore) -> None:
        self.config = config
        self.store = store

    def __repr__(self) -> str:
        cfg = self.config
        return f"CmiCallbackHandler(client_id={cfg.client_id!r}, capture={cfg.capture!r})"

    def __call__(self, fields: Mapping[str, str]) -> CallbackOutcome:
        return self.handle(fields)

    def _fail(self, reason: str, reference: str | None = None) -> CallbackOutcome:
        log.warning("CMI callback answered FAILURE: %s (oid=%r)", reason, reference)
        return CallbackOutcome(answer=FAILURE, reason=reason, order_reference=reference)

    def handle(self, fields: Mapping[str, str]) -> CallbackOutcome:
        """Decide the answer for one callback; never raises."""
        try:
            return self._handle({str(k): str(v) for k, v in fields.items()})
        except Exception as exc:  # a technical error must answer FAILURE, not a 500
            log.error("CMI callback failed with %s", type(exc).__name__)
            return CallbackOutcome(answer=FAILURE, reason=f"technical error ({type(exc).__name__})")

    def _handle(self, fields: dict[str, str]) -> CallbackOutcome:
        posted = _get(fields, "HASH")
        oid = _get(fields, "oid")
        if not posted:
            return self._fail("no HASH posted", oid)
        expected = hash_fields(fields, self.config.store_key, callback=True)
        if not hmac.compare_digest(expected.encode("utf-8"), posted.strip().encode("utf-8")):
            return self._fail("hash mismatch", oid)
        if not oid:
            return self._fail("no oid posted")
        try:
            order = self.store.get(oid)
        except OrderNotFoundError:
            return self._fail("unknown order", oid)
        client = _get(fields, "clientid")
        if client is not None and client != self.config.client_id:
            return self._fail("clientid is not this merchant's", oid)
        currency = _get(fields, "currency")
        if currency is not None and currency != self.config.currency:
            return self._fail(f"currency {currency!r} is not {self.config.currency}", oid)
        amount = _parse_amount(_get(fields, "amount"))
        if amount is None or amount != order.amount:
            return self._fail("amount does not match the order", oid)
        code = _get(fields, "ProcReturnCode")
        if code != "00":
            log.info(
                "CMI callback: authorisation not accepted (ProcReturnCode=%r, oid=%r)", code, oid
            )
            return CallbackOutcome(
                answer=APPROVED,
                reason=f"authorisation failed (ProcReturnCode={code})",
                order_reference=oid,
                state=order.state,
            )
        target = PaymentState.CAPTURED if self.config.capture == "auto" else PaymentState.AUTHORISED
        txn = _get(fields, "TransId") or None
        try:
            result = self.store.transition(
                oid,
                target,
                transaction_id=txn,
                auth_code=_get(fields, "AuthCode") or None,
                amount=amount,
                note="CMI callback",
            )
        except PaymentConflictError:
            return self._fail("order already paid by another transaction", oid)
        except InvalidTransitionError:
            return self._fail(f"order is {self.store.get(oid).state.value}", oid)
        answer = POSTAUTH if self.config.capture == "auto" else APPROVED
        if self.config.capture == "manual" and result.order.state is PaymentState.CAPTURED:
            answer = APPROVED
        return CallbackOutcome(
            answer=answer,
            reason="payment accepted" if result.changed else "payment already recorded (replay)",
            order_reference=oid,
            state=result.order.state,
            changed=result.changed,
        )


def _parse_amount(text: str | None) -> Money | None:
    if text is None or not _AMOUNT.match(text.strip()):
        return None
    try:
        return Money(Decimal(text.strip()))
    except (InvalidOperation, ValueError):
        return None
