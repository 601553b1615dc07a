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
from ._users import ADMIN_ROLE, SandboxUser

__all__ = ["OperationRule", "authorization_matrix", "can_see_dossier"]

# Roles whose access to a dossier comes from being a party to it.
APPLICANT_ROLES = frozenset(
    {Role.PETITIONNAIRE.value, Role.PROPRIETAIRE.value, Role.MANDATAIRE.value}
)
# Commune officials: every dossier of their commune.
COMMUNE_ROLES = frozenset(
    {
        Role.GUICHET_AGENT.value,
        Role.PRESIDENT_COMMUNE.value,
        Role.PRESIDENT_ARRONDISSEMENT.value,
        Role.REGISSEUR.value,
        Role.AUTORITE_LOCALE.value,
        Role.COMMISSION_MEMBER.value,
    }
)
PROVINCE_ROLES = frozenset({Role.GOUVERNEUR.value, Role.PROVINCE_CONTACT.value})
NATIONAL_ROLES = frozenset({Role.DGCT.value, ADMIN_ROLE})
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
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("data/authorization.json").read_text(encoding="utf-8")
    )
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


def _commune(record: dict[str, Any]) -> str:
    from ._users import canonical_commune

    return str(record.get("commune") or canonical_commune(record["dossier"]["commune"]))


def can_see_dossier(user: SandboxUser, record: dict[str, Any]) -> bool:
    """Whether ``user`` may read the dossier stored as ``record``."""
    role = user.role
    if role in NATIONAL_ROLES:
        return True
    dossier = record["dossier"]
    if role in APPLICANT_ROLES:
        return bool(record["created_by"] == user.id)
    if role in (Role.ARCHITECTE.value, Role.IGT.value, Role.INGENIEUR_BET.value):
        if record["created_by"] == user.id:
            return True
        field = {"ARCHITECTE": "architect", "IGT": "surveyor", "INGENIEUR_BET": "engineer"}[role]
        pro = dossier.get(field)
        return bool(pro and user.order_number and pro.get("order_number") == user.order_number)
    if role == Role.COMMISSION_MEMBER.value:
        return bool(_commune(record) == user.commune and record["state"] not in _BEFORE_COMMISSION)
    if role in COMMUNE_ROLES:
        return bool(
            _commune(record) == user.commune and record["state"] not in ("DRAFT", "PLANS_SIGNED")
        )
    if role in PROVINCE_ROLES:
        return bool(
            record.get("province") == user.province
            and record["state"] not in ("DRAFT", "PLANS_SIGNED")
        )
    return False
