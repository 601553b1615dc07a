"""Hypothesis strategies for every public model of :mod:`rokhas_sdk.models`.

For downstream test suites that property-test their own code on dossiers, permits and
parties: each strategy draws *valid* values, in canonical form (a value survives a JSON
round trip unchanged), with real commune codes from the territory registry and
identifiers whose check keys are right::

    from hypothesis import given
    from rokhas_sdk.testing.strategies import dossiers, strategy_for

    @given(dossiers())
    def test_my_portal_accepts_every_valid_dossier(dossier):
        ...

    @given(strategy_for("Permit"))
    def test_my_archive_stores_every_permit(permit):
        ...

Needs hypothesis (the ``testing`` extra); ``import rokhas_sdk.testing`` alone does not
import it. Strategies are plain functions returning strategies, so they compose:
``dossiers(kind=ProcedureKind.URB_PERMIS_HABITER)``, ``money(max_cents=10**6)``.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .._errors import InvalidInputError, require_extra

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the testing extra brings it
    raise require_extra("hypothesis", "testing") from None

from .. import models as m
from ..models import ice_check_key, registry

LATIN = string.ascii_letters + "éèàçâêîôûÉÀ'-"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
TRIBUNALS = [
    "CASABLANCA",
    "RABAT",
    "FES",
    "MARRAKECH",
    "TANGER",
    "AGADIR",
    "MEKNES",
    "OUJDA",
    "EL JADIDA",
]


def words(alphabet: str = LATIN, max_words: int = 3, max_len: int = 12) -> st.SearchStrategy[str]:
    """One to ``max_words`` non-empty words separated by single spaces (survives stripping)."""
    word = st.text(alphabet=alphabet, min_size=1, max_size=max_len)
    return st.lists(word, min_size=1, max_size=max_words).map(" ".join)


def digits(n_min: int, n_max: int) -> st.SearchStrategy[str]:
    """Strings of ASCII digits, ``n_min`` to ``n_max`` long."""
    return st.text(alphabet=string.digits, min_size=n_min, max_size=n_max)


# identifiers ---------------------------------------------------------------------------


def cins() -> st.SearchStrategy[str]:
    """CIN numbers (one or two letters, then digits), in canonical upper case."""
    return st.builds(
        lambda a, b: a + b, st.text(string.ascii_uppercase, min_size=1, max_size=2), digits(1, 6)
    )


def ices() -> st.SearchStrategy[str]:
    """ICE numbers: 13 digits and their check key."""
    return digits(13, 13).map(lambda d: d + ice_check_key(d))


def rcs() -> st.SearchStrategy[str]:
    """Registre du commerce numbers with their tribunal (``12345/CASABLANCA``)."""
    return st.builds(lambda n, t: f"{n}/{t}", st.integers(1, 9_999_999), st.sampled_from(TRIBUNALS))


def identifiants_fiscaux() -> st.SearchStrategy[str]:
    """Identifiants fiscaux (7 or 8 digits)."""
    return digits(7, 8)


def taxes_professionnelles() -> st.SearchStrategy[str]:
    """Taxe professionnelle numbers (8 digits)."""
    return digits(8, 8)


def _suffix() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        digits(1, 3).map(lambda s: "/" + s),
        st.text(string.ascii_uppercase, min_size=1, max_size=2).map(lambda s: "/" + s),
    )


def titres_fonciers() -> st.SearchStrategy[str]:
    """Titres fonciers in canonical form (``TF 12345/63``)."""
    return st.builds(lambda n, s: f"TF {n}{s}", st.integers(1, 99_999_999), _suffix())


def requisitions() -> st.SearchStrategy[str]:
    """Réquisitions d'immatriculation in canonical form."""
    return st.builds(lambda n, s: f"R {n}{s}", st.integers(1, 99_999_999), _suffix())


def phones() -> st.SearchStrategy[str]:
    """Moroccan phone numbers in canonical form."""
    return st.builds(lambda a, b: f"+212{a}{b}", st.sampled_from("5678"), digits(8, 8))


