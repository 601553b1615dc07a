"""Every tutorial's code runs: the python blocks of docs/tutorials/*.md, in order.

Each tutorial runs in a fresh interpreter, in an empty working folder, its blocks
executed one after the other in one namespace (a later block uses what an earlier one
built). A block preceded by ``<!-- docs-test: skip REASON -->`` is not run; the reason
is required and reported. Tracebacks point at the Markdown file and line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
# Its blocks are pytest modules using the plugin's fixtures: tests/testing/test_tutorial.py
# writes them out and runs them with pytest.
RUN_ELSEWHERE = {"testing-your-portal.md": "tests/testing/test_tutorial.py"}

FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(.*?)-->\s*$")

RUNNER = """
import json, sys, traceback
blocks = json.loads(sys.argv[1])
ns = {"__name__": "__main__"}
for i, (name, line, code) in enumerate(blocks):
    try:
        exec(compile("\\n" * (line - 1) + code, name, "exec"), ns)
    except BaseException:
        traceback.print_exc()
        print(f"DOCS-TEST: block {i + 1} of {name} (line {line}) failed", file=sys.stderr)
        sys.exit(1)
print(f"DOCS-TEST: {len(blocks)} blocks ran")
"""


def blocks_of(path: Path) -> tuple[list[tuple[str, int, str]], list[tuple[int, str]]]:
    """The runnable blocks (file, first code line, code) and the skipped ones (line, reason)."""
    text = path.read_text(encoding="utf-8")
    run: list[tuple[str, int, str]] = []
    skipped: list[tuple[int, str]] = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start(1)) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        if skip:
            skipped.append((line, skip.group(1).strip()))
        else:
            name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
            run.append((name, line, m.group(1)))
    return run, skipped


def tutorials() -> list[Path]:
    return sorted(TUTORIALS.glob("*.md"))


def test_every_tutorial_is_covered() -> None:
    names = {p.name for p in tutorials()}
    assert {"embedding.md", "verifying.md"} <= names
    for name, where in RUN_ELSEWHERE.items():
        if name in names:
            assert (ROOT / where).is_file(), f"{name} is said to run in {where}, which is missing"


@pytest.mark.parametrize(
    "path", [p for p in tutorials() if p.name not in RUN_ELSEWHERE], ids=lambda p: p.name
)
def test_tutorial_code_runs(path: Path, tmp_path: Path) -> None:
    run, skipped = blocks_of(path)
    assert run, f"{path.name} has no python block"
    for line, reason in skipped:
        assert reason, (
            f"{path.name}:{line}: a skipped block must say why (<!-- docs-test: skip REASON -->)"
        )
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(run)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:]
    assert f"DOCS-TEST: {len(run)} blocks ran" in out.stdout


def test_skip_markers_are_read(tmp_path: Path) -> None:
    sample = (
        "text\n<!-- docs-test: skip needs a token -->\n"
        "```python\nraise SystemExit(1)\n```\n```python\nx = 1\n```\n"
    )
    tmp = tmp_path / "sample.md"
    tmp.write_text(sample, encoding="utf-8")
    run, skipped = blocks_of(tmp)
    assert [code for _, _, code in run] == ["x = 1\n"]
    assert skipped == [(4, "needs a token")]
