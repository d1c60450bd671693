"""The out-of-core ledger backend (DuckDB over hive-partitioned Parquet) on a synthetic 学法与培训活动台账.

    python benchmarks/outofcore.py                      # 10^6 and 10^7 rows: ~1 min
    python benchmarks/outofcore.py --rows 100000000     # 10^8 rows: generate ~2 GB, aggregate, delete
    python benchmarks/outofcore.py --startups --paths sql,records   # a 企业开办办件台账 (duration), both paths
    #   --memory-limit 1GB  --threads 2  --keep DIR (keep and reuse the generated dataset)

The ledger is the catalogue's widest: 28 derived fields (25 yearly counts by activity type, 3 half-yearly),
so each scan evaluates 56 filtered aggregates. Rows are spread over the 60 assessed units of
``samples/haikou/units.csv`` (not 市政府) and 2021–2025: ``unit=…/year=…`` partitions, as a warehouse would
export them, with no meta columns (the reader supplies ``half`` from 活动日期, ``_file``/``_row`` from the
Parquet file). Generation is DuckDB's own ``COPY … PARTITION_BY`` over ``range(N)``: no row is ever in pandas.

Each measurement runs in a fresh process (``os.wait4``: its own wall time and peak RSS), as benchmarks/run.py
does: ``generate`` (not a figure of the tool), then ``score``: ``read_submissions(units.csv)`` →
``with_ledger_dataset`` (the aggregation) → ``evaluate``, timed inside the child after its imports.
**Correctness guard:** the child recomputes every yearly count and the half-yearly ones independently with
NumPy from the generating formula (chunks of 10^7) and reports how many of the figures differ (must be 0).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
YEARS = 5  # 2021–2025
CHUNK = 1_000_000


def _units() -> list[str]:
    import csv

    with open(REPO / "samples" / "haikou" / "units.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    name = next(k for k in rows[0] if "名称" in k or k.lower() == "unit")
    return [r[name] for r in rows if r[name] != "海口市人民政府"][:60]


def _types() -> list[str]:
    from lawgov_metrics import load_catalogue

    ledger = load_catalogue().ledgers_by_id["study_activities"]
    column = ledger.column("activity_type")
    assert column is not None
    return list(column.choices)


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(rows: int, folder: Path, memory_limit: str) -> dict[str, Any]:
    """Row i: unit i % 60, year 2021 + (i // 60) % 5, type (i // 300) % 27, held on day (i * 37) % 365."""
    import duckdb

    units, types = _units(), _types()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    start = time.perf_counter()
    target = str(folder / "study_activities").replace("'", "''")
    con.execute(
        f"""COPY (
        SELECT {_sql_list(units)}[i % 60 + 1] AS unit,
               2021 + (i // 60) % {YEARS} AS year,
               (make_date(2021 + (i // 60) % {YEARS}, 1, 1) + CAST((i * 37) % 365 AS INTEGER))::TIMESTAMP AS held_on,
               {_sql_list(types)}[(i // 300) % {len(types)} + 1] AS activity_type,
               'T' || CAST(i % 1000 AS VARCHAR) AS title,
               CAST(i % 200 + 1 AS DOUBLE) AS participants
        FROM range({rows}) t(i)
        ) TO '{target}' (FORMAT parquet, PARTITION_BY (unit, year), OVERWRITE_OR_IGNORE)"""
    )
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return {"generate_s": time.perf_counter() - start, "dataset_mb": size / 2**20}


def expected(rows: int, units: int, types: int) -> tuple[Any, Any]:
    """Per (unit, year, type): the records (yearly) and per (unit, year, type, half), from the formula."""
    import numpy as np

    yearly = np.zeros(units * YEARS * types, dtype=np.int64)
    halves = np.zeros(units * YEARS * types * 2, dtype=np.int64)
    for first in range(0, rows, CHUNK):
        i = np.arange(first, min(rows, first + CHUNK), dtype=np.int64)
        key = ((i % units) * YEARS + (i // 60) % YEARS) * types + (i // 300) % types
        yearly += np.bincount(key, minlength=len(yearly))
        year = 2021 + (i // 60) % YEARS
        starts = np.array([np.datetime64(f"{y}-01-01") for y in range(2021, 2021 + YEARS)])
        held = starts[year - 2021] + (i * 37) % 365
        half = (held.astype("datetime64[M]").astype(np.int64) % 12 >= 6).astype(np.int64)
        halves += np.bincount(key * 2 + half, minlength=len(halves))
    return yearly, halves


def generate_startups(rows: int, folder: Path, memory_limit: str) -> dict[str, Any]:
    """A 企业开办办件台账, read by a duration indicator (≤1个工作日): each record's span in working days is
    computed in SQL, joined with the official calendar. Row i: unit i % 60, year 2021 + (i // 60) % 5, accepted
    on day (i * 37) % 365, completed i % 3 days later."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    start = time.perf_counter()
    target = str(folder / "business_startups").replace("'", "''")
    accepted = f"(make_date(2021 + (i // 60) % {YEARS}, 1, 1) + CAST((i * 37) % 365 AS INTEGER))"
    con.execute(
        f"""COPY (
        SELECT {_sql_list(_units())}[i % 60 + 1] AS unit, 2021 + (i // 60) % {YEARS} AS year,
               'A' || CAST(i AS VARCHAR) AS application_no, 'C' || CAST(i AS VARCHAR) AS company_name,
               {accepted}::TIMESTAMP AS accepted_on,
               ({accepted} + CAST(i % 3 AS INTEGER))::TIMESTAMP AS completed_on
        FROM range({rows}) t(i)
        ) TO '{target}' (FORMAT parquet, PARTITION_BY (unit, year), OVERWRITE_OR_IGNORE)"""
    )
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return {"generate_s": time.perf_counter() - start, "dataset_mb": size / 2**20}


def score_startups(folder: Path, rows: int, memory_limit: str, threads: int, path: str) -> dict[str, Any]:
    """``path`` ``sql``: the spans counted in SQL (``lawgov_metrics.with_ledger_dataset`` gives DuckDB the
    calendar); ``records``: no calendar, so the ledger's records come into pandas and the engine judges them
    one by one (the path before the spans moved into SQL)."""
    import datetime as dt
    import resource

    from lawgov_metrics import evaluate, load_catalogue, read_submissions, with_ledger_dataset
    from lawgov_metrics.intake.dataset import duckdb_ledgers

    start = time.perf_counter()
    catalogue = load_catalogue()
    submission = read_submissions([REPO / "samples" / "haikou" / "units.csv"], catalogue)
    aggregate = with_ledger_dataset if path == "sql" else duckdb_ledgers.with_ledger_dataset
    scaled = aggregate(submission, folder, catalogue, memory_limit=memory_limit, threads=threads)
    aggregated = time.perf_counter()
    assessment = evaluate(catalogue, scaled, years=range(2021, 2026), as_of=dt.date(2026, 6, 30))
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results = assessment.results[assessment.results["indicator"] == "business_startup_one_workday"]
    # the guard (SQL path): every unit-year's records and those within 1 working day, against the formula
    want = expected_startups(rows) if path == "sql" else {}
    assert scaled.durations is not None
    counts = scaled.durations.counts
    counts = counts[counts["indicator"] == "business_startup_one_workday"]
    got = {
        (str(u), int(y)): (int(t), int(w))
        for u, y, t, w in zip(counts["unit"], counts["year"], counts["total"], counts["within"], strict=True)
    }
    wrong = sum(got.get(key) != figures for key, figures in want.items()) + len(set(got) - set(want))
    return {
        "rows": rows,
        "path": path,
        "records_in_memory": len(scaled.ledgers.get("business_startups", ())),
        "aggregate_s": aggregated - start,
        "evaluate_s": done - aggregated,
        "work_s": done - start,
        "peak_mb_at_score": peak,
        "figures_checked": len(want),
        "figures_wrong": wrong,
        "statuses": {str(k): int(v) for k, v in results["status"].value_counts().items()},
    }


def expected_startups(rows: int) -> dict[tuple[str, int], tuple[int, int]]:
    """Per (unit, year): the records and those completed within 1 working day, from the generating formula
    (counted per distinct (unit, year, day, lag) with NumPy; the spans by engine/calendar.py)."""
    import numpy as np
    import pandas as pd

    from lawgov_metrics.engine.calendar import working_days_between

    units = _units()
    bins = np.zeros(len(units) * YEARS * 365 * 3, dtype=np.int64)
    for first in range(0, rows, CHUNK):
        i = np.arange(first, min(rows, first + CHUNK), dtype=np.int64)
        key = (((i % 60) * YEARS + (i // 60) % YEARS) * 365 + (i * 37) % 365) * 3 + i % 3
        bins += np.bincount(key, minlength=len(bins))
    combo = np.arange(YEARS * 365 * 3)  # (year, day, lag)
    year, day, lag = 2021 + combo // (365 * 3), combo // 3 % 365, combo % 3
    accepted = pd.Series(pd.to_datetime([f"{y}-01-01" for y in year]) + pd.to_timedelta(day, unit="D"))
    span, _ = working_days_between(accepted, accepted + pd.to_timedelta(lag, unit="D"))
    within = (span.to_numpy() <= 1).reshape(YEARS, 365 * 3)
    per = bins.reshape(len(units), YEARS, 365 * 3)
    out = {}
    for u, unit in enumerate(units):
        for y in range(YEARS):
            out[(unit, 2021 + y)] = (int(per[u, y].sum()), int(per[u, y][within[y]].sum()))
    return {k: v for k, v in out.items() if v[0]}


def score(folder: Path, rows: int, memory_limit: str, threads: int) -> dict[str, Any]:
    import datetime as dt
    import resource

    import numpy as np

    from lawgov_metrics import evaluate, load_catalogue, read_submissions
    from lawgov_metrics.intake.dataset.duckdb_ledgers import with_ledger_dataset

    start = time.perf_counter()
    catalogue = load_catalogue()
    submission = read_submissions([REPO / "samples" / "haikou" / "units.csv"], catalogue)
    loaded = time.perf_counter()
    scaled = with_ledger_dataset(submission, folder, catalogue, memory_limit=memory_limit, threads=threads)
    aggregated = time.perf_counter()
    assessment = evaluate(catalogue, scaled, years=range(2021, 2026), as_of=dt.date(2026, 6, 30))
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the guard: every count by activity type against the formula
    units, types = _units(), _types()
    yearly, halves = expected(rows, len(units), len(types))
    derived = scaled.derived
    assert derived is not None
    by_type = {
        f.id: f.derive.where[0].value
        for f in catalogue.fields
        if f.derive is not None
        and f.derive.ledger == "study_activities"
        and f.derive.agg == "count"
        and len(f.derive.where) == 1
        and f.derive.where[0].column == "activity_type"
        and f.derive.where[0].op == "eq"
    }
    checked = wrong = 0
    unit_at = {u: n for n, u in enumerate(units)}
    for field_id, type_name in by_type.items():
        t = types.index(str(type_name))
        mine = derived[derived["field"] == field_id]
        for unit, year, period, value in zip(
            mine["unit"], mine["year"], mine["period"], mine["value"], strict=True
        ):
            base = (unit_at[unit] * YEARS + (int(year) - 2021)) * len(types) + t
            want = yearly[base] if period == "Y" else halves[base * 2 + (period == "H2")]
            checked += 1
            wrong += int(want != value)
    statuses = assessment.results["status"].value_counts().to_dict()
    return {
        "rows": rows,
        "read_units_s": loaded - start,
        "aggregate_s": aggregated - loaded,
        "evaluate_s": done - aggregated,
        "work_s": done - start,
        "peak_mb_at_score": peak,
        "derived_rows": len(derived),
        "figures_checked": checked,
        "figures_wrong": wrong,
        "records_counted": int(np.asarray(yearly).sum()),
        "statuses": {str(k): int(v) for k, v in statuses.items()},
    }


def run_child(*args: str) -> tuple[dict[str, Any], float, float]:
    """A fresh process (``run.run_process``); its last stdout line is JSON. Returns it (with the child's CPU
    seconds, ``cpu_s``), wall seconds and peak RSS (MB)."""
    from run import Failed, run_process

    try:
        done = run_process([sys.executable, __file__, "--child", *args])
    except Failed as exc:
        raise SystemExit(f"child {args[0]} failed: {exc}") from None
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return {**got, "cpu_s": done.cpu_s}, done.wall_s, done.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", default="1000000,10000000", help="comma-separated sizes")
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--startups", action="store_true", help="the per-record limit: a duration ledger")
    parser.add_argument(
        "--paths",
        default="sql",
        help="with --startups: sql (spans in SQL), records (rows into pandas), or both",
    )
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the datasets under this folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, folder, rows = args.child[0], Path(args.child[1]), int(args.child[2])
        if case == "generate":
            print(json.dumps(generate(rows, folder, args.memory_limit)))
        elif case == "generate-startups":
            print(json.dumps(generate_startups(rows, folder, args.memory_limit)))
        elif case == "score-startups":
            print(
                json.dumps(
                    score_startups(folder, rows, args.memory_limit, args.threads, args.child[3]),
                    ensure_ascii=False,
                )
            )
        else:
            print(json.dumps(score(folder, rows, args.memory_limit, args.threads), ensure_ascii=False))
        return
    base = args.keep or Path(tempfile.mkdtemp(prefix="lawgov-outofcore-"))
    try:
        for rows in (int(r) for r in args.rows.split(",")):
            ledger, suffix = ("business_startups", "-startups") if args.startups else ("study_activities", "")
            folder = base / f"rows-{rows}{suffix}"
            made: dict[str, Any] = {}
            if not (folder / ledger).is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                made, _, gen_mb = run_child("generate" + suffix, str(folder), str(rows))
                made |= {"generate_peak_mb": gen_mb}
            extra = ["--memory-limit", args.memory_limit, "--threads", str(args.threads)]
            for path in args.paths.split(",") if args.startups else [""]:  # alternated: the same load on both
                case = ["score" + suffix, str(folder), str(rows)] + ([path] if path else [])
                got, wall, peak = run_child(*case, *extra)
                print(
                    json.dumps(
                        {**made, **got, "wall_s": wall, "peak_mb": peak, "memory_limit": args.memory_limit},
                        ensure_ascii=False,
                    ),
                    flush=True,
                )
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
