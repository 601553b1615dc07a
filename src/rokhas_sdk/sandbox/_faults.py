"""Fault injection: latency, server errors, dropped connections and bursts of 429.

Downstream teams test their retry logic against these. Decisions are drawn from a
seeded random generator, so a failing resilience test replays the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from ..models import RokhasModel
from ._errors import SandboxConfigurationError

__all__ = ["FaultDecision", "FaultInjector", "FaultSettings"]


class FaultSettings(RokhasModel):
    """What to inject, per request to the API (the sandbox's own ``/_sandbox`` routes are spared).

    - ``latency_ms`` (+ up to ``latency_jitter_ms``) before answering;
    - ``error_rate``: share of requests answered with one of ``error_statuses``
      *before* the operation runs (nothing written);
    - ``drop_rate``: share of requests whose connection is dropped; with
      ``drop_phase="after"`` the operation has run and been committed, only the answer
      is lost (what idempotency keys are for);
    - ``burst_429_every``/``burst_429_length``: after every N requests, the next M get
      429 with ``Retry-After: retry_after_s``.
    """

    latency_ms: float = Field(default=0, ge=0, le=60_000)
    latency_jitter_ms: float = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0, ge=0, le=1)
    error_statuses: tuple[int, ...] = (500, 503)
    drop_rate: float = Field(default=0, ge=0, le=1)
    drop_phase: Literal["before", "after"] = "after"
    burst_429_every: int = Field(default=0, ge=0)
    burst_429_length: int = Field(default=0, ge=0)
    retry_after_s: float = Field(default=1, ge=0, le=3600)
    seed: int = 0

    @model_validator(mode="after")
    def _sane(self) -> FaultSettings:
        for status in self.error_statuses:
            if not 500 <= status <= 599:
                raise ValueError(f"error_statuses must be 5xx codes, got {status}")
        if not self.error_statuses and self.error_rate > 0:
            raise ValueError("error_rate > 0 needs at least one status in error_statuses")
        if self.error_rate + self.drop_rate > 1:
            raise ValueError("error_rate + drop_rate cannot exceed 1")
        if bool(self.burst_429_every) != bool(self.burst_429_length):
            raise ValueError("set both burst_429_every and burst_429_length (or neither)")
        return self

    @property
    def active(self) -> bool:
        """Whether any fault is configured."""
        return bool(
            self.latency_ms
            or self.latency_jitter_ms
            or self.error_rate
            or self.drop_rate
            or self.burst_429_every
        )


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What to do to one request."""

    delay_s: float = 0.0
    kind: Literal["none", "error", "drop", "throttle"] = "none"
    status: int = 200
    retry_after_s: float = 0.0
    drop_phase: Literal["before", "after"] = "after"


_NONE = FaultDecision()


class FaultInjector:
    """Draws a :class:`FaultDecision` per request from the current settings (thread-safe)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        # Not for secrets: a seeded generator makes injected faults reproducible.
        self._rng = random.Random(self._settings.seed)  # noqa: S311
        self._count = 0
        self._burst_left = 0
        self.injected: dict[str, int] = {"error": 0, "drop": 0, "throttle": 0}

    @property
    def settings(self) -> FaultSettings:
        """The settings in force."""
        return self._settings

    def configure(self, settings: FaultSettings | None = None, **changes: object) -> FaultSettings:
        """Replace the settings (or change some fields); resets the random generator."""
        if settings is None:
            try:
                settings = FaultSettings.model_validate({**self._settings.model_dump(), **changes})
            except Exception as exc:  # InvalidInputError already names every field
                raise SandboxConfigurationError(f"bad fault settings: {exc}") from None
        with self._lock:
            self._settings = settings
            self._rng = random.Random(settings.seed)  # noqa: S311
            self._count = 0
            self._burst_left = 0
        return settings

    def reset(self) -> None:
        """No faults any more."""
        self.configure(FaultSettings())

    def decide(self) -> FaultDecision:
        """The fault (if any) for the next request."""
        s = self._settings
        if not s.active:
            return _NONE
        with self._lock:
            self._count += 1
            delay = 0.0
            if s.latency_ms or s.latency_jitter_ms:
                delay = (s.latency_ms + self._rng.random() * s.latency_jitter_ms) / 1000.0
            if s.burst_429_every:
                if self._burst_left > 0:
                    self._burst_left -= 1
                    self.injected["throttle"] += 1
                    return FaultDecision(delay, "throttle", 429, s.retry_after_s)
                if self._count % s.burst_429_every == 0:
                    self._burst_left = s.burst_429_length - 1
                    self.injected["throttle"] += 1
                    return FaultDecision(delay, "throttle", 429, s.retry_after_s)
            draw = self._rng.random()
            if draw < s.error_rate:
                self.injected["error"] += 1
                status = s.error_statuses[self._rng.randrange(len(s.error_statuses))]
                return FaultDecision(
                    delay, "error", status, s.retry_after_s if status == 503 else 0.0
                )
            if draw < s.error_rate + s.drop_rate:
                self.injected["drop"] += 1
                return FaultDecision(delay, "drop", drop_phase=s.drop_phase)
            return FaultDecision(delay) if delay else _NONE
