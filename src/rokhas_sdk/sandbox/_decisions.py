"""The permit a decision delivers, composed from the dossier as the platform holds it.

A real platform fills the permit from the dossier (beneficiary, address, land title,
kind, commune) and its own records (number, signatory, date); the president's
back-office may set a few things itself (the number, the object, conditions, validity,
surfaces). :func:`compose_permit` does that; a full ``permit`` sent by an older client
is still accepted when it matches the dossier. Permit numbers are unique per commune:
the store's ``permit_numbers`` table refuses a second holder.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..models import Permit, ProcedureKind, get_commune, permit_number
from ._errors import ApiProblem
from ._record import DossierRecord
from ._users import canonical_commune

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = ["claim_permit_number", "complete_act", "compose_permit", "tacit_permit"]

_PRESIDENT = {"title_fr": "Président du conseil communal", "title_ar": "رئيس المجلس الجماعي"}


def _beneficiary(record: DossierRecord) -> tuple[str, str]:
    applicant = record.dossier.applicant
    data = applicant.model_dump(mode="json")
    if data.get("type") == "legal":
        return str(data["name"]), str(data.get("ice") or data.get("rc") or "-")
    return f"{data['first_name']} {data['last_name']}", str(data.get("cin") or "-")


def _address(record: DossierRecord, fallback: str) -> str:
    d = record.dossier
    if d.parcel is not None and d.parcel.address:
        return d.parcel.address
    if d.activity is not None and d.activity.premises_address:
        return d.activity.premises_address
    return fallback


def _base(sb: Sandbox, record: DossierRecord, at: datetime) -> dict[str, Any]:
    d = record.dossier
    commune = get_commune(d.commune)
    kind = ProcedureKind(d.kind)
    name, ident = _beneficiary(record)
    president = sb.users.find("PRESIDENT_COMMUNE", commune=record.commune)
    return {
        "dossier_reference": d.reference,
        "kind": kind.value,
        "commune": commune.code,
        "commune_name_fr": commune.name_fr,
        "commune_name_ar": commune.name_ar,
        "beneficiary_name": name,
        "beneficiary_id": ident,
        "object_fr": kind.label_fr,
        "object_ar": kind.label_ar,
        "address": _address(record, commune.name_fr),
        "land_reference": d.parcel.titre_foncier if d.parcel is not None else None,
        "architect_name": (
            f"{d.architect.person.first_name} {d.architect.person.last_name}"
            if d.architect is not None
            else None
        ),
        "issued_on": at.date().isoformat(),
        "signatory": {"name": president.name, **_PRESIDENT},
    }


def complete_act(sb: Sandbox, record: DossierRecord, permit: Permit) -> Permit:
    """What the platform adds to a decision when the issuer left it out: the kind's
    legal visas (``models.permit_visas``), the validity end by the kind's validity clock
    (``procedure.validity_end``), the commission's concluding opinion and its date and
    the members' bilingual reserves as conditions (the activity journal), and the Arabic
    names the dossier gives. Given fields are kept."""
    from ..models import permit_visas
    from ..procedure import CASABLANCA, validity_end

    data = permit.model_dump(mode="json")
    if not permit.visas:
        data["visas"] = [v.model_dump(mode="json") for v in permit_visas(permit.kind)]
    if permit.valid_until is None:
        end = validity_end(permit.kind, permit.issued_on)
        data["valid_until"] = end.isoformat() if end is not None else None
    activity = sb.store.journal(record.id)
    if not permit.conditions_fr:
        # a member's reserves become the act's conditions, when the member gave them in
        # both languages (a condition is never printed in one language only, nor
        # translated by the platform)
        reserves = [
            line["data"]
            for line in activity
            if line["event"] == "record_opinion"
            and line["data"].get("opinion") == "FAVORABLE_WITH_RESERVES"
        ]
        pairs = [
            (fr, ar)
            for d in reserves
            if len(d.get("reasons_fr", [])) == len(d.get("reasons_ar", []))
            for fr, ar in zip(d.get("reasons_fr", []), d.get("reasons_ar", []), strict=True)
        ]
        if pairs:
            data["conditions_fr"] = [fr for fr, _ in pairs]
            data["conditions_ar"] = [ar for _, ar in pairs]
    if permit.commission is None:
        concluded = [line for line in activity if line["event"] == "conclude_commission"]
        opinion = concluded[-1]["data"].get("opinion") if concluded else None
        if opinion in ("FAVORABLE", "FAVORABLE_WITH_RESERVES"):
            on = datetime.fromisoformat(str(concluded[-1]["recorded_at"]))
            day = on.astimezone(CASABLANCA).date()
            if day <= permit.issued_on:
                data["commission"] = {"opinion": opinion, "on": day.isoformat()}
    applicant = record.dossier.applicant
    if permit.beneficiary_name_ar is None and permit.beneficiary_name == applicant.display_name:
        data["beneficiary_name_ar"] = applicant.display_name_ar
    architect = record.dossier.architect
    if permit.architect_name_ar is None and architect is not None and permit.architect_name:
        data["architect_name_ar"] = architect.person.display_name_ar
    return Permit.model_validate(data)


def tacit_permit(sb: Sandbox, record: DossierRecord, at: datetime) -> Permit:
    """The permit data the platform states for a tacit approval (silence is consent)."""
    data = _base(sb, record, at)
    kind = ProcedureKind(record.dossier.kind)
    data.update(
        number=permit_number(record.commune, at.year, record.id[4:], tacit=True),
        object_fr=f"{kind.label_fr} (autorisation tacite)",
        object_ar=f"{kind.label_ar} (إذن ضمني)",
        architect_name=None,
        decision="tacit",
    )
    return complete_act(sb, record, Permit.model_validate(data))


def _next_number(sb: Sandbox, record: DossierRecord, at: datetime) -> str:
    n = sb.store.permit_numbers_count(record.commune) + 1
    while True:
        number = permit_number(record.commune, at.year, n)
        if sb.store.permit_number_holder(record.commune, number) is None:
            return number
        n += 1


def compose_permit(
    sb: Sandbox,
    record: DossierRecord,
    at: datetime,
    *,
    permit: Permit | None = None,
    overrides: Any = None,
) -> Permit:
    """The permit a grant delivers: composed from the dossier, with the back-office's
    ``overrides`` (``api.PermitOverrides``); or the full ``permit`` a client sent, which
    must match the dossier."""
    if permit is not None:
        _check_matches(record, permit)
        return complete_act(sb, record, permit)
    data = _base(sb, record, at)
    data["number"] = _next_number(sb, record, at)
    if overrides is not None:
        data.update(overrides.model_dump(mode="json", exclude_unset=True))
    from .._errors import InvalidInputError

    try:
        return complete_act(sb, record, Permit.model_validate(data))
    except (ValueError, InvalidInputError) as exc:
        raise ApiProblem(
            422,
            "invalid_input",
            f"les données du permis ne sont pas valides : {exc}",
            "معطيات الرخصة غير صالحة",
            details={"field": "overrides"},
            hint="check the overrides against the Permit model (dates, paired conditions)",
        ) from None


def _check_matches(record: DossierRecord, permit: Permit) -> None:
    d = record.dossier
    problems: list[dict[str, str]] = []
    if permit.kind.value != ProcedureKind(d.kind).value:
        problems.append({"field": "permit.kind", "sent": permit.kind.value, "dossier": d.kind})
    if canonical_commune(permit.commune) != record.commune:
        problems.append({"field": "permit.commune", "sent": permit.commune, "dossier": d.commune})
    if permit.dossier_reference != d.reference:
        problems.append(
            {
                "field": "permit.dossier_reference",
                "sent": permit.dossier_reference,
                "dossier": d.reference,
            }
        )
    if problems:
        raise ApiProblem(
            422,
            "invalid_input",
            "les données du permis ne correspondent pas au dossier : "
            + "; ".join(f"{p['field']} {p['sent']} ≠ {p['dossier']}" for p in problems),
            "معطيات الرخصة لا تطابق الملف: "
            + "؛ ".join(f"{p['field']} {p['sent']} ≠ {p['dossier']}" for p in problems),
            details={"problems": problems},
            hint="omit permit to let the platform compose it from the dossier",
        )


def claim_permit_number(sb: Sandbox, record: DossierRecord, number: str) -> None:
    """Reserve ``number`` in the dossier's commune, or refuse: numbers are unique per commune."""
    holder = sb.store.permit_number_holder(record.commune, number)
    if holder is not None:
        # 422, not 409: a retry of the same request can never succeed.
        raise ApiProblem(
            422,
            "invalid_input",
            f"le numéro de permis {number} est déjà attribué dans la commune {record.commune} "
            f"(dossier {holder})",
            f"رقم الرخصة {number} سبق منحه في الجماعة {record.commune}",
            details={
                "field": "permit.number",
                "rule": "permit_number_unique_per_commune",
                "commune": record.commune,
                "number": number,
            },
            hint="omit the number to let the platform give the commune's next one",
        )
    sb.store.permit_number_claim(record.commune, number, record.id)
