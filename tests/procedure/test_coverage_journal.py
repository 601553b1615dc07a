"""Journal lines that keep a valid hash chain but carry bad content: every one must be
named as a format error at its line, never replayed and never a raw traceback."""

from __future__ import annotations

import hashlib

import pytest
from procedure_helpers import at

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import ProcedureKind as K
from rokhas_sdk.models import Role as R
from rokhas_sdk.procedure import (
    GENESIS,
    Journal,
    JournalFormatError,
    replay,
    verify,
)


def _forge(
    seq: int,
    prev: str,
    *,
    when: str = "2026-03-02T09:00:00+01:00",
    actor: str = "arch:1234",
    role: str = "ARCHITECTE",
    event: str = "sign_plans",
    data: bytes = b"{}",
) -> bytes:
    """A line in the journal layout whose hashes are right, whatever its content."""
    body = (
        b'{"seq":%d,"at":"%s","actor":"%s","role":"%s","event":"%s",'
        b'"payload_hash":"%s","prev":"%s","data":%s'
        % (
            seq,
            when.encode(),
            actor.encode(),
            role.encode(),
            event.encode(),
            hashlib.sha256(data).hexdigest().encode(),
            prev.encode(),
            data,
        )
    )
    return body + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"}'


def _opened() -> list[bytes]:
    j = Journal.open(K.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, at=at(2026, 3, 2, 8), actor="system")
    return list(j.lines)


def _hash_of(line: bytes) -> str:
    return line[-66:-2].decode()


def _format_error(lines: list[bytes], index: int) -> JournalFormatError:
    with pytest.raises(JournalFormatError) as info:
        Journal.from_lines(lines)
    err = info.value
    assert err.index == index
    assert err.message.startswith(f"journal line {index + 1}: ")
    assert err.message.endswith("each line must be one entry written by Journal")
    assert len(err.valid_entries) == index
    truncated = Journal.from_lines(lines, on_error="truncate")
    assert len(truncated) == index
    assert isinstance(truncated.problem, JournalFormatError)
    return err


def test_a_sound_forged_line_replays() -> None:
    # the helper itself: a line built like Journal's is accepted (so the failures below
    # come from the content named, not from the helper)
    lines = _opened()
    good = _forge(1, _hash_of(lines[0]))
    assert replay([*lines, good]).state != replay(lines).state


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"when": "2026-13-45T99:00:00+01:00"}, "bad time '2026-13-45T99:00:00+01:00'"),
        ({"when": "2026-03-02T09:00:00"}, "time without offset"),
        ({"role": "ASTRONAUT"}, "unknown role 'ASTRONAUT'"),
        ({"data": b'{"fees_paid":}'}, "data is not valid JSON"),
        ({"data": b'{"no_such_field":1}'}, "no_such_field"),
    ],
)
def test_bad_content_on_a_later_line(changes: dict[str, object], needle: str) -> None:
    lines = _opened()
    bad = _forge(1, _hash_of(lines[0]), **changes)  # type: ignore[arg-type]
    err = _format_error([*lines, bad], 1)
    assert needle in err.message
    assert err.seq == 1


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"event": "submit", "data": b'{"kind":"URB_PERMIS_REFECTION"}'}, "must be the 'open'"),
        ({"event": "open", "data": b"{}"}, "the 'open' entry names no kind"),
        ({"event": "open", "data": b'{"graph":"urbanisme"}'}, "names no kind"),
        ({"event": "open", "data": b'{"kind":"URB_NOTHING"}'}, "URB_NOTHING"),
    ],
)
def test_bad_first_line(changes: dict[str, object], needle: str) -> None:
    line = _forge(0, GENESIS, role="SYSTEM", **changes)  # type: ignore[arg-type]
    err = _format_error([line], 0)
    assert needle in err.message
    # verify() reports it too (it used to escape as UnknownProcedureError for an unknown
    # kind instead of being returned)
    problem = verify([line])
    assert isinstance(problem, JournalFormatError)
    assert problem.index == 0


def test_verify_names_a_line_that_replays_but_is_not_json() -> None:
    lines = _opened()
    # "\q" is no JSON escape: the layout accepts the actor text, JSON does not
    odd = _forge(1, _hash_of(lines[0]), actor="arch\\q")
    assert replay([*lines, odd]).state == replay([*lines, _forge(1, _hash_of(lines[0]))]).state
    problem = verify([*lines, odd])
    assert isinstance(problem, JournalFormatError)
    assert problem.index == 1
    assert problem.message == "journal line 2 is not valid JSON"
    assert problem.valid_entries == (lines[0],)


def test_an_empty_journal_has_no_state() -> None:
    with pytest.raises(InvalidInputError, match=r"empty journal: create it with Journal\.open"):
        _ = Journal().state


def test_parsed_context_cache_stays_bounded() -> None:
    from rokhas_sdk.procedure import _journal

    for i in range(4200):
        ctx = _journal._parse_context(f'{{"reason":"r{i}"}}')
        assert ctx.reason == f"r{i}"
        assert len(_journal._CONTEXTS) <= 4097
    # the cache keeps working after a flush
    assert _journal._parse_context('{"reason":"r4199"}') is _journal._CONTEXTS['{"reason":"r4199"}']


def test_the_helper_writes_journal_lines_byte_for_byte() -> None:
    j = Journal.open(K.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, at=at(2026, 3, 2, 8), actor="system")
    j.record("sign_plans", role=R.ARCHITECTE, actor="arch:1234", at=at(2026, 3, 2, 9))
    forged = _forge(1, _hash_of(j.lines[0]), when=at(2026, 3, 2, 9).isoformat())
    assert forged == j.lines[1]  # the layout the helper writes is Journal's own
