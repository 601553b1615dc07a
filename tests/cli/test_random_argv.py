"""Random argument vectors never end in a traceback: exit 0, 1 or 2, and a bad input is one line.

Hypothesis draws a command, then options of that command in any order with values from
a pool of hostile ones (numbers out of range, non-numbers, odd dates, control characters,
paths to binary, empty, UTF-16, deeply nested, oversized files, folders, missing files),
and runs ``main(argv)`` in-process. Commands that start a server or sign (``sandbox
serve``, ``sign``, ``token``, ``demo``) are left out to keep each case fast; their
argument checks are covered by test_hostile_inputs.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rokhas_sdk.cli._input import MAX_JSON_BYTES
from rokhas_sdk.cli._main import main
from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.procedure import Journal

WORK = Path("placeholder")  # set by the module fixture

NUMBERS = [
    "0", "1", "-1", "3", "12.5", "1e400", "-1e400", "1" + "0" * 30, "9" * 400, "9" * 5000,
    "NaN", "inf", "-inf", "0x10", "1_000", "1,5", "12.345", "-0.01", "1e-400", "١٢", "",
    " ", "2147483648", "-9223372036854775809", "1e13", "999999999.99",
]  # fmt: skip
WORDS = [
    "", " ", "-", "--", "x", "é", "\x00", "\u202e", "a" * 5000, "'; DROP TABLE dossiers", "%s%n",
    "../../etc/passwd", "141.01.01", "06.141.01.0", "Casablanca", "fes", "INDIVIDUAL_HOUSING",
    "COMMERCIAL", "URB_AUTORISATION_LOTIR", "ECO_ACTIVITE_COURANTE", "building", "signature_key",
    "2026Q3", "2026Q9", "ODP", "EXO-1", "a:b:c", "architect:L'architecte:المهندس المعماري",
]  # fmt: skip
DATES = [
    "2026-03-02", "2026-13-45", "0001-01-01", "9999-12-31", "yesterday", "2026-03-02T10:00:00",
    "2026-03-02T10:00:00+01:00", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
    "2026-03-02T10:00:00+99:00", "1900-01-01T00:00:00+00:00", "2999-12-31T23:59:59-12:00",
]  # fmt: skip
FILES = [
    "BINARY", "EMPTY", "DEEP", "HUGE", "UTF16", "BIGINT", "DIR", "MISSING",
    "DOSSIER", "PERMIT", "JOURNAL", "EVENTS",
]  # fmt: skip
OUTPUTS = [
    "OUT/a.pdf", "OUT/b.csv", "OUT/c.jsonl", "OUT/d.parquet", "OUT/e.json", "OUT/f.svg",
    "OUT/no-such-folder/g.csv", "OUT",
]  # fmt: skip

NUM = st.sampled_from(NUMBERS)
WORD = st.sampled_from(WORDS)
DATE = st.sampled_from(DATES)
FILE = st.sampled_from(FILES)
OUTPUT = st.sampled_from(OUTPUTS)
ANY = NUM | WORD | DATE | FILE
SMALL_INT = st.sampled_from(["-1", "0", "1", "3", "1e3", "x", "", "9" * 30, "1000000000000"])


def _opt(flag: str, value: st.SearchStrategy[str] | None) -> st.SearchStrategy[list[str]]:
    """A flag with a value (usually of its kind, sometimes anything), or a bare flag."""
    if value is None:
        return st.just([flag])
    return st.tuples(st.just(flag), value | ANY).map(list)


# command path -> (positional strategies, option strategies)
COMMANDS: dict[tuple[str, ...], tuple[list[st.SearchStrategy[str]], list[st.SearchStrategy[list[str]]]]] = {  # noqa: E501
    ("fees", "quote"): (
        [FILE | st.just("-")],
        [
            _opt("--commune", WORD), _opt("--procedure", WORD), _opt("--use", WORD),
            _opt("--covered-area", NUM), _opt("--saillies-public-domain", NUM),
            _opt("--saillies-private", NUM), _opt("--floor-area", NUM), _opt("--works-cost", NUM),
            _opt("--actual-works-cost", NUM), _opt("--restoration", None),
            _opt("--odp-area", NUM), _opt("--odp-days", NUM), _opt("--beverage-receipts", NUM),
            _opt("--exemption", WORD), _opt("--schedule", FILE), _opt("--on", DATE),
            _opt("--json", None),
        ],
    ),
    ("fees", "schedule"): (
        [],
        [_opt("--commune", WORD), _opt("--schedule", FILE), _opt("--on", DATE),
         _opt("--json", None)],
    ),
    ("permit", "render"): (
        [FILE, OUTPUT],
        [_opt("--cosigner", WORD), _opt("--hijri-adjust", NUM), _opt("--json", None)],
    ),
    ("permit", "receipt"): ([FILE, OUTPUT], [_opt("--json", None)]),
    ("permit", "extract"): ([FILE], []),
    ("procedure", "replay"): ([FILE], [_opt("--at", DATE), _opt("--json", None)]),
    ("procedure", "graph"): ([WORD], [_opt("--matrix", None)]),
    ("commune",): ([WORD], [_opt("--limit", SMALL_INT), _opt("--json", None)]),
    ("schema",): ([], [_opt("--check", None), _opt("--json", None)]),
    ("api", "openapi"): ([], [_opt("--check", None)]),
    ("api", "operations"): ([], [_opt("--json", None)]),
    ("ranking",): (
        [FILE],
        [
            _opt("--quarter", WORD), _opt("--json", None), _opt("--communes", FILE),
            _opt("--best", SMALL_INT), _opt("--worst", SMALL_INT),
            _opt("--min-decided", SMALL_INT), _opt("--day-basis", WORD),
            _opt("--complement-effect", WORD), _opt("--lang", WORD), _opt("--csv", OUTPUT),
        ],
    ),
    ("synthetic-events",): (
        [OUTPUT],
        [_opt("--communes", SMALL_INT), _opt("--year", NUM), _opt("--seed", NUM)],
    ),
    ("verify",): (
        [FILE],
        [
            _opt("--trust", FILE), _opt("--intermediate", FILE), _opt("--jobs", SMALL_INT),
            _opt("--at", DATE), _opt("--json", None),
        ],
    ),
    ("sandbox", "tokens"): ([], [_opt("--seed", WORD), _opt("--json", None)]),
    ("procedure",): ([], []),
    ("fees",): ([], []),
    ("no-such-command",): ([], []),
    (): ([], [_opt("--version", None), _opt("--help", None)]),
}  # fmt: skip


# Valid starts, so that hostile options also reach the code behind the argument checks.
BASES: dict[tuple[str, ...], list[str]] = {
    ("fees", "quote"): ["--commune", "141.01.01", "--use", "INDIVIDUAL_HOUSING"],
    ("fees", "schedule"): ["--commune", "Casablanca"],
    ("permit", "render"): ["PERMIT", "OUT/a.pdf"],
    ("permit", "receipt"): ["DOSSIER", "OUT/r.pdf"],
    ("procedure", "replay"): ["JOURNAL"],
    ("ranking",): ["EVENTS"],
    ("synthetic-events",): ["OUT/s.csv", "--communes", "2"],
    ("commune",): ["fes"],
}
PERMIT = {
    "number": "PC-06141010-000001",
    "dossier_reference": "DEMO-2026-0001",
    "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
    "commune": "141.01.01",
    "commune_name_fr": "Casablanca",
    "commune_name_ar": "الدار البيضاء",
    "beneficiary_name": "Amina El Idrissi",
    "beneficiary_id": "BE123456",
    "object_fr": "Construction d'une maison individuelle R+2",
    "object_ar": "بناء منزل فردي",
    "address": "Lot 12, Hay Hassani, Casablanca",
    "issued_on": "2026-03-02",
    "signatory": {"name": "Karim Bennani", "title_fr": "Président", "title_ar": "رئيس"},
}


@st.composite
def argument_vectors(draw: st.DrawFn) -> tuple[str, list[str]]:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    positionals, options = COMMANDS[path]
    argv = list(path)
    if path in BASES and draw(st.booleans()):
        argv += BASES[path]
    else:
        for strategy in positionals:
            if draw(st.integers(0, 9)):  # now and then a positional is missing
                argv.append(draw(strategy))
    if options:
        for chosen in draw(st.lists(st.sampled_from(options), max_size=6)):
            argv.extend(draw(chosen))
    if draw(st.integers(0, 19)) == 0:  # a stray argument somewhere
        argv.insert(draw(st.integers(0, len(argv))), draw(ANY))
    if path == ("schema",):
        argv += ["--out", "OUT/schema"]  # never write into the working directory
    if path == ("api", "openapi"):
        argv += ["-o", draw(OUTPUT if "--check" not in argv else FILE | OUTPUT)]
    if path == ("synthetic-events",):
        # the default (5,000) is slow; a valid count most of the time, so that hostile
        # --year and --seed values reach the generator
        valid = draw(st.integers(0, 4)) > 0
        argv += ["--dossiers", draw(st.sampled_from(["1", "3"]) if valid else SMALL_INT)]
    return " ".join(path) or "rokhas", argv


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rokhas_sdk.cli._demo import sample_dossier_data

    root = tmp_path_factory.mktemp("hostile")
    (root / "BINARY").write_bytes(bytes(range(256)) * 64)
    (root / "EMPTY").write_bytes(b"")
    (root / "DEEP").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    with open(root / "HUGE", "wb") as fh:  # one byte over the limit, valid JSON otherwise
        fh.write(b'{"x": "' + b"a" * (MAX_JSON_BYTES - 8) + b'"}')
    (root / "UTF16").write_bytes(json.dumps(sample_dossier_data()).encode("utf-16"))
    (root / "BIGINT").write_text('{"covered_area": ' + "9" * 5000 + "}", encoding="utf-8")
    (root / "DIR").mkdir()
    (root / "DOSSIER").write_text(json.dumps(sample_dossier_data()), encoding="utf-8")
    (root / "PERMIT").write_text(json.dumps(PERMIT, ensure_ascii=False), encoding="utf-8")
    (root / "OUT").mkdir()
    journal = Journal.open(
        ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
        at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        actor="guichet-1",
    )
    journal.save(root / "journal.jsonl")
    with _captured():
        made = main(["synthetic-events", str(root / "events.csv"), "--dossiers", "30"])
    assert made == 0
    return root


# placeholders whose file needs its extension to be read
FILE_NAMES = {"EVENTS": "events.csv", "JOURNAL": "journal.jsonl"}


def _real(argv: list[str], root: Path) -> list[str]:
    out = []
    for arg in argv:
        if arg in FILES:
            arg = str(root / FILE_NAMES.get(arg, arg))
        elif arg.startswith("OUT/"):
            arg = str(root / arg)
        out.append(arg)
    return out


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(bytes(range(256))))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        sys.stdin = stdin


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=argument_vectors())
def test_random_argument_vectors_never_end_in_a_traceback(
    case: tuple[str, list[str]], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, argv = case
    monkeypatch.delenv("ROKHAS_DEBUG", raising=False)
    monkeypatch.chdir(workdir / "OUT")
    with _captured() as (out, err):
        code = main(_real(argv, workdir))
    errors = err.getvalue()
    event(f"{command}: exit {code}")
    assert "Traceback" not in errors + out.getvalue(), (argv, errors)
    assert code in (0, 1, 2), (argv, code, errors)
    if errors.startswith("rokhas") and "usage:" not in errors:
        assert errors.count("\n") <= 1 or code != 2, (argv, errors)


def test_the_hostile_files_are_what_they_claim(workdir: Path) -> None:
    """The pool itself: each file provokes the refusal it is there for."""
    for name, needle in [
        ("BINARY", "not UTF-8"),
        ("UTF16", "UTF-16"),
        ("DEEP", "nested more than"),
        ("HUGE", "larger than 16 MiB"),
        ("BIGINT", "invalid Dossier"),
        ("EMPTY", "invalid Dossier"),
        ("DIR", "Is a directory"),
        ("MISSING", "No such file"),
    ]:
        with _captured() as (out, err):
            code = main(["fees", "quote", str(workdir / name)])
        assert code == 2, (name, err.getvalue())
        assert needle in err.getvalue(), (name, err.getvalue())
        assert err.getvalue().count("\n") == 1
    with _captured() as (out, _):
        assert main(["fees", "quote", str(workdir / "DOSSIER"), "--json"]) == 0
    assert json.loads(out.getvalue())["commune"] == "06.141.01.0"
