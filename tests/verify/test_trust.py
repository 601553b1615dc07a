"""TrustStore: loading anchors from PEM/DER files and folders, and refusing the rest."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk.signing import TrustStore
from rokhas_sdk.testing.pki import TestPKI


def test_from_pem_der_and_folder(pki: TestPKI, tmp_path: Path) -> None:
    pem = tmp_path / "root.pem"
    pem.write_bytes(pki.root.certificate_pem() + pki.intermediate.certificate_pem())
    der = tmp_path / "tsa.der"
    der.write_bytes(pki.tsa.certificate_der())
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "a.crt").write_bytes(pki.root.certificate_pem())
    (folder / "notes.txt").write_text("ignored")
    store = TrustStore.from_paths(pem, der, folder)
    # the root appears twice and is kept once
    assert len(store) == 3
    assert set(store.fingerprints) == {
        __import__("hashlib").sha256(c).hexdigest()
        for c in (
            pki.root.certificate_der(),
            pki.intermediate.certificate_der(),
            pki.tsa.certificate_der(),
        )
    }


def test_intermediates_are_never_anchors(pki: TestPKI, tmp_path: Path) -> None:
    inter = tmp_path / "inter.pem"
    inter.write_bytes(pki.intermediate.certificate_pem())
    store = TrustStore.from_paths(intermediates=[inter])
    assert len(store) == 0
    assert store.intermediates_der == (pki.intermediate.certificate_der(),)


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.pem"):
        TrustStore.from_paths(tmp_path / "nope.pem")
    bad = tmp_path / "bad.pem"
    bad.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InvalidInputError, match=r"bad\.pem"):
        TrustStore.from_paths(bad)
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x03\x02\x01\x01")
    with pytest.raises(InvalidInputError, match=r"junk\.der"):
        TrustStore.from_paths(junk)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInputError, match=r"no \.pem"):
        TrustStore.from_paths(empty)


@settings(max_examples=200)
@given(blob=st.binary(max_size=600))
def test_garbage_is_refused_with_our_error(blob: bytes) -> None:
    with pytest.raises(InvalidInputError):
        TrustStore([blob])


def test_bundled_store_is_documented_empty() -> None:
    store = TrustStore.bundled()
    assert len(store) == 0


def test_pickles_for_worker_processes(pki: TestPKI) -> None:
    store = TrustStore(
        [pki.root.certificate_der()], intermediates=[pki.intermediate.certificate_der()]
    )
    store.anchors  # noqa: B018 - fill the cache, which must not travel
    clone = pickle.loads(pickle.dumps(store))
    assert clone.anchors_der == store.anchors_der
    assert clone.intermediates_der == store.intermediates_der
    assert clone.anchors[0].dump() == pki.root.certificate_der()
    merged = TrustStore().with_anchors(store)
    assert merged.anchors_der == store.anchors_der
    assert "anchors=1" in repr(store)
