"""`template`, `check`, `score` and `explain` through the CLI: outputs, exit codes, JSON contracts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.cli import app

from .cli_data import write_dataset
from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "minimal_catalogue.yaml"
runner = CliRunner()
AS_OF = ["--as-of", "2026-11-27"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(load_catalogue(FIXTURE), tmp_path_factory.mktemp("data"))


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "-c", str(FIXTURE)])


def schema(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- template


def test_template_then_check_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = run("template", "--kind", "市司法局", "--unit", "海口市司法局", "--year", "2024", "-o", str(out))
    assert result.exit_code == 0, result.output
    import openpyxl

    wb = openpyxl.load_workbook(out)
    ws = wb["汇总表"]
    ws["E7"] = 3  # fill one figure by script
    wb.save(out)
    checked = run(
        "check", str(out), "--units", str(REPO / "tests" / "fixtures" / "units.csv"), "--format", "json"
    )
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["ok"] is True


def test_template_unknown_kind_is_usage_error(tmp_path: Path) -> None:
    result = run("template", "--kind", "火星局", "-o", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 2
    assert "未知的单位类别" in result.stderr


# ---------------------------------------------------------------- check


def test_check_clean_data_exits_0_and_json_validates(data: Path) -> None:
    result = run("check", str(data), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    jsonschema.validate(payload, schema("check.schema.json"))
    assert payload["ok"] is True
    assert {f["file"].rsplit("/", 1)[-1] for f in payload["files"]} >= {
        "司法局-2024.xlsx",
        "审批局-2024.xlsx",
    }


def test_check_errors_exit_1_and_junit(data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,年度,字段,数值\n海口市司法局,2024,normative_docs_issued,-1\n", encoding="utf-8")
    result = run("check", str(bad), "--units", str(data / "units.csv"), "--format", "junit")
    assert result.exit_code == 1
    assert "<failure" in result.stdout and "value-negative" in result.stdout


def test_check_strict_fails_on_warnings(tmp_path: Path, data: Path) -> None:
    footer = tmp_path / "long.csv"
    footer.write_text(
        "单位,年度,字段,数值\n海口市司法局,2024,normative_docs_issued,1\n合计,,,1\n", encoding="utf-8"
    )
    args = ("check", str(footer), "--units", str(data / "units.csv"))
    assert run(*args).exit_code == 0
    assert run(*args, "--strict").exit_code == 1


def test_check_missing_units_register_is_usage_error(data: Path) -> None:
    assert run("check", str(data), "--units", "/nonexistent/units.csv").exit_code == 2


# ---------------------------------------------------------------- score


def test_score_json_matches_schema_and_api(data: Path) -> None:
    result = run("score", str(data), "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    jsonschema.validate(payload, schema("score.schema.json"))
    import datetime as dt

    from lawgov_metrics import evaluate, read_submissions

    cat = load_catalogue(FIXTURE)
    api = evaluate(cat, read_submissions([data], cat), as_of=dt.date(2026, 11, 27)).as_dict()
    assert payload == json.loads(json.dumps(api, ensure_ascii=False))
    assert payload["years"] == [2023, 2024]
    by_key = {(r["unit"], r["year"], r["indicator"]): r for r in payload["results"]}
    assert by_key[("海口市司法局", 2024, "normative_doc_filing_rate")]["status"] == "met"
    assert by_key[("海口市司法局", 2023, "normative_doc_filing_rate")]["status"] == "not_met"
    assert by_key[("海口市司法局", 2024, "litigation_loss_rate_trend")]["status"] == "met"
    assert by_key[("秀英区人民政府", 2024, "normative_doc_filing_rate")]["status"] == "not_applicable"


def test_score_table_is_the_default(data: Path) -> None:
    result = run("score", str(data), "--year", "2024", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "海口市法治政府建设实施方案" in result.stdout


def test_score_fail_under_exits_1(data: Path) -> None:
    assert run("score", str(data), "--fail-under", "0", *AS_OF).exit_code == 0
    result = run("score", str(data), "--fail-under", "99.9", *AS_OF)
    assert result.exit_code == 1
    assert "低于 99.9%" in result.stderr


def test_score_data_errors_exit_1(data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,年度,字段,数值\n海口市司法局,2024,normative_docs_issued,若干\n", encoding="utf-8")
    result = run("score", str(bad), "--units", str(data / "units.csv"), "--format", "json", *AS_OF)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["errors"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "2030"), "不在规划期"),
        (("--year", "2024", "--years", "2021-2025"), "只能用一个"),
        (("--years", "2025-2021"), "起始年晚于终止年"),
        (("--kind", "火星局"), "未知的单位类别"),
        (("--unit", "不存在的单位"), "没有单位"),
        (("-o", "report.csv"), ".xlsx"),
        (("--as-of", "明天"), "--as-of"),
    ],
)
def test_score_usage_errors_exit_2(data: Path, args: tuple[str, ...], message: str) -> None:
    result = run("score", str(data), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_score_refuses_to_overwrite_an_input(data: Path) -> None:
    target = data / "司法局-2024.xlsx"
    before = target.read_bytes()
    result = run("score", str(target), "--units", str(data / "units.csv"), "-o", str(target))
    assert result.exit_code == 2
    assert "拒绝覆盖输入文件" in result.stderr
    assert target.read_bytes() == before


def test_score_writes_excel_and_filters_by_kind(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = run("score", str(data), "--kind", "市直部门", "-o", str(out), "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.output
    assert {u["unit"] for u in json.loads(result.stdout)["units"]} == {"海口市司法局", "海口市行政审批服务局"}
    import openpyxl

    assert openpyxl.load_workbook(out).sheetnames[:2] == ["总览", "指标明细"]


def test_broken_catalogue_exits_2(data: Path, tmp_path: Path) -> None:
    broken = tmp_path / "c.yaml"
    broken.write_text("version: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(data), "-c", str(broken)])
    assert result.exit_code == 2
    assert "指标目录有" in result.stderr


# ---------------------------------------------------------------- explain: one indicator of each kind

EXPLAIN = [
    (
        "海口市司法局",
        "normative_doc_filing_rate",
        [
            "行政规范性文件报备率",
            "按规定报备的行政规范性文件件数 ÷ 制发行政规范性文件件数",
            "20",
            "司法局-2024.xlsx › 汇总表",
            "达标",
            "2 / 2",
        ],
    ),
    (
        "海口市司法局",
        "leadership_study_sessions",
        ["每年 ≥ 4 次", "台账《学法与培训活动台账》", "4 次", "达标"],
    ),
    ("海口市司法局", "unit_case_review_half_yearly", ["上半年 1；下半年 1", "达标"]),
    ("海口市司法局", "enforcement_training_hours", ["50%（1/2 人）", "名册人数", "未达标", "1 / 2"]),
    ("海口市司法局", "enforcement_rotation_training", ["规划期累计", "100%（2/2 人）", "达标", "1 / 1"]),
    ("海口市司法局", "enforcement_stats_annual_report", ["2025-01-20", "2025-01-31", "达标"]),
    ("海口市行政审批服务局", "business_startup_one_workday", ["100%（2/2 件）", "纳入计算的记录数", "达标"]),
    ("海口市行政审批服务局", "inter_province_service_2022", ["已完成（2022-11-30）", "达标"]),
    ("海口市司法局", "litigation_loss_rate_trend", ["10%（上年 30%）", "上年败诉的行政诉讼案件数", "达标"]),
    ("秀英区人民政府", "enforcement_funds_decoupled", ["否", "未达标", "0 / 1"]),
]


@pytest.mark.parametrize(("unit", "indicator", "fragments"), EXPLAIN, ids=[e[1] for e in EXPLAIN])
def test_explain_each_kind(data: Path, unit: str, indicator: str, fragments: list[str]) -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            str(data),
            "--unit",
            unit,
            "--indicator",
            indicator,
            "--year",
            "2024",
            "-c",
            str(FIXTURE),
            *AS_OF,
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for fragment in fragments:
        assert fragment in result.stdout, f"{fragment!r} not in\n{result.stdout}"


def test_explain_indicator_not_applying_to_unit(data: Path) -> None:
    result = run(
        "explain",
        str(data),
        "--unit",
        "秀英区人民政府",
        "--indicator",
        "inter_province_service_2022",
        "--year",
        "2024",
    )
    assert result.exit_code == 2
    assert "不适用于" in result.stderr


def test_score_unit_filter_keeps_only_that_units_issues(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("units.csv", "司法局-2024.xlsx", "秀英区-2024.xlsx"):
        (folder / name).write_bytes((data / name).read_bytes())
    (folder / "bad.csv").write_text(
        "单位,年度,字段,数值\n秀英区,2024,normative_docs_issued,若干\n", encoding="utf-8"
    )
    result = run("score", str(folder), "--unit", "海口市司法局", "--format", "json", *AS_OF)
    payload = json.loads(result.stdout)
    assert {u["unit"] for u in payload["units"]} == {"海口市司法局"}
    assert payload["issues"] == []
    assert result.exit_code == 1  # the data set as a whole still has an error, and stderr says so
    assert "输入数据中有 1 个错误" in result.stderr
