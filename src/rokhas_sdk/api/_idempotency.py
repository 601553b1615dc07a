"""What "the same request" means for idempotency, so that servers agree with clients.

Two requests with the same ``Idempotency-Key`` are the same request when their
fingerprints are equal: same method, same path (query included) and same body bytes
after JSON canonicalisation (key order and whitespace do not count). For raw bodies
(uploads) the body's SHA-256 is used as sent in ``X-Content-Sha256``.
"""

from __future__ import annotations

import hashlib
import json

__all__ = ["request_fingerprint"]


def request_fingerprint(
    method: str, path: str, body: bytes | None, *, content_sha256: str | None = None
) -> str:
    """A hex digest naming a request for idempotency comparison.

    >>> a = request_fingerprint("POST", "/v1/dossiers", b'{"a": 1, "b": 2}')
    >>> a == request_fingerprint("POST", "/v1/dossiers", b'{"b":2,"a":1}')
    True
    """
    h = hashlib.sha256()
    h.update(method.upper().encode("ascii"))
    h.update(b"\n")
    h.update(path.encode("utf-8"))
    h.update(b"\n")
    if content_sha256 is not None:
        # UTF-8, not ASCII: a header from outside may hold any character, and must not crash.
        h.update(b"sha256:" + content_sha256.lower().encode("utf-8", "surrogatepass"))
    elif body:
        try:
            canonical = json.dumps(
                json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            h.update(b"json:" + canonical.encode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):  # hostile nesting: raw bytes
            h.update(b"raw:" + hashlib.sha256(body).hexdigest().encode("ascii"))
    return h.hexdigest()
