"""The indicator kinds that read ledger records one by one: per person, cumulative over the plan, duration.

Each judge goes through its indicators one at a time (each reads its own ledgers and filters), but a roster or
an activity shared by several indicators is read once per evaluation, and every per-unit-year figure is
placed on the grid by integer keys rather than merged. A duration indicator whose records were counted out of
core (``Submission.durations``: each span computed in SQL) reads those counts and issue rows instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import (
    Activity,
    CumulativeIndicator,
    DurationIndicator,
    PerPersonIndicator,
    Roster,
)
from lawgov_metrics.engine.calendar import calendar_years, days_between, hours_between, working_days_between
from lawgov_metrics.engine.context import Context, Grid, LedgerRows
from lawgov_metrics.engine.judged import (
    EPS,
    Inputs,
    Judged,
    Targets,
    achievement,
    compare,
    numbers,
    percents,
    select,
    text,
)
from lawgov_metrics.engine.keys import ABSENT, YEAR_SPAN, KeyIndex, codes, pair_keys, years_of
from lawgov_metrics.issues import Issue
from lawgov_metrics.submission import DurationFigures

# ---------------------------------------------------------------- per person, cumulative


def judge_per_person(ctx: Context, grid: Grid) -> Judged:
    """Share of the roster whose yearly amount reaches the minimum (e.g. 每年不少于60学时)."""
    out = Judged.blank(len(grid))
    for ind, rows in grid.by_indicator():
        assert isinstance(ind, PerPersonIndicator)
        out.place(rows, _per_person(ctx, ind, grid.take(rows), cumulative=False))
    return out


def judge_cumulative(ctx: Context, grid: Grid) -> Judged:
    """Share of the roster whose amount over the plan so far reaches the minimum; judged at the plan's end."""
    out = Judged.blank(len(grid))
    for ind, rows in grid.by_indicator():
        assert isinstance(ind, CumulativeIndicator)
        out.place(rows, _per_person(ctx, ind, grid.take(rows), cumulative=True))
    return out


@dataclass(frozen=True)
class _Roster:
    """Everyone on a roster, once per unit-year (``keys``: their unit-year), and the ``amount`` each did of an
    activity: that year's total, or (cumulative) the total over the plan up to that year."""

    keys: np.ndarray
    amount: np.ndarray


