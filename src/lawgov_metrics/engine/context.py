"""What the judges read (:class:`Context`) and which rows they judge (:class:`Grid`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Catalogue, Indicator
from lawgov_metrics.engine.conditions import LedgerMasks
from lawgov_metrics.engine.judged import text
from lawgov_metrics.engine.keys import ABSENT, YEAR_SPAN, codes, first_of_each, pair_keys, years_of
from lawgov_metrics.engine.values import FieldValues, Found
from lawgov_metrics.issues import Issue
from lawgov_metrics.submission import DurationFigures

T = TypeVar("T")


@dataclass(frozen=True)
class Grid:
    """Rows to judge, one per (indicator, unit, year), as arrays: each row's indicator (its position in
    ``indicators``), unit (its position in :attr:`Context.units`), unit kind and year."""

    indicators: tuple[Indicator, ...]
    which: np.ndarray
    unit: np.ndarray
    kind: np.ndarray
    year: np.ndarray

    def __len__(self) -> int:
        return len(self.which)

    def each(self, per_indicator: Sequence[object]) -> np.ndarray:
        """One value per indicator, spread to its rows (text as an object array)."""
        if all(isinstance(v, str) for v in per_indicator):
            spread = text([str(v) for v in per_indicator])[self.which]
        else:
            spread = np.asarray(per_indicator)[self.which]
        return np.asarray(spread)

    def take(self, rows: np.ndarray) -> Grid:
        """Some rows, in the order given, with only the indicators they belong to (in the same order)."""
        which = self.which[rows]
        present = np.unique(which)
        indicators = tuple(self.indicators[i] for i in present.tolist())
        return Grid(
            indicators, np.searchsorted(present, which), self.unit[rows], self.kind[rows], self.year[rows]
        )

    def by_indicator(self) -> Iterator[tuple[Indicator, np.ndarray]]:
        """Each indicator with rows here, and those rows."""
        for position in dict.fromkeys(self.which.tolist()):
            yield self.indicators[position], np.flatnonzero(self.which == position)

    def keys(self, year_shift: int = 0) -> np.ndarray:
        """Each row's (unit, year) as one int64 key."""
        return pair_keys(self.unit, self.year + year_shift)


@dataclass(frozen=True)
class LedgerRows:
    """A ledger as the per-record judges read it: its records with their (unit, year) key, and which unit-years
    supplied it (``covered``), first supplied it within the plan (``first_year`` per unit code) or have a record
    that failed validation (``invalid``). Keys are sorted, for ``np.isin``."""

    frame: pd.DataFrame | None
    masks: LedgerMasks | None
    keys: np.ndarray
    covered: np.ndarray
    first_year: np.ndarray
    invalid: np.ndarray


