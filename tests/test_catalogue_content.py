"""The bundled catalogue says what the plan says: verbatim quotes, full coverage, hand-checked provisions."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from lawgov_metrics.catalogue import INDICATOR_KINDS, Catalogue, load_catalogue

REPO = Path(__file__).resolve().parents[1]
CATALOGUE_PATH = REPO / "indicators.yaml"
PLAN_NAME = "plan-haikou-2021-2025.txt"
WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Remove all whitespace: the plan's line breaks and the spacing around numbers do not matter."""
    return WHITESPACE.sub("", text)


def plan_path() -> Path | None:
    shared = Path(__file__).resolve().parents[2] / "shared" / PLAN_NAME
    if shared.is_file():
        return shared
    env = os.environ.get("LAWGOV_PLAN_TEXT")
    if env and Path(env).is_file():
        return Path(env)
    return None


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


@pytest.fixture(scope="module")
def plan_text() -> str:
    path = plan_path()
    if path is None:
        pytest.skip(f"方案原文 {PLAN_NAME} 不在 ../shared/ 下，且未设置环境变量 LAWGOV_PLAN_TEXT")
    return squeeze(path.read_text(encoding="utf-8"))


def by_id(catalogue: Catalogue, indicator_id: str) -> Any:  # one member of the Indicator union
    assert indicator_id in catalogue.indicators_by_id, f"目录中没有指标 {indicator_id}"
    return catalogue.indicators_by_id[indicator_id]


# ------------------------------------------------------------ verbatim quotes and coverage


def test_every_quote_is_verbatim_plan_text(catalogue: Catalogue, plan_text: str) -> None:
    missing = [f"{i.id}: {i.quote}" for i in catalogue.indicators if squeeze(i.quote) not in plan_text]
    assert not missing, "以下指标的 quote 不是方案原文：\n" + "\n".join(missing)


def test_every_quote_lies_in_its_clause(catalogue: Catalogue, plan_text: str) -> None:
    """The quote is found between the clause heading and the next clause heading."""
    heading = re.compile(r"[（(]([一二三四五六七八九十]+)[）)]")
    starts = {m.group(1): m.start() for m in heading.finditer(plan_text)}
    order = sorted(starts.values())
    wrong = []
    for ind in catalogue.indicators:
        start = starts[ind.clause]
        end = next((s for s in order if s > start), len(plan_text))
        if squeeze(ind.quote) not in plan_text[start:end]:
            wrong.append(f"{ind.id}（第{ind.clause}条）")
    assert not wrong, "quote 不在所标条款内：" + "、".join(wrong)


def test_every_chapter_has_an_indicator(catalogue: Catalogue) -> None:
    chapters = {i.chapter for i in catalogue.indicators}
    assert chapters == set("二三四五六七八九十")


def test_every_kind_appears(catalogue: Catalogue) -> None:
    assert {i.kind for i in catalogue.indicators} == set(INDICATOR_KINDS)


def test_catalogue_is_complete_enough(catalogue: Catalogue) -> None:
    assert len(catalogue.indicators) >= 60


def test_seed_indicators_are_kept(catalogue: Catalogue) -> None:
    seed = {
        "normative_doc_filing_rate",
        "leadership_study_sessions",
        "unit_case_review_half_yearly",
        "enforcement_training_hours",
        "enforcement_rotation_training",
        "enforcement_stats_annual_report",
        "business_startup_one_workday",
        "inter_province_service_2022",
        "litigation_loss_rate_trend",
        "enforcement_funds_decoupled",
    }
    assert seed <= set(catalogue.indicators_by_id)


def test_every_unit_kind_has_indicators(catalogue: Catalogue) -> None:
    used = {kind for i in catalogue.indicators for kind in i.applies_to}
    assert {k.id for k in catalogue.unit_kinds} <= used


def test_every_field_and_ledger_is_used(catalogue: Catalogue) -> None:
    from lawgov_metrics.catalogue.applicability import indicator_field_ids, indicator_ledger_ids

    fields = {f for i in catalogue.indicators for f in indicator_field_ids(i)}
    fields |= {catalogue.fields_by_id[f].part_of for f in fields} - {None}
    assert {f.id for f in catalogue.fields} == fields
    ledgers = {lid for i in catalogue.indicators for lid in indicator_ledger_ids(catalogue, i)}
    assert {ledger.id for ledger in catalogue.ledgers} == ledgers


def test_names_and_notes_are_chinese(catalogue: Catalogue) -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for item in (*catalogue.indicators, *catalogue.fields, *catalogue.ledgers):
        assert han.search(item.name), item.id
    for ledger in catalogue.ledgers:
        for column in ledger.columns:
            assert han.search(column.name), f"{ledger.id}.{column.id}"


