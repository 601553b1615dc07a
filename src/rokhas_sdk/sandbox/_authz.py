"""Who may call which operation, and which dossiers each user can see.

The matrix is data (``data/authorization.json``): for every operation of the contract,
the roles allowed and the scope they act in. Procedure events are authorised twice: the
role must be one the procedure's transition table names for that event (the procedure
room owns that), and the user must see the dossier (this module). A commission member
may only enter the opinion of their own body.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .._errors import DataFileError
from ..models import Role
from ._record import DossierRecord
from ._users import ADMIN_ROLE, SandboxUser

__all__ = [
    "APPLICANT_ROLES",
    "COMMUNE_ROLES",
    "DESIGNER_ROLES",
    "NATIONAL_ROLES",
    "PROVINCE_ROLES",
    "OperationRule",
    "authorization_matrix",
    "can_see_dossier",
    "role_group",
]


@functools.cache
def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("data/authorization.json").read_text(encoding="utf-8")
    )
    return raw


def role_group(name: str) -> frozenset[str]:
    """A group of roles named in ``data/authorization.json`` (the one place groups live)."""
    groups: dict[str, list[str]] = _raw().get("groups", {})
    if name not in groups:
        raise DataFileError(
            f"authorization.json has no role group {name!r}; groups: {sorted(groups)}"
        )
    return frozenset(groups[name])


# Roles whose access to a dossier comes from being a party to it.
APPLICANT_ROLES = role_group("applicants")
# Designers: they see the dossiers they file or are named in.
DESIGNER_ROLES = role_group("designers")
# Commune officials: every dossier of their commune.
COMMUNE_ROLES = role_group("commune")
PROVINCE_ROLES = role_group("province")
NATIONAL_ROLES = role_group("national") | {ADMIN_ROLE}
# A commission member sees a dossier once it has gone to the commission (not drafts).
_BEFORE_COMMISSION = frozenset(
    {
        "DRAFT",
        "PLANS_SIGNED",
        "SUBMITTED",
        "RECEIPT_ISSUED",
        "COMPLETENESS_CHECK",
        "COMPLEMENT_REQUESTED",
        "WITHDRAWN",
    }
)
_DRAFTS = frozenset({"DRAFT", "PLANS_SIGNED"})


@dataclass(frozen=True, slots=True)
class OperationRule:
    """Roles allowed to call an operation, and the scope in which they act."""

    operation_id: str
    roles: frozenset[str]
    scope: str
    note: str = ""


_SCOPES = {"public", "any", "dossier", "create", "commune", "admin"}


@functools.cache
def authorization_matrix() -> dict[str, OperationRule]:
    """The matrix from ``data/authorization.json`` (loaded and checked once)."""
    raw = _raw()
    known_roles = {r.value for r in Role} | {ADMIN_ROLE}
    groups: dict[str, list[str]] = raw.get("groups", {})
    out: dict[str, OperationRule] = {}
    for op, row in raw["operations"].items():
        roles: set[str] = set()
        for name in row["roles"]:
            if name.startswith("@"):
                if name[1:] not in groups:
                    raise DataFileError(
                        f"authorization.json: operation {op} names unknown group {name}"
                    )
                roles.update(groups[name[1:]])
            else:
                roles.add(name)
        unknown = roles - known_roles
        if unknown:
            raise DataFileError(
                f"authorization.json: operation {op} names unknown roles {sorted(unknown)}"
            )
        if row["scope"] not in _SCOPES:
            raise DataFileError(
                f"authorization.json: operation {op} has unknown scope {row['scope']!r}; use "
                f"one of {sorted(_SCOPES)}"
            )
        out[op] = OperationRule(op, frozenset(roles), row["scope"], row.get("note", ""))
    return out


def can_see_dossier(user: SandboxUser, record: DossierRecord) -> bool:
    """Whether ``user`` may read the dossier held in ``record``."""
    role = user.role
    if role in NATIONAL_ROLES:
        return True
    if role in APPLICANT_ROLES:
        return record.created_by == user.id
    if role in DESIGNER_ROLES:
        if record.created_by == user.id:
            return True
        dossier = record.dossier
        pro = {
            Role.ARCHITECTE.value: dossier.architect,
            Role.IGT.value: dossier.surveyor,
            Role.INGENIEUR_BET.value: dossier.engineer,
        }.get(role)
        return bool(pro is not None and user.order_number and pro.order_number == user.order_number)
    if role == Role.COMMISSION_MEMBER.value:
        return record.commune == user.commune and record.state not in _BEFORE_COMMISSION
    if role in COMMUNE_ROLES:
        return record.commune == user.commune and record.state not in _DRAFTS
    if role in PROVINCE_ROLES:
        return record.province == user.province and record.state not in _DRAFTS
    return False
