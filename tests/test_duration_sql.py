"""Duration indicators counted in SQL (the out-of-core path): each record's span equals engine/calendar.py's,
record by record, and a dataset of crafted records scores and reports exactly as the pandas path does."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlglot

pytest.importorskip("duckdb")

from lawgov_metrics.api import evaluate, with_ledger_dataset
from lawgov_metrics.engine.calendar import (
    days_between,
    hours_between,
    workday_table,
    working_days_between,
)
from lawgov_metrics.engine.judged import EPS
from lawgov_metrics.intake.dataset import sql
from lawgov_metrics.intake.dataset.duckdb_ledgers import connect, read_ledger_dataset
from lawgov_metrics.intake.dataset.sql import CALENDAR, ledger_statements, record_spans, relation, to_spark
from lawgov_metrics.intake.dataset.write import write_ledger_dataset
from lawgov_metrics.intake.read.register import load_register
from lawgov_metrics.intake.read.submissions import read_submissions

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "samples" / "haikou" / "units.csv"
AS_OF = dt.date(2026, 6, 30)
BUREAU, CITY = "海口市行政审批服务局", "海口市人民政府"
STARTUPS, EVENTS = "企业开办办件台账", "突发事件舆情台账"

# (accepted, completed, working days by hand; None: no span, "outside": a year the calendar does not cover)
WORKDAY_CASES = [
    ("2024-05-06", "2024-05-06", 0),  # same day
    ("2024-03-08", "2024-03-11", 1),  # Friday → Monday: the weekend does not count
    ("2024-06-07", "2024-06-11", 1),  # Friday → Tuesday: the weekend and 端午 (Monday 6-10) do not count
    ("2024-05-10", "2024-05-13", 2),  # Friday → Monday, but Saturday 5-11 is a 调休 working day
    ("2024-09-27", "2024-09-30", 2),  # Sunday 9-29 is a 调休 working day
    ("2024-09-30", "2024-10-08", 1),  # 国庆 10-01…10-07 are holidays
    ("2024-10-03", "2024-10-08", 1),  # accepted on a holiday
    ("2024-10-11", "2024-10-14", 2),  # Saturday 10-12 is a 调休 working day
    ("2023-09-28", "2023-10-07", 1),  # 中秋国庆 2023: 9-29…10-06 off, Saturday 10-07 works
    ("2024-05-08", "2024-05-06", -2),  # completed before accepted
    ("2024-05-12", "2024-05-11", 0),  # before, but Sunday → Saturday: no working day between (not negative)
    ("2024-05-06 23:59", "2024-05-07 00:01", 1),  # times of day do not count, dates do
    ("2024-05-06 09:00", None, None),  # not completed: overdue, no span
    (None, "2024-05-06", None),
    ("2003-12-30", "2004-01-05", "outside"),  # chinesecalendar starts in 2004
    ("2026-12-30", "2027-01-04", "outside"),  # … and ends in 2026
    ("2027-01-04", None, None),  # outside, but with no end there is nothing to count: not reported
]


def _times(values: object) -> pd.Series:
    """Timestamps as the workbook reader gives them (nanoseconds); blanks are NaT."""
    return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601").astype("datetime64[ns]")


def _frame(pairs: list[tuple[str | None, str | None]], start: str, end: str) -> pd.DataFrame:
    n = len(pairs)
    return pd.DataFrame(
        {
            "unit": BUREAU,
            "year": 2024,
            "_file": "a.xlsx",
            "_sheet": STARTUPS,
            "_row": np.arange(2, n + 2, dtype=np.int64),
            "_invalid": False,
            start: _times([p[0] for p in pairs]),
            end: _times([p[1] for p in pairs]),
        }
    )


def _spans_in_sql(frame: pd.DataFrame, ledger_id: str, indicator) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    con = connect(memory_limit=None)
    con.register(CALENDAR, workday_table())
    con.register("records", frame)
    con.execute(f"CREATE VIEW {relation(ledger_id)} AS SELECT * FROM records")
    spans = record_spans(ledger_id, [indicator], {})
    return con.execute(f"SELECT _row, span_0, outside_0 FROM {spans} ORDER BY _row").df()


def test_working_days_in_sql_equal_the_calendar_record_by_record(catalogue) -> None:
    indicator = catalogue.indicators_by_id["business_startup_one_workday"]
    frame = _frame([(s, e) for s, e, _ in WORKDAY_CASES], "accepted_on", "completed_on")
    got = _spans_in_sql(frame, "business_startups", indicator)
    want, outside = working_days_between(frame["accepted_on"], frame["completed_on"])
    by_hand = [np.nan if d in (None, "outside") else float(d) for _, _, d in WORKDAY_CASES]
    np.testing.assert_array_equal(want.to_numpy(), by_hand)  # the Python function, as reasoned above
    np.testing.assert_array_equal(got["span_0"].to_numpy(dtype=np.float64, na_value=np.nan), by_hand)
    assert got["outside_0"].tolist() == outside.tolist() == [d == "outside" for _, _, d in WORKDAY_CASES]


def test_every_day_of_the_calendar_counts_as_the_python_function(catalogue) -> None:
    """All 8,000-odd days of the calendar, each against the next day and a week later."""
    indicator = catalogue.indicators_by_id["business_startup_one_workday"]
    days = pd.Series(workday_table()["day"])
    for step in (1, 7):
        pairs = list(zip(days[:-step].astype(str), days[step:].astype(str), strict=True))
        frame = _frame(pairs, "accepted_on", "completed_on")
        got = _spans_in_sql(frame, "business_startups", indicator)
        want, _ = working_days_between(frame["accepted_on"], frame["completed_on"])
        np.testing.assert_array_equal(got["span_0"].to_numpy(dtype=np.float64), want.to_numpy())
        assert want.notna().all() and set(want.unique()) >= {0.0, 1.0}  # not vacuous: real spans compared


HOUR_CASES = [
    ("2024-02-04 04:35", "2024-02-04 09:35"),  # exactly 5 hours: within
    ("2024-03-01 10:00", "2024-03-01 15:00:00.000003"),  # 5 h + 3 µs: within EPS, as the engine compares
    ("2024-03-01 10:00", "2024-03-01 15:00:00.000004"),  # 5 h + 4 µs: beyond
    ("2024-05-01 10:00", "2024-05-01 09:59"),  # a minute before: negative
    ("2024-05-01 23:30", "2024-05-02 00:10"),  # over midnight
    ("2024-05-01 10:00", None),
    ("2003-01-01 10:00", "2003-01-01 12:00"),  # hours need no calendar
]


def test_hours_and_days_in_sql_equal_the_python_functions(catalogue) -> None:
    hours = catalogue.indicators_by_id["opinion_release_within_5h"].model_copy(update={"where": ()})
    frame = _frame(HOUR_CASES, "occurred_at", "first_release_at")
    got = _spans_in_sql(frame, "opinion_events", hours)["span_0"].to_numpy(dtype=np.float64, na_value=np.nan)
    want = hours_between(frame["occurred_at"], frame["first_release_at"]).to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-15)  # the same figure (to the last bit or two)
    assert ((got <= 5 + EPS) & (got >= 0)).tolist() == ((want <= 5 + EPS) & (want >= 0)).tolist()
    assert ((got <= 5 + EPS) & (got >= 0)).tolist() == [True, True, False, False, True, False, True]
    assert got[3] == pytest.approx(-1 / 60) and got[4] == pytest.approx(2 / 3)
    days = hours.model_copy(update={"unit": "day", "max": 1.0})
    got_days = _spans_in_sql(frame, "opinion_events", days)["span_0"].to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    want_days = days_between(frame["occurred_at"], frame["first_release_at"]).to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(got_days, want_days)
    np.testing.assert_array_equal(got_days, [0, 0, 0, 0, 1, np.nan, 0])


def test_within_uses_the_engines_tolerance() -> None:
    assert sql._EPS == EPS


# ---------------------------------------------------------------- a crafted dataset, both paths

STARTUP_ROWS = [
    # (year, file, row, accepted, completed, invalid)
    (2022, "审批局-2022.xlsx", 2, "2022-06-01", "2022-06-02", True),  # failed validation → 数据有误
    (2023, "审批局-2023.xlsx", 2, "2023-09-28", "2023-10-07", False),  # 1 working day (调休 Saturday)
    (2023, "审批局-2023.xlsx", 3, "2023-03-03", "2023-03-06", False),  # 1
    (2023, "审批局-2023.xlsx", 4, "2023-03-03", None, False),  # not completed: overdue
    (2023, "审批局-2023.xlsx", 5, "2023-03-06", "2023-03-08", False),  # 2
    (2024, "审批局-2024.xlsx", 2, "2024-09-27", "2024-09-30", False),  # 2
    (2024, "审批局-2024.xlsx", 3, "2024-09-30", "2024-10-08", False),  # 1
    (2024, "审批局-2024.xlsx", 4, "2024-05-06", "2024-05-06", False),  # 0
    (2024, "审批局-2024.xlsx", 5, "2024-05-08", "2024-05-06", False),  # -2: an issue, 数据有误
    (2025, "审批局-2025.xlsx", 2, "2025-01-02", "2025-01-03", False),  # 1
    (2025, "审批局-2025.xlsx", 3, "2027-01-04", "2027-01-05", False),  # outside the calendar
    (2025, "审批局-2025.xlsx", 4, "2003-05-06", "2003-05-07", False),  # outside
    (2025, "审批局-2025补报.xlsx", 7, "2026-12-31", "2027-01-04", False),  # outside, another file
]
EVENT_ROWS = [
    # (year, row, level, occurred, released, press conference)
    (2023, 2, "较大", "2023-04-01 10:00", "2023-04-01 20:00", None),  # not counted: 不适用
    (2024, 2, "重大", "2024-02-04 04:35", "2024-02-04 09:35", "2024-02-05 04:35"),  # exactly 5 h and 24 h
    (2024, 3, "特别重大", "2024-03-01 10:00", "2024-03-01 15:00:00.000003", "2024-03-02 10:00:00.000004"),
    (2024, 4, "较大", "2024-04-01 10:00", "2024-04-01 09:00", None),  # negative but not counted: no issue
    (2024, 5, "重大", "2024-05-01 10:00", "2024-05-01 09:59", None),  # negative release, no conference
    (2025, 2, "重大", "2025-07-01 08:00", "2025-07-01 12:00", "2025-07-01 20:00"),
]


def _meta(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    month = frame[period].dt.month
    frame["half"] = np.where(month <= 6, "H1", "H2")
    frame["quarter"] = "Q" + ((month - 1) // 3 + 1).astype("Int64").astype(str)
    return frame


def crafted(catalogue):  # type: ignore[no-untyped-def]
    startups = pd.DataFrame(
        STARTUP_ROWS, columns=["year", "_file", "_row", "accepted_on", "completed_on", "_invalid"]
    )
    startups = startups.assign(
        unit=BUREAU,
        _sheet=STARTUPS,
        application_no=[f"QYKB{i:04d}" for i in range(len(startups))],
        accepted_on=_times(startups["accepted_on"]),
        completed_on=_times(startups["completed_on"]),
    )
    events = pd.DataFrame(
        EVENT_ROWS,
        columns=["year", "_row", "level", "occurred_at", "first_release_at", "press_conference_at"],
    )
    events = events.assign(
        unit=CITY,
        _file="市政府-舆情.xlsx",
        _sheet=EVENTS,
        _invalid=False,
        event_no=[f"YQ{i}" for i in range(len(events))],
        event_name="事件",
        **{c: _times(events[c]) for c in ("occurred_at", "first_release_at", "press_conference_at")},
    )
    ledgers = {
        "business_startups": _meta(startups, "accepted_on"),
        "opinion_events": _meta(events, "occurred_at"),
    }
    coverage = pd.concat(
        [f[["unit", "year"]].drop_duplicates().assign(ledger=k) for k, f in ledgers.items()],
        ignore_index=True,
    )[["ledger", "unit", "year"]]
    register, _ = load_register(UNITS, catalogue)
    assessed = register.units[register.units["unit"].isin([BUREAU, CITY])].reset_index(drop=True)
    return replace(read_submissions([UNITS], catalogue), units=assessed, ledgers=ledgers, coverage=coverage)


def _row(results: pd.DataFrame, indicator: str, unit: str, year: int) -> dict[str, object]:
    found = results[
        (results["indicator"] == indicator) & (results["unit"] == unit) & (results["year"] == year)
    ]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def test_a_crafted_dataset_scores_and_reports_as_the_pandas_path(catalogue, tmp_path: Path) -> None:
    submission = crafted(catalogue)
    write_ledger_dataset(submission.ledgers, tmp_path)
    bare = replace(submission, ledgers={}, coverage=None)
    scaled = with_ledger_dataset(bare, tmp_path, catalogue, register=UNITS)
    assert scaled.ledgers == {}  # both ledgers counted in SQL: no record came into memory
    pandas_path, duckdb_path = (
        evaluate(catalogue, submission, as_of=AS_OF),
        evaluate(catalogue, scaled, as_of=AS_OF),
    )
    for name in ("results", "scores", "chapters", "provenance"):
        pd.testing.assert_frame_equal(getattr(pandas_path, name), getattr(duckdb_path, name), obj=name)
    assert duckdb_path.issues_list == pandas_path.issues_list

    results = duckdb_path.results
    startup = "business_startup_one_workday"
    assert _row(results, startup, BUREAU, 2022)["status"] == "invalid"
    row_2023 = _row(results, startup, BUREAU, 2023)
    assert (row_2023["status"], row_2023["value"]) == ("not_met", 0.5)
    assert row_2023["display"].endswith("（2/4 件）")
    assert _row(results, startup, BUREAU, 2024)["status"] == "invalid"  # a negative span
    assert _row(results, startup, BUREAU, 2025)["status"] == "invalid"  # dates outside the calendar
    release, press = "opinion_release_within_5h", "opinion_press_conference_within_24h"
    assert _row(results, release, CITY, 2024)["status"] == "invalid"
    press_2024 = _row(results, press, CITY, 2024)
    assert (press_2024["status"], press_2024["display"].endswith("（1/3 件）")) == ("not_met", True)
    assert _row(results, release, CITY, 2023)["status"] == "not_applicable"
    assert _row(results, release, CITY, 2025)["status"] == "met"

    duration_issues = [
        (i.code, i.message, i.file, i.sheet, i.row, i.unit)
        for i in duckdb_path.issues_list
        if i.code in ("value-out-of-range", "date-calendar")
    ]
    # per indicator, as the engine judges: dates outside the calendar by unit, file and sheet, then each
    # negative span
    assert duration_issues == [
        (
            "date-calendar",
            f"《{STARTUPS}》有 2 条记录的日期不在法定节假日数据覆盖的 2004—2026 年内，无法按工作日计算（首条见所示行）",
            "审批局-2025.xlsx",
            STARTUPS,
            3,
            BUREAU,
        ),
        (
            "date-calendar",
            f"《{STARTUPS}》有 1 条记录的日期不在法定节假日数据覆盖的 2004—2026 年内，无法按工作日计算（首条见所示行）",
            "审批局-2025补报.xlsx",
            STARTUPS,
            7,
            BUREAU,
        ),
        (
            "value-out-of-range",
            f"《{STARTUPS}》中「办结日期」早于「受理日期」",
            "审批局-2024.xlsx",
            STARTUPS,
            5,
            BUREAU,
        ),
        (
            "value-out-of-range",
            f"《{EVENTS}》中「首次发布权威信息时间」早于「事件发生时间」",
            "市政府-舆情.xlsx",
            EVENTS,
            5,
            CITY,
        ),
    ]
    # the provenance names the files the unit-year's records came from, as from the records themselves
    provenance = duckdb_path.provenance
    named = provenance[(provenance["indicator"] == startup) & (provenance["year"] == 2025)]["source"]
    assert set(named) == {f"审批局-2025.xlsx、审批局-2025补报.xlsx › 台账《{STARTUPS}》"}


def test_without_the_calendar_working_days_are_judged_from_the_records(catalogue, tmp_path: Path) -> None:
    submission = crafted(catalogue)
    write_ledger_dataset(submission.ledgers, tmp_path)
    dataset = read_ledger_dataset(tmp_path, catalogue)  # no workdays table
    assert dataset.durations.indicators == (
        "opinion_release_within_5h",
        "opinion_press_conference_within_24h",
    )
    assert set(dataset.ledgers) == {"business_startups"}
    bare = replace(submission, ledgers={}, coverage=None)
    scaled = replace(
        bare,
        ledgers=dataset.ledgers,
        coverage=dataset.coverage,
        derived=dataset.derived,
        durations=dataset.durations,
    )
    pandas_path, duckdb_path = (
        evaluate(catalogue, submission, as_of=AS_OF),
        evaluate(catalogue, scaled, as_of=AS_OF),
    )
    pd.testing.assert_frame_equal(pandas_path.results, duckdb_path.results)
    assert duckdb_path.issues_list == pandas_path.issues_list


def test_the_duration_statements_are_spark_sql(catalogue) -> None:
    types = {"level": "VARCHAR", "occurred_at": "TIMESTAMP", "first_release_at": "TIMESTAMP"}
    for ledger_id in ("business_startups", "opinion_events"):
        statements = ledger_statements(catalogue, ledger_id, types)
        names = {n.split(":")[0] for n in statements}
        assert {"duration", "negative"} <= names
        for statement in statements.values():
            spark = to_spark(statement)
            assert sqlglot.parse_one(spark, read="spark").sql(dialect="spark") == spark
    startups = to_spark(ledger_statements(catalogue, "business_startups", {})["duration:business_startups"])
    assert (
        f"LEFT JOIN (SELECT CAST(day AS DATE) AS _day, workdays AS _workdays FROM {CALENDAR}) AS w0"
        in startups
    )
    events = to_spark(ledger_statements(catalogue, "opinion_events", types)["duration:opinion_events"])
    assert "DATEDIFF(MICROSECOND, CAST(r.`occurred_at` AS TIMESTAMP_NTZ)" in events


def test_the_documented_spark_block_registers_the_calendar_and_assembles_the_durations() -> None:
    """Without pyspark the block is not run (tests/test_ledger_sql.py runs it where pyspark is installed); it
    must still compile and hand Spark the calendar under the name the statements join."""
    import re

    doc = (REPO / "docs" / "OUT-OF-CORE.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", doc[doc.index("## On Spark") :], flags=re.S)[0]
    compile(block, "OUT-OF-CORE.md", "exec")
    assert "spark.createDataFrame(workday_table()).createOrReplaceTempView(CALENDAR)" in block
    assert "durations = assemble_durations(figures)" in block


def test_spark_counts_the_crafted_records_as_duckdb(catalogue, tmp_path: Path) -> None:
    """The duration statements on Spark (the calendar as a view), over the crafted records: negative spans,
    dates outside the calendar, 5 h + 3 µs. Skipped where pyspark is not installed."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from lawgov_metrics.intake.dataset.duckdb_ledgers import assemble_durations

    write_ledger_dataset(crafted(catalogue).ledgers, tmp_path)
    spark = SparkSession.builder.getOrCreate()
    try:
        spark.createDataFrame(workday_table()).createOrReplaceTempView(CALENDAR)
        figures = {}
        for folder in sorted(tmp_path.iterdir()):
            view = relation(folder.name)
            spark.read.option("basePath", str(folder)).parquet(str(folder)).createOrReplaceTempView(view)
            types = dict(spark.table(view).dtypes)
            for name, statement in ledger_statements(catalogue, folder.name, types).items():
                if not name.startswith("coverage:"):
                    figures[name] = spark.sql(to_spark(statement)).toPandas()
        on_spark = assemble_durations(figures)
    finally:
        spark.stop()
    on_duckdb = read_ledger_dataset(tmp_path, catalogue, workdays=workday_table()).durations
    assert on_spark.indicators == on_duckdb.indicators
    assert len(on_duckdb.negative) == 2 and on_duckdb.outside["records"].sum() == 3
    for name in ("counts", "negative", "outside"):
        got, want = getattr(on_spark, name), getattr(on_duckdb, name)
        got = got.sort_values(list(got.columns)).reset_index(drop=True)
        want = want.sort_values(list(want.columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, obj=name)
