"""A throw-away public-key infrastructure for tests: never trust it outside a test.

It mirrors the shape of a Moroccan qualified-certificate hierarchy (a root, an issuing
"qualified" CA, personal signing certificates that carry the holder's name and CIN), plus
what long-term signatures need: an OCSP responder, CRLs and an RFC 3161 time-stamping
authority. Every key is generated in memory when the PKI is created, so two PKIs never
share a key and nothing here can sign a real document.

The DNs are ours and say "TEST" in every CA name; they are not Barid Al-Maghrib's (whose
hierarchy is not public; see docs/signing.md).

Quick start::

    from rokhas_sdk.testing.pki import TestPKI, PKIService

    with PKIService() as service:          # 127.0.0.1, a free port
        pki = service.pki                  # certificates point at the service's URLs
        president = pki.identity("president")
        p12 = president.pkcs12("canary-passphrase")
        service.tsa_url, service.ocsp_url, service.crl_url("intermediate")

A PKI without a service (``TestPKI.create()``) has no AIA/CRL URLs in its certificates;
use ``pki.crl()`` and ``pki.ocsp_response(...)`` to hand revocation data over directly.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from .._errors import InvalidInputError
from ._pki_server import PKIServer

if TYPE_CHECKING:
    from asn1crypto import tsp as _tsp

__all__ = [
    "ROLES",
    "Identity",
    "KeyType",
    "PKIService",
    "Role",
    "TestPKI",
]

KeyType = Literal["rsa", "ecdsa"]
"""Key algorithms the PKI issues: RSA-2048 or ECDSA on P-256."""

Role = Literal["president", "architect", "commission_member", "tsa", "ocsp"]
"""The people (and services) a permit procedure needs certificates for."""

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# A UUID-derived OID (X.667 arc 2.25): it cannot collide with a real certificate
# policy, so nothing signed under this PKI can pass for a qualified signature.
TEST_POLICY_OID = "2.25.229746118393386813262839870113925381730"

_UTC = _dt.UTC


@dataclass(frozen=True)
class _Person:
    given_name: str
    surname: str
    cin: str
    organization: str
    title: str
    name_ar: str
    title_ar: str


# Fictitious people; CINs follow the CNIE shape (one or two letters, digits) but belong
# to nobody.
ROLES: dict[str, _Person] = {
    "president": _Person(
        "Karim",
        "BENNANI",
        "BK123456",
        "Commune de Casablanca",
        "Président du conseil communal",
        "كريم بناني",
        "رئيس المجلس الجماعي",
    ),
    "architect": _Person(
        "Salma",
        "EL IDRISSI",
        "AB654321",
        "Ordre National des Architectes",
        "Architecte",
        "سلمى الإدريسي",
        "مهندسة معمارية",
    ),
    "commission_member": _Person(
        "Youssef",
        "AMRANI",
        "K987654",
        "Agence Urbaine de Casablanca",
        "Membre de la commission",
        "يوسف العمراني",
        "عضو اللجنة",
    ),
}


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    raise InvalidInputError(f"unknown key type {key_type!r}: use 'rsa' or 'ecdsa'")


def _key_type_of(key: PrivateKey) -> KeyType:
    return "rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa"


@dataclass(frozen=True, eq=False)
class Identity:
    """A key pair with its certificate and the chain up to the test root.

    ``name`` and ``cin`` are what a qualified certificate carries for its holder;
    ``name_ar``/``title_ar`` are there for bilingual stamps.
    """

    role: str
    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    name: str = ""
    cin: str = ""
    title: str = ""
    name_ar: str = ""
    title_ar: str = ""

    def __repr__(self) -> str:
        return (
            f"Identity(role={self.role!r}, name={self.name!r}, key_type={self.key_type!r}, "
            f"serial={self.certificate.serial_number:x})"
        )

    @property
    def key_type(self) -> KeyType:
        """``"rsa"`` or ``"ecdsa"``."""
        return _key_type_of(self.key)

    @property
    def serial_number(self) -> int:
        """The certificate's serial number."""
        return self.certificate.serial_number

    def certificate_pem(self) -> bytes:
        """The certificate, PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def certificate_der(self) -> bytes:
        """The certificate, DER."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def chain_pem(self) -> bytes:
        """The issuing chain (intermediate first, then root), PEM."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def key_der(self) -> bytes:
        """The private key, unencrypted PKCS#8 DER (for loading into a token)."""
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def key_pem(self, passphrase: str | bytes | None = None) -> bytes:
        """The private key, PKCS#8 PEM, encrypted when a passphrase is given."""
        enc: serialization.KeySerializationEncryption = serialization.NoEncryption()
        if passphrase:
            pw = passphrase.encode() if isinstance(passphrase, str) else passphrase
            enc = serialization.BestAvailableEncryption(pw)
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        )

    def pkcs12(self, passphrase: str | bytes, *, friendly_name: str | None = None) -> bytes:
        """The key, certificate and chain as a PKCS#12 file (AES-256, PBKDF2)."""
        pw = passphrase.encode() if isinstance(passphrase, str) else passphrase
        enc = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(pw)
        )
        label = (friendly_name or self.role).encode()
        return pkcs12.serialize_key_and_certificates(
            label, self.key, self.certificate, list(self.chain), enc
        )

    def write_pkcs12(
        self, path: str | Path, passphrase: str | bytes, *, friendly_name: str | None = None
    ) -> Path:
        """Write :meth:`pkcs12` to ``path`` and return it."""
        p = Path(path)
        p.write_bytes(self.pkcs12(passphrase, friendly_name=friendly_name))
        return p


