"""The outcome of an assessment as plain data: tidy frames, their JSON form, and the exit code.

``results``     unit × year × indicator: value, target, status, points, max_points, note, inputs
``scores``      unit × year: points, max_points, rate, rank within its kind, grade, status counts
``chapters``    unit × year × chapter: points, max_points, rate
``provenance``  unit × year × indicator × input: value and where it came from
``issues``      every data problem (see :mod:`lawgov_metrics.issues`)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
}
FAILING_STATUSES = ("not_met", "missing", "invalid")
SCORED_STATUSES = ("met", "not_met", "missing", "invalid")  # count towards the maximum

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

    @property
    def issues(self) -> pd.DataFrame:
        import pandas as pd

        columns = ["severity", "code", "message", "file", "sheet", "cell", "row", "column", "value", "unit"]
        return pd.DataFrame([i.as_record() for i in self.issues_list], columns=columns)

    @property
    def error_count(self) -> int:
        return count_errors(self.issues_list)

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

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON contract of ``score --format json``."""
        chapter_map: dict[tuple[str, int], dict[str, Any]] = {}
        for row in self.chapters.to_dict("records"):
            chapter_map.setdefault((row["unit"], int(row["year"])), {})[row["chapter"]] = {
                "points": _num(row["points"]),
                "max_points": _num(row["max_points"]),
                "rate": _num(row["rate"]),
            }
        units = [
            {
                "unit": row["unit"],
                "kind": row["kind"],
                "year": int(row["year"]),
                "points": _num(row["points"]),
                "max_points": _num(row["max_points"]),
                "rate": _num(row["rate"]),
                "rank": None if _num(row["rank"]) is None else int(row["rank"]),
                "grade": row["grade"] or None,
                "counts": {status: int(row[status]) for status in STATUS_LABELS},
                "chapters": chapter_map.get((row["unit"], int(row["year"])), {}),
            }
            for row in self.scores.to_dict("records")
        ]
        results = [
            {
                "unit": row["unit"],
                "kind": row["kind"],
                "year": int(row["year"]),
                "indicator": row["indicator"],
                "chapter": row["chapter"],
                "clause": row["clause"],
                "value": _num(row["value"]),
                "display": row["display"],
                "target": row["target"],
                "target_value": _num(row["target_value"]),
                "status": row["status"],
                "points": _num(row["points"]),
                "max_points": _num(row["max_points"]),
                "note": row["note"],
            }
            for row in self.results.to_dict("records")
        ]
        return {
            "catalogue": {"version": self.catalogue.version, "sha256": self.catalogue.sha256},
            "plan": self.catalogue.plan.title,
            "years": list(self.years),
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


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 6)
