"""Catalogue + Submission → Assessment. No I/O, no printing: plain frames in, plain frames out.

One grid holds every (indicator, unit, year) to judge, indicator by indicator in catalogue order; each kind
judges all its in-force rows at once, and results, points and provenance are built once for the whole grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.applicability import applies, indicator_field_ids
from lawgov_metrics.catalogue.describe import target_label, target_value
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.engine.context import Context, Grid
from lawgov_metrics.engine.judged import Judged, text
from lawgov_metrics.engine.kinds import JUDGES
from lawgov_metrics.engine.scoring import score_results, unit_scores
from lawgov_metrics.engine.values import FieldValues, combine_table, combine_values, coverage_of
from lawgov_metrics.issues import Issue
from lawgov_metrics.results import RESULT_COLUMNS, STATUS_LABELS, Assessment, remark_text
from lawgov_metrics.submission import ANSWER_COLUMNS, ANSWER_LABELS, REMARK_COLUMNS, Submission

__all__ = ["combine_values", "coverage_of", "evaluate"]

PROVENANCE_COLUMNS = ["unit", "year", "input", "value", "source", "indicator", *REMARK_COLUMNS]


def evaluate(
    catalogue: Catalogue,
    submission: Submission,
    years: Iterable[int] | None = None,
    *,
    as_of: dt.date,
) -> Assessment:
    """Judge and score every applicable indicator for every unit and year.

    ``years`` defaults to the plan years present in the submission; ``as_of`` (the API passes today by default) decides
    whether a deadline without a reported date has passed yet.
    """
    period = catalogue.plan.period
    wanted = sorted(set(years)) if years is not None else [y for y in submission.years if y in period.years]
    coverage = coverage_of(submission)
    values, conflicts = combine_table(catalogue, submission, coverage)
    answers = _answers(submission)
    units = _assessed_units(submission)
    unit_names = units["unit"].to_numpy(dtype=object)
    ctx = Context(
        catalogue=catalogue,
        values=FieldValues(values, [f.id for f in catalogue.fields], unit_names),
        ledgers=submission.ledgers,
        coverage=coverage,
        units=unit_names,
        as_of=as_of,
        durations=submission.durations,
    )
    submitted = _submitted(values, coverage) | set(
        zip(answers["unit"].tolist(), answers["year"].astype(int).tolist(), strict=True)
    )
    grid = _grid(catalogue, units, wanted, submitted)
    if len(grid):
        judged = _judge(ctx, grid)
        _apply_answers(ctx, grid, judged, answers)
        results = _results(ctx, grid, judged)
        provenance = _provenance(ctx, grid, judged, submission.values)
    else:
        results = pd.DataFrame(columns=RESULT_COLUMNS)
        provenance = pd.DataFrame(columns=PROVENANCE_COLUMNS)
    scores, chapters = unit_scores(catalogue, results, units, _unsubmitted(units, wanted, submitted))
    issues: list[Issue] = [*submission.issues, *conflicts, *ctx.issues]
    return Assessment(
        catalogue=catalogue,
        results=results,
        scores=scores,
        chapters=chapters,
        provenance=provenance,
        issues_list=tuple(dict.fromkeys(issues)),  # same problem found by two indicators: once
        files=submission.files,
        years=tuple(wanted),
        as_of=ctx.as_of,
    )


def _submitted(values: Mapping[str, np.ndarray], coverage: pd.DataFrame) -> set[tuple[str, int]]:
    """The (unit, year) with anything submitted: a figure, an answer, a value that failed validation, or a
    ledger with records. A figure summed from a district's sub-units is not the district's submission."""
    own = ~values["rolled_up"]
    pairs = pd.DataFrame({"unit": values["unit"][own], "year": values["year"][own]})
    pairs = pd.concat([pairs, coverage[["unit", "year"]]], ignore_index=True).drop_duplicates()
    return set(zip(pairs["unit"].tolist(), pairs["year"].astype(int).tolist(), strict=True))


def _unsubmitted(units: pd.DataFrame, years: list[int], submitted: set[tuple[str, int]]) -> pd.DataFrame:
    """(unit, kind, year) of the assessed units with no submission in an assessed year (未报送)."""
    rows = [(u, k, y) for u, k in zip(units["unit"], units["kind"], strict=True) for y in years]
    return pd.DataFrame([r for r in rows if (r[0], r[2]) not in submitted], columns=["unit", "kind", "year"])


def _answers(submission: Submission) -> pd.DataFrame:
    if submission.answers is None:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in ANSWER_COLUMNS}).astype(
            {"year": "int64"}
        )
    return submission.answers


def _apply_answers(ctx: Context, grid: Grid, judged: Judged, answers: pd.DataFrame) -> None:
    """A unit's explicit answer on a field an indicator reads directly: 不适用 takes the indicator out of the
    maximum (unless a figure it reads is 数据有误); 未公开 turns its 缺数据 into 未公开. The note names the
    field and the cell, so an analyst can check the answer. Answers are few: one pass over them."""
    if not len(answers) or not len(grid):
        return
    fields = ctx.catalogue.fields_by_id
    readers: dict[str, list[int]] = {}
    for position, indicator in enumerate(grid.indicators):
        for field_id in indicator_field_ids(indicator):
            readers.setdefault(field_id, []).append(position)
    unit_code = {str(u): i for i, u in enumerate(ctx.units.tolist())}
    row_of = {
        (int(w), int(u), int(y)): r
        for r, (w, u, y) in enumerate(
            zip(grid.which.tolist(), grid.unit.tolist(), grid.year.tolist(), strict=True)
        )
    }
    in_force = judged.status != "not_yet_due"
    for answer in answers.sort_values("answer", kind="stable").to_dict("records"):
        unit = unit_code.get(str(answer["unit"]))
        if unit is None:
            continue
        label = ANSWER_LABELS[str(answer["answer"])]
        field = fields[str(answer["field"])].name
        said = "；".join(p for p in (str(answer["source"] or ""), remark_text(answer)) if p)
        where = f"（{said}）" if said else ""
        for position in readers.get(str(answer["field"]), []):
            row = row_of.get((position, unit, int(answer["year"])))
            if row is None or not in_force[row] or judged.status[row] == "invalid":
                continue
            if answer["answer"] == "not_applicable" and judged.status[row] != "not_applicable":
                judged.status[row] = "not_applicable"
                judged.note[row] = f"单位答复{label}：{field}{where}"
            elif answer["answer"] == "not_published" and judged.status[row] == "missing":
                judged.status[row] = "not_published"
                judged.note[row] = f"单位答复{label}：{field}{where}"


def _grid(
    catalogue: Catalogue, units: pd.DataFrame, years: list[int], submitted: set[tuple[str, int]]
) -> Grid:
    """Every (indicator, unit, year) the indicator applies to, for the unit-years submitted: indicators in
    catalogue order, then units in register order, then years."""
    kinds = units["kind"].to_numpy(dtype=object)
    # a unit's kind and the properties the register gives it (行政执法单位): indicators concern each pair alike
    held = units["properties"].tolist() if "properties" in units else [None] * len(units)
    pairs = [(u, y) for u in units["unit"].tolist() for y in years]
    keep = np.fromiter((p in submitted for p in pairs), dtype=bool, count=len(pairs))
    unit_of = np.repeat(np.arange(len(units), dtype=np.int64), len(years))[keep]
    year_of = np.tile(np.asarray(years, dtype=np.int64), len(units))[keep]
    kind_props = list(zip(kinds.tolist(), held, strict=True))
    distinct = list(dict.fromkeys(kind_props))
    kind_code = np.array([distinct.index(k) for k in kind_props], dtype=np.int64)[unit_of]
    rows = []
    for indicator in catalogue.indicators:
        concerned = np.array([applies(catalogue, indicator, k, p) for k, p in distinct], dtype=bool)
        rows.append(np.flatnonzero(concerned[kind_code]) if distinct else np.zeros(0, dtype=np.int64))
    which = np.repeat(np.arange(len(rows), dtype=np.int64), [len(r) for r in rows])
    base = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return Grid(catalogue.indicators, which, unit_of[base], kinds[unit_of[base]], year_of[base])


def _judge(ctx: Context, grid: Grid) -> Judged:
    """Rows outside an indicator's effective years are 未到期 or 不适用; each kind judges the others at once."""
    plan = ctx.catalogue.plan.period
    start = grid.each([i.effective.start or plan.start for i in grid.indicators]).astype(np.int64)
    end = grid.each([i.effective.end or plan.end for i in grid.indicators]).astype(np.int64)
    judged = Judged.blank(len(grid), status="not_yet_due")
    early, late = grid.year < start, grid.year > end
    judged.note[early] = text([f"自{y}年起考核" for y in start[early].tolist()])
    judged.status[late] = "not_applicable"
    judged.note[late] = text([f"{y}年后不再考核" for y in end[late].tolist()])
    in_force = ~early & ~late
    kind = grid.each([i.kind for i in grid.indicators])
    for name, judge in JUDGES.items():
        rows = np.flatnonzero(in_force & (kind == name))
        if len(rows):
            judged.place(rows, judge(ctx, grid.take(rows)))
    return judged


