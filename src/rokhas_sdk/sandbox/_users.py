"""Seeded users: for every seeded commune, one or more users per role, each with a token.

Tokens are derived from the sandbox's seed, so with a fixed seed they are stable across
restarts (a portal under test can keep them in its configuration) and differ between
sandboxes made with different seeds; ``rokhas sandbox serve`` draws a random seed at each
start unless given ``--seed``. They are secrets all the same: held as ``SecretStr``,
never in a repr or a log line, and they expire (:data:`DEFAULT_TOKEN_TTL`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import SecretStr

from ..models import CommissionBody, Role, registry
from ._errors import ApiProblem, SandboxConfigurationError

__all__ = [
    "ADMIN_ROLE",
    "DEFAULT_TOKEN_TTL",
    "SandboxUser",
    "UserDirectory",
    "canonical_commune",
    "seed_users",
]

# The sandbox's own operator (clock, faults, reset). Not a platform role.
ADMIN_ROLE = "SANDBOX_ADMIN"

DEFAULT_COMMUNES = ("06.141.01.0", "04.421.01.0", "07.351.01.0")  # Casablanca, Rabat, Marrakech

# Roles seeded once per commune; applicants twice, so that "no applicant reads another
# applicant's dossier" can be tested.
_PER_COMMUNE: tuple[tuple[Role, int], ...] = (
    (Role.PETITIONNAIRE, 2),
    (Role.PROPRIETAIRE, 1),
    (Role.MANDATAIRE, 1),
    (Role.ARCHITECTE, 2),
    (Role.IGT, 1),
    (Role.INGENIEUR_BET, 1),
    (Role.GUICHET_AGENT, 1),
    (Role.PRESIDENT_COMMUNE, 1),
    (Role.PRESIDENT_ARRONDISSEMENT, 1),
    (Role.AUTORITE_LOCALE, 1),
    (Role.REGISSEUR, 1),
    (Role.GOUVERNEUR, 1),
    (Role.PROVINCE_CONTACT, 1),
)

_FIRST = (
    "Amina",
    "Youssef",
    "Khadija",
    "Omar",
    "Salma",
    "Hamza",
    "Nadia",
    "Karim",
    "Leila",
    "Mehdi",
)
_LAST = (
    "Benali",
    "El Idrissi",
    "Alaoui",
    "Berrada",
    "Tazi",
    "Chraibi",
    "Fassi",
    "Bennani",
    "Kettani",
    "Lahlou",
)


@dataclass(frozen=True)
class SandboxUser:
    """A seeded account: who they are, what role, where, and their bearer token."""

    id: str
    role: str
    first_name: str
    last_name: str
    cin: str
    commune: str | None = None
    province: str | None = None
    body: CommissionBody | None = None
    order_number: str | None = None
    token: SecretStr = field(default=SecretStr(""), repr=False, compare=False)

    @property
    def name(self) -> str:
        """Full name."""
        return f"{self.first_name} {self.last_name}"

    def as_public_dict(self) -> dict[str, object]:
        """What the API shows about a user (never the token)."""
        return {
            "id": self.id,
            "role": self.role,
            "name": self.name,
            "commune": self.commune,
            "province": self.province,
            "body": self.body.value if self.body else None,
            "order_number": self.order_number,
        }


DEFAULT_TOKEN_TTL = timedelta(days=3650)
"""How long the seeded tokens live from the sandbox's start, on the sandbox clock: ten
years, beyond any procedure's deadlines and a permit's validity, so a test that moves the
clock by years keeps its tokens; finite, so a token copied somewhere stops working."""


class UserDirectory:
    """The seeded users, indexed by id and by token, and when their tokens expire."""

    def __init__(self, users: list[SandboxUser]) -> None:
        self._by_id = {u.id: u for u in users}
        self._by_token_digest = {_digest(u.token.get_secret_value()): u for u in users}
        self.tokens_expire_at: datetime | None = None
        """The instant (sandbox clock) from which every token answers 401; None: never."""

    def issue(self, now: datetime, ttl: timedelta | None = None) -> datetime:
        """Start the tokens' lifetime at ``now`` (default: :data:`DEFAULT_TOKEN_TTL`)."""
        ttl = DEFAULT_TOKEN_TTL if ttl is None else ttl
        if ttl <= timedelta():
            raise SandboxConfigurationError(
                f"a token lifetime must be positive, got {ttl}; e.g. timedelta(days=30)"
            )
        try:
            self.tokens_expire_at = now + ttl
        except OverflowError:
            raise SandboxConfigurationError(
                f"a token lifetime of {ttl} ends beyond the year 9999; give a shorter one"
            ) from None
        return self.tokens_expire_at

    def check_not_expired(self, now: datetime) -> None:
        """Refuse every token once :attr:`tokens_expire_at` has passed (401)."""
        expiry = self.tokens_expire_at
        if expiry is not None and now >= expiry:
            raise ApiProblem(
                401,
                "unauthenticated",
                f"Jeton expiré depuis le {expiry.isoformat()} : relancez le sandbox pour "
                "obtenir de nouveaux jetons.",
                f"انتهت صلاحية رمز الولوج منذ {expiry.isoformat()}: أعد تشغيل المنصة "
                "التجريبية للحصول على رموز جديدة.",
                details={
                    "expired_at": expiry.isoformat(),
                    "hint": "sandbox tokens live token_ttl from the server's start on the "
                    "sandbox clock (rokhas sandbox serve --token-ttl DAYS); restart the "
                    "server, or give a longer lifetime",
                },
                headers={
                    "www-authenticate": 'Bearer realm="rokhas-sandbox", error="invalid_token"'
                },
            )

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, user_id: str) -> SandboxUser | None:
        """A user by id."""
        return self._by_id.get(user_id)

    def by_token(self, token: str) -> SandboxUser | None:
        """The user a bearer token belongs to (constant-time comparison of digests)."""
        return self._by_token_digest.get(_digest(token))

    def find(
        self,
        role: Role | str,
        *,
        commune: str | None = None,
        body: CommissionBody | str | None = None,
        index: int = 0,
    ) -> SandboxUser:
        """The ``index``-th seeded user of a role (in a commune, of a commission body)."""
        role_value = role.value if isinstance(role, Role) else str(role)
        if commune is not None:
            commune = canonical_commune(commune)
        body_value = body.value if isinstance(body, CommissionBody) else body
        matches = [
            u
            for u in self._by_id.values()
            if u.role == role_value
            and (commune is None or u.commune == commune or u.commune is None)
            and (body_value is None or (u.body is not None and u.body.value == body_value))
        ]
        if commune is not None:
            matches.sort(key=lambda u: u.commune != commune)
        if index >= len(matches):
            raise LookupError(
                f"no seeded user #{index} with role {role_value}"
                + (f" in commune {commune}" if commune else "")
                + (f" for body {body_value}" if body_value else "")
                + f"; there are {len(matches)}"
            )
        return matches[index]


