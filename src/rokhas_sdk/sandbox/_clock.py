"""The sandbox's clock: real time shifted by an offset that tests can advance.

Every instant the sandbox records (filing, receipts, opinions, deadlines, tacit
approval) comes from this clock, so a test reaches a legal deadline by advancing it
instead of waiting two months.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from .._time import CASABLANCA
from ._errors import SandboxConfigurationError

__all__ = ["CASABLANCA", "CEILING", "SandboxClock"]

CEILING = datetime(3000, 1, 1, tzinfo=CASABLANCA)
"""The clock never reaches this instant: legal deadlines computed from it (years ahead at
most) must stay within what ``datetime`` can represent (the year 9999)."""


class SandboxClock:
    """An advanceable clock in Africa/Casablanca.

    ``frozen=True`` stops time between explicit moves (deterministic tests);
    otherwise time runs at the real pace from ``start``. ``advance`` only moves
    forward: a legal clock that runs backwards would void acknowledged deadlines.

    >>> from datetime import datetime, timedelta
    >>> clock = SandboxClock(datetime(2026, 3, 2, 9, 0, tzinfo=CASABLANCA), frozen=True)
    >>> clock.advance(days=3).isoformat()
    '2026-03-05T09:00:00+01:00'
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        if start is not None and start.tzinfo is None:
            raise SandboxConfigurationError(
                "the sandbox clock needs a timezone-aware start, e.g. "
                "datetime(2026, 3, 2, 9, tzinfo=rokhas_sdk.procedure.CASABLANCA)"
            )
        self._lock = threading.Lock()
        self._frozen = frozen
        self._base_virtual = (start or datetime.now(CASABLANCA)).astimezone(CASABLANCA)
        self._base_real = time.monotonic()
        self._listeners: list[object] = []

    @property
    def frozen(self) -> bool:
        """Whether time stands still between explicit moves."""
        return self._frozen

    def now(self) -> datetime:
        """The current sandbox instant (aware, Africa/Casablanca)."""
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._frozen:
            return self._base_virtual
        elapsed = time.monotonic() - self._base_real
        return (self._base_virtual + timedelta(seconds=elapsed)).astimezone(CASABLANCA)

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by ``delta`` (or the keyword amounts); returns the new instant."""
        try:
            step = (delta or timedelta()) + timedelta(
                days=days, hours=hours, minutes=minutes, seconds=seconds
            )
        except (OverflowError, ValueError):  # beyond timedelta's range, or NaN
            raise SandboxConfigurationError(
                f"cannot advance the sandbox clock by days={days}, hours={hours}, "
                f"minutes={minutes}, seconds={seconds}: the clock stops before {CEILING.year}"
            ) from None
        if step < timedelta():
            raise SandboxConfigurationError(
                "the sandbox clock only moves forward; give a positive duration"
            )
        with self._lock:  # read and move in one step: a running clock moves meanwhile
            current = self._now_locked()
            if step > CEILING - current:
                raise SandboxConfigurationError(
                    f"cannot advance the sandbox clock by {step}: it stops before {CEILING.year}"
                )
            return self._move_locked(current + step)

    def set(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (aware; not earlier than now, before the year 3000)."""
        if instant.tzinfo is None:
            raise SandboxConfigurationError(
                "give an aware instant (with a timezone) to SandboxClock.set"
            )
        if instant >= CEILING:
            raise SandboxConfigurationError(
                f"cannot move the sandbox clock to {instant.isoformat()}: it stops before "
                f"{CEILING.year} (deadlines computed from it must stay representable)"
            )
        with self._lock:
            current = self._now_locked()
            if instant < current:
                raise SandboxConfigurationError(
                    f"cannot move the sandbox clock back from {current.isoformat()} to "
                    f"{instant.isoformat()}"
                )
            return self._move_locked(instant)

    def _move_locked(self, instant: datetime) -> datetime:
        self._base_virtual = instant.astimezone(CASABLANCA)
        self._base_real = time.monotonic()
        return self._base_virtual

    def freeze(self) -> None:
        """Stop time at the current instant."""
        now = self.now()
        with self._lock:
            self._base_virtual = now
            self._frozen = True

    def unfreeze(self) -> None:
        """Let time run again from the current instant."""
        now = self.now()
        with self._lock:
            self._base_virtual = now
            self._base_real = time.monotonic()
            self._frozen = False

    def __repr__(self) -> str:
        return f"SandboxClock(now={self.now().isoformat()}, frozen={self._frozen})"
