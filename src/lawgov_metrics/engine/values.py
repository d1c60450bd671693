"""Every figure the indicators read — reported directly or derived from a ledger — combined once, then looked
up for all rows of a grid at once by (field, period, unit, year)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import PERIOD_NAMES
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.engine.derive import derive_table
from lawgov_metrics.engine.keys import ABSENT, YEAR_SPAN, KeyIndex, codes, pair_keys, row_codes
from lawgov_metrics.engine.roll_up import roll_up
from lawgov_metrics.issues import Issue
from lawgov_metrics.submission import Submission

VALUE_COLUMNS = ["unit", "year", "period", "field", "value", "date", "source", "invalid"]


def coverage_of(submission: Submission) -> pd.DataFrame:
    """Which (ledger, unit, year) were supplied, once each."""
    if submission.coverage is None or submission.coverage.empty:
        return pd.DataFrame(
            {
                "ledger": pd.Series(dtype="str"),
                "unit": pd.Series(dtype="str"),
                "year": pd.Series(dtype="int64"),
            }
        )
    key = ["ledger", "unit", "year"]
    files = ["files"] if "files" in submission.coverage else []  # out of core: the files named, per key
    return submission.coverage[key + files].drop_duplicates(key).reset_index(drop=True)


def combine_values(
    catalogue: Catalogue, submission: Submission, coverage: pd.DataFrame
) -> tuple[pd.DataFrame, list[Issue]]:
    """Direct values and ledger-derived ones; both given and disagreeing is an issue and 数据有误, not a guess.

    Returns one row per (unit, year, period, field) — ``VALUE_COLUMNS`` — and the ``ledger-conflict`` issues,
    in the order of their keys.
    """
    table, issues = combine_table(catalogue, submission, coverage)
    frame = pd.DataFrame({name: table[name] for name in VALUE_COLUMNS})
    frame["source"] = frame["source"].fillna("")
    return frame, issues


def combine_table(
    catalogue: Catalogue, submission: Submission, coverage: pd.DataFrame
) -> tuple[dict[str, np.ndarray], list[Issue]]:
    """:func:`combine_values` as plain arrays, one per column of ``VALUE_COLUMNS``, and ``rolled_up``: the
    figures a district did not give, summed from its sub-units (:mod:`lawgov_metrics.engine.roll_up`)."""
    table, issues = _direct_and_derived(catalogue, submission, coverage)
    table, more = roll_up(catalogue, submission.units, submission.answers, table)
    return table, issues + more


def _direct_and_derived(
    catalogue: Catalogue, submission: Submission, coverage: pd.DataFrame
) -> tuple[dict[str, np.ndarray], list[Issue]]:
    """Direct values and ledger-derived ones, as plain arrays."""
    direct = submission.values
    table = {name: _objects(direct[name]) for name in ("unit", "period", "field")}
    table["source"] = direct["source"].astype("str").to_numpy(dtype=object, na_value="")
    table["year"] = direct["year"].to_numpy(dtype=np.int64)
    table["value"] = direct["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    table["date"] = pd.to_datetime(direct["date"]).to_numpy()
    table["invalid"] = np.zeros(len(direct), dtype=bool)
    if submission.invalid is not None and len(submission.invalid):
        table = _mark_invalid(table, submission.invalid)
    ledger = _ledger_figures(catalogue, submission, coverage)
    if not len(ledger["value"]):
        return table, []
    key = ("unit", "year", "period", "field")
    reported = len(table["value"])
    found = row_codes([np.concatenate([table[k], ledger[k]]) for k in key])
    in_direct = KeyIndex(found[:reported]).find(found[reported:])  # each ledger figure's direct row
    match = np.full(reported, ABSENT, dtype=np.int64)  # each direct row's ledger figure
    match[in_direct[in_direct >= 0]] = np.flatnonzero(in_direct >= 0)
    has_direct = ~np.isnan(table["value"])
    has_ledger = match >= 0
    at = np.where(has_ledger, match, 0)
    ledger_value = np.where(has_ledger, ledger["value"][at], np.nan)
    ledger_source = np.where(has_ledger, ledger["source"][at], "")
    conflict = has_direct & has_ledger & (np.abs(table["value"] - ledger_value) > 1e-9)
    issues = [
        _conflict(catalogue, {k: table[k][i] for k in table}, ledger_value[i], ledger_source[i])
        for i in sorted(np.flatnonzero(conflict), key=lambda i: tuple(table[k][i] for k in key))
    ]
    combined = dict(table)
    combined["value"] = np.where(has_direct, table["value"], ledger_value)
    dated = ~np.isnat(table["date"])  # a date reported directly is its own source, with no number beside it
    combined["source"] = np.where(has_direct | dated, table["source"], ledger_source)
    combined["invalid"] = table["invalid"] | (has_ledger & ledger["invalid"][at]) | conflict
    only_ledger = in_direct < 0
    for name in ("unit", "year", "period", "field", "value", "source", "invalid"):
        combined[name] = np.concatenate([combined[name], ledger[name][only_ledger]])
    combined["date"] = np.concatenate(
        [table["date"], np.full(int(only_ledger.sum()), np.datetime64("NaT"), dtype=table["date"].dtype)]
    )
    return combined, issues


def _ledger_figures(
    catalogue: Catalogue, submission: Submission, coverage: pd.DataFrame
) -> dict[str, np.ndarray]:
    """Ledger-derived figures: aggregated already (``Submission.derived``, e.g. by DuckDB) or derived here."""
    given = submission.derived
    if given is None:
        return derive_table(catalogue, submission.ledgers, coverage)
    types = {"year": np.int64, "value": np.float64, "rows": np.int64, "invalid": bool}
    return {name: given[name].to_numpy(dtype=types.get(name, object)) for name in given.columns}


def _objects(column: pd.Series) -> np.ndarray:
    """A text column as an object array of str (NaN where blank), through its few distinct values."""
    found, distinct = pd.factorize(column.astype("str"))
    names = np.asarray([*map(str, distinct), np.nan], dtype=object)
    return names[found]


def _mark_invalid(table: dict[str, np.ndarray], invalid: pd.DataFrame) -> dict[str, np.ndarray]:
    """A figure whose (unit, year, field) failed validation is 数据有误; one that could not be read at all
    still marks its field, as a row of its own."""
    bad = invalid[["unit", "year", "field"]].drop_duplicates()
    bad_keys = list(zip(bad["unit"].tolist(), bad["year"].tolist(), bad["field"].tolist(), strict=True))
    reported = list(zip(table["unit"].tolist(), table["year"].tolist(), table["field"].tolist(), strict=True))
    wanted = set(bad_keys)
    table["invalid"] = np.fromiter((k in wanted for k in reported), dtype=bool, count=len(reported))
    present = set(reported)
    unread = [k for k in bad_keys if k not in present]
    if not unread:
        return table
    extra = {
        "unit": np.array([k[0] for k in unread], dtype=object),
        "year": np.array([k[1] for k in unread], dtype=np.int64),
        "period": np.full(len(unread), "Y", dtype=object),
        "field": np.array([k[2] for k in unread], dtype=object),
        "value": np.full(len(unread), np.nan),
        "date": np.full(len(unread), np.datetime64("NaT"), dtype=table["date"].dtype),
        "source": np.full(len(unread), "", dtype=object),
        "invalid": np.ones(len(unread), dtype=bool),
    }
    return {name: np.concatenate([table[name], extra[name]]) for name in table}


def _conflict(catalogue: Catalogue, row: dict[str, object], ledger_value: float, ledger_source: str) -> Issue:
    name = catalogue.fields_by_id[str(row["field"])].name
    value = float(row["value"])  # type: ignore[arg-type]
    return Issue.at(
        "ledger-conflict",
        f"「{name}」直接填报为 {value:g}，但台账汇总为 {ledger_value:g}（{ledger_source}）",
        row["source"],
        value=f"{value:g}",
        unit=str(row["unit"]),
    )


@dataclass(frozen=True)
class Found:
    """A field's figure for each row looked up: its value (NaN where not reported), date (NaT), source
    (file › sheet › cell or the ledger; empty where not reported) and whether it is 数据有误."""

    value: np.ndarray
    date: np.ndarray
    source: np.ndarray
    invalid: np.ndarray


class FieldValues:
    """The combined figures, keyed by (field, period, unit, year) as one int64 for vectorised look-ups.

    Fields are coded by their position in ``field_ids`` and units by their position in ``units``: the grid of
    an evaluation carries the same unit codes, so a look-up is arithmetic and one sorted search.
    """

    PERIODS = tuple(PERIOD_NAMES)

    def __init__(self, table: Mapping[str, np.ndarray], field_ids: Sequence[str], units: np.ndarray) -> None:
        """``table``: the arrays of :func:`combine_table`."""
        self._field_code = {f: i for i, f in enumerate(field_ids)}
        self._units = len(units)
        field = codes(list(field_ids), table["field"])
        period = codes(list(self.PERIODS), table["period"])
        unit_year = pair_keys(codes(units, table["unit"]), table["year"])
        keys = self._keys(field, period, unit_year)
        kept = np.flatnonzero(keys != ABSENT)  # a figure of no listed field or unit is never looked up
        self._index = KeyIndex(keys[kept])
        self._value = table["value"][kept]
        self._date = table["date"][kept]
        self._source = table["source"][kept]
        self._invalid = table["invalid"][kept]

    def _keys(self, field: np.ndarray, period: np.ndarray, unit_year: np.ndarray) -> np.ndarray:
        ok = (field >= 0) & (period >= 0) & (unit_year != ABSENT)
        key = (field * len(self.PERIODS) + period) * (self._units * YEAR_SPAN) + unit_year
        return np.where(ok, key, ABSENT)

    def code(self, field_id: str | None) -> int:
        """The field's code for :meth:`lookup` (``ABSENT`` for None or a field not in the catalogue)."""
        return self._field_code.get(field_id, ABSENT) if field_id else ABSENT

    def lookup(
        self, field_codes: np.ndarray, unit_codes: np.ndarray, years: np.ndarray, period: str = "Y"
    ) -> Found:
        """Each row's figure of field ``field_codes[i]`` for unit ``unit_codes[i]`` in ``years[i]`` and ``period``."""
        period_code = np.full(len(field_codes), self.PERIODS.index(period), dtype=np.int64)
        at = self._index.find(self._keys(field_codes, period_code, pair_keys(unit_codes, years)))
        hit = at >= 0
        if not len(self._value):  # nothing reported at all
            return Found(
                np.full(len(at), np.nan),
                np.full(len(at), np.datetime64("NaT"), dtype="datetime64[ns]"),
                np.full(len(at), "", dtype=object),
                np.zeros(len(at), dtype=bool),
            )
        at = np.where(hit, at, 0)
        return Found(
            value=np.where(hit, self._value[at], np.nan),
            date=np.where(hit, self._date[at], np.datetime64("NaT")),
            source=np.where(hit, self._source[at], ""),
            invalid=hit & self._invalid[at],
        )
