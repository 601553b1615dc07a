"""Sub-commands of ``rokhas`` for this room (see ``_main.COMMAND_MODULES``)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    """Add this room's commands. Empty until the room lands."""