@dataclass
class Context:
    """What the judges read: every figure by field, the ledgers, which ledgers were supplied, the assessed units
    (a grid's unit codes are positions in ``units``), the plan period, the day deadlines are judged on and the
    duration indicators counted out of core (``Submission.durations``)."""

    catalogue: Catalogue
    values: FieldValues
    ledgers: Mapping[str, pd.DataFrame]
    coverage: pd.DataFrame
    units: np.ndarray
    as_of: dt.date
    durations: DurationFigures | None = None
    issues: list[Issue] = field(default_factory=list)
    _ledger_rows: dict[str, LedgerRows] = field(default_factory=dict)
    _shared: dict[Hashable, object] = field(default_factory=dict)

    @property
    def plan_start(self) -> int:
        return self.catalogue.plan.period.start

    @property
    def plan_end(self) -> int:
        return self.catalogue.plan.period.end

    def lookup(
        self, grid: Grid, fields: Sequence[str | None], period: str = "Y", year_shift: int = 0
    ) -> Found:
        """Each row's figure of its indicator's field (``fields``: one per indicator; None: no such field)."""
        field_codes = np.array([self.values.code(f) for f in fields], dtype=np.int64)[grid.which]
        return self.values.lookup(field_codes, grid.unit, grid.year + year_shift, period)

    def shared(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value computed once per evaluation and shared by the indicators asking for ``key``."""
        if key not in self._shared:
            self._shared[key] = make()
        return cast(T, self._shared[key])

    def ledger_rows(self, ledger_id: str) -> LedgerRows:
        """The ledger's records and coverage keyed by (unit, year), built once."""
        if ledger_id not in self._ledger_rows:
            self._ledger_rows[ledger_id] = self._read_ledger(ledger_id)
        return self._ledger_rows[ledger_id]

    def ledger_sources(self, ledger_id: str, grid: Grid, years_back: np.ndarray | None = None) -> np.ndarray:
        """Each grid row's source for figures counted from a ledger record by record: the files its
        unit-year's records came from, 「a.xlsx、b.csv › 台账《…》」 (「台账《…》」 when none). ``years_back``:
        per row, the first year also counted (a cumulative figure reads the plan's years up to its own)."""
        label = f"台账《{self.catalogue.ledgers_by_id[ledger_id].name}》"
        files = self.shared(("ledger files", ledger_id), lambda: self._ledger_files(ledger_id))
        if years_back is None:  # one look-up per row
            sources = {key: f"{'、'.join(named)} › {label}" for key, named in files.items()}
            return text([sources.get(key, label) for key in grid.keys().tolist()])
        out = []
        for key, since, year in zip(
            grid.keys().tolist(), years_back.tolist(), grid.year.tolist(), strict=True
        ):
            first = key - year + since  # the same unit in year ``since``
            named = dict.fromkeys(f for k in range(first, key + 1) for f in files.get(k, ()))
            out.append(f"{'、'.join(named)} › {label}" if named else label)
        return text(out)

    def _ledger_files(self, ledger_id: str) -> dict[int, tuple[str, ...]]:
        """(unit, year) key → the files its records came from, in the order the records name them."""
        rows = self.ledger_rows(ledger_id)
        if rows.frame is None:
            return self._covered_files(ledger_id)
        file_codes, names = pd.factorize(rows.frame["_file"])
        placed = (rows.keys != ABSENT) & (file_codes >= 0)
        radix = len(names) + 1
        pairs = rows.keys[placed] * radix + file_codes[placed]
        out: dict[int, tuple[str, ...]] = {}
        for pair in pairs[first_of_each(pairs)].tolist():  # each (unit-year, file) once, in record order
            key, code = divmod(pair, radix)
            out[key] = (*out.get(key, ()), str(names[code]))
        return out

    def _covered_files(self, ledger_id: str) -> dict[int, tuple[str, ...]]:
        """The same from coverage's ``files``, for a ledger whose records were counted out of core."""
        if "files" not in self.coverage:
            return {}
        mine = self.coverage[self.coverage["ledger"] == ledger_id]
        keys = pair_keys(codes(self._unit_index(), mine["unit"]), years_of(mine["year"]))
        return {
            key: tuple(map(str, files))
            for key, files in zip(keys.tolist(), mine["files"].tolist(), strict=True)
            if key != ABSENT
        }

    def _supplied(self) -> tuple[np.ndarray, pd.Index, np.ndarray, np.ndarray]:
        """Coverage as codes, read once: (ledger code, ledger ids, unit code, year) per row."""

        def read() -> tuple[np.ndarray, pd.Index, np.ndarray, np.ndarray]:
            ledger, ledger_ids = pd.factorize(self.coverage["ledger"])
            unit = codes(self._unit_index(), self.coverage["unit"])
            return np.asarray(ledger), pd.Index(ledger_ids), unit, years_of(self.coverage["year"])

        return self.shared("coverage", read)

    def _unit_index(self) -> pd.Index:
        return self.shared("unit index", lambda: pd.Index(self.units, dtype="object"))

    def _read_ledger(self, ledger_id: str) -> LedgerRows:
        ledger, ledger_ids, all_units, all_years = self._supplied()
        mine = ledger == (ledger_ids.get_loc(ledger_id) if ledger_id in ledger_ids else ABSENT)
        unit_codes, years = all_units[mine], all_years[mine]
        covered = np.unique(pair_keys(unit_codes, years))
        first_year = np.full(len(self.units), YEAR_SPAN, dtype=np.int64)
        within = (unit_codes >= 0) & (years >= self.plan_start)
        np.minimum.at(first_year, unit_codes[within], years[within])
        covered = covered[covered != ABSENT]
        frame = self.ledgers.get(ledger_id)
        if frame is None or frame.empty:
            empty = np.zeros(0, dtype=np.int64)
            return LedgerRows(None, None, empty, covered, first_year, empty)
        keys = pair_keys(codes(self._unit_index(), frame["unit"]), years_of(frame["year"]))
        bad = keys[frame["_invalid"].to_numpy(dtype=bool) & (keys != ABSENT)]
        return LedgerRows(frame, LedgerMasks(frame), keys, covered, first_year, np.unique(bad))
