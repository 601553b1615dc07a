"""Load the rokhas pytest plugin when the package is not installed (PYTHONPATH=src runs).

Installed (``pip install -e .``), the ``pytest11`` entry point registers it already.
"""

from __future__ import annotations

from importlib.metadata import entry_points

if not any(ep.value == "rokhas_sdk.testing.plugin" for ep in entry_points(group="pytest11")):
    from rokhas_sdk.testing.plugin import *  # noqa: F403
    from rokhas_sdk.testing.plugin import (  # noqa: F401
        _rokhas_signing,
        pytest_configure,
        rokhas_async_client,
        rokhas_client,
        rokhas_client_for,
        rokhas_clock,
        rokhas_dossier,
        rokhas_pki,
        rokhas_sandbox,
        rokhas_server,
        rokhas_signed_permit_pdf,
        rokhas_trust_root_pem,
        rokhas_trust_store,
        rokhas_walker,
    )
