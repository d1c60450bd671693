"""JUnit XML for CI: a suite per unit-year (``score``) or a case per input file (``check``).

Rows first (:class:`CaseRow`, :class:`SuiteRow`), then the XML through junitparser, which escapes every
text; characters XML 1.0 cannot carry are replaced first (:func:`~lawgov_metrics.render.safe_text.xml_text`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.render.safe_text import xml_for_terminal, xml_text
from lawgov_metrics.results import FAILING_STATUSES, STATUS_LABELS

if TYPE_CHECKING:
    from lawgov_metrics.results import Assessment

Outcome = Literal["passed", "failure", "skipped"]
SKIPPED_STATUSES = ("not_applicable", "not_yet_due")


@dataclass(frozen=True)
class CaseRow:
    classname: str
    name: str
    outcome: Outcome = "passed"
    message: str = ""
    kind: str = ""  # the failure's type attribute: the status id
    text: str = ""  # body of <failure>
    system_out: str = ""


@dataclass(frozen=True)
class SuiteRow:
    name: str
    cases: tuple[CaseRow, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)


# ---------------------------------------------------------------- score


def _result_message(row: Mapping[Any, Any]) -> str:
    parts = [STATUS_LABELS.get(str(row["status"]), str(row["status"]))]
    if row["display"]:
        parts.append(f"数值 {row['display']}")
    if row["target"]:
        parts.append(f"目标 {row['target']}")
    if row["note"]:
        parts.append(str(row["note"]))
    return "；".join(parts)


def _score_cases(assessment: Assessment, fail_under: float | None) -> dict[tuple[str, int], CaseRow]:
    """Per unit-year, the case of its 得分率 against ``--fail-under`` (failing below it, so the XML and the
    exit code agree), or 未报送 (skipped)."""
    cases = {}
    for row in assessment.scores.to_dict("records"):
        unit, year = str(row["unit"]), int(row["year"])
        if not row["submitted"]:
            cases[(unit, year)] = CaseRow(
                classname=unit,
                name=f"{unit} {year} 年度填报",
                outcome="skipped",
                message="未报送：本年度没有任何填报",
            )
        elif fail_under is not None:
            rate = finite_number(row["rate"])
            shown = "—" if rate is None else f"{rate * 100:.1f}%"
            below = rate is not None and rate * 100 < fail_under
            cases[(unit, year)] = CaseRow(
                classname=unit,
                name=f"得分率不低于 {fail_under:g}%",
                outcome="failure" if below else "passed",
                message=f"得分率 {shown} 低于 {fail_under:g}%" if below else "",
                kind="fail-under" if below else "",
                text=f"得分 {round(float(row['points']), 2):g}/{round(float(row['max_points']), 2):g}，得分率 {shown}",
                system_out="" if below else f"得分率 {shown}",
            )
    return cases


def score_suites(assessment: Assessment, fail_under: float | None = None) -> list[SuiteRow]:
    """One suite per unit-year in the order of the scores (year, kind, rank), a case per indicator; with
    ``fail_under``, first a case for the unit-year's 得分率; a unit-year 未报送 has one skipped case."""
    results = assessment.results
    by_key: dict[tuple[str, int], list[CaseRow]] = {}
    for row in results.to_dict("records"):
        status = str(row["status"])
        outcome: Outcome = (
            "failure" if status in FAILING_STATUSES else "skipped" if status in SKIPPED_STATUSES else "passed"
        )
        points = f"得分 {float(row['points']):g}/{float(row['max_points']):g}"
        case = CaseRow(
            classname=str(row["unit"]),
            name=f"{row['clause']} {row['indicator']} {row['name']}",
            outcome=outcome,
            message=_result_message(row) if outcome != "passed" else "",
            kind=status,
            text=f"{_result_message(row)}\n{points}\n数据来源：{row['inputs'] or '—'}",
            system_out=f"{_result_message(row)}；{points}" if outcome == "passed" else "",
        )
        by_key.setdefault((str(row["unit"]), int(row["year"])), []).append(case)
    order = [
        (str(u), int(y)) for u, y in zip(assessment.scores["unit"], assessment.scores["year"], strict=True)
    ]
    keys = list(dict.fromkeys([*order, *by_key]))
    extra = _score_cases(assessment, fail_under)
    return [
        SuiteRow(
            name=f"{unit} {year}",
            cases=(*([extra[(unit, year)]] if (unit, year) in extra else []), *by_key.get((unit, year), ())),
        )
        for unit, year in keys
    ]


