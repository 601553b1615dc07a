"""The tutorial's code runs: every test module it shows is written out and run by pytest."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorials" / "testing-your-portal.md"


def test_the_tutorials_test_modules_pass(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)
    written = []
    for block in blocks:
        first = block.splitlines()[0]
        m = re.match(r"# (test_\w+\.py)$", first)
        if m is None:
            continue
        (tmp_path / m.group(1)).write_text(block, encoding="utf-8")
        written.append(m.group(1))
    assert len(written) >= 5, f"the tutorial lost its test modules: {written}"
    installed = any(
        ep.value == "rokhas_sdk.testing.plugin" for ep in entry_points(group="pytest11")
    )
    load = [] if installed else ["-p", "rokhas_sdk.testing.plugin"]
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *load, "-p", "no:cacheprovider", *written],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "failed" not in out.stdout
