"""A platform to talk to: the reference server of the ``rokhas_sdk.api`` contract.

The sandbox enforces the real rules (``procedure`` for what may happen and when,
``payments`` for what is owed and the CMI protocol, ``documents`` and ``signing`` for
the permit), with seeded communes, users per role and their tokens, an advanceable
clock, signed webhooks, a CMI-like payment page and fault injection.

>>> from rokhas_sdk.sandbox import Sandbox                     # doctest: +SKIP
>>> sb = Sandbox()                                             # in memory  # doctest: +SKIP
>>> import httpx                                               # doctest: +SKIP
>>> http = httpx.Client(transport=sb.transport(), base_url=sb.base_url)  # doctest: +SKIP

Run it over HTTP with ``rokhas sandbox serve --host 127.0.0.1 --port 8000 [--db FILE]``.
Names are loaded lazily: importing this package does not import uvicorn or httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._asgi import build_app as build_app
    from ._asgi import serve as serve
    from ._asgi import stderr_request_log as stderr_request_log
    from ._authz import authorization_matrix as authorization_matrix
    from ._clock import SandboxClock as SandboxClock
    from ._core import PermitSigner as PermitSigner
    from ._core import Sandbox as Sandbox
    from ._errors import SandboxConfigurationError as SandboxConfigurationError
    from ._errors import SandboxError as SandboxError
    from ._faults import FaultSettings as FaultSettings
    from ._render import render_permit_pdf as render_permit_pdf
    from ._transport import AsyncSandboxTransport as AsyncSandboxTransport
    from ._transport import SandboxTransport as SandboxTransport
    from ._users import SandboxUser as SandboxUser
    from ._users import seed_users as seed_users

__getattr__, __dir__, __all__ = lazy_exports(__name__, globals())
