"""The working-day index agrees with chinesecalendar day by day, and counts the way the engine needs."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pandas as pd

from lawgov_metrics.engine.calendar import _workday_index, calendar_years, working_days_between


def test_index_is_chinesecalendar_day_by_day() -> None:
    first, last = calendar_years()
    days, cumulative = _workday_index(first, last)
    expected = [chinese_calendar.is_workday(d.astype(dt.date)) for d in days]
    assert (str(days[0]), str(days[-1])) == (f"{first}-01-01", f"{last}-12-31")
    assert list(pd.Series(cumulative).diff().fillna(cumulative[0]).astype(bool)) == expected


def test_national_day_week_and_its_adjusted_saturday() -> None:
    # 2024: 9-29 (Sunday) and 10-12 (Saturday) are working days; 10-1 to 10-7 are holidays
    start = pd.Series(pd.to_datetime(["2024-09-27", "2024-09-30", "2024-10-07", "2024-10-11"]))
    end = pd.Series(pd.to_datetime(["2024-10-08", "2024-10-08", "2024-10-12", "2024-10-11"]))
    days, outside = working_days_between(start, end)
    assert days.tolist() == [3.0, 1.0, 5.0, 0.0]  # 9-29, 9-30, 10-8 · 10-8 · 10-8 to 10-12 · same day
    assert not outside.any()
