"""The out-of-core ledger backend: the same records as a hive-partitioned Parquet dataset, aggregated by
DuckDB, must score exactly as when read into pandas — values, statuses, points, provenance and issues."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("duckdb")

from lawgov_metrics.api import evaluate, with_ledger_dataset
from lawgov_metrics.intake.dataset.duckdb_ledgers import (
    LedgerDatasetError,
    connect,
    read_ledger_dataset,
)
from lawgov_metrics.intake.dataset.write import write_ledger_dataset
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.submission import Submission

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "samples" / "haikou" / "units.csv"
AS_OF = dt.date(2026, 6, 30)


def both_paths(catalogue, submission: Submission, folder: Path):  # type: ignore[no-untyped-def]
    """(pandas path, DuckDB path): the submission as read, and the same with its ledgers moved to Parquet."""
    write_ledger_dataset(submission.ledgers, folder)
    bare = replace(submission, ledgers={}, coverage=None)
    scaled = with_ledger_dataset(bare, folder, catalogue, register=UNITS)
    return evaluate(catalogue, submission, as_of=AS_OF), evaluate(catalogue, scaled, as_of=AS_OF), scaled


def assert_same(pandas_path, duckdb_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("results", "scores", "chapters", "provenance"):
        pd.testing.assert_frame_equal(getattr(pandas_path, name), getattr(duckdb_path, name), obj=name)
    assert duckdb_path.issues_list == pandas_path.issues_list


def test_the_haikou_samples_score_the_same_from_parquet(catalogue, tmp_path: Path) -> None:
    submission = read_submissions([REPO / "samples" / "haikou"], catalogue)
    pandas_path, duckdb_path, scaled = both_paths(catalogue, submission, tmp_path / "ledgers")
    assert_same(pandas_path, duckdb_path)
    # the comparison is not vacuous: ledger figures, per-person shares and durations were all judged
    results = pandas_path.results
    assert len(results) > 8_000
    by_kind = {"enforcement_training_hours", "business_startup_one_workday", "leadership_study_sessions"}
    judged = results[results["indicator"].isin(by_kind) & results["status"].isin(["met", "not_met"])]
    assert set(judged["indicator"]) == by_kind
    want = submission.coverage[["ledger", "unit", "year"]].drop_duplicates()
    key = ["ledger", "unit", "year"]
    got = (
        scaled.coverage[key].sort_values(key).reset_index(drop=True).astype({"unit": "str", "ledger": "str"})
    )
    assert got.equals(want.sort_values(key).reset_index(drop=True).astype({"unit": "str", "ledger": "str"}))
    # only the ledgers the per-person indicators read come into memory, with only the columns they read;
    # the duration ledgers (企业开办, 舆情) are counted in SQL
    assert set(scaled.ledgers) == {"enforcement_staff", "enforcement_training", "staff_roster", "staff_study"}
    assert scaled.durations is not None
    assert set(scaled.durations.indicators) == {
        "business_startup_one_workday",
        "opinion_release_within_5h",
        "opinion_press_conference_within_24h",
    }
    assert "title" not in scaled.ledgers["staff_study"].columns


def test_the_flawed_samples_give_the_same_issues(catalogue, tmp_path: Path) -> None:
    submission = read_submissions([REPO / "samples" / "flawed", UNITS], catalogue)
    assert sum(int(f["_invalid"].sum()) for f in submission.ledgers.values()) > 0  # records that failed
    pandas_path, duckdb_path, _ = both_paths(catalogue, submission, tmp_path / "ledgers")
    assert_same(pandas_path, duckdb_path)
    conflict = [i for i in duckdb_path.issues_list if i.code == "ledger-conflict"]
    assert [(i.file.split("/")[-1], i.cell) for i in conflict] == [("02-错误值公式与台账不符.xlsx", "E28")]
    assert "台账汇总为 15（" in conflict[0].message


def test_ledgers_in_the_files_and_in_the_dataset_are_aggregated_together(catalogue, tmp_path: Path) -> None:
    submission = read_submissions(
        [REPO / "samples" / "haikou" / "long", REPO / "samples" / "haikou" / "2024"]
    )
    (tmp_path / "empty").mkdir()
    scaled = with_ledger_dataset(submission, tmp_path / "empty", catalogue)
    assert_same(evaluate(catalogue, submission, as_of=AS_OF), evaluate(catalogue, scaled, as_of=AS_OF))


def _warehouse_export(folder: Path, rows: list[dict[str, object]]) -> None:
    """A dataset as a warehouse writes it: the ledger's own columns, partitioned, no meta columns."""
    con = connect(memory_limit=None)
    frame = pd.DataFrame(rows)
    frame["held_on"] = pd.to_datetime(frame["held_on"])
    con.register("rows", frame)
    target = folder / "study_activities"
    con.execute(f"COPY rows TO '{target}' (FORMAT parquet, PARTITION_BY (unit, year))")


