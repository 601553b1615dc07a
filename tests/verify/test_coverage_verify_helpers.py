"""The verifier's helpers (_verify): input reading, revocation, chains, digests, batches.

pyHanko status objects are replaced by plain namespaces only where the code under test
is *our* reading of them; certificates, CRLs and PDFs are real.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
from collections.abc import Generator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from asn1crypto import crl as a_crl
from asn1crypto import x509 as a509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rokhas_sdk._errors import InvalidInputError, NotFoundError
from rokhas_sdk.signing import (
    Coverage,
    Indication,
    Modification,
    RevocationSource,
    RevocationStatus,
    SubIndication,
    TrustStore,
    VerifyLimits,
    verify_many,
    verify_pdf,
)
from rokhas_sdk.signing import _verify as v
from rokhas_sdk.signing import _verify_builder as b
from rokhas_sdk.signing import _verify_chain as c
from rokhas_sdk.signing import _verify_integrity as vi
from rokhas_sdk.testing.pki import TestPKI

from .verify_corpus import Signing, base_pdf


def _cert(subject: str, issuer: str, key: Any, signer: Any) -> a509.Certificate:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(signer, hashes.SHA256())
    )
    return a509.Certificate.load(built.public_bytes(serialization.Encoding.DER))


# --------------------------------------------------------------------------- small helpers


def test_local_times_are_casablanca() -> None:
    assert b.local_time(None) is None
    naive = dt.datetime(2026, 7, 1, 12, 0)  # read as UTC
    local = b.local_time(naive)
    assert local is not None
    assert str(local.tzinfo) == "Africa/Casablanca"
    assert local == naive.replace(tzinfo=dt.UTC)


def test_name_attributes_and_unreadable_names() -> None:
    name = a509.Name.build({"common_name": "Amina", "organization_name": "Commune"})
    assert b._name_attr(name, "common_name") == "Amina"
    assert b._name_attr(name, "serial_number") is None
    listed = SimpleNamespace(native={"common_name": ["first", "second"], "empty": []})
    assert b._name_attr(listed, "common_name") == "first"
    assert b._name_attr(listed, "empty") is None
    assert b._name_attr(object(), "common_name") is None  # no .native: absent, not a crash
    assert b.human_reason(object()) == "<unreadable name>"


def test_short_error_text() -> None:
    assert v._short(ValueError("x" * 300)) == "x" * 300
    cut = v._short(ValueError("y" * 301))
    assert len(cut) == 300
    assert cut.endswith("...")


# --------------------------------------------------------------------------- arguments


def test_bad_arguments_raise_with_their_fix(tmp_path: Path) -> None:
    trust = TrustStore()
    pdf = base_pdf()
    with pytest.raises(InvalidInputError, match=r"TrustStore\.from_paths"):
        verify_pdf(pdf, trust=[b"root"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="offline, soft-fail, hard-fail, not 'online'"):
        verify_pdf(pdf, trust=trust, revocation="online")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        verify_pdf(pdf, trust=trust, at=dt.datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="cannot verify a int"):
        verify_pdf(42, trust=trust)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="binary mode"):
        verify_pdf(io.StringIO("%PDF-1.7"), trust=trust)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="not a readable file"):
        verify_pdf(tmp_path, trust=trust)
    with pytest.raises(InvalidInputError, match="jobs must be at least 1"):
        list(verify_many([], trust=trust, jobs=0))


def test_size_limit_applies_to_paths_bytes_and_streams(tmp_path: Path) -> None:
    trust = TrustStore()
    limits = VerifyLimits(max_file_size=1000)
    big = base_pdf() + b"%" * 2000
    path = tmp_path / "big.pdf"
    path.write_bytes(big)
    with pytest.raises(InvalidInputError, match=r"big\.pdf.*larger than the 1000 byte limit"):
        verify_pdf(path, trust=trust, limits=limits)
    with pytest.raises(InvalidInputError, match="larger than the 1000 byte limit"):
        verify_pdf(big, trust=trust, limits=limits)
    with pytest.raises(InvalidInputError, match="larger than the 1000 byte limit"):
        verify_pdf(io.BytesIO(big), trust=trust, limits=limits)


def test_stream_name_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(base_pdf())
    with path.open("rb") as fh:
        report = verify_pdf(fh, trust=TrustStore())
    assert report.file == str(path)
    assert report.document.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    anonymous = verify_pdf(io.BytesIO(base_pdf()), trust=TrustStore(), with_sha256=False)
    assert anonymous.file is None
    assert anonymous.sha256 is None


# --------------------------------------------------------------------------- revocation


@pytest.fixture(scope="module")
def own_pki() -> TestPKI:
    """A PKI of this module alone: it revokes certificates."""
    return TestPKI.create(key_type="ecdsa")


def test_revocation_without_certificate_is_not_checked() -> None:
    rep = c.revocation_of(None, SimpleNamespace(), set(), None)
    assert rep.status is RevocationStatus.NOT_CHECKED
    assert rep.source is RevocationSource.NONE


def test_revocation_from_crls(own_pki: TestPKI) -> None:
    good = own_pki.identity("architect", "ecdsa")
    bad = own_pki.identity("commission_member", "ecdsa")
    own_pki.revoke(bad)
    crl = a_crl.CertificateList.load(own_pki.crl())
    root_crl = a_crl.CertificateList.load(own_pki.crl("root"))
    vc = SimpleNamespace(ocsps=[b"not an OCSP response"], crls=[root_crl, b"junk", crl])
    good_cert = a509.Certificate.load(good.certificate_der())
    bad_cert = a509.Certificate.load(bad.certificate_der())
    issuer = [a509.Certificate.load(own_pki.intermediate.certificate_der())]

    rep = c.revocation_of(good_cert, vc, {crl.dump()}, None, issuer)
    assert (rep.status, rep.source, rep.detail) == (
        RevocationStatus.GOOD,
        RevocationSource.EMBEDDED,
        "CRL",
    )
    rep = c.revocation_of(bad_cert, vc, set(), None, issuer)
    assert (rep.status, rep.source) == (RevocationStatus.REVOKED, RevocationSource.FETCHED)

    none = c.revocation_of(
        good_cert, SimpleNamespace(ocsps=[], crls=[root_crl]), set(), None, issuer
    )
    assert none.status is RevocationStatus.UNKNOWN
    assert "no OCSP response or CRL" in (none.detail or "")


def test_revocation_data_must_be_signed_for_the_issuer(own_pki: TestPKI) -> None:
    """A CRL naming the right issuer but signed by another key proves nothing."""
    bad = own_pki.identity("commission_member", "ecdsa")
    own_pki.revoke(bad)
    bad_cert = a509.Certificate.load(bad.certificate_der())
    crl = a_crl.CertificateList.load(own_pki.crl())
    vc = SimpleNamespace(ocsps=[], crls=[crl])
    # no issuer certificate at hand: the CRL cannot be checked, so it is not used
    assert c.revocation_of(bad_cert, vc, set(), None, []).status is RevocationStatus.UNKNOWN
    # a CRL in the issuer's name, signed by another key (anyone can append one to the DSS)
    real = own_pki.intermediate.certificate
    now = dt.datetime.now(dt.UTC)
    forged_der = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(real.subject)
        .last_update(now - dt.timedelta(minutes=1))
        .next_update(now + dt.timedelta(days=1))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(bad.serial_number)
            .revocation_date(now - dt.timedelta(minutes=1))
            .build()
        )
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    issuer = [a509.Certificate.load(own_pki.intermediate.certificate_der())]
    vc = SimpleNamespace(ocsps=[], crls=[a_crl.CertificateList.load(forged_der)])
    assert c.revocation_of(bad_cert, vc, set(), None, issuer).status is RevocationStatus.UNKNOWN
    # another CA's genuine CRL is not about this certificate
    other = a_crl.CertificateList.load(TestPKI.create(key_type="ecdsa").crl())
    vc = SimpleNamespace(ocsps=[], crls=[other])
    assert c.revocation_of(bad_cert, vc, set(), None, issuer).status is RevocationStatus.UNKNOWN


# --------------------------------------------------------------------------- chains


def test_missing_link_messages() -> None:
    ka, kb = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = _cert("Root", "Root", ka, ka)
    leaf = _cert("Leaf", "Root", kb, ka)
    assert "reaches a trust anchor but does not validate" in c.missing_link(leaf, [], [leaf])
    msg = c.missing_link(leaf, [root], [])
    assert "ends at the root 'Common Name: Root'" in msg
    assert "not in the trust store" in msg
    msg = c.missing_link(leaf, [], [])
    assert "'Common Name: Root' (issuer of 'Common Name: Leaf'" in msg
    assert "is missing" in msg
    # two CAs that name each other as issuer: the walk stops
    a = _cert("A", "B", ka, kb)
    b = _cert("B", "A", kb, ka)
    assert c.missing_link(a, [a, b], []) == "the certificate chain is too long or loops"


# --------------------------------------------------------------------------- our reading of pyHanko


def test_modification_without_diff_result_is_disallowed() -> None:
    from rokhas_sdk.signing._verify_modifications import judge

    st = SimpleNamespace(diff_result=None)
    got = judge(st, Coverage.ENTIRE_REVISION, set())
    assert (got.modification, got.changes) == (
        Modification.DISALLOWED,
        ["the changes after signing could not be analysed"],
    )
    st = SimpleNamespace(diff_result=ValueError("suspicious xref"))
    got = judge(st, Coverage.PARTIAL, set())
    assert (got.modification, got.changes) == (Modification.DISALLOWED, ["suspicious xref"])
    assert vi.coverage_of(None) is Coverage.PARTIAL


def _ctx(data: bytes) -> b.VerifyContext:
    return b.VerifyContext(
        data=data,
        reader=None,  # type: ignore[arg-type]
        trust=TrustStore(),
        mode="offline",
        at=None,
        dss_certs=[],
        dss_ocsps=[],
        dss_crls=[],
        embedded_revinfo=set(),
        has_dss=False,
        sig_fields=set(),
    )


@pytest.mark.parametrize(
    ("md", "byte_range"),
    [
        ("shake_256", [0, 2, 4, 2]),
        ("not-a-hash", [0, 2, 4, 2]),
        ("sha256", None),
        ("sha256", ["x", 1, 2, 3]),
        ("sha256", [1, 2, 4, 2]),
        ("sha256", [0, 2, 4, 99]),
    ],
)
def test_prehash_leaves_unusual_ranges_to_pyhanko(md: str, byte_range: Any) -> None:
    emb = SimpleNamespace(external_md_algorithm=md, byte_range=byte_range, external_digests={})
    ctx = _ctx(b"abcdefgh")
    vi.prehash(ctx, emb)
    assert emb.external_digests == {}
    assert ctx.sha_prefix is None


def test_prehash_digests_the_range_and_keeps_the_file_prefix() -> None:
    import hashlib

    data = b"0123456789"
    emb = SimpleNamespace(
        external_md_algorithm="sha256", byte_range=[0, 3, 6, 4], external_digests={}
    )
    ctx = _ctx(data)
    vi.prehash(ctx, emb)
    assert emb.external_digests["sha256"] == hashlib.sha256(b"012" + b"6789").digest()
    assert ctx.file_sha256() == hashlib.sha256(data).hexdigest()


class _Broken:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(name)


def test_hash_mismatch_only_short_cuts_a_certain_mismatch() -> None:
    claimed = b"\x01" * 32
    attrs = [
        {
            "type": SimpleNamespace(native="message_digest"),
            "values": [SimpleNamespace(native=claimed)],
        }
    ]
    base = {
        "external_md_algorithm": "sha256",
        "md_algorithm": "sha256",
        "signer_info": {"signed_attrs": attrs},
        "fq_name": "Sig1",
    }
    # doubt goes the full way: no digest, other algorithm, unreadable attributes, equal
    assert vi.hash_mismatch(SimpleNamespace(**base, external_digests={}), []) is None
    other = {**base, "md_algorithm": "sha512"}
    assert vi.hash_mismatch(SimpleNamespace(**other, external_digests={"sha256": b"x"}), []) is None
    unreadable = {**base, "signer_info": {}}
    assert (
        vi.hash_mismatch(SimpleNamespace(**unreadable, external_digests={"sha256": b"x"}), [])
        is None
    )
    assert (
        vi.hash_mismatch(SimpleNamespace(**base, external_digests={"sha256": claimed}), []) is None
    )

    emb = SimpleNamespace(
        **base,
        external_digests={"sha256": b"\x02" * 32},
        signer_cert=_Broken(),
        evaluate_signature_coverage=lambda: (_ for _ in ()).throw(RuntimeError("no")),
    )
    from rokhas_sdk.signing import Finding

    rep = vi.hash_mismatch(emb, [Finding(code="trailing_data", message="tail", field="Sig1")])
    assert rep is not None
    assert (rep.indication, rep.subindication) == (
        Indication.TOTAL_FAILED,
        SubIndication.HASH_FAILURE,
    )
    assert rep.signer is None
    assert rep.coverage is Coverage.PARTIAL
    assert rep.errors == ["the signed bytes were changed: their digest does not match", "tail"]


# --------------------------------------------------------------------------- batches


class _DyingExecutor(concurrent.futures.Executor):
    """An executor whose worker dies on every file (as when a memory limit kills it)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        fut.set_exception(BrokenProcessPool("killed"))
        return fut


