"""Points per result from the catalogue's rules, then per-unit scores, chapter subtotals, ranks and grades.

不适用 and 未到期 leave the maximum; 缺数据, 未公开 and 数据有误 score 0 but count in it. 覆盖率 is the share of the
applicable (scored) indicators that have data: neither 缺数据 nor 未公开. A unit-year with no submission at
all (未报送) is listed with ``submitted`` False and no points, rate, coverage, rank or grade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Bands, Catalogue, Deduction, Indicator
from lawgov_metrics.engine.keys import codes, first_of_each, row_codes
from lawgov_metrics.results import NO_DATA_STATUSES, SCORED_STATUSES, STATUS_LABELS


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


SCORE_COLUMNS = [
    "unit",
    "kind",
    "year",
    "points",
    "max_points",
    *STATUS_LABELS,
    "rate",
    "coverage",
    "submitted",
    "group",
    "rank",
    "grade",
]
CHAPTER_COLUMNS = ["unit", "year", "chapter", "points", "max_points", "rate"]


def unit_scores(
    catalogue: Catalogue, results: pd.DataFrame, units: pd.DataFrame, unsubmitted: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores per unit-year, chapter subtotals per unit-year-chapter).

    Scores are ranked within each unit's general kind and year and sorted by year, kind, rank and unit;
    chapters by year, unit and the catalogue's chapter order. Sums are pandas' grouped sums (compensated);
    everything else is numpy, since a dozen pandas calls on a few rows cost more than the sums.
    ``unsubmitted`` (unit, kind, year) are the unit-years with no submission at all, listed after the others
    of their year and kind.
    """
    scores = _scores(catalogue, results) if len(results) else pd.DataFrame(columns=SCORE_COLUMNS)
    chapters = _chapters(catalogue, results) if len(results) else pd.DataFrame(columns=CHAPTER_COLUMNS)
    if unsubmitted is not None and len(unsubmitted):
        scores = _with_unsubmitted(catalogue, scores, unsubmitted)
    return scores, chapters


def _with_unsubmitted(catalogue: Catalogue, scores: pd.DataFrame, unsubmitted: pd.DataFrame) -> pd.DataFrame:
    rows = len(unsubmitted)
    general = [catalogue.general_kind(k) for k in unsubmitted["kind"].tolist()]
    extra = pd.DataFrame(
        {
            "unit": unsubmitted["unit"].to_numpy(dtype=object),
            "kind": unsubmitted["kind"].to_numpy(dtype=object),
            "year": unsubmitted["year"].to_numpy(dtype=np.int64),
            "points": np.zeros(rows),
            "max_points": np.zeros(rows),
            **{name: np.zeros(rows, dtype=np.int64) for name in STATUS_LABELS},
            "rate": np.full(rows, np.nan),
            "coverage": np.full(rows, np.nan),
            "submitted": np.zeros(rows, dtype=bool),
            "group": np.asarray(general, dtype=object),
            "rank": np.full(rows, np.nan),
            "grade": np.full(rows, "", dtype=object),
        },
        columns=SCORE_COLUMNS,
    )
    both = pd.concat([scores, extra], ignore_index=True) if len(scores) else extra
    kind_order = {k.id: i for i, k in enumerate(catalogue.unit_kinds)}
    order = np.lexsort(
        (
            both["unit"].to_numpy(dtype=object),
            ~both["submitted"].to_numpy(dtype=bool),
            both["rank"].to_numpy(dtype=np.float64),
            np.array([kind_order.get(g, len(kind_order)) for g in both["group"].tolist()]),
            both["year"].to_numpy(dtype=np.int64),
        )
    )
    return both.iloc[order].reset_index(drop=True)


