"""The public surface, curated: every exported name resolves and reports its public home.

Each room re-exports its public names from private modules; users, reprs, tracebacks
and the docs must see ``rokhas_sdk.signing.SignatureReport``, never
``rokhas_sdk.signing._report.SignatureReport``. Lazy rooms declare each name once (their
``if TYPE_CHECKING:`` block), and ``__all__`` must be exactly what resolves.
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

from rokhas_sdk._lazy import public_reexports

SRC = Path(__file__).resolve().parents[1] / "src" / "rokhas_sdk"
ROOMS = sorted(
    p.name for p in SRC.iterdir() if (p / "__init__.py").is_file() and not p.name.startswith("_")
)
PACKAGES = ["rokhas_sdk", *(f"rokhas_sdk.{room}" for room in ROOMS if room != "cli")]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name} is in __all__ but does not resolve"
        assert name in dir(module)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_class_and_function_reports_its_public_module(package: str) -> None:
    module = importlib.import_module(package)
    wrong = []
    for name in module.__all__:
        value = getattr(module, name)
        if not isinstance(value, type | types.FunctionType):
            continue
        home = value.__module__
        if any(part.startswith("_") for part in home.split(".")):
            wrong.append(f"{name}: {home}")
            continue
        # the reported home really exports it (so pickle, docs and users find it there)
        assert getattr(importlib.import_module(home), value.__name__) is value, name
    assert not wrong, f"{package} exports names that report a private module: {wrong}"


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_exactly_the_reexports(package: str) -> None:
    init = importlib.import_module(package).__file__
    assert init is not None
    source = Path(init).read_text(encoding="utf-8")
    lazy, eager = public_reexports(source)
    assert sorted(importlib.import_module(package).__all__) == sorted({*lazy, *eager})


def test_lazy_rooms_list_each_name_once() -> None:
    # The TYPE_CHECKING block is the only list: no mapping or __all__ literal beside it.
    for room in ("models", "documents", "signing", "sandbox", "testing"):
        tree = ast.parse((SRC / room / "__init__.py").read_text(encoding="utf-8"))
        literals = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Dict | ast.List | ast.Set)
        ]
        assert not literals, f"{room}/__init__.py lists its names a second time"


def test_reexports_are_read_from_the_source() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from ._a import Eager as Eager\n"
        "from ._a import helper\n"
        "if TYPE_CHECKING:\n"
        "    from ._b import Lazy as Lazy\n"
        "    from .._c import Shared as Shared\n"
        "    from ._d import hidden\n"
    )
    lazy, eager = public_reexports(source)
    assert lazy == {"Lazy": "._b", "Shared": ".._c"}
    assert eager == ["Eager"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_exception_is_in_the_rokhas_error_tree(package: str) -> None:
    from rokhas_sdk import RokhasError

    module = importlib.import_module(package)
    outside = [
        name
        for name in module.__all__
        if isinstance(getattr(module, name), type)
        and issubclass(getattr(module, name), BaseException)
        and not issubclass(getattr(module, name), RokhasError)
    ]
    assert not outside, f"{package} exports exceptions outside RokhasError: {outside}"
