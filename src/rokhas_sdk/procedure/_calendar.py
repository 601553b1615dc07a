"""Working days in Morocco: weekends, public holidays (incl. Hijri-based ones), Casablanca time.

Fixed and Hijri holidays come from the ``holidays`` package (country ``MA``); its Hijri
dates are astronomical estimates, so the dates the Ministry of Habous announced after
the crescent sighting (``data/holidays_ma.json``) replace them where we have them.
Legal time is ``Africa/Casablanca`` as loaded by ``rokhas_sdk._time`` from the ``tzdata``
package (UTC+1 with Ramadan pauses until 2026-09-20, permanent UTC+0 since).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping

from .._errors import InvalidInputError

# The legal time zone of every instant the engine reasons about, from ``tzdata``.
from .._time import CASABLANCA as CASABLANCA
from . import _data

__all__ = [
    "CASABLANCA",
    "WorkingCalendar",
    "default_calendar",
    "fixed",
    "local_date",
    "start_of_day",
]

_ONE_DAY = dt.timedelta(days=1)


def local_date(at: dt.datetime) -> dt.date:
    """The calendar date of ``at`` in Casablanca (``at`` must be timezone-aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        _naive(at)
    return _local_date(at)


@functools.lru_cache(maxsize=1 << 16)
def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(CASABLANCA).date()


def _naive(at: dt.datetime) -> None:
    raise InvalidInputError(
        f"instant {at.isoformat()} has no time zone; pass an aware datetime "
        "(e.g. datetime(..., tzinfo=rokhas_sdk.procedure.CASABLANCA) or tzinfo=UTC)"
    )


def fixed(at: dt.datetime) -> dt.datetime:
    """``at`` in Casablanca time, with a fixed-offset tzinfo (+01:00 or +00:00).

    Python compares two datetimes that share one ``ZoneInfo`` by wall time, which is
    wrong inside the hour repeated when Casablanca's clocks go back (before Ramadan until
    2026, and at the switch to permanent UTC+0 on 2026-09-20); with
    fixed offsets every comparison is by absolute time.
    """
    tz = at.tzinfo
    if isinstance(tz, dt.timezone) and tz is not dt.UTC:
        return at
    local_date(at)  # refuses naive datetimes
    local = at.astimezone(CASABLANCA)
    offset = local.utcoffset()
    assert offset is not None
    return local.replace(tzinfo=_FIXED.get(offset) or dt.timezone(offset), fold=0)


_FIXED = {dt.timedelta(hours=h): dt.timezone(dt.timedelta(hours=h)) for h in (0, 1)}


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Casablanca, with a fixed-offset tzinfo."""
    return fixed(dt.datetime(day.year, day.month, day.day, tzinfo=CASABLANCA))


class WorkingCalendar:
    """Which days count as working days for legal deadlines.

    ``weekend`` uses ``date.weekday()`` numbers (Saturday 5, Sunday 6). ``extra`` adds
    holidays (date -> name), ``removed`` takes dates out, and ``use_announced`` applies
    the bundled table of officially announced Hijri dates. Instances are cheap and
    cache one year of holidays at a time.
    """

    def __init__(
        self,
        *,
        weekend: Iterable[int] = (5, 6),
        extra: Mapping[dt.date, str] | None = None,
        removed: Iterable[dt.date] = (),
        use_announced: bool = True,
    ) -> None:
        self.weekend = frozenset(weekend)
        self.extra = dict(extra or {})
        self.removed = frozenset(removed)
        self.use_announced = use_announced
        self._years: dict[int, dict[dt.date, str]] = {}

    def holidays(self, year: int) -> dict[dt.date, str]:
        """Public holidays of ``year`` (date -> English name), announced dates applied."""
        found = self._years.get(year)
        if found is None:
            found = dict(_library_holidays(year))
            if self.use_announced:
                for row in _data.holiday_overrides():
                    if row.year != year:
                        continue
                    for day in [d for d, n in found.items() if row.holiday in n]:
                        del found[day]
                    for day in row.dates:
                        found[day] = row.holiday
            for day, name in self.extra.items():
                if day.year == year:
                    found[day] = name
            for day in self.removed:
                found.pop(day, None)
            self._years[year] = found
        return found

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name on ``day``, or ``None``."""
        return self.holidays(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        """Not a weekend day and not a public holiday."""
        return day.weekday() not in self.weekend and day not in self.holidays(day.year)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself if ``n == 0``)."""
        if n < 0:
            raise InvalidInputError("add_working_days counts forward only: n must be >= 0")
        while n > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def count_working_days(self, after: dt.date, until: dt.date) -> int:
        """Working days ``d`` with ``after < d <= until`` (0 when ``until <= after``)."""
        count = 0
        day = after
        while day < until:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day


@functools.cache
def _library_holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    import holidays  # lazy: the package loads every country's module on demand

    table = holidays.country_holidays("MA", years=year)
    return tuple(sorted((d, n.replace(" (estimated)", "")) for d, n in table.items()))


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The calendar the engine uses unless a :class:`ClockPolicy` supplies another."""
    return WorkingCalendar()