def test_dead_worker_yields_an_indeterminate_report() -> None:
    reports = list(verify_many(["a.pdf", "b.pdf"], trust=TrustStore(), executor=_DyingExecutor()))
    assert sorted(r.file for r in reports if r.file) == ["a.pdf", "b.pdf"]
    for r in reports:
        assert r.document.indication is Indication.INDETERMINATE
        assert r.document.errors == ["the worker verifying this file failed (BrokenProcessPool)"]


def test_closing_the_batch_cancels_pending_files(
    tmp_path: Path, signing: Signing, trust: TrustStore
) -> None:
    paths = []
    for i in range(4):
        p = tmp_path / f"p{i}.pdf"
        p.write_bytes(signing.sign(base_pdf()))
        paths.append(p)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        batch = verify_many(paths, trust=trust, executor=pool, max_pending=4)
        assert isinstance(batch, Generator)  # closing it is what a caller's break does
        first = next(batch)
        batch.close()
    assert first.document.indication is Indication.TOTAL_PASSED


def test_verify_path_safe_never_raises(tmp_path: Path) -> None:
    rep = v._verify_path_safe(
        str(tmp_path / "gone.pdf"), TrustStore(), "offline", None, b.DEFAULT_LIMITS
    )
    assert rep.document.indication is Indication.INDETERMINATE
    assert "not a readable file" in rep.document.errors[0]


