"""Ledgers aggregated out of core (DuckDB over hive-partitioned Parquet), the same SQL for Spark."""
