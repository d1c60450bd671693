"""A district's figures summed from its sub-units, where the catalogue says so (``roll_up: sum`` on a field).

Towns and district departments name their district in the register (所属区 → ``Submission.units.parent``).
For a field marked ``roll_up: sum``, a district that gave nothing of its own for a year and period is given
the sum of what its sub-units reported, and the source says so: 由下属单位汇总：X、Y. What counts as the
district's own: a figure (reported or from its ledger), one that failed validation (数据有误), an explicit
answer (不适用, 未公开). Figures read together roll up together or not at all — a part and its whole, an
indicator's numerator, denominator and published rate: a district that gave any of them gives all of them, so
a ratio never sets the district's own figure against its sub-units' sum. A figure the district reported is
never replaced; one below its sub-units' sum is a warning (``roll-up-short``). One level: sub-units' own
figures only. A sum with a sub-unit's figure 数据有误 is 数据有误 too (the sum is not known).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import PERIOD_NAMES
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.issues import Issue

ROLLED_SOURCE = "由下属单位汇总："
KEY = ["unit", "year", "period", "field"]


def roll_up(
    catalogue: Catalogue, units: pd.DataFrame, answers: pd.DataFrame | None, table: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], list[Issue]]:
    """``table`` (the arrays of :func:`~lawgov_metrics.engine.values.combine_table`) with the rolled-up
    figures appended and ``rolled_up`` marking them, and the ``roll-up-short`` warnings."""
    out = dict(table)
    out["rolled_up"] = np.zeros(len(table["value"]), dtype=bool)
    summed = [f.id for f in catalogue.fields if f.roll_up == "sum"]
    parent_of = _parents(units)
    if not summed or parent_of.empty or not len(table["value"]):
        return out, []
    frame = pd.DataFrame(
        {name: table[name] for name in ("unit", "year", "period", "field", "value", "invalid")}
    )
    frame["source"] = table["source"]
    children = frame[frame["field"].isin(summed) & frame["unit"].isin(parent_of.index)]
    if children.empty:
        return out, []
    listed = units["unit"].drop_duplicates().to_numpy(dtype=object)
    order = pd.Series(np.arange(len(listed)), index=listed)
    children = children.sort_values("unit", key=lambda u: u.map(order), kind="stable")  # register order
    sums = (
        children.assign(parent=children["unit"].map(parent_of))
        .groupby(["parent", "year", "period", "field"], sort=True)
        .agg(
            value=("value", lambda v: v.sum(min_count=1)),
            invalid=("invalid", "any"),
            names=("unit", lambda u: "、".join(dict.fromkeys(map(str, u)))),
        )
        .reset_index()
        .rename(columns={"parent": "unit"})
    )
    group = _groups(catalogue)
    own = pd.concat([frame[KEY], _answered(answers)], ignore_index=True)
    own = own.assign(group=own["field"].map(group)).dropna(subset=["group"])
    given = pd.MultiIndex.from_frame(own[["unit", "year", "period", "group"]].astype({"year": "int64"}))
    taken = pd.MultiIndex.from_frame(
        sums[["unit", "year", "period"]].assign(group=sums["field"].map(group)).astype({"year": "int64"})
    ).isin(given)
    issues = _short(catalogue, sums[taken], frame)
    new = sums[~taken]
    if new.empty:
        return out, issues
    added = {
        "unit": new["unit"].to_numpy(dtype=object),
        "year": new["year"].to_numpy(dtype=np.int64),
        "period": new["period"].to_numpy(dtype=object),
        "field": new["field"].to_numpy(dtype=object),
        "value": np.where(new["invalid"], np.nan, new["value"].to_numpy(dtype=np.float64)),  # sum unknown
        "source": (ROLLED_SOURCE + new["names"]).to_numpy(dtype=object),
        "invalid": new["invalid"].to_numpy(dtype=bool),
        "rolled_up": np.ones(len(new), dtype=bool),
    }
    for name, column in out.items():
        out[name] = np.concatenate([column, added[name] if name in added else _blank(column, len(new))])
    return out, issues


def _parents(units: pd.DataFrame) -> pd.Series:
    """Sub-unit → its district, for sub-units whose district is among ``units``."""
    if "parent" not in units:
        return pd.Series(dtype=object)
    known = units[
        units["parent"].notna() & units["parent"].isin(units["unit"]) & (units["parent"] != units["unit"])
    ]
    known = known.drop_duplicates("unit")
    return pd.Series(known["parent"].to_numpy(dtype=object), index=known["unit"].to_numpy(dtype=object))


def _groups(catalogue: Catalogue) -> dict[str, str]:
    """Field → its group: fields linked as part and whole, or read by one ratio or trend, share one."""
    root = {f.id: f.id for f in catalogue.fields}

    def find(field_id: str) -> str:
        while root[field_id] != field_id:
            field_id = root[field_id]
        return field_id

    links = [(f.id, f.part_of) for f in catalogue.fields if f.part_of]
    for ind in catalogue.indicators:
        if ind.kind in ("ratio", "trend") and ind.numerator and ind.denominator:
            links += [(ind.numerator, ind.denominator)] + ([(ind.numerator, ind.rate)] if ind.rate else [])
    for a, b in links:
        root[find(a)] = find(b)
    return {field_id: find(field_id) for field_id in root}


def _answered(answers: pd.DataFrame | None) -> pd.DataFrame:
    if answers is None or answers.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in KEY})
    return answers[KEY]


def _short(catalogue: Catalogue, sums: pd.DataFrame, frame: pd.DataFrame) -> list[Issue]:
    """A district's own figure below its sub-units' sum (neither 数据有误): one warning at its cell."""
    both = sums[~sums["invalid"] & sums["value"].notna()].merge(
        frame[~frame["invalid"]][[*KEY, "value", "source"]], on=KEY, suffixes=("_sum", "")
    )
    issues = []
    for row in both[both["value"] < both["value_sum"] - 1e-9].to_dict("records"):
        name = catalogue.fields_by_id[str(row["field"])].name
        period = "" if row["period"] == "Y" else PERIOD_NAMES.get(str(row["period"]), str(row["period"]))
        issues.append(
            Issue.at(
                "roll-up-short",
                f"「{name}」{row['year']} 年{period}填报 {row['value']:g}，小于下属单位填报数之和 "
                f"{row['value_sum']:g}（{row['names']}）；按指标目录，本项应包含下属单位，请核对",
                row["source"],
                value=f"{row['value']:g}",
                unit=str(row["unit"]),
            )
        )
    return issues


def _blank(column: np.ndarray, n: int) -> np.ndarray:
    """``n`` empty entries of a column's kind: NaT, NaN, False, 0 or ""."""
    kind = column.dtype.kind
    if kind == "M":
        return np.full(n, np.datetime64("NaT"), dtype=column.dtype)
    if kind == "f":
        return np.full(n, np.nan, dtype=column.dtype)
    if kind in "biu":
        return np.zeros(n, dtype=column.dtype)
    return np.full(n, "", dtype=object)