# ---------------------------------------------------------------- authenticating revocation data


def test_signed_by_each_key_type() -> None:
    from cryptography.hazmat.primitives.asymmetric import dsa, ed25519, padding, rsa

    tbs = b"to be signed"
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_sig = rsa_key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    assert c._signed_by(tbs, rsa_sig, hashes.SHA256(), rsa_key.public_key())
    assert not c._signed_by(tbs + b"!", rsa_sig, hashes.SHA256(), rsa_key.public_key())
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_sig = ec_key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    assert c._signed_by(tbs, ec_sig, hashes.SHA256(), ec_key.public_key())
    assert not c._signed_by(tbs, ec_sig, hashes.SHA256(), rsa_key.public_key())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    assert c._signed_by(tbs, ed_key.sign(tbs), None, ed_key.public_key())
    assert not c._signed_by(tbs, b"\x00" * 64, None, ed_key.public_key())
    dsa_key = dsa.generate_private_key(key_size=2048)
    # an algorithm responders do not use is not accepted, whatever the signature
    assert not c._signed_by(
        tbs, dsa_key.sign(tbs, hashes.SHA256()), hashes.SHA256(), dsa_key.public_key()
    )


def test_issuers_are_found_by_key_not_by_name() -> None:
    ka, kb, kc = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    issuer = _cert("CA", "CA", ka, ka)
    impostor = _cert("CA", "CA", kb, kb)  # same name, other key
    leaf = _cert("Leaf", "CA", kc, ka)
    found = c._issuers_of(leaf, [impostor, issuer])
    assert [c.public_bytes(serialization.Encoding.DER) for c in found] == [issuer.dump()]
    assert c._issuers_of(leaf, [impostor]) == []
    broken = SimpleNamespace(dump=lambda: b"junk", subject=None, issuer=None)
    assert c._issuers_of(broken, [issuer]) == []


def test_unsuccessful_ocsp_response_says_nothing(own_pki: TestPKI) -> None:
    from cryptography.x509 import ocsp

    der = own_pki.ocsp_response(b"not a request")
    assert ocsp.load_der_ocsp_response(der).response_status is (
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    assert c._ocsp_status(der, 1, [own_pki.intermediate.certificate]) is None
