"""Hostile structure: decompression bombs and deep nesting are bounded, never fatal."""

from __future__ import annotations

import resource
import zlib

import pytest

from rokhas_sdk.signing import Indication, TrustStore, VerifyLimits, verify_pdf

from .verify_corpus import Signing


def raw_pdf(objects: dict[int, bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A hand-written PDF with a correct xref table (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for num in range(1, size):
        if num in offsets:
            out += f"{offsets[num]:010d} 00000 n \n".encode()
        else:
            out += b"0000000000 65535 f \n"
    out += f"trailer\n<< /Size {size} /Root 1 0 R ".encode() + trailer_extra + b" >>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _deflate_zeros(n: int, layers: int) -> bytes:
    # after a full flush the compressor forgets its window, so every further 1 MiB
    # block of zeros compresses to the same bytes: repeat them instead of compressing
    comp = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    last = comp.compress(chunk) + comp.flush()
    data = first + block * ((n >> 20) - 2) + last
    assert len(zlib.decompressobj().decompress(data, 1 << 21)) == 1 << 21
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


@pytest.fixture(scope="module")
def bomb_stream() -> bytes:
    # 1 GiB of zeros in two Deflate layers: a few kilobytes on disk
    return _deflate_zeros(1 << 30, layers=2)


def _page_objects(content_ref: bytes = b"4 0 R") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
        + content_ref
        + b" >>",
    }


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_bomb_in_the_permit_attachment_and_page(
    bomb_stream: bytes, signing: Signing, trust: TrustStore
) -> None:
    filt = b"/Filter [/FlateDecode /FlateDecode]"
    objs = _page_objects()
    objs[4] = (
        b"<< /Length %d %s >>\nstream\n" % (len(bomb_stream), filt) + bomb_stream + b"\nendstream"
    )
    objs[1] = (
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/Names << /EmbeddedFiles << /Names [(permit.json) 5 0 R] >> >> >>"
    )
    objs[5] = b"<< /Type /Filespec /F (permit.json) /UF (permit.json) /EF << /F 6 0 R >> >>"
    objs[6] = (
        b"<< /Type /EmbeddedFile /Length %d %s >>\nstream\n" % (len(bomb_stream), filt)
        + bomb_stream
        + b"\nendstream"
    )
    pdf = signing.sign(raw_pdf(objs))
    before = _max_rss_mib()
    rep = verify_pdf(pdf, trust=trust)
    grown = _max_rss_mib() - before
    assert grown < 300, f"memory grew by {grown:.0f} MiB"
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.permit is not None
    assert any("cannot be read" in p for p in rep.permit.problems)


def test_bomb_in_an_object_stream_is_refused(bomb_stream: bytes, trust: TrustStore) -> None:
    objs = _page_objects()
    objs[4] = b"<< /Length 0 >>\nstream\n\nendstream"
    objs[7] = (
        b"<< /Type /ObjStm /N 1 /First 4 /Length %d "
        b"/Filter [/FlateDecode /FlateDecode] >>\nstream\n"
        % len(bomb_stream)
        + bomb_stream
        + b"\nendstream"
    )
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Extra 7 0 R >>"
    before = _max_rss_mib()
    rep = verify_pdf(raw_pdf(objs), trust=trust)
    assert _max_rss_mib() - before < 300
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.document.errors


def test_stricter_limits_are_honoured(signing: Signing, trust: TrustStore) -> None:
    # a 3 MiB page stream (ratio ~1000:1) refused when the caller allows 1 MiB per stream
    stream = _deflate_zeros(3 << 20, layers=1)
    objs = _page_objects()
    objs[4] = (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    )
    objs[1] = (
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/Names << /EmbeddedFiles << /Names [(permit.json) 5 0 R] >> >> >>"
    )
    objs[5] = b"<< /Type /Filespec /F (permit.json) /EF << /F 6 0 R >> >>"
    objs[6] = (
        b"<< /Type /EmbeddedFile /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream"
    )
    pdf = signing.sign(raw_pdf(objs))
    tight = VerifyLimits(max_stream_size=1 << 20, max_permit_size=1 << 20)
    rep = verify_pdf(pdf, trust=trust, limits=tight)
    assert rep.permit is not None
    assert rep.permit.problems
    assert rep.document.indication is not Indication.TOTAL_PASSED


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting(depth: int, trust: TrustStore) -> None:
    deep = b"[" * depth + b"]" * depth
    nested_dict = b"<< /A " * depth + b"1" + b" >>" * depth
    for blob in (deep, nested_dict):
        objs = _page_objects()
        objs[4] = b"<< /Length 0 >>\nstream\n\nendstream"
        objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Deep " + blob + b" >>"
        rep = verify_pdf(raw_pdf(objs), trust=trust)
        assert rep.document.indication is not Indication.TOTAL_PASSED
        assert rep.document.errors
        rep = verify_pdf(raw_pdf(_page_objects(), trailer_extra=b"/Deep " + blob), trust=trust)
        assert rep.document.indication is not Indication.TOTAL_PASSED


def test_file_size_limit(trust: TrustStore, tmp_path: object) -> None:
    from rokhas_sdk import InvalidInputError

    with pytest.raises(InvalidInputError, match="limit"):
        verify_pdf(b"%PDF-1.7" + b" " * 2000, trust=trust, limits=VerifyLimits(max_file_size=1000))
