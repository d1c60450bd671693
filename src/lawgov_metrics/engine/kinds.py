"""Every indicator kind, judged for all unit-years at once.

Each ``judge_<kind>`` takes the evaluation grid of one indicator (rows: unit, kind, year) and returns a
frame on the same index with ``value, display, status, note, achievement, shortfall`` plus the inputs it
read (for provenance). Bounds include the plan's own number (以上、不少于、以内、以下: 民法典 第1259条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS, PERIOD_NAMES, percent
from lawgov_metrics.catalogue.models import (
    Activity,
    BooleanIndicator,
    Catalogue,
    CountIndicator,
    CumulativeIndicator,
    DeadlineIndicator,
    DurationIndicator,
    MilestoneIndicator,
    PerPersonIndicator,
    RatioIndicator,
    Roster,
    Threshold,
    TrendIndicator,
)
from lawgov_metrics.engine.calendar import days_between, hours_between, working_days_between
from lawgov_metrics.engine.conditions import LedgerMasks
from lawgov_metrics.issues import Issue

EPS = 1e-9


@dataclass
class Context:
    """What the judges read: values by field, ledgers, which ledgers were supplied, and the plan period."""

    catalogue: Catalogue
    values: Mapping[str, pd.DataFrame]  # field → unit, year, period, value, date, source, invalid
    ledgers: Mapping[str, pd.DataFrame]
    coverage: pd.DataFrame  # ledger, unit, year
    as_of: dt.date
    issues: list[Issue] = field(default_factory=list)
    _indexed: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def indexed(self, field_id: str, period: str) -> pd.DataFrame | None:
        """A field's values for one period, indexed by (unit, year): built once, looked up by every judge."""
        key = (field_id, period)
        if key not in self._indexed:
            found = self.values.get(field_id)
            if found is None or found.empty:
                return None
            found = found[found["period"] == period]
            self._indexed[key] = found.set_index(["unit", "year"])[["value", "date", "source", "invalid"]]
        return self._indexed[key]

    @property
    def plan_start(self) -> int:
        return self.catalogue.plan.period.start

    @property
    def plan_end(self) -> int:
        return self.catalogue.plan.period.end


@dataclass
class Judged:
    frame: pd.DataFrame  # value, display, status, note, achievement, shortfall (grid index)
    inputs: list[pd.DataFrame]  # unit, year, input, value, source


def _out(grid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": np.nan,
            "display": "",
            "status": "missing",
            "note": "",
            "achievement": np.nan,
            "shortfall": np.nan,
        },
        index=grid.index,
    )


def lookup(
    ctx: Context, grid: pd.DataFrame, field_id: str, period: str = "Y", year_shift: int = 0
) -> pd.DataFrame:
    """The field's value, date, source and invalid flag for each grid row (NaN where not reported)."""
    found = ctx.indexed(field_id, period)
    if found is None:
        out = pd.DataFrame(index=grid.index)
        out["value"], out["date"], out["source"], out["invalid"] = np.nan, pd.NaT, "", False
        return out
    keys = pd.MultiIndex.from_arrays([grid["unit"], grid["year"] + year_shift])
    merged = found.reindex(keys)
    merged.index = grid.index
    merged["invalid"] = merged["invalid"].astype("boolean").fillna(False).astype(bool)
    merged["source"] = merged["source"].fillna("")
    return merged


def _inputs(
    grid: pd.DataFrame, name: str, found: pd.DataFrame, shown: pd.Series | None = None
) -> pd.DataFrame:
    shown = shown if shown is not None else found["value"].map(_fmt_number)
    return pd.DataFrame(
        {"unit": grid["unit"], "year": grid["year"], "input": name, "value": shown, "source": found["source"]}
    )


def _fmt_number(value: float) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"


def compare(values: pd.Series, threshold: Threshold) -> pd.Series:
    target = threshold.value
    match threshold.op:
        case ">=":
            return values >= target - EPS
        case ">":
            return values > target + EPS
        case "<=":
            return values <= target + EPS
        case "<":
            return values < target - EPS
        case "==":
            return (values - target).abs() <= EPS
    raise AssertionError(threshold.op)  # pragma: no cover


def _achievement(values: pd.Series, threshold: Threshold) -> pd.Series:
    if threshold.op in (">=", ">") and threshold.value > 0:
        return (values / threshold.value).clip(upper=1.0)
    return compare(values, threshold).astype(float)


# ---------------------------------------------------------------- ratio, trend


