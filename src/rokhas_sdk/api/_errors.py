"""Errors of the contract room."""

from __future__ import annotations

from .._errors import RokhasError

__all__ = ["WebhookSignatureError"]


class WebhookSignatureError(RokhasError):
    """A webhook delivery failed verification: answer it with 400 and do not act on it.

    ``reason`` is one of ``missing_header``, ``malformed_header``, ``timestamp_outside_tolerance``,
    ``no_matching_signature``, ``invalid_payload``. The message never contains the secret.
    """

    code = "webhook_signature_invalid"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