def postal_codes() -> st.SearchStrategy[str]:
    """Five-digit postal codes."""
    return st.builds(lambda a, b: a + b, st.sampled_from("123456789"), digits(4, 4))


def emails() -> st.SearchStrategy[str]:
    """E-mail addresses the models accept."""
    local = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20)
    label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
    return st.builds(
        lambda a, b, c: f"{a}@{b}.{c}",
        local,
        label,
        st.sampled_from(["ma", "com", "gov.ma", "org"]),
    )


def commune_codes() -> st.SearchStrategy[str]:
    """Current codes of communes in the territory registry."""
    return st.sampled_from(sorted(registry().communes))


def province_codes() -> st.SearchStrategy[str]:
    """Codes of provinces and prefectures in the territory registry."""
    return st.sampled_from(sorted(registry().provinces))


# numbers -------------------------------------------------------------------------------


def amounts(min_cents: int = 0, max_cents: int = 10**13) -> st.SearchStrategy[Decimal]:
    """Exact amounts with two decimals."""
    return st.integers(min_cents, max_cents).map(lambda c: Decimal(c).scaleb(-2))


def money(min_cents: int = 0, max_cents: int = 10**13) -> st.SearchStrategy[m.Money]:
    """``Money`` amounts in MAD, two decimals."""
    return amounts(min_cents, max_cents).map(m.Money)