# ---------------------------------------------------------------- check


def _issue_line(issue: Mapping[str, Any]) -> str:
    row = issue.get("row")
    where = [issue.get("file"), issue.get("sheet"), issue.get("cell") or (f"第 {row} 行" if row else "")]
    location = " › ".join(str(p) for p in where if p)
    value = str(issue.get("value") or "")
    value = f"（值：{value}）" if value and value not in str(issue["message"]) else ""
    return f"[{issue['code']}] {location}：{issue['message']}{value}"


def check_suites(payload: Mapping[str, Any]) -> list[SuiteRow]:
    """One suite ``check``: a case per input file; its errors fail it (its warnings too under
    ``--strict``), the rest go to system-out."""
    strict = bool(payload.get("summary", {}).get("strict", False))
    issues = list(payload.get("issues", []))
    names = [str(f["file"]) for f in payload.get("files", [])]
    entries = [(name, [i for i in issues if i.get("file") == name]) for name in names]
    loose = [i for i in issues if not i.get("file") or i.get("file") not in names]
    if loose:
        entries.append(("（未关联文件的问题）", loose))
    cases = []
    for name, own in entries:
        failing = [i for i in own if i["severity"] == "error" or strict]
        other = [i for i in own if i not in failing]
        errors = sum(1 for i in failing if i["severity"] == "error")
        message = f"{errors} 处错误" + (f"，{len(failing) - errors} 处警告" if len(failing) > errors else "")
        cases.append(
            CaseRow(
                classname="check",
                name=name,
                outcome="failure" if failing else "passed",
                message=message if failing else "",
                kind="data-error" if failing else "",
                text="\n".join(_issue_line(i) for i in failing),
                system_out="\n".join(_issue_line(i) for i in other),
            )
        )
    return [SuiteRow(name="check", cases=tuple(cases))]


# ---------------------------------------------------------------- drawing


def _xml(suites: list[SuiteRow], name: str) -> str:
    """The rows drawn by junitparser; every text passes :func:`xml_text` first. ``<testsuites>`` keeps
    the attributes the common JUnit XSD allows it (no ``skipped``); every case carries ``time``."""
    from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite

    document = JUnitXml(xml_text(name))
    for suite in suites:
        element = TestSuite(xml_text(suite.name))
        for case in suite.cases:
            testcase = TestCase(xml_text(case.name), classname=xml_text(case.classname), time=0)
            if case.outcome == "failure":
                failure = Failure(xml_text(case.message), xml_text(case.kind))
                failure.text = xml_text(case.text)
                testcase.result = [failure]
            elif case.outcome == "skipped":
                testcase.result = [Skipped(xml_text(case.message))]
            if case.system_out:
                testcase.system_out = xml_text(case.system_out)
            element.add_testcase(testcase)
        element.update_statistics()  # type: ignore[no-untyped-call]
        document.add_testsuite(element)
    document.update_statistics()  # type: ignore[no-untyped-call]
    document._elem.attrib.pop("skipped", None)  # junitparser sets it; the XSD has no such attribute there
    out = io.BytesIO()
    document.write(out, pretty=True)
    text = xml_for_terminal(out.getvalue().decode("utf-8"))  # C1 and bidirectional controls as references
    return text.replace('encoding="utf-8"', 'encoding="UTF-8"', 1)  # the declaration as CI tools print it


def junit_for_score(assessment: Assessment, *, fail_under: float | None = None) -> str:
    """``<testsuites>``: a ``<testsuite>`` per unit-year, a ``<testcase>`` per indicator;
    未达标/缺数据/数据有误/未公开 fail, 不适用/未到期 are skipped; with ``fail_under``, a case per unit-year
    for its 得分率, failing below the line (as the exit code does)."""
    return _xml(score_suites(assessment, fail_under), name="lawgov-metrics score")


def junit_for_check(report: Any, *, strict: bool = False) -> str:
    """``<testsuites>``: a ``<testcase>`` per input file, failing on its errors. ``report``: the check
    payload (:class:`~lawgov_metrics.render.CheckPayload`) or a report with ``as_dict(strict=...)``."""
    from lawgov_metrics.render.payload import check_payload

    return _xml(check_suites(check_payload(report, strict=strict)), name="lawgov-metrics check")
