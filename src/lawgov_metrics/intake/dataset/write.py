"""Ledger records (``Submission.ledgers``) written as the hive-partitioned Parquet dataset that
:mod:`lawgov_metrics.intake.dataset.duckdb_ledgers` reads: ``<root>/<ledger id>/unit=…/year=…/*.parquet``.

Partition values are written as they are (``unit=海口市司法局``), as Spark and Hive write them (DuckDB's own
``COPY … PARTITION_BY`` percent-encodes them; DuckDB reads both forms). Timestamps are written in
microseconds: Spark refuses Parquet's nanosecond timestamps (``PARQUET_TYPE_ILLEGAL``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def write_ledger_dataset(ledgers: Mapping[str, pd.DataFrame], root: str | Path) -> list[Path]:
    """Each ledger's records under ``root/<ledger id>``, partitioned by unit and year; the folders written.
    Records without a unit or year are left out: they belong to no unit-year (the reader reported them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = []
    for ledger_id, frame in ledgers.items():
        placed = frame[frame["unit"].notna() & frame["year"].notna()].astype({"unit": "str", "year": "int64"})
        folder = Path(root) / ledger_id
        for (unit, year), records in placed.groupby(["unit", "year"], sort=True):
            if "/" in str(unit) or str(unit) in (".", ".."):
                raise ValueError(f"单位名称“{unit}”不能作为分区目录名")
            part = folder / f"unit={unit}" / f"year={year}"
            part.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(records.drop(columns=["unit", "year"]), preserve_index=False)
            # microseconds: Spark refuses Parquet's nanosecond timestamps (PARQUET_TYPE_ILLEGAL)
            pq.write_table(table, part / "part-0.parquet", coerce_timestamps="us")
        written.append(folder)
    return written