def areas(min_cm: int = 0, max_cm: int = 10**10) -> st.SearchStrategy[Decimal]:
    """Areas in m² with at most two decimals (hundredths of m²)."""
    return st.integers(min_cm, max_cm).map(lambda c: Decimal(c).scaleb(-2))


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes (UTC or a fixed offset)."""
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=0))])
    return st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=offsets
    )


def sha256s() -> st.SearchStrategy[str]:
    """Lower-case hex SHA-256 digests."""
    return st.text("0123456789abcdef", min_size=64, max_size=64)


# models --------------------------------------------------------------------------------


def addresses() -> st.SearchStrategy[m.Address]:
    """``Address`` values."""
    return st.builds(
        m.Address,
        line=words(max_words=4),
        city=words(max_words=2),
        postal_code=st.none() | postal_codes(),
        commune=st.none() | commune_codes(),
    )


def contacts() -> st.SearchStrategy[m.Contact]:
    """``Contact`` values."""
    return st.builds(m.Contact, phone=st.none() | phones(), email=st.none() | emails())


def natural_persons() -> st.SearchStrategy[m.NaturalPerson]:
    """``NaturalPerson`` values (CIN, French and optional Arabic names)."""
    return st.builds(
        m.NaturalPerson,
        first_name=words(max_words=2),
        last_name=words(max_words=2),
        first_name_ar=st.none() | words(ARABIC, 2),
        last_name_ar=st.none() | words(ARABIC, 2),
        cin=cins(),
        address=st.none() | addresses(),
        contact=st.none() | contacts(),
    )


_COMPANIES = {
    m.LegalForm.SARL,
    m.LegalForm.SARL_AU,
    m.LegalForm.SA,
    m.LegalForm.SNC,
    m.LegalForm.SCI,
}


@st.composite
def legal_persons(draw: st.DrawFn) -> m.LegalPerson:
    """``LegalPerson`` values (a company with its ICE and RC)."""
    form = draw(st.sampled_from(list(m.LegalForm)))
    ice = draw(ices()) if form in _COMPANIES else draw(st.none() | ices())
    return m.LegalPerson(
        name=draw(words(max_words=4)),
        name_ar=draw(st.none() | words(ARABIC, 3)),
        legal_form=form,
        ice=ice,
        rc=draw(st.none() | rcs()),
        identifiant_fiscal=draw(st.none() | identifiants_fiscaux()),
        taxe_professionnelle=draw(st.none() | taxes_professionnelles()),
        representative=draw(st.none() | natural_persons()),
        address=draw(st.none() | addresses()),
        contact=draw(st.none() | contacts()),
    )


def parties() -> st.SearchStrategy[m.NaturalPerson | m.LegalPerson]:
    """A natural or a legal person."""
    return natural_persons() | legal_persons()


def order_numbers() -> st.SearchStrategy[str]:
    """Order numbers of professionals (architects, surveyors)."""
    return st.text(string.ascii_letters + string.digits + "/-", min_size=1, max_size=20)


def professionals() -> st.SearchStrategy[m.Professional]:
    """``Professional`` values."""
    return st.builds(
        m.Professional,
        person=natural_persons(),
        order_number=order_numbers(),
        firm=st.none() | words(),
    )


def architects() -> st.SearchStrategy[m.Architect]:
    """``Architect`` values."""
    return st.builds(
        m.Architect,
        person=natural_persons(),
        order_number=order_numbers(),
        firm=st.none() | words(),
    )


def surveyors() -> st.SearchStrategy[m.Surveyor]:
    """``Surveyor`` values."""
    return st.builds(
        m.Surveyor, person=natural_persons(), order_number=order_numbers(), firm=st.none() | words()
    )


def engineers() -> st.SearchStrategy[m.Engineer]:
    """``Engineer`` values."""
    return st.builds(
        m.Engineer,
        person=natural_persons(),
        order_number=order_numbers(),
        firm=st.none() | words(),
        bet_name=st.none() | words(),
    )


OFFICIAL_ROLES = [
    m.Role.PRESIDENT_COMMUNE,
    m.Role.PRESIDENT_ARRONDISSEMENT,
    m.Role.GUICHET_AGENT,
    m.Role.REGISSEUR,
    m.Role.AUTORITE_LOCALE,
    m.Role.GOUVERNEUR,
    m.Role.PROVINCE_CONTACT,
    m.Role.DGCT,
]


def officials() -> st.SearchStrategy[m.Official]:
    """``Official`` values (agents, presidents, commission members...)."""
    return st.builds(
        m.Official,
        person=natural_persons(),
        role=st.sampled_from(OFFICIAL_ROLES),
        title_fr=words(),
        title_ar=words(ARABIC),
        commune=st.none() | commune_codes(),
    )


def commission_members() -> st.SearchStrategy[m.CommissionMember]:
    """``CommissionMember`` values."""
    return st.builds(
        m.CommissionMember,
        person=natural_persons(),
        body=st.sampled_from(list(m.CommissionBody)),
        title_fr=st.none() | words(),
    )


def parcels(commune: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[m.Parcel]:
    """``Parcel`` values, in a commune drawn from ``commune`` (any commune by default)."""
    return st.builds(
        m.Parcel,
        commune=commune if commune is not None else commune_codes(),
        address=words(max_words=5),
        titre_foncier=st.none() | titres_fonciers(),
        requisition=st.none() | requisitions(),
        land_area=areas(min_cm=1),
        zoning=st.none()
        | st.text(string.ascii_uppercase + string.digits + "+", min_size=1, max_size=8),
    )


def levels() -> st.SearchStrategy[m.Level]:
    """``Level`` values (a floor and its area)."""
    return st.builds(m.Level, name=words(max_words=2, max_len=10), floor_area=areas())


@st.composite
def projects(
    draw: st.DrawFn, *, uses: list[m.ConstructionUse] | None = None, corporate: bool | None = None
) -> m.Project:
    """``Project`` values."""
    lv = draw(st.lists(levels(), max_size=5, unique_by=lambda x: x.name))
    return m.Project(
        use=draw(st.sampled_from(uses or list(m.ConstructionUse))),
        description=draw(words(max_words=8)),
        covered_area=draw(areas()),
        levels=tuple(lv),
        saillies_private_area=draw(areas(max_cm=10**6)),
        saillies_public_domain_area=draw(areas(max_cm=10**6)),
        works_cost_ht=draw(st.none() | money()),
        housing_units=draw(st.integers(0, 100_000)),
        lots_count=draw(st.integers(0, 100_000)),
        subdivided_area=draw(areas()),
        restoration=draw(st.booleans()),
        public_or_corporate_owner=draw(st.booleans()) if corporate is None else corporate,
    )


def activities() -> st.SearchStrategy[m.Activity]:
    """``Activity`` values (economic licences)."""
    return st.builds(
        m.Activity,
        label=words(max_words=4),
        premises_address=words(max_words=5),
        premises_area=st.none() | areas(),
        public_domain_area=areas(max_cm=10**7),
        public_domain_days=st.integers(0, 3660),
        sells_beverages=st.booleans(),
        investment_related=st.booleans(),
    )


def signatures_on_piece() -> st.SearchStrategy[m.SignatureOnPiece]:
    """``SignatureOnPiece`` values."""
    return st.builds(
        m.SignatureOnPiece,
        signer_name=words(),
        role=st.sampled_from(list(m.Role)),
        certificate_sha256=st.none() | sha256s(),
    )


def file_names() -> st.SearchStrategy[str]:
    """File names a piece may carry."""
    name = st.text(string.ascii_letters + string.digits + "-_ éà()", min_size=1, max_size=40)
    return st.builds(
        lambda n, e: f"{n.strip() or 'x'}.{e}", name, st.sampled_from(["pdf", "dwg", "jpg", "PDF"])
    )


def pieces(types: st.SearchStrategy[m.PieceType] | None = None) -> st.SearchStrategy[m.Piece]:
    """``Piece`` values, of a type drawn from ``types`` (any type by default)."""
    return st.builds(
        m.Piece,
        type=types if types is not None else st.sampled_from(list(m.PieceType)),
        file_name=file_names(),
        media_type=st.sampled_from(
            ["application/pdf", "image/jpeg", "image/vnd.dwg", "application/zip"]
        ),
        size=st.integers(1, 200 * 1024 * 1024),
        sha256=sha256s(),
        signed_by=st.lists(signatures_on_piece(), max_size=3).map(tuple),
    )


_GRAND_ONLY = {
    m.ProcedureKind.URB_AUTORISATION_LOTIR,
    m.ProcedureKind.URB_AUTORISATION_GROUPE_HABITATIONS,
    m.ProcedureKind.URB_AUTORISATION_MORCELER,
    m.ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET,
}
_PETIT_USES: list[m.ConstructionUse] = [
    u
    for u in m.ConstructionUse
    if u not in (m.ConstructionUse.ADMINISTRATIVE, m.ConstructionUse.EQUIPMENT)
]


@st.composite
def dossiers(draw: st.DrawFn, kind: m.ProcedureKind | None = None) -> m.Dossier:
    """A dossier that respects every invariant of :class:`Dossier` (it may still be incomplete)."""
    k = kind if kind is not None else draw(st.sampled_from(list(m.ProcedureKind)))
    commune = draw(commune_codes())
    petit = k is m.ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET
    applicant = draw(natural_persons()) if petit else draw(parties())
    data: dict[str, Any] = {
        "reference": draw(st.text(string.ascii_letters + string.digits, min_size=1, max_size=1))
        + draw(st.text(string.ascii_letters + string.digits + "-_/.", max_size=30)),
        "kind": k,
        "commune": commune,
        "applicant": applicant,
        "owner": draw(st.none() | parties()),
        "architect": draw(st.none() | architects()),
        "surveyor": draw(st.none() | surveyors()),
        "engineer": draw(st.none() | engineers()),
        "pieces": draw(st.lists(pieces(), max_size=6)),
        "platform_number": draw(
            st.none()
            | st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=20)
        ),
        "created_at": draw(st.none() | aware_datetimes()),
    }
    if k.is_economic:
        data["activity"] = draw(st.none() | activities())
    else:
        data["parcel"] = draw(st.none() | parcels(st.just(commune)))
        project = draw(
            st.none()
            | projects(uses=_PETIT_USES if petit else None, corporate=False if petit else None)
        )
        if (
            project is not None
            and k is m.ProcedureKind.URB_AUTORISATION_LOTIR
            and project.lots_count == 0
        ):
            project = project.model_copy(update={"lots_count": 1})
        data["project"] = project
    return m.Dossier(**data)


def missing_items() -> st.SearchStrategy[m.MissingItem]:
    """``MissingItem`` values."""
    return st.builds(
        m.MissingItem,
        kind=st.sampled_from(list(m.MissingKind)),
        code=words(max_words=1),
        label_fr=words(),
        label_ar=words(ARABIC),
    )


def permit_signatories() -> st.SearchStrategy[m.PermitSignatory]:
    """``PermitSignatory`` values."""
    return st.builds(
        m.PermitSignatory,
        name=words(),
        title_fr=words(),
        title_ar=words(ARABIC),
        name_ar=st.none() | words(ARABIC),
    )


def permit_visas() -> st.SearchStrategy[m.PermitVisa]:
    """``PermitVisa`` values: bundled rows of every procedure, and a commune's own."""
    # the bundled rows, and made-up ones (a commune's own visas are allowed)
    bundled = st.sampled_from(list(m.ProcedureKind)).flatmap(
        lambda k: st.sampled_from(m.permit_visas(k, confidence=frozenset("CIU")))
    )
    made_up = st.builds(
        m.PermitVisa,
        id=st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=20),
        text_fr=words(),
        text_ar=words(ARABIC),
        legal_text=words(),
        article=st.none() | words(max_words=2),
        source=st.none() | words(max_words=1),
        source_url=st.none() | st.just("https://example.ma/loi"),
        confidence=st.sampled_from(["C", "I", "U"]),
        note=st.none() | words(),
    )
    return bundled | made_up