def _scores(catalogue: Catalogue, results: pd.DataFrame) -> pd.DataFrame:
    group = row_codes([results["unit"], results["kind"], results["year"]])  # unit-years, as first met
    first = first_of_each(group)
    totals = results[["points", "max_points"]].groupby(group).sum()
    status = codes(list(STATUS_LABELS), results["status"])
    assert (status >= 0).all(), "a result with a status outside STATUS_LABELS"
    counts = np.bincount(group * len(STATUS_LABELS) + status, minlength=len(first) * len(STATUS_LABELS))
    counts = counts.reshape(len(first), len(STATUS_LABELS))
    unit = results["unit"].to_numpy(dtype=object)[first]
    kind = results["kind"].to_numpy(dtype=object)[first]
    year = results["year"].to_numpy(dtype=np.int64)[first]
    points, max_points = totals["points"].to_numpy(), totals["max_points"].to_numpy()
    rate = np.full(len(first), np.nan)
    rate[max_points > 0] = points[max_points > 0] / max_points[max_points > 0]
    general = np.array([catalogue.general_kind(k) for k in kind.tolist()], dtype=object)
    scored = counts[:, [list(STATUS_LABELS).index(s) for s in SCORED_STATUSES]].sum(axis=1)
    no_data = counts[:, [list(STATUS_LABELS).index(s) for s in NO_DATA_STATUSES]].sum(axis=1)
    coverage = np.full(len(first), np.nan)
    coverage[scored > 0] = 1.0 - no_data[scored > 0] / scored[scored > 0]
    rank = _rank_within(row_codes([general, year]), rate)
    kind_order = {k.id: float(i) for i, k in enumerate(catalogue.unit_kinds)}
    general_order = np.array([kind_order.get(g, np.nan) for g in general.tolist()])
    order = np.lexsort((unit, rank, general_order, year))  # the last key sorts first; NaN ranks last
    columns: dict[str, np.ndarray] = {
        "unit": unit,
        "kind": kind,
        "year": year,
        "points": points,
        "max_points": max_points,
        **{name: counts[:, i] for i, name in enumerate(STATUS_LABELS)},
        "rate": rate,
        "coverage": coverage,
        "submitted": np.ones(len(first), dtype=bool),
        "group": general,
        "rank": rank,
        "grade": _grades(catalogue, rate),
    }
    return pd.DataFrame({name: columns[name][order] for name in SCORE_COLUMNS})


def _rank_within(partition: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Rank of each rate within its partition, highest first, ties sharing the lowest rank (NaN: no rank)."""
    rank = np.full(len(rate), np.nan)
    rated = np.flatnonzero(~np.isnan(rate))
    order = rated[np.lexsort((-rate[rated], partition[rated]))]
    part, value = partition[order], rate[order]
    position = np.arange(len(order))
    new_part = np.r_[True, part[1:] != part[:-1]]
    new_value = new_part | np.r_[True, value[1:] != value[:-1]]
    part_start = np.maximum.accumulate(np.where(new_part, position, 0))
    value_start = np.maximum.accumulate(np.where(new_value, position, 0))
    rank[order] = (value_start - part_start + 1).astype(np.float64)
    return rank


def _grades(catalogue: Catalogue, rates: np.ndarray) -> np.ndarray:
    """Grade band of each 得分率 (bands listed from the highest ``min_rate`` down); empty without a rate."""
    grades = np.full(len(rates), "", dtype=object)
    open_ = ~np.isnan(rates)
    for grade in catalogue.grades:
        hit = open_ & (rates >= grade.min_rate - 1e-9)
        grades[hit] = grade.name
        open_ &= ~hit
    return grades


def _chapters(catalogue: Catalogue, results: pd.DataFrame) -> pd.DataFrame:
    group = row_codes([results["unit"], results["year"], results["chapter"]])
    first = first_of_each(group)
    totals = results[["points", "max_points"]].groupby(group).sum()
    unit = results["unit"].to_numpy(dtype=object)[first]
    year = results["year"].to_numpy(dtype=np.int64)[first]
    chapter = results["chapter"].to_numpy(dtype=object)[first]
    points, max_points = totals["points"].to_numpy(), totals["max_points"].to_numpy()
    rate = np.full(len(first), np.nan)
    rate[max_points > 0] = points[max_points > 0] / max_points[max_points > 0]
    chapter_order = {c.id: float(i) for i, c in enumerate(catalogue.chapters)}
    place = np.array([chapter_order.get(c, np.nan) for c in chapter.tolist()])
    order = np.lexsort((place, unit, year))
    columns = {"unit": unit, "year": year, "chapter": chapter, "points": points, "max_points": max_points}
    return pd.DataFrame({**{k: v[order] for k, v in columns.items()}, "rate": rate[order]})
