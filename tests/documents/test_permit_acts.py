"""The permit as an act: visas, commission opinion, validity, Arabic names, punctuation.

One permit per procedure family is rendered, signed with the test PKI (PKCS#12) and
checked three ways: poppler's pdfsig, our own verifier, and the page text read back.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_tool
from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk.documents import extract_permit, render_permit, render_receipt
from rokhas_sdk.models import (
    Dossier,
    Permit,
    ProcedureFamily,
    ProcedureKind,
    permit_visas,
    procedure_kind_info,
)
from rokhas_sdk.procedure import ClockPolicy, RuleOverride, validity_end
from rokhas_sdk.signing import Pkcs12Signer, TrustStore, sign_pdf, verify_pdf
from rokhas_sdk.testing.pki import TestPKI

from .conftest import PERMIT_DATA

ISSUED = dt.date(2026, 11, 28)

# One kind per family, with what its act must say (French words read back from the page).
FAMILIES: dict[ProcedureFamily, tuple[ProcedureKind, list[str]]] = {
    ProcedureFamily.BUILDING: (
        ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
        ["Vu la loi n° 12-90 relative à l'urbanisme", "Vu le décret n° 2-18-577"],
    ),
    ProcedureFamily.OCCUPANCY: (
        ProcedureKind.URB_PERMIS_HABITER,
        ["notamment ses articles 55 à 58"],
    ),
    ProcedureFamily.SUBDIVISION: (
        ProcedureKind.URB_AUTORISATION_LOTIR,
        ["Vu la loi n° 25-90 relative aux lotissements"],
    ),
    ProcedureFamily.REFECTION: (
        ProcedureKind.URB_PERMIS_REFECTION,
        ["Vu le décret n° 2-18-475", "Vu l'arrêté interministériel du 16 avril 2020"],
    ),
    ProcedureFamily.DEMOLITION: (
        ProcedureKind.URB_PERMIS_DEMOLITION,
        ["Vu le décret n° 2-18-475"],
    ),
    ProcedureFamily.REGULARISATION: (
        ProcedureKind.URB_PERMIS_REGULARISATION,
        ["Vu le décret n° 2-23-103"],
    ),
    ProcedureFamily.ECONOMIC: (
        ProcedureKind.ECO_ETABLISSEMENT_CLASSE_2E,
        ["Vu la loi n° 55-19", "établissements insalubres, incommodes ou dangereux"],
    ),
}


def _text(pdf: bytes, tmp_path: Path, *layout: str) -> str:
    require_tool("pdftotext")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", *layout, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return unicodedata.normalize("NFKC", out)


def _act(kind: ProcedureKind, **extra: Any) -> Permit:
    data = dict(PERMIT_DATA)
    data.update(
        kind=kind.value,
        commune="06.141.01.0",
        surfaces={"land_area": "250.00", "covered_area": "312.40", "levels": 2},
        issued_on=ISSUED.isoformat(),
        valid_until=None,
        visas=[v.model_dump(mode="json") for v in permit_visas(kind)],
        commission={"opinion": "FAVORABLE", "on": "2026-11-20", "minutes_reference": "PV-118"},
        beneficiary_name_ar="فاطمة الزهراء العلوي",
    )
    end = validity_end(kind, ISSUED)
    data["valid_until"] = end.isoformat() if end else None
    data.update(extra)
    return Permit.model_validate(data)


def test_every_family_is_covered() -> None:
    assert set(FAMILIES) == set(ProcedureFamily)
    for family, (kind, _) in FAMILIES.items():
        assert procedure_kind_info(kind).family is family


@pytest.mark.parametrize("family", list(FAMILIES), ids=lambda f: f.value)
def test_act_of_each_family_renders_signs_and_verifies(
    family: ProcedureFamily, offline_pki: TestPKI, tmp_path: Path
) -> None:
    kind, expected = FAMILIES[family]
    permit = _act(kind)
    layout = render_permit(permit, generated_at=dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC))
    # the whole act, signature box included, fits on one A4 page
    assert [b.page for b in layout.signature_boxes] == [0]
    pres = offline_pki.identity("president", "ecdsa")
    signed = sign_pdf(
        layout.pdf,
        Pkcs12Signer(pres.key, pres.certificate, pres.chain),
        certify=True,
        field_name="president",
        reference=permit.number,
    )

    # poppler accepts the signature, over the whole file
    from signing._pdfsig import pdfsig

    report = pdfsig(signed, tmp=tmp_path)
    assert len(report) == 1
    assert report[0].valid, report[0].fields
    assert report[0].covers_whole_file

    # so does our verifier, and it reads the act's data back
    roots = [offline_pki.root.certificate_der()]
    verdict = verify_pdf(signed, trust=TrustStore(roots))
    assert verdict.document.indication.value == "TOTAL_PASSED", verdict.document.errors
    assert verdict.permit is not None
    assert verdict.permit.permit == permit
    assert extract_permit(signed).visas == permit_visas(kind)

    text = _text(signed, tmp_path)
    flat = " ".join(text.split())  # lines wrap inside the long visas
    for words in expected:
        assert words in flat, words
    # every visa of the act is on the page, in both languages (first words)
    for visa in permit.visas:
        assert visa.text_fr[:40] in flat, visa.id
        assert " ".join(visa.text_ar.split()[:3]) in text, visa.id
    # a written-out date is never split across two lines (each is found on one line)
    from rokhas_sdk.documents._permit_pdf import _WRITTEN_DATE

    lines = text.splitlines()
    for visa in permit.visas:
        for date_text in _WRITTEN_DATE.findall(visa.text_fr + " " + visa.text_ar):
            # pdftotext marks right-to-left runs, so compare a date's words line by line
            words = date_text.split()
            assert any(all(w in line for w in words) for line in lines), (visa.id, date_text)
    assert "Vu l'avis favorable de la commission d'instruction réunie le 20/11/2026" in flat
    assert "فاطمة الزهراء العلوي" in text
    assert "Décide :" in text
    if permit.valid_until is not None:
        assert f"valable jusqu'au {permit.valid_until:%d/%m/%Y}" in text
    # normal full stops, as typed: no bullet, no Arabic-style lozenge character
    assert "312.40 m2" in text  # NFKC folds the superscript two
    assert "\u2022" not in text


def test_validity_end_by_the_kinds_rule() -> None:
    assert validity_end(ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET, ISSUED) == dt.date(
        2027, 11, 28
    )
    assert validity_end(ProcedureKind.URB_PERMIS_DEMOLITION, ISSUED) == dt.date(2027, 5, 28)
    assert validity_end(ProcedureKind.URB_PERMIS_REFECTION, dt.date(2026, 8, 31)) == dt.date(
        2027, 2, 28
    )
    # no sourced validity rule: nothing is printed rather than a guess
    assert validity_end(ProcedureKind.URB_PERMIS_HABITER, ISSUED) is None
    assert validity_end(ProcedureKind.ECO_ACTIVITE_COURANTE, ISSUED) is None
    # the 12-month building rule is [U]: configuration
    two_years = ClockPolicy(overrides=(RuleOverride("loi12-90.validity", length=24),))
    assert validity_end(
        ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, ISSUED, policy=two_years
    ) == dt.date(2028, 11, 28)
    with pytest.raises(NotFoundError, match="URB_PERMIS_CONSTRUIRE"):
        validity_end("NOT_A_KIND", ISSUED)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2070, 12, 31)))
def test_validity_is_whole_months_after_issue(issued: dt.date) -> None:
    end = validity_end(ProcedureKind.URB_PERMIS_DEMOLITION, issued)
    if issued < dt.date(2019, 6, 12):  # décret 2-18-475 not yet in force: no rule
        assert end is None
        return
    assert end is not None
    months = (end.year - issued.year) * 12 + end.month - issued.month
    assert months == 6
    # same day of the month, or the month's last day when it has no such day
    assert end.day == issued.day or (end + dt.timedelta(days=1)).day == 1


def test_visas_are_data_with_provenance() -> None:
    for kind in ProcedureKind:
        visas = permit_visas(kind, confidence=frozenset("CIU"))
        assert visas, kind
        for v in visas:
            assert v.text_fr.startswith("Vu ")
            assert v.text_ar.startswith("بناء على")
            assert v.confidence in "CIU"
            # a confirmed visa names where it was confirmed
            assert v.confidence != "C" or (v.source and (v.source_url or "").startswith("http"))
    only_confirmed = permit_visas("URB_PERMIS_CONSTRUIRE_PETIT_PROJET", confidence=frozenset("C"))
    assert all(v.confidence == "C" for v in only_confirmed)
    assert "lo_113_14" not in {v.id for v in only_confirmed}  # [I]: configuration
    with pytest.raises(NotFoundError):
        permit_visas("URB_NOPE")


def test_the_act_refuses_incoherent_data() -> None:
    with pytest.raises(InvalidInputError, match="commission"):
        _act(
            ProcedureKind.URB_PERMIS_DEMOLITION,
            commission={"opinion": "FAVORABLE", "on": "2026-12-01"},
        )
    with pytest.raises(InvalidInputError, match="UNFAVORABLE"):
        _act(
            ProcedureKind.URB_PERMIS_DEMOLITION,
            commission={"opinion": "UNFAVORABLE", "on": "2026-11-20"},
        )
    twice = [v.model_dump(mode="json") for v in permit_visas("URB_PERMIS_DEMOLITION")] * 2
    with pytest.raises(InvalidInputError, match="visa"):
        _act(ProcedureKind.URB_PERMIS_DEMOLITION, visas=twice)


def test_arabic_column_shows_the_latin_name_when_no_arabic_name(tmp_path: Path) -> None:
    permit = _act(ProcedureKind.URB_PERMIS_DEMOLITION, beneficiary_name_ar=None)
    text = _text(render_permit(permit).pdf, tmp_path)
    # once per column, as written: never a made-up transliteration
    assert text.count("Fatima Zahra ALAOUI") == 2
    assert "فاطمة" not in text


def test_latin_values_keep_their_order_in_the_arabic_column(tmp_path: Path) -> None:
    permit = _act(ProcedureKind.URB_PERMIS_DEMOLITION)
    text = _text(render_permit(permit).pdf, tmp_path)
    # "12 rue des Orangers" stays one left-to-right run on both sides (it used to come
    # out "rue des Orangers, Anfa 12" in the Arabic column, and "m² 312.40")
    assert text.count("12 rue des Orangers, Anfa") == 2
    assert "Anfa 12" not in text
    assert text.count("312.40 m2") == 2
    assert "m2 312" not in text


def _dark_pixels(pdf: bytes, tmp_path: Path) -> int:
    require_tool("pdftoppm")
    path = tmp_path / "glyph.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", str(path)], capture_output=True, check=True
    ).stdout
    # binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel
    header_end = 0
    for _ in range(3):
        header_end = out.index(b"\n", header_end) + 1
    return sum(1 for b in out[header_end:] if b < 128)


def test_the_full_stop_is_drawn_as_a_latin_dot(tmp_path: Path) -> None:
    """Amiri maps U+002E to an Arabic-style lozenge; the reduced font maps it to the
    Latin dot. Drawn at 200 pt, the Latin dot covers ~22 x 22 pt, the lozenge ~34 x 43."""
    from fpdf import FPDF

    from rokhas_sdk._text import close_fonts, font_file, fpdf_output

    pdf = FPDF(unit="pt", format=(300, 300))
    try:
        pdf.add_font("amiri", fname=str(font_file("Regular")))
        pdf.add_page()
        pdf.set_font("amiri", size=200)
        pdf.set_xy(50, 20)
        pdf.cell(text=".")
        dot = _dark_pixels(fpdf_output(pdf), tmp_path)
    finally:
        close_fonts(pdf)
    assert 150 < dot < 700, dot  # the lozenge is ~1150 dark pixels


def test_receipt_keeps_the_hijri_date_whole_and_uses_arabic_names(tmp_path: Path) -> None:
    dossier = Dossier(
        reference="D-2026-000123",
        kind="URB_AUTORISATION_GROUPE_HABITATIONS",
        commune="06.141.01.0",
        applicant={
            "type": "natural",
            "first_name": "Fatima Zahra",
            "last_name": "ALAOUI",
            "first_name_ar": "فاطمة الزهراء",
            "last_name_ar": "العلوي",
            "cin": "BE778899",
        },
        platform_number="RKH-2026-00001234",
    )
    # 1448 AH dates: the long Arabic line wraps, and the date must move as one piece
    pdf = render_receipt(dossier, filed_at=dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC))
    lines = _text(pdf, tmp_path, "-layout").splitlines()
    year_lines = [line for line in lines if "1448" in line]
    assert year_lines, lines
    assert all("جمادى" in line and "هـ" in line for line in year_lines), year_lines
    text = "\n".join(lines)
    assert "فاطمة الزهراء العلوي" in text
    assert "RKH-2026-00001234" in text


@pytest.mark.parametrize(
    "text",
    [
        "Vu la loi promulguée par le dahir du 15 hija 1412 (17 juin 1992), telle que modifiée",
        "بناء على الظهير الشريف بتاريخ 15 من ذي الحجة 1412 (17 يونيو 1992)، كما وقع تغييره",
    ],
)
def test_the_wrapper_never_splits_a_written_date(text: str) -> None:
    from fpdf import FPDF

    from rokhas_sdk._text import close_fonts, font_file
    from rokhas_sdk.documents._permit_pdf import _WRITTEN_DATE, PdfPage, _keep_dates

    dates = _WRITTEN_DATE.findall(text)
    assert len(dates) == 2
    pdf = FPDF(unit="pt", format="A4")
    try:
        pdf.add_font("amiri", fname=str(font_file("Regular")))
        pdf.add_page()
        pdf.set_font("amiri", size=10)
        doc = PdfPage(pdf)
        for width in range(70, 400, 7):  # every wrap point along the sentence
            lines = doc._wrap(_keep_dates(text), width)
            for date_text in dates:
                whole = date_text.replace(" ", "\u00a0")
                assert any(whole in line for line in lines), (width, lines)
        # the unprotected text does split them somewhere: the test can fail
        assert any(
            not all(any(d in line for line in doc._wrap(text, w)) for d in dates)
            for w in range(70, 400, 7)
        )
    finally:
        close_fonts(pdf)


def test_every_page_carries_a_readable_footer(tmp_path: Path) -> None:
    # long conditions push the act onto further pages; the footer of a later page used to
    # be drawn with the bold font's glyphs (garbled) because fpdf2 tracks one current
    # font for the whole document
    many = [f"Condition numéro {i} à respecter pendant les travaux." for i in range(40)]
    many_ar = [f"الشرط رقم {i} الواجب احترامه أثناء الأشغال." for i in range(40)]
    permit = _act(ProcedureKind.URB_PERMIS_DEMOLITION, conditions_fr=many, conditions_ar=many_ar)
    pdf = render_permit(permit, generated_at=dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)).pdf
    pages = _text(pdf, tmp_path).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for page in pages:
        # 10:00 UTC is 10:00 in Casablanca: permanent UTC+0 since 2026-09-20 (docs/procedure.md)
        assert "Document généré le 28/11/2026 10:00 (Casablanca)" in page


@pytest.mark.parametrize("family", list(FAMILIES), ids=lambda f: f.value)
def test_receipt_of_each_family(family: ProcedureFamily, tmp_path: Path) -> None:
    from rokhas_sdk.testing import FAMILY_KINDS, dossier_data

    kind = FAMILY_KINDS[family]
    data = dossier_data(kind, commune="06.141.01.0", reference="D-2026-000777")
    dossier = Dossier.model_validate(data)
    pdf = render_receipt(dossier, filed_at=dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC))
    text = _text(pdf, tmp_path)
    flat = " ".join(text.split())
    assert dossier.kind.label_fr in flat
    assert "Délivré en application de la loi n° 55-19" in flat
    # the hour depends on the Casablanca offset in force (another room's business)
    assert "Déposé le 28/11/2026 à" in flat
    # the Hijri date stays on one line, whatever the length of the procedure's label
    (line,) = [ln for ln in text.splitlines() if "1448" in ln]
    assert "جمادى" in line
    assert "\u2022" not in text
    arabic = dossier.applicant.display_name_ar
    assert (arabic or dossier.applicant.display_name) in text


@given(
    st.lists(
        st.sampled_from(["du", "15", "hija", "1412", "(17", "juin", "1992),", "من", "ذي", "x"])
        | st.text(alphabet="abc 0123456789()", max_size=8),
        max_size=12,
    ).map(" ".join)
)
def test_keeping_dates_together_only_changes_spaces(text: str) -> None:
    from rokhas_sdk.documents._permit_pdf import _WRITTEN_DATE, _keep_dates

    kept = _keep_dates(text)
    assert kept.replace("\u00a0", " ") == text
    # and every written-out date of the text comes out as one unbreakable word
    for date_text in _WRITTEN_DATE.findall(text):
        assert date_text.replace(" ", "\u00a0") in kept