def commission_opinions(
    on: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[m.CommissionOpinion]:
    """``CommissionOpinion`` values (a body's opinion on a dossier)."""
    return st.builds(
        m.CommissionOpinion,
        opinion=st.sampled_from(list(m.Opinion)),
        on=on if on is not None else st.dates(min_value=date(2015, 1, 1)),
        minutes_reference=st.none()
        | st.text(string.ascii_uppercase + "-0123456789", min_size=1, max_size=12),
    )


def permit_surfaces() -> st.SearchStrategy[m.PermitSurfaces]:
    """``PermitSurfaces`` values."""
    return st.builds(
        m.PermitSurfaces,
        land_area=st.none() | areas(),
        covered_area=st.none() | areas(),
        floor_area=st.none() | areas(),
        levels=st.none() | st.integers(0, 200),
    )


@st.composite
def permits(draw: st.DrawFn) -> m.Permit:
    """``Permit`` values: a granted or refused decision with its bilingual texts."""
    issued = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2080, 1, 1)))
    n = draw(st.integers(0, 3))
    code = draw(commune_codes())
    commune = registry().commune(code)
    decision = draw(st.sampled_from(["granted", "tacit"]))
    return m.Permit(
        number=draw(st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=1))
        + draw(st.text(string.ascii_uppercase + string.digits + "-/", max_size=20)),
        dossier_reference=draw(
            st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=20)
        ),
        kind=draw(st.sampled_from(list(m.ProcedureKind))),
        commune=code,
        commune_name_fr=commune.name_fr,
        commune_name_ar=commune.name_ar,
        beneficiary_name=draw(words()),
        beneficiary_id=draw(cins() | ices()),
        object_fr=draw(words(max_words=6)),
        object_ar=draw(words(ARABIC, 6)),
        address=draw(words(max_words=5)),
        land_reference=draw(st.none() | titres_fonciers()),
        architect_name=draw(st.none() | words()),
        surfaces=draw(permit_surfaces()),
        decision=decision,
        issued_on=issued,
        valid_until=draw(
            st.none() | st.integers(0, 3650).map(lambda d: issued + timedelta(days=d))
        ),
        conditions_fr=tuple(draw(st.lists(words(max_words=5), min_size=n, max_size=n))),
        conditions_ar=tuple(draw(st.lists(words(ARABIC, 5), min_size=n, max_size=n))),
        visas=tuple(draw(st.lists(permit_visas(), max_size=4, unique_by=lambda v: v.id))),
        commission=draw(
            st.none()
            | commission_opinions(
                st.dates(min_value=issued - timedelta(days=90), max_value=issued)
            ).filter(
                lambda c: (
                    decision != "granted"
                    or c.opinion in (m.Opinion.FAVORABLE, m.Opinion.FAVORABLE_WITH_RESERVES)
                )
            )
        ),
        beneficiary_name_ar=draw(st.none() | words(ARABIC)),
        architect_name_ar=draw(st.none() | words(ARABIC)),
        signatory=draw(permit_signatories()),
    )


