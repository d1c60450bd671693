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

from lawgov_metrics.catalogue import Catalogue, load_catalogue
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.results import Assessment, CheckReport
from lawgov_metrics.submission import Submission


def evaluate(
    catalogue: Catalogue,
    submission: Submission,
    years: Iterable[int] | None = None,
    *,
    as_of: dt.date | None = None,
) -> Assessment:
    """Judge and score every applicable indicator for every unit and year (all plan years present by default)."""
    from lawgov_metrics.engine.evaluate import evaluate as run

    return run(catalogue, submission, years, as_of=as_of or dt.date.today())


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
    "Submission",
    "check",
    "evaluate",
    "load_catalogue",
    "read_submissions",
]
