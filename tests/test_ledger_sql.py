"""The ledger aggregations as SQL: each ``where`` means what the pandas masks compute, and the same statements
run on Spark (transpiled by sqlglot; run for real only where pyspark is installed)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlglot

pytest.importorskip("duckdb")

from lawgov_metrics.catalogue.models import Condition
from lawgov_metrics.engine.conditions import LedgerMasks
from lawgov_metrics.intake.dataset.duckdb_ledgers import connect, read_ledger_dataset
from lawgov_metrics.intake.dataset.sql import condition_sql, coverage_sql, derive_sql, to_spark
from lawgov_metrics.intake.dataset.write import write_ledger_dataset

REPO = Path(__file__).resolve().parents[1]
TYPES = {"kind": "VARCHAR", "hours": "DOUBLE", "held": "TIMESTAMP_NS", "done": "DOUBLE"}


@pytest.mark.parametrize(
    ("cond", "sql"),
    [
        (Condition(column="kind", value="中心组学法"), "\"kind\" IN ('中心组学法')"),
        (Condition(column="kind", op="in", value=("a", "b'c", 3)), "\"kind\" IN ('a', 'b''c')"),
        (Condition(column="kind", op="ne", value="a"), '("kind" IS NOT NULL AND "kind" NOT IN (\'a\'))'),
        (Condition(column="kind", value=3), "FALSE"),  # a number never equals text
        (Condition(column="done", value=True), '"done" IN (1.0)'),  # 是 is 1.0
        (Condition(column="hours", op="ge", value=4), '"hours" >= 4.0'),
        (
            Condition(column="held", op="lt", value="2024-07-01"),
            "\"held\" < CAST('2024-07-01 00:00:00' AS TIMESTAMP)",
        ),
        (Condition(column="hours", op="is_null"), '"hours" IS NULL'),
    ],
)
def test_each_condition_as_sql(cond: Condition, sql: str) -> None:
    assert condition_sql(cond, TYPES) == sql


def test_sql_selects_the_same_records_as_the_pandas_masks() -> None:
    frame = pd.DataFrame(
        {
            "kind": pd.Series(["a", "b", None, "a", "c"], dtype="str"),
            "hours": [1.0, None, 4.0, 6.0, 4.0],
            "held": pd.to_datetime(["2024-01-01", "2024-07-01", None, "2024-06-30", "2024-12-31"]),
            "done": [1.0, 0.0, None, 1.0, 0.0],
        }
    )
    conditions = [
        (Condition(column="kind", op="ne", value="a"),),
        (Condition(column="kind", op="not_in", value=("a", "c")),),
        (Condition(column="hours", op="ge", value=4),),
        (Condition(column="held", op="lt", value="2024-07-01"), Condition(column="done", value=True)),
        (Condition(column="done", op="ne", value=True),),
        (Condition(column="kind", op="not_null"), Condition(column="hours", op="is_null")),
    ]
    con = connect(memory_limit=None)
    con.register("frame", frame)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE frame)").fetchall())
    masks = LedgerMasks(frame)
    for where in conditions:
        predicate = " AND ".join(f"({condition_sql(c, types)})" for c in where)
        sql = f"SELECT coalesce({predicate}, FALSE) AS hit FROM frame"
        assert con.execute(sql).df()["hit"].tolist() == masks.where(where).tolist(), where


def _fields(catalogue, ledger_id: str):  # type: ignore[no-untyped-def]
    return [f for f in catalogue.fields if f.derive is not None and f.derive.ledger == ledger_id]


def test_the_spark_form_is_spark_sql(catalogue) -> None:
    fields = _fields(catalogue, "staff_roster")
    types = {"legal_work": "DOUBLE", "legal_qualification": "DOUBLE", "staff_id": "VARCHAR"}
    spark = to_spark(derive_sql("staff_roster", "year", fields, types))
    assert spark == (
        "SELECT unit, year, "
        "COUNT(*) FILTER(WHERE (`legal_work` IN (1.0))) AS rows_0, "
        "COUNT(DISTINCT `staff_id`) FILTER(WHERE (`legal_work` IN (1.0))) AS value_0, "
        "COUNT(*) FILTER(WHERE (`legal_work` IN (1.0)) AND (`legal_qualification` IN (1.0))) AS rows_1, "
        "COUNT(DISTINCT `staff_id`) FILTER(WHERE (`legal_work` IN (1.0)) AND (`legal_qualification` IN (1.0))) "
        "AS value_1 "
        "FROM ledger_staff_roster WHERE NOT unit IS NULL AND NOT year IS NULL GROUP BY unit, year"
    )
    assert sqlglot.parse_one(spark, read="spark").sql(dialect="spark") == spark  # Spark's own grammar
    assert "BOOL_OR(_invalid)" in to_spark(coverage_sql("staff_roster"))


def test_the_documented_spark_run_gives_the_duckdb_figures(catalogue, tmp_path: Path) -> None:
    """docs/OUT-OF-CORE.md's Spark block, run as written over a dataset of the 2024 samples: the coverage,
    derived figures and duration counts (the calendar registered as a view) it assembles equal DuckDB's."""
    pytest.importorskip("pyspark")
    from lawgov_metrics.intake.read.submissions import read_submissions

    doc = (REPO / "docs" / "OUT-OF-CORE.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", doc[doc.index("## On Spark") :], flags=re.S)[0]
    submission = read_submissions([REPO / "samples" / "haikou" / "2024"], catalogue)
    write_ledger_dataset(submission.ledgers, tmp_path)
    scope: dict[str, object] = {"root": tmp_path, "catalogue": catalogue}
    try:
        exec(compile(block, "OUT-OF-CORE.md", "exec"), scope)
    finally:
        from pyspark.sql import SparkSession

        SparkSession.builder.getOrCreate().stop()
    from lawgov_metrics.engine.calendar import workday_table

    duckdb = read_ledger_dataset(tmp_path, catalogue, workdays=workday_table())
    assert len(duckdb.derived) > 1000
    for name in ("coverage", "derived"):
        spark_frame = scope[name]
        assert isinstance(spark_frame, pd.DataFrame)
        pd.testing.assert_frame_equal(spark_frame, getattr(duckdb, name), obj=name)
    spark_durations = scope["durations"]
    assert spark_durations.indicators == duckdb.durations.indicators  # type: ignore[attr-defined]
    assert "business_startup_one_workday" in duckdb.durations.indicators
    for name in ("counts", "negative", "outside"):
        spark_frame, duckdb_frame = getattr(spark_durations, name), getattr(duckdb.durations, name)
        got = spark_frame.sort_values(list(spark_frame.columns)).reset_index(drop=True)  # in no set order
        want = duckdb_frame.sort_values(list(duckdb_frame.columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, obj=name)
