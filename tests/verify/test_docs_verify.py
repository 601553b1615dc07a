"""The examples of docs/verify.md from "A cluster run" to "Command line" run as written.

They build their own test PKI and permits, start a local Dask cluster, write ETSI XML
reports and call ``rokhas verify`` from the shell; they run in a fresh interpreter in an
empty folder, python blocks in one namespace and console lines through the shell, in
page order. A block preceded by ``<!-- docs-test: skip REASON -->`` is not run. The local
cluster script of docs/howto/dask-verification.md runs as a script file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from rokhas_sdk.testing.pki import TestPKI

from .verify_corpus import Signing, base_pdf

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "verify.md"
FENCE = re.compile(r"^```(python|console)[^\n]*\n(.*?)^```", re.S | re.M)
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(.*?)-->\s*$")
EXIT = re.compile(r"\s#\s*exit\s+(\d+)\s*$")

RUNNER = r"""
import json, re, subprocess, sys, traceback
blocks = json.loads(sys.argv[1])
ns = {"__name__": "__main__"}
for i, (lang, line, code) in enumerate(blocks):
    where = f"block {i + 1} of docs/verify.md (line {line})"
    if lang == "python":
        try:
            exec(compile("\n" * (line - 1) + code, "docs/verify.md", "exec"), ns)
        except BaseException:
            traceback.print_exc()
            print(f"DOCS-TEST: {where} failed", file=sys.stderr)
            sys.exit(1)
        continue
    for offset, command in enumerate(code.splitlines()):
        if not command.strip() or command.lstrip().startswith("#"):
            continue
        wanted = re.search(r"\s#\s*exit\s+(\d+)\s*$", command)
        status = subprocess.run(command, shell=True, check=False).returncode
        if status != (int(wanted.group(1)) if wanted else 0):
            print(f"DOCS-TEST: {where}, line {line + offset}: exit {status}", file=sys.stderr)
            sys.exit(1)
print(f"DOCS-TEST: {len(blocks)} blocks ran")
"""


def _blocks() -> list[tuple[str, int, str]]:
    text = PAGE.read_text(encoding="utf-8")
    start, end = text.index("### A cluster run"), text.index("## Command line")
    blocks = []
    for m in FENCE.finditer(text, start, end):
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if SKIP.search(before):
            continue
        blocks.append((m.group(1), text.count("\n", 0, m.start(2)) + 1, m.group(2)))
    return blocks


def test_the_section_has_the_expected_examples() -> None:
    blocks = _blocks()
    code = "\n".join(c for _, _, c in blocks)
    assert [lang for lang, _, _ in blocks] == ["python", "python", "console", "python"]
    for needed in ("LocalCluster", "to_etsi_xml", "--format etsi-xml", "async_verify_pdf"):
        assert needed in code
    assert EXIT.search(blocks[2][2].splitlines()[1])


def test_the_examples_run(tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(_blocks())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:]
    assert f"DOCS-TEST: {len(_blocks())} blocks ran" in out.stdout
    lines = out.stdout.splitlines()
    assert "forged.pdf TOTAL_FAILED" in lines or "forged.pdf INDETERMINATE" in lines
    assert sum(1 for line in lines if re.fullmatch(r"permit-\d\.pdf TOTAL_PASSED", line)) == 6
    assert "permit-0.pdf urn:etsi:019102:mainindication:total-passed None" in lines
    assert "True False" in lines
    # the shell wrote the ETSI reports of both files, the forged one not passed
    assert b"mainindication:total-passed" in (tmp_path / "permit-0.xml").read_bytes()
    forged = (tmp_path / "forged.xml").read_bytes()
    assert forged.startswith(b"<?xml")
    assert b"mainindication:total-passed" not in forged


def test_the_how_to_cluster_script_runs_as_a_script(
    tmp_path: Path, signing: Signing, pki: TestPKI
) -> None:
    """docs/howto/dask-verification.md's local cluster run, saved as a file and run with
    ``python script.py``: the way a reader uses it, where the ``__main__`` guard matters."""
    text = (ROOT / "docs" / "howto" / "dask-verification.md").read_text(encoding="utf-8")
    (script,) = [
        m.group(2)
        for m in FENCE.finditer(text)
        if "LocalCluster(" in m.group(2) and not SKIP.search(text[: m.start()].rstrip("\n"))
    ]
    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "root.pem").write_bytes(pki.root.certificate_pem())
    archive = tmp_path / "archive" / "2026"
    archive.mkdir(parents=True)
    for i in range(3):
        (archive / f"permit-{i}.pdf").write_bytes(signing.sign(base_pdf(f"Permis {i}")))
    (archive / "forged.pdf").write_bytes(
        (archive / "permit-0.pdf").read_bytes().replace(b"Permis 0", b"Permis 9", 1)
    )
    (tmp_path / "verify_archive.py").write_text(script, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "verify_archive.py"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:]
    assert "3 of 4 passed" in out.stdout