def _results(ctx: Context, grid: Grid, judged: Judged) -> pd.DataFrame:
    """One row per grid row: the judged outcome, its points, and a one-line summary of its inputs."""
    catalogue = ctx.catalogue
    inds = grid.indicators
    points = _points(grid)
    earned, max_points = np.zeros(len(grid)), np.zeros(len(grid))
    for ind, rows in grid.by_indicator():
        earned[rows], max_points[rows] = score_results(
            ind,
            judged.status[rows],
            judged.value[rows],
            judged.achievement[rows],
            judged.shortfall[rows],
            points[rows],
        )
    targets = [target_value(i) for i in inds]
    target_values = grid.each(targets) if None not in targets else np.array(targets, dtype=object)[grid.which]
    return pd.DataFrame(
        {
            "unit": ctx.units[grid.unit],
            "kind": grid.kind,
            "year": grid.year,
            "indicator": grid.each([i.id for i in inds]),
            "name": grid.each([i.name for i in inds]),
            "chapter": grid.each([i.chapter for i in inds]),
            "clause": grid.each([i.clause for i in inds]),
            "value": judged.value,
            "display": judged.display,
            "target": grid.each([target_label(catalogue, i) for i in inds]),
            "target_value": target_values,
            "status": judged.status,
            "status_label": text([STATUS_LABELS[s] for s in judged.status.tolist()]),
            "points": earned,
            "max_points": max_points,
            "note": judged.note,
            "inputs": _summaries(judged),
        },
        columns=RESULT_COLUMNS,
    )


