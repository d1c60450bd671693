"""The outcome of an assessment as plain data: tidy frames, their JSON form, and the exit code.

``results``     unit × year × indicator: value, target, status, points, max_points, note, inputs
``scores``      unit × year: points, max_points, rate, coverage, rank within its kind, grade, status counts;
                ``submitted`` False for a unit-year with no submission at all (未报送: no rank, no grade)
``chapters``    unit × year × chapter: points, max_points, rate
``provenance``  unit × year × indicator × input: value and where it came from (``source``), and what the
                unit said of it: ``cited`` (来源), ``as_of`` (统计截止日, NaT if not given), ``note`` (备注)
``issues``      every data problem (see :mod:`lawgov_metrics.issues`)
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from lawgov_metrics.issues import Issue, count_errors

if TYPE_CHECKING:
    import pandas as pd

    from lawgov_metrics.catalogue import Catalogue

STATUS_LABELS: dict[str, str] = {
    "met": "达标",
    "not_met": "未达标",
    "missing": "缺数据",
    "not_applicable": "不适用",
    "not_yet_due": "未到期",
    "invalid": "数据有误",
    "not_published": "未公开",
}
FAILING_STATUSES = ("not_met", "missing", "invalid", "not_published")
SCORED_STATUSES = ("met", "not_met", "missing", "invalid", "not_published")  # count towards the maximum
NO_DATA_STATUSES = ("missing", "not_published")  # applicable, but nothing to judge: against 覆盖率
NOT_SUBMITTED = "未报送"  # a unit-year with no submission at all: shown, not ranked, not graded

RESULT_COLUMNS = [
    "unit",
    "kind",
    "year",
    "indicator",
    "name",
    "chapter",
    "clause",
    "value",
    "display",
    "target",
    "target_value",
    "status",
    "status_label",
    "points",
    "max_points",
    "note",
    "inputs",
]


@dataclass(frozen=True)
class Assessment:
    catalogue: Catalogue
    results: pd.DataFrame
    scores: pd.DataFrame
    chapters: pd.DataFrame
    provenance: pd.DataFrame
    issues_list: tuple[Issue, ...]
    files: tuple[str, ...]
    years: tuple[int, ...]
    as_of: dt.date | None = None  # the day deadlines were judged against

    @property
    def issues(self) -> pd.DataFrame:
        import pandas as pd

        columns = ["severity", "code", "message", "file", "sheet", "cell", "row", "column", "value", "unit"]
        return pd.DataFrame([i.as_record() for i in self.issues_list], columns=columns)

    @property
    def error_count(self) -> int:
        return count_errors(self.issues_list)

    def filtered(self, *, units: set[str] | None = None, kinds: set[str] | None = None) -> Self:
        """The same assessment shown for some units or unit kinds (ranks stay those of the whole set)."""
        from dataclasses import replace

        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            mask = frame["unit"].notna()
            if units is not None:
                mask &= frame["unit"].isin(units)
            if kinds is not None and "kind" in frame:
                mask &= frame["kind"].isin(kinds)
            return frame[mask].reset_index(drop=True)

        shown = set(keep(self.scores)["unit"])
        chapters = self.chapters[self.chapters["unit"].isin(shown)].reset_index(drop=True)
        provenance = self.provenance[self.provenance["unit"].isin(shown)].reset_index(drop=True)
        # a unit's own problems, and those no unit could be given to (an unreadable file, a bad register row)
        issues = tuple(i for i in self.issues_list if not i.unit or i.unit in shown)
        return replace(
            self,
            results=keep(self.results),
            scores=keep(self.scores),
            chapters=chapters,
            provenance=provenance,
            issues_list=issues,
        )

    def below(self, fail_under: float) -> pd.DataFrame:
        """Unit-years whose 得分率 (in percent) is below ``fail_under``."""
        rates = self.scores["rate"] * 100
        return self.scores[rates.notna() & (rates < fail_under)]

    def exit_code(self, fail_under: float | None = None) -> int:
        """0 all good; 1 data errors, or a unit below ``fail_under`` when it is given."""
        if self.error_count:
            return 1
        if fail_under is not None and len(self.below(fail_under)):
            return 1
        return 0

    def _result_records(self) -> Iterator[dict[str, Any]]:
        """The JSON form of each result with its inputs (name, figure as shown, source, and the unit's
        来源/统计截止日/备注), built :data:`RESULT_CHUNK` results at a time: the 800k results of 10^4 units
        and their millions of inputs never all exist as dicts (nor their texts as Python strings) at once."""
        import numpy as np
        import pandas as pd

        res, prov = self.results, self.provenance
        # per result, its provenance rows in provenance order: rows of one key gathered by a stable sort
        wanted = np.full(len(res), -1, dtype=np.int64)
        order = bounds = np.zeros(1, dtype=np.int64)
        if len(prov) and len(res):
            keys = pd.MultiIndex.from_arrays([prov["unit"], prov["year"].astype("int64"), prov["indicator"]])
            codes, uniques = keys.factorize()
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
            mine = pd.MultiIndex.from_arrays([res["unit"], res["year"].astype("int64"), res["indicator"]])
            assert isinstance(uniques, pd.MultiIndex)  # a MultiIndex's factorize gives one
            wanted = uniques.get_indexer(mine)
        for start in range(0, len(res), RESULT_CHUNK):
            part = res.iloc[start : start + RESULT_CHUNK]
            found = wanted[start : start + RESULT_CHUNK]
            counts = np.where(found >= 0, bounds[found + 1] - bounds[found], 0)
            spans = [order[bounds[c] : bounds[c + 1]] for c in found[found >= 0].tolist()]
            rows = prov.take(np.concatenate(spans)) if spans else prov.iloc[:0]
            blank = [""] * len(rows)
            given = list(
                zip(
                    map(str, rows["input"].tolist()),
                    map(str, rows["value"].tolist()),
                    _remark_texts(rows["source"]),
                    *(_remark_texts(rows[k]) if k in rows else blank for k in REMARK_LABELS),
                    strict=True,
                )
            )
            inputs = [
                {
                    "input": n,
                    "display": v,
                    "source": s,
                    "cited": c or None,
                    "as_of": a or None,
                    "note": o or None,
                }
                for n, v, s, c, a, o in given
            ]
            at = 0
            for record, count in zip(self._result_fields(part), counts.tolist(), strict=True):
                record["inputs"] = inputs[at : at + count]
                at += count
                yield record

    def _result_fields(self, res: pd.DataFrame) -> Iterator[dict[str, Any]]:
        for (
            unit,
            kind,
            year,
            indicator,
            chapter,
            clause,
            value,
            display,
            target,
            target_value,
            status,
            points,
            max_points,
            note,
        ) in zip(
            *(res[c].tolist() for c in ("unit", "kind", "year", "indicator", "chapter", "clause")),
            _nums(res["value"]),
            res["display"].tolist(),
            res["target"].tolist(),
            _nums(res["target_value"]),
            res["status"].tolist(),
            _nums(res["points"]),
            _nums(res["max_points"]),
            res["note"].tolist(),
            strict=True,
        ):
            yield {
                "unit": unit,
                "kind": kind,
                "year": int(year),
                "indicator": indicator,
                "chapter": chapter,
                "clause": clause,
                "value": value,
                "display": display,
                "target": target,
                "target_value": target_value,
                "status": status,
                "points": points,
                "max_points": max_points,
                "note": note,
            }

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON contract of ``score --format json``. Built from whole columns (``tolist``),
        not a dict per frame row, with the cyclic collector paused: at 10,000 units the results are ~240,000
        rows and their inputs ~450,000 more dicts, and the collector's passes over them (which find nothing)
        grew faster than the rows did."""
        with collector_paused():
            return self._as_dict(lazy=False)

    def json_payload(self) -> dict[str, Any]:
        """:meth:`as_dict` with ``results`` as :class:`LazyRecords`, for a writer that walks it once
        (:func:`lawgov_metrics.render.jsonout.dump_json`): the results are built while they are written."""
        return self._as_dict(lazy=True)

    def _as_dict(self, lazy: bool) -> dict[str, Any]:
        chapters = self.chapters
        chapter_map: dict[tuple[str, int], dict[str, Any]] = {}
        for unit, year, chapter, points, max_points, rate in zip(
            chapters["unit"].tolist(),
            chapters["year"].tolist(),
            chapters["chapter"].tolist(),
            _nums(chapters["points"]),
            _nums(chapters["max_points"]),
            _nums(chapters["rate"]),
            strict=True,
        ):
            chapter_map.setdefault((unit, int(year)), {})[chapter] = {
                "points": points,
                "max_points": max_points,
                "rate": rate,
            }
        scores = self.scores
        counts = (
            zip(*(scores[status].tolist() for status in STATUS_LABELS), strict=True) if len(scores) else []
        )
        units = [
            {
                "unit": unit,
                "kind": kind,
                "year": int(year),
                "points": points,
                "max_points": max_points,
                "submitted": bool(submitted),
                "rate": rate,
                "coverage": coverage,
                "rank": None if rank is None else int(rank),
                "grade": grade or None,
                "counts": {status: int(n) for status, n in zip(STATUS_LABELS, row_counts, strict=True)},
                "chapters": chapter_map.get((unit, int(year)), {}),
            }
            for unit, kind, year, points, max_points, submitted, rate, coverage, rank, grade, row_counts in zip(
                scores["unit"].tolist(),
                scores["kind"].tolist(),
                scores["year"].tolist(),
                _nums(scores["points"]),
                _nums(scores["max_points"]),
                scores["submitted"].tolist(),
                _nums(scores["rate"]),
                _nums(scores["coverage"]),
                _nums(scores["rank"]),
                scores["grade"].tolist(),
                counts,
                strict=True,
            )
        ]
        results: list[dict[str, Any]] | LazyRecords = LazyRecords(len(self.results), self._result_records)
        if not lazy:
            results = list(results)
        return {
            "catalogue": {"version": self.catalogue.version, "sha256": self.catalogue.sha256},
            "plan": self.catalogue.plan.title,
            "years": list(self.years),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "files": list(self.files),
            "units": units,
            "results": results,
            "issues": [i.as_record() for i in self.issues_list],
            "summary": {
                "units": int(self.scores["unit"].nunique()) if len(self.scores) else 0,
                "results": len(self.results),
                "errors": self.error_count,
                "warnings": len(self.issues_list) - self.error_count,
            },
        }


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while many small containers are built, then restored as
    it was; what they leave behind is freed by reference counting or the collector's next pass."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