def _ratio(ctx: Context, grid: pd.DataFrame, num_id: str, den_id: str, shift: int = 0) -> pd.DataFrame:
    num, den = lookup(ctx, grid, num_id, year_shift=shift), lookup(ctx, grid, den_id, year_shift=shift)
    out = pd.DataFrame(index=grid.index)
    out["num"], out["den"] = num["value"], den["value"]
    out["invalid"] = num["invalid"] | den["invalid"]
    out["missing"] = num["value"].isna() | den["value"].isna()
    out["zero"] = den["value"] == 0
    out["value"] = np.where(out["den"] > 0, out["num"] / out["den"].where(out["den"] > 0), np.nan)
    out["num_source"], out["den_source"] = num["source"], den["source"]
    return out


def _ratio_inputs(
    ctx: Context, grid: pd.DataFrame, r: pd.DataFrame, num_id: str, den_id: str, tag: str = ""
) -> list[pd.DataFrame]:
    fields = ctx.catalogue.fields_by_id
    num = pd.DataFrame({"value": r["num"], "source": r["num_source"]})
    den = pd.DataFrame({"value": r["den"], "source": r["den_source"]})
    return [_inputs(grid, tag + fields[num_id].name, num), _inputs(grid, tag + fields[den_id].name, den)]


def _ratio_display(r: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [
            "" if pd.isna(v) else f"{percent(v)}（{_fmt_number(n)}/{_fmt_number(d)}）"
            for v, n, d in zip(r["value"], r["num"], r["den"], strict=True)
        ],
        index=r.index,
        dtype="str",
    )


def judge_ratio(ctx: Context, ind: RatioIndicator, grid: pd.DataFrame) -> Judged:
    r = _ratio(ctx, grid, ind.numerator, ind.denominator)
    out = _out(grid)
    out["value"] = r["value"]
    out["display"] = _ratio_display(r)
    met = compare(r["value"], ind.target)
    out["status"] = np.select(
        [r["invalid"], r["missing"], r["zero"], met],
        ["invalid", "missing", "not_applicable", "met"],
        "not_met",
    )
    out.loc[r["zero"] & ~r["missing"], "note"] = "分母为 0，本项不适用"
    out["achievement"] = _achievement(r["value"], ind.target)
    return Judged(out, _ratio_inputs(ctx, grid, r, ind.numerator, ind.denominator))


def judge_trend(ctx: Context, ind: TrendIndicator, grid: pd.DataFrame) -> Judged:
    cur = _ratio(ctx, grid, ind.numerator, ind.denominator)
    prev = _ratio(ctx, grid, ind.numerator, ind.denominator, shift=-1)
    out = _out(grid)
    out["value"] = cur["value"]
    up = ind.direction == "up"
    at_bound = cur["value"] >= ind.bound - EPS if up else cur["value"] <= ind.bound + EPS
    better = cur["value"] > prev["value"] + EPS if up else cur["value"] < prev["value"] - EPS
    first_year = grid["year"] <= ctx.plan_start
    no_prev = prev["missing"] | prev["invalid"]
    # (condition, status, note) in order of precedence: one list, so a status and its note never disagree
    rules = [
        (cur["invalid"], "invalid", ""),
        (cur["missing"], "missing", ""),
        (cur["zero"], "not_applicable", "本年分母为 0，本项不适用"),
        (at_bound, "met", f"已达到 {percent(ind.bound)}，视为达标"),
        (no_prev & first_year, "not_applicable", "规划首年且无上年基数，不作比较"),
        (no_prev, "missing", "缺少上年数据，无法比较"),
        (prev["zero"], "not_applicable", "上年分母为 0，无法比较"),
        (better, "met", f"较上年{'提高' if up else '降低'}"),
    ]
    conditions = [c.fillna(False).astype(bool) for c, _, _ in rules]
    out["status"] = np.select(conditions, [s for _, s, _ in rules], "not_met")
    out["note"] = np.select(conditions, [n for _, _, n in rules], f"未较上年{'提高' if up else '降低'}")
    out["display"] = [
        "" if pd.isna(v) else f"{percent(v)}（上年 {'—' if pd.isna(p) else percent(p)}）"
        for v, p in zip(cur["value"], prev["value"], strict=True)
    ]
    out["achievement"] = (out["status"] == "met").astype(float)
    inputs = _ratio_inputs(ctx, grid, cur, ind.numerator, ind.denominator)
    inputs += _ratio_inputs(ctx, grid, prev, ind.numerator, ind.denominator, tag="上年")
    return Judged(out, inputs)


