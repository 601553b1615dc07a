"""The procedure-kind catalogue refuses a damaged data file, naming the row or the gap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from rokhas_sdk import DataFileError
from rokhas_sdk.models import ProcedureKind, _catalogue, procedure_kind_info


def _bundled() -> dict[str, Any]:
    text = (
        resources.files("rokhas_sdk.models")
        .joinpath("data/procedure_kinds.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


class _Files:
    """Stands in for importlib.resources: serves the given text as the data file."""

    def __init__(self, text: str) -> None:
        self.text = text

    def files(self, package: str) -> _Files:
        return self

    def joinpath(self, path: str) -> _Files:
        assert path == "data/procedure_kinds.json"
        return self

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.text


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    _catalogue._catalogue.cache_clear()
    yield
    _catalogue._catalogue.cache_clear()  # the next caller reads the bundled file again


def _serve(monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]) -> None:
    monkeypatch.setattr(_catalogue, "resources", _Files(json.dumps(data)))


def test_the_bundled_file_is_complete(fresh_cache: None) -> None:
    for kind in ProcedureKind:
        assert procedure_kind_info(kind).kind is kind


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda row: row.pop("family"), "procedure_kinds.json row 2: 'family'"),
        (lambda row: row.update(family="SPACE"), "procedure_kinds.json row 2: 'SPACE'"),
        (lambda row: row.update(required_pieces=["NO_SUCH_PIECE"]), "row 2: 'NO_SUCH_PIECE'"),
    ],
)
def test_a_bad_row_is_named(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch, damage: Any, needle: str
) -> None:
    data = _bundled()
    damage(data["kinds"][2])
    _serve(monkeypatch, data)
    with pytest.raises(DataFileError) as info:
        procedure_kind_info(ProcedureKind(data["kinds"][0]["kind"]))
    assert needle in str(info.value)


def test_a_missing_kind_is_named(fresh_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bundled()
    dropped = data["kinds"].pop()
    _serve(monkeypatch, data)
    with pytest.raises(DataFileError, match=r"procedure_kinds\.json lacks kinds") as info:
        procedure_kind_info(ProcedureKind(data["kinds"][0]["kind"]))
    assert repr(dropped["kind"]) in str(info.value)
