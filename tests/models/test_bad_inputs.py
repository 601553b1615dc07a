"""Every bad input of the catalogue raises its typed error with an actionable message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rokhas_sdk import InvalidInputError, RokhasError

from .bad_inputs import CASES, Case

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.what)
def test_bad_input_raises_its_typed_error(case: Case) -> None:
    with pytest.raises(case.error) as exc:
        case.call()
    err = exc.value
    assert isinstance(err, RokhasError)
    assert case.phrase in str(err), str(err)
    if case.path is not None:
        assert isinstance(err, InvalidInputError)
        assert case.path in [p.path for p in err.problems], [p.as_dict() for p in err.problems]
    # no dependency's jargon leaks: the message never sends people to pydantic's site
    assert "errors.pydantic.dev" not in str(err)


def test_the_docs_table_lists_every_case() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [c.what for c in CASES if f"| {c.what} |" not in text]
    assert not missing, (
        f"docs/errors.md lacks rows for: {missing} (regenerate the table, see its header)"
    )


def test_errors_keep_every_problem_at_once() -> None:
    from rokhas_sdk import models as m

    with pytest.raises(InvalidInputError) as exc:
        m.NaturalPerson.model_validate(
            {"type": "natural", "first_name": "", "last_name": "B", "cin": "1", "x": 1}
        )
    paths = sorted(p.path for p in exc.value.problems)
    assert paths == ["cin", "first_name", "x"]
    assert re.match(r"^invalid NaturalPerson: ", str(exc.value))
