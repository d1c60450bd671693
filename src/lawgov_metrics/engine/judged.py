"""What a judge returns for its rows — value, display, status, note, achievement, shortfall and the inputs it
read — as plain arrays, and the small vectorised helpers every judge shares.

Bounds include the plan's own number (以上、不少于、以内、以下: 民法典 第1259条), with a tolerance of ``EPS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from lawgov_metrics.catalogue.describe import percent
from lawgov_metrics.catalogue.models import Threshold

EPS = 1e-9


@dataclass
class Inputs:
    """One input of every judged row, or of the rows ``present`` marks: its name, the figure as shown, and where
    it came from (a cell, a ledger, the catalogue; empty when not reported)."""

    name: np.ndarray
    shown: np.ndarray
    source: np.ndarray
    present: np.ndarray | None = None

    @classmethod
    def of(cls, name: np.ndarray | str, shown: np.ndarray, source: np.ndarray | str) -> Inputs:
        """``name`` and ``source`` may be one text for every row."""
        return cls(_column(name, len(shown)), shown, _column(source, len(shown)))


@dataclass
class Judged:
    """The outcome of judging some rows, one array entry per row (object arrays hold text)."""

    value: np.ndarray
    display: np.ndarray
    status: np.ndarray
    note: np.ndarray
    achievement: np.ndarray
    shortfall: np.ndarray
    inputs: list[Inputs] = field(default_factory=list)

    @classmethod
    def blank(cls, rows: int, status: str = "missing") -> Judged:
        """No value, no display, no note, and ``status`` on every row."""
        return cls(
            value=np.full(rows, np.nan),
            display=np.full(rows, "", dtype=object),
            status=np.full(rows, status, dtype=object),
            note=np.full(rows, "", dtype=object),
            achievement=np.full(rows, np.nan),
            shortfall=np.full(rows, np.nan),
        )

    def place(self, rows: np.ndarray, part: Judged) -> None:
        """Write ``part`` (judged for ``rows`` of these rows, in that order) into its rows.

        Inputs go by position: the k-th input of a row is the k-th input of its indicator.
        """
        for name in ("value", "display", "status", "note", "achievement", "shortfall"):
            getattr(self, name)[rows] = getattr(part, name)
        size = len(self.value)
        for k, given in enumerate(part.inputs):
            if k == len(self.inputs):
                blank = np.full(size, "", dtype=object)
                self.inputs.append(Inputs(blank, blank.copy(), blank.copy(), np.zeros(size, dtype=bool)))
            mine = self.inputs[k]
            assert mine.present is not None
            here = rows if given.present is None else rows[given.present]
            take = slice(None) if given.present is None else given.present
            mine.name[here] = given.name[take]
            mine.shown[here] = given.shown[take]
            mine.source[here] = given.source[take]
            mine.present[here] = True


def _column(value: np.ndarray | str, rows: int) -> np.ndarray:
    return np.full(rows, value, dtype=object) if isinstance(value, str) else value


def text(values: Sequence[str]) -> np.ndarray:
    """Texts as an object array (numpy's own string arrays would truncate and compare differently)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def select(
    rows: int, rules: Sequence[tuple[npt.ArrayLike, np.ndarray | str]], default: np.ndarray | str
) -> np.ndarray:
    """Per row, the choice of the first rule whose condition holds, else ``default`` (``np.select`` for text)."""
    out = _column(default, rows).copy()
    decided = np.zeros(rows, dtype=bool)
    for holds, choice in rules:
        condition = np.asarray(holds, dtype=bool)
        take = condition & ~decided
        out[take] = choice if isinstance(choice, str) else choice[take]
        decided |= condition
    return out


@dataclass(frozen=True)
class Targets:
    """Each row's threshold: its operator and its number."""

    op: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, thresholds: Sequence[Threshold], which: np.ndarray) -> Targets:
        """From one threshold per indicator and each row's indicator."""
        ops = text([t.op for t in thresholds])
        values = np.array([t.value for t in thresholds], dtype=np.float64)
        return cls(ops[which], values[which])


def compare(values: np.ndarray, targets: Targets) -> np.ndarray:
    """``value op target`` per row; a missing value is never met."""
    out = np.zeros(len(values), dtype=bool)
    for op in set(targets.op.tolist()):
        rows = targets.op == op
        v, t = values[rows], targets.value[rows]
        match op:
            case ">=":
                out[rows] = v >= t - EPS
            case ">":
                out[rows] = v > t + EPS
            case "<=":
                out[rows] = v <= t + EPS
            case "<":
                out[rows] = v < t - EPS
            case "==":
                out[rows] = np.abs(v - t) <= EPS
            case _:  # pragma: no cover - the catalogue allows no other operator
                raise AssertionError(op)
    return out


def achievement(values: np.ndarray, targets: Targets) -> np.ndarray:
    """How far towards the target: value ÷ target (at most 1) for a positive ``≥``/``>`` target, else 1 or 0."""
    out = compare(values, targets).astype(np.float64)
    share = np.isin(targets.op, (">=", ">")) & (targets.value > 0)
    out[share] = np.minimum(values[share] / targets.value[share], 1.0)
    return out


def numbers(values: np.ndarray) -> np.ndarray:
    """Each figure as shown in a report: whole numbers plainly, others to 4 significant digits, — if missing."""
    return text(["—" if v != v else (f"{v:g}" if v.is_integer() else f"{v:.4g}") for v in values.tolist()])


def yes_no(values: np.ndarray) -> np.ndarray:
    """是 / 否, — if missing."""
    return text(["—" if v != v else ("是" if v == 1 else "否") for v in values.tolist()])


def percents(values: np.ndarray) -> list[str]:
    """Each share as a percentage (empty where missing)."""
    return ["" if v != v else percent(v) for v in values.tolist()]


def iso_dates(dates: np.ndarray) -> list[str]:
    """Each date as YYYY-MM-DD (empty where missing)."""
    return ["" if d is None else d.isoformat() for d in dates.astype("datetime64[D]").tolist()]
