"""Moroccan identifiers, validated and normalised.

Each is an ``Annotated[str, ...]`` type: it parses loose input (spaces, lower case,
separators), stores one canonical form, and refuses bad input with a message that shows
the expected format.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

__all__ = [
    "CIN",
    "ICE",
    "RC",
    "Email",
    "IdentifiantFiscal",
    "PhoneNumber",
    "PostalCode",
    "Requisition",
    "TaxeProfessionnelle",
    "TitreFoncier",
    "ice_check_key",
]


_SEP = re.compile(r"[\s\-.]")
_SEP_CIN = re.compile(r"[\s\-./]")
_SEP_LAND = re.compile(r"[\s.:\-]")
_SEP_PHONE = re.compile(r"[\s\-.()]")
_PHONE = re.compile(r"\+212[5-8][0-9]{8}")
_POSTAL = re.compile(r"[1-9][0-9]{4}")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    return value


_CIN = re.compile(r"([A-Z]{1,2})([0-9]{1,6})\Z")


def _cin(value: Any) -> str:
    if type(value) is str and _CIN.match(value):
        return value  # already canonical
    raw = _SEP_CIN.sub("", _text(value, "a CIN")).upper()
    m = _CIN.match(raw)
    if not m:
        raise ValueError(
            f"{value!r} is not a CIN (carte nationale d'identité): expected 1 or 2 letters "
            "then 1 to 6 digits as printed on the card, e.g. 'BE123456' or 'A123456'"
        )
    # Leading zeros are printed on the card and kept: 'A012345' and 'A12345' are two
    # different numbers.
    return raw


CIN = Annotated[
    str,
    BeforeValidator(_cin),
    Field(examples=["BE123456"], json_schema_extra={"pattern": r"^[A-Z]{1,2}[0-9]{1,6}$"}),
]
"""Carte nationale d'identité électronique number: 1-2 letters + 1-6 digits, e.g. ``BE123456``."""


def ice_check_key(first13: str) -> str:
    """The two check digits of an ICE, from its 13 leading digits.

    The key makes the whole 15-digit number a multiple of 97:
    ``key = (97 - (first13 * 100) % 97) % 97``, written on two digits.

    >>> ice_check_key("0015611910000")
    '66'
    """
    if not (
        isinstance(first13, str) and len(first13) == 13 and first13.isascii() and first13.isdigit()
    ):
        raise ValueError(
            f"ice_check_key takes the 13 leading digits of an ICE as text, got {first13!r}"
        )
    return f"{(-int(first13) * 100) % 97:02d}"


def _ice(value: Any) -> str:
    raw = _SEP.sub("", _text(value, "an ICE"))
    if not (len(raw) == 15 and raw.isascii() and raw.isdigit()):
        raise ValueError(
            f"{value!r} is not an ICE (identifiant commun de l'entreprise): expected exactly "
            "15 digits (9 for the company, 4 for the establishment, 2 check digits), "
            "e.g. '001561191000066'"
        )
    if int(raw) % 97 != 0:
        raise ValueError(
            f"ICE {raw} has a wrong check key: with these 13 first digits its last two digits "
            f"should be {ice_check_key(raw[:13])} (the whole number is a multiple of 97); "
            "check for a typing error"
        )
    return raw


ICE = Annotated[
    str,
    BeforeValidator(_ice),
    Field(examples=["001561191000066"], json_schema_extra={"pattern": r"^[0-9]{15}$"}),
]
"""Identifiant commun de l'entreprise: 15 digits, the whole number a multiple of 97."""


