"""Data that reads well but cannot be what it claims: reported (file › sheet › row), never dropped silently.

Before, a long-table row for 2019 or 2030 and a ledger record dated 2035 were read without a word and then
left out by the engine, which judges the plan's years only; a record finished before it began was judged as
within its bound. Now, on the assembled frames (one vectorised pass per check; issues for the first
:data:`ROWS_REPORTED` rows of a file, then one summary):

- a figure's or a record's year outside the plan period (its first year less one, the trend base, allowed):
  ``year-outside-plan``, the row is kept but takes no part in the assessment;
- a ledger date (other than the one giving the record its year, reported above) after 31 December of the
  year after the plan's last year (``date-implausible``). That bound,
  not the day the run is made: a run has no as-of date while it reads (``--as-of`` is the scorer's), and a
  deadline column (法定答复期限) may rightly lie after today; but the last year's records are filed in the next
  year at the latest, so a later date is a typing slip (2053 for 2023);
- a record dated before it began (``date-implausible``): each later date column before the ledger's first date
  column (收到 → 答复, 立案 → 审结, 受理 → 办结, 印发 → 报备, 发生 → 发布: the catalogue declares a record's
  dates in the order they happen), and each duration indicator's end before its start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from lawgov_metrics.catalogue.models import Catalogue, DurationIndicator, Ledger
from lawgov_metrics.issues import Issue

ROWS_REPORTED = 20  # per file and check; the rest in one summary issue


def plan_years(catalogue: Catalogue) -> tuple[int, int]:
    """The years data may be for: the plan's, and the year before its first (the base of a trend)."""
    period = catalogue.plan.period
    return period.start - 1, period.end


def _outside_text(catalogue: Catalogue) -> str:
    first, last = plan_years(catalogue)
    return f"不在规划期 {first + 1}—{last} 年（及上一年基数 {first} 年）内"


def values_outside_plan(values: pd.DataFrame, catalogue: Catalogue) -> list[Issue]:
    """Each reported figure for a year the plan does not cover, at its cell."""
    if values.empty:
        return []
    first, last = plan_years(catalogue)
    years = pd.to_numeric(values["year"], errors="coerce")
    outside = years.notna() & ((years < first) | (years > last))
    if not outside.any():
        return []
    text = _outside_text(catalogue)
    issues = []
    picked = values.loc[outside, ["source", "year", "unit", "field"]]
    files = picked["source"].astype(str).str.split(" › ").str[0]
    for file, group in picked.groupby(files, sort=False):
        for record in group.head(ROWS_REPORTED).to_dict("records"):
            issues.append(
                Issue.at(
                    "year-outside-plan",
                    f"年度 {int(record['year'])} {text}，此数值不参与评估",
                    record["source"],
                    value=str(int(record["year"])),
                    unit=str(record["unit"]),
                )
            )
        if len(group) > ROWS_REPORTED:
            issues.append(
                Issue(
                    "year-outside-plan",
                    f"另有 {len(group) - ROWS_REPORTED} 个数值的年度{text}，不参与评估",
                    file=str(file),
                )
            )
    return issues


