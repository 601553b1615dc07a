"""The sandbox's own tiny HTTP vocabulary: a request, a response, a router.

The same :meth:`Sandbox.handle` serves the in-process transports (no sockets) and the
ASGI app under uvicorn, so what a test sees in-process is what a portal sees over HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ._errors import ApiProblem
from ._json import JsonBodyError, dumps, loads_request

__all__ = ["Offload", "PendingWork", "Route", "Router", "SandboxRequest", "SandboxResponse"]


@dataclass(slots=True)
class SandboxRequest:
    """One request: method, path, query, headers (lower-case names), raw body."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (the last value wins for a repeated name)."""
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    def query_list(self) -> list[tuple[str, str]]:
        """Query parameters in order, repeats kept."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as JSON (an empty body is ``{}``); a refused body is a 4xx problem.

        Limits (docs/sandbox.md, *Hostile bodies*): 1 MiB (413), 32 levels of nesting
        (422), UTF-8 only and strict JSON (400).
        """
        if not self.body:
            return {}
        try:
            return loads_request(self.body)
        except JsonBodyError as exc:
            raise _body_problem(exc) from None

    def form(self) -> dict[str, str]:
        """The body as an HTML form (application/x-www-form-urlencoded)."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiProblem(400, "bad_request", "le formulaire n'est pas en UTF-8") from None
        return dict(parse_qsl(text, keep_blank_values=True))


def _body_problem(exc: JsonBodyError) -> ApiProblem:
    """The answer to a refused JSON body: bilingual message, developer hint apart."""
    if exc.kind == "too_large":
        return ApiProblem(
            413,
            "payload_too_large",
            f"Le corps de la requête dépasse la taille permise ({exc.found} octets ; "
            f"maximum {exc.limit} octets).",
            f"حجم محتوى الطلب يتجاوز الحد المسموح به ({exc.found} بايت؛ الحد الأقصى "
            f"{exc.limit} بايت).",
            details={
                "limit_bytes": exc.limit,
                "received_bytes": exc.found,
                "hint": "JSON bodies are limited to 1 MiB; upload files as raw bodies "
                "(PUT .../pieces/{piece_id}), not inside JSON",
            },
        )
    if exc.kind == "too_deep":
        return ApiProblem(
            422,
            "invalid_input",
            f"Le JSON envoyé est imbriqué trop profondément (plus de {exc.limit} niveaux).",
            f"معطيات JSON المرسلة متداخلة بعمق مفرط (أكثر من {exc.limit} مستوى).",
            details={
                "max_depth": exc.limit,
                "problems": [
                    {"path": "", "message": f"nested deeper than {exc.limit}", "kind": "too_deep"}
                ],
                "hint": "no request of the v1 contract nests beyond a few levels: check "
                "that the body is the documented object, not data wrapped in itself",
            },
        )
    if exc.kind == "encoding":
        return ApiProblem(
            400,
            "bad_request",
            "Le corps de la requête doit être du JSON encodé en UTF-8.",
            "يجب أن يكون محتوى الطلب بصيغة JSON مرمزة بـ UTF-8.",
            details={
                "hint": f"the body is {exc}; send UTF-8 JSON with "
                "'Content-Type: application/json' (RFC 8259)"
            },
        )
    return ApiProblem(
        400,
        "bad_request",
        "Le corps de la requête n'est pas un JSON valide.",
        "محتوى الطلب ليس بصيغة JSON صالحة.",
        details={"hint": f"JSON syntax: {exc}"},
    )


@dataclass(frozen=True, slots=True)
class PendingWork:
    """CPU-heavy work a handler asks to have done outside the request (a permit to
    render and sign): ``fn(*args)`` runs in a worker process, its result is kept under
    ``key`` and the request is answered again, finding it ready.

    Raised only when the request allows it (``RequestContext.offload``, the HTTP server
    with signing workers); the in-process transports do the work inline.
    """

    key: str
    fn: Callable[..., bytes]
    args: tuple[Any, ...]


class Offload(Exception):
    """Carries a :class:`PendingWork` out of a handler (its transaction is rolled back)."""

    def __init__(self, work: PendingWork) -> None:
        super().__init__(work.key)
        self.work = work


@dataclass(slots=True)
class SandboxResponse:
    """One answer (``pending``: work to do before the request can be answered)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    deferred: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    pending: PendingWork | None = None

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> SandboxResponse:
        """A JSON answer (UTF-8, compact)."""
        body = dumps(data)
        h = {"content-type": "application/json"}
        h.update(headers or {})
        return cls(status, body, h)

    @classmethod
    def raw(
        cls,
        body: bytes,
        content_type: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> SandboxResponse:
        """A binary or text answer."""
        h = {"content-type": content_type}
        h.update(headers or {})
        return cls(status, body, h)


Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Route:
    """A path template bound to an operation id and its handler."""

    method: str
    template: str
    operation_id: str
    handler: Handler
    pattern: re.Pattern[str]


_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


class Router:
    """Matches ``(method, path)`` to a route; literal prefixes are indexed for speed."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._static: dict[tuple[str, str], Route] = {}

    def add(self, method: str, template: str, operation_id: str, handler: Handler) -> None:
        """Register a route; ``{name}`` matches one path segment."""
        regex = (
            "^"
            + _PARAM.sub(
                lambda m: f"(?P<{m.group(1)}>[^/]+)",
                re.escape(template).replace(r"\{", "{").replace(r"\}", "}"),
            )
            + "$"
        )
        route = Route(method.upper(), template, operation_id, handler, re.compile(regex))
        self._routes.append(route)
        if "{" not in template:
            self._static[(route.method, template)] = route

    @property
    def routes(self) -> list[Route]:
        """Every registered route."""
        return list(self._routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and its path parameters; 404 or 405 problems otherwise."""
        route = self._static.get((method, path))
        if route is not None:
            return route, {}
        allowed: list[str] = []
        for route in self._routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            if route.method == method:
                return route, m.groupdict()
            allowed.append(route.method)
        if allowed:
            raise ApiProblem(
                405,
                "method_not_allowed",
                f"la méthode {method} n'est pas permise sur {path} ; méthodes permises : "
                f"{', '.join(sorted(set(allowed)))}",
                headers={"allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiProblem(404, "not_found", f"aucune opération à l'adresse {path}")