# ---------------------------------------------------------------- count per period


def judge_count(ctx: Context, ind: CountIndicator, grid: pd.DataFrame) -> Judged:
    field_def = ctx.catalogue.fields_by_id[ind.field]
    periods = GRANULARITY_PERIODS[field_def.period]
    found = {p: lookup(ctx, grid, ind.field, period=p) for p in periods}
    counts = pd.concat({p: f["value"] for p, f in found.items()}, axis=1)
    out = _out(grid)
    invalid = pd.concat({p: f["invalid"] for p, f in found.items()}, axis=1).any(axis=1)
    missing = counts.isna().any(axis=1)
    met_each = pd.concat({p: compare(counts[p], ind.target) for p in periods}, axis=1)
    out["value"] = counts.min(axis=1, skipna=False)
    out["status"] = np.select(
        [invalid, missing, met_each.all(axis=1)], ["invalid", "missing", "met"], "not_met"
    )
    target = ind.target.value + (1 if ind.target.op == ">" else 0)
    out["achievement"] = (counts / target).clip(upper=1.0).mean(axis=1, skipna=False) if target > 0 else 1.0
    out["shortfall"] = (target - counts).clip(lower=0).sum(axis=1, min_count=len(periods))
    unit = field_def.unit
    if len(periods) == 1:
        out["display"] = [("" if pd.isna(v) else f"{_fmt_number(v)} {unit}") for v in counts[periods[0]]]
    else:
        out["display"] = [
            "；".join(f"{PERIOD_NAMES[p]} {_fmt_number(v)}" for p, v in zip(periods, row, strict=True))
            for row in counts.itertuples(index=False)
        ]
        gaps = [
            "、".join(PERIOD_NAMES[p] for p, ok in zip(periods, row, strict=True) if not ok)
            for row in met_each.itertuples(index=False)
        ]
        out.loc[out["status"] == "not_met", "note"] = [
            f"{g}未达到" for g in np.array(gaps)[out["status"] == "not_met"]
        ]
    inputs = [_inputs(grid, f"{field_def.name}（{PERIOD_NAMES[p]}）", f) for p, f in found.items()]
    return Judged(out, inputs)


# ---------------------------------------------------------------- per person, cumulative


def _covered(ctx: Context, grid: pd.DataFrame, ledger_id: str, cumulative: bool = False) -> pd.Series:
    cov = ctx.coverage[ctx.coverage["ledger"] == ledger_id][["unit", "year"]].drop_duplicates()
    keys = grid[["unit", "year"]].reset_index()
    if cumulative:  # any year of the plan up to the assessed one
        cov = cov.rename(columns={"year": "covered_year"})
        merged = keys.merge(cov, on="unit", how="inner")
        merged = merged[
            (merged["covered_year"] <= merged["year"]) & (merged["covered_year"] >= ctx.plan_start)
        ]
        hit = set(merged["index"])
    else:
        hit = set(keys.merge(cov, on=["unit", "year"], how="inner")["index"])
    return pd.Series(grid.index.isin(list(hit)), index=grid.index)


def _invalid_rows(ctx: Context, grid: pd.DataFrame, ledger_id: str) -> pd.Series:
    ledger = ctx.ledgers.get(ledger_id)
    if ledger is None or ledger.empty:
        return pd.Series(False, index=grid.index)
    bad = ledger.loc[ledger["_invalid"], ["unit", "year"]].drop_duplicates().assign(bad=True)
    merged = (
        grid[["unit", "year"]].reset_index().merge(bad, on=["unit", "year"], how="left").set_index("index")
    )
    return merged["bad"].astype("boolean").fillna(False).astype(bool).reindex(grid.index)


def _people(ctx: Context, roster: Roster) -> pd.DataFrame:
    ledger = ctx.ledgers.get(roster.ledger)
    if ledger is None or ledger.empty:
        return pd.DataFrame(columns=["unit", "year", "person"])
    rows = ledger[LedgerMasks(ledger).where(roster.where)]
    people = rows[["unit", "year", roster.person]].rename(columns={roster.person: "person"})
    return people.dropna(subset=["person"]).drop_duplicates()


def _amounts(ctx: Context, activity: Activity) -> pd.DataFrame:
    """unit, year, person, amount: each person's yearly total (or record count)."""
    ledger = ctx.ledgers.get(activity.ledger)
    if ledger is None or ledger.empty:
        return pd.DataFrame(columns=["unit", "year", "person", "amount"])
    rows = ledger[LedgerMasks(ledger).where(activity.where)].rename(columns={activity.person: "person"})
    grouped = rows.groupby(["unit", "year", "person"], observed=True, sort=False)
    amount = grouped[activity.amount].sum() if activity.amount else grouped.size()
    return amount.rename("amount").astype("float64").reset_index()