def _points(grid: Grid) -> np.ndarray:
    """Each row's catalogue points for its unit kind and year (overrides included), once per combination."""
    kind, kinds = pd.factorize(grid.kind)
    year = grid.year - grid.year.min()
    _, first, at = np.unique(
        (grid.which * len(kinds) + kind) * (int(year.max()) + 1) + year,
        return_index=True,
        return_inverse=True,
    )
    points = [
        grid.indicators[w].points_for(k, y)
        for w, k, y in zip(
            grid.which[first].tolist(), grid.kind[first].tolist(), grid.year[first].tolist(), strict=True
        )
    ]
    return np.asarray(points, dtype=np.float64)[at]


def _summaries(judged: Judged) -> np.ndarray:
    """「输入=数值（出处）；…」 per row, every figure with the cell or ledger it came from."""
    summary = np.full(len(judged.value), "", dtype=object)
    started = np.zeros(len(judged.value), dtype=bool)
    for given in judged.inputs:
        assert given.present is not None
        rows = np.flatnonzero(given.present)
        parts = zip(
            given.name[rows].tolist(), given.shown[rows].tolist(), given.source[rows].tolist(), strict=True
        )
        texts = text(
            [f"{name}={shown}（{source}）" if source else f"{name}={shown}" for name, shown, source in parts]
        )
        summary[rows] = np.where(started[rows], summary[rows] + "；" + texts, texts)
        started[rows] = True
    return summary


def _provenance(ctx: Context, grid: Grid, judged: Judged, reported: pd.DataFrame) -> pd.DataFrame:
    """unit, year, input, value, source, indicator: per indicator, its inputs one after another; with the
    来源, 统计截止日 and 备注 the unit gave beside each reported figure (``cited, as_of, note``)."""
    rows, layers = [], []
    for k, given in enumerate(judged.inputs):
        assert given.present is not None
        here = np.flatnonzero(given.present)
        rows.append(here)
        layers.append(np.full(len(here), k, dtype=np.int64))
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    layer = np.concatenate(layers) if layers else np.zeros(0, dtype=np.int64)
    order = np.lexsort((row, layer, grid.which[row]))
    row, layer = row[order], layer[order]

    def column(name: str) -> np.ndarray:
        out = np.empty(len(row), dtype=object)
        for k, given in enumerate(judged.inputs):
            mine = layer == k
            out[mine] = getattr(given, name)[row[mine]]
        return out

    source = column("source")
    return pd.DataFrame(
        {
            "unit": ctx.units[grid.unit[row]],
            "year": grid.year[row],
            "input": column("name"),
            "value": column("shown"),
            "source": source,
            "indicator": grid.each([i.id for i in grid.indicators])[row],
            **_remarks_of(reported, source),
        },
        columns=PROVENANCE_COLUMNS,
    )


def _remarks_of(reported: pd.DataFrame, sources: np.ndarray) -> dict[str, np.ndarray]:
    """Each input's ``cited, as_of, note``, found by its source: a reported figure's file › sheet › cell is its
    own and no other's, so the judges need not carry them; a figure from a ledger or the catalogue has none.
    One hashed look-up for all inputs."""
    cited, note = np.full(len(sources), "", dtype=object), np.full(len(sources), "", dtype=object)
    as_of = np.full(len(sources), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not set(REMARK_COLUMNS) <= set(reported.columns) or not len(sources):
        return {"cited": cited, "as_of": as_of, "note": note}
    texts = reported[["cited", "note"]].fillna("")
    given = texts["cited"].ne("") | reported["as_of"].notna() | texts["note"].ne("")
    remarks = (
        texts[given].assign(source=reported["source"], as_of=reported["as_of"]).drop_duplicates("source")
    )
    at = pd.Index(remarks["source"]).get_indexer(sources)
    hit = at >= 0
    cited[hit] = remarks["cited"].to_numpy(dtype=object)[at[hit]]
    as_of[hit] = remarks["as_of"].to_numpy(dtype="datetime64[ns]")[at[hit]]
    note[hit] = remarks["note"].to_numpy(dtype=object)[at[hit]]
    return {"cited": cited, "as_of": as_of, "note": note}


def _assessed_units(submission: Submission) -> pd.DataFrame:
    """The units the submission names (``Submission.units``: a figure, a ledger, or a file of theirs that
    held nothing — then 未报送), with their kind, once each."""
    columns = ["unit", "kind", "properties"] if "properties" in submission.units else ["unit", "kind"]
    return submission.units[columns].drop_duplicates("unit").reset_index(drop=True)