def test_a_warehouse_export_without_meta_columns(catalogue, tmp_path: Path) -> None:
    justice, startups = "海口市司法局", "海口市市场监督管理局"
    _warehouse_export(
        tmp_path,
        [
            {"unit": justice, "year": 2024, "held_on": "2024-03-01", "activity_type": "中心组学法"},
            {"unit": justice, "year": 2024, "held_on": "2024-08-01", "activity_type": "中心组学法"},
            {"unit": justice, "year": 2024, "held_on": "2024-05-01", "activity_type": "会前学法"},
            {"unit": justice, "year": 2024, "held_on": "2024-09-30", "activity_type": "应急预案演练"},
            {"unit": startups, "year": 2023, "held_on": "2023-01-05", "activity_type": "其他"},
        ],
    )
    dataset = read_ledger_dataset(tmp_path, catalogue)
    derived = dataset.derived.set_index(["unit", "year", "period", "field"])
    assert derived.loc[(justice, 2024, "Y", "study_sessions_leadership"), "value"] == 2.0
    assert derived.loc[(justice, 2024, "Y", "pre_meeting_study_sessions"), "value"] == 1.0
    # half-years from 活动日期 (the ledger's period column) when the export has no half column
    assert derived.loc[(justice, 2024, "H1", "drills_half"), "value"] == 0.0
    assert derived.loc[(justice, 2024, "H2", "drills_half"), "value"] == 1.0
    assert derived.loc[(startups, 2023, "Y", "study_sessions_leadership"), "value"] == 0.0
    source = derived.loc[(justice, 2024, "Y", "study_sessions_leadership"), "source"]
    assert source.endswith("data_0.parquet › 台账《学法与培训活动台账》 2 条")
    assert "unit=" in source  # the Parquet file stands in for the workbook
    assert not derived["invalid"].any()
    assert set(zip(dataset.coverage["unit"], dataset.coverage["year"], strict=True)) == {
        (startups, 2023),
        (justice, 2024),
    }
    # the units the dataset names are assessed, with their kind from the register
    bare = read_submissions([UNITS], catalogue)
    scaled = with_ledger_dataset(bare, tmp_path, catalogue, register=UNITS)
    assert set(scaled.units["unit"]) == {justice, startups}
    results = evaluate(catalogue, scaled, years=[2024], as_of=AS_OF).results
    assert set(results["unit"]) == {justice}


def test_a_unit_not_in_the_register_is_refused(catalogue, tmp_path: Path) -> None:
    _warehouse_export(
        tmp_path, [{"unit": "海口市不存在局", "year": 2024, "held_on": "2024-03-01", "activity_type": "其他"}]
    )
    with pytest.raises(LedgerDatasetError, match=r"不在单位名册中.*海口市不存在局"):
        with_ledger_dataset(read_submissions([UNITS], catalogue), tmp_path, catalogue, register=UNITS)


def test_a_folder_that_is_no_ledger_is_refused(catalogue, tmp_path: Path) -> None:
    (tmp_path / "cases_2024").mkdir()
    with pytest.raises(LedgerDatasetError, match="cases_2024 不是指标目录中的台账编号"):
        read_ledger_dataset(tmp_path, catalogue)


def test_without_duckdb_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(
        LedgerDatasetError, match=r"需要 DuckDB：请安装 pip install 'lawgov-metrics\[scale\]'"
    ):
        connect()


def test_score_reads_a_ledger_dataset(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from lawgov_metrics.cli import app

    _warehouse_export(
        tmp_path,
        [
            {"unit": "海口市司法局", "year": 2024, "held_on": "2024-03-01", "activity_type": "中心组学法"},
            {"unit": "海口市司法局", "year": 2024, "held_on": "2024-04-01", "activity_type": "中心组学法"},
        ],
    )
    runner = CliRunner()
    args = ["score", str(UNITS), "--year", "2024", "--as-of", "2026-06-30", "--format", "json"]
    result = runner.invoke(app, [*args, "--ledger-dataset", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    payload = json.loads(result.stdout)
    sessions = [
        r
        for r in payload["results"]
        if r["unit"] == "海口市司法局" and r["indicator"] == "leadership_study_sessions"
    ]
    assert [r["value"] for r in sessions] == [2.0]
    refused = runner.invoke(app, [*args, "--ledger-dataset", str(tmp_path / "nowhere")])
    assert refused.exit_code == 2
    assert "找不到 Parquet 台账数据集目录" in refused.output


def test_a_column_the_indicators_read_must_be_there(catalogue, tmp_path: Path) -> None:
    con = connect(memory_limit=None)
    con.execute(
        f"COPY (SELECT '海口市司法局' AS unit, 2024 AS year, TIMESTAMP '2024-03-01' AS held_on) "
        f"TO '{tmp_path / 'study_activities'}' (FORMAT parquet, PARTITION_BY (unit, year))"
    )
    with pytest.raises(
        LedgerDatasetError, match=r"《学法与培训活动台账》缺少指标计算所需的列：activity_type（活动类型）"
    ):
        read_ledger_dataset(tmp_path, catalogue)
