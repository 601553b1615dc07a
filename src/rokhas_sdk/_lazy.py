"""A room's public surface, declared once: lazy re-exports (PEP 562) and public module names.

A lazy room lists each public name exactly once, as a re-export in its
``if TYPE_CHECKING:`` block (``from ._sign import sign_pdf as sign_pdf``): type checkers
read the block, and :func:`lazy_exports` reads the same lines from the room's source to
learn where each name lives, so ``import rokhas_sdk.signing`` (say) loads nothing heavy
until a name is used. Eager re-exports (``from ._report import X as X`` at the top level)
are public too. ``__all__`` is every re-exported name.

Public classes and functions report the room as their module
(``rokhas_sdk.signing.SignatureReport.__module__ == "rokhas_sdk.signing"``), the way
httpx does, so reprs, tracebacks and the docs show the name users import, never a
private module path.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports", "public_reexports", "set_public_module"]


def public_reexports(source: str) -> tuple[dict[str, str], list[str]]:
    """``(lazy, eager)`` re-exports of a room's ``__init__`` source.

    ``lazy`` maps each name of the ``if TYPE_CHECKING:`` block to its relative module
    (``"._sign"``, ``".._text"``); ``eager`` lists the names re-exported at the top level.
    Only the explicit re-export form ``from .x import Name as Name``, one per line, counts.
    Plain string work rather than ``ast`` or ``re``: this runs at import, which must stay
    cheap.
    """
    lazy: dict[str, str] = {}
    eager: list[str] = []
    in_block = False
    for line in source.splitlines():
        indented = line[:1].isspace()
        if line.startswith("if TYPE_CHECKING:"):
            in_block = True
            continue
        if line and not indented:
            in_block = False
        words = line.split("#", 1)[0].split()
        if (
            len(words) == 6
            and words[0] == "from"
            and words[1].startswith(".")
            and words[2] == "import"
            and words[4] == "as"
            and words[3] == words[5]
        ):
            if not indented:
                eager.append(words[3])
            elif in_block:
                lazy[words[3]] = words[1]
    return lazy, eager


def set_public_module(package: str, namespace: Mapping[str, Any], names: Iterable[str]) -> None:
    """Make each class and function named here report ``package`` as its module.

    Only objects defined in one of the package's private modules are renamed: a name the
    room re-exports from another room keeps that room's module.
    """
    private = package + "._"
    for name in names:
        value = namespace.get(name)
        if isinstance(value, type | types.FunctionType):
            module = getattr(value, "__module__", None)
            if isinstance(module, str) and module.startswith(private):
                # a builtin or a frozen object keeps its module
                with contextlib.suppress(AttributeError, TypeError):
                    value.__module__ = package


def lazy_exports(
    package: str, namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package``, read from its own source.

    ``namespace`` is the package's ``globals()``: each name is stored there once loaded,
    so later look-ups skip ``__getattr__``.
    """
    with open(namespace["__file__"], encoding="utf-8") as init:
        source = init.read()
    exports, eager = public_reexports(source)
    set_public_module(package, namespace, eager)
    public = sorted({*exports, *eager})

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        # Everything of the room loaded so far gets its public name, not only this one.
        loaded = {
            n: getattr(sys.modules[importlib.util.resolve_name(m, package)], n, None)
            for n, m in exports.items()
            if importlib.util.resolve_name(m, package) in sys.modules
        }
        set_public_module(package, loaded, loaded)
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__, public
