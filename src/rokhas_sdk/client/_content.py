"""Streamed uploads and downloads with their SHA-256, shared by both clients.

An upload is hashed before it is sent (the contract wants ``X-Content-Sha256`` up
front) and can be replayed for a retry: bytes as is, a path re-opened, a seekable file
re-wound, anything else spooled to a temporary file first. A download is hashed while
it streams and lands in its destination only when the hash matches.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from .._errors import InvalidInputError
from ._errors import ChecksumMismatchError

__all__ = ["DownloadResult", "Sink", "Upload", "UploadSource", "prepare_upload"]

CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 8 * 1024 * 1024

UploadSource = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO

_MEDIA_BY_SUFFIX = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """What a download produced: where (if to a path), how big, and its verified SHA-256."""

    sha256: str
    size: int
    path: Path | None = None
    media_type: str | None = None


class Upload:
    """A body that can be sent again, with its size and SHA-256 known."""

    def __init__(
        self,
        *,
        size: int,
        sha256: str,
        media_type: str,
        file_name: str | None,
        data: bytes | None = None,
        path: Path | None = None,
        fileobj: IO[bytes] | None = None,
        offset: int = 0,
        owned: bool = False,
    ) -> None:
        self.size = size
        self.sha256 = sha256
        self.media_type = media_type
        self.file_name = file_name
        self._data = data
        self._path = path
        self._fileobj = fileobj
        self._offset = offset
        self._owned = owned

    def sync_content(self) -> bytes | Iterator[bytes]:
        """The body for one attempt (fresh iterator each time)."""
        if self._data is not None:
            return self._data
        return self._iter_file()

    def async_content(self) -> bytes | AsyncIterator[bytes]:
        """The body for one async attempt."""
        if self._data is not None:
            return self._data
        return self._aiter_file()

    def _iter_file(self) -> Iterator[bytes]:
        if self._path is not None:
            with self._path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    yield chunk
            return
        assert self._fileobj is not None
        self._fileobj.seek(self._offset)
        remaining = self.size
        while remaining > 0:
            chunk = self._fileobj.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

    async def _aiter_file(self) -> AsyncIterator[bytes]:
        # File reads of 64 KiB are short enough to do inline on the event loop.
        for chunk in self._iter_file():
            yield chunk

    def close(self) -> None:
        """Release a spooled copy (no-op for caller-owned sources)."""
        if self._owned and self._fileobj is not None:
            self._fileobj.close()


def _hash_stream(fh: IO[bytes], sink: IO[bytes] | None = None) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        h.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, h.hexdigest()


def guess_media_type(name: str | None) -> str:
    """The media type a piece's name suggests (``application/octet-stream`` otherwise)."""
    if not name:
        return "application/octet-stream"
    return _MEDIA_BY_SUFFIX.get(Path(name).suffix.lower(), "application/octet-stream")


def prepare_upload(
    source: UploadSource, *, file_name: str | None = None, media_type: str | None = None
) -> Upload:
    """Hash ``source`` once and make it replayable for retries."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return Upload(
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            media_type=media_type or guess_media_type(file_name),
            file_name=file_name,
            data=data,
        )
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(
                f"{path} is not a readable file; give the path of the piece to upload"
            )
        with path.open("rb") as fh:
            size, digest = _hash_stream(fh)
        name = file_name or path.name
        return Upload(
            size=size,
            sha256=digest,
            media_type=media_type or guess_media_type(name),
            file_name=name,
            path=path,
        )
    if not hasattr(source, "read"):
        raise InvalidInputError(
            f"cannot upload a {type(source).__name__}: give bytes, a path or a binary file "
            "opened with 'rb'"
        )
    obj_name = file_name or _name_of(source)
    seekable = False
    try:
        seekable = bool(source.seekable())
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable:
        offset = source.tell()
        size, digest = _hash_stream(source)
        source.seek(offset)
        return Upload(
            size=size,
            sha256=digest,
            media_type=media_type or guess_media_type(obj_name),
            file_name=obj_name,
            fileobj=source,
            offset=offset,
        )
    # A pipe or socket can be read once: keep a copy so that a retry can resend it.
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - owned by Upload
    size, digest = _hash_stream(source, spool)
    return Upload(
        size=size,
        sha256=digest,
        media_type=media_type or guess_media_type(obj_name),
        file_name=obj_name,
        fileobj=spool,
        offset=0,
        owned=True,
    )


def _name_of(fileobj: object) -> str | None:
    name = getattr(fileobj, "name", None)
    if isinstance(name, str) and name and not name.startswith("<"):
        return Path(name).name
    return None


class Sink:
    """Where a download goes: a path (atomically, via a temporary file), a file object,
    or memory. ``reset`` starts over for a retry; ``finish`` checks the hash."""

    def __init__(self, to: str | os.PathLike[str] | BinaryIO | None) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        self._path: Path | None = None
        self._tmp: Path | None = None
        self._fh: IO[bytes] | None = None
        self._buffer: bytearray | None = None
        self._start = 0
        if to is None:
            self._buffer = bytearray()
        elif isinstance(to, str | os.PathLike):
            self._path = Path(to)
            if self._path.is_dir():
                raise InvalidInputError(
                    f"{self._path} is a directory; give the file path to write the download to"
                )
            self._tmp = self._path.with_name(f".{self._path.name}.{uuid.uuid4().hex[:12]}.part")
            self._fh = self._tmp.open("wb")
        else:
            if not hasattr(to, "write"):
                raise InvalidInputError(
                    f"cannot download into a {type(to).__name__}: give a path or a binary file"
                )
            self._fh = to
            try:
                self._start = to.tell() if to.seekable() else -1
            except (OSError, ValueError):
                self._start = -1

    def write(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)
        if self._buffer is not None:
            self._buffer += chunk
        else:
            assert self._fh is not None
            self._fh.write(chunk)

    def can_reset(self) -> bool:
        """Whether a failed transfer can be restarted from scratch."""
        return (
            self._buffer is not None or self._tmp is not None or self._start >= 0 or self.size == 0
        )

    def reset(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        if self._buffer is not None:
            self._buffer.clear()
        elif self._fh is not None and (self._tmp is not None or self._start >= 0):
            self._fh.seek(self._start if self._tmp is None else 0)
            self._fh.truncate()

    def finish(
        self, expected: str | None, request_id: str | None, media_type: str | None
    ) -> DownloadResult:
        actual = self._hash.hexdigest()
        if expected is None or not hmac.compare_digest(
            expected.strip().lower().encode(), actual.encode()
        ):
            self.abort()
            if expected is None:
                message = (
                    "the server sent no X-Content-Sha256 header, so the download cannot be "
                    "checked; "
                    "pass expected_sha256 (e.g. the piece's sha256) to accept it"
                )
            else:
                message = (
                    f"downloaded content has SHA-256 {actual} but {expected} was announced; "
                    "the transfer was corrupted or the file changed: download it again"
                )
            raise ChecksumMismatchError(
                message, expected=expected, actual=actual, request_id=request_id
            )
        if self._tmp is not None and self._fh is not None and self._path is not None:
            self._fh.close()
            os.replace(self._tmp, self._path)
            self._tmp = None
        return DownloadResult(sha256=actual, size=self.size, path=self._path, media_type=media_type)

    def data(self) -> bytes:
        """The downloaded bytes (memory sink only)."""
        assert self._buffer is not None
        return bytes(self._buffer)

    def abort(self) -> None:
        """Remove a partial temporary file."""
        if self._tmp is not None:
            if self._fh is not None:
                self._fh.close()
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
