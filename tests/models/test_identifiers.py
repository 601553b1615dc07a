"""Moroccan identifiers: canonical forms, loose input accepted, bad input refused."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from rokhas_sdk import InvalidInputError
from rokhas_sdk import models as m
from rokhas_sdk.models import ice_check_key
from rokhas_sdk.testing import strategies as S


def parse(tp: Any, value: Any) -> str:
    return TypeAdapter(tp).validate_python(value)  # type: ignore[no-any-return]


def refused(tp: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(tp).validate_python(value)
    return str(exc.value)


# ICE ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ice", ["001561191000066", "002136093000040", "000036794000036", "001512572000078"]
)
def test_published_ices_are_accepted(ice: str) -> None:
    # ICEs printed in public references (python-stdnum and stdnum-js test data).
    assert parse(m.ICE, ice) == ice


def test_ice_check_key_of_a_published_ice() -> None:
    assert ice_check_key("0015611910000") == "66"


@given(S.ices())
def test_valid_ice_is_a_multiple_of_97(ice: str) -> None:
    assert int(ice) % 97 == 0
    assert parse(m.ICE, ice) == ice
    spaced = " ".join(ice[i : i + 3] for i in range(0, 15, 3))
    assert parse(m.ICE, spaced) == ice


@given(S.ices(), st.integers(0, 14), st.integers(1, 9))
def test_a_single_wrong_digit_is_caught(ice: str, position: int, delta: int) -> None:
    wrong = ice[:position] + str((int(ice[position]) + delta) % 10) + ice[position + 1 :]
    # 97 is prime and larger than any single-digit change times a power of ten's residue:
    # a one-digit change never keeps the number a multiple of 97.
    message = refused(m.ICE, wrong)
    assert "check key" in message
    assert "should be" in message


@pytest.mark.parametrize(
    "bad", ["12345", "0015611910000661", "00156119100006A", "", "٠٠١٥٦١١٩١٠٠٠٠٦٦"]
)
def test_malformed_ice_shows_the_format(bad: str) -> None:
    assert "15 digits" in refused(m.ICE, bad)


def test_ice_check_key_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="13 leading digits"):
        ice_check_key("123")


# CIN ------------------------------------------------------------------------------------


@given(S.cins())
def test_cin_canonical_form_is_stable(cin: str) -> None:
    assert parse(m.CIN, cin) == cin
    assert parse(m.CIN, f" {cin.lower()} ") == cin


def test_cin_keeps_leading_zeros() -> None:
    assert parse(m.CIN, "a 012345") == "A012345"
    assert parse(m.CIN, "A012345") != parse(m.CIN, "A12345")


@pytest.mark.parametrize("bad", ["123456", "ABC123", "A1234567", "A", "É123", 123456])
def test_malformed_cin_shows_the_format(bad: Any) -> None:
    message = refused(m.CIN, bad)
    assert "BE123456" in message or "must be text" in message


# RC, IF, TP ---------------------------------------------------------------------------


@given(S.rcs())
def test_rc_round_trip(rc: str) -> None:
    assert parse(m.RC, rc) == rc
    number, tribunal = rc.split("/")
    assert parse(m.RC, f"RC n° 00{number} / {tribunal.title()}") == rc


def test_rc_folds_accents_of_the_tribunal() -> None:
    assert parse(m.RC, "4521/Fès") == "4521/FES"


@pytest.mark.parametrize("bad", ["123456", "CASABLANCA/123", "12345678/RABAT", "/RABAT"])
def test_malformed_rc_shows_the_format(bad: str) -> None:
    assert "123456/CASABLANCA" in refused(m.RC, bad)


@given(S.identifiants_fiscaux())
def test_if_round_trip(value: str) -> None:
    assert parse(m.IdentifiantFiscal, value) == value


@pytest.mark.parametrize("bad", ["123456", "123456789", "1234567a", "١٢٣٤٥٦٧"])
def test_malformed_if_shows_the_format(bad: str) -> None:
    assert "7 to 8 digits" in refused(m.IdentifiantFiscal, bad)


@given(S.taxes_professionnelles())
def test_tp_round_trip(value: str) -> None:
    assert parse(m.TaxeProfessionnelle, value) == value
    assert parse(m.TaxeProfessionnelle, " ".join(value[i : i + 2] for i in range(0, 8, 2))) == value


@pytest.mark.parametrize("bad", ["1234567", "123456789", "abcdefgh"])
def test_malformed_tp_shows_the_format(bad: str) -> None:
    assert "8 to 8 digits" in refused(m.TaxeProfessionnelle, bad)


# land references ----------------------------------------------------------------------


@given(S.titres_fonciers())
def test_titre_foncier_round_trip(tf: str) -> None:
    assert parse(m.TitreFoncier, tf) == tf


def test_titre_foncier_loose_forms() -> None:
    assert parse(m.TitreFoncier, "T.F. n° 12.345/C") == "TF 12345/C"
    assert parse(m.TitreFoncier, "titre foncier 0012345/63") == "TF 12345/63"


@given(S.requisitions())
def test_requisition_round_trip(r: str) -> None:
    assert parse(m.Requisition, r) == r


def test_requisition_loose_form() -> None:
    assert parse(m.Requisition, "Réquisition n° 4567/63") == "R 4567/63"


@pytest.mark.parametrize(
    ("tp", "bad"),
    [(m.TitreFoncier, "TF ABC"), (m.TitreFoncier, "12345/ABC"), (m.Requisition, "R-")],
)
def test_malformed_land_reference_shows_the_format(tp: Any, bad: str) -> None:
    assert "e.g." in refused(tp, bad)


# phones, postal codes, e-mail ---------------------------------------------------------


@given(S.phones())
def test_phone_forms_agree(phone: str) -> None:
    national = "0" + phone[4:]
    assert parse(m.PhoneNumber, phone) == phone
    assert parse(m.PhoneNumber, national) == phone
    assert parse(m.PhoneNumber, "00212" + phone[4:]) == phone
    assert (
        parse(m.PhoneNumber, f"+212 (0){phone[4]} {phone[5:7]} {phone[7:9]} {phone[9:]}") == phone
    )


@pytest.mark.parametrize(
    "bad", ["0412345678", "+33612345678", "061234567", "+2126123456789", "phone"]
)
def test_malformed_phone_shows_the_format(bad: str) -> None:
    assert "+212612345678" in refused(m.PhoneNumber, bad)


@given(S.postal_codes())
def test_postal_code_round_trip(code: str) -> None:
    assert parse(m.PostalCode, code) == code
    assert parse(m.PostalCode, int(code)) == code


@pytest.mark.parametrize("bad", ["02025", "2025", "202500", "2O250", 999])
def test_malformed_postal_code_shows_the_format(bad: Any) -> None:
    assert "5 digits" in refused(m.PostalCode, bad)


@given(S.emails())
def test_email_round_trip(email: str) -> None:
    assert parse(m.Email, email) == email
    local, domain = email.split("@")
    assert parse(m.Email, f"{local}@{domain.upper()}") == email


@pytest.mark.parametrize("bad", ["nobody", "a@b", "a@@b.ma", "a b@c.ma", "x@" + "d" * 260 + ".ma"])
def test_malformed_email_shows_the_format(bad: str) -> None:
    assert "name@domain.tld" in refused(m.Email, bad)


# any junk ------------------------------------------------------------------------------

IDENTIFIERS = [
    m.CIN,
    m.ICE,
    m.RC,
    m.IdentifiantFiscal,
    m.TaxeProfessionnelle,
    m.TitreFoncier,
    m.Requisition,
    m.PhoneNumber,
    m.PostalCode,
    m.Email,
]


@pytest.mark.parametrize("tp", IDENTIFIERS)
@given(
    junk=st.one_of(
        st.text(max_size=30),
        st.binary(max_size=10),
        st.floats(),
        st.none(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_parsers_never_crash_and_are_idempotent(tp: Any, junk: Any) -> None:
    # Whatever comes in, the parser either returns a canonical value (that parses to
    # itself) or raises a validation error; never another exception.
    try:
        value = parse(tp, junk)
    except ValidationError:
        return
    assert parse(tp, value) == value


def test_identifier_errors_reach_users_as_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as exc:
        m.NaturalPerson(first_name="A", last_name="B", cin="12")
    assert exc.value.problems[0].path == "cin"
    assert "BE123456" in exc.value.problems[0].message


def test_digits_in_other_scripts_are_refused() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "40123456")
    assert arabic_indic != "40123456"
    refused(m.IdentifiantFiscal, arabic_indic)
    assert set(string.digits) <= set("0123456789")
