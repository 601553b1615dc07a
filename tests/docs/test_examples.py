"""Every fenced example of README.md and docs/ runs (conventions: examples.py, CONTRIBUTING.md).

One test per page: the page's examples run in order in a fresh interpreter and an empty
folder (run_page.py), so a wrong value or a renamed function on a page fails CI. Skipped
blocks must say why, and the test that counts them lists them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require_tool

from .examples import ROOT, blocks_of, matches, pages

RUNNER = Path(__file__).resolve().parent / "run_page.py"
# Its python blocks are pytest modules: tests/testing/test_tutorial.py runs them with pytest.
PYTHON_RUN_ELSEWHERE = {"docs/tutorials/testing-your-portal.md": "tests/testing/test_tutorial.py"}
# Pages whose examples use a system tool as a real part (a SoftHSM2 token).
PAGE_TOOLS = {
    "docs/tokens.md": "softhsm2-util",
    "docs/howto/tokens.md": "softhsm2-util",
    "docs/signing.md": "softhsm2-util",
}


def _runnable(page: Path) -> bool:
    name = page.relative_to(ROOT).as_posix()
    return any(
        b.skip is None
        and b.elsewhere is None
        and b.lang != "json"
        and not (b.lang == "python" and name in PYTHON_RUN_ELSEWHERE)
        for b in blocks_of(page)
    )


@pytest.mark.parametrize(
    "page", [p for p in pages() if _runnable(p)], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_the_examples_of_the_page_run(page: Path, tmp_path: Path) -> None:
    name = page.relative_to(ROOT).as_posix()
    if name in PAGE_TOOLS:
        require_tool(PAGE_TOOLS[name])  # fails under CI, skips elsewhere
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if name in PYTHON_RUN_ELSEWHERE:
        env["DOCS_TEST_LANGS"] = "shell"
    out = subprocess.run(
        [sys.executable, str(RUNNER), name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:]
    assert "DOCS-TEST:" in out.stdout


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_json_examples_parse(page: Path) -> None:
    for block in blocks_of(page):
        if block.lang == "json" and block.skip is None:
            try:
                json.loads(block.code)
            except ValueError as exc:
                pytest.fail(f"{block.page}:{block.line}: the JSON example does not parse: {exc}")


def test_skipped_examples_are_counted_and_say_why() -> None:
    everything = [b for p in pages() for b in blocks_of(p)]
    skipped = [b for b in everything if b.skip is not None]
    listing = "\n".join(f"  {b.page}:{b.line} ({b.lang}): {b.skip}" for b in skipped)
    print(
        f"{len(everything)} examples, {len(everything) - len(skipped)} run, {len(skipped)} skipped:"
    )
    print(listing)
    for block in skipped:
        assert block.skip, f"{block.page}:{block.line}: a skipped example must say why"
    for block in everything:
        if block.elsewhere is not None:
            assert (ROOT / block.elsewhere).is_file(), (
                f"{block.page}:{block.line} is said to run in {block.elsewhere}, which is missing"
            )
    # Skips are for what CI cannot have (a hardware token, a cluster, a fresh machine):
    # at least three examples in four run.
    assert len(skipped) * 4 < len(everything), listing


def test_the_conventions_are_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.md"
    sample.write_text(
        "<!-- docs-test: skip needs a token -->\n```python\nraise SystemExit(1)\n```\n"
        "```python\nprint(1 + 1)  # -> 2\n```\n"
        "```console\n$ rokhas --version\nrokhas ...\n$ rokhas nope \\\n   --x  # exit 2\n"
        "$ rokhas sandbox serve --port 8000 &\n```\n"
        "```text\nusage: not run\n```\n",
        encoding="utf-8",
    )
    skipped, python, shell = blocks_of(sample)
    assert (skipped.skip, skipped.line) == ("needs a token", 3)
    assert python.expected == ("2",)
    first, second, third = shell.commands
    assert (first.text, first.expected, first.exit_status) == (
        "rokhas --version",
        ("rokhas ...",),
        0,
    )
    assert (second.text, second.exit_status, second.line) == ("rokhas nope --x", 2, 11)
    assert third.background
    assert third.text == "rokhas sandbox serve --port 8000"
    assert len(blocks_of(sample)) == 3


def test_shown_output_matching() -> None:
    assert matches("Total : 4 700.00 MAD", "Total :   4 700.00 MAD\n")
    assert matches(
        "token 'P' (SoftHSM ..., serial 3a5c...)", "token 'P' (SoftHSM v2, serial 3a5cff)"
    )
    assert not matches("4 700.00", "4 800.00")