def _per_person(
    ctx: Context, ind: PerPersonIndicator | CumulativeIndicator, grid: pd.DataFrame, cumulative: bool
) -> Judged:
    people = _people(ctx, ind.roster)
    amounts = _amounts(ctx, ind.activity)
    if cumulative:
        # each person's total over the plan period up to each assessed year (a handful of years: one pass each)
        totals = []
        for year in sorted(grid["year"].unique()):
            window = amounts[(amounts["year"] >= ctx.plan_start) & (amounts["year"] <= year)]
            total = window.groupby(["unit", "person"], observed=True)["amount"].sum().reset_index()
            totals.append(total.assign(year=year))
        amounts = pd.concat(totals, ignore_index=True) if totals else amounts
    joined = people.merge(amounts, on=["unit", "year", "person"], how="left")
    joined["meets"] = joined["amount"].fillna(0.0) >= ind.minimum - EPS
    stats = joined.groupby(["unit", "year"], observed=True).agg(
        total=("person", "size"), meeting=("meets", "sum")
    )
    merged = grid[["unit", "year"]].reset_index().merge(stats.reset_index(), on=["unit", "year"], how="left")
    merged = merged.set_index("index").reindex(grid.index)
    total, meeting = merged["total"].fillna(0.0), merged["meeting"].fillna(0.0)
    roster_ok = _covered(ctx, grid, ind.roster.ledger)
    activity_ok = _covered(ctx, grid, ind.activity.ledger, cumulative=cumulative)
    invalid = _invalid_rows(ctx, grid, ind.roster.ledger) | _invalid_rows(ctx, grid, ind.activity.ledger)
    share = (meeting / total.where(total > 0)).astype("float64")
    met = compare(share, ind.target)
    out = _out(grid)
    out["value"] = share
    out["display"] = [
        "" if pd.isna(s) else f"{percent(s)}（{int(m)}/{int(t)} 人）"
        for s, m, t in zip(share, meeting, total, strict=True)
    ]
    due_later = grid["year"] < ctx.plan_end if cumulative else pd.Series(False, index=grid.index)
    out["status"] = np.select(
        [invalid, ~roster_ok | ~activity_ok, total == 0, met, due_later],
        ["invalid", "missing", "not_applicable", "met", "not_yet_due"],
        "not_met",
    )
    out.loc[roster_ok & (total == 0), "note"] = "名册中没有需考核的人员，本项不适用"
    out.loc[~roster_ok, "note"] = f"未提交《{ctx.catalogue.ledgers_by_id[ind.roster.ledger].name}》"
    out.loc[roster_ok & ~activity_ok, "note"] = (
        f"未提交《{ctx.catalogue.ledgers_by_id[ind.activity.ledger].name}》"
    )
    if cumulative:
        out.loc[out["status"] == "not_yet_due", "note"] = f"规划期累计，{ctx.plan_end}年末考核；此为当前进度"
    out["achievement"] = _achievement(share, ind.target)
    roster_name = ctx.catalogue.ledgers_by_id[ind.roster.ledger].name
    src = pd.DataFrame({"value": total, "source": f"台账《{roster_name}》"})
    activity_name = ctx.catalogue.ledgers_by_id[ind.activity.ledger].name
    met_src = pd.DataFrame({"value": meeting, "source": f"台账《{activity_name}》"})
    inputs = [_inputs(grid, "名册人数", src), _inputs(grid, f"达到 {ind.minimum:g} 的人数", met_src)]
    return Judged(out, inputs)


def judge_per_person(ctx: Context, ind: PerPersonIndicator, grid: pd.DataFrame) -> Judged:
    return _per_person(ctx, ind, grid, cumulative=False)


def judge_cumulative(ctx: Context, ind: CumulativeIndicator, grid: pd.DataFrame) -> Judged:
    return _per_person(ctx, ind, grid, cumulative=True)


# ---------------------------------------------------------------- deadline, milestone, boolean


