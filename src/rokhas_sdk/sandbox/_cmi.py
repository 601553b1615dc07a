"""A CMI-like hosted payment page ("3D_PAY_HOSTING"), and the platform's callback endpoint.

The flow is the real one (fees-payments.md §4.2):

1. ``GET /cmi/pay/{payment_id}``: the platform's page that auto-posts the signed form
   (``payments.cmi.build_payment_form``) to the gateway;
2. ``POST /cmi/fim/est3Dgate``: the simulated gateway checks the form's ver3 HASH with
   the merchant's store key and shows a card form;
3. ``POST /cmi/fim/confirm``: the card is judged (test cards below), the gateway posts
   the server-to-server callback, ver3-signed, to ``callbackUrl``, then sends the
   browser to ``okUrl`` or ``failUrl`` with an auto-posted form;
4. ``POST /cmi/callback``: the platform judges the callback with
   ``payments.cmi.CmiCallbackHandler`` and answers ``ACTION=POSTAUTH``, ``APPROVED`` or
   ``FAILURE`` in plain text.

Test cards (any future expiry, any 3-digit CVV): a Luhn-valid number is accepted,
except ``4000000000000002`` (declined, ProcReturnCode 51, insufficient funds) and
``4000000000000069`` (declined, 54, expired card). A number that fails Luhn is
refused on the page itself.
"""

from __future__ import annotations

import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from ._errors import ApiProblem
from ._http import SandboxResponse

if TYPE_CHECKING:
    from ._core import Handler, RequestContext, Sandbox

__all__ = ["DECLINED_CARDS", "ROUTES"]

DECLINED_CARDS = {
    "4000000000000002": ("51", "Insufficient funds"),
    "4000000000000069": ("54", "Expired card"),
}


def cmi_config(sb: Sandbox, payment_id: str) -> Any:
    """The merchant configuration the platform uses for one payment attempt."""
    from pydantic import SecretStr

    from ..payments.cmi import CmiConfig

    base = sb.base_url
    return CmiConfig(
        client_id=sb.cmi_client_id,
        store_key=SecretStr(sb.cmi_store_key),
        gateway_url=f"{base}/cmi/fim/est3Dgate",
        ok_url=f"{base}/cmi/return/{payment_id}",
        fail_url=f"{base}/cmi/return/{payment_id}",
        callback_url=f"{base}/cmi/callback",
        shop_url=f"{base}/cmi/return/{payment_id}",
        lang="fr",
        capture="auto",
    )


def _page(title: str, body: str, status: int = 200) -> SandboxResponse:
    doc = (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32em;margin:2em auto}"
        "label{display:block;margin:.6em 0}.ar{direction:rtl;text-align:right}</style>"
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )
    return SandboxResponse.raw(doc.encode("utf-8"), "text/html; charset=utf-8", status)


def _payment(ctx: RequestContext) -> dict[str, Any]:
    pay = ctx.store.get("payment", ctx.params["payment_id"])
    if pay is None or pay["method"] != "card":
        raise ApiProblem(404, "not_found", "paiement inconnu")
    return pay


def _pay_page(ctx: RequestContext) -> SandboxResponse:
    from ..payments import PaymentState
    from ..payments.cmi import build_payment_form
    from ._orders import SandboxOrderStore

    pay = _payment(ctx)
    if pay["status"] != "pending":
        return _page(
            "Paiement déjà traité / تمت معالجة الأداء",
            f'<p id="status">{html.escape(pay["status"])}</p>',
        )
    order = SandboxOrderStore(ctx.sandbox).get(pay["order_id"])
    if order.state not in (PaymentState.PENDING, PaymentState.FAILED):
        # Paid through another attempt (or at the counter) before this page was opened.
        return _page(
            "Ordre déjà payé / تم أداء هذا الأمر",
            f'<p id="status">{html.escape(order.state.value)}</p>'
            "<p>Cet ordre de paiement ne se paie plus. / لم يعد هذا الأمر قابلا للأداء.</p>",
            409,
        )
    user = ctx.sandbox.users.get(pay.get("payer") or "")
    form = build_payment_form(
        order,
        cmi_config(ctx.sandbox, pay["id"]),
        payer_name=user.name if user else None,
        extra={"paymentid": pay["id"]},
    )
    return SandboxResponse.raw(form.html().encode("utf-8"), "text/html; charset=utf-8")


def _gateway(ctx: RequestContext) -> SandboxResponse:
    import hmac

    from ..payments.cmi import hash_fields

    sb = ctx.sandbox
    fields = ctx.request.form()
    posted = fields.get("HASH", "")
    expected = hash_fields(fields, sb.cmi_store_key)
    if not posted or not hmac.compare_digest(expected.encode(), posted.strip().encode()):
        return _page(
            "Erreur de paiement / خطأ في الأداء",
            '<p id="error">Signature (HASH) invalide : formulaire refusé.</p>',
            400,
        )
    if fields.get("clientid") != sb.cmi_client_id or fields.get("storetype") != "3D_PAY_HOSTING":
        return _page(
            "Erreur de paiement / خطأ في الأداء", '<p id="error">Commerçant inconnu.</p>', 400
        )
    session = "cmis_" + secrets.token_urlsafe(12)
    sb.store.put(
        "cmi_session",
        session,
        {"fields": {k: v for k, v in fields.items() if k != "HASH"}, "used": False},
    )
    return _card_form(session, fields)


