"""SoftHSM2 tokens for tests: a private token directory, tokens, keys and certificates.

``SoftHSM`` writes its own ``softhsm2.conf`` under a directory you give (a pytest
``tmp_path``), so tests never touch the machine's tokens. SoftHSM reads
``SOFTHSM2_CONF`` when the module is initialised; :meth:`SoftHSM.activate` sets it and
re-initialises the module in this process (a PKCS#11 module is loaded once per
process), and :meth:`deactivate` restores the previous value.

Example::

    hsm = SoftHSM(tmp_path)
    with hsm.activate():
        hsm.init_token("PRESIDENT", so_pin="12345678", user_pin="0000")
        hsm.import_identity("PRESIDENT", "0000", pki.identity("president"), label="sign")
        signer = Pkcs11Signer.open(hsm.module, "PRESIDENT", "0000", key_label="sign")
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ConfigurationError

if TYPE_CHECKING:
    from .pki import Identity

__all__ = ["MODULE_CANDIDATES", "SoftHSM", "find_softhsm_module"]

MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)


def find_softhsm_module() -> str | None:
    """The path of ``libsofthsm2.so`` if SoftHSM2 is installed, else ``None``."""
    env = os.environ.get("SOFTHSM2_MODULE")
    if env and Path(env).is_file():
        return env
    for cand in MODULE_CANDIDATES:
        if Path(cand).is_file():
            return cand
    return None


class SoftHSM:
    """A private SoftHSM2 installation rooted at ``directory``."""

    def __init__(self, directory: str | Path, *, module: str | None = None) -> None:
        self.directory = Path(directory)
        found = module or find_softhsm_module()
        if found is None:
            raise ConfigurationError("SoftHSM2 is not installed: apt-get install softhsm2")
        self.module: str = found
        self.token_dir = self.directory / "tokens"
        self.token_dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.directory / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {self.token_dir}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n",
            encoding="utf-8",
        )
        self._saved: str | None = None
        self._active = False

    @property
    def env(self) -> dict[str, str]:
        """Environment for a subprocess (``rokhas token ...``) that must see these tokens."""
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}

    # ------------------------------------------------------------------ process state
    def _reload(self) -> None:
        import pkcs11

        # the module caches its configuration from C_Initialize: finalise and reload
        pkcs11.unload(self.module)
        pkcs11.lib(self.module)

    @contextmanager
    def activate(self) -> Iterator[SoftHSM]:
        """Point this process's SoftHSM module at this directory while inside the block."""
        self._saved = os.environ.get("SOFTHSM2_CONF")
        os.environ["SOFTHSM2_CONF"] = str(self.conf)
        self._active = True
        self._reload()
        try:
            yield self
        finally:
            import pkcs11

            pkcs11.unload(self.module)
            if self._saved is None:
                os.environ.pop("SOFTHSM2_CONF", None)
            else:
                os.environ["SOFTHSM2_CONF"] = self._saved
            self._active = False

    def refresh(self) -> None:
        """Re-read the token directory (after ``softhsm2-util`` changed it)."""
        self._reload()

    # ------------------------------------------------------------------ tokens
    def init_token(self, label: str, *, so_pin: str, user_pin: str) -> None:
        """Create a token in a free slot with ``softhsm2-util --init-token``."""
        tool = shutil.which("softhsm2-util")
        if tool is None:
            raise ConfigurationError("softhsm2-util not found: apt-get install softhsm2")
        subprocess.run(
            [
                tool,
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                so_pin,
                "--pin",
                user_pin,
            ],
            env=self.env,
            check=True,
            capture_output=True,
        )
        if self._active:
            self._reload()

    def import_identity(
        self,
        token_label: str,
        user_pin: str,
        identity: Identity,
        *,
        label: str,
        key_id: bytes = b"\x01",
        with_chain: bool = True,
    ) -> None:
        """Store the identity's private key and certificate (plus its CA chain) on the token.

        The key gets ``label``/``key_id``; the certificate the same label and id, as
        middleware of qualified tokens does; CA certificates get ``ca-<n>`` labels.
        """
        import pkcs11
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from pkcs11 import Attribute, ObjectClass
        from pkcs11.util.ec import decode_ec_private_key
        from pkcs11.util.rsa import decode_rsa_private_key
        from pkcs11.util.x509 import decode_x509_certificate

        if not self._active:
            raise ConfigurationError("call import_identity inside `with hsm.activate():`")
        lib = pkcs11.lib(self.module)
        token = lib.get_token(token_label=token_label)
        der = identity.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        if isinstance(identity.key, rsa.RSAPrivateKey):
            key_attrs = decode_rsa_private_key(der)
        else:
            key_attrs = decode_ec_private_key(der)
        key_attrs.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.SIGN: True,
                Attribute.LABEL: label,
                Attribute.ID: key_id,
            }
        )
        with token.open(rw=True, user_pin=user_pin) as session:
            session.create_object(key_attrs)
            certs: list[tuple[Any, str, bytes]] = [(identity.certificate, label, key_id)]
            if with_chain:
                certs += [(c, f"ca-{i}", bytes([0xCA, i])) for i, c in enumerate(identity.chain, 1)]
            for cert, clabel, cid in certs:
                attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
                attrs.update(
                    {
                        Attribute.TOKEN: True,
                        Attribute.PRIVATE: False,
                        Attribute.LABEL: clabel,
                        Attribute.ID: cid,
                    }
                )
                attrs[Attribute.CLASS] = ObjectClass.CERTIFICATE
                session.create_object(attrs)