def _digits(what: str, lo: int, hi: int, example: str) -> Any:
    def parse(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        raw = _SEP.sub("", _text(value, what))
        if not (lo <= len(raw) <= hi and raw.isascii() and raw.isdigit()):
            raise ValueError(
                f"{value!r} is not a valid {what}: expected {lo} to {hi} digits, e.g. '{example}'"
            )
        return raw

    return parse


IdentifiantFiscal = Annotated[
    str,
    BeforeValidator(_digits("identifiant fiscal (IF)", 7, 8, "40123456")),
    Field(examples=["40123456"], json_schema_extra={"pattern": r"^[0-9]{7,8}$"}),
]
"""Identifiant fiscal of the DGI: 7 or 8 digits."""

TaxeProfessionnelle = Annotated[
    str,
    BeforeValidator(_digits("taxe professionnelle (patente) number", 8, 8, "35712345")),
    Field(examples=["35712345"], json_schema_extra={"pattern": r"^[0-9]{8}$"}),
]
"""Taxe professionnelle (ex-patente) number: 8 digits."""


_RC = re.compile(r"^(?:R\.?C\.?\s*)?(?:N[°O]\s*)?0*([0-9]{1,7})\s*/\s*([A-Z][A-Z' \-]{1,39})$")


def _ascii_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _rc(value: Any) -> str:
    raw = " ".join(_ascii_upper(_text(value, "an RC number")).split())
    m = _RC.match(raw)
    if not m:
        raise ValueError(
            f"{value!r} is not a registre de commerce reference: expected the number, a slash "
            "and the city of the tribunal that keeps the register, e.g. '123456/CASABLANCA'"
        )
    return f"{int(m.group(1))}/{m.group(2).strip()}"


RC = Annotated[str, BeforeValidator(_rc), Field(examples=["123456/CASABLANCA"])]
"""Registre de commerce: number and tribunal, canonical form ``NUMBER/TRIBUNAL``."""


def _land_ref(prefix: str, what: str, example: str) -> Any:
    pattern = re.compile(
        rf"^(?:{prefix})?(?:N[°O]?)?([0-9]{{1,8}})(?:/([0-9]{{1,3}}|[A-Z]{{1,2}}))?$"
    )

    def parse(value: Any) -> str:
        raw = _SEP_LAND.sub("", _ascii_upper(_text(value, what)))
        m = pattern.match(raw)
        if not m:
            raise ValueError(
                f"{value!r} is not a {what}: expected a number with an optional '/suffix' "
                f"(conservation index), e.g. '{example}'"
            )
        suffix = f"/{m.group(2)}" if m.group(2) else ""
        return f"{prefix.split('|')[0]} {int(m.group(1))}{suffix}"

    return parse


TitreFoncier = Annotated[
    str,
    BeforeValidator(_land_ref("TF|TITREFONCIER|TITRE", "titre foncier reference", "TF 12345/63")),
    Field(examples=["TF 12345/63"]),
]
"""Titre foncier (registered land) reference, canonical ``TF 12345/63``."""

Requisition = Annotated[
    str,
    BeforeValidator(
        _land_ref("R|REQ|REQUISITION", "réquisition d'immatriculation reference", "R 4567/63")
    ),
    Field(examples=["R 4567/63"]),
]
"""Réquisition d'immatriculation (land being registered), canonical ``R 4567/63``."""


def _phone(value: Any) -> str:
    if type(value) is str and _PHONE.fullmatch(value):
        return value  # already canonical: the common case on the way back from JSON
    raw = _SEP_PHONE.sub("", _text(value, "a phone number"))
    if raw.startswith("00212"):
        raw = "+212" + raw[5:]
    if raw.startswith("+2120"):
        raw = "+212" + raw[5:]
    elif raw.startswith("212"):
        raw = "+" + raw
    elif raw.startswith("0"):
        raw = "+212" + raw[1:]
    if not _PHONE.fullmatch(raw):
        raise ValueError(
            f"{value!r} is not a Moroccan phone number: expected +212 then 9 digits starting "
            "with 5, 6, 7 or 8 (or 0 then 9 digits), e.g. '+212612345678' or '0522123456'"
        )
    return raw


PhoneNumber = Annotated[str, BeforeValidator(_phone), Field(examples=["+212612345678"])]
"""A Moroccan phone number in E.164 form ``+212XXXXXXXXX``."""


def _postal(value: Any) -> str:
    if type(value) is str and _POSTAL.fullmatch(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:05d}"
    raw = _text(value, "a postal code").strip()
    if not _POSTAL.fullmatch(raw):
        raise ValueError(
            f"{value!r} is not a Moroccan postal code: expected 5 digits not starting with 0, "
            "e.g. '20250'"
        )
    return raw


PostalCode = Annotated[str, BeforeValidator(_postal), Field(examples=["20250"])]
"""A Moroccan postal code: 5 digits."""


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\Z")


def _email(value: Any) -> str:
    raw = _text(value, "an e-mail address").strip()
    if len(raw) > 254 or not _EMAIL.match(raw):
        raise ValueError(
            f"{value!r} is not an e-mail address: expected name@domain.tld, e.g. "
            "'urbanisme@casablanca.ma'"
        )
    local, _, domain = raw.partition("@")
    return f"{local}@{domain.lower()}"


Email = Annotated[str, BeforeValidator(_email), Field(examples=["urbanisme@casablanca.ma"])]
"""An e-mail address, checked for shape (no DNS look-up), domain lower-cased."""
