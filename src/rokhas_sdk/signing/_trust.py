"""Trust anchors: the certificates a verifier decides to trust, and nothing else.

A :class:`TrustStore` is built from PEM or DER files and folders. Only certificates
put in the store by the caller (or bundled with the SDK) are ever anchors: certificates
found inside a signature, in the document's DSS, or fetched over the network help build
a path but never end one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from asn1crypto import x509

__all__ = ["TrustStore"]

_PEM_CERT = re.compile(
    rb"-----BEGIN (?:TRUSTED )?CERTIFICATE-----\s*(.+?)\s*-----END (?:TRUSTED )?CERTIFICATE-----",
    re.DOTALL,
)
_CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".cert"}
# A trust store file larger than this is not a certificate bundle.
_MAX_CERT_FILE = 16 * 1024 * 1024


def _parse_der(der: bytes, origin: str) -> bytes:
    from asn1crypto import x509

    try:
        cert = x509.Certificate.load(der, strict=True)
        cert.native  # noqa: B018 - forces a full parse, so errors surface here
    except Exception as exc:
        raise InvalidInputError(
            f"{origin} does not hold a valid X.509 certificate ({type(exc).__name__}); "
            "give a PEM or DER certificate file"
        ) from None
    return bytes(cert.dump())


def _certs_in_blob(blob: bytes, origin: str) -> list[bytes]:
    import base64
    import binascii

    if b"-----BEGIN" in blob:
        found = []
        for m in _PEM_CERT.finditer(blob):
            try:
                der = base64.b64decode(b"".join(m.group(1).split()), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInputError(
                    f"{origin} has a PEM block that is not valid base64; re-export the certificate"
                ) from None
            found.append(_parse_der(der, origin))
        if not found:
            raise InvalidInputError(
                f"{origin} has PEM data but no CERTIFICATE block; give a certificate, not a key"
            )
        return found
    return [_parse_der(blob, origin)]


class TrustStore:
    """A set of trust anchors (and, optionally, known intermediate certificates).

    Build it from files and folders of PEM/DER certificates::

        store = TrustStore.from_paths("barid-root.pem", "/etc/rokhas/trust/")

    ``intermediates`` are never anchors; they only help complete a chain when a signature
    does not embed its intermediate certificates. A store is immutable and picklable, so it
    can be sent to worker processes.
    """

    __slots__ = ("__dict__", "_anchors", "_intermediates")

    def __init__(
        self, anchors: Iterable[bytes] = (), *, intermediates: Iterable[bytes] = ()
    ) -> None:
        self._anchors = self._dedupe(_parse_der(bytes(d), "anchor certificate") for d in anchors)
        self._intermediates = self._dedupe(
            _parse_der(bytes(d), "intermediate certificate") for d in intermediates
        )

    @staticmethod
    def _dedupe(ders: Iterable[bytes]) -> tuple[bytes, ...]:
        seen: dict[str, bytes] = {}
        for der in ders:
            seen.setdefault(hashlib.sha256(der).hexdigest(), der)
        return tuple(seen.values())

    @classmethod
    def from_paths(
        cls,
        *paths: str | os.PathLike[str],
        intermediates: Iterable[str | os.PathLike[str]] = (),
    ) -> TrustStore:
        """Load anchors from PEM/DER files, and from every certificate file in folders.

        A folder contributes its ``*.pem``, ``*.crt``, ``*.cer``, ``*.der`` files (not
        recursively). A missing path or a file that holds no certificate raises
        :class:`~rokhas_sdk.InvalidInputError` naming it.
        """
        return cls(_load_paths(paths), intermediates=_load_paths(intermediates))

    @classmethod
    def bundled(cls) -> TrustStore:
        """The public roots of Moroccan trust services shipped with the SDK.

        No root of Barid eSign (Barid Al-Maghrib) or of another DGSSI-accredited provider
        could be sourced from a public, authoritative publication, so this store is
        currently **empty**; ``docs/trust.md`` explains how to obtain and pin the roots.
        """
        root = resources.files(__package__).joinpath("data", "trust")
        manifest = json.loads(root.joinpath("manifest.json").read_text(encoding="utf-8"))
        ders: list[bytes] = []
        for entry in manifest.get("anchors", []):
            blob = root.joinpath(entry["file"]).read_bytes()
            ders.extend(_certs_in_blob(blob, f"bundled {entry['file']}"))
        return cls(ders)

    def with_anchors(self, *others: TrustStore) -> TrustStore:
        """A new store holding the anchors and intermediates of this one and of ``others``."""
        anchors = list(self._anchors)
        inter = list(self._intermediates)
        for o in others:
            anchors.extend(o._anchors)
            inter.extend(o._intermediates)
        return TrustStore(anchors, intermediates=inter)

    @property
    def anchors_der(self) -> tuple[bytes, ...]:
        """The anchors, DER-encoded."""
        return self._anchors

    @property
    def intermediates_der(self) -> tuple[bytes, ...]:
        """The known intermediates, DER-encoded (never anchors)."""
        return self._intermediates

    @cached_property
    def anchors(self) -> list[x509.Certificate]:
        """The anchors as asn1crypto certificates."""
        from asn1crypto import x509

        return [x509.Certificate.load(d) for d in self._anchors]

    @cached_property
    def intermediates(self) -> list[x509.Certificate]:
        """The known intermediates as asn1crypto certificates."""
        from asn1crypto import x509

        return [x509.Certificate.load(d) for d in self._intermediates]

    @property
    def fingerprints(self) -> list[str]:
        """SHA-256 fingerprints (hex) of the anchors."""
        return [hashlib.sha256(d).hexdigest() for d in self._anchors]

    def __len__(self) -> int:
        return len(self._anchors)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._anchors)

    def __repr__(self) -> str:
        return f"TrustStore(anchors={len(self._anchors)}, intermediates={len(self._intermediates)})"

    def __getstate__(self) -> dict[str, Any]:
        # asn1crypto objects are rebuilt lazily on the other side; only DER travels.
        return {"a": self._anchors, "i": self._intermediates}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._anchors = state["a"]
        self._intermediates = state["i"]


def _load_paths(paths: Iterable[str | os.PathLike[str]]) -> list[bytes]:
    ders: list[bytes] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)
            if not files:
                raise InvalidInputError(
                    f"trust folder {str(path)!r} holds no .pem/.crt/.cer/.der file"
                )
        elif path.is_file():
            files = [path]
        else:
            raise NotFoundError(f"trust certificate {str(path)!r} does not exist; check the path")
        for f in files:
            if f.stat().st_size > _MAX_CERT_FILE:
                raise InvalidInputError(f"{str(f)!r} is too large to be a certificate file")
            ders.extend(_certs_in_blob(f.read_bytes(), repr(str(f))))
    return ders
