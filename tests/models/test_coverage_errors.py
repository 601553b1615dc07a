"""The shared error tree (rokhas_sdk._errors): codes, field problems, pydantic wrapping."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import (
    ConfigurationError,
    DataFileError,
    InvalidInputError,
    NotFoundError,
    RokhasError,
)
from rokhas_sdk._errors import FieldProblem, from_pydantic, require_extra


class _Form(pydantic.BaseModel):
    """A plain pydantic model: the wrapper must work on any, not only ours."""

    model_config = pydantic.ConfigDict(extra="forbid")

    cin: str
    age: int

    @pydantic.field_validator("cin")
    @classmethod
    def _upper(cls, v: str) -> str:
        if v != v.upper():
            raise ValueError("a CIN is written in capitals, e.g. BE778899")
        return v


def _validation_error(data: object) -> pydantic.ValidationError:
    with pytest.raises(pydantic.ValidationError) as info:
        _Form.model_validate(data)
    return info.value


def test_codes_and_classes() -> None:
    assert RokhasError("x").code == "rokhas_error"
    assert RokhasError("x", code="custom").code == "custom"
    assert InvalidInputError("x").code == "invalid_input"
    assert NotFoundError("x").code == "not_found"
    assert DataFileError("x").code == "data_file_invalid"
    assert ConfigurationError("x").code == "configuration"
    assert isinstance(InvalidInputError("x"), ValueError)
    assert isinstance(NotFoundError("x"), LookupError)
    assert str(DataFileError("row 3: bad")) == "row 3: bad"


def test_field_problem_path_dict_and_repr() -> None:
    p = FieldProblem(["parties", 0, "cin"], "bad CIN", "value_error")
    assert p.path == "parties.0.cin"
    assert p.as_dict() == {"path": "parties.0.cin", "message": "bad CIN", "kind": "value_error"}
    assert repr(p) == "FieldProblem('parties.0.cin', 'bad CIN')"
    assert FieldProblem((), "whole object", "model_type").path == "<root>"


def test_from_pydantic_keeps_every_problem_and_strips_the_prefix() -> None:
    err = from_pydantic(_validation_error({"cin": "be778899", "age": "old"}), model="Form")
    assert isinstance(err, InvalidInputError)
    by_path = {p.path: p for p in err.problems}
    assert set(by_path) == {"cin", "age"}
    assert by_path["cin"].message == "a CIN is written in capitals, e.g. BE778899"
    assert by_path["cin"].kind == "value_error"
    assert by_path["age"].kind == "int_parsing"
    assert str(err).startswith("invalid Form: ")
    assert "cin: a CIN is written in capitals" in str(err)
    assert "Value error, " not in str(err)
    assert "(and" not in str(err)


def test_from_pydantic_root_problem() -> None:
    err = from_pydantic(_validation_error("not a mapping"), model="Form")
    (problem,) = err.problems
    assert problem.path == "<root>"
    assert str(err).startswith("invalid Form: <root>: ")


@given(st.integers(min_value=11, max_value=30))
def test_from_pydantic_shows_ten_problems_and_counts_the_rest(n: int) -> None:
    data = {"cin": "A1", "age": 1, **{f"extra{i}": i for i in range(n)}}
    exc = _validation_error(data)
    err = from_pydantic(exc, model="Form")
    assert len(err.problems) == n  # every problem kept for a form to show
    shown = str(err).split(" (and ")[0].count("; ") + 1
    assert shown == 10
    assert str(err).endswith(f" (and {n - 10} more)")


def test_require_extra_names_the_pip_command() -> None:
    err = require_extra("fpdf2", "documents")
    assert isinstance(err, ConfigurationError)
    assert err.code == "missing_extra"
    assert "'fpdf2'" in str(err)
    assert "pip install 'rokhas-sdk[documents]'" in str(err)
