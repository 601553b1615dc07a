"""``async_verify_pdf``: verification for asyncio programs, off the event loop.

``verify_pdf`` is CPU-bound (parsing, hashing, path building) and takes from tens of
milliseconds to seconds; called inside a coroutine it would freeze every other request
of an asyncio server for that long. This runs it in a worker thread (the loop's default
executor) or in the executor you give, e.g. a process pool to use more cores.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import os
from typing import IO, TYPE_CHECKING, Any

from .._errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    from ._report import VerificationReport
    from ._trust import TrustStore
    from ._verify import RevocationMode, VerifyLimits

__all__ = ["async_verify_pdf"]


async def async_verify_pdf(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes],
    *,
    trust: TrustStore,
    revocation: RevocationMode = "offline",
    at: dt.datetime | None = None,
    limits: VerifyLimits | None = None,
    executor: concurrent.futures.Executor | None = None,
) -> VerificationReport:
    """:func:`verify_pdf` without blocking the event loop; same arguments, same report.

    By default the verification runs in the loop's default thread pool: the loop keeps
    serving other tasks meanwhile. Pass ``executor`` (say a
    ``concurrent.futures.ProcessPoolExecutor``) to verify several files on several
    cores; ``source`` must then be a path or bytes, which can cross to another process.
    Cancelling the awaiting task does not stop a verification already running in its
    worker; its report is discarded.

    >>> report = await async_verify_pdf("permit.pdf", trust=trust)  # doctest: +SKIP
    >>> report.passed                                                  # doctest: +SKIP
    True
    """
    from ._verify import verify_pdf

    if isinstance(executor, concurrent.futures.ProcessPoolExecutor) and not isinstance(
        source, (str, os.PathLike, bytes, bytearray, memoryview)
    ):
        raise InvalidInputError(
            "a file object cannot be sent to another process: give async_verify_pdf a path "
            "or the file's bytes when the executor is a process pool"
        )
    if isinstance(source, memoryview):
        source = source.tobytes()  # a memoryview does not pickle
    options: dict[str, Any] = {"trust": trust, "revocation": revocation, "at": at}
    if limits is not None:
        options["limits"] = limits
    call = functools.partial(verify_pdf, source, **options)
    report: VerificationReport = await asyncio.get_running_loop().run_in_executor(executor, call)
    return report
