"""Points per result from the catalogue's rules, then per-unit scores, chapter subtotals, ranks and grades.

不适用 and 未到期 leave the maximum; 缺数据 and 数据有误 score 0 but count in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Bands, Catalogue, Deduction, Indicator
from lawgov_metrics.results import SCORED_STATUSES, STATUS_LABELS


def score_results(ind: Indicator, judged: pd.DataFrame, points: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(points, max_points) for one indicator's judged rows; ``points`` is each row's catalogue points."""
    status = judged["status"]
    counted = status.isin(SCORED_STATUSES)
    max_points = points.where(counted, 0.0)
    rule = ind.scoring
    judged_rows = status.isin(("met", "not_met"))
    if rule.rule == "all_or_nothing":
        earned = points.where(status == "met", 0.0)
    elif rule.rule == "proportional":
        earned = points * judged["achievement"].fillna(0.0).clip(0.0, 1.0)
    elif isinstance(rule, Bands):
        share = _band_share(rule, judged["value"])
        earned = points * share
    elif isinstance(rule, Deduction):
        deducted = rule.per_shortfall * judged["shortfall"].fillna(0.0)
        cap = rule.cap if rule.cap is not None else np.inf
        earned = (points - np.minimum(deducted, np.minimum(cap, points))).clip(lower=0.0)
    else:  # pragma: no cover - the union is exhaustive
        raise AssertionError(rule)
    earned = earned.where(judged_rows, 0.0)
    return earned.round(6), max_points


def _band_share(rule: Bands, values: pd.Series) -> pd.Series:
    conditions = [values >= band.min - 1e-9 for band in rule.bands]
    return pd.Series(np.select(conditions, [band.share for band in rule.bands], 0.0), index=values.index)


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
    keys = ["unit", "kind", "year"]
    totals = results.groupby(keys, observed=True, sort=False)[["points", "max_points"]].sum()
    counts = pd.crosstab([results["unit"], results["kind"], results["year"]], results["status"])
    counts = counts.reindex(columns=list(STATUS_LABELS), fill_value=0)
    scores = totals.join(counts).reset_index()
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