def canonical_commune(code: str) -> str:
    """The current registry code of a commune (old seed codes like ``141.01.01`` are aliases)."""
    return registry().commune(code).code


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _token(seed: str, user_id: str) -> SecretStr:
    mac = hmac.new(seed.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:24]
    return SecretStr(f"rks_test_{mac}")


def seed_users(seed: str, communes: tuple[str, ...] = DEFAULT_COMMUNES) -> UserDirectory:
    """Every seeded user of a sandbox made with ``seed``, for ``communes``."""
    reg = registry()
    users: list[SandboxUser] = []
    n = 0

    def person(i: int) -> tuple[str, str, str]:
        return _FIRST[i % len(_FIRST)], _LAST[(i * 7 + 3) % len(_LAST)], f"BK{100000 + i}"

    for given in communes:
        commune = reg.commune(given)
        code = commune.code
        for role, count in _PER_COMMUNE:
            for k in range(1, count + 1):
                n += 1
                first, last, cin = person(n)
                uid = f"{role.value.lower()}-{code}-{k}"
                order = None
                if role in (Role.ARCHITECTE, Role.IGT, Role.INGENIEUR_BET):
                    order = f"{role.value[:3]}-{code.replace('.', '')}-{k}"
                users.append(
                    SandboxUser(
                        id=uid,
                        role=role.value,
                        first_name=first,
                        last_name=last,
                        cin=cin,
                        commune=code,
                        province=commune.province_code,
                        order_number=order,
                        token=_token(seed, uid),
                    )
                )
        for body in CommissionBody:
            n += 1
            first, last, cin = person(n)
            uid = f"commission_member-{body.value.lower()}-{code}"
            users.append(
                SandboxUser(
                    id=uid,
                    role=Role.COMMISSION_MEMBER.value,
                    first_name=first,
                    last_name=last,
                    cin=cin,
                    commune=code,
                    province=commune.province_code,
                    body=body,
                    token=_token(seed, uid),
                )
            )
    for uid, national_role in (("dgct-1", Role.DGCT.value), ("sandbox-admin", ADMIN_ROLE)):
        n += 1
        first, last, cin = person(n)
        users.append(
            SandboxUser(
                id=uid,
                role=national_role,
                first_name=first,
                last_name=last,
                cin=cin,
                token=_token(seed, uid),
            )
        )
    return UserDirectory(users)
