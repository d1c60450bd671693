"""Points per result from the catalogue's rules, then per-unit scores, chapter subtotals, ranks and grades.

不适用 and 未到期 leave the maximum; 缺数据 and 数据有误 score 0 but count in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Bands, Catalogue, Deduction, Indicator
from lawgov_metrics.engine.keys import codes, first_of_each, row_codes
from lawgov_metrics.results import SCORED_STATUSES, STATUS_LABELS


def score_results(
    ind: Indicator,
    status: np.ndarray,
    value: np.ndarray,
    achievement: np.ndarray,
    shortfall: np.ndarray,
    points: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(points, max_points) for one indicator's judged rows; ``points`` is each row's catalogue points."""
    max_points = np.where(np.isin(status, SCORED_STATUSES), points, 0.0)
    rule = ind.scoring
    if rule.rule == "all_or_nothing":
        earned = np.where(status == "met", points, 0.0)
    elif rule.rule == "proportional":
        earned = points * np.clip(np.nan_to_num(achievement, nan=0.0), 0.0, 1.0)
    elif isinstance(rule, Bands):
        conditions = [value >= band.min - 1e-9 for band in rule.bands]
        earned = points * np.select(conditions, [band.share for band in rule.bands], 0.0)
    elif isinstance(rule, Deduction):
        deducted = rule.per_shortfall * np.nan_to_num(shortfall, nan=0.0)
        cap = rule.cap if rule.cap is not None else np.inf
        earned = np.maximum(points - np.minimum(deducted, np.minimum(cap, points)), 0.0)
    else:  # pragma: no cover - the union is exhaustive
        raise AssertionError(rule)
    earned = np.where(np.isin(status, ("met", "not_met")), earned, 0.0)
    return np.round(earned, 6), max_points


def unit_scores(
    catalogue: Catalogue, results: pd.DataFrame, units: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores per unit-year, chapter subtotals per unit-year-chapter)."""
    if results.empty:
        scores = pd.DataFrame(
            columns=[
                "unit",
                "kind",
                "group",
                "year",
                "points",
                "max_points",
                "rate",
                "rank",
                "grade",
                *STATUS_LABELS,
            ]
        )
        return scores, pd.DataFrame(columns=["unit", "year", "chapter", "points", "max_points", "rate"])
    # unit-years in order of first appearance; status counts by bincount (a crosstab costs ~40 ms)
    group = row_codes([results["unit"], results["kind"], results["year"]])
    first = first_of_each(group)
    totals = results[["points", "max_points"]].groupby(group).sum()
    status = codes(list(STATUS_LABELS), results["status"])
    assert (status >= 0).all(), "a result with a status outside STATUS_LABELS"
    counts = np.bincount(group * len(STATUS_LABELS) + status, minlength=len(first) * len(STATUS_LABELS))
    counts = counts.reshape(len(first), len(STATUS_LABELS))
    scores = results[["unit", "kind", "year"]].iloc[first].reset_index(drop=True)
    scores["points"] = totals["points"].to_numpy()
    scores["max_points"] = totals["max_points"].to_numpy()
    for position, name in enumerate(STATUS_LABELS):
        scores[name] = counts[:, position]
    scores["rate"] = scores["points"] / scores["max_points"].where(scores["max_points"] > 0)
    scores["group"] = scores["kind"].map(catalogue.general_kind)
    scores["rank"] = scores.groupby(["group", "year"], observed=True)["rate"].rank(
        method="min", ascending=False
    )
    scores["grade"] = grade_of(catalogue, scores["rate"])
    kind_order = {k.id: i for i, k in enumerate(catalogue.unit_kinds)}
    group_rank = scores["group"].map(kind_order)
    scores = (
        scores.assign(_g=group_rank)
        .sort_values(["year", "_g", "rank", "unit"], na_position="last")
        .drop(columns="_g")
        .reset_index(drop=True)
    )
    chapters = results.groupby(["unit", "year", "chapter"], observed=True, sort=False)[
        ["points", "max_points"]
    ].sum()
    chapters = chapters.reset_index()
    chapters["rate"] = chapters["points"] / chapters["max_points"].where(chapters["max_points"] > 0)
    order = {c.id: i for i, c in enumerate(catalogue.chapters)}
    chapters = chapters.sort_values(
        ["year", "unit", "chapter"], key=lambda s: s.map(order) if s.name == "chapter" else s
    )
    return scores, chapters.reset_index(drop=True)


def grade_of(catalogue: Catalogue, rates: pd.Series) -> pd.Series:
    """Grade band of each 得分率 (bands listed from the highest ``min_rate`` down)."""
    conditions = [rates >= grade.min_rate - 1e-9 for grade in catalogue.grades]
    graded = np.select(conditions, [grade.name for grade in catalogue.grades], "")
    return pd.Series(graded, index=rates.index).where(rates.notna(), "")
