"""The examples of docs/sandbox.md's sections on payments, hostile bodies and tokens run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "sandbox.md"
SECTIONS = ("## Hostile bodies, secrets and tokens",)
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else len(text)]


def test_the_sections_examples_run() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b for h in SECTIONS for b in FENCE.findall(_section(text, h))]
    assert blocks, "the sections lost their examples"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "\n".join(blocks)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
