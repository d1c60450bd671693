"""The JSON report carries the same provenance as the Excel report: every input of every result with its
figure and its source (cell, ledger, or catalogue), and the unit's own 来源/统计截止日/备注."""

from __future__ import annotations

from lawgov_metrics.results import Assessment
from tests.sample_assessment import sample_assessment


def _as_excel_text(inputs: list[dict]) -> str:
    """The 数据来源 cell of 指标明细, rebuilt from the JSON inputs."""
    return "；".join(
        f"{i['input']}={i['display']}（{i['source']}）" if i["source"] else f"{i['input']}={i['display']}"
        for i in inputs
    )


def test_every_result_has_the_excel_sources() -> None:
    assessment: Assessment = sample_assessment()
    payload = assessment.as_dict()
    excel = {
        (r["unit"], int(r["year"]), r["indicator"]): r["inputs"]
        for r in assessment.results.to_dict("records")
    }
    assert len(payload["results"]) == len(excel) > 0
    with_sources = 0
    for result in payload["results"]:
        key = (result["unit"], result["year"], result["indicator"])
        assert _as_excel_text(result["inputs"]) == excel[key], key
        with_sources += any(i["source"] for i in result["inputs"])
    assert with_sources > len(excel) // 2  # most results name where their figures came from