def ledger_plausibility(ledger: Ledger, frame: pd.DataFrame, catalogue: Catalogue) -> list[Issue]:
    """A ledger's records (columns ``_file``, ``_sheet``, ``_row`` and the typed columns) checked for years
    outside the plan, dates in the far future and dates before the record began."""
    if frame.empty:
        return []
    issues: list[Issue] = []
    first, last = plan_years(catalogue)
    period_name = _name(ledger, ledger.period_column)
    if "year" in frame.columns:
        years = pd.to_numeric(frame["year"], errors="coerce")
        outside = (years.notna() & ((years < first) | (years > last))).to_numpy()
        text = _outside_text(catalogue)
        issues += _report(
            frame,
            outside,
            lambda r: f"「{period_name}」在 {int(r['year'])} 年，{text}，此记录不参与评估",
            f"「{period_name}」所在年度{text}，不参与评估",
            "year-outside-plan",
            period_name,
        )
    latest = pd.Timestamp(dt.date(last + 2, 1, 1))
    dated = [c for c in ledger.columns if c.type in ("date", "datetime") and c.id in frame.columns]
    for column in (c for c in dated if c.id != ledger.period_column):  # that one: its year, above
        values = pd.to_datetime(frame[column.id], errors="coerce")
        future = (values >= latest).to_numpy()
        issues += _report(
            frame,
            future,
            lambda r, c=column.id: (
                f"「{_name(ledger, c)}」为 {_day(r[c])}，晚于规划期结束后一年（{last + 1} 年底），"
                "疑为录入错误"
            ),
            f"「{column.name}」晚于规划期结束后一年（{last + 1} 年底），疑为录入错误",
            "date-implausible",
            column.name,
        )
    for start, end in _ordered_pairs(ledger, catalogue, frame.columns):
        begun = pd.to_datetime(frame[start], errors="coerce")
        ended = pd.to_datetime(frame[end], errors="coerce")
        # a date against a datetime compares by day: a 办结日期 on the day of a 受理时间 is no earlier
        if _type(ledger, start) != _type(ledger, end):
            begun, ended = begun.dt.normalize(), ended.dt.normalize()
        before = (ended < begun).fillna(False).to_numpy(dtype=bool)
        issues += _report(
            frame,
            before,
            lambda r, s=start, e=end: (
                f"「{_name(ledger, e)}」{_day(r[e])} 早于「{_name(ledger, s)}」{_day(r[s])}，请核对"
            ),
            f"「{_name(ledger, end)}」早于「{_name(ledger, start)}」，请核对",
            "date-implausible",
            _name(ledger, end),
        )
    return issues


def _ordered_pairs(ledger: Ledger, catalogue: Catalogue, present: Iterable[str]) -> list[tuple[str, str]]:
    """(earlier, later) date columns of a record: the first date column before each other one, and each
    duration indicator's start before its end."""
    have = set(present)
    dated = [c.id for c in ledger.columns if c.type in ("date", "datetime") and c.id in have]
    pairs = [(dated[0], later) for later in dated[1:]] if dated else []
    for indicator in catalogue.indicators:
        if isinstance(indicator, DurationIndicator) and indicator.ledger == ledger.id:
            pair = (indicator.start, indicator.end)
            if pair[0] in have and pair[1] in have and pair not in pairs:
                pairs.append(pair)
    return pairs


def _report(
    frame: pd.DataFrame,
    mask: npt.NDArray[np.bool_],
    message: Callable[..., str],
    summary: str,
    code: str,
    column: str,
) -> list[Issue]:
    """Issues for the first rows of each file where ``mask`` holds, and one summary per file for the rest."""
    if not mask.any():
        return []
    picked = frame.loc[mask]
    files = picked["_file"].astype(str)
    issues = []
    for file, group in picked.groupby(files, sort=False):
        for _, record in group.head(ROWS_REPORTED).iterrows():
            issues.append(
                Issue(
                    code,
                    message(record),
                    file=str(file),
                    sheet=_text(record.get("_sheet")),
                    row=int(record["_row"]),
                    column=column,
                    unit=_text(record.get("unit")),
                )
            )
        if len(group) > ROWS_REPORTED:
            issues.append(Issue(code, f"另有 {len(group) - ROWS_REPORTED} 行{summary}", file=str(file)))
    return issues


def _type(ledger: Ledger, column_id: str) -> str:
    found = ledger.column(column_id)
    return found.type if found is not None else ""


def _name(ledger: Ledger, column_id: str) -> str:
    found = ledger.column(column_id)
    return found.name if found is not None else column_id


def _day(value: object) -> str:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        return ""
    return stamp.strftime("%Y-%m-%d %H:%M" if (stamp.hour or stamp.minute) else "%Y-%m-%d")


def _text(value: object) -> str:
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
        else str(value)
    )
