"""The indicator kinds that read reported (or ledger-derived) figures, each judged for all its rows at once.

Each ``judge_<kind>`` takes the grid of every in-force row of every indicator of its kind and returns a
:class:`Judged` on those rows; per-indicator settings (fields, targets, due dates) are spread to the rows as
arrays, so the cost of a kind does not grow with the number of its indicators. The kinds that read ledger
records one by one are in :mod:`lawgov_metrics.engine.ledger_kinds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS, PERIOD_NAMES, percent
from lawgov_metrics.catalogue.models import (
    BooleanIndicator,
    CountIndicator,
    DeadlineIndicator,
    MilestoneIndicator,
    RatioIndicator,
    TrendIndicator,
)
from lawgov_metrics.engine.context import Context, Grid
from lawgov_metrics.engine.judged import (
    EPS,
    Inputs,
    Judged,
    Targets,
    achievement,
    compare,
    iso_dates,
    numbers,
    percents,
    select,
    text,
    yes_no,
)
from lawgov_metrics.engine.ledger_kinds import judge_cumulative, judge_duration, judge_per_person
from lawgov_metrics.engine.values import Found
from lawgov_metrics.issues import Issue

# ---------------------------------------------------------------- ratio, trend


RATE_TOLERANCE = (
    0.005  # a published rate agrees with its counts when within half a percentage point (rounding)
)


@dataclass(frozen=True)
class _Ratio:
    num: Found
    den: Found
    rate: Found  # the published rate, where the indicator has one and the unit gave it
    value: np.ndarray
    by_rate: np.ndarray  # the value is the published rate: the counts were not both given
    invalid: np.ndarray
    missing: np.ndarray
    zero: np.ndarray  # the denominator is 0, given or known: its whole (``part_of``) is 0
    whole: Found  # the denominator's whole, where the catalogue names one
    by_whole: np.ndarray  # zero because the whole is 0 (the denominator itself was not given)


def _num(ind: RatioIndicator | TrendIndicator) -> str:
    return ind.numerator or ""  # a ratio trend has both (the model's rule); count trends never come here


def _den(ind: RatioIndicator | TrendIndicator) -> str:
    return ind.denominator or ""


def _ratio(ctx: Context, grid: Grid, year_shift: int = 0) -> _Ratio:
    """Each row's ratio from its counts; where the counts are not both given, the published rate instead.
    A denominator of 0 — given, or known because its whole is 0 (0 documents issued: 0 filed) — makes the
    ratio 不适用 whatever else was written."""
    inds: tuple[RatioIndicator | TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    num = ctx.lookup(grid, [i.numerator for i in inds], year_shift=year_shift)
    den = ctx.lookup(grid, [i.denominator for i in inds], year_shift=year_shift)
    rate = ctx.lookup(grid, [i.rate for i in inds], year_shift=year_shift)
    whole = ctx.lookup(grid, [fields[_den(i)].part_of for i in inds], year_shift=year_shift)
    by_whole = np.isnan(den.value) & (whole.value == 0) & ~whole.invalid
    zero = (den.value == 0) | by_whole
    counts = ~np.isnan(num.value) & ~np.isnan(den.value)
    by_rate = ~counts & ~zero & ~np.isnan(rate.value)
    positive = counts & (den.value > 0)
    value = np.full(len(grid), np.nan)
    value[positive] = num.value[positive] / den.value[positive]
    value[by_rate] = rate.value[by_rate]
    return _Ratio(
        num=num,
        den=den,
        rate=rate,
        value=value,
        by_rate=by_rate,
        # counts judged: their validity; otherwise a rate that failed validation is 数据有误, not 缺数据
        invalid=np.where(counts, num.invalid | den.invalid, num.invalid | den.invalid | rate.invalid),
        missing=~counts & ~by_rate & ~zero,
        zero=zero,
        whole=whole,
        by_whole=by_whole,
    )


def _rate_conflicts(ctx: Context, grid: Grid, r: _Ratio) -> None:
    """Counts and a published rate both given and disagreeing: the counts win, and the analyst is told."""
    inds: tuple[RatioIndicator | TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    from_counts = ~r.by_rate & ~np.isnan(r.value)
    disagree = from_counts & ~np.isnan(r.rate.value) & (np.abs(r.value - r.rate.value) > RATE_TOLERANCE)
    for row in np.flatnonzero(disagree).tolist():
        ind = inds[int(grid.which[row])]
        assert ind.rate is not None
        ctx.issues.append(
            Issue.at(
                "rate-conflict",
                f"「{fields[ind.rate].name}」填报为 {percent(float(r.rate.value[row]))}，但按"
                f"{fields[_num(ind)].name}÷{fields[_den(ind)].name}"
                f"（{float(r.num.value[row]):g}/{float(r.den.value[row]):g}）计算为 {percent(float(r.value[row]))}；"
                "以分子、分母为准",
                r.rate.source[row],
                value=percent(float(r.rate.value[row])),
                unit=str(ctx.units[grid.unit[row]]),
            )
        )


def _ratio_inputs(ctx: Context, grid: Grid, r: _Ratio, tag: str = "") -> list[Inputs]:
    inds: tuple[RatioIndicator | TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    given = ~np.isnan(r.rate.value)
    rate_names = grid.each([tag + (fields[i.rate].name if i.rate else "") for i in inds])
    rate_shown = text([p or "—" for p in percents(r.rate.value)])
    return [
        Inputs.of(grid.each([tag + fields[_num(i)].name for i in inds]), numbers(r.num.value), r.num.source),
        Inputs.of(grid.each([tag + fields[_den(i)].name for i in inds]), numbers(r.den.value), r.den.source),
        Inputs(rate_names, rate_shown, r.rate.source, given),
        Inputs(
            grid.each([tag + fields[fields[_den(i)].part_of or _den(i)].name for i in inds]),
            numbers(r.whole.value),
            r.whole.source,
            r.by_whole,
        ),
    ]


def _ratio_display(r: _Ratio) -> np.ndarray:
    """「91.7%（11/12）」from counts, 「98.9%（填报比率）」from a published rate."""
    shown = zip(
        percents(r.value), numbers(r.num.value), numbers(r.den.value), r.by_rate.tolist(), strict=True
    )
    return text([p and (f"{p}（填报比率）" if by_rate else f"{p}（{n}/{d}）") for p, n, d, by_rate in shown])


def judge_ratio(ctx: Context, grid: Grid) -> Judged:
    """numerator ÷ denominator against the target; a zero denominator is 不适用."""
    inds: tuple[RatioIndicator, ...] = grid.indicators  # type: ignore[assignment]
    r = _ratio(ctx, grid)
    targets = Targets.of([i.target for i in inds], grid.which)
    out = Judged.blank(len(grid))
    out.value = r.value
    out.display = _ratio_display(r)
    out.status = select(
        len(grid),
        [
            (r.invalid, "invalid"),
            (r.missing, "missing"),
            (r.zero, "not_applicable"),
            (compare(r.value, targets), "met"),
        ],
        "not_met",
    )
    out.note[r.zero & ~r.missing] = "分母为 0，本项不适用"
    out.note[r.by_rate] = "按单位填报的比率判断（未填分子、分母）"
    out.achievement = achievement(r.value, targets)
    out.inputs = _ratio_inputs(ctx, grid, r)
    _rate_conflicts(ctx, grid, r)
    return out


def judge_trend(ctx: Context, grid: Grid) -> Judged:
    """Ratio trends (:func:`_ratio_trend`) and count trends (:func:`_count_trend`), each judged at once."""
    inds: tuple[TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    on_count = grid.each([i.field is not None for i in inds]).astype(bool)
    out = Judged.blank(len(grid))
    for judge, rows in ((_count_trend, np.flatnonzero(on_count)), (_ratio_trend, np.flatnonzero(~on_count))):
        if len(rows):
            out.place(rows, judge(ctx, grid.take(rows)))
    return out


def _count_trend(ctx: Context, grid: Grid) -> Judged:
    """This year's count above last year's (``down``: below), strictly: 逐年增加 is not 持平. No bound: a count
    has none. Without last year's figure the rules of ratio trends hold (规划首年 不适用, later 缺数据)."""
    inds: tuple[TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    field_ids = [i.field for i in inds]
    cur, prev = ctx.lookup(grid, field_ids), ctx.lookup(grid, field_ids, year_shift=-1)
    up = grid.each([i.direction == "up" for i in inds]).astype(bool)
    word = np.where(up, "增加", "减少").astype(object)
    better = np.where(up, cur.value > prev.value + EPS, cur.value < prev.value - EPS)
    no_prev = np.isnan(prev.value) | prev.invalid
    rules: list[tuple[np.ndarray, str, np.ndarray | str]] = [
        (cur.invalid, "invalid", ""),
        (np.isnan(cur.value), "missing", ""),
        (no_prev & (grid.year <= ctx.plan_start), "not_applicable", "规划首年且无上年基数，不作比较"),
        (no_prev, "missing", "缺少上年数据，无法比较"),
        (better, "met", "较上年" + word),
    ]
    out = Judged.blank(len(grid))
    out.value = cur.value
    out.status = select(len(grid), [(c, s) for c, s, _ in rules], "not_met")
    out.note = select(len(grid), [(c, n) for c, _, n in rules], "未较上年" + word)
    unit = grid.each([fields[f].unit for f in field_ids if f])
    shown = zip(numbers(cur.value), numbers(prev.value), unit, strict=True)
    out.display = text([c and f"{c} {u}（上年 {p or '—'}）" for c, p, u in shown])
    out.achievement = (out.status == "met").astype(np.float64)
    names = grid.each([fields[f].name for f in field_ids if f])
    out.inputs = [
        Inputs.of(names, numbers(cur.value), cur.source),
        Inputs.of("上年" + names, numbers(prev.value), prev.source),
    ]
    return out


def _ratio_trend(ctx: Context, grid: Grid) -> Judged:
    """This year's ratio better than last year's, or already at the bound (逐年提高/降低)."""
    inds: tuple[TrendIndicator, ...] = grid.indicators  # type: ignore[assignment]
    cur, prev = _ratio(ctx, grid), _ratio(ctx, grid, year_shift=-1)
    _rate_conflicts(ctx, grid, cur)
    up = grid.each([i.direction == "up" for i in inds]).astype(bool)
    bound = grid.each([i.bound for i in inds]).astype(np.float64)
    word = np.where(up, "提高", "降低").astype(object)
    at_bound = np.where(up, cur.value >= bound - EPS, cur.value <= bound + EPS)
    better = np.where(up, cur.value > prev.value + EPS, cur.value < prev.value - EPS)
    no_prev = prev.missing | prev.invalid
    # (condition, status, note) in order of precedence: one list, so a status and its note never disagree
    rules: list[tuple[np.ndarray, str, np.ndarray | str]] = [
        (cur.invalid, "invalid", ""),
        (cur.missing, "missing", ""),
        (cur.zero, "not_applicable", "本年分母为 0，本项不适用"),
        (at_bound, "met", grid.each([f"已达到 {percent(i.bound or 0.0)}，视为达标" for i in inds])),
        (no_prev & (grid.year <= ctx.plan_start), "not_applicable", "规划首年且无上年基数，不作比较"),
        (no_prev, "missing", "缺少上年数据，无法比较"),
        (prev.zero, "not_applicable", "上年分母为 0，无法比较"),
        (better, "met", "较上年" + word),
    ]
    out = Judged.blank(len(grid))
    out.value = cur.value
    out.status = select(len(grid), [(c, s) for c, s, _ in rules], "not_met")
    out.note = select(len(grid), [(c, n) for c, _, n in rules], "未较上年" + word)
    shown = zip(percents(cur.value), percents(prev.value), strict=True)
    out.display = text([c and f"{c}（上年 {p or '—'}）" for c, p in shown])
    out.achievement = (out.status == "met").astype(np.float64)
    out.inputs = _ratio_inputs(ctx, grid, cur) + _ratio_inputs(ctx, grid, prev, tag="上年")
    return out


# ---------------------------------------------------------------- count per period


def judge_count(ctx: Context, grid: Grid) -> Judged:
    """A count in every period of the field's granularity: indicators of one granularity at a time."""
    inds: tuple[CountIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    granularity = grid.each([fields[i.field].period for i in inds])
    out = Judged.blank(len(grid))
    for periods in dict.fromkeys(granularity.tolist()):
        rows = np.flatnonzero(granularity == periods)
        out.place(rows, _count(ctx, grid.take(rows), GRANULARITY_PERIODS[periods]))
    return out


def _count(ctx: Context, grid: Grid, periods: tuple[str, ...]) -> Judged:
    inds: tuple[CountIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    found = [ctx.lookup(grid, [i.field for i in inds], period=p) for p in periods]
    counts = np.column_stack([f.value for f in found])
    targets = Targets.of([i.target for i in inds], grid.which)
    met_each = np.column_stack([compare(counts[:, j], targets) for j in range(len(periods))])
    upper = np.isin(targets.op, ("<=", "<", "=="))  # 不超过 N / 为 0: the worst period is the largest count
    out = Judged.blank(len(grid))
    out.value = np.where(upper, counts.max(axis=1), counts.min(axis=1))
    out.status = select(
        len(grid),
        [
            (np.any([f.invalid for f in found], axis=0), "invalid"),
            (np.isnan(counts).any(axis=1), "missing"),
            (met_each.all(axis=1), "met"),
        ],
        "not_met",
    )
    target = targets.value + (targets.op == ">")  # at least this many in each period
    positive = (target > 0) & ~upper
    out.achievement = np.ones(len(grid))
    out.achievement[positive] = np.minimum(counts[positive] / target[positive, None], 1.0).mean(axis=1)
    out.achievement[upper] = met_each[upper].mean(axis=1)
    out.shortfall = np.maximum(target[:, None] - counts, 0.0).sum(axis=1)
    # an upper bound: the shortfall is the excess (each one over the limit, or off an exact ``==``)
    limit = targets.value - (targets.op == "<")
    excess = np.where(targets.op[:, None] == "==", np.abs(counts - limit[:, None]), counts - limit[:, None])
    out.shortfall[upper] = np.maximum(excess[upper], 0.0).sum(axis=1)
    if len(periods) == 1:
        unit = grid.each([fields[i.field].unit for i in inds])
        out.display = text([n and f"{n} {u}" for n, u in zip(numbers(counts[:, 0]), unit, strict=True)])
        out.display[np.isnan(counts[:, 0])] = ""
    else:
        shown = np.column_stack([numbers(counts[:, j]) for j in range(len(periods))])
        out.display = text(
            ["；".join(f"{PERIOD_NAMES[p]} {v}" for p, v in zip(periods, row, strict=True)) for row in shown]
        )
        not_met = np.flatnonzero(out.status == "not_met")
        words = np.where(upper, "超过上限", "未达到")
        out.note[not_met] = [
            "、".join(PERIOD_NAMES[p] for p, ok in zip(periods, row, strict=True) if not ok) + word
            for row, word in zip(met_each[not_met].tolist(), words[not_met].tolist(), strict=True)
        ]
    out.inputs = [
        Inputs.of(
            grid.each([f"{fields[i.field].name}（{PERIOD_NAMES[p]}）" for i in inds]),
            numbers(f.value),
            f.source,
        )
        for p, f in zip(periods, found, strict=True)
    ]
    return out


# ---------------------------------------------------------------- deadline, milestone, boolean

_DAY_NS = 86_400 * 10**9


def judge_deadline(ctx: Context, grid: Grid) -> Judged:
    """A reported date on or before the due date relative to the year; without a date, 未到期 until it is due."""
    inds: tuple[DeadlineIndicator, ...] = grid.indicators  # type: ignore[assignment]
    found = ctx.lookup(grid, [i.field for i in inds])
    due_of: dict[tuple[int, int], np.datetime64] = {}
    for position, year in dict.fromkeys(zip(grid.which.tolist(), grid.year.tolist(), strict=True)):
        due_of[position, year] = np.datetime64(inds[position].due.for_year(year), "D")
    due = np.array(
        [due_of[k] for k in zip(grid.which.tolist(), grid.year.tolist(), strict=True)], dtype="datetime64[D]"
    )
    dates = found.date.astype("datetime64[ns]")
    reported = ~np.isnat(dates)
    late_days = np.full(len(grid), np.nan)  # whole days after the due date (a part of a day counts as one)
    late_ns = dates[reported].astype(np.int64) - due[reported].astype("datetime64[ns]").astype(np.int64)
    late_days[reported] = np.floor_divide(late_ns, _DAY_NS)
    not_due_yet = ~reported & (due > np.datetime64(ctx.as_of, "D"))
    opens = np.array(  # a window's first day (``opens``), NaT where the deadline has none
        [
            np.datetime64(inds[w].opens.for_year(y), "D") if inds[w].opens else np.datetime64("NaT", "D")  # type: ignore[union-attr]
            for w, y in zip(grid.which.tolist(), grid.year.tolist(), strict=True)
        ],
        dtype="datetime64[D]",
    ).astype("datetime64[ns]")
    early = reported & ~np.isnat(opens) & (dates < opens)
    out = Judged.blank(len(grid))
    out.value = late_days
    out.display = text(iso_dates(dates))
    out.status = select(
        len(grid),
        [
            (found.invalid, "invalid"),
            (not_due_yet, "not_yet_due"),
            (~reported, "missing"),
            (early, "not_met"),
            (late_days <= 0, "met"),
        ],
        "not_met",
    )
    late = np.flatnonzero((out.status == "not_met") & ~early)
    out.note[late] = [f"逾期 {int(d)} 天" for d in late_days[late].tolist()]
    out.note[early] = "早于时间窗口的开始"
    out.note[out.status == "not_yet_due"] = "截止日期未到"
    out.achievement = (out.status == "met").astype(np.float64)
    fields = ctx.catalogue.fields_by_id
    out.inputs = [
        Inputs.of(
            grid.each([fields[i.field].name for i in inds]), select(len(grid), [], out.display), found.source
        ),
        Inputs.of("截止日期", text(iso_dates(due)), "指标目录"),
    ]
    out.inputs[0].shown[~reported] = "—"
    return out


def judge_milestone(ctx: Context, grid: Grid) -> Judged:
    """Done (and, with a date field, done by the due date); before the due year 未到期 unless already done."""
    inds: tuple[MilestoneIndicator, ...] = grid.indicators  # type: ignore[assignment]
    fields = ctx.catalogue.fields_by_id
    done = ctx.lookup(grid, [i.field for i in inds])
    dated = ctx.lookup(grid, [i.date_field for i in inds])  # NaT where the indicator has no date field
    when = dated.date
    undated = np.isnat(when)
    year_end = (grid.year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    due = grid.each([np.datetime64(i.due, "D") for i in inds]).astype("datetime64[D]")
    done_by_year = (done.value == 1) & (undated | (when <= year_end))
    on_time = done_by_year & (undated | (when <= due))
    before_due = grid.year < grid.each([i.due.year for i in inds]).astype(np.int64)
    out = Judged.blank(len(grid))
    out.value = done.value
    out.status = select(
        len(grid),
        [
            (done.invalid | dated.invalid, "invalid"),
            (on_time, "met"),
            (before_due, "not_yet_due"),
            (np.isnan(done.value), "missing"),
        ],
        "not_met",
    )
    day = iso_dates(when)
    out.display = text(
        [
            "" if v != v else ("已完成" if v == 1 else "未完成") + (d and f"（{d}）")
            for v, d in zip(done.value.tolist(), day, strict=True)
        ]
    )
    late = done_by_year & ~on_time & ~before_due
    out.note[late] = grid.each([f"完成晚于 {i.due.isoformat()}" for i in inds])[late]
    waiting = out.status == "not_yet_due"
    out.note[waiting] = grid.each([f"{i.due.isoformat()} 前完成即可" for i in inds])[waiting]
    out.achievement = (out.status == "met").astype(np.float64)
    date_inputs = Inputs.of(
        grid.each([fields[i.date_field].name if i.date_field else "" for i in inds]),
        text([d or "—" for d in day]),
        dated.source,
    )
    date_inputs.present = grid.each([i.date_field is not None for i in inds]).astype(bool)
    out.inputs = [Inputs.of(grid.each([fields[i.field].name for i in inds]), yes_no(done.value), done.source)]
    out.inputs.append(date_inputs)
    return out


def judge_boolean(ctx: Context, grid: Grid) -> Judged:
    """是 is met."""
    inds: tuple[BooleanIndicator, ...] = grid.indicators  # type: ignore[assignment]
    found = ctx.lookup(grid, [i.field for i in inds])
    out = Judged.blank(len(grid))
    out.value = found.value
    shown = yes_no(found.value)
    out.display = select(len(grid), [(shown == "—", "")], shown)
    out.status = select(
        len(grid),
        [(found.invalid, "invalid"), (np.isnan(found.value), "missing"), (found.value == 1, "met")],
        "not_met",
    )
    out.achievement = (out.status == "met").astype(np.float64)
    fields = ctx.catalogue.fields_by_id
    out.inputs = [Inputs.of(grid.each([fields[i.field].name for i in inds]), shown, found.source)]
    return out


JUDGES: dict[str, Callable[[Context, Grid], Judged]] = {
    "ratio": judge_ratio,
    "count": judge_count,
    "per_person": judge_per_person,
    "cumulative": judge_cumulative,
    "deadline": judge_deadline,
    "duration": judge_duration,
    "milestone": judge_milestone,
    "trend": judge_trend,
    "boolean": judge_boolean,
}
