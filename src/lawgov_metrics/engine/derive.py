"""Fields derived from ledgers by declared aggregations, vectorised: group by unit, year and period."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS
from lawgov_metrics.catalogue.models import Catalogue, Condition, FieldDef

GROUP_KEYS = {"year": [], "half": ["half"], "quarter": ["quarter"]}


def condition_mask(frame: pd.DataFrame, conditions: tuple[Condition, ...]) -> pd.Series:
    """Rows meeting every condition. Comparisons with a missing value are false (never a silent match)."""
    mask = pd.Series(True, index=frame.index)
    for cond in conditions:
        column = frame[cond.column]
        value = cond.value
        if isinstance(value, bool) and column.dtype == "float64":
            value = float(value)
        match cond.op:
            case "eq":
                part = column == value
            case "ne":
                part = column.notna() & (column != value)
            case "in":
                part = column.isin(list(value))  # type: ignore[arg-type]
            case "not_in":
                part = column.notna() & ~column.isin(list(value))  # type: ignore[arg-type]
            case "ge":
                part = column >= _comparable(column, value)
            case "gt":
                part = column > _comparable(column, value)
            case "le":
                part = column <= _comparable(column, value)
            case "lt":
                part = column < _comparable(column, value)
            case "is_null":
                part = column.isna()
            case "not_null":
                part = column.notna()
        mask &= part.fillna(False).astype(bool)
    return mask


def _comparable(column: pd.Series, value: object) -> object:
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.Timestamp(str(value))
    return value


def derive_values(
    catalogue: Catalogue, ledgers: Mapping[str, pd.DataFrame], coverage: pd.DataFrame
) -> pd.DataFrame:
    """Values of every derived field for every covered (unit, year) and period; zero where no record matches."""
    facts = {lid: _ledger_facts(frame) for lid, frame in ledgers.items() if not frame.empty}
    frames = [
        _derive_field(catalogue, f, ledgers, coverage, facts)
        for f in catalogue.fields
        if f.derive is not None
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["unit", "year", "period", "field", "value", "source", "rows", "invalid"])
    return pd.concat(frames, ignore_index=True)


def _ledger_facts(ledger: pd.DataFrame) -> pd.DataFrame:
    """Per unit-year of a ledger, once: the files it came from, and whether any row failed validation
    (a row that failed anywhere in the unit-year makes its derived figures unreliable)."""
    pairs = ledger[["unit", "year", "_file"]].drop_duplicates()
    files = pairs.groupby(["unit", "year"], observed=True, sort=True)["_file"].agg("、".join).rename("files")
    bad = ledger.loc[ledger["_invalid"], ["unit", "year"]].drop_duplicates().assign(invalid=True)
    return files.reset_index().merge(bad, on=["unit", "year"], how="left")


def _derive_field(
    catalogue: Catalogue,
    field: FieldDef,
    ledgers: Mapping[str, pd.DataFrame],
    coverage: pd.DataFrame,
    facts: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    derive = field.derive
    assert derive is not None
    covered = coverage.loc[coverage["ledger"] == derive.ledger, ["unit", "year"]].drop_duplicates()
    if covered.empty:
        return pd.DataFrame()
    ledger = ledgers.get(derive.ledger)
    # the grid: every covered unit-year × every period of the field's granularity
    periods = GRANULARITY_PERIODS[field.period]
    grid = covered.merge(pd.DataFrame({"period": periods}), how="cross")
    keys = ["unit", "year", *GROUP_KEYS[field.period]]
    if ledger is None or ledger.empty:
        grid["value"] = 0.0
        grid["rows"] = 0
        grid["invalid"] = False
        grid["files"] = ""
    else:
        rows = ledger[condition_mask(ledger, derive.where)]
        grouped = rows.groupby(keys, observed=True, sort=False)
        if derive.agg == "count" or derive.column is None:
            agg = grouped.size().rename("value").astype("float64")
        elif derive.agg == "sum":
            agg = grouped[derive.column].sum(min_count=0).rename("value").astype("float64")
        else:
            agg = grouped[derive.column].nunique().rename("value").astype("float64")
        stats = pd.concat([agg, grouped.size().rename("rows")], axis=1).reset_index()
        if field.period != "year":
            stats = stats.rename(columns={keys[-1]: "period"})
        else:
            stats["period"] = "Y"
        grid = grid.merge(stats, on=["unit", "year", "period"], how="left")
        grid = grid.merge(facts[derive.ledger], on=["unit", "year"], how="left")
        grid["value"] = grid["value"].fillna(0.0)
        grid["rows"] = grid["rows"].fillna(0).astype("int64")
        grid["invalid"] = grid["invalid"].astype("boolean").fillna(False).astype(bool)
        grid["files"] = grid["files"].fillna("")
    label = f"台账《{catalogue.ledgers_by_id[derive.ledger].name}》"
    grid["source"] = np.where(
        grid["files"] != "",
        grid["files"] + " › " + label + " " + grid["rows"].astype(str) + " 条",
        label + " 0 条",
    )
    grid["field"] = field.id
    return grid[["unit", "year", "period", "field", "value", "source", "rows", "invalid"]]
