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


def _imported_rooms(path: Path, pkg: Path = PKG) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(pkg.parent).with_suffix("").parts  # ("rokhas_sdk", room, ...)
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
    # The fake package lives in tmp_path: a test never writes into src/.
    fake = tmp_path / "rokhas_sdk" / "models" / "_zz_fake_for_test.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..signing import x\nimport rokhas_sdk.client\n", encoding="utf-8")
    rooms = {t for t, _ in _imported_rooms(fake, tmp_path / "rokhas_sdk")}
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


# -- inside each room: a tree of modules, and no one else's private names (design.md §2) --


def _module_name(path: Path, pkg: Path) -> str:
    parts = path.relative_to(pkg.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run, including those inside functions.

    Imports under ``if TYPE_CHECKING:`` are left out: they name types for the checker
    and never execute, so they cannot make an import circle.
    """
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _target(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    here = module.split(".") if is_package else module.split(".")[:-1]
    base = here[: len(here) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(pkg: Path) -> tuple[dict[str, set[str]], list[tuple[str, str, str, int]]]:
    """(module -> modules it imports at run time, private names taken from other modules).

    A private name is a ``_name`` (not a dunder) imported from a module that defines it;
    importing a private *module* (``from . import _pkcs11``) is the normal way to use a
    room's own modules and is not counted.
    """
    files = {_module_name(p, pkg): p for p in sorted(pkg.rglob("*.py"))}
    edges: dict[str, set[str]] = {m: set() for m in files}
    private: list[tuple[str, str, str, int]] = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        runtime = _runtime_imports(tree)
        for node in runtime:
            if isinstance(node, ast.Import):
                edges[module].update(a.name for a in node.names if a.name in files)
                continue
            target = _target(node, module, path.name == "__init__.py")
            for alias in node.names:
                if f"{target}.{alias.name}" in files:
                    edges[module].add(f"{target}.{alias.name}")
                elif target in files:
                    edges[module].add(target)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append((module, target, alias.name, node.lineno))
        # The TYPE_CHECKING imports may not take private names either.
        for checked in ast.walk(tree):
            if isinstance(checked, ast.ImportFrom) and checked not in runtime:
                target = _target(checked, module, path.name == "__init__.py")
                for alias in checked.names:
                    name = alias.name
                    if (
                        target in files
                        and f"{target}.{name}" not in files
                        and name.startswith("_")
                        and not name.startswith("__")
                    ):
                        private.append((module, target, name, checked.lineno))
    return edges, private


def _room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def circles_within_rooms(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import circles among the modules of one room (a package's __init__ is its face,
    outside the tree: it re-exports its modules, and they never import it)."""
    inside = {
        m: {t for t in targets if _room_of(t) == _room_of(m) and _room_of(t) is not None}
        for m, targets in edges.items()
        if _room_of(m) is not None
    }
    circles: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(inside):
        # Depth-first search from each module, for a path that comes back to it.
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        visited: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(inside.get(node, ())):
                if nxt == start:
                    key = "|".join(sorted(path))
                    if key not in seen:
                        seen.add(key)
                        circles.append(path)
                elif nxt not in visited:
                    visited.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return circles


def test_no_room_has_an_import_circle() -> None:
    circles = circles_within_rooms(import_graph(PKG)[0])
    assert not circles, "modules that import each other back (design.md §2): " + "; ".join(
        " -> ".join(c + c[:1]) for c in circles
    )


def test_no_module_takes_another_modules_private_names() -> None:
    private = import_graph(PKG)[1]
    assert not private, "private names imported from another module (design.md §2): " + (
        "; ".join(f"{m} takes {name} from {t} (line {line})" for m, t, name, line in private)
    )


def test_the_room_checks_can_fail(tmp_path: Path) -> None:
    # A fake room in tmp_path: a circle through a function-level import, a private name
    # taken across modules; a TYPE_CHECKING import back is neither.
    room = tmp_path / "rokhas_sdk" / "fake"
    room.mkdir(parents=True)
    (room / "__init__.py").write_text("from ._a import run as run\n", encoding="utf-8")
    (room / "_a.py").write_text(
        "from ._b import _helper\n\ndef run() -> None:\n    _helper()\n", encoding="utf-8"
    )
    (room / "_b.py").write_text("def _helper() -> None:\n    from ._c import x\n", encoding="utf-8")
    (room / "_c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._a import run\n"
        "from ._b import _helper as x\n",
        encoding="utf-8",
    )
    edges, private = import_graph(tmp_path / "rokhas_sdk")
    circles = circles_within_rooms(edges)
    assert [sorted(c) for c in circles] == [["rokhas_sdk.fake._b", "rokhas_sdk.fake._c"]]
    assert {(m, name) for m, _, name, _ in private} == {
        ("rokhas_sdk.fake._a", "_helper"),
        ("rokhas_sdk.fake._c", "_helper"),
    }


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
