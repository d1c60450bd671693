"""Derived fields: count, sum and count_distinct over a ledger, per year and per half-year, hand-computed."""

from __future__ import annotations

from pathlib import Path

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.engine.derive import derive_values
from lawgov_metrics.engine.evaluate import coverage_of

from .engine_cases import UNIT, build_submission

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
EXTRA_FIELDS = """\
  - id: training_hours_total
    name: 培训学时合计
    unit: 学时
    type: hours
    derive: {ledger: enforcement_training, agg: sum, column: hours}
  - id: trained_people_half
    name: 参训人数（半年）
    unit: 人
    type: count
    period: half
    derive: {ledger: enforcement_training, agg: count_distinct, column: certificate_no}
  - id: long_sessions
    name: 8学时以上的培训场次
    unit: 次
    type: count
    derive: {ledger: enforcement_training, agg: count, where: [{column: hours, op: ge, value: 8}]}
"""


def test_sum_count_distinct_and_filtered_count(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "\nledgers:\n", "\n" + EXTRA_FIELDS + "\nledgers:\n", 1
    )
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    catalogue = load_catalogue(path)
    case = {
        "kind": "city_dept",
        "year": 2024,
        "ledgers": {
            "enforcement_training": [
                {"trained_on": "2024-02-01", "certificate_no": "A1", "course": "甲", "hours": 8},
                {"trained_on": "2024-03-01", "certificate_no": "A1", "course": "乙", "hours": 4.5},
                {"trained_on": "2024-05-01", "certificate_no": "A2", "course": "甲", "hours": 12},
                {"trained_on": "2024-09-01", "certificate_no": "A2", "course": "丙", "hours": 7.5},
            ]
        },
    }
    submission = build_submission(catalogue, case)
    derived = derive_values(catalogue, submission.ledgers, coverage_of(submission))
    got = {
        (r["field"], r["period"]): (r["value"], r["rows"])
        for r in derived[derived["unit"] == UNIT].to_dict("records")
        if r["field"] in {"training_hours_total", "trained_people_half", "long_sessions"}
    }
    assert got == {
        ("training_hours_total", "Y"): (32.0, 4),  # 8 + 4.5 + 12 + 7.5 over 4 records
        ("trained_people_half", "H1"): (2.0, 3),  # A1 twice and A2 once: 2 people
        ("trained_people_half", "H2"): (1.0, 1),
        ("long_sessions", "Y"): (2.0, 2),  # 8 and 12 学时 (≥ 8 includes 8)
    }
    sources = set(derived.loc[derived["field"] == "training_hours_total", "source"])
    assert sources == {"case.xlsx › 台账《行政执法人员培训台账》 4 条"}
