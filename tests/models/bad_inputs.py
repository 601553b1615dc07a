"""The catalogue of bad inputs and the typed error each one raises.

Shared by tests/models/test_bad_inputs.py (which runs every case) and by docs/errors.md
(which shows them: a test checks the page lists every case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rokhas_sdk import DataFileError, InvalidInputError, NotFoundError, RokhasError
from rokhas_sdk import models as m

PERSON = {"type": "natural", "first_name": "Salma", "last_name": "Bennani", "cin": "BE123456"}
DOSSIER = {
    "reference": "D-1",
    "kind": "URB_PERMIS_HABITER",
    "commune": "06.141.01.0",
    "applicant": PERSON,
}


def dossier(**changes: Any) -> Callable[[], Any]:
    return lambda: m.Dossier.model_validate({**DOSSIER, **changes})


@dataclass(frozen=True)
class Case:
    """One bad input: what it is, how to trigger it, the error type and a phrase of its message."""

    what: str
    call: Callable[[], Any]
    error: type[RokhasError]
    phrase: str
    path: str | None = None


CASES: list[Case] = [
    Case(
        "CIN with digits only",
        lambda: m.NaturalPerson(**{**PERSON, "cin": "123456"}),
        InvalidInputError,
        "expected 1 or 2 letters",
        "cin",
    ),
    Case(
        "ICE of 14 digits",
        lambda: m.LegalPerson(name="X", legal_form="SARL", ice="00156119100006"),
        InvalidInputError,
        "exactly 15 digits",
        "ice",
    ),
    Case(
        "ICE with a wrong check key",
        lambda: m.LegalPerson(name="X", legal_form="SARL", ice="001561191000067"),
        InvalidInputError,
        "should be 66",
        "ice",
    ),
    Case(
        "company without ICE",
        lambda: m.LegalPerson(name="X", legal_form="SA"),
        InvalidInputError,
        "must have an ICE",
        "<root>",
    ),
    Case(
        "RC without tribunal",
        lambda: m.LegalPerson(name="X", legal_form="ASSOCIATION", rc="123456"),
        InvalidInputError,
        "123456/CASABLANCA",
        "rc",
    ),
    Case(
        "IF of 6 digits",
        lambda: m.LegalPerson(name="X", legal_form="ASSOCIATION", identifiant_fiscal="123456"),
        InvalidInputError,
        "7 to 8 digits",
        "identifiant_fiscal",
    ),
    Case(
        "taxe professionnelle of 7 digits",
        lambda: m.LegalPerson(name="X", legal_form="ASSOCIATION", taxe_professionnelle="1234567"),
        InvalidInputError,
        "8 to 8 digits",
        "taxe_professionnelle",
    ),
    Case(
        "titre foncier with letters only",
        lambda: m.Parcel(
            commune="06.141.01.0", address="x", land_area="100", titre_foncier="TF ABC"
        ),
        InvalidInputError,
        "TF 12345/63",
        "titre_foncier",
    ),
    Case(
        "réquisition malformed",
        lambda: m.Parcel(commune="06.141.01.0", address="x", land_area="100", requisition="R/12"),
        InvalidInputError,
        "R 4567/63",
        "requisition",
    ),
    Case(
        "foreign phone number",
        lambda: m.Contact(phone="+33612345678"),
        InvalidInputError,
        "+212612345678",
        "phone",
    ),
    Case(
        "postal code of 4 digits",
        lambda: m.Address(line="x", city="y", postal_code="2025"),
        InvalidInputError,
        "5 digits",
        "postal_code",
    ),
    Case(
        "e-mail without domain",
        lambda: m.Contact(email="urbanisme"),
        InvalidInputError,
        "name@domain.tld",
        "email",
    ),
    Case(
        "float money",
        lambda: m.Project(use="COMMERCIAL", description="x", works_cost_ht=1250.5),
        InvalidInputError,
        "must not be a float",
        "works_cost_ht",
    ),
    Case(
        "money with 3 decimals",
        lambda: m.Project(use="COMMERCIAL", description="x", works_cost_ht="10.005"),
        InvalidInputError,
        "at most 2 decimals",
        "works_cost_ht",
    ),
    Case(
        "negative works cost",
        lambda: m.Project(use="COMMERCIAL", description="x", works_cost_ht="-1"),
        InvalidInputError,
        "cannot be negative",
        "<root>",
    ),
    Case(
        "negative area",
        lambda: m.Level(name="RDC", floor_area="-12"),
        InvalidInputError,
        "cannot be negative",
        "floor_area",
    ),
    Case(
        "float area",
        lambda: m.Level(name="RDC", floor_area=12.5),
        InvalidInputError,
        "must not be a float",
        "floor_area",
    ),
    Case(
        "zero land area",
        lambda: m.Parcel(commune="06.141.01.0", address="x", land_area="0"),
        InvalidInputError,
        "greater than 0",
        "<root>",
    ),
    Case(
        "two levels with one name",
        lambda: m.Project(
            use="COMMERCIAL", description="x", levels=[{"name": "RDC", "floor_area": "1"}] * 2
        ),
        InvalidInputError,
        "distinct name",
        "<root>",
    ),
    Case(
        "unknown procedure kind",
        dossier(kind="PERMIS_PISCINE"),
        InvalidInputError,
        "rokhas_sdk.models.ProcedureKind",
        "kind",
    ),
    Case(
        "procedure kind look-up by an unknown name",
        lambda: m.procedure_kind_info("PERMIS_PISCINE"),
        NotFoundError,
        "known kinds",
        None,
    ),
    Case(
        "unknown party type",
        dossier(applicant={**PERSON, "type": "company"}),
        InvalidInputError,
        "'natural' for a person with a CIN",
        "applicant",
    ),
    Case(
        "party without type",
        dossier(applicant={k: v for k, v in PERSON.items() if k != "type"}),
        InvalidInputError,
        "missing the 'type' field",
        "applicant",
    ),
    Case(
        "misspelt field", dossier(projet={}), InvalidInputError, "did you mean 'project'?", "projet"
    ),
    Case(
        "extra field in a nested model",
        dossier(applicant={**PERSON, "age": 40}),
        InvalidInputError,
        "NaturalPerson accepts",
        "applicant.natural.age",
    ),
    Case(
        "unknown commune code",
        dossier(commune="06.141.01.9"),
        InvalidInputError,
        "is not a known commune code",
        "commune",
    ),
    Case(
        "commune look-up by an unknown code",
        lambda: m.get_commune("99.999.99.9"),
        NotFoundError,
        "rokhas commune",
        None,
    ),
    Case(
        "unknown province code",
        lambda: m.ProvinceSignatureContact(
            province_code="999",
            full_name="A",
            title="B",
            phone="0522000000",
            address="C",
            email="a@b.ma",
        ),
        InvalidInputError,
        "'06.141'",
        "province_code",
    ),
    Case(
        "missing required field",
        lambda: m.Dossier.model_validate({k: v for k, v in DOSSIER.items() if k != "applicant"}),
        InvalidInputError,
        "this field is required",
        "applicant",
    ),
    Case(
        "economic licence with a building project",
        dossier(kind="ECO_ACTIVITE_COURANTE", project={"use": "COMMERCIAL", "description": "x"}),
        InvalidInputError,
        "takes an 'activity'",
        "<root>",
    ),
    Case(
        "urban procedure with an activity",
        dossier(activity={"label": "x", "premises_address": "y"}),
        InvalidInputError,
        "takes a 'project'",
        "<root>",
    ),
    Case(
        "parcel in another commune",
        dossier(parcel={"commune": "04.421.01.0", "address": "x", "land_area": "10"}),
        InvalidInputError,
        "file it with the commune where the land is",
        "<root>",
    ),
    Case(
        "company filing a petit projet",
        dossier(
            kind="URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
            applicant={
                "type": "legal",
                "name": "X",
                "legal_form": "SARL",
                "ice": "001561191000066",
            },
        ),
        InvalidInputError,
        "URB_PERMIS_CONSTRUIRE_GRAND_PROJET",
        "<root>",
    ),
    Case(
        "lotissement without lots",
        dossier(
            kind="URB_AUTORISATION_LOTIR", project={"use": "COLLECTIVE_HOUSING", "description": "x"}
        ),
        InvalidInputError,
        "lots_count >= 1",
        "<root>",
    ),
    Case(
        "piece file name with a path",
        lambda: m.Piece(type="AUTRE", file_name="../etc/passwd", size=1, sha256="a" * 64),
        InvalidInputError,
        "a plain file name",
        "file_name",
    ),
    Case(
        "piece hash that is not SHA-256",
        lambda: m.Piece(type="AUTRE", file_name="a.pdf", size=1, sha256="abc"),
        InvalidInputError,
        "expected form",
        "sha256",
    ),
    Case(
        "unknown piece type",
        lambda: m.Piece(type="PHOTO_DRONE", file_name="a.pdf", size=1, sha256="a" * 64),
        InvalidInputError,
        "rokhas_sdk.models.PieceType",
        "type",
    ),
    Case(
        "official with a non-official role",
        lambda: m.Official(person=PERSON, role="ARCHITECTE", title_fr="x", title_ar="y"),
        InvalidInputError,
        "not an official's role",
        "<root>",
    ),
    Case(
        "permit valid before issue",
        lambda: m.Permit.model_validate(
            {
                "number": "P1",
                "dossier_reference": "D1",
                "kind": "URB_PERMIS_HABITER",
                "commune": "06.141.01.0",
                "commune_name_fr": "C",
                "commune_name_ar": "ا",
                "beneficiary_name": "B",
                "beneficiary_id": "BE1",
                "object_fr": "o",
                "object_ar": "ا",
                "address": "a",
                "issued_on": "2026-05-01",
                "valid_until": "2026-04-01",
                "signatory": {"name": "n", "title_fr": "t", "title_ar": "ا"},
            }
        ),
        InvalidInputError,
        "is before issued_on",
        "<root>",
    ),
    Case(
        "key PIN changed before it was received",
        lambda: m.KeyDeliveryRecord.model_validate(
            {
                "holder": PERSON,
                "commune": "06.141.01.0",
                "contact": {
                    "province_code": "06.141",
                    "full_name": "A",
                    "title": "B",
                    "phone": "0522000000",
                    "address": "C",
                    "email": "a@b.ma",
                },
                "shipped_at": "2026-01-01T10:00:00+01:00",
                "handed_over_at": "2026-01-02T10:00:00+01:00",
                "pin_changed_at": "2026-01-03T10:00:00+01:00",
            }
        ),
        InvalidInputError,
        "record the steps in order",
        "<root>",
    ),
    Case(
        "key delivered by another province's contact",
        lambda: m.KeyDeliveryRecord.model_validate(
            {
                "holder": PERSON,
                "commune": "06.141.01.0",
                "contact": {
                    "province_code": "04.421",
                    "full_name": "A",
                    "title": "B",
                    "phone": "0522000000",
                    "address": "C",
                    "email": "a@b.ma",
                },
            }
        ),
        InvalidInputError,
        "contact of the commune's own prefecture",
        "<root>",
    ),
    Case(
        "invalid JSON",
        lambda: m.Dossier.model_validate_json(b"{not json"),
        InvalidInputError,
        "Invalid JSON",
        "<root>",
    ),
    Case(
        "communes CSV with a bad kind",
        lambda: _csv("code,name_fr,name_ar,province_code,kind\n1,A,ا,06.141,village\n"),
        DataFileError,
        "kind must be 'urban' or 'rural'",
        None,
    ),
]


def _csv(text: str) -> Any:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "communes.csv"
        path.write_text(text, encoding="utf-8")
        return m.load_communes_csv(
            path,
            target=m.TerritoryRegistry(
                m.registry().regions.values(), m.registry().provinces.values(), []
            ),
        )