RESULT_CHUNK = 20_000  # results built at a time for JSON


class LazyRecords:
    """A list walked once, each walk building its records afresh (``len`` without building them)."""

    def __init__(self, count: int, make: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._make()


REMARK_LABELS = {"cited": "来源", "as_of": "统计截止日", "note": "备注"}


def remark_text(record: Mapping[Any, Any]) -> str:
    """「来源：…；统计截止日：2024-12-31；备注：…」 from a record's ``cited, as_of, note`` (any may be absent);
    empty when none was given. The text is as the unit wrote it: a renderer makes it safe for its medium."""
    parts = []
    for key, label in REMARK_LABELS.items():
        value = _remark(record.get(key))
        if value:
            parts.append(f"{label}：{value}")
    return "；".join(parts)


def _remark(value: Any) -> str:
    """A remark as text: a date (datetime, Timestamp, datetime64) as YYYY-MM-DD; None, NaN and NaT as ""."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if type(value).__name__ == "datetime64":
        return str(value)[:10]
    return str(value)


def _remark_texts(column: pd.Series) -> list[str]:
    """:func:`_remark` of every value of a column; a text or date column as a whole."""
    import pandas as pd

    if column.dtype.kind == "M":
        valid = column.notna()
        if not valid.any():
            return [""] * len(column)
        if int(column[valid].dt.year.min()) >= 1000:  # strftime's %Y is isoformat's only from year 1000
            return column.dt.strftime("%Y-%m-%d").fillna("").tolist()  # type: ignore[no-any-return]
    elif isinstance(column.dtype, pd.StringDtype):
        return column.fillna("").tolist()  # type: ignore[no-any-return]
    return [_remark(v) for v in column.tolist()]


def _nums(column: pd.Series) -> list[float | None]:
    """:func:`_num` of every value of a column; a float or integer column without the per-value tests."""
    if column.dtype.kind in "fiu":
        return [None if x != x else round(x, 6) for x in column.astype("float64").tolist()]
    return [_num(v) for v in column.tolist()]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 6)


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found: per file, the units and years it holds and its problems."""

    files: tuple[str, ...]
    issues_list: tuple[Issue, ...]
    units_by_file: dict[str, tuple[str, ...]]
    years_by_file: dict[str, tuple[int, ...]]

    @property
    def error_count(self) -> int:
        return count_errors(self.issues_list)

    @property
    def warning_count(self) -> int:
        return len(self.issues_list) - self.error_count

    def ok(self, strict: bool = False) -> bool:
        return self.error_count == 0 and (not strict or self.warning_count == 0)

    def exit_code(self, strict: bool = False) -> int:
        return 0 if self.ok(strict) else 1

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        """The documented JSON contract of ``check --format json`` (schemas/check.schema.json)."""
        per_file: dict[str, list[Issue]] = {f: [] for f in self.files}
        for issue in self.issues_list:
            per_file.setdefault(issue.file, []).append(issue)
        files = [
            {
                "file": f,
                "units": list(self.units_by_file.get(f, ())),
                "years": list(self.years_by_file.get(f, ())),
                "errors": count_errors(found),
                "warnings": len(found) - count_errors(found),
            }
            for f, found in per_file.items()
            if f
        ]
        return {
            "ok": self.ok(strict),
            "files": files,
            "issues": [i.as_record() for i in self.issues_list],
            "summary": {
                "files": len(self.files),
                "errors": self.error_count,
                "warnings": self.warning_count,
                "strict": strict,
            },
        }
