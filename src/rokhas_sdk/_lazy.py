"""Lazy re-exports for the rooms' ``__init__`` modules (PEP 562).

A room lists its public names with the private module that defines each; the names are
imported on first access, so ``import rokhas_sdk.signing`` (say) does not load pyHanko
until a signing function is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    ``exports`` maps each public name to the module that defines it, relative to the
    package (``"._sign"``); ``namespace`` is the package's ``globals()``, where each name
    is stored once loaded so that later look-ups skip ``__getattr__``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
