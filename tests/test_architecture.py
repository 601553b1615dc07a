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
                found.add((parts[1], getattr(node, "lineno", 0)))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_follow_the_layering(path: Path) -> None:
    rel = path.relative_to(PKG).parts
    # Top-level private modules (_errors, _version, _text, __init__) belong to no room.
    room = None if len(rel) == 1 else rel[0]
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


# --- no room takes another room's private names (design.md §2) --------------------------


def cross_room_private_imports(source: str, module: tuple[str, ...]) -> list[tuple[int, str]]:
    """``(line, what)`` for each import of another room's private module or ``_name``.

    ``module`` is the importing module's dotted path as parts, ``("rokhas_sdk", "cli",
    "_fees")``; for a package's ``__init__`` the last part is ``"__init__"``. Top-level
    private modules (``rokhas_sdk._errors``, ``_text``, ``_lazy``) are shared by all rooms.
    """
    room = module[1] if len(module) > 2 else None
    package = module[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" for a in node.names]
        for target in targets:
            parts = target.split(".")
            if parts[0] != "rokhas_sdk" or len(parts) < 3 or parts[1] not in ROOMS:
                continue
            if parts[1] != room and any(p.startswith("_") for p in parts[2:]):
                found.append((getattr(node, "lineno", 0), target))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_room_imports_another_rooms_private_names(path: Path) -> None:
    module = path.relative_to(PKG.parent).with_suffix("").parts
    bad = cross_room_private_imports(path.read_text(encoding="utf-8"), module)
    assert not bad, (
        f"{path.relative_to(PKG)} takes private names of another room: {bad}; make the name "
        "public in its room (re-exported by its __init__) and import it from there"
    )


def test_the_private_import_check_can_fail() -> None:
    source = (
        "from ..payments._quote import _today\n"
        "from ..sandbox import _render\n"
        "import rokhas_sdk.signing._verify\n"
        "from ._fees import helper\n"  # the room's own private module: fine
        "from ..payments import quote\n"  # public: fine
        "from .._errors import RokhasError\n"  # shared top-level module: fine
        "def f():\n    from rokhas_sdk.models._money import to_decimal\n"
    )
    found = cross_room_private_imports(source, ("rokhas_sdk", "cli", "_fees"))
    assert [what for _, what in found] == [
        "rokhas_sdk.payments._quote._today",
        "rokhas_sdk.sandbox._render",
        "rokhas_sdk.signing._verify",
        "rokhas_sdk.models._money.to_decimal",
    ]
    # and the same names from inside their own room are fine
    assert (
        cross_room_private_imports(
            "from ._quote import _today\n", ("rokhas_sdk", "payments", "__init__")
        )
        == []
    )
