"""Auto-paginating iterators over cursor pages, sync and async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from ..api import Page
from ._errors import APIResponseValidationError

__all__ = ["AsyncPager", "SyncPager"]

T = TypeVar("T")


def _check_progress(seen: set[str], cursor: str | None) -> None:
    # A server handing back a cursor it already gave would make the walk endless.
    if cursor is not None:
        if cursor in seen:
            raise APIResponseValidationError(
                f"the server returned cursor {cursor[:40]!r} twice; stopping to avoid an "
                "endless listing"
            )
        seen.add(cursor)


class SyncPager(Generic[T]):
    """Iterate over every item of a list, fetching pages as needed.

    >>> for dossier in client.dossiers.list(commune="06.141.01.01"):  # doctest: +SKIP
    ...     print(dossier.id)

    ``pages()`` yields whole pages; ``first_page()`` fetches one page only.
    Nothing is fetched until you iterate.
    """

    def __init__(self, fetch: Callable[[str | None], Page[T]]) -> None:
        self._fetch = fetch

    def first_page(self) -> Page[T]:
        """The first page, with its ``next_cursor``."""
        return self._fetch(None)

    def page(self, cursor: str | None) -> Page[T]:
        """The page that starts at ``cursor`` (None for the first)."""
        return self._fetch(cursor)

    def pages(self) -> Iterator[Page[T]]:
        """Every page, in order."""
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            page = self._fetch(cursor)
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return
            _check_progress(seen, cursor)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class AsyncPager(Generic[T]):
    """The async twin of :class:`SyncPager`: ``async for item in client.x.list()``."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch

    async def first_page(self) -> Page[T]:
        """The first page, with its ``next_cursor``."""
        return await self._fetch(None)

    async def page(self, cursor: str | None) -> Page[T]:
        """The page that starts at ``cursor`` (None for the first)."""
        return await self._fetch(cursor)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page, in order."""
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            page = await self._fetch(cursor)
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return
            _check_progress(seen, cursor)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
