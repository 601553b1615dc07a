"""What real signed PDFs need from the verifier (issue 13), on files we build ourselves.

The corpus test (test_corpus.py) scores files from other producers; these tests pin the
behaviours behind that score on files whose every byte we control, so each can fail.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk.cli import main
from rokhas_sdk.signing import (
    Indication,
    Integrity,
    Modification,
    SubIndication,
    TrustStore,
    verify_pdf,
)
from rokhas_sdk.signing._verify_crypto import _verify_extra, issued_by

from .verify_corpus import ATTACKS, Signing, base_pdf

# --------------------------------------------------------------------------- metadata


def test_info_title_rewritten_after_signing_is_reported_and_not_passed(
    signing: Signing, trust: TrustStore
) -> None:
    report = verify_pdf(ATTACKS["meta_info_title"](signing), trust=trust)
    assert report.document.indication is Indication.INDETERMINATE
    assert report.document.subindication is SubIndication.SIG_CONSTRAINTS_FAILURE
    (sig,) = report.signatures
    assert sig.modified_after_signing is Modification.ALLOWED
    assert any("Title" in c and "'PERMIS ANNULE'" in c for c in sig.changes), sig.changes
    # what it is, not what pyHanko's level name suggests
    assert not any("DSS" in c for c in sig.changes), sig.changes
    assert any("PERMIS ANNULE" in e for e in report.document.errors)


def test_xmp_title_added_after_signing_is_reported(signing: Signing, trust: TrustStore) -> None:
    report = verify_pdf(ATTACKS["meta_xmp_title"](signing), trust=trust)
    assert report.document.indication is not Indication.TOTAL_PASSED
    assert any("dc:title" in c and "PERMIS ANNULE" in c for c in report.signatures[0].changes)


def test_annotation_after_approval_is_allowed_but_caps_the_document(
    signing: Signing, trust: TrustStore
) -> None:
    annotated = ATTACKS["annot_after_approval"](signing)
    report = verify_pdf(annotated, trust=trust)
    (sig,) = report.signatures
    assert sig.modified_after_signing is Modification.ALLOWED
    assert sig.indication is Indication.TOTAL_PASSED  # the signer signed what they saw
    assert report.document.indication is Indication.INDETERMINATE  # the reader sees more
    # the change is spelled out where the auditor reads the verdict
    assert any("annotations added" in e for e in report.document.errors)


def test_byte_range_past_end_of_file_is_integrity_broken(
    signing: Signing, trust: TrustStore
) -> None:
    report = verify_pdf(ATTACKS["swa_range_past_eof"](signing), trust=trust)
    assert [s.integrity for s in report.signatures] == [Integrity.BROKEN]


def test_byte_range_gap_not_a_hex_string_is_integrity_broken(
    signing: Signing, trust: TrustStore
) -> None:
    data = signing.sign(base_pdf())
    start = data.index(b"/Contents <") + len(b"/Contents ")
    # a space inside the gap, before the hex string: the gap is no longer one string
    tampered = data[:start] + b" " + data[start:-1]
    assert len(tampered) == len(data) - 0
    report = verify_pdf(tampered, trust=trust)
    assert report.document.indication is not Indication.TOTAL_PASSED
    assert all(s.integrity is Integrity.BROKEN for s in report.signatures)


# --------------------------------------------------------------------------- algorithms


def _spki(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@settings(max_examples=25, deadline=None)
@given(message=st.binary(max_size=256), flip=st.integers(min_value=0, max_value=63))
def test_plain_ecdsa_r_s_verifies_and_any_flipped_bit_fails(message: bytes, flip: int) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    plain = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    oid = "0.4.0.127.0.7.1.1.4.1.3"  # ecdsa-plain-SHA256 (BSI TR-03111)
    _verify_extra(plain, message, _spki(key), oid, prehashed=False)
    bad = bytearray(plain)
    bad[flip] ^= 0x01
    with pytest.raises(InvalidSignature):
        _verify_extra(bytes(bad), message, _spki(key), oid, prehashed=False)


def test_rsa_with_sha3_verifies_and_a_wrong_hash_does_not() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sig = key.sign(b"signed attributes", padding.PKCS1v15(), hashes.SHA3_256())
    _verify_extra(sig, b"signed attributes", _spki(key), "2.16.840.1.101.3.4.3.14", False)
    with pytest.raises(InvalidSignature):  # claims SHA3-512
        _verify_extra(sig, b"signed attributes", _spki(key), "2.16.840.1.101.3.4.3.16", False)
    with pytest.raises(InvalidSignature):
        _verify_extra(sig, b"other attributes", _spki(key), "2.16.840.1.101.3.4.3.14", False)


def _cert(
    subject: str,
    issuer: str,
    key: rsa.RSAPrivateKey,
    pub: rsa.RSAPublicKey,
    md: hashes.SHA256,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(pub)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, md)
    )


def _resigned_sha1(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """The same certificate re-signed with sha1WithRSAEncryption.

    ``cryptography`` no longer issues SHA-1 certificates; qualified CAs did for years,
    so the TBS is rewritten with asn1crypto and signed again by hand.
    """
    from asn1crypto import x509 as a509

    parsed = a509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    tbs["signature"] = {"algorithm": "sha1_rsa"}
    tbs_der = tbs.dump(force=True)
    signature = key.sign(tbs_der, padding.PKCS1v15(), hashes.SHA1())
    out = a509.Certificate(
        {
            "tbs_certificate": a509.TbsCertificate.load(tbs_der),
            "signature_algorithm": {"algorithm": "sha1_rsa"},
            "signature_value": signature,
        }
    )
    return x509.load_der_x509_certificate(out.dump())


def test_sha1_certificate_signatures_verify_and_a_wrong_key_does_not() -> None:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _cert("CA", "CA", ca_key, ca_key.public_key(), hashes.SHA256())
    leaf = _resigned_sha1(_cert("Leaf", "CA", ca_key, other.public_key(), hashes.SHA256()), ca_key)
    forged = _resigned_sha1(_cert("Leaf", "CA", other, other.public_key(), hashes.SHA256()), other)
    assert leaf.signature_hash_algorithm is not None
    assert leaf.signature_hash_algorithm.name == "sha1"
    with pytest.raises(
        ValueError, match=r"[Uu]nsupported"
    ):  # why old certificates looked "altered"
        leaf.verify_directly_issued_by(ca)
    assert issued_by(leaf, ca)
    assert not issued_by(forged, ca)


# --------------------------------------------------------------------------- legacy formats

_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "verify-corpus" / "files"


def _corpus_file(name: str) -> bytes:
    path = _CORPUS / name
    if not path.is_file():
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is missing: CI must have ../shared/verify-corpus")
        pytest.skip(f"{path} is not here (../shared/verify-corpus)")
    return path.read_bytes()


@pytest.mark.parametrize(
    "name",
    ["made-adbe-pkcs7-sha1.pdf", "itext-adbe-x509-rsa-sha1.pdf", "made-plain-ecdsa.pdf"],
)
def test_legacy_and_plain_formats_are_intact_and_a_flipped_signed_byte_breaks_them(
    name: str,
) -> None:
    data = _corpus_file(name)
    no_anchor = TrustStore.from_paths()
    report = verify_pdf(data, trust=no_anchor)
    assert [s.integrity for s in report.signatures] == [Integrity.INTACT], report.document.errors
    # flip one byte of the page content, inside the first signed range
    at = data.index(b"stream", 200) + 20
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    broken = verify_pdf(tampered, trust=no_anchor)
    assert broken.document.indication is Indication.TOTAL_FAILED
    assert all(s.integrity is Integrity.BROKEN for s in broken.signatures)


def test_sha1_signature_is_intact_with_a_deprecation_warning_and_never_passed() -> None:
    report = verify_pdf(_corpus_file("made-adbe-pkcs7-sha1.pdf"), trust=TrustStore.from_paths())
    (sig,) = report.signatures
    assert sig.integrity is Integrity.INTACT
    assert any("SHA-1 is deprecated" in w for w in sig.warnings)
    assert sig.indication is not Indication.TOTAL_PASSED


# --------------------------------------------------------------------------- human output


def test_batch_output_relative_paths_counts_and_empty_file(
    tmp_path: Path,
    signing: Signing,
    trust: TrustStore,
    pki: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.pdf").write_bytes(signing.sign(base_pdf()))
    (folder / "title.pdf").write_bytes(ATTACKS["meta_info_title"](signing))
    (folder / "empty.pdf").write_bytes(b"")
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.certificate_pem())  # type: ignore[attr-defined]
    assert main(["verify", str(folder), "--trust", str(root), "--jobs", "1"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert str(tmp_path) not in out  # paths relative to the folder given
    assert "sub/good.pdf" in out
    assert "the file is empty" in out
    assert "'PERMIS ANNULE'" in out  # the metadata change, in the human output
    assert out.rstrip().endswith("3 files: 1 TOTAL_PASSED, 1 TOTAL_FAILED, 1 INDETERMINATE")
    assert main(["verify", str(folder), "--trust", str(root), "--json", "--jobs", "1"]) == 1
    doc = json.loads(capsys.readouterr().out)
    empty = next(f for f in doc["files"] if f["file"].endswith("empty.pdf"))
    assert empty["size"] == 0
    assert empty["document"]["errors"] == [
        "the file is empty (0 bytes): there is nothing to verify"
    ]
    assert io  # keeps the import honest for type checkers


# --------------------------------------------------------------------------- parsers


def _root_with_packet(packet: bytes) -> object:
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=packet)
    return generic.DictionaryObject({generic.pdf_name("/Metadata"): stream})  # type: ignore[no-untyped-call]


@settings(max_examples=200, deadline=None)
@given(packet=st.binary(max_size=2048))
def test_xmp_reader_never_raises_on_any_packet(packet: bytes) -> None:
    from rokhas_sdk.signing._verify_modifications import _xmp_of

    found = _xmp_of(_root_with_packet(packet))
    assert isinstance(found, dict)  # a packet is there: never None, never a crash
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in found.items())


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(blacklist_characters="<>&\"'", blacklist_categories=["Cs"]),
        max_size=80,
    )
)
def test_xmp_title_round_trips(title: str) -> None:
    from rokhas_sdk.signing._verify_modifications import _xmp_of

    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="r"><rdf:Description>'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt>'
        "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    found = _xmp_of(_root_with_packet(packet))
    assert found is not None
    assert found.get("dc:title") == " ".join(title.split())
