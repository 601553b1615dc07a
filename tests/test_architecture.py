"""The import rules of design.md §2, checked on every run.

Dependencies point one way; a room that reaches into a room above it would make the
light rooms heavy and the layers meaningless. This walks every module's AST (static
imports, including those inside functions) and fails on any edge the design forbids.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "rokhas_sdk"
ROOMS = {
    "models",
    "procedure",
    "payments",
    "documents",
    "signing",
    "api",
    "client",
    "sandbox",
    "analytics",
    "testing",
    "cli",
}

ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "procedure": {"models"},
    "payments": {"models"},
    "analytics": {"models"},
    "documents": {"models"},
    "signing": {"models"},
    "api": {"models"},
    "client": {"api", "models"},
    "sandbox": ROOMS - {"client", "testing", "cli", "sandbox"},
    "testing": ROOMS - {"testing", "cli"},
    "cli": ROOMS - {"cli"},
}


def _imported_rooms(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PKG.parent).with_suffix("").parts  # ("rokhas_sdk", room, ...)
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    list(rel[: len(rel) - node.level])
                    if path.name != "__init__.py"
                    else list(rel[: len(rel) - node.level + 1])
                )
                mod = ".".join(base + ([node.module] if node.module else []))
                names = [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[0] == "rokhas_sdk" and len(parts) > 1 and parts[1] in ROOMS:
                found.add((parts[1], node.lineno))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_follow_the_layering(path: Path) -> None:
    rel = path.relative_to(PKG).parts
    if len(rel) == 1:  # top-level private modules (_errors, _version, __init__)
        room = None
    else:
        room = rel[0]
    bad = []
    for target, line in _imported_rooms(path):
        if room is None:
            if path.name not in {"__main__.py"}:
                bad.append((target, line))
            continue
        if target != room and target not in ALLOWED[room]:
            bad.append((target, line))
    assert not bad, f"{path.relative_to(PKG)} imports rooms it must not: {bad} (design.md §2)"


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    # The rule above must be able to fail: a models module importing signing is caught.
    fake = PKG / "models" / "_zz_fake_for_test.py"
    fake.write_text("from ..signing import x\nimport rokhas_sdk.client\n", encoding="utf-8")
    try:
        rooms = {t for t, _ in _imported_rooms(fake)}
    finally:
        fake.unlink()
    assert rooms == {"signing", "client"}


HEAVY = [
    "pyhanko",
    "fpdf",
    "uvicorn",
    "starlette",
    "polars",
    "matplotlib",
    "pkcs11",
    "cryptography",
    "httpx",
    "rich",
]


@pytest.mark.parametrize("module", ["rokhas_sdk", "rokhas_sdk.models"])
def test_import_is_light(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", (
        f"import {module} pulled in heavy modules: {out.stdout.strip()}"
    )
