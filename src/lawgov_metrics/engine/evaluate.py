"""Catalogue + Submission → Assessment. No I/O, no printing: plain frames in, plain frames out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.applicability import applies
from lawgov_metrics.catalogue.describe import target_label, target_value
from lawgov_metrics.catalogue.models import Catalogue, Indicator
from lawgov_metrics.engine.kinds import JUDGES, Context
from lawgov_metrics.engine.scoring import score_results, unit_scores
from lawgov_metrics.engine.values import combine_values, coverage_of
from lawgov_metrics.issues import Issue
from lawgov_metrics.results import RESULT_COLUMNS, STATUS_LABELS, Assessment
from lawgov_metrics.submission import Submission

__all__ = ["combine_values", "coverage_of", "evaluate"]


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
    values, conflicts = combine_values(catalogue, submission, coverage)
    issues: list[Issue] = [*submission.issues, *conflicts]
    ctx = Context(
        catalogue=catalogue,
        values={str(f): frame for f, frame in values.groupby("field", observed=True, sort=False)},
        ledgers=submission.ledgers,
        coverage=coverage,
        as_of=as_of,
    )
    units = _active_units(submission, values, coverage)
    base = units.merge(pd.DataFrame({"year": pd.Series(wanted, dtype="int64")}), how="cross")
    result_frames, input_frames = [], []
    for indicator in catalogue.indicators:
        grid = base[[applies(catalogue, indicator, kind) for kind in base["kind"]]].reset_index(drop=True)
        if grid.empty:
            continue
        results, inputs = _judge(ctx, indicator, grid)
        result_frames.append(results)
        input_frames.append(inputs)
    results = (
        pd.concat(result_frames, ignore_index=True) if result_frames else pd.DataFrame(columns=RESULT_COLUMNS)
    )
    provenance = (
        pd.concat(input_frames, ignore_index=True)
        if input_frames
        else pd.DataFrame(columns=["unit", "year", "indicator", "input", "value", "source"])
    )
    scores, chapters = unit_scores(catalogue, results, units)
    all_issues = tuple(dict.fromkeys([*issues, *ctx.issues]))  # same problem found by two indicators: once
    return Assessment(
        catalogue=catalogue,
        results=results,
        scores=scores,
        chapters=chapters,
        provenance=provenance,
        issues_list=all_issues,
        files=submission.files,
        years=tuple(wanted),
        as_of=ctx.as_of,
    )


def _judge(ctx: Context, ind: Indicator, grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = ind.effective.start or ctx.plan_start
    end = ind.effective.end or ctx.plan_end
    in_force = grid["year"].between(start, end)
    judged = pd.DataFrame(
        {
            "value": np.nan,
            "display": "",
            "status": "not_yet_due",
            "note": "",
            "achievement": np.nan,
            "shortfall": np.nan,
        },
        index=grid.index,
    )
    judged.loc[grid["year"] < start, "note"] = f"自{start}年起考核"
    judged.loc[grid["year"] > end, ["status", "note"]] = ["not_applicable", f"{end}年后不再考核"]
    inputs = pd.DataFrame(columns=["unit", "year", "input", "value", "source"])
    summary = pd.Series("", index=grid.index, dtype="str")
    if in_force.any():
        active = grid[in_force]
        outcome = JUDGES[ind.kind](ctx, ind, active)  # type: ignore[operator]
        if in_force.all():
            judged = outcome.frame
        else:
            judged.loc[active.index, outcome.frame.columns] = outcome.frame
        if outcome.inputs:
            inputs = pd.concat(outcome.inputs, ignore_index=True)
            summary.loc[active.index] = _summarise(outcome.inputs)
    points = pd.Series(
        [ind.points_for(k, int(y)) for k, y in zip(grid["kind"], grid["year"], strict=True)], index=grid.index
    )
    earned, max_points = score_results(ind, judged, points)
    results = pd.DataFrame(
        {
            "unit": grid["unit"],
            "kind": grid["kind"],
            "year": grid["year"].astype("int64"),
            "indicator": ind.id,
            "name": ind.name,
            "chapter": ind.chapter,
            "clause": ind.clause,
            "value": pd.to_numeric(judged["value"], errors="coerce").astype("float64"),
            "display": judged["display"].astype("str"),
            "target": target_label(ctx.catalogue, ind),
            "target_value": target_value(ind),
            "status": judged["status"].astype("str"),
            "status_label": judged["status"].map(STATUS_LABELS),
            "points": earned.astype("float64"),
            "max_points": max_points.astype("float64"),
            "note": judged["note"].astype("str"),
        }
    )
    results["inputs"] = summary
    return results[RESULT_COLUMNS], inputs.assign(indicator=ind.id)


def _summarise(frames: list[pd.DataFrame]) -> pd.Series:
    """「输入=数值（出处）；…」 per result, every figure with the cell or ledger it came from (vectorised:
    each judge's input frames share the grid's index)."""
    parts = []
    for frame in frames:
        source = frame["source"].astype("str").fillna("")
        where = ("（" + source + "）").where(source != "", "")
        parts.append(frame["input"].astype("str") + "=" + frame["value"].astype("str") + where)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "；" + part
    return joined


def _active_units(submission: Submission, values: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Units of the register with any figure or ledger in the submission, with their kind."""
    present = set(values["unit"]) | set(coverage["unit"])
    units = submission.units[submission.units["unit"].isin(present)][["unit", "kind"]]
    return units.drop_duplicates("unit").reset_index(drop=True)