@dataclass
class _Revocation:
    when: _dt.datetime
    reason: x509.ReasonFlags


@dataclass(eq=False)
class TestPKI:
    """A root CA, an issuing CA, an OCSP responder, a TSA and the people who sign permits.

    Build one with :meth:`create`. ``base_url`` (set by :class:`PKIService`) is written
    into the certificates as their OCSP and CRL addresses; without it the certificates
    carry none and revocation data must be handed over directly.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __repr__(self) -> str:
        return (
            f"TestPKI(key_type={self.key_type!r}, base_url={self.base_url!r}, "
            f"issued={len(self._issued)}, revoked={len(self._revoked)})"
        )

    root: Identity
    intermediate: Identity
    ocsp_responder: Identity
    tsa: Identity
    base_url: str | None
    now: _dt.datetime
    key_type: KeyType
    _identities: dict[tuple[str, KeyType], Identity] = field(default_factory=dict)
    _revoked: dict[int, _Revocation] = field(default_factory=dict)
    _issued: dict[int, Identity] = field(default_factory=dict)

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(
        cls,
        *,
        key_type: KeyType = "rsa",
        base_url: str | None = None,
        now: _dt.datetime | None = None,
    ) -> TestPKI:
        """Generate a fresh hierarchy.

        ``key_type`` is the algorithm of the CAs, the OCSP responder and the TSA;
        signers of either kind are issued by :meth:`identity`. ``now`` fixes the
        validity periods (default: the current time, UTC).
        """
        now = (now or _dt.datetime.now(_UTC)).astimezone(_UTC).replace(microsecond=0)
        base = base_url.rstrip("/") if base_url else None
        # a per-PKI tag in the CA names: two test PKIs in one test run never share a
        # CA name, so path building cannot mix them up (same name, different key)
        tag = secrets.token_hex(3)
        root_key = _new_key(key_type)
        root_name = _ca_name(f"Rokhas TEST Root CA {tag}")
        root_cert = (
            _builder(root_name, root_name, root_key, now - _dt.timedelta(days=365), years=20)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
            .sign(root_key, _hash_for(root_key))
        )
        root = Identity("root", root_key, root_cert, (), name=f"Rokhas TEST Root CA {tag}")

        inter_key = _new_key(key_type)
        inter_name = _ca_name(f"Rokhas TEST Qualified CA {tag}")
        ib = (
            _builder(inter_name, root_name, inter_key, now - _dt.timedelta(days=180), years=10)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), False)
            .add_extension(_aki(root_cert), critical=False)
        )
        if base:
            ib = ib.add_extension(_crl_dp(f"{base}/crl/root.crl"), critical=False)
        inter_cert = ib.sign(root_key, _hash_for(root_key))
        intermediate = Identity(
            "intermediate",
            inter_key,
            inter_cert,
            (root_cert,),
            name=f"Rokhas TEST Qualified CA {tag}",
        )

        pki = cls(
            root=root,
            intermediate=intermediate,
            ocsp_responder=root,  # replaced just below
            tsa=root,
            base_url=base,
            now=now,
            key_type=key_type,
        )
        pki.ocsp_responder = pki._issue_service("ocsp", "Rokhas TEST OCSP Responder", key_type)
        pki.tsa = pki._issue_service("tsa", "Rokhas TEST Time-Stamping Authority", key_type)
        return pki

    # ------------------------------------------------------------------ people
    def identity(self, role: str, key_type: KeyType = "rsa") -> Identity:
        """The (cached) signer for ``role``: ``president``, ``architect`` or
        ``commission_member``, with an RSA or ECDSA key."""
        if role not in ROLES:
            raise InvalidInputError(f"unknown role {role!r}: choose one of {sorted(ROLES)}")
        cached = self._identities.get((role, key_type))
        if cached is None:
            cached = self.issue(role, key_type=key_type)
            self._identities[(role, key_type)] = cached
        return cached

    def issue(
        self,
        role: str,
        *,
        key_type: KeyType = "rsa",
        not_before: _dt.datetime | None = None,
        not_after: _dt.datetime | None = None,
        non_repudiation: bool = True,
        given_name: str | None = None,
        surname: str | None = None,
        cin: str | None = None,
        key: PrivateKey | None = None,
    ) -> Identity:
        """Issue a fresh signing certificate (never cached): for expired, not-yet-valid,
        wrong-key-usage or to-be-revoked cases.

        The subject follows ETSI EN 319 412-1 natural-person naming as Moroccan
        qualified certificates do: ``C=MA``, ``givenName``, ``surname``, ``CN``,
        ``serialNumber=IDCMA-<CIN>`` (national identity card semantics), ``title``, ``O``.
        """
        person = ROLES.get(role)
        if person is None:
            raise InvalidInputError(f"unknown role {role!r}: choose one of {sorted(ROLES)}")
        gn = given_name or person.given_name
        sn = surname or person.surname
        the_cin = cin or person.cin
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, person.organization),
                x509.NameAttribute(NameOID.TITLE, person.title),
                x509.NameAttribute(NameOID.SURNAME, sn),
                x509.NameAttribute(NameOID.GIVEN_NAME, gn),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCMA-{the_cin}"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{gn} {sn}"),
            ]
        )
        k = key or _new_key(key_type)
        start = not_before or (self.now - _dt.timedelta(days=1))
        end = not_after or (start + _dt.timedelta(days=730))  # Barid eSign: 2 years
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=non_repudiation,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        b = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.intermediate.certificate.subject)
            .public_key(k.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), False)
            .add_extension(_aki(self.intermediate.certificate), critical=False)
            .add_extension(
                x509.CertificatePolicies(
                    [x509.PolicyInformation(x509.ObjectIdentifier(TEST_POLICY_OID), None)]
                ),
                critical=False,
            )
        )
        b = self._add_revocation_pointers(b)
        cert = b.sign(self.intermediate.key, _hash_for(self.intermediate.key))
        ident = Identity(
            role,
            k,
            cert,
            (self.intermediate.certificate, self.root.certificate),
            name=f"{gn} {sn}",
            cin=the_cin,
            title=person.title,
            name_ar=person.name_ar,
            title_ar=person.title_ar,
        )
        self._issued[cert.serial_number] = ident
        return ident

    # ------------------------------------------------------------------ revocation
    def revoke(
        self,
        identity: Identity,
        *,
        when: _dt.datetime | None = None,
        reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
    ) -> None:
        """Mark a certificate issued by the intermediate as revoked (OCSP and CRL)."""
        try:
            identity.certificate.verify_directly_issued_by(self.intermediate.certificate)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise InvalidInputError(
                "only certificates issued by this PKI's intermediate CA can be revoked"
            ) from exc
        at = (when or _dt.datetime.now(_UTC)).astimezone(_UTC).replace(microsecond=0)
        self._revoked[identity.serial_number] = _Revocation(at, reason)

    def is_revoked(self, serial_number: int) -> bool:
        """Whether the intermediate CA has revoked that serial number."""
        return serial_number in self._revoked

    def crl(self, issuer: Literal["intermediate", "root"] = "intermediate") -> bytes:
        """A freshly signed CRL (DER) for ``issuer``, valid for 7 days."""
        ca = self.intermediate if issuer == "intermediate" else self.root
        now = _dt.datetime.now(_UTC).replace(microsecond=0)
        b = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.certificate.subject)
            .last_update(now - _dt.timedelta(minutes=5))
            .next_update(now + _dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(_aki(ca.certificate), critical=False)
        )
        if issuer == "intermediate":
            for serial, rev in self._revoked.items():
                b = b.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(serial)
                    .revocation_date(rev.when)
                    .add_extension(x509.CRLReason(rev.reason), critical=False)
                    .build()
                )
        return b.sign(ca.key, _hash_for(ca.key)).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer a DER OCSP request (RFC 6960) for certificates of the intermediate CA.

        Unknown issuers get ``unauthorized``; malformed requests ``malformed_request``.
        """
        try:
            req = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        issuer = self.intermediate.certificate
        algo = req.hash_algorithm
        name_hash = _digest(algo, issuer.subject.public_bytes())
        key_hash = _digest(algo, _spki_bits(issuer))
        if req.issuer_name_hash != name_hash or req.issuer_key_hash != key_hash:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = _dt.datetime.now(_UTC).replace(microsecond=0)
        serial = req.serial_number
        subject = self._issued.get(serial)
        rev = self._revoked.get(serial)
        if subject is None and serial not in (
            self.ocsp_responder.serial_number,
            self.tsa.serial_number,
        ):
            status, rev_time, rev_reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
            cert_for_id = None
        elif rev is not None:
            status, rev_time, rev_reason = ocsp.OCSPCertStatus.REVOKED, rev.when, rev.reason
            cert_for_id = subject.certificate if subject else None
        else:
            status, rev_time, rev_reason = ocsp.OCSPCertStatus.GOOD, None, None
            cert_for_id = subject.certificate if subject else None
        if cert_for_id is None:
            cert_for_id = {
                self.ocsp_responder.serial_number: self.ocsp_responder.certificate,
                self.tsa.serial_number: self.tsa.certificate,
            }.get(serial)
        if cert_for_id is None:
            # cryptography builds a response from a certificate; for an unknown serial
            # we still must echo the request's CertID, which the hash-based builder does.
            builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
                issuer_name_hash=req.issuer_name_hash,
                issuer_key_hash=req.issuer_key_hash,
                serial_number=serial,
                algorithm=algo,
                cert_status=status,
                this_update=now - _dt.timedelta(minutes=1),
                next_update=now + _dt.timedelta(hours=12),
                revocation_time=None,
                revocation_reason=None,
            )
        else:
            builder = ocsp.OCSPResponseBuilder().add_response(
                cert=cert_for_id,
                issuer=issuer,
                algorithm=algo,
                cert_status=status,
                this_update=now - _dt.timedelta(minutes=1),
                next_update=now + _dt.timedelta(hours=12),
                revocation_time=rev_time,
                revocation_reason=rev_reason,
            )
        builder = builder.responder_id(
            ocsp.OCSPResponderEncoding.HASH, self.ocsp_responder.certificate
        ).certificates([self.ocsp_responder.certificate])
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        resp = builder.sign(self.ocsp_responder.key, _hash_for(self.ocsp_responder.key))
        return resp.public_bytes(serialization.Encoding.DER)

    # ------------------------------------------------------------------ time stamps
    def timestamp_response(self, request_der: bytes) -> bytes:
        """Answer a DER RFC 3161 ``TimeStampReq`` with a ``TimeStampResp`` signed by the TSA."""
        from asn1crypto import tsp

        try:
            req = tsp.TimeStampReq.load(request_der)
            _ = req["message_imprint"]["hashed_message"].native
            algo = req["message_imprint"]["hash_algorithm"]["algorithm"].native
        except (ValueError, TypeError, KeyError):
            return _ts_rejection("bad_data_format")
        if algo not in {"sha256", "sha384", "sha512"}:
            return _ts_rejection("bad_alg")
        der: bytes = self._sign_timestamp(req).dump()
        return der

    def _sign_timestamp(self, req: _tsp.TimeStampReq) -> _tsp.TimeStampResp:
        from asn1crypto import algos, cms, core, tsp
        from asn1crypto import x509 as ax509

        now = _dt.datetime.now(_UTC)
        tst_info: dict[str, object] = {
            "version": "v1",
            "policy": TEST_POLICY_OID + ".2",
            "message_imprint": req["message_imprint"],
            "serial_number": secrets.randbits(63),
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "ordering": False,
        }
        if req["nonce"].native is not None:
            tst_info["nonce"] = req["nonce"]
        encap = tsp.TSTInfo(tst_info)
        encap_der = encap.dump()
        tsa_cert = ax509.Certificate.load(self.tsa.certificate_der())
        digest = hashlib.sha256(encap_der).digest()
        ess_cert_v2 = tsp.SigningCertificateV2(
            {
                "certs": [
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "cert_hash": hashlib.sha256(self.tsa.certificate_der()).digest(),
                    }
                ]
            }
        )
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": now})]}),
                cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
                cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess_cert_v2]}),
            ]
        )
        to_sign = signed_attrs.dump()
        key = self.tsa.key
        if isinstance(key, rsa.RSAPrivateKey):
            sig = key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
            sig_algo = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
        else:
            sig = key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
            sig_algo = algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {
                                "issuer": tsa_cert.issuer,
                                "serial_number": tsa_cert.serial_number,
                            }
                        )
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": sig_algo,
                "signature": sig,
            }
        )
        # with certReq, the TSA certificate and its issuing CA (not the root), so a
        # verifier that trusts the root can build the TSA's path without fetching
        certs = (
            [tsa_cert, ax509.Certificate.load(self.intermediate.certificate_der())]
            if req["cert_req"].native
            else []
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(encap_der),
                },
                "certificates": [cms.CertificateChoices({"certificate": c}) for c in certs],
                "signer_infos": [signer_info],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})

    # ------------------------------------------------------------------ export
    @property
    def trust_roots(self) -> list[x509.Certificate]:
        """The certificates a verifier should trust: the root only."""
        return [self.root.certificate]

    def certificates(self) -> list[x509.Certificate]:
        """Every CA and service certificate (root, intermediate, OCSP responder, TSA)."""
        return [
            self.root.certificate,
            self.intermediate.certificate,
            self.ocsp_responder.certificate,
            self.tsa.certificate,
        ]

    def write(self, directory: str | Path, *, passphrase: str) -> Path:
        """Write the CA certificates (PEM) and each role's PKCS#12 file into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        d.joinpath("root.pem").write_bytes(self.root.certificate_pem())
        d.joinpath("intermediate.pem").write_bytes(self.intermediate.certificate_pem())
        d.joinpath("tsa.pem").write_bytes(self.tsa.certificate_pem())
        d.joinpath("ocsp.pem").write_bytes(self.ocsp_responder.certificate_pem())
        key_types: tuple[KeyType, ...] = ("rsa", "ecdsa")
        for role in ROLES:
            for kt in key_types:
                self.identity(role, kt).write_pkcs12(d / f"{role}-{kt}.p12", passphrase)
        return d

    # ------------------------------------------------------------------ internals
    def _add_revocation_pointers(self, b: x509.CertificateBuilder) -> x509.CertificateBuilder:
        if not self.base_url:
            return b
        return b.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{self.base_url}/ocsp"),
                    ),
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(f"{self.base_url}/certs/intermediate.crt"),
                    ),
                ]
            ),
            critical=False,
        ).add_extension(_crl_dp(f"{self.base_url}/crl/intermediate.crl"), critical=False)

    def _issue_service(self, role: str, cn: str, key_type: KeyType) -> Identity:
        k = _new_key(key_type)
        eku = (
            ExtendedKeyUsageOID.OCSP_SIGNING
            if role == "ocsp"
            else ExtendedKeyUsageOID.TIME_STAMPING
        )
        b = (
            _builder(
                _ca_name(cn),
                self.intermediate.certificate.subject,
                k,
                self.now - _dt.timedelta(days=30),
                years=5,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=role == "tsa",
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), False)
            .add_extension(_aki(self.intermediate.certificate), critical=False)
        )
        if role == "ocsp":
            b = b.add_extension(x509.OCSPNoCheck(), critical=False)
        else:
            b = self._add_revocation_pointers(b)
        cert = b.sign(self.intermediate.key, _hash_for(self.intermediate.key))
        return Identity(
            role, k, cert, (self.intermediate.certificate, self.root.certificate), name=cn
        )


def _ts_rejection(reason: str) -> bytes:
    # asn1crypto's TimeStampResp insists on a token; a rejection has none, so the
    # SEQUENCE { PKIStatusInfo } is framed by hand.
    from asn1crypto import core, tsp

    info = tsp.PKIStatusInfo({"status": "rejection", "fail_info": {reason}})
    der: bytes = core.Sequence(contents=info.dump()).dump()
    return der


def _ca_name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rokhas-sdk TEST PKI (not trusted)"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: PrivateKey,
    start: _dt.datetime,
    *,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + _dt.timedelta(days=365 * years))
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _crl_dp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _hash_for(key: PrivateKey) -> hashes.SHA256:
    return hashes.SHA256()


def _digest(algo: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algo)
    h.update(data)
    return h.finalize()


def _spki_bits(cert: x509.Certificate) -> bytes:
    # RFC 6960 issuerKeyHash: the hash of the BIT STRING value of the public key.
    from asn1crypto import keys

    spki = keys.PublicKeyInfo.load(
        cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    bits: bytes = spki["public_key"].contents[1:]  # drop the unused-bits byte
    return bits


def certificates_pem(certs: Iterable[x509.Certificate]) -> bytes:
    """Concatenate certificates as PEM (for ``--trust`` style options and NSS imports)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


class PKIService(PKIServer):
    """Serve a :class:`TestPKI` on ``http://127.0.0.1:<port>`` (see :class:`PKIServer`).

    Without ``pki`` it creates one of ``key_type`` whose certificates point at this service.
    """

    def __init__(
        self,
        pki: TestPKI | None = None,
        *,
        port: int = 0,
        key_type: KeyType = "rsa",
    ) -> None:
        super().__init__(
            pki,
            port=port,
            make_pki=lambda url: TestPKI.create(key_type=key_type, base_url=url),
        )