def _card_form(session: str, fields: dict[str, str], error: str = "") -> SandboxResponse:
    amount = html.escape(fields.get("amount", ""))
    err = f'<p id="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""{err}
<p>Commande <b id="oid">{html.escape(fields.get("oid", ""))}</b> :
<b id="amount">{amount}</b> MAD</p>
<p class="ar">المبلغ: {amount} درهم</p>
<form id="card-form" method="post" action="/cmi/fim/confirm">
<input type="hidden" name="session" value="{html.escape(session, quote=True)}">
<label>Numéro de carte / رقم البطاقة
<input id="pan" name="pan" inputmode="numeric" autocomplete="off" required></label>
<label>Expiration (MM/AA) / تاريخ الانتهاء
<input id="expiry" name="expiry" placeholder="12/30" required></label>
<label>CVV <input id="cvv" name="cvv" inputmode="numeric" required></label>
<button id="pay" type="submit" name="action" value="pay">Payer / أداء</button>
<button id="cancel" type="submit" name="action" value="cancel" formnovalidate>
Annuler / إلغاء</button>
</form>"""
    return _page("Paiement sécurisé CMI (simulateur) / الأداء الآمن", body)


def luhn_ok(number: str) -> bool:
    """The Luhn check of a card number (digits only, 12 to 19 of them)."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _confirm(ctx: RequestContext) -> SandboxResponse:
    from ..payments.cmi import hash_fields

    sb = ctx.sandbox
    form = ctx.request.form()
    session = sb.store.get("cmi_session", form.get("session", ""))
    if session is None or session["used"]:
        return _page(
            "Session expirée / انتهت الجلسة",
            '<p id="error">Session de paiement inconnue ou déjà utilisée.</p>',
            400,
        )
    fields: dict[str, str] = dict(session["fields"])
    action = form.get("action", "pay")
    if action == "cancel":
        session["used"] = True
        sb.store.put("cmi_session", form["session"], session)
        return _redirect_page(
            fields.get("shopurl", "/"),
            {"oid": fields.get("oid", ""), "Response": "Cancelled"},
            "Paiement annulé / تم إلغاء الأداء",
        )
    pan = "".join(ch for ch in form.get("pan", "") if ch.isdigit())
    expiry = form.get("expiry", "").strip()
    cvv = form.get("cvv", "").strip()
    if (
        not luhn_ok(pan)
        or len(expiry) != 5
        or expiry[2] != "/"
        or not (cvv.isdigit() and len(cvv) in (3, 4))
    ):
        return _card_form(
            form["session"],
            fields,
            "Carte invalide : vérifiez le numéro, la date (MM/AA) et le CVV.",
        )
    code, text = DECLINED_CARDS.get(pan, ("00", "Approved"))
    session["used"] = True
    sb.store.put("cmi_session", form["session"], session)
    callback = {k: v for k, v in fields.items()}
    callback.update(
        {
            "ProcReturnCode": code,
            "Response": "Approved" if code == "00" else "Declined",
            "ErrMsg": "" if code == "00" else text,
            "TransId": "T" + secrets.token_hex(6).upper(),
            "AuthCode": f"{secrets.randbelow(10**6):06d}" if code == "00" else "",
            "mdStatus": "1",
            "EXTRA_CARDBRAND": "VISA" if pan.startswith("4") else "MASTERCARD",
            "maskedCreditCard": pan[:4] + " " + pan[4:6] + "** **** " + pan[-4:],
            "EXTRA_TRXDATE": ctx.now().strftime("%Y%m%d %H:%M:%S"),
        }
    )
    callback["HASH"] = hash_fields(callback, sb.cmi_store_key)
    ctx.defer_post(fields.get("callbackUrl", ""), callback)
    target = fields.get("okUrl") if code == "00" else fields.get("failUrl")
    browser: dict[str, str] = {
        k: callback[k]
        for k in ("oid", "amount", "ProcReturnCode", "Response", "TransId", "HASH")
        if k in callback
    }
    title = (
        "Paiement accepté / تم قبول الأداء" if code == "00" else "Paiement refusé / تم رفض الأداء"
    )
    return _redirect_page(target or "/", browser, title)


def _redirect_page(action: str, fields: dict[str, str], title: str) -> SandboxResponse:
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(k, quote=True)}" '
        f'value="{html.escape(v, quote=True)}">'
        for k, v in fields.items()
    )
    body = (
        f'<form id="back" method="post" action="{html.escape(action, quote=True)}">\n{inputs}\n'
        '<button type="submit">Retour au site / العودة إلى الموقع</button></form>\n'
        '<script>document.getElementById("back").submit();</script>'
    )
    return _page(title, body)


