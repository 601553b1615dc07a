"""Morocco's legal time, the same on every machine.

Deadlines and tacit-approval instants are legal facts, so the zone they are computed in
must not depend on the host. ``ZoneInfo("Africa/Casablanca")`` reads the host's zone
files first (``/usr/share/zoneinfo``, ``PYTHONTZPATH``) and only falls back to the
``tzdata`` package; a host with older files (Debian's 2025b, say) still has Morocco on
UTC+1 after 2026-09-20 and puts every later deadline one hour early. This module loads
the zone from the ``tzdata`` package explicitly, checks once that the data knows the
2026 switch to permanent UTC+0 (IANA tz 2026c, ``tzdata`` 2026.3), and holds the few
date helpers the rooms share. docs/procedure.md tells the legal-time history.

Private: rooms import it; users reach the zone as :data:`rokhas_sdk.procedure.CASABLANCA`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
import importlib.resources
from zoneinfo import ZoneInfo

from ._errors import InvalidInputError, TimeZoneDataError

__all__ = [
    "CASABLANCA",
    "ZONE_KEY",
    "TimeZoneDataError",
    "add_months",
    "local_date",
    "now",
    "offset_changes",
    "require_aware",
    "to_local",
]

ZONE_KEY = "Africa/Casablanca"

#: The first tzdata release (PyPI) with Morocco's permanent UTC+0 (IANA tz 2026c).
MIN_TZDATA = "2026.3"

# An instant after the switch (2026-09-20 02:00 local) at which the zone must say UTC+0.
_PROBE = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)


class _LegalZone(ZoneInfo):
    """``Africa/Casablanca`` read from the ``tzdata`` package.

    A zone built with ``ZoneInfo.from_file`` cannot be pickled or deep-copied (and a
    plain ``ZoneInfo`` would re-read the host's files when unpickled); this one is
    pickled as a reference to the module's single instance, so a copied datetime keeps
    the same data.
    """

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_casablanca, ())


def _load() -> ZoneInfo:
    try:
        resource = importlib.resources.files("tzdata.zoneinfo").joinpath("Africa", "Casablanca")
        with resource.open("rb") as stream:
            zone = _LegalZone.from_file(stream, key=ZONE_KEY)
    except (ImportError, OSError, ValueError) as exc:
        raise TimeZoneDataError(
            f"cannot read {ZONE_KEY} from the 'tzdata' package ({exc.__class__.__name__}); "
            f"install it with: pip install 'tzdata>={MIN_TZDATA}'"
        ) from None
    if _PROBE.astimezone(zone).utcoffset() != dt.timedelta(0):
        version = _tzdata_version()
        raise TimeZoneDataError(
            f"the installed 'tzdata' package ({version}) predates Morocco's move to "
            f"permanent UTC+0 on 2026-09-20 and would put every later deadline one hour "
            f"early; upgrade it with: pip install -U 'tzdata>={MIN_TZDATA}'"
        )
    return zone


def _tzdata_version() -> str:
    # The version of the package actually imported, not of whatever metadata is around.
    package = importlib.import_module("tzdata")
    return f"version {getattr(package, '__version__', 'unknown')}"


#: The legal time zone, from the ``tzdata`` package (never the host's files).
CASABLANCA: ZoneInfo = _load()


def _casablanca() -> ZoneInfo:
    return CASABLANCA


def require_aware(at: dt.datetime) -> None:
    """Refuse a naive datetime: a legal instant needs a time zone."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInputError(
            f"instant {at.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime(..., tzinfo=rokhas_sdk.procedure.CASABLANCA) or tzinfo=UTC)"
        )


def now() -> dt.datetime:
    """The current instant in Casablanca time."""
    return dt.datetime.now(CASABLANCA)


def to_local(at: dt.datetime) -> dt.datetime:
    """``at`` (aware) in Casablanca time."""
    require_aware(at)
    return at.astimezone(CASABLANCA)


def local_date(at: dt.datetime) -> dt.date:
    """The calendar date of ``at`` (aware) in Casablanca."""
    return to_local(at).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month.

    31 January + 1 month is 28 (or 29) February: the law's "deux mois" ends in the
    target month even when it has no such day.
    """
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def offset_changes(
    lo: dt.datetime, hi: dt.datetime
) -> tuple[tuple[dt.datetime, dt.timedelta], ...]:
    """The UTC offsets in force from ``lo`` to ``hi``: ``((since_utc, offset), ...)``.

    The first pair starts at ``lo``; each further pair is an instant where the offset
    changes. For vectorised code (analytics) that looks offsets up instead of asking
    the zone per instant. Assumes, as every Moroccan rule so far, that two changes are
    more than a day apart; each change is then located to the second, as zone files
    state them.
    """
    require_aware(lo)
    require_aware(hi)
    lo, hi = lo.astimezone(dt.UTC), hi.astimezone(dt.UTC)

    def offset(at: dt.datetime) -> dt.timedelta:
        value = at.astimezone(CASABLANCA).utcoffset()
        assert value is not None
        return value

    def at_second(second: int) -> dt.datetime:
        return _EPOCH + dt.timedelta(seconds=second)

    out = [(lo, offset(lo))]
    t = lo
    while t < hi:
        step = min(t + _DAY, hi)
        if offset(step) != out[-1][1]:
            # Zone files change offsets on whole seconds: search the first second of the
            # new offset between t (old offset) and step (new one).
            low = (t - _EPOCH) // _SECOND
            high = -(-(step - _EPOCH) // _SECOND)
            while high - low > 1:
                mid = (low + high) // 2
                if offset(at_second(mid)) == out[-1][1]:
                    low = mid
                else:
                    high = mid
            since = max(at_second(high), t)
            out.append((since, offset(since)))
        t = step
    return tuple(out)