def province_signature_contacts(
    province: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[m.ProvinceSignatureContact]:
    """``ProvinceSignatureContact`` values, for a province drawn from ``province``."""
    return st.builds(
        m.ProvinceSignatureContact,
        province_code=province if province is not None else province_codes(),
        full_name=words(),
        title=words(max_words=4),
        phone=phones(),
        address=words(max_words=5),
        email=emails(),
    )


@st.composite
def key_delivery_records(draw: st.DrawFn) -> m.KeyDeliveryRecord:
    """``KeyDeliveryRecord`` values: a signing key's delivery, its steps in order."""
    code = draw(commune_codes())
    province = registry().commune(code).province_code
    start = draw(aware_datetimes())
    steps = draw(st.integers(0, 4))
    gaps = draw(st.lists(st.integers(0, 30 * 24 * 3600), min_size=4, max_size=4))
    times: list[datetime | None] = []
    t = start
    for i in range(4):
        t = t + timedelta(seconds=gaps[i])
        times.append(t.astimezone(UTC) if i < steps else None)
    return m.KeyDeliveryRecord(
        holder=draw(natural_persons()),
        commune=code,
        contact=draw(province_signature_contacts(st.just(province))),
        tracking_number=draw(
            st.none() | st.text(string.ascii_uppercase + string.digits, max_size=20)
        ),
        shipped_at=times[0],
        handed_over_at=times[1],
        pin_received_at=times[2],
        pin_changed_at=times[3],
    )


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "Activity": activities(),
    "Address": addresses(),
    "Architect": architects(),
    "CommissionMember": commission_members(),
    "CommissionOpinion": commission_opinions(),
    "Contact": contacts(),
    "Dossier": dossiers(),
    "Engineer": engineers(),
    "KeyDeliveryRecord": key_delivery_records(),
    "LegalPerson": legal_persons(),
    "Level": levels(),
    "MissingItem": missing_items(),
    "NaturalPerson": natural_persons(),
    "Official": officials(),
    "Parcel": parcels(),
    "Permit": permits(),
    "PermitSignatory": permit_signatories(),
    "PermitSurfaces": permit_surfaces(),
    "PermitVisa": permit_visas(),
    "Piece": pieces(),
    "Professional": professionals(),
    "Project": projects(),
    "ProvinceSignatureContact": province_signature_contacts(),
    "SignatureOnPiece": signatures_on_piece(),
    "Surveyor": surveyors(),
}
"""A strategy per public model, keyed by class name (the names of docs/schema/)."""


def strategy_for(model: type[Any] | str) -> st.SearchStrategy[Any]:
    """The strategy of a public model, given as its class or its name (``"Dossier"``)."""
    name = model if isinstance(model, str) else getattr(model, "__name__", repr(model))
    try:
        return STRATEGIES[name]
    except KeyError as exc:
        raise InvalidInputError(
            f"no strategy for {name!r}: use one of {', '.join(sorted(STRATEGIES))}"
        ) from exc