def _callback(ctx: RequestContext) -> SandboxResponse:
    """Judge CMI's callback so that CMI's view, the order and the payment always agree.

    The rules (docs/sandbox.md, *Payments*): a callback is first tied to its payment
    (``paymentid``, which must be a card payment of the order ``oid``); a callback that
    names no such payment answers ``FAILURE`` and changes nothing, so the order is never
    captured without a payment to show for it. Then ``CmiCallbackHandler`` decides CMI's
    answer on the order, and the payment follows that answer, never the other way round:
    ``ACTION=POSTAUTH`` that captured the order makes the payment ``succeeded`` (even
    after an earlier decline: CMI sends a callback per attempt, and the money is what
    counts); a declined authorisation makes a pending payment ``failed``; ``FAILURE`` on
    an authentic callback (the order paid by another transaction, a wrong amount) means
    CMI voids the authorisation, so a pending payment is ``failed`` too. A payment that
    already succeeded never changes.
    """
    import hmac

    from ..payments.cmi import FAILURE, POSTAUTH, CmiCallbackHandler, hash_fields
    from ._money import settle_payment
    from ._orders import SandboxOrderStore

    sb = ctx.sandbox
    fields = ctx.request.form()
    pid = fields.get("paymentid", "")
    oid = fields.get("oid", "")
    pay = sb.store.get("payment", pid) if pid else None
    if pay is None or pay["method"] != "card" or pay["order_id"] != oid:
        return _plain(FAILURE)
    posted = fields.get("HASH", "").strip()
    authentic = bool(posted) and hmac.compare_digest(
        hash_fields(fields, sb.cmi_store_key, callback=True).encode("utf-8"),
        posted.encode("utf-8"),
    )
    if not authentic:  # forged: nothing the callback says may change anything
        return _plain(FAILURE)
    outcome = CmiCallbackHandler(cmi_config(sb, pid), SandboxOrderStore(sb)).handle(fields)
    if pay["status"] == "succeeded":
        return _plain(outcome.answer)
    if outcome.answer == POSTAUTH and outcome.changed:
        settle_payment(sb, pay, succeeded=True, reference=fields.get("TransId"))
    elif pay["status"] == "pending":
        if outcome.answer == POSTAUTH:
            # A replay of a capture another payment of this order made: not this one's money.
            reason = "ordre déjà payé par une autre transaction"
        elif outcome.answer == FAILURE:
            # outcome.reason (English, for the log) says which; the payer reads French.
            reason = "autorisation annulée : ordre déjà payé ou montant différent de l'ordre"
        else:
            reason = fields.get("ErrMsg") or outcome.reason or "paiement refusé"
        settle_payment(sb, pay, succeeded=False, reference=fields.get("TransId"), reason=reason)
    return _plain(outcome.answer)


def _plain(answer: str) -> SandboxResponse:
    return SandboxResponse.raw(answer.encode("ascii"), "text/plain; charset=utf-8")


def _return_page(ctx: RequestContext) -> SandboxResponse:
    pay = _payment(ctx)
    label = {
        "succeeded": "Paiement accepté / تم قبول الأداء",
        "failed": "Paiement refusé / تم رفض الأداء",
        "cancelled": "Paiement annulé / تم إلغاء الأداء",
    }.get(pay["status"], "Paiement en attente / الأداء في الانتظار")
    back = pay.get("return_url")
    link = (
        f'<p><a id="return" href="{html.escape(back, quote=True)}">Retour / العودة</a></p>'
        if back
        else ""
    )
    return _page(
        label,
        f'<p id="status">{html.escape(pay["status"])}</p>\n<p>{html.escape(pay["id"])}</p>\n{link}',
    )


def internal_path(sb: Sandbox, url: str) -> str | None:
    """The path of ``url`` when it points at this sandbox, else None."""
    parts = urlsplit(url)
    base = urlsplit(sb.base_url)
    if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
        return parts.path
    return None


def form_body(fields: dict[str, str]) -> bytes:
    """``application/x-www-form-urlencoded`` bytes of a form."""
    return urlencode(fields).encode("utf-8")


# The payment page, the gateway and the callback endpoint (method, path, operation, handler).
ROUTES: tuple[tuple[str, str, str, Handler], ...] = (
    ("GET", "/cmi/pay/{payment_id}", "cmiPayPage", _pay_page),
    ("POST", "/cmi/fim/est3Dgate", "cmiGateway", _gateway),
    ("POST", "/cmi/fim/confirm", "cmiConfirm", _confirm),
    ("POST", "/cmi/callback", "cmiCallback", _callback),
    ("GET", "/cmi/return/{payment_id}", "cmiReturn", _return_page),
    ("POST", "/cmi/return/{payment_id}", "cmiReturn", _return_page),
)
