"""Moroccan identifiers, validated and normalised.

Each is an ``Annotated[str, ...]`` type: it parses loose input (spaces, lower case,
separators), stores one canonical form, and refuses bad input with a message that shows
the expected format.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

__all__ = [
    "CIN",
    "Email",
    "ICE",
    "RC",
    "IdentifiantFiscal",
    "PhoneNumber",
    "PostalCode",
    "Requisition",
    "TaxeProfessionnelle",
    "TitreFoncier",
    "ice_check_key",
]


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    return value


_CIN = re.compile(r"^([A-Z]{1,2})0*([0-9]{1,6})$")


def _cin(value: Any) -> str:
    raw = re.sub(r"[\s\-./]", "", _text(value, "a CIN")).upper()
    m = _CIN.match(raw)
    if not m:
        raise ValueError(
            f"{value!r} is not a CIN (carte nationale d'identité): expected 1 or 2 letters "
            "then up to 6 digits, e.g. 'BE123456' or 'A123456'"
        )
    return m.group(1) + m.group(2)


CIN = Annotated[str, BeforeValidator(_cin), Field(examples=["BE123456"])]
"""Carte nationale d'identité électronique number: 1-2 letters + 1-6 digits, e.g. ``BE123456``."""


def ice_check_key(first13: str) -> str:
    """The two check digits of an ICE: the 13 leading digits modulo 97, zero-padded."""
    return f"{int(first13) % 97:02d}"


def _ice(value: Any) -> str:
    raw = re.sub(r"[\s\-.]", "", _text(value, "an ICE"))
    if not re.fullmatch(r"[0-9]{15}", raw):
        raise ValueError(
            f"{value!r} is not an ICE (identifiant commun de l'entreprise): expected exactly "
            "15 digits, e.g. '001525489000029'"
        )
    expected = ice_check_key(raw[:13])
    if raw[13:] != expected:
        raise ValueError(
            f"ICE {raw} has a wrong check key: its last two digits should be {expected} "
            "(the first 13 digits modulo 97); check for a typing error"
        )
    return raw


ICE = Annotated[str, BeforeValidator(_ice), Field(examples=["001525489000029"])]
"""Identifiant commun de l'entreprise: 15 digits whose last two are a modulo-97 check key."""


def _digits(what: str, lo: int, hi: int, example: str) -> Any:
    def parse(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        raw = re.sub(r"[\s\-.]", "", _text(value, what))
        if not re.fullmatch(rf"[0-9]{{{lo},{hi}}}", raw):
            raise ValueError(f"{value!r} is not a valid {what}: expected {lo} to {hi} digits, e.g. '{example}'")
        return raw

    return parse


IdentifiantFiscal = Annotated[str, BeforeValidator(_digits("identifiant fiscal (IF)", 7, 8, "40123456")), Field(examples=["40123456"])]
"""Identifiant fiscal of the DGI: 7 or 8 digits."""

TaxeProfessionnelle = Annotated[str, BeforeValidator(_digits("taxe professionnelle (patente) number", 8, 8, "35712345")), Field(examples=["35712345"])]
"""Taxe professionnelle (ex-patente) number: 8 digits."""


_RC = re.compile(r"^([0-9]{1,7})/([A-Z][A-Z\- ]{1,39})$")


def _rc(value: Any) -> str:
    raw = " ".join(_text(value, "an RC number").upper().split())
    raw = re.sub(r"\s*/\s*", "/", raw)
    m = _RC.match(raw)
    if not m:
        raise ValueError(
            f"{value!r} is not a registre de commerce reference: expected the number, a slash "
            "and the tribunal's city, e.g. '123456/CASABLANCA'"
        )
    return f"{int(m.group(1))}/{m.group(2).strip()}"


RC = Annotated[str, BeforeValidator(_rc), Field(examples=["123456/CASABLANCA"])]
"""Registre de commerce: number and tribunal, canonical form ``NUMBER/TRIBUNAL``."""


_TF = re.compile(r"^(?:T\.?F\.?|TF|TITRE(?:FONCIER)?)?(?:N[°O])?([0-9]{1,7})(?:/([0-9]{1,3}|[A-Z]{1,2}))?$")


def _land_ref(prefix: str, what: str, example: str) -> Any:
    pattern = re.compile(rf"^(?:{prefix})?(?:N[°O]?)?([0-9]{{1,7}})(?:/([0-9]{{1,3}}|[A-Z]{{1,2}}))?$")

    def parse(value: Any) -> str:
        raw = re.sub(r"[\s.:\-]", "", _text(value, what)).upper()
        m = pattern.match(raw)
        if not m:
            raise ValueError(f"{value!r} is not a {what}: expected a number with an optional '/suffix' (conservation index), e.g. '{example}'")
        suffix = f"/{m.group(2)}" if m.group(2) else ""
        return f"{prefix.split('|')[0]} {int(m.group(1))}{suffix}"

    return parse


TitreFoncier = Annotated[str, BeforeValidator(_land_ref("TF|TITREFONCIER|TITRE", "titre foncier reference", "TF 12345/63")), Field(examples=["TF 12345/63"])]
"""Titre foncier (registered land) reference, canonical ``TF 12345/63``."""

Requisition = Annotated[str, BeforeValidator(_land_ref("R|REQ|REQUISITION", "réquisition d'immatriculation reference", "R 4567/63")), Field(examples=["R 4567/63"])]
"""Réquisition d'immatriculation (land being registered), canonical ``R 4567/63``."""


def _phone(value: Any) -> str:
    raw = re.sub(r"[\s\-.()]", "", _text(value, "a phone number"))
    if raw.startswith("00212"):
        raw = "+212" + raw[5:]
    elif raw.startswith("212"):
        raw = "+" + raw
    elif raw.startswith("0"):
        raw = "+212" + raw[1:]
    if not re.fullmatch(r"\+212[5-8][0-9]{8}", raw):
        raise ValueError(
            f"{value!r} is not a Moroccan phone number: expected +212 then 9 digits starting "
            "with 5, 6, 7 or 8 (or 0 then 9 digits), e.g. '+212612345678' or '0522123456'"
        )
    return raw


PhoneNumber = Annotated[str, BeforeValidator(_phone), Field(examples=["+212612345678"])]
"""A Moroccan phone number in E.164 form ``+212XXXXXXXXX``."""


def _postal(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:05d}"
    raw = _text(value, "a postal code").strip()
    if not re.fullmatch(r"[1-9][0-9]{4}", raw):
        raise ValueError(f"{value!r} is not a Moroccan postal code: expected 5 digits not starting with 0, e.g. '20250'")
    return raw


PostalCode = Annotated[str, BeforeValidator(_postal), Field(examples=["20250"])]
"""A Moroccan postal code: 5 digits."""


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def _email(value: Any) -> str:
    raw = _text(value, "an e-mail address").strip()
    if len(raw) > 254 or not _EMAIL.match(raw):
        raise ValueError(f"{value!r} is not an e-mail address: expected name@domain.tld, e.g. 'urbanisme@casablanca.ma'")
    local, _, domain = raw.partition("@")
    return f"{local}@{domain.lower()}"


Email = Annotated[str, BeforeValidator(_email), Field(examples=["urbanisme@casablanca.ma"])]
"""An e-mail address, checked for shape (no DNS look-up), domain lower-cased."""

del AfterValidator, _TF