# ------------------------------------------------------------ provisions checked by hand against the plan


def test_full_online_service_from_2023_at_95_percent(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "full_online_service_rate")
    assert ind.kind == "ratio"
    assert ind.effective.start == 2023
    assert ind.target.op == ">=" and ind.target.value == pytest.approx(0.95)


def test_double_random_from_2022_at_100_percent(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "joint_inspection_double_random_rate")
    assert ind.kind == "ratio"
    assert ind.effective.start == 2022
    assert ind.target.value == pytest.approx(1.0)


def test_filing_and_review_rates_are_two_indicators(catalogue: Catalogue) -> None:
    filing = by_id(catalogue, "normative_doc_filing_rate")
    review = by_id(catalogue, "normative_doc_review_rate")
    assert filing.quote == review.quote
    assert filing.target.value == review.target.value == pytest.approx(1.0)
    # 报备率考核制发机关；审查率考核备案审查机关（市司法局、区政府），按其收到的报备件计
    assert catalogue.fields_by_id[review.numerator].part_of == review.denominator
    assert set(review.applies_to) == {"justice_bureau", "district_gov"}
    assert "city_dept" in filing.applies_to and "town" not in filing.applies_to


def test_satisfaction_counts_basic_satisfaction_and_is_banded(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "npc_cppcc_proposal_satisfaction")
    assert ind.target.value == pytest.approx(0.95)
    assert ind.scoring.rule == "bands"
    assert ind.scoring.bands[0].min == pytest.approx(0.95) and ind.scoring.bands[0].share == 1.0
    satisfied = catalogue.fields_by_id[ind.numerator].derive
    assert satisfied is not None
    assert set(satisfied.where[0].value) == {"满意", "基本满意"}


def test_legal_review_staff_at_least_five_percent(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "legal_review_staff_share")
    assert ind.target.op == ">=" and ind.target.value == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("indicator_id", "maximum"),
    [("opinion_release_within_5h", 5), ("opinion_press_conference_within_24h", 24)],
)
def test_public_opinion_hours_for_major_events_only(
    catalogue: Catalogue, indicator_id: str, maximum: int
) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "duration"
    assert ind.unit == "hour"
    assert ind.max == maximum
    assert len(ind.where) == 1
    assert ind.where[0].op == "in" and set(ind.where[0].value) == {"特别重大", "重大"}
    assert ind.start == "occurred_at"


def test_business_startup_within_one_workday(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "business_startup_one_workday")
    assert ind.kind == "duration" and ind.unit == "workday" and ind.max == 1


@pytest.mark.parametrize(
    ("indicator_id", "due_2024"),
    [
        ("enforcement_stats_annual_report", dt.date(2025, 1, 31)),  # 每年1月31日前，上一年度
        ("decision_catalogue_q1", dt.date(2024, 3, 31)),  # 每年一季度公布年度目录
        ("annual_report_submitted", dt.date(2025, 3, 1)),  # 3月1日前报告上一年度
        ("annual_report_published", dt.date(2025, 4, 1)),  # 4月1日前向社会公开
        ("litigation_report_before_april", dt.date(2025, 3, 31)),  # 4月前 = 4月1日之前
        ("accountability_report_q1", dt.date(2025, 3, 31)),  # 每年第一季度报送上一年度
    ],
)
def test_deadlines(catalogue: Catalogue, indicator_id: str, due_2024: dt.date) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "deadline"
    assert ind.due.for_year(2024) == due_2024


@pytest.mark.parametrize(
    ("indicator_id", "due"),
    [
        ("inter_province_service_2022", dt.date(2022, 12, 31)),
        ("reconsideration_system_2022", dt.date(2022, 12, 31)),
        ("supervision_platforms_interconnected_2022", dt.date(2022, 12, 31)),
        ("unified_query_platform_2023", dt.date(2023, 12, 31)),
        ("supervision_system_2024", dt.date(2024, 12, 31)),
    ],
)
def test_milestones(catalogue: Catalogue, indicator_id: str, due: dt.date) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "milestone"
    assert ind.due == due
    assert catalogue.fields_by_id[ind.field].type == "bool"


@pytest.mark.parametrize(
    ("indicator_id", "period", "minimum"),
    [
        ("court_symposium_half_yearly", "half", 1),  # 每半年至少1次座谈会
        ("unit_case_review_half_yearly", "half", 1),  # 各行政执法单位每半年1次案卷评查
        ("emergency_drill_district_half_yearly", "half", 1),  # 区级每半年1次演练
        ("emergency_drill_city_yearly", "year", 1),  # 市级每年1次演练
        ("city_case_review_yearly", "year", 1),
        ("town_enforcement_training", "year", 2),
        ("leadership_study_sessions", "year", 4),
        ("pre_meeting_study", "year", 4),
        ("law_training_class", "year", 1),
        ("law_lectures", "year", 3),
        ("head_law_reporting", "year", 2),
        ("reconsideration_rotation_five", "year", 5),
        ("lost_case_quarterly_report", "quarter", 1),
    ],
)
def test_counts_per_period(catalogue: Catalogue, indicator_id: str, period: str, minimum: int) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "count"
    assert catalogue.fields_by_id[ind.field].period == period
    assert ind.target.op == ">=" and ind.target.value == minimum


