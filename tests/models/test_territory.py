"""The territory registry: bundled HCP data, look-ups, aliases, and the CSV extension."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk import DataFileError, InvalidInputError, NotFoundError
from rokhas_sdk import models as m
from rokhas_sdk.models import (
    Commune,
    Province,
    Region,
    TerritoryRegistry,
    get_commune,
    load_communes_csv,
    registry,
)
from rokhas_sdk.testing import strategies as S


def test_bundled_registry_counts_and_parents() -> None:
    reg = registry()
    assert len(reg.regions) == 12
    assert len(reg.provinces) == 75
    assert len(reg.communes) == 1503
    assert len(reg.arrondissements) == 41
    kinds = {c.kind for c in reg.communes.values()}
    assert kinds == {"urban", "rural"}
    for c in reg.communes.values():
        assert c.code.startswith(c.province_code + "."), c
        assert c.province_code in reg.provinces
        assert c.name_fr
        assert c.name_ar
        assert c.source in reg.sources
    for p in reg.provinces.values():
        assert p.code.startswith(p.region_code + ".")
    # the provinces' population is the sum of their communes' (a consistency check of the data)
    casa = reg.province("06.141")
    assert casa.population == sum(c.population or 0 for c in reg.communes_of("06.141"))


def test_seed_codes_remain_valid_aliases() -> None:
    assert get_commune("141.01.01").name_fr == "Casablanca"
    assert get_commune("421.01.01").name_fr == "Rabat"
    assert get_commune("351.01.01").name_fr == "Marrakech"
    assert registry().province("141").code == "06.141"
    address = m.Address(line="1 rue", city="Casablanca", commune="141.01.01")
    assert address.commune == "06.141.01.0"  # accepted, and normalised to the HCP form
    assert m.same_commune("141.01.01", "06.141.01.0")
    assert not m.same_commune("141.01.01", "421.01.01")


def test_guichet_unique_follows_the_population() -> None:
    reg = registry()
    assert get_commune("06.141.01.0").needs_guichet_unique is True
    big = [c for c in reg.communes.values() if c.needs_guichet_unique]
    assert all(c.population is not None and c.population > m.GUICHET_UNIQUE_THRESHOLD for c in big)
    small = next(
        c for c in reg.communes.values() if c.population is not None and c.population < 50_000
    )
    assert small.needs_guichet_unique is False
    unknown = Commune("X1", "X", "س", "06.141", "urban")
    assert unknown.needs_guichet_unique is None
    assert unknown.region_code == "06"


def test_find_ignores_case_and_accents_and_ranks_exact_first() -> None:
    reg = registry()
    assert reg.find("fes")[0].name_fr == "Fès"
    assert reg.find("FÈS")[0].code == "03.231.01.0"
    assert reg.find("سلا")[0].name_fr == "Salé"
    assert reg.find("   ") == []
    assert len(reg.find("sidi", limit=5)) == 5


@settings(max_examples=30)
@given(S.commune_codes())
def test_every_commune_is_found_by_its_name(code: str) -> None:
    c = get_commune(code)
    assert c in registry().find(c.name_fr)
    assert c in registry().find(c.name_ar)


def test_unknown_codes_raise_not_found_with_suggestions() -> None:
    with pytest.raises(NotFoundError) as exc:
        get_commune("06.141.01.1")
    assert "did you mean" in str(exc.value)
    assert "rokhas commune" in str(exc.value)
    with pytest.raises(NotFoundError, match=r"'06\.141'"):
        registry().province("99.999")
    with pytest.raises(NotFoundError, match=r"'01' to '12'"):
        registry().region("13")


def test_unknown_commune_code_in_a_model_is_a_typed_error() -> None:
    with pytest.raises(InvalidInputError) as exc:
        m.Parcel(commune="99.999.99.9", address="x", land_area="10")
    assert exc.value.problems[0].path == "commune"
    assert "not a known commune code" in exc.value.problems[0].message
    with pytest.raises(InvalidInputError, match="must be text"):
        m.Parcel(commune=141, address="x", land_area="10")


def small_registry() -> TerritoryRegistry:
    return TerritoryRegistry(
        [Region("06", "Casablanca-Settat", "الدار البيضاء-سطات")],
        [Province("06.141", "Casablanca", "الدار البيضاء", "06", "prefecture")],
        [],
        province_aliases={"141": "06.141"},
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "communes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_extension_adds_communes(tmp_path: Path) -> None:
    reg = small_registry()
    path = write(
        tmp_path,
        "code,name_fr,name_ar,province_code,kind,population,population_year,source\n"
        "06.141.99.1,Nouvelle Commune,الجماعة الجديدة,06.141,rural,51000,2024,arrêté 2026\n"
        "X-2,Autre,أخرى,141,URBAN,,,\n",
    )
    added = load_communes_csv(path, target=reg)
    assert [c.code for c in added] == ["06.141.99.1", "X-2"]
    assert reg.commune("06.141.99.1").needs_guichet_unique is True
    assert reg.commune("06.141.99.1").source == "arrêté 2026"
    assert reg.commune("X-2").province_code == "06.141"  # alias resolved
    assert reg.commune("X-2").kind == "urban"
    assert reg.commune("X-2").source == str(path)


def test_csv_extension_reaches_model_validation(tmp_path: Path) -> None:
    code = "06.141.98.7"
    with pytest.raises(InvalidInputError):
        m.Address(line="x", city="y", commune=code)
    path = write(
        tmp_path, f"code,name_fr,name_ar,province_code,kind\n{code},Test,اختبار,06.141,rural\n"
    )
    load_communes_csv(path)
    try:
        assert m.Address(line="x", city="y", commune=code).commune == code
    finally:
        del registry().communes[code]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("code,name_fr,province_code,kind\n1,A,06.141,rural\n", "missing columns name_ar"),
        (
            "code,name_fr,name_ar,province_code,kind\n1,A,ا,06.141,village\n",
            ":2: kind must be 'urban' or 'rural'",
        ),
        (
            "code,name_fr,name_ar,province_code,kind\n1,A,ا,07.999,rural\n",
            "province_code '07.999' is not a known",
        ),
        ("code,name_fr,name_ar,province_code,kind\n,A,ا,06.141,rural\n", "empty or malformed"),
        ("code,name_fr,name_ar,province_code,kind\na b,A,ا,06.141,rural\n", "empty or malformed"),
        (
            "code,name_fr,name_ar,province_code,kind\n1,,ا,06.141,rural\n",
            "needs both name_fr and name_ar",
        ),
        (
            "code,name_fr,name_ar,province_code,kind,population,population_year\n1,A,ا,06.141,rural,12k,2024\n",
            "whole number",
        ),
        (
            "code,name_fr,name_ar,province_code,kind,population,population_year\n1,A,ا,06.141,rural,-5,2024\n",
            "whole number",
        ),
        (
            "code,name_fr,name_ar,province_code,kind,population\n1,A,ا,06.141,rural,100\n",
            "give population_year",
        ),
        (
            "code,name_fr,name_ar,province_code,kind,population,population_year\n1,A,ا,06.141,rural,100,24\n",
            "census year",
        ),
        (
            "code,name_fr,name_ar,province_code,kind\n1,A,ا,06.141,rural\n1,B,ب,06.141,rural\n",
            ":3: commune code 1 already appears on line 2",
        ),
        (
            "code,name_fr,name_ar,province_code,kind\n1,A,ا,06.141,rural,extra\n",
            "more cells than columns",
        ),
    ],
)
def test_csv_bad_rows_are_refused_and_nothing_is_added(
    tmp_path: Path, body: str, needle: str
) -> None:
    reg = small_registry()
    path = write(tmp_path, body)
    with pytest.raises(DataFileError) as exc:
        load_communes_csv(path, target=reg)
    assert needle in str(exc.value)
    assert str(path) in str(exc.value)
    assert reg.communes == {}


def test_csv_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_communes_csv(tmp_path / "absent.csv", target=small_registry())
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(
        "code,name_fr,name_ar,province_code,kind\n1,Fès,x,06.141,rural\n".encode("latin-1")
    )
    with pytest.raises(DataFileError, match="UTF-8"):
        load_communes_csv(bad, target=small_registry())


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=0, max_size=8),
            st.text(max_size=8),
            st.sampled_from(["urban", "rural", "x", ""]),
        ),
        max_size=4,
    )
)
def test_csv_loader_either_loads_or_names_the_line(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "name_fr", "name_ar", "province_code", "kind"])
    for code, name, kind in rows:
        w.writerow([code, name, "ا", "06.141", kind])
    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    reg = small_registry()
    try:
        added = load_communes_csv(path, target=reg)
    except DataFileError as exc:
        message = str(exc)
    else:
        assert {c.code for c in added} == set(reg.communes)
        return
    assert str(path) in message
    assert reg.communes == {}


def test_registry_construction_checks_parents() -> None:
    with pytest.raises(DataFileError, match="unknown region"):
        TerritoryRegistry([], [Province("06.141", "C", "ا", "06", "prefecture")], [])
    with pytest.raises(DataFileError, match="unknown province"):
        TerritoryRegistry([Region("06", "C", "ا")], [], [Commune("1", "A", "ا", "06.141", "rural")])
    with pytest.raises(DataFileError, match="alias"):
        TerritoryRegistry([Region("06", "C", "ا")], [], [], aliases={"x": "y"})


# --- one commune code everywhere, and the permit number derived from it ---------------

_CODES = sorted(registry().communes)
_ALIASES = sorted(registry().aliases)


@given(st.sampled_from(_CODES + _ALIASES), st.sampled_from(["", " ", "\t"]))
def test_every_commune_code_is_normalised_to_its_hcp_form(code: str, pad: str) -> None:
    canonical = registry().canonical_code(code)
    assert canonical is not None
    assert m.commune_code(pad + code + pad) == canonical
    assert m.commune_code(canonical) == canonical  # idempotent
    assert m.Address(line="1 rue", city="X", commune=pad + code).commune == canonical
    assert re.fullmatch(r"\d{2}\.\d{3}\.\d{2}\.\d{1,2}", canonical)


@given(
    st.sampled_from(_CODES + _ALIASES),
    st.integers(1900, 2200),
    st.one_of(st.integers(0, 999_999_999), st.from_regex(r"[A-Za-z0-9]{1,24}", fullmatch=True)),
    st.booleans(),
)
def test_permit_numbers_carry_the_hcp_code_and_fit_the_permit_model(
    code: str, year: int, serial: int | str, tacit: bool
) -> None:
    number = m.permit_number(code, year, serial, tacit=tacit)
    prefix, rest = number.split("-", 1)
    assert prefix == ("T" if tacit else "P")
    commune, year_text, serial_text = rest.split("-")
    assert commune == m.commune_code(code)
    assert int(year_text) == year
    assert serial_text == (f"{serial:06d}" if isinstance(serial, int) else serial)
    # The same number whether the commune was given by alias or HCP code.
    assert m.permit_number(m.commune_code(code), year, serial, tacit=tacit) == number
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-/.]*", number)
    assert len(number) <= 64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("06.141.01.0", 2026, -1), "out of range"),
        (("06.141.01.0", 2026, "00/42"), "letters or digits"),
        (("06.141.01.0", 26, 42), "a year such as 2026"),
        (("06.141.01.0", 2026, 4.2), "a number or letters"),
    ],
)
def test_bad_permit_number_parts_are_refused_with_the_fix(
    args: tuple[object, ...], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        m.permit_number(*args)  # type: ignore[arg-type]


def test_an_unknown_commune_has_no_permit_number() -> None:
    with pytest.raises(NotFoundError, match="no commune with code"):
        m.permit_number("999.99.99", 2026, 1)


def test_the_commune_code_example_of_docs_models_md_runs() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "models.md").read_text("utf-8")
    block = next(
        b.split("```", 1)[0]
        for b in page.split("```python\n")[1:]
        if "permit_number(" in b.split("```", 1)[0]
    )
    exec(block, {})  # its asserts are the check
