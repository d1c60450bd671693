"""Elapsed time between two columns: official PRC working days (chinesecalendar), hours or calendar days.

Working days follow the State Council's yearly holiday notice, adjusted weekend working days (调休) included,
as published in ``chinesecalendar``. A date outside the years that package covers cannot be judged, and is
reported as such — never guessed with weekday arithmetic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def calendar_years() -> tuple[int, int]:
    """First and last year the installed holiday data covers."""
    import chinese_calendar

    holidays = chinese_calendar.holidays  # type: ignore[attr-defined]
    workdays = chinese_calendar.workdays  # type: ignore[attr-defined]
    years = [d.year for d in (*holidays, *workdays)]
    return min(years), max(years)


@lru_cache(maxsize=8)
def _workday_index(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Every day of the covered years and the running count of working days up to and including it.

    The rule of ``chinese_calendar.is_workday``, over all days at once: Monday to Friday, except the
    official holidays, plus the adjusted weekend working days (which win over everything else).
    """
    import chinese_calendar

    days = np.arange(f"{first_year}-01-01", f"{last_year + 1}-01-01", dtype="datetime64[D]")
    is_workday = (days.astype(np.int64) + 3) % 7 < 5  # 1970-01-01 was a Thursday: Monday is 0
    for dates, working in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):  # type: ignore[attr-defined]
        is_workday[np.isin(days, np.array(sorted(dates), dtype="datetime64[D]"))] = working
    return days, np.cumsum(is_workday)


def working_days_between(start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Working days after the start date up to and including the end date (same day → 0).

    Returns ``(days, out_of_calendar)``: ``days`` is NaN where either date is missing or outside the
    official calendar's years; ``out_of_calendar`` marks the latter so the caller can report them.
    """
    first, last = calendar_years()
    start_d = pd.to_datetime(start).dt.normalize()
    end_d = pd.to_datetime(end).dt.normalize()
    known = start_d.notna() & end_d.notna()
    inside = known & start_d.dt.year.between(first, last) & end_d.dt.year.between(first, last)
    out_of_calendar = known & ~inside
    days_axis, cumulative = _workday_index(first, last)
    result = pd.Series(np.nan, index=start.index, dtype="float64")
    if inside.any():
        s = np.searchsorted(days_axis, start_d[inside].to_numpy(dtype="datetime64[D]"))
        e = np.searchsorted(days_axis, end_d[inside].to_numpy(dtype="datetime64[D]"))
        result[inside] = (cumulative[e] - cumulative[s]).astype("float64")
    return result, out_of_calendar


def hours_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.total_seconds() / 3600.0


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return (pd.to_datetime(end).dt.normalize() - pd.to_datetime(start).dt.normalize()).dt.days.astype(
        "float64"
    )


def workday_table() -> pd.DataFrame:
    """Every day of the official calendar's years (``day``) and the running count of working days up to and
    including it (``workdays``): the table an SQL engine joins to count working days as
    :func:`working_days_between` does, the end date's count minus the start date's (``intake/dataset/``)."""
    days, cumulative = _workday_index(*calendar_years())
    return pd.DataFrame({"day": days.astype("datetime64[ns]"), "workdays": cumulative.astype(np.int64)})