def judge_deadline(ctx: Context, ind: DeadlineIndicator, grid: pd.DataFrame) -> Judged:
    found = lookup(ctx, grid, ind.field)
    due = pd.to_datetime(pd.Series([ind.due.for_year(int(y)) for y in grid["year"]], index=grid.index))
    dates = pd.to_datetime(found["date"])
    late_days = (dates - due).dt.days.astype("float64")
    not_due_yet = dates.isna() & (due.dt.date > ctx.as_of)
    out = _out(grid)
    out["value"] = late_days
    out["display"] = [("" if pd.isna(d) else d.date().isoformat()) for d in dates]
    out["status"] = np.select(
        [found["invalid"], not_due_yet, dates.isna(), late_days <= 0],
        ["invalid", "not_yet_due", "missing", "met"],
        "not_met",
    )
    out.loc[out["status"] == "not_met", "note"] = [
        f"逾期 {int(d)} 天" for d in late_days[out["status"] == "not_met"]
    ]
    out.loc[out["status"] == "not_yet_due", "note"] = "截止日期未到"
    out["achievement"] = (out["status"] == "met").astype(float)
    shown = pd.Series(list(out["display"]), index=grid.index).replace("", "—")
    due_src = pd.DataFrame(
        {"value": [d.date().isoformat() for d in due], "source": "指标目录"}, index=grid.index
    )
    inputs = [
        _inputs(grid, ctx.catalogue.fields_by_id[ind.field].name, found, shown),
        _inputs(grid, "截止日期", due_src, due_src["value"]),
    ]
    return Judged(out, inputs)


def judge_milestone(ctx: Context, ind: MilestoneIndicator, grid: pd.DataFrame) -> Judged:
    done = lookup(ctx, grid, ind.field)
    date = lookup(ctx, grid, ind.date_field) if ind.date_field else None
    when = pd.to_datetime(date["date"]) if date is not None else pd.Series(pd.NaT, index=grid.index)
    year_end = pd.to_datetime(grid["year"].astype(str) + "-12-31")
    due = pd.Timestamp(ind.due)
    done_by_year = (done["value"] == 1) & (when.isna() | (when <= year_end))
    on_time = done_by_year & (when.isna() | (when <= due))
    before_due = grid["year"] < ind.due.year
    invalid = done["invalid"] | (date["invalid"] if date is not None else False)
    out = _out(grid)
    out["value"] = done["value"]
    out["status"] = np.select(
        [invalid, on_time, before_due, done["value"].isna()],
        ["invalid", "met", "not_yet_due", "missing"],
        "not_met",
    )
    out["display"] = [
        ""
        if pd.isna(v)
        else ("已完成" if v == 1 else "未完成") + ("" if pd.isna(w) else f"（{w.date().isoformat()}）")
        for v, w in zip(done["value"], when, strict=True)
    ]
    late = done_by_year & ~on_time
    out.loc[late & ~before_due, "note"] = f"完成晚于 {ind.due.isoformat()}"
    out.loc[out["status"] == "not_yet_due", "note"] = f"{ind.due.isoformat()} 前完成即可"
    out["achievement"] = (out["status"] == "met").astype(float)
    inputs = [_inputs(grid, ctx.catalogue.fields_by_id[ind.field].name, done, done["value"].map(_yes_no))]
    if date is not None and ind.date_field:
        shown = pd.Series([("—" if pd.isna(w) else w.date().isoformat()) for w in when], index=grid.index)
        inputs.append(_inputs(grid, ctx.catalogue.fields_by_id[ind.date_field].name, date, shown))
    return Judged(out, inputs)


def _yes_no(value: float) -> str:
    return "—" if pd.isna(value) else ("是" if value == 1 else "否")


def judge_boolean(ctx: Context, ind: BooleanIndicator, grid: pd.DataFrame) -> Judged:
    found = lookup(ctx, grid, ind.field)
    out = _out(grid)
    out["value"] = found["value"]
    out["display"] = found["value"].map(_yes_no).replace("—", "")
    out["status"] = np.select(
        [found["invalid"], found["value"].isna(), found["value"] == 1],
        ["invalid", "missing", "met"],
        "not_met",
    )
    out["achievement"] = (out["status"] == "met").astype(float)
    return Judged(
        out, [_inputs(grid, ctx.catalogue.fields_by_id[ind.field].name, found, found["value"].map(_yes_no))]
    )


# ---------------------------------------------------------------- duration


