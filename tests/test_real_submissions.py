"""Truthful results on real, partial submissions (issue 11): what units really send — summary sheets only,
published rates instead of counts, explicit answers, years without any submission — scored on the shipped
catalogue, with the expected statuses, values and points worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lawgov_metrics import evaluate, read_submissions
from lawgov_metrics.api import Assessment
from lawgov_metrics.catalogue import Catalogue

from .cli_data import fill

AS_OF = dt.date(2026, 6, 30)
LONGHUA = "龙华区人民政府"
MEILAN = "美兰区人民政府"


def _long_table(path: Path, rows: list[tuple[object, ...]]) -> Path:
    """A long table as units export it: 单位, 年度, 字段 (the Chinese name), 数值."""
    frame = pd.DataFrame(rows, columns=["单位", "年度", "字段", "数值"])
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _score(catalogue: Catalogue, *paths: Path, years: range = range(2024, 2025)) -> Assessment:
    return evaluate(catalogue, read_submissions(list(paths), catalogue), years, as_of=AS_OF)


def _result(a: Assessment, unit: str, year: int, indicator: str) -> dict[str, object]:
    r = a.results
    rows = r[(r["unit"] == unit) & (r["year"] == year) & (r["indicator"] == indicator)]
    assert len(rows) == 1, (unit, year, indicator)
    return dict(rows.iloc[0])


def _codes(a: Assessment) -> list[str]:
    return [i.code for i in a.issues_list]


# ---------------------------------------------------------------- 1. an empty ledger sheet says nothing


SUMMARY = {
    "normative_docs_issued": 12,
    "normative_docs_filed": 12,
    "normative_filings_received": 12,  # 备案审查: the district reviews what its departments and towns filed
    "normative_filings_reviewed": 11,
    "litigation_cases_concluded": 8,
    "litigation_cases_lost": 1,
}


def test_ledger_sheets_with_only_their_header_score_like_no_ledger_sheets(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """The official template filled the way its guide allows (summary only, ledger sheets untouched) scores
    exactly like the same figures in a long table: no ledger-conflict against "0 records", no indicator
    turned 不适用 by an empty roster."""
    template = fill(catalogue, tmp_path / "template.xlsx", "district_gov", LONGHUA, 2024, SUMMARY)
    names = {f.id: f.name for f in catalogue.fields}
    table = _long_table(tmp_path / "long.csv", [(LONGHUA, 2024, names[k], v) for k, v in SUMMARY.items()])
    by_template, by_table = _score(catalogue, template), _score(catalogue, table)

    assert "ledger-conflict" not in _codes(by_template)
    columns = ["indicator", "value", "status", "points", "max_points"]
    pd.testing.assert_frame_equal(by_template.results[columns], by_table.results[columns])
    assert by_template.scores["points"].tolist() == by_table.scores["points"].tolist()
    assert by_template.scores["max_points"].tolist() == by_table.scores["max_points"].tolist()

    filing = _result(by_template, LONGHUA, 2024, "normative_doc_filing_rate")
    assert (filing["status"], filing["value"]) == ("met", 1.0)
    review = _result(by_template, LONGHUA, 2024, "normative_doc_review_rate")
    assert (review["status"], review["value"]) == ("not_met", pytest.approx(11 / 12))
    # an empty roster sheet is no roster: 缺数据 (counts in the maximum), never 不适用
    training = _result(by_template, LONGHUA, 2024, "enforcement_training_hours")
    assert (training["status"], training["max_points"] > 0) == ("missing", True)
    # a count derivable from a ledger, left blank: 缺数据, not 未达标 (0 records) nor 不适用
    sessions = _result(by_template, LONGHUA, 2024, "leadership_study_sessions")
    assert sessions["status"] == "missing"


def test_a_blank_cell_cannot_shrink_the_maximum(catalogue: Catalogue, tmp_path: Path) -> None:
    """One figure or many, the maximum is the same: every blank is 缺数据 and counts in it. A template with
    nothing filled in is 未报送 (shown, not graded), never a unit with a smaller maximum."""
    filled = _score(catalogue, fill(catalogue, tmp_path / "a.xlsx", "district_gov", LONGHUA, 2024, SUMMARY))
    one = _score(
        catalogue,
        fill(catalogue, tmp_path / "b.xlsx", "district_gov", LONGHUA, 2024, {"post_decision_evaluations": 1}),
    )
    assert one.scores["max_points"].iloc[0] == filled.scores["max_points"].iloc[0] > 100
    assert set(one.results["status"]) == {"met", "missing"}
    blank = _score(catalogue, fill(catalogue, tmp_path / "c.xlsx", "district_gov", LONGHUA, 2024, {}))
    row = blank.scores.iloc[0]
    assert (row["unit"], bool(row["submitted"]), row["grade"]) == (LONGHUA, False, "")
    assert "file-blank" in _codes(blank)


# ---------------------------------------------------------------- 2. published rates


def test_a_published_rate_is_judged_when_the_counts_are_not_given(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    table = _long_table(
        tmp_path / "rates.csv",
        [
            (LONGHUA, 2023, "行政机关负责人出庭应诉率", "96%"),
            (LONGHUA, 2024, "行政机关负责人出庭应诉率", "100%"),
            (LONGHUA, 2024, "人大代表建议、政协委员提案办理满意度", "98.9%"),
            (LONGHUA, 2024, "政务服务事项全程网办比例", "93.5%"),
        ],
    )
    a = _score(catalogue, table)
    satisfaction = _result(a, LONGHUA, 2024, "npc_cppcc_proposal_satisfaction")
    assert (satisfaction["status"], satisfaction["value"]) == ("met", pytest.approx(0.989))
    assert satisfaction["display"] == "98.9%（填报比率）"
    assert satisfaction["note"] == "按单位填报的比率判断（未填分子、分母）"
    assert "人大代表建议、政协委员提案办理满意度=98.9%（" in str(satisfaction["inputs"])
    online = _result(a, LONGHUA, 2024, "full_online_service_rate")  # ≥95% from 2023
    # 93.5% < 95%: banded (≥90% keeps six tenths), no longer 0.935/0.95 of the points
    assert (online["status"], online["points"]) == ("not_met", pytest.approx(online["max_points"] * 0.6))
    appearance = _result(a, LONGHUA, 2024, "head_court_appearance_rate_trend")
    assert (appearance["status"], appearance["value"]) == ("met", 1.0)  # at the bound, 100%
    assert not [i for i in a.issues_list if i.severity == "error"]


def test_counts_win_over_a_published_rate_that_disagrees(catalogue: Catalogue, tmp_path: Path) -> None:
    names = {f.id: f.name for f in catalogue.fields}
    table = _long_table(
        tmp_path / "both.csv",
        [
            (LONGHUA, 2024, names["proposals_evaluated"], 90),
            (LONGHUA, 2024, names["proposals_satisfied"], 84),  # 93.3%
            (LONGHUA, 2024, "人大代表建议、政协委员提案办理满意度", "98.9%"),
            (MEILAN, 2024, names["proposals_evaluated"], 90),
            (MEILAN, 2024, names["proposals_satisfied"], 89),  # 98.9%, as published
            (MEILAN, 2024, "人大代表建议、政协委员提案办理满意度", "98.9%"),
        ],
    )
    a = _score(catalogue, table)
    longhua = _result(a, LONGHUA, 2024, "npc_cppcc_proposal_satisfaction")
    assert (longhua["status"], longhua["value"], longhua["display"]) == (
        "not_met",
        pytest.approx(84 / 90),
        "93.3%（84/90）",
    )
    conflicts = [i for i in a.issues_list if i.code == "rate-conflict"]
    assert [(i.unit, i.severity) for i in conflicts] == [(LONGHUA, "warning")]
    assert "98.9%" in conflicts[0].message and "84/90" in conflicts[0].message
    assert conflicts[0].cell == "D4"  # the rate's row in the CSV (header is row 1)
    assert _result(a, MEILAN, 2024, "npc_cppcc_proposal_satisfaction")["status"] == "met"


@pytest.mark.parametrize(
    ("written", "reading"),
    [
        ("先后4次", 4.0),
        ("共4次", 4.0),
        ("全年 4 次", 4.0),
    ],
)
def test_exact_counts_said_in_words_are_read(
    catalogue: Catalogue, tmp_path: Path, written: str, reading: float
) -> None:
    name = catalogue.fields_by_id["study_sessions_leadership"].name
    a = _score(catalogue, _long_table(tmp_path / "t.csv", [(LONGHUA, 2024, name, written)]))
    result = _result(a, LONGHUA, 2024, "leadership_study_sessions")
    assert (result["status"], result["value"]) == ("met", reading)


@pytest.mark.parametrize(
    ("field", "written", "says"),
    [
        ("npc_cppcc_proposal_satisfaction_reported", "超过98%", "约数或界限（“超过”）"),
        ("npc_cppcc_proposal_satisfaction_reported", "约95%", "约数或界限（“约”）"),
        ("proposals_evaluated", "402万余件", "数量级单位“万”"),
        ("proposals_evaluated", "100余件", "约数或界限（“余”）"),
    ],
)
def test_approximate_figures_are_refused_saying_why(
    catalogue: Catalogue, tmp_path: Path, field: str, written: str, says: str
) -> None:
    name = catalogue.fields_by_id[field].name
    a = _score(catalogue, _long_table(tmp_path / "t.csv", [(LONGHUA, 2024, name, written)]))
    errors = [i for i in a.issues_list if i.severity == "error"]
    assert len(errors) == 1 and says in errors[0].message and errors[0].cell == "D2"
    assert "无法识别为数字" not in errors[0].message
    assert _result(a, LONGHUA, 2024, "npc_cppcc_proposal_satisfaction")["status"] == "invalid"


# ---------------------------------------------------------------- 3. explicit answers


def test_explicit_answers_each_have_their_meaning(catalogue: Catalogue, tmp_path: Path) -> None:
    names = {f.id: f.name for f in catalogue.fields}
    path = fill(
        catalogue,
        tmp_path / "answers.xlsx",
        "district_gov",
        LONGHUA,
        2024,
        {
            "major_decisions_made": "不适用",  # no major decision this year: the ratio leaves the maximum
            "inspection_staff": "N/A",
            "joint_inspection_items": "—",
            "litigation_cases_concluded": "未公开",  # said on purpose: 未公开, scores 0
            "post_decision_evaluations": "未发生",  # the figure 0: judged, and short of 1
            "cannot_handle_window_set": "无",  # for 是/否, 无 is 否
        },
    )
    a = _score(catalogue, path)
    decisions = _result(a, LONGHUA, 2024, "decision_legality_review_rate")
    assert (decisions["status"], decisions["max_points"]) == ("not_applicable", 0.0)
    assert (
        decisions["note"]
        == f"单位答复不适用：{names['major_decisions_made']}（{path} › 汇总表 › E{_row(path, 'major_decisions_made')}）"
    )
    assert _result(a, LONGHUA, 2024, "inspection_staff_on_clues_share")["status"] == "not_applicable"
    assert _result(a, LONGHUA, 2024, "joint_inspection_double_random_rate")["status"] == "not_applicable"
    loss = _result(a, LONGHUA, 2024, "litigation_loss_rate_trend")
    assert (loss["status"], loss["status_label"], loss["points"]) == ("not_published", "未公开", 0.0)
    assert loss["max_points"] > 0
    evaluation = _result(a, LONGHUA, 2024, "post_decision_evaluation")
    assert (evaluation["status"], evaluation["value"]) == ("not_met", 0.0)
    window = _result(a, LONGHUA, 2024, "cannot_handle_window")
    assert (window["status"], window["value"]) == ("not_met", 0.0)
    scores = a.scores.iloc[0]
    assert (scores["not_applicable"], scores["not_published"]) == (3, 1)
    assert not [i for i in a.issues_list if i.severity == "error"]


def test_not_happened_is_refused_for_a_date(catalogue: Catalogue, tmp_path: Path) -> None:
    path = fill(
        catalogue,
        tmp_path / "d.xlsx",
        "district_gov",
        LONGHUA,
        2024,
        {"enforcement_stats_report_date": "未发生"},
    )
    a = _score(catalogue, path)
    errors = [i for i in a.issues_list if i.severity == "error"]
    assert len(errors) == 1 and "不能填“未发生”" in errors[0].message
    assert _result(a, LONGHUA, 2024, "enforcement_stats_annual_report")["status"] == "invalid"


def _row(path: Path, field_id: str) -> int:
    from openpyxl import load_workbook

    ws = load_workbook(path)["汇总表"]
    return next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value == field_id)


# ---------------------------------------------------------------- 4. 未报送 and 覆盖率


def test_a_year_without_any_submission_is_not_submitted_not_failed(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    names = {f.id: f.name for f in catalogue.fields}
    table = _long_table(
        tmp_path / "t.csv",
        [
            (LONGHUA, 2023, names["proposals_evaluated"], 10),
            (LONGHUA, 2023, names["proposals_satisfied"], 10),
            (MEILAN, 2023, names["proposals_evaluated"], 10),
            (MEILAN, 2023, names["proposals_satisfied"], 9),
            (MEILAN, 2024, names["proposals_evaluated"], 10),
            (MEILAN, 2024, names["proposals_satisfied"], 10),
        ],
    )
    a = _score(catalogue, table, years=range(2023, 2025))
    scores = a.scores.set_index(["unit", "year"])
    longhua_2024 = scores.loc[(LONGHUA, 2024)]
    assert (bool(longhua_2024["submitted"]), longhua_2024["grade"], longhua_2024["max_points"]) == (
        False,
        "",
        0,
    )
    assert (
        pd.isna(longhua_2024["rank"]) and pd.isna(longhua_2024["rate"]) and pd.isna(longhua_2024["coverage"])
    )
    assert a.results[(a.results["unit"] == LONGHUA) & (a.results["year"] == 2024)].empty
    assert scores.loc[(MEILAN, 2024), "rank"] == 1  # ranked alone: 龙华区 is not ranked below it
    # 覆盖率: of 2023's applicable (scored) indicators, one has data
    meilan = a.results[(a.results["unit"] == MEILAN) & (a.results["year"] == 2023)]
    scored = meilan["status"].isin(["met", "not_met", "missing", "invalid", "not_published"]).sum()
    with_data = meilan["status"].isin(["met", "not_met", "invalid"]).sum()
    assert with_data == 1
    assert scores.loc[(MEILAN, 2023), "coverage"] == pytest.approx(1 / scored)
    payload = a.as_dict()
    json_row = next(u for u in payload["units"] if u["unit"] == LONGHUA and u["year"] == 2024)
    assert (json_row["submitted"], json_row["rate"], json_row["rank"], json_row["grade"]) == (
        False,
        None,
        None,
        None,
    )


# ---------------------------------------------------------------- 7. dates in the right year


def test_a_report_date_before_its_year_is_an_error_at_its_cell(catalogue: Catalogue, tmp_path: Path) -> None:
    name = catalogue.fields_by_id["enforcement_stats_report_date"].name
    assert name.startswith("本年度") and "次年1月31日前" in name  # the label says which year's report
    table = _long_table(tmp_path / "t.csv", [(LONGHUA, 2024, name, "2022-01-20")])
    a = _score(catalogue, table)
    errors = [i for i in a.issues_list if i.code == "date-before-period"]
    assert len(errors) == 1 and errors[0].cell == "D2" and errors[0].severity == "error"
    assert _result(a, LONGHUA, 2024, "enforcement_stats_annual_report")["status"] == "invalid"
    on_time = _score(catalogue, _long_table(tmp_path / "ok.csv", [(LONGHUA, 2024, name, "2025-01-20")]))
    assert _result(on_time, LONGHUA, 2024, "enforcement_stats_annual_report")["status"] == "met"


# ---------------------------------------------------------------- 8. nothing accepted silently


def test_a_blank_template_is_reported(catalogue: Catalogue, tmp_path: Path) -> None:
    path = fill(catalogue, tmp_path / "blank.xlsx", "district_gov", LONGHUA, 2024, {})
    submission = read_submissions([path], catalogue)
    blank = [i for i in submission.issues if i.code == "file-blank"]
    assert [(i.severity, i.file) for i in blank] == [("warning", str(path))]
    assert "未填写任何数据" in blank[0].message


def test_a_file_with_nothing_readable_is_an_error(catalogue: Catalogue, tmp_path: Path) -> None:
    path = _long_table(tmp_path / "empty.csv", [])
    submission = read_submissions([path], catalogue)
    assert [(i.code, i.severity) for i in submission.issues] == [("file-empty", "error")]


def test_the_same_figures_sent_twice_are_reported(catalogue: Catalogue, tmp_path: Path) -> None:
    names = {f.id: f.name for f in catalogue.fields}
    rows = [
        (LONGHUA, 2024, names["proposals_evaluated"], 10),
        (LONGHUA, 2024, names["proposals_satisfied"], 9),
    ]
    first, second = _long_table(tmp_path / "a.csv", rows), _long_table(tmp_path / "b.csv", rows)
    submission = read_submissions([first, second], catalogue)
    duplicates = [i for i in submission.issues if i.code == "value-duplicate"]
    assert [(i.file, i.severity) for i in duplicates] == [(str(second), "warning")]
    assert "2 项数据" in duplicates[0].message and str(first) in duplicates[0].message
    a = evaluate(catalogue, submission, [2024], as_of=AS_OF)
    assert _result(a, LONGHUA, 2024, "npc_cppcc_proposal_satisfaction")["value"] == pytest.approx(0.9)


def test_a_blank_optional_whole_number_in_a_ledger_is_no_error(catalogue: Catalogue, tmp_path: Path) -> None:
    """参加人数 (an int with min 0) left blank, as clerks do: no "应不小于 0" (a nullable NA once was)."""
    path = fill(
        catalogue,
        tmp_path / "ledger.xlsx",
        "district_gov",
        LONGHUA,
        2024,
        {},
        {"学法与培训活动台账": [[dt.date(2024, m, 10), "中心组学法", f"第{m}次"] for m in (3, 6, 9, 12)]},
    )
    a = _score(catalogue, path)
    assert [i for i in a.issues_list if i.severity == "error"] == []
    sessions = _result(a, LONGHUA, 2024, "leadership_study_sessions")
    assert (sessions["status"], sessions["value"]) == ("met", 4.0)
