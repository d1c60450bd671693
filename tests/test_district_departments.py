"""District departments (区政府部门) as a unit kind of their own: the plan's obligations on 各级行政机关 and
行政执法单位 apply to them, they belong to their district (所属区) and are ranked among themselves."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from lawgov_metrics import layout
from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.catalogue.applicability import fields_for_kind, indicators_for_kind, resolve_kind
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.register import load_register

from .cli_data import fill

# city_dept indicators whose obligation is not the city's alone (each quote read: 各级行政机关, 各行政执法单位,
# 国家工作人员, 市、区两级政府部门 …)
DISTRICT_DEPT_INDICATORS = {
    "joint_inspection_double_random_rate",
    "normative_doc_filing_rate",
    "normative_doc_catalogue_online",  # (审查率 is the reviewing body's: 市司法局 and the districts)
    "major_enforcement_legal_review_rate",
    "enforcement_stats_annual_report",
    "publicity_responsibility_list",
    "legal_review_staff_share",
    "legal_review_staff_background_rate",
    "enforcement_publicity_and_recording",
    "penalty_exemption_lists",
    "enforcement_rotation_training",
    "dept_head_offjob_law_training",
    "enforcement_training_hours",
    "litigation_loss_rate_trend",
    "head_court_appearance_rate_trend",
    "judgment_execution_rate_trend",
    "lost_case_quarterly_report",
    "npc_cppcc_proposal_satisfaction",
    "unit_case_review_half_yearly",
    "accountability_report_q1",
    "enforcement_funds_decoupled",
    "disclosure_timely_reply_rate",
    "government_commitment_ledger",
    "annual_report_submitted",
    "leadership_study_sessions",
    "pre_meeting_study",
    "law_training_class",
    "law_lectures",
    "staff_study_hours",
    "court_hearing_attendance",
    "legal_qualified_staff_trend",
}

REGISTER = """\ufeff单位名称,单位类别,别名,所属区
海口市龙华区人民政府,区政府,,
海口市教育局,市直部门,,
龙华区司法局,区政府部门,,龙华区
龙华区教育局,区直部门,,海口市龙华区人民政府
中山街道,镇（街道）,,龙华区
"""


def test_the_kind_and_its_names(catalogue: Catalogue) -> None:
    kind = catalogue.kinds_by_id["district_dept"]
    assert kind.name == "区政府部门" and kind.within is None
    assert catalogue.general_kind("district_dept") == "district_dept"  # ranked among themselves
    for written in ("区政府部门", "区直部门", "区级部门", " 区直部门 "):
        assert resolve_kind(catalogue, written).id == "district_dept"


def test_which_indicators_apply(catalogue: Catalogue) -> None:
    assert {i.id for i in indicators_for_kind(catalogue, "district_dept")} == DISTRICT_DEPT_INDICATORS
    # the city's own: 全市政府立法工作人才 (districts make no rules), 市政府各部门 publish their annual report
    city_only = {i.id for i in indicators_for_kind(catalogue, "city_dept")} - DISTRICT_DEPT_INDICATORS
    assert city_only == {"legislation_staff_rotation", "annual_report_published"}


def test_the_register_gives_each_its_district(catalogue: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(REGISTER, encoding="utf-8")
    register, issues = load_register(tmp_path / "units.csv", catalogue)
    assert issues == []
    got = {
        u: (k, p)
        for u, k, p in zip(
            register.units["unit"], register.units["kind"], register.units["parent"], strict=True
        )
    }
    assert got == {
        "海口市龙华区人民政府": ("district_gov", None),
        "海口市教育局": ("city_dept", None),
        "龙华区司法局": ("district_dept", "海口市龙华区人民政府"),  # 所属区 龙华区: a short name of one unit
        "龙华区教育局": ("district_dept", "海口市龙华区人民政府"),
        "中山街道": ("town", "海口市龙华区人民政府"),
    }


def test_template_of_a_district_department(catalogue: Catalogue, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(
        app, ["template", "--kind", "区政府部门", "--unit", "龙华区司法局", "--year", "2024", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    summary = wb[layout.SUMMARY_SHEET]
    assert (summary["B2"].value, summary["B3"].value, summary["B4"].value) == (
        "龙华区司法局",
        2024,
        "区政府部门",
    )
    ids = {summary.cell(r, 1).value for r in range(7, summary.max_row + 1)}
    assert {f.id for f in fields_for_kind(catalogue, "district_dept")} <= ids
    assert "annual_report_submitted_on" in ids and "annual_report_published_on" not in ids
    assert "行政执法人员名册" in wb.sheetnames and "企业开办办件台账" not in wb.sheetnames


def test_district_departments_are_ranked_among_themselves(catalogue: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(REGISTER, encoding="utf-8")
    for name, kind, decoupled in (
        ("龙华区司法局", "district_dept", "是"),
        ("龙华区教育局", "district_dept", "否"),
        ("海口市教育局", "city_dept", "否"),
    ):
        fill(catalogue, tmp_path / f"{name}.xlsx", kind, name, 2024, {"fines_decoupled": decoupled})
    result = CliRunner().invoke(app, ["score", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    ranks = {(u["unit"], u["kind"], u["rank"]) for u in json.loads(result.stdout)["units"]}
    assert ranks == {
        ("龙华区司法局", "district_dept", 1),
        ("龙华区教育局", "district_dept", 2),
        ("海口市教育局", "city_dept", 1),
    }