def test_city_and_district_drills_read_the_same_activities(catalogue: Catalogue) -> None:
    city = catalogue.fields_by_id[by_id(catalogue, "emergency_drill_city_yearly").field]
    district = catalogue.fields_by_id[by_id(catalogue, "emergency_drill_district_half_yearly").field]
    assert city.derive == district.derive
    assert by_id(catalogue, "emergency_drill_city_yearly").applies_to == ("emergency_bureau",)
    assert by_id(catalogue, "emergency_drill_district_half_yearly").applies_to == ("district_gov",)


def test_city_government_duties_apply_to_city_government_only(catalogue: Catalogue) -> None:
    assert by_id(catalogue, "city_case_review_yearly").applies_to == ("city_gov",)
    assert "city_gov" not in by_id(catalogue, "unit_case_review_half_yearly").applies_to


@pytest.mark.parametrize(
    ("indicator_id", "minimum"),
    [("enforcement_training_hours", 60), ("staff_study_hours", 40), ("court_hearing_attendance", 1)],
)
def test_per_person_minimums(catalogue: Catalogue, indicator_id: str, minimum: int) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "per_person"
    assert ind.minimum == minimum
    assert ind.target.value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("indicator_id", "minimum"),
    [
        ("enforcement_rotation_training", 2),  # 5年内对全市行政执法人员轮训2次
        ("legislation_staff_rotation", 2),  # 5年内对全市政府立法工作人才轮训2次
        ("dept_head_offjob_law_training", 1),  # 任期内至少接受1次法治专题脱产培训
    ],
)
def test_plan_period_cumulative(catalogue: Catalogue, indicator_id: str, minimum: int) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "cumulative"
    assert ind.minimum == minimum
    assert ind.activity.where, "累计指标只数特定类型的培训"


@pytest.mark.parametrize(
    ("indicator_id", "direction", "bound"),
    [
        ("litigation_loss_rate_trend", "down", 0.0),
        ("head_court_appearance_rate_trend", "up", 1.0),
        ("judgment_execution_rate_trend", "up", 1.0),
        ("legal_qualified_staff_trend", "up", None),  # a headcount: no bound
    ],
)
def test_trends(catalogue: Catalogue, indicator_id: str, direction: str, bound: float | None) -> None:
    ind = by_id(catalogue, indicator_id)
    assert ind.kind == "trend" and ind.direction == direction and ind.bound == bound


def test_legal_qualified_staff_is_a_headcount_trend(catalogue: Catalogue) -> None:
    """逐年增加具备法律职业资格的人员数量: the number of people, not their share."""
    ind = by_id(catalogue, "legal_qualified_staff_trend")
    assert ind.kind == "trend" and ind.field == "legal_work_staff_qualified"
    assert ind.numerator is None and ind.denominator is None
    assert catalogue.fields_by_id[ind.field].type == "count"


def test_withdrawn_and_mediated_cases_count_as_concluded_not_lost(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "litigation_loss_rate_trend")
    lost = catalogue.fields_by_id[ind.numerator].derive
    concluded = catalogue.fields_by_id[ind.denominator].derive
    assert lost is not None and concluded is not None
    assert [(c.column, c.op, c.value) for c in lost.where] == [("outcome", "eq", "败诉")]
    outcome = catalogue.ledgers_by_id["litigation_cases"].column("outcome")
    assert outcome is not None and {"撤诉", "调解结案"} <= set(outcome.choices)
    assert any("撤诉" in note for note in ind.notes)


def test_city_brain_units_from_2023(catalogue: Catalogue) -> None:
    ind = by_id(catalogue, "city_brain_units_2023")
    assert ind.effective.start == 2023 and ind.target.value == 40


def test_every_counted_activity_type_is_a_choice(catalogue: Catalogue) -> None:
    """Every 学法与培训活动台账 filter names an existing activity type (the loader checks too; this guards typos)."""
    choices = set(catalogue.ledgers_by_id["study_activities"].column("activity_type").choices)  # type: ignore[union-attr]
    for field in catalogue.fields:
        if field.derive and field.derive.ledger == "study_activities":
            for cond in field.derive.where:
                values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
                assert set(values) <= choices, field.id
