"""The people and bodies of a dossier: applicants, professionals, officials."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._base import ValueObject
from ._enums import CommissionBody, LegalForm, Role
from ._identifiers import (
    CIN,
    ICE,
    RC,
    Email,
    IdentifiantFiscal,
    PhoneNumber,
    PostalCode,
    TaxeProfessionnelle,
)
from ._territory import CommuneCode

__all__ = [
    "Address",
    "Architect",
    "CommissionMember",
    "Contact",
    "Engineer",
    "LegalPerson",
    "NaturalPerson",
    "Official",
    "Party",
    "Professional",
    "Surveyor",
]

NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]


class Address(ValueObject):
    """A postal address in Morocco."""

    line: NonEmpty
    city: NonEmpty
    postal_code: PostalCode | None = None
    commune: CommuneCode | None = None


class Contact(ValueObject):
    """How to reach someone."""

    phone: PhoneNumber | None = None
    email: Email | None = None


class NaturalPerson(ValueObject):
    """A natural person, identified by their CIN."""

    type: Literal["natural"] = "natural"
    first_name: NonEmpty
    last_name: NonEmpty
    first_name_ar: str | None = None
    last_name_ar: str | None = None
    cin: CIN
    address: Address | None = None
    contact: Contact | None = None

    @property
    def display_name(self) -> str:
        """First and last name, as printed on documents."""
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name_ar(self) -> str | None:
        """The name in Arabic script when the dossier gives both parts, else ``None``
        (never a transliteration of the Latin name)."""
        if self.first_name_ar and self.last_name_ar:
            return f"{self.first_name_ar} {self.last_name_ar}"
        return None


class LegalPerson(ValueObject):
    """A company, association or public body, identified by its ICE (and RC for companies)."""

    type: Literal["legal"] = "legal"
    name: NonEmpty
    name_ar: str | None = None
    legal_form: LegalForm
    ice: ICE | None = None
    rc: RC | None = None
    identifiant_fiscal: IdentifiantFiscal | None = None
    taxe_professionnelle: TaxeProfessionnelle | None = None
    representative: NaturalPerson | None = None
    address: Address | None = None
    contact: Contact | None = None

    @model_validator(mode="after")
    def _companies_have_ice(self) -> LegalPerson:
        companies = {LegalForm.SARL, LegalForm.SARL_AU, LegalForm.SA, LegalForm.SNC, LegalForm.SCI}
        if self.legal_form in companies and self.ice is None:
            raise ValueError(
                f"a {self.legal_form.value} must have an ICE (15 digits); add the 'ice' field"
            )
        return self

    @property
    def display_name(self) -> str:
        """The registered name."""
        return self.name

    @property
    def display_name_ar(self) -> str | None:
        """The registered Arabic name, if the dossier gives one."""
        return self.name_ar


Party = Annotated[NaturalPerson | LegalPerson, Field(discriminator="type")]
"""An applicant or owner: a natural or a legal person."""


class Professional(ValueObject):
    """A professional who signs plans: registered with their Ordre."""

    person: NaturalPerson
    order_number: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9/\-]+$")]
    firm: str | None = None


class Architect(Professional):
    """An architect registered with the Ordre national des architectes."""

    kind: Literal["architect"] = "architect"


class Surveyor(Professional):
    """An ingénieur géomètre-topographe (IGT), registered with the ONIGT."""

    kind: Literal["surveyor"] = "surveyor"


class Engineer(Professional):
    """A structural engineer or bureau d'études techniques (BET)."""

    kind: Literal["engineer"] = "engineer"
    bet_name: str | None = None


class Official(ValueObject):
    """An official acting for a commune: president, delegate, agent, régisseur."""

    person: NaturalPerson
    role: Role
    title_fr: NonEmpty
    title_ar: NonEmpty
    commune: CommuneCode | None = None

    @model_validator(mode="after")
    def _official_role(self) -> Official:
        allowed = {
            Role.PRESIDENT_COMMUNE,
            Role.PRESIDENT_ARRONDISSEMENT,
            Role.GUICHET_AGENT,
            Role.REGISSEUR,
            Role.AUTORITE_LOCALE,
            Role.GOUVERNEUR,
            Role.PROVINCE_CONTACT,
            Role.DGCT,
        }
        if self.role not in allowed:
            raise ValueError(
                f"{self.role.value} is not an official's role; use one of "
                f"{sorted(r.value for r in allowed)}"
            )
        return self


class CommissionMember(ValueObject):
    """A member of an instruction commission and the body they represent."""

    person: NaturalPerson
    body: CommissionBody
    title_fr: str | None = None
