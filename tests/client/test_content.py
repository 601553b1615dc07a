"""Upload sources and download sinks, without a server."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.client import ChecksumMismatchError
from rokhas_sdk.client._content import Sink, guess_media_type, prepare_upload


@given(st.binary(max_size=200_000), st.integers(min_value=0, max_value=50))
def test_every_source_replays_the_same_bytes(data: bytes, skip: int) -> None:
    skip = min(skip, len(data))
    digest = hashlib.sha256(data[skip:]).hexdigest()
    fh = io.BytesIO(data)
    fh.read(skip)  # a file positioned mid-way uploads from there
    for upload in (
        prepare_upload(data[skip:], file_name="a.pdf"),
        prepare_upload(fh, file_name="a.pdf"),
    ):
        assert upload.sha256 == digest
        for _ in range(2):  # a retry resends exactly the same body
            content = upload.sync_content()
            body = content if isinstance(content, bytes) else b"".join(content)
            assert body == data[skip:]


def test_non_seekable_sources_are_spooled(tmp_path: Path) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            chunk = self._inner.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    upload = prepare_upload(Pipe(b"x" * 100_000), file_name="p.pdf")  # type: ignore[arg-type]
    assert upload.size == 100_000
    assert b"".join(upload.sync_content()) == b"x" * 100_000  # type: ignore[arg-type]
    assert b"".join(upload.sync_content()) == b"x" * 100_000  # type: ignore[arg-type]
    upload.close()


def test_bad_sources_and_names_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a readable file"):
        prepare_upload(tmp_path)
    with pytest.raises(InvalidInputError, match="cannot upload"):
        prepare_upload(12345)  # type: ignore[arg-type]
    assert guess_media_type("PLAN.PDF") == "application/pdf"
    assert guess_media_type("photo.jpeg") == "image/jpeg"
    assert guess_media_type(None) == "application/octet-stream"
    assert guess_media_type("x.docx") == "application/octet-stream"
    with pytest.raises(InvalidInputError, match="directory"):
        Sink(tmp_path)
    with pytest.raises(InvalidInputError, match="cannot download"):
        Sink(42)  # type: ignore[arg-type]


def test_sink_checks_the_hash_and_cleans_up(tmp_path: Path) -> None:
    data = b"%PDF-1.7 permit"
    good = hashlib.sha256(data).hexdigest()
    target = tmp_path / "out.pdf"
    sink = Sink(target)
    sink.write(data)
    result = sink.finish(good.upper(), "req_1", "application/pdf")
    assert target.read_bytes() == data
    assert result.path == target
    sink = Sink(tmp_path / "bad.pdf")
    sink.write(data)
    with pytest.raises(ChecksumMismatchError) as info:
        sink.finish("0" * 64, "req_2", None)
    assert info.value.actual == good
    assert info.value.request_id == "req_2"
    sink = Sink(None)
    sink.write(data)
    with pytest.raises(ChecksumMismatchError, match="expected_sha256"):
        sink.finish(None, None, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
