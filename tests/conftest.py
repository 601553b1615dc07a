"""Shared test helpers.

System tools (SoftHSM2, poppler's pdfsig, NSS certutil, Chromium) are real parts of the
tests. Under CI=true a missing tool is a failure, because .ci/run installs them; on a
developer machine the test is skipped with a message that says what to install.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

APT_PACKAGE = {
    "softhsm2-util": "softhsm2",
    "pdfsig": "poppler-utils",
    "pdftotext": "poppler-utils",
    "certutil": "libnss3-tools",
    "pk12util": "libnss3-tools",
    "chromium": "chromium",
}


def require_tool(name: str) -> str:
    """Return the tool's path; fail under CI, skip elsewhere, when it is missing."""
    path = shutil.which(name)
    if path:
        return path
    package = APT_PACKAGE.get(name, name)
    message = f"{name} not found: install it with `apt-get install {package}`"
    if os.environ.get("CI"):
        pytest.fail(message + " (.ci/run should have)")
    pytest.skip(message)


class _InternalErrors(logging.Handler):
    """Collects the sandbox's "internal error" log lines (each is an HTTP 500 it answered)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("sandbox: internal error"):
            self.seen.append(message)


@pytest.fixture(autouse=True)
def _no_http_500_from_the_sandbox() -> Iterator[None]:
    # Every unexpected error of a handler is a 500 that must never happen in the suite
    # (issue 14): a test during which the sandbox answered one fails, whatever it asserts.
    handler = _InternalErrors()
    logger = logging.getLogger("rokhas_sdk.sandbox")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.seen:
        pytest.fail("the sandbox answered HTTP 500: " + "; ".join(handler.seen[:5]))
