"""Issue 13 item 7: out-of-range data is reported (file › sheet › row), never dropped without a word.

Before: a long-table row for 2019 or 2030, a ledger record dated 2035 and a case finished before it was accepted
were all read without an issue; the engine then left the first ones out (it judges the plan's years only) and
judged the last one as done within its bound.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from lawgov_metrics import load_catalogue
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.plausibility import ledger_plausibility
from lawgov_metrics.intake.read.submissions import read_submissions

from .cli_data import fill

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE_PATH = FIXTURES / "minimal_catalogue.yaml"
CATALOGUE = load_catalogue(CATALOGUE_PATH)
UNITS = FIXTURES / "units.csv"
OUTSIDE = "不在规划期 2021—2025 年（及上一年基数 2020 年）内"


def _read(*paths: Path):  # type: ignore[no-untyped-def]
    return read_submissions(list(paths), CATALOGUE, register=UNITS)


def _found(submission, codes=("year-outside-plan", "date-implausible")):  # type: ignore[no-untyped-def]
    return [
        (i.code, i.sheet, i.row, i.cell, i.column, i.message) for i in submission.issues if i.code in codes
    ]


def test_long_table_rows_outside_the_plan_are_reported_and_kept(tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_text(
        "单位,年度,字段,数值\n"
        "海口市司法局,2019,normative_docs_issued,7\n"
        "海口市司法局,2020,normative_docs_issued,8\n"  # the trend base: no issue
        "海口市司法局,2030,normative_docs_issued,9\n"
        "海口市司法局,2024,normative_docs_issued,10\n",
        encoding="utf-8",
    )
    submission = _read(table)
    assert _found(submission) == [
        ("year-outside-plan", "", None, "D2", "", f"年度 2019 {OUTSIDE}，此数值不参与评估"),
        ("year-outside-plan", "", None, "D4", "", f"年度 2030 {OUTSIDE}，此数值不参与评估"),
    ]
    assert all(i.file == str(table) for i in submission.issues if i.code == "year-outside-plan")
    assert sorted(submission.values["year"].tolist()) == [2019, 2020, 2024, 2030]  # nothing dropped


def test_ledger_years_far_future_dates_and_dates_out_of_order(tmp_path: Path) -> None:
    ledger = tmp_path / "企业开办办件台账.csv"
    ledger.write_text(
        "单位,办件编号,受理日期,办结日期\n"
        "海口市行政审批服务局,K1,2019-05-01,2019-05-02\n"  # row 2: a year before the plan
        "海口市行政审批服务局,K2,2024-05-03,2024-05-01\n"  # row 3: finished before accepted
        "海口市行政审批服务局,K3,2024-05-03,2031-05-01\n"  # row 4: finished in 2031
        "海口市行政审批服务局,K4,2026-12-31,2026-12-31\n"  # row 5: the last day allowed, in the plan's next year
        "海口市行政审批服务局,K5,2024-06-03,2024-06-03\n",  # row 6: fine
        encoding="utf-8",
    )
    submission = _read(ledger)
    assert _found(submission) == [
        ("year-outside-plan", "", 2, "", "受理日期", f"「受理日期」在 2019 年，{OUTSIDE}，此记录不参与评估"),
        ("year-outside-plan", "", 5, "", "受理日期", f"「受理日期」在 2026 年，{OUTSIDE}，此记录不参与评估"),
        (
            "date-implausible",
            "",
            4,
            "",
            "办结日期",
            "「办结日期」为 2031-05-01，晚于规划期结束后一年（2026 年底），疑为录入错误",
        ),
        (
            "date-implausible",
            "",
            3,
            "",
            "办结日期",
            "「办结日期」2024-05-01 早于「受理日期」2024-05-03，请核对",
        ),
    ]
    assert {i.severity for i in submission.issues if i.code in ("year-outside-plan", "date-implausible")} == {
        "warning"
    }
    assert sorted(submission.ledgers["business_startups"]["application_no"]) == ["K1", "K2", "K3", "K4", "K5"]


def test_a_template_ledger_row_is_named_by_sheet_and_row(tmp_path: Path) -> None:
    path = fill(
        CATALOGUE,
        tmp_path / "审批局-2024.xlsx",
        "approval_bureau",
        "海口市行政审批服务局",
        2024,
        {"services_total": 10, "services_online": 9},
        {"企业开办办件台账": [["K1", dt.date(2024, 9, 30), dt.date(2024, 9, 1)]]},
    )
    row = openpyxl.load_workbook(path)["企业开办办件台账"].max_row
    found = [
        (i.code, i.file, i.sheet, i.row, i.unit, i.message)
        for i in _read(path).issues
        if i.code == "date-implausible"
    ]
    assert found == [
        (
            "date-implausible",
            str(path),
            "企业开办办件台账",
            row,
            "海口市行政审批服务局",
            "「办结日期」2024-09-01 早于「受理日期」2024-09-30，请核对",
        )
    ]


def test_datetimes_compare_to_the_minute_and_many_rows_end_in_one_summary(tmp_path: Path) -> None:
    ledger = tmp_path / "突发事件舆情台账.csv"
    rows = [f"秀英区人民政府,E{i},一般,2024-06-01 08:00,2024-06-01 07:59" for i in range(25)]
    rows.append("秀英区人民政府,OK,一般,2024-06-01 08:00,2024-06-01 08:00")
    ledger.write_text(
        "单位,事件编号,事件级别,发生时间,首次发布权威信息时间\n" + "\n".join(rows) + "\n", "utf-8"
    )
    found = _found(_read(ledger))
    assert len(found) == 21
    assert found[0] == (
        "date-implausible",
        "",
        2,
        "",
        "首次发布权威信息时间",
        "「首次发布权威信息时间」2024-06-01 07:59 早于「发生时间」2024-06-01 08:00，请核对",
    )
    assert [f[2] for f in found[:20]] == list(range(2, 22))
    assert found[20] == (
        "date-implausible",
        "",
        None,
        "",
        "",
        "另有 5 行「首次发布权威信息时间」早于「发生时间」，请核对",
    )


def test_a_million_rows_are_checked_by_column(tmp_path: Path) -> None:
    n = 1_000_000
    ledger = CATALOGUE.ledgers_by_id["business_startups"]
    start = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(pd.RangeIndex(n) % 300, unit="D"))
    frame = pd.DataFrame(
        {
            "_row": range(2, n + 2),
            "_file": "big.csv",
            "_sheet": "",
            "accepted_on": start,
            "completed_on": start + pd.Timedelta(days=1),
            "unit": "海口市行政审批服务局",
            "year": start.dt.year,
        }
    )
    frame.loc[n - 1, "completed_on"] = pd.Timestamp("2023-01-01")
    import time

    began = time.perf_counter()
    issues = ledger_plausibility(ledger, frame, CATALOGUE)
    assert time.perf_counter() - began < 5  # measured ≈0.01–0.03 s (0.3 s with every row reported)
    assert [(i.code, i.row) for i in issues] == [("date-implausible", n + 1)]


def test_check_reports_them_without_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "long.csv").write_text(
        "单位,年度,字段,数值\n海口市司法局,2035,normative_docs_issued,7\n", "utf-8"
    )
    result = CliRunner().invoke(
        app, ["check", str(folder), "--units", str(UNITS), "-f", "json", "-c", str(CATALOGUE_PATH)]
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output  # a warning: the run is not failed for it
    codes = [i["code"] for i in json.loads(result.stdout)["issues"]]
    assert codes == ["year-outside-plan"]
