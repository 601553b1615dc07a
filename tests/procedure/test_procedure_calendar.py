"""Working days: weekends, fixed and Hijri holidays, announced dates, Casablanca time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.procedure import CASABLANCA, WorkingCalendar, default_calendar

D = dt.date


def test_weekends_and_fixed_holidays_are_not_working_days() -> None:
    cal = default_calendar()
    assert not cal.is_working_day(D(2026, 11, 21))  # Saturday
    assert not cal.is_working_day(D(2026, 11, 22))  # Sunday
    assert not cal.is_working_day(D(2026, 11, 18))  # Independence Day (Wednesday)
    assert not cal.is_working_day(D(2026, 7, 30))  # Throne Day
    assert not cal.is_working_day(D(2026, 1, 14))  # Amazigh New Year
    assert cal.is_working_day(D(2026, 11, 19))


def test_hijri_holidays_use_the_announced_dates() -> None:
    # Eid al-Adha 1445 was announced for Monday 17 June 2024 in Morocco; the library's
    # astronomical estimate says 16 June.
    announced = default_calendar()
    estimated = WorkingCalendar(use_announced=False)
    assert not announced.is_working_day(D(2024, 6, 18))
    assert estimated.is_working_day(D(2024, 6, 18))
    assert announced.holiday_name(D(2024, 6, 17)) == "Eid al-Adha"
    assert announced.holiday_name(D(2024, 6, 16)) is None
    # Eid al-Fitr 1446: Monday 31 March and Tuesday 1 April 2025.
    assert not announced.is_working_day(D(2025, 4, 1))
    assert estimated.is_working_day(D(2025, 4, 1))


def test_three_working_days_across_a_hijri_holiday_and_a_weekend() -> None:
    friday = D(2024, 6, 14)
    assert default_calendar().add_working_days(friday, 3) == D(2024, 6, 21)
    assert WorkingCalendar(use_announced=False).add_working_days(friday, 3) == D(2024, 6, 20)


def test_three_working_days_across_a_fixed_holiday() -> None:
    assert default_calendar().add_working_days(D(2026, 11, 16), 3) == D(2026, 11, 20)
    assert default_calendar().count_working_days(D(2026, 11, 16), D(2026, 11, 20)) == 3


def test_local_extra_and_removed_days() -> None:
    cal = WorkingCalendar(extra={D(2026, 3, 3): "Fête locale"}, removed=[D(2026, 11, 18)])
    assert not cal.is_working_day(D(2026, 3, 3))
    assert cal.is_working_day(D(2026, 11, 18))
    with pytest.raises(InvalidInputError):
        cal.add_working_days(D(2026, 3, 3), -1)


def test_casablanca_offset_changes_around_ramadan_2026() -> None:
    before = dt.datetime(2026, 2, 14, 12, tzinfo=CASABLANCA)
    during = dt.datetime(2026, 3, 1, 12, tzinfo=CASABLANCA)
    after = dt.datetime(2026, 3, 23, 12, tzinfo=CASABLANCA)
    assert before.utcoffset() == dt.timedelta(hours=1)
    assert during.utcoffset() == dt.timedelta(0)
    assert after.utcoffset() == dt.timedelta(hours=1)


dates = st.dates(min_value=D(2019, 1, 1), max_value=D(2030, 12, 31))


@given(dates, st.integers(min_value=0, max_value=60))
def test_add_and_count_working_days_agree(day: dt.date, n: int) -> None:
    cal = default_calendar()
    end = cal.add_working_days(day, n)
    assert cal.count_working_days(day, end) == n
    if n:
        assert cal.is_working_day(end)
        assert end > day


@given(dates, dates)
def test_working_days_never_exceed_calendar_days(a: dt.date, b: dt.date) -> None:
    n = default_calendar().count_working_days(a, b)
    assert 0 <= n <= max(0, (b - a).days)
