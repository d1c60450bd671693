"""Fields derived from ledgers by declared aggregations, vectorised: one pass per ledger and granularity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS
from lawgov_metrics.catalogue.models import Catalogue, FieldDef
from lawgov_metrics.engine.conditions import LedgerMasks
from lawgov_metrics.engine.keys import ABSENT, KeyIndex, codes, first_of_each, pair_keys, years_of

GROUP_KEYS = {"year": [], "half": ["half"], "quarter": ["quarter"]}


DERIVED_COLUMNS = ["unit", "year", "period", "field", "value", "source", "rows", "invalid"]


def derive_values(
    catalogue: Catalogue, ledgers: Mapping[str, pd.DataFrame], coverage: pd.DataFrame
) -> pd.DataFrame:
    """Values of every derived field for every covered (unit, year) and period; zero where no record matches."""
    table = derive_table(catalogue, ledgers, coverage)
    if not len(table["value"]):
        return pd.DataFrame(columns=DERIVED_COLUMNS)
    frame = pd.DataFrame(table)
    return frame.astype({"unit": "str", "period": "str", "field": "str", "source": "str"})


def derive_table(
    catalogue: Catalogue, ledgers: Mapping[str, pd.DataFrame], coverage: pd.DataFrame
) -> dict[str, np.ndarray]:
    """:func:`derive_values` as plain arrays, one per column of ``DERIVED_COLUMNS``.

    Each ledger's records are placed once in their covered unit-year; every field is then one condition
    mask and one ``bincount`` over those places, so the cost grows with the records, not with the number of
    fields in the catalogue (a pandas groupby and merge per field cost milliseconds even on a few rows).
    """
    groups: dict[tuple[str, str], list[FieldDef]] = {}
    for field in catalogue.fields:
        if field.derive is not None:
            groups.setdefault((field.derive.ledger, field.period), []).append(field)
    covered = _Coverage.of(coverage)
    places: dict[str, _Places] = {}
    parts = []
    for (ledger_id, granularity), fields in groups.items():
        if ledger_id not in places:
            places[ledger_id] = _Places.of(ledgers.get(ledger_id), covered, ledger_id)
        if len(places[ledger_id].units):
            label = f"台账《{catalogue.ledgers_by_id[ledger_id].name}》"
            parts.append(_derive_group(places[ledger_id], granularity, fields, label))
    if not parts:
        empty = {"year": np.int64, "value": np.float64, "rows": np.int64, "invalid": bool}
        return {name: np.zeros(0, dtype=empty.get(name, object)) for name in DERIVED_COLUMNS}
    return {name: np.concatenate([part[name] for part in parts]) for name in DERIVED_COLUMNS}


@dataclass(frozen=True)
class _Coverage:
    """Which ledgers were supplied for which unit-years, as arrays (read once for all ledgers)."""

    ledger: np.ndarray
    unit: np.ndarray
    year: np.ndarray

    @classmethod
    def of(cls, coverage: pd.DataFrame) -> _Coverage:
        return cls(
            coverage["ledger"].to_numpy(dtype=object),
            coverage["unit"].to_numpy(dtype=object),
            years_of(coverage["year"]),
        )


@dataclass(frozen=True)
class _Places:
    """A ledger's covered unit-years (in the order coverage lists them) and, for each record, the covered
    unit-year it falls in (``ABSENT`` if none), with per unit-year the files it came from and whether any
    record failed validation (a row that failed anywhere in the unit-year makes its figures unreliable)."""

    units: np.ndarray
    years: np.ndarray
    record_place: np.ndarray
    files: list[str]
    invalid: np.ndarray
    masks: LedgerMasks | None

    @classmethod
    def of(cls, ledger: pd.DataFrame | None, coverage: _Coverage, ledger_id: str) -> _Places:
        mine = coverage.ledger == ledger_id
        unit_codes, unit_names = pd.factorize(coverage.unit[mine])
        years = coverage.year[mine]
        covered_keys = pair_keys(unit_codes.astype(np.int64), years)
        first = first_of_each(covered_keys)
        first = first[covered_keys[first] != ABSENT]
        units, years, covered_keys = (
            np.asarray(unit_names, dtype=object)[unit_codes[first]],
            years[first],
            covered_keys[first],
        )
        if ledger is None or ledger.empty:
            nothing = np.full(0, ABSENT, dtype=np.int64)
            return cls(units, years, nothing, [""] * len(units), np.zeros(len(units), bool), None)
        record_keys = pair_keys(codes(unit_names, ledger["unit"]), years_of(ledger["year"]))
        place = KeyIndex(covered_keys).find(record_keys)
        placed = place >= 0
        file_codes, file_names = pd.factorize(ledger["_file"])
        names, radix = [str(f) for f in file_names], len(file_names) + 1
        pairs = place[placed] * radix + file_codes[placed]
        files: list[list[str]] = [[] for _ in units]
        for pair in pairs[
            first_of_each(pairs)
        ].tolist():  # each file once, in the order the records name them
            files[pair // radix].append(names[pair % radix])
        bad = placed & ledger["_invalid"].to_numpy(dtype=bool)
        invalid = np.bincount(place[bad], minlength=len(units)) > 0
        return cls(units, years, place, ["、".join(f) for f in files], invalid, LedgerMasks(ledger))


def _derive_group(
    places: _Places, granularity: str, fields: list[FieldDef], label: str
) -> dict[str, np.ndarray]:
    """Every field of one ledger and granularity, for every covered unit-year × period of the granularity."""
    periods = GRANULARITY_PERIODS[granularity]
    width = len(periods)
    size = len(places.units) * width  # covered unit-year i, period j → row i * width + j
    masks = places.masks
    ledger = masks.frame if masks is not None else None
    if ledger is None:
        place = places.record_place
    elif granularity == "year":
        place = places.record_place * width
    else:
        period_codes = codes(list(periods), ledger[GROUP_KEYS[granularity][0]])
        place = np.where(period_codes >= 0, places.record_place * width + period_codes, ABSENT)
        place[places.record_place < 0] = ABSENT
    values, counts = [], []
    for field in fields:
        derive = field.derive
        assert derive is not None
        if ledger is None or masks is None:  # supplied, but without a single record
            values.append(np.zeros(size))
            counts.append(np.zeros(size, dtype=np.int64))
            continue
        chosen = masks.where(derive.where) & (place >= 0)
        rows = np.bincount(place[chosen], minlength=size)
        if derive.agg == "sum" and derive.column is not None:
            # pandas' grouped sum (compensated, in record order): the same figure to the last digit
            sums = ledger[derive.column][chosen].groupby(place[chosen], sort=False).sum()
            value = np.zeros(size)
            value[sums.index.to_numpy(dtype=np.int64)] = sums.to_numpy(dtype=np.float64)
        elif derive.agg == "count_distinct" and derive.column is not None:
            found, distinct = pd.factorize(ledger[derive.column])
            known = chosen & (found >= 0)  # a blank is no value
            pairs = np.unique(place[known] * (len(distinct) + 1) + found[known])
            value = np.bincount(pairs // (len(distinct) + 1), minlength=size).astype(np.float64)
        else:
            value = rows.astype(np.float64)
        values.append(value)
        counts.append(rows)
    files = np.repeat(np.asarray(places.files, dtype=object), width)
    count = np.concatenate(counts)
    all_files = np.tile(files, len(fields))
    source = np.array(
        [
            f"{f} › {label} {n} 条" if f else f"{label} 0 条"
            for f, n in zip(all_files.tolist(), count.tolist(), strict=True)
        ],
        dtype=object,
    )
    return {
        "unit": np.tile(np.repeat(places.units, width), len(fields)),
        "year": np.tile(np.repeat(places.years, width), len(fields)),
        "period": np.tile(np.asarray(periods, dtype=object), len(places.units) * len(fields)),
        "field": np.repeat(np.asarray([f.id for f in fields], dtype=object), size),
        "value": np.concatenate(values),
        "source": source,
        "rows": count,
        "invalid": np.tile(np.repeat(places.invalid, width), len(fields)),
    }
