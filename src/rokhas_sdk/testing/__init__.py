"""What downstream test suites need: a sandbox platform, factories, a test PKI.

The pytest plugin (:mod:`rokhas_sdk.testing.plugin`, registered through the ``pytest11``
entry point) gives fixtures; this package gives the same pieces to any test runner:

- :func:`dossier_data`, :func:`make_dossier`, :func:`piece_files`: valid dossiers of
  every procedure family and their pieces;
- :class:`SandboxServer`: the sandbox over real HTTP on 127.0.0.1, in a thread;
- :func:`sandbox_signing`: a permit signer and its trust root from a throw-away PKI;
- :func:`pay_with_cmi_simulator`: pay a card payment on the sandbox's CMI pages;
- :mod:`rokhas_sdk.testing.pki`: the test PKI itself;
- :mod:`rokhas_sdk.testing.strategies`: hypothesis strategies for every public model
  (imports hypothesis, from the ``testing`` extra, only when imported).

Names load lazily: importing this package imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._factories import FAMILY_KINDS as FAMILY_KINDS
    from ._factories import dossier_data as dossier_data
    from ._factories import make_dossier as make_dossier
    from ._factories import piece_bytes as piece_bytes
    from ._factories import piece_files as piece_files
    from ._server import SandboxServer as SandboxServer
    from ._signing import sandbox_signing as sandbox_signing
    from ._walk import pay_with_cmi_simulator as pay_with_cmi_simulator

__getattr__, __dir__, __all__ = lazy_exports(__name__, globals())
