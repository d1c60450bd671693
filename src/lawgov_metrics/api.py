"""The Python API for scripted assessments: load, read, evaluate, write.

from lawgov_metrics import load_catalogue, read_submissions, evaluate
catalogue = load_catalogue()
submission = read_submissions(["samples/haikou"], catalogue)
assessment = evaluate(catalogue, submission, years=range(2021, 2026))
assessment.scores          # unit × year: points, max_points, rate, rank, grade
assessment.results         # unit × year × indicator: value, target, status, points
assessment.issues          # every data problem with file, sheet and cell
assessment.write_excel("report.xlsx"); assessment.write_json("report.json")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from lawgov_metrics import results
from lawgov_metrics.catalogue import Catalogue, load_catalogue
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.output_paths import InputOverwriteError
from lawgov_metrics.results import CheckReport
from lawgov_metrics.submission import Submission

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Assessment(results.Assessment):
    """An assessment (plain data, :class:`lawgov_metrics.results.Assessment`) that can write its reports:
    the API reaches the renderers, the results never do."""

    def write_json(self, path: str | Path) -> None:
        """The JSON report (``schemas/score.schema.json``); raises :class:`InputOverwriteError` for a path
        that is one of the files the assessment was read from."""
        from lawgov_metrics.render.jsonout import write_json_atomic

        self._refuse_inputs(Path(path))
        write_json_atomic(self.json_payload(), Path(path))

    def write_excel(self, path: str | Path, *, inputs: list[str] | None = None) -> None:
        """The Excel report; raises :class:`InputOverwriteError` for a path that is one of the files the
        assessment was read from (or one of ``inputs``), as ``score -o`` refuses it."""
        from lawgov_metrics.render.xlsx import write_xlsx

        self._refuse_inputs(Path(path), inputs)
        generated_at = dt.datetime.now().astimezone()  # the analyst's own clock, with its offset
        write_xlsx(self, Path(path), inputs=inputs or list(self.files), generated_at=generated_at)

    def _refuse_inputs(self, path: Path, inputs: list[str] | None = None) -> None:
        from lawgov_metrics.intake.read.own_reports import is_own_report
        from lawgov_metrics.output_paths import overwritten_input

        if path.is_file() and is_own_report(path):
            return  # an earlier report of this tool: skipped when read, so no input, and replaced
        reason = overwritten_input(path, [Path(f) for f in (*self.files, *(inputs or ()))])
        if reason is not None:
            raise InputOverwriteError(reason)


def evaluate(
    catalogue: Catalogue,
    submission: Submission,
    years: Iterable[int] | None = None,
    *,
    as_of: dt.date | None = None,
) -> Assessment:
    """Judge and score every applicable indicator for every unit and year (all plan years present by default)."""
    from lawgov_metrics.engine.evaluate import evaluate as run

    judged = run(catalogue, submission, years, as_of=as_of or dt.date.today())
    return Assessment(**{f.name: getattr(judged, f.name) for f in fields(judged)})


def counted_records(
    catalogue: Catalogue, submission: Submission, indicator: str, unit: str, year: int
) -> dict[str, tuple[str, pd.DataFrame]]:
    """For ``explain``: per input of a result, the ledger and the records it counted (file, sheet, row)."""
    from lawgov_metrics.engine.rows import counted_rows

    found = counted_rows(catalogue, submission.ledgers, catalogue.indicators_by_id[indicator], unit, year)
    return {c.input: (c.ledger, c.rows) for c in found}


def with_ledger_dataset(
    submission: Submission,
    root: str | Path,
    catalogue: Catalogue,
    *,
    register: str | Path | None = None,
    memory_limit: str | None = "1GB",
    threads: int | None = None,
) -> Submission:
    """The submission with ledgers too big for pandas taken from a Parquet dataset (``<root>/<ledger id>/
    unit=…/year=…/*.parquet``) and aggregated out of core by DuckDB (docs/OUT-OF-CORE.md); ``evaluate`` then
    gives the same results and issues as from the same records read into pandas. Needs the ``scale`` extra."""
    from lawgov_metrics.engine.calendar import workday_table
    from lawgov_metrics.intake.dataset.duckdb_ledgers import with_ledger_dataset as aggregate

    return aggregate(
        submission,
        root,
        catalogue,
        register=register,
        memory_limit=memory_limit,
        threads=threads,
        workdays=workday_table(),  # durations in working days are counted in SQL, joined with the calendar
    )


def check(submission: Submission, catalogue: Catalogue | None = None) -> CheckReport:
    """The problems of a submission, per file, for ``lawgov-metrics check``: those found while reading,
    and (given the catalogue) figures reported directly that disagree with their ledger."""
    issues = list(submission.issues)
    if catalogue is not None:
        from lawgov_metrics.engine.evaluate import combine_values, coverage_of

        issues += combine_values(catalogue, submission, coverage_of(submission))[1]
    units: dict[str, set[str]] = {}
    years: dict[str, set[int]] = {}
    for row in submission.values[["unit", "year", "source"]].to_dict("records"):
        file: str = str(row["source"]).split(" › ")[0]
        units.setdefault(file, set()).add(str(row["unit"]))
        years.setdefault(file, set()).add(int(row["year"]))
    for frame in submission.ledgers.values():
        for (name, unit), group in frame.groupby(["_file", "unit"], observed=True):
            units.setdefault(str(name), set()).add(str(unit))
            years.setdefault(str(name), set()).update(int(y) for y in group["year"].unique())
    return CheckReport(
        files=submission.files,
        issues_list=tuple(issues),
        units_by_file={f: tuple(sorted(u)) for f, u in units.items()},
        years_by_file={f: tuple(sorted(y)) for f, y in years.items()},
    )


__all__ = [
    "Assessment",
    "Catalogue",
    "CheckReport",
    "InputOverwriteError",
    "Submission",
    "check",
    "evaluate",
    "load_catalogue",
    "read_submissions",
    "with_ledger_dataset",
]
