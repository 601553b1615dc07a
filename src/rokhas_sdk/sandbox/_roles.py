"""Groups of roles, read from ``data/authorization.json``: the one place they are named.

The authorisation matrix (``_authz``), the visibility rules and the seeded users all ask
this module, so a group (the applicants, the designers, the commune's officials...) is
never spelled out twice.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from .._errors import DataFileError

__all__ = ["authorization_data", "role_group"]


@functools.cache
def authorization_data() -> dict[str, Any]:
    """``data/authorization.json``, parsed once."""
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("data/authorization.json").read_text(encoding="utf-8")
    )
    return raw


def role_group(name: str) -> frozenset[str]:
    """A group of roles named in ``data/authorization.json``."""
    groups: dict[str, list[str]] = authorization_data().get("groups", {})
    if name not in groups:
        raise DataFileError(
            f"authorization.json has no role group {name!r}; groups: {sorted(groups)}"
        )
    return frozenset(groups[name])
