"""The docs site stays in step with the code: reference pages, the generated rule tables."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from .verified_page import END, PAGE, START, generate

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
ROOMS = [
    "models",
    "procedure",
    "payments",
    "documents",
    "signing",
    "api",
    "client",
    "sandbox",
    "analytics",
    "testing",
]


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_has_a_reference_page(room: str) -> None:
    page = (REFERENCE / f"{room}.md").read_text(encoding="utf-8")
    assert f"::: rokhas_sdk.{room}" in page


@pytest.mark.parametrize("room", ["models", "documents", "signing", "sandbox", "testing"])
def test_explicit_member_lists_match_all(room: str) -> None:
    # These rooms load their names lazily, so mkdocstrings gets the list from the page.
    page = (REFERENCE / f"{room}.md").read_text(encoding="utf-8")
    # the list of the room's own block (a page may document submodules after it)
    block = page.split(f"::: rokhas_sdk.{room}\n", 1)[1].split(":::", 1)[0]
    listed = re.findall(r"^        - (\w+)$", block, flags=re.M)
    module = importlib.import_module(f"rokhas_sdk.{room}")
    assert sorted(listed) == sorted(module.__all__), (
        "refresh the members list of docs/reference/" + room + ".md"
    )


def test_verified_vs_configurable_matches_the_data() -> None:
    text = PAGE.read_text(encoding="utf-8")
    current = text[text.index(START) : text.index(END) + len(END)]
    assert current == generate(), "run: PYTHONPATH=src python tests/docs/verified_page.py"


def test_the_generated_tables_split_on_the_tags() -> None:
    page = generate()
    assert "| `loi12-90.validity` | 12 months |" in page  # [U] in the brief: a default
    verified, configurable = page.split("### Legal clocks", 1)[1].split(
        "**Configurable defaults**", 1
    )
    assert "`loi12-90.tacit`" in verified.split("### ", 1)[0]
    assert "`loi12-90.validity`" in configurable.split("### ", 1)[0]
    assert "`complement_effect`" in page
    assert "`day_basis`" in page


# Pages that teammates' branches write; the strict build needs them once merged.
WRITTEN_ELSEWHERE = {"client.md"}


def test_mkdocs_nav_names_existing_or_expected_pages() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^\s*-\s+(?:[^:\n]+:\s+)?([\w./-]+\.md)\s*$", nav, flags=re.M)
    assert len(pages) > 40
    docs = ROOT / "docs"
    for page in pages:
        if page in WRITTEN_ELSEWHERE:
            continue
        assert (docs / page).is_file(), f"mkdocs.yml lists docs/{page}, which does not exist"
    # and every page of the site is in the nav (generated procedure pages included)
    listed = set(pages)
    for md in docs.rglob("*.md"):
        rel = md.relative_to(docs).as_posix()
        assert rel in listed, f"docs/{rel} is not in the nav of mkdocs.yml"
