"""The tidy, validated form of everything units submitted: the contract between intake and engine.

``values``  one row per reported figure: ``unit, year, period, field, value, date, source`` and its
            provenance as the unit gave it, ``cited, as_of, note``
            (``period`` is ``Y``, ``H1``/``H2`` or ``Q1``…``Q4``; numbers, percents as fractions and
            booleans as 1.0/0.0 in ``value``; date fields in ``date``; ``source`` is file › sheet › cell;
            ``cited`` the 来源 text, ``as_of`` the 统计截止日 (a date), ``note`` the 备注 — empty text and NaT
            where not given; a frame built by hand may leave the three out).
``ledgers`` ledger id → records: ``unit, year, half, quarter``, the ledger's column ids, and
            ``_file, _sheet, _row, _invalid`` (``_invalid``: the row has a value that failed validation).
``coverage`` which ``(ledger, unit, year)`` were supplied: those with at least one record. A sheet with
            its header alone supplies nothing; a supplied ledger's figures with no matching records count 0;
            an absent ledger's are 缺数据 (unless reported directly).
``derived`` (optional) the ledger-derived figures already aggregated elsewhere (an out-of-core backend:
            ``intake/dataset/``), ``DERIVED_COLUMNS`` per covered unit-year, period and field; when given,
            the engine takes them instead of deriving from ``ledgers`` (which then need only the ledgers the
            per-record indicators read).
``durations`` (optional) duration indicators whose records were counted elsewhere (:class:`DurationFigures`):
            for an indicator named there, the engine reads these counts and issue rows, not its ledger.
            ``coverage`` may then carry ``files`` (per ledger, unit and year: the files its records came
            from, in order) to name the source of a ledger whose records are not in ``ledgers``.
``invalid`` ``(unit, year, field)`` whose reported value failed validation → 数据有误.
``answers`` explicit answers where a figure was expected: ``unit, year, period, field, answer, source``
            (and, from the reader, ``cited, as_of, note`` as in ``values``) with
            ``answer`` ``not_applicable`` (不适用: the indicators reading the field leave the maximum) or
            ``not_published`` (未公开: counts as no data, scores 0). 未发生 is the figure 0, in ``values``.
``units``   who is assessed: ``unit, kind`` (catalogue unit-kind id) and ``parent`` (the unit of the
            district a town or district department belongs to, from the register's 所属区; else missing).
``names``   every name and alias the units register knows (normalised) → its unit, to find units by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lawgov_metrics.issues import Issue

if TYPE_CHECKING:
    import pandas as pd

VALUE_COLUMNS = ("unit", "year", "period", "field", "value", "date", "source")
ANSWER_COLUMNS = ("unit", "year", "period", "field", "answer", "source")
REMARK_COLUMNS = ("cited", "as_of", "note")  # a figure's 来源, 统计截止日 and 备注, in values and answers
ANSWER_LABELS = {"not_applicable": "不适用", "not_published": "未公开"}
LEDGER_META_COLUMNS = ("unit", "year", "half", "quarter", "_file", "_sheet", "_row", "_invalid")
DERIVED_COLUMNS = ("unit", "year", "period", "field", "value", "source", "rows", "invalid")
DURATION_COLUMNS = ("indicator", "unit", "year", "total", "within", "bad")
NEGATIVE_SPAN_COLUMNS = ("indicator", "unit", "_file", "_sheet", "_row")
OUTSIDE_CALENDAR_COLUMNS = ("indicator", "unit", "_file", "_sheet", "records", "_row")


@dataclass(frozen=True)
class DurationFigures:
    """Duration indicators aggregated out of core (``intake/dataset/``), for the indicators in ``indicators``.

    ``counts``   ``DURATION_COLUMNS``: per indicator and unit-year with records, the records counted (after the
                 indicator's ``where``), those within its bound, and whether any counted one is wrong
                 (``_invalid``, a negative span, a working-day date outside the official calendar);
    ``negative`` ``NEGATIVE_SPAN_COLUMNS``: each counted record whose end is before its start, one issue each;
    ``outside``  ``OUTSIDE_CALENDAR_COLUMNS``: per indicator, unit, file and sheet, the records whose dates the
                 official calendar does not cover, and the first such row.
    """

    indicators: tuple[str, ...]
    counts: pd.DataFrame
    negative: pd.DataFrame
    outside: pd.DataFrame


@dataclass(frozen=True)
class Submission:
    units: pd.DataFrame
    values: pd.DataFrame
    ledgers: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    coverage: pd.DataFrame | None = None
    invalid: pd.DataFrame | None = None
    answers: pd.DataFrame | None = None
    issues: tuple[Issue, ...] = ()
    files: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    derived: pd.DataFrame | None = None
    durations: DurationFigures | None = None

    @property
    def years(self) -> list[int]:
        """Years with any reported figure or ledger record, ascending."""
        years: set[int] = set(self.values["year"].dropna().astype(int)) if len(self.values) else set()
        for frame in (self.coverage, self.answers):
            if frame is not None and len(frame):
                years |= set(frame["year"].dropna().astype(int))
        return sorted(years)


def empty_values() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "unit": pd.Series(dtype="str"),
            "year": pd.Series(dtype="int64"),
            "period": pd.Series(dtype="str"),
            "field": pd.Series(dtype="str"),
            "value": pd.Series(dtype="float64"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "source": pd.Series(dtype="str"),
            "cited": pd.Series(dtype="str"),
            "as_of": pd.Series(dtype="datetime64[ns]"),
            "note": pd.Series(dtype="str"),
        }
    )
