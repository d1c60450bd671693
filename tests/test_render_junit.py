"""JUnit XML: a suite per unit-year with the right counts, escaped text, a case per checked file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from lawgov_metrics.issues import Issue
from lawgov_metrics.render.junit import junit_for_check, junit_for_score
from lawgov_metrics.results import Assessment

from .sample_assessment import (
    ECOLOGY,
    FORMULA_UNIT,
    sample_assessment,
    sample_check_report,
    with_unit_renamed,
)


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return sample_assessment()


@pytest.fixture(scope="module")
def root(assessment: Assessment) -> ET.Element:
    return ET.fromstring(junit_for_score(assessment))


def test_a_suite_per_unit_year(root: ET.Element, assessment: Assessment) -> None:
    names = [suite.get("name") for suite in root.iter("testsuite")]
    expected = [f"{u} {y}" for u, y in zip(assessment.scores["unit"], assessment.scores["year"], strict=True)]
    assert names == expected


def test_counts_per_suite_match_the_results(root: ET.Element, assessment: Assessment) -> None:
    results = assessment.results
    for suite in root.iter("testsuite"):
        unit, year = str(suite.get("name")).rsplit(" ", 1)
        rows = results[(results["unit"] == unit) & (results["year"] == int(year))]
        status = rows["status"]
        failing = int(status.isin(["not_met", "missing", "invalid", "not_published"]).sum())
        skipped = int(status.isin(["not_applicable", "not_yet_due"]).sum())
        cases = suite.findall("testcase")
        assert int(suite.get("tests", -1)) == len(rows) == len(cases)
        assert int(suite.get("failures", -1)) == failing == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped", -1)) == skipped == len(suite.findall("testcase/skipped"))
        assert suite.get("errors") == "0"
    assert int(root.get("tests", -1)) == len(results)
    assert int(root.get("failures", -1)) == int(
        results["status"].isin(["not_met", "missing", "invalid", "not_published"]).sum()
    )


def test_case_names_and_failure_message(root: ET.Element) -> None:
    suite = next(s for s in root.iter("testsuite") if s.get("name") == f"{ECOLOGY} 2024")
    case = next(c for c in suite.iter("testcase") if "suggestion_satisfaction" in str(c.get("name")))
    assert case.get("classname") == ECOLOGY
    assert case.get("name") == "二十五 suggestion_satisfaction 人大政协意见建议办理满意度"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "not_met"
    assert failure.get("message") == "未达标；数值 91.7%（11/12）；目标 ≥ 95%"
    assert "得分 1.2/2" in (failure.text or "")


def test_skipped_for_not_yet_due(root: ET.Element) -> None:
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    messages = {str(c.find("skipped").get("message")) for c in skipped}  # type: ignore[union-attr]
    assert any(m.startswith("未到期") for m in messages)
    assert any(m.startswith("不适用") for m in messages)


def test_text_is_escaped_and_control_characters_replaced(assessment: Assessment) -> None:
    hostile = '<单位 a="1">&\x07\x1b]]>'
    xml = junit_for_score(with_unit_renamed(assessment, FORMULA_UNIT, hostile))
    assert "\x07" not in xml and "\x1b" not in xml
    root = ET.fromstring(xml)
    names = [s.get("name") for s in root.iter("testsuite")]
    assert '<单位 a="1">&\ufffd\ufffd]]> 2024' in names


def test_check_has_a_case_per_file() -> None:
    payload = sample_check_report().as_dict()
    root = ET.fromstring(junit_for_check(payload))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases) == [f["file"] for f in payload["files"]]
    failed = {name for name, c in cases.items() if c.find("failure") is not None}
    assert failed == {"龙华区.xlsx", "市直部门汇总.xlsx"}
    failure = cases["龙华区.xlsx"].find("failure")
    assert failure is not None and "D12" in (failure.text or "") and "value-type" in (failure.text or "")
    warning_out = cases["演丰镇.xlsx"].find("system-out")
    assert warning_out is not None and "record-duplicate" in (warning_out.text or "")
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == (str(len(payload["files"])), "2")


def test_strict_check_fails_on_warnings() -> None:
    root = ET.fromstring(junit_for_check(sample_check_report(), strict=True))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["演丰镇.xlsx"].find("failure")
    assert failure is not None and "record-duplicate" in (failure.text or "")


def test_check_issue_without_a_file_gets_its_own_case() -> None:
    issue = Issue("file-not-found", "文件不存在：b.xlsx").as_record()
    payload = {
        "ok": False,
        "files": [{"file": "a.xlsx", "units": [], "years": [], "errors": 0, "warnings": 0}],
        "issues": [issue],
        "summary": {"files": 1, "errors": 1, "warnings": 0, "strict": False},
    }
    root = ET.fromstring(junit_for_check(payload))
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["a.xlsx", "（未关联文件的问题）"]


def test_fail_under_shows_each_unit_year_below_the_line_as_a_failing_case(assessment: Assessment) -> None:
    """The XML and the exit code agree: every unit-year below --fail-under is one failing case."""
    root = ET.fromstring(junit_for_score(assessment, fail_under=80))
    cases = [
        (suite.get("name"), case)
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
        if case.get("name") == "得分率不低于 80%"
    ]
    assert len(cases) == len(assessment.scores)
    failed = sorted(str(name) for name, case in cases if case.find("failure") is not None)
    below = assessment.below(80)
    assert failed == sorted(f"{u} {y}" for u, y in zip(below["unit"], below["year"], strict=True))
    assert len(failed) == 9 and assessment.exit_code(80) == 1
    messages = {case.find("failure").get("message") for _, case in cases if case.find("failure") is not None}  # type: ignore[union-attr]
    assert "得分率 18.9% 低于 80%" in messages
    assert all(c.get("time") is not None for c in root.iter("testcase"))
    assert root.get("skipped") is None  # the common JUnit XSD has no such attribute on <testsuites>
    plain = ET.fromstring(junit_for_score(assessment))
    assert not [c for c in plain.iter("testcase") if "得分率不低于" in str(c.get("name"))]
