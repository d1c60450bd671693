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
    """Values of every derived field for every covered (unit, year) and period; zero where no record matches.

    Fields are derived a ledger and a granularity at a time: one condition mask per field, one groupby and
    one merge for all of them, so the cost does not grow with the number of fields in the catalogue.
    """
    groups: dict[tuple[str, str], list[FieldDef]] = {}
    for field in catalogue.fields:
        if field.derive is not None:
            groups.setdefault((field.derive.ledger, field.period), []).append(field)
    frames = [
        _derive_group(catalogue, ledger_id, granularity, fields, ledgers.get(ledger_id), coverage)
        for (ledger_id, granularity), fields in groups.items()
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=DERIVED_COLUMNS)
    return pd.concat(frames, ignore_index=True)


DERIVED_COLUMNS = ["unit", "year", "period", "field", "value", "source", "rows", "invalid"]


def _ledger_facts(ledger: pd.DataFrame) -> pd.DataFrame:
    """Per unit-year of a ledger: the files it came from, and whether any row failed validation
    (a row that failed anywhere in the unit-year makes its derived figures unreliable)."""
    pairs = ledger[["unit", "year", "_file"]].drop_duplicates()
    files = pairs.groupby(["unit", "year"], observed=True, sort=True)["_file"].agg("、".join).rename("files")
    bad = ledger.loc[ledger["_invalid"], ["unit", "year"]].drop_duplicates().assign(invalid=True)
    return files.reset_index().merge(bad, on=["unit", "year"], how="left")


def _derive_group(
    catalogue: Catalogue,
    ledger_id: str,
    granularity: str,
    fields: list[FieldDef],
    ledger: pd.DataFrame | None,
    coverage: pd.DataFrame,
) -> pd.DataFrame:
    covered = coverage.loc[coverage["ledger"] == ledger_id, ["unit", "year"]].drop_duplicates()
    if covered.empty:
        return pd.DataFrame(columns=DERIVED_COLUMNS)
    # the grid: every covered unit-year × every period of the granularity
    grid = covered.merge(pd.DataFrame({"period": GRANULARITY_PERIODS[granularity]}), how="cross")
    if ledger is None or ledger.empty:
        grid["files"], grid["invalid"] = "", False
        stats: dict[str, tuple[pd.Series, pd.Series]] = {
            f.id: (pd.Series(0.0, index=grid.index), pd.Series(0, index=grid.index)) for f in fields
        }
    else:
        keys = ["unit", "year", *GROUP_KEYS[granularity]]
        wide = ledger[keys].copy()
        for field in fields:
            derive = field.derive
            assert derive is not None
            mask = condition_mask(ledger, derive.where)
            wide[f"n:{field.id}"] = mask.astype("int64")
            if (derive.agg == "sum" and derive.column is not None) or (
                derive.agg == "count_distinct" and derive.column is not None
            ):
                wide[f"v:{field.id}"] = ledger[derive.column].where(mask)
        grouped = wide.groupby(keys, observed=True, sort=False)
        sums = grouped[[c for c in wide.columns if c.startswith("n:") or _is_sum(c, fields)]].sum(min_count=0)
        distinct = [c for c in wide.columns if c.startswith("v:") and not _is_sum(c, fields)]
        agg = sums.join(grouped[distinct].nunique()) if distinct else sums
        agg = agg.reset_index()
        if granularity == "year":
            agg["period"] = "Y"
        else:
            agg = agg.rename(columns={keys[-1]: "period"})
        grid = grid.merge(agg, on=["unit", "year", "period"], how="left")
        grid = grid.merge(_ledger_facts(ledger), on=["unit", "year"], how="left")
        grid["files"] = grid["files"].fillna("")
        grid["invalid"] = grid["invalid"].astype("boolean").fillna(False).astype(bool)
        stats = {}
        for field in fields:
            rows = grid[f"n:{field.id}"].fillna(0).astype("int64")
            value = rows.astype("float64") if f"v:{field.id}" not in grid else grid[f"v:{field.id}"]
            stats[field.id] = (value.fillna(0.0).astype("float64"), rows)
    label = f"台账《{catalogue.ledgers_by_id[ledger_id].name}》"
    parts = []
    for field in fields:
        value, rows = stats[field.id]
        parts.append(
            pd.DataFrame(
                {
                    "unit": grid["unit"],
                    "year": grid["year"],
                    "period": grid["period"],
                    "field": field.id,
                    "value": value,
                    "rows": rows,
                    "invalid": grid["invalid"],
                    "files": grid["files"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["source"] = np.where(
        out["files"] != "",
        out["files"] + " › " + label + " " + out["rows"].astype(str) + " 条",
        label + " 0 条",
    )
    return out[DERIVED_COLUMNS]


def _is_sum(column: str, fields: list[FieldDef]) -> bool:
    """A ``v:`` column of a sum (summed) rather than a count_distinct (counted distinct)."""
    if not column.startswith("v:"):
        return False
    field_id = column[2:]
    return any(f.id == field_id and f.derive is not None and f.derive.agg == "sum" for f in fields)
