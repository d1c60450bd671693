"""Per-indicator cases kept as data: input rows → expected value, status and points (tests/cases/*.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.engine.evaluate import evaluate

from .engine_cases import UNIT, as_of, build_submission, load_cases

HERE = Path(__file__).parent
CATALOGUES = {
    "minimal": HERE / "fixtures" / "minimal_catalogue.yaml",
    "shipped": HERE.parent / "indicators.yaml",
    "other_plan": HERE / "fixtures" / "other_plan_catalogue.yaml",  # another plan's layout (issue 12)
}
CASES = load_cases(HERE / "cases")


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Any]:
    return {name: load_catalogue(path) for name, path in CATALOGUES.items()}


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(catalogues: dict[str, Any], case_id: str, case: dict[str, Any]) -> None:
    catalogue = catalogues[case["catalogue"]]
    submission = build_submission(catalogue, case)
    assessment = evaluate(catalogue, submission, years=[case["year"]], as_of=as_of(case))
    rows = assessment.results[
        (assessment.results["indicator"] == case["indicator"]) & (assessment.results["unit"] == UNIT)
    ]
    expect = case["expect"]
    if expect["status"] == "absent":  # the indicator does not concern this unit at all (not even 不适用)
        assert rows.empty, rows[["indicator", "status"]].to_dict("records")
        return
    assert len(rows) == 1, f"expected one result, got {len(rows)}"
    row = rows.iloc[0]
    assert row["status"] == expect["status"], f"{row['status']} ({row['note']})"
    if "value" in expect:
        assert row["value"] == pytest.approx(expect["value"], abs=1e-6)
    if "points" in expect:
        assert row["points"] == pytest.approx(expect["points"], abs=1e-6)
    if "max_points" in expect:
        assert row["max_points"] == pytest.approx(expect["max_points"], abs=1e-6)
    if "display" in expect:
        assert row["display"] == expect["display"]
    if "note" in expect:
        assert expect["note"] in row["note"]
    if "issue" in expect:
        assert expect["issue"] in {i.code for i in assessment.issues_list}