def judge_duration(ctx: Context, ind: DurationIndicator, grid: pd.DataFrame) -> Judged:
    ledger = ctx.ledgers.get(ind.ledger)
    ledger_def = ctx.catalogue.ledgers_by_id[ind.ledger]
    out = _out(grid)
    covered = _covered(ctx, grid, ind.ledger)
    if ledger is None or ledger.empty:
        stats = pd.DataFrame(columns=["unit", "year", "total", "within", "bad"])
    else:
        rows = ledger[LedgerMasks(ledger).where(ind.where)]
        start, end = rows[ind.start], rows[ind.end]
        if ind.unit == "workday":
            span, outside = working_days_between(start, end)
            _report_outside_calendar(ctx, rows[outside], ledger_def.name)
        elif ind.unit == "hour":
            span, outside = hours_between(start, end), pd.Series(False, index=rows.index)
        else:
            span, outside = days_between(start, end), pd.Series(False, index=rows.index)
        negative = span < 0
        _report_negative(ctx, rows[negative], ledger_def.name, ind)
        frame = pd.DataFrame(
            {
                "unit": rows["unit"],
                "year": rows["year"],
                "within": (span <= ind.max + EPS) & ~negative,  # an unfinished record (no end) is overdue
                "bad": outside | negative | rows["_invalid"],
            }
        )
        stats = frame.groupby(["unit", "year"], observed=True).agg(
            total=("within", "size"), within=("within", "sum"), bad=("bad", "any")
        )
        stats = stats.reset_index()
    merged = (
        grid[["unit", "year"]].reset_index().merge(stats, on=["unit", "year"], how="left").set_index("index")
    )
    merged = merged.reindex(grid.index)
    total, within = merged["total"].fillna(0).astype(float), merged["within"].fillna(0).astype(float)
    bad = merged["bad"].astype("boolean").fillna(False).astype(bool)
    share = within / total.where(total > 0)
    out["value"] = share
    unit_word = {"workday": "个工作日", "hour": "小时", "day": "日"}[ind.unit]
    out["display"] = [
        "" if pd.isna(s) else f"{percent(s)}（{int(w)}/{int(t)} 件）"
        for s, w, t in zip(share, within, total, strict=True)
    ]
    out["status"] = np.select(
        [bad, ~covered, total == 0, compare(share, ind.target)],
        ["invalid", "missing", "not_applicable", "met"],
        "not_met",
    )
    scope = "、".join(
        str(v) for c in ind.where for v in (c.value if isinstance(c.value, tuple) else (c.value,))
    )
    out.loc[covered & (total == 0), "note"] = (
        f"当年没有{scope + '级别的' if scope else ''}相关记录，本项不适用"
    )
    out.loc[~covered, "note"] = f"未提交《{ledger_def.name}》"
    out.loc[out["status"] == "not_met", "note"] = f"超过 {ind.max:g} {unit_word}的记录计为未按时"
    out["achievement"] = _achievement(share, ind.target)
    total_src = pd.DataFrame({"value": total, "source": f"台账《{ledger_def.name}》"})
    within_src = pd.DataFrame({"value": within, "source": f"台账《{ledger_def.name}》"})
    inputs = [
        _inputs(grid, "纳入计算的记录数", total_src),
        _inputs(grid, f"{ind.max:g} {unit_word}内的记录数", within_src),
    ]
    return Judged(out, inputs)


def _report_outside_calendar(ctx: Context, rows: pd.DataFrame, ledger_name: str) -> None:
    if rows.empty:
        return
    from lawgov_metrics.engine.calendar import calendar_years

    first, last = calendar_years()
    for (unit, file, sheet), group in rows.groupby(["unit", "_file", "_sheet"], observed=True, sort=True):
        ctx.issues.append(
            Issue(
                "date-calendar",
                f"《{ledger_name}》有 {len(group)} 条记录的日期不在法定节假日数据覆盖的 {first}—{last} 年内，"
                "无法按工作日计算（首条见所示行）",
                file=str(file),
                sheet=str(sheet),
                row=int(group["_row"].min()),
                unit=str(unit),
            )
        )


def _report_negative(ctx: Context, rows: pd.DataFrame, ledger_name: str, ind: DurationIndicator) -> None:
    ledger_def = ctx.catalogue.ledgers_by_id[ind.ledger]
    start_name = ledger_def.column(ind.start).name  # type: ignore[union-attr]
    end_name = ledger_def.column(ind.end).name  # type: ignore[union-attr]
    for row in rows[["unit", "_file", "_sheet", "_row"]].to_dict("records"):
        ctx.issues.append(
            Issue(
                "value-out-of-range",
                f"《{ledger_name}》中「{end_name}」早于「{start_name}」",
                file=str(row["_file"]),
                sheet=str(row["_sheet"]),
                row=int(row["_row"]),
                unit=str(row["unit"]),
            )
        )


JUDGES = {
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
