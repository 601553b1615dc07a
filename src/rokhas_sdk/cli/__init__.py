"""The ``rokhas`` command.

Each room contributes its sub-commands from a private module of this package
(``_demo``, ``_procedure``...), registered in ``_main.COMMAND_MODULES``. Modules import
their heavy dependencies inside the command function, so ``rokhas --help`` stays fast.
"""

from __future__ import annotations

from ._main import main as main

__all__ = ["main"]