def _roster(ctx: Context, roster: Roster, activity: Activity, cumulative: bool) -> _Roster:
    listed_rows, done_rows = ctx.ledger_rows(roster.ledger), ctx.ledger_rows(activity.ledger)
    if listed_rows.frame is None or listed_rows.masks is None:
        return _Roster(np.zeros(0, dtype=np.int64), np.zeros(0))
    # one code per person across both ledgers: a person is the same text in the roster and the activity
    persons = [listed_rows.frame[roster.person]]
    if done_rows.frame is not None:
        persons.append(done_rows.frame[activity.person])
    person, distinct = pd.factorize(pd.concat(persons, ignore_index=True))
    radix = len(distinct) + 1
    listed_person, done_person = person[: len(listed_rows.keys)], person[len(listed_rows.keys) :]
    listed = listed_rows.masks.where(roster.where) & (listed_person >= 0) & (listed_rows.keys != ABSENT)
    people = np.unique(listed_rows.keys[listed] * radix + listed_person[listed])  # (unit-year, person) once
    amount = np.zeros(len(people))
    if done_rows.frame is None or done_rows.masks is None:
        return _Roster(people // radix, amount)
    done = done_rows.masks.where(activity.where) & (done_person >= 0) & (done_rows.keys != ABSENT)
    if activity.amount:
        each = done_rows.frame[activity.amount].to_numpy(dtype=np.float64, na_value=np.nan)[done]
        each = np.where(np.isnan(each), 0.0, each)  # a blank amount adds nothing, as in a sum
    else:
        each = np.ones(int(done.sum()))  # a record counts one
    did = done_rows.keys[done] * radix + done_person[done]
    if not cumulative:
        found, at = np.unique(did, return_inverse=True)
        totals = np.bincount(at, weights=each, minlength=len(found))
        position = KeyIndex(found).find(people)
        amount[position >= 0] = totals[position[position >= 0]]
        return _Roster(people // radix, amount)
    # per (unit, person) and roster year: the total over the plan's years up to that year (a handful of years)
    people_year, did_year = people // radix % YEAR_SPAN, did // radix % YEAR_SPAN
    who = people // radix // YEAR_SPAN * radix + people % radix
    did_who = did // radix // YEAR_SPAN * radix + did % radix
    for year in np.unique(people_year[people_year >= ctx.plan_start]).tolist():
        window = (did_year >= ctx.plan_start) & (did_year <= year)
        found, at = np.unique(did_who[window], return_inverse=True)
        totals = np.bincount(at, weights=each[window], minlength=len(found))
        this_year = np.flatnonzero(people_year == year)
        position = KeyIndex(found).find(who[this_year])
        amount[this_year[position >= 0]] = totals[position[position >= 0]]
    return _Roster(people // radix, amount)


def _per_person(
    ctx: Context, ind: PerPersonIndicator | CumulativeIndicator, grid: Grid, cumulative: bool
) -> Judged:
    people = ctx.shared(
        ("roster", ind.roster, ind.activity, cumulative),
        lambda: _roster(ctx, ind.roster, ind.activity, cumulative),
    )
    meets = people.amount >= ind.minimum - EPS
    place = KeyIndex(grid.keys()).find(people.keys)
    listed = place >= 0
    total = np.bincount(place[listed], minlength=len(grid)).astype(np.float64)
    meeting = np.bincount(place[listed & meets], minlength=len(grid)).astype(np.float64)
    roster, activity = ctx.ledger_rows(ind.roster.ledger), ctx.ledger_rows(ind.activity.ledger)
    keys = grid.keys()
    roster_ok = np.isin(keys, roster.covered)
    activity_ok = (
        activity.first_year[grid.unit] <= grid.year if cumulative else np.isin(keys, activity.covered)
    )
    invalid = np.isin(keys, roster.invalid) | np.isin(keys, activity.invalid)
    share = np.full(len(grid), np.nan)
    share[total > 0] = meeting[total > 0] / total[total > 0]
    targets = Targets.of([ind.target], np.zeros(len(grid), dtype=np.int64))
    out = Judged.blank(len(grid))
    out.value = share
    out.display = text(
        [
            s and f"{s}（{int(m)}/{int(t)} 人）"
            for s, m, t in zip(percents(share), meeting, total, strict=True)
        ]
    )
    due_later = grid.year < ctx.plan_end if cumulative else np.zeros(len(grid), dtype=bool)
    out.status = select(
        len(grid),
        [
            (invalid, "invalid"),
            (~roster_ok | ~activity_ok, "missing"),
            (total == 0, "not_applicable"),
            (compare(share, targets), "met"),
            (due_later, "not_yet_due"),
        ],
        "not_met",
    )
    roster_name = ctx.catalogue.ledgers_by_id[ind.roster.ledger].name
    activity_name = ctx.catalogue.ledgers_by_id[ind.activity.ledger].name
    out.note[roster_ok & (total == 0)] = "名册中没有需考核的人员，本项不适用"
    out.note[~roster_ok] = f"未提交《{roster_name}》"
    out.note[roster_ok & ~activity_ok] = f"未提交《{activity_name}》"
    if cumulative:
        out.note[out.status == "not_yet_due"] = f"规划期累计，{ctx.plan_end}年末考核；此为当前进度"
    out.achievement = achievement(share, targets)
    since = np.full(len(grid), ctx.plan_start, dtype=np.int64) if cumulative else None
    out.inputs = [
        Inputs.of("名册人数", numbers(total), ctx.ledger_sources(ind.roster.ledger, grid)),
        Inputs.of(
            f"达到 {ind.minimum:g} 的人数",
            numbers(meeting),
            ctx.ledger_sources(ind.activity.ledger, grid, since),
        ),
    ]
    return out


# ---------------------------------------------------------------- duration

_UNIT_WORDS = {"workday": "个工作日", "hour": "小时", "day": "日"}


def judge_duration(ctx: Context, grid: Grid) -> Judged:
    """Share of the ledger's records whose start→end span is within the bound (working days, hours, days)."""
    out = Judged.blank(len(grid))
    for ind, rows in grid.by_indicator():
        assert isinstance(ind, DurationIndicator)
        out.place(rows, _duration(ctx, ind, grid.take(rows)))
    return out


def _duration(ctx: Context, ind: DurationIndicator, grid: Grid) -> Judged:
    ledger = ctx.ledger_rows(ind.ledger)
    ledger_name = ctx.catalogue.ledgers_by_id[ind.ledger].name
    given = ctx.durations
    if given is not None and ind.id in given.indicators:  # counted out of core (intake/dataset/)
        total, within, bad = _counted_elsewhere(ctx, ind, grid, given, ledger_name)
    else:
        total, within, bad = _counted(ctx, ind, grid, ledger, ledger_name)
    covered = np.isin(grid.keys(), ledger.covered)
    share = np.full(len(grid), np.nan)
    share[total > 0] = within[total > 0] / total[total > 0]
    targets = Targets.of([ind.target], np.zeros(len(grid), dtype=np.int64))
    unit_word = _UNIT_WORDS[ind.unit]
    out = Judged.blank(len(grid))
    out.value = share
    out.display = text(
        [s and f"{s}（{int(w)}/{int(t)} 件）" for s, w, t in zip(percents(share), within, total, strict=True)]
    )
    out.status = select(
        len(grid),
        [
            (bad, "invalid"),
            (~covered, "missing"),
            (total == 0, "not_applicable"),
            (compare(share, targets), "met"),
        ],
        "not_met",
    )
    scope = "、".join(
        str(v) for c in ind.where for v in (c.value if isinstance(c.value, tuple) else (c.value,))
    )
    out.note[covered & (total == 0)] = f"当年没有{scope + '级别的' if scope else ''}相关记录，本项不适用"
    out.note[~covered] = f"未提交《{ledger_name}》"
    out.note[out.status == "not_met"] = f"超过 {ind.max:g} {unit_word}的记录计为未按时"
    out.achievement = achievement(share, targets)
    source = ctx.ledger_sources(ind.ledger, grid)
    out.inputs = [
        Inputs.of("纳入计算的记录数", numbers(total), source),
        Inputs.of(f"{ind.max:g} {unit_word}内的记录数", numbers(within), source),
    ]
    return out


def _counted(
    ctx: Context, ind: DurationIndicator, grid: Grid, ledger: LedgerRows, ledger_name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid row: the ledger's records counted, those within the bound, and whether any is wrong."""
    total = np.zeros(len(grid))
    within = np.zeros(len(grid))
    bad = np.zeros(len(grid), dtype=bool)
    if ledger.frame is None or ledger.masks is None:
        return total, within, bad
    chosen = ledger.masks.where(ind.where)
    rows = ledger.frame[chosen]
    start, end = rows[ind.start], rows[ind.end]
    if ind.unit == "workday":
        span, outside = working_days_between(start, end)
        if outside.any():
            _report_outside_calendar(ctx, rows[outside], ledger_name)
    elif ind.unit == "hour":
        span, outside = hours_between(start, end), pd.Series(False, index=rows.index)
    else:
        span, outside = days_between(start, end), pd.Series(False, index=rows.index)
    late = span.to_numpy(dtype=np.float64, na_value=np.nan)
    negative = late < 0
    if negative.any():
        _report_negative(ctx, rows[negative], ledger_name, ind)
    in_time = (late <= ind.max + EPS) & ~negative  # an unfinished record (no end) is overdue
    wrong = outside.to_numpy(dtype=bool) | negative | rows["_invalid"].to_numpy(dtype=bool)
    place = KeyIndex(grid.keys()).find(ledger.keys[chosen])
    counted = place >= 0
    total = np.bincount(place[counted], minlength=len(grid)).astype(np.float64)
    within = np.bincount(place[counted & in_time], minlength=len(grid)).astype(np.float64)
    bad = np.bincount(place[counted & wrong], minlength=len(grid)) > 0
    return total, within, bad


def _counted_elsewhere(
    ctx: Context, ind: DurationIndicator, grid: Grid, given: DurationFigures, ledger_name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same from figures counted out of core, and the same issues in the same order: the records outside
    the calendar by unit, file and sheet, then each negative span in file, sheet and row order."""
    outside = given.outside[given.outside["indicator"] == ind.id]
    for unit, file, sheet, records, row in outside.sort_values(["unit", "_file", "_sheet"])[
        ["unit", "_file", "_sheet", "records", "_row"]
    ].itertuples(index=False):
        ctx.issues.append(_outside_calendar_issue(ledger_name, unit, file, sheet, int(records), int(row)))
    negative = given.negative[given.negative["indicator"] == ind.id]
    for unit, file, sheet, row in negative.sort_values(["_file", "_sheet", "_row"], kind="stable")[
        ["unit", "_file", "_sheet", "_row"]
    ].itertuples(index=False):
        ctx.issues.append(_negative_span_issue(ctx, ind, ledger_name, unit, file, sheet, int(row)))
    counts = given.counts[given.counts["indicator"] == ind.id]
    keys = pair_keys(codes(ctx.units, counts["unit"]), years_of(counts["year"]))
    place = KeyIndex(grid.keys()).find(keys)
    counted = place >= 0
    total = np.bincount(
        place[counted], weights=counts["total"].to_numpy(np.float64)[counted], minlength=len(grid)
    )
    within = np.bincount(
        place[counted], weights=counts["within"].to_numpy(np.float64)[counted], minlength=len(grid)
    )
    bad = np.bincount(place[counted & counts["bad"].to_numpy(dtype=bool)], minlength=len(grid)) > 0
    return total, within, bad


def _report_outside_calendar(ctx: Context, rows: pd.DataFrame, ledger_name: str) -> None:
    for (unit, file, sheet), group in rows.groupby(["unit", "_file", "_sheet"], observed=True, sort=True):
        issue = _outside_calendar_issue(ledger_name, unit, file, sheet, len(group), int(group["_row"].min()))
        ctx.issues.append(issue)


def _outside_calendar_issue(
    ledger_name: str, unit: object, file: object, sheet: object, records: int, row: int
) -> Issue:
    first, last = calendar_years()
    return Issue(
        "date-calendar",
        f"《{ledger_name}》有 {records} 条记录的日期不在法定节假日数据覆盖的 {first}—{last} 年内，"
        "无法按工作日计算（首条见所示行）",
        file=str(file),
        sheet=str(sheet),
        row=row,
        unit=str(unit),
    )


def _report_negative(ctx: Context, rows: pd.DataFrame, ledger_name: str, ind: DurationIndicator) -> None:
    for row in rows[["unit", "_file", "_sheet", "_row"]].to_dict("records"):
        ctx.issues.append(
            _negative_span_issue(
                ctx, ind, ledger_name, row["unit"], row["_file"], row["_sheet"], int(row["_row"])
            )
        )


def _negative_span_issue(
    ctx: Context,
    ind: DurationIndicator,
    ledger_name: str,
    unit: object,
    file: object,
    sheet: object,
    row: int,
) -> Issue:
    ledger_def = ctx.catalogue.ledgers_by_id[ind.ledger]
    start_name = ledger_def.column(ind.start).name  # type: ignore[union-attr]
    end_name = ledger_def.column(ind.end).name  # type: ignore[union-attr]
    return Issue(
        "value-out-of-range",
        f"《{ledger_name}》中「{end_name}」早于「{start_name}」",
        file=str(file),
        sheet=str(sheet),
        row=row,
        unit=str(unit),
    )
