"""Ledgers too big for pandas, aggregated out of core by DuckDB over a hive-partitioned Parquet dataset.

The dataset holds one directory per ledger, named by its catalogue id, partitioned by unit and year::

    <root>/<ledger id>/unit=<单位>/year=<年度>/*.parquet

Each file's columns are the ledger's column ids (typed: text, numbers with 是/否 as 1.0/0.0, timestamps) and,
where known, the meta columns of ``Submission.ledgers``: ``half, quarter`` (else from the ledger's period
column), ``_file, _sheet, _row`` (else the Parquet file, the ledger's name and the row in that file) and
``_invalid`` (else false). :func:`read_ledger_dataset` turns it into what the engine reads from ledgers:

- ``coverage``: the (ledger, unit, year) with records;
- ``derived``: every ledger-derived field per covered unit-year and period (``DERIVED_COLUMNS``), computed by
  the SQL of :mod:`lawgov_metrics.intake.dataset.sql` — counts, sums and distinct counts under ``where``,
  one scan per ledger and granularity, with DuckDB spilling to disk past ``memory_limit``;
- ``durations``: per duration indicator (企业开办 ≤1个工作日, 舆情 5/24 小时) and unit-year, the records counted,
  those within the bound and whether any is wrong, each record's span computed in SQL (working days through
  a join with the official calendar, ``workdays``: engine/calendar.py's ``workday_table()``), and only the
  records that become issues (negative spans; dates outside the calendar, by file and sheet);
- ``ledgers``: only the ledgers the per-person and cumulative indicators read (rosters and their activities,
  per person), with only the columns they use; a duration ledger only if it is given no calendar
  (docs/OUT-OF-CORE.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS
from lawgov_metrics.catalogue.models import (
    Catalogue,
    CumulativeIndicator,
    DurationIndicator,
    FieldDef,
    PerPersonIndicator,
)
from lawgov_metrics.intake.dataset.sql import CALENDAR, derived_fields, ledger_statements, quote, relation
from lawgov_metrics.submission import (
    DERIVED_COLUMNS,
    DURATION_COLUMNS,
    LEDGER_META_COLUMNS,
    NEGATIVE_SPAN_COLUMNS,
    OUTSIDE_CALENDAR_COLUMNS,
    DurationFigures,
    Submission,
)

if TYPE_CHECKING:
    import pandas as pd


class LedgerDatasetError(ValueError):
    """The dataset cannot be read as the catalogue's ledgers (a usage error, reported before any scoring)."""


@dataclass(frozen=True)
class LedgerDataset:
    """What the engine reads from ledgers, aggregated from a Parquet dataset (see the module docstring)."""

    coverage: pd.DataFrame
    derived: pd.DataFrame
    ledgers: Mapping[str, pd.DataFrame]
    durations: DurationFigures
    sql: Mapping[str, str]  # every statement run, by name: the same ones run on Spark (docs/OUT-OF-CORE.md)


def connect(memory_limit: str | None = "1GB", threads: int | None = None) -> Any:
    """A DuckDB connection with bounded memory (it spills to a temporary directory beyond the limit)."""
    try:
        import duckdb
    except ImportError as exc:  # an optional extra
        raise LedgerDatasetError(
            "读取 Parquet 台账数据集需要 DuckDB：请安装 pip install 'lawgov-metrics[scale]'"
        ) from exc
    import os
    import tempfile

    config: dict[str, str | bool | int | float | list[str]] = {
        "preserve_insertion_order": False,  # aggregates need no order; it lowers memory
        # spilled pages go to a folder of this process (DuckDB removes it on close), not to ./.tmp
        "temp_directory": os.path.join(tempfile.gettempdir(), f"lawgov-metrics-duckdb-{os.getpid()}"),
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")  # it would write to the terminal: `score --format json`
    return con


def with_ledger_dataset(
    submission: Submission,
    root: str | Path,
    catalogue: Catalogue,
    *,
    register: str | Path | None = None,
    **settings: Any,
) -> Submission:
    """The submission with its ledgers aggregated by DuckDB: those in the dataset at ``root`` and those read
    from its own files (registered with DuckDB as they are), so one set of SQL derives every figure.

    The dataset's units are assessed too: each must be a unit of the register (``register``, else the
    bundled one) by its full name, as a warehouse export writes it."""
    import pandas as pd

    from lawgov_metrics.intake.read.register import load_register
    from lawgov_metrics.intake.read.submissions import default_register_path

    dataset = read_ledger_dataset(root, catalogue, frames=submission.ledgers, **settings)
    units, _ = load_register(Path(register) if register else default_register_path(), catalogue)
    named = set(dataset.coverage["unit"])
    unknown = sorted(named - set(units.units["unit"]))
    if unknown:
        shown = "、".join(unknown[:10]) + (f" 等 {len(unknown)} 个" if len(unknown) > 10 else "")
        raise LedgerDatasetError(f"Parquet 数据集中的单位不在单位名册中（请用名册中的全称）：{shown}")
    added = units.units[units.units["unit"].isin(named - set(submission.units["unit"]))]
    assessed = pd.concat([submission.units, added], ignore_index=True) if len(added) else submission.units
    return replace(
        submission,
        units=assessed,
        ledgers=dataset.ledgers,
        coverage=dataset.coverage,
        derived=dataset.derived,
        durations=dataset.durations,
    )


def read_ledger_dataset(
    root: str | Path,
    catalogue: Catalogue,
    *,
    frames: Mapping[str, pd.DataFrame] | None = None,
    memory_limit: str | None = "1GB",
    threads: int | None = None,
    workdays: pd.DataFrame | None = None,
) -> LedgerDataset:
    """The catalogue's ledgers found under ``root`` (and ``frames``: ledgers already in memory, by id),
    aggregated by DuckDB. ``workdays``: the official calendar as engine/calendar.py's ``workday_table()``
    gives it (``lawgov_metrics.with_ledger_dataset`` passes it); without it a duration in working days is
    judged from its ledger's records, brought into memory."""

    base = Path(root)
    if not base.is_dir():
        raise LedgerDatasetError(f"找不到 Parquet 台账数据集目录：{base}")
    found = sorted(p.name for p in base.iterdir() if p.is_dir())
    unknown = [name for name in found if name not in catalogue.ledgers_by_id]
    if unknown:
        raise LedgerDatasetError(f"数据集中的目录 {'、'.join(unknown)} 不是指标目录中的台账编号")
    both = [ledger_id for ledger_id in found if ledger_id in (frames or {})]
    if both:
        names = "、".join(f"《{catalogue.ledgers_by_id[i].name}》" for i in both)
        raise LedgerDatasetError(f"{names}既在填报文件中又在 Parquet 数据集中，请只保留一处")
    con = connect(memory_limit, threads)
    if workdays is not None:
        con.register(CALENDAR, workdays)
    types = {ledger_id: _view(con, base / ledger_id, catalogue, ledger_id) for ledger_id in found}
    for ledger_id, frame in (frames or {}).items():
        con.register(f"frame_{ledger_id}", frame)
        con.execute(f"CREATE VIEW {relation(ledger_id)} AS SELECT * FROM frame_{ledger_id}")
        types[ledger_id] = _types(con, ledger_id)
    for ledger_id in types:
        _require_columns(catalogue, ledger_id, types[ledger_id])
    sql = {
        name: statement
        for ledger_id in sorted(types)
        for name, statement in ledger_statements(
            catalogue, ledger_id, types[ledger_id], workdays=workdays is not None
        ).items()
    }
    figures = {name: con.execute(s).df() for name, s in sql.items()}
    coverage, derived = assemble(catalogue, figures)
    durations = assemble_durations(figures)
    ledgers = {
        ledger_id: _records(con, ledger_id, columns)
        for ledger_id, columns in record_columns(catalogue, durations.indicators).items()
        if ledger_id in types
    }
    con.close()
    return LedgerDataset(coverage, derived, ledgers, durations, sql)


def _view(con: Any, folder: Path, catalogue: Catalogue, ledger_id: str) -> dict[str, str]:
    """``ledger_<id>``: the ledger's Parquet files with the meta columns (defaults where absent); its types."""
    pattern = str(folder / "**" / "*.parquet").replace("'", "''")
    scan = f"read_parquet('{pattern}', hive_partitioning = true, filename = true, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except Exception as exc:  # duckdb's IOException / InvalidInputException: no file, not Parquet
        raise LedgerDatasetError(f"无法读取台账数据集 {folder}：{exc}") from exc
    have = {str(row[0]): str(row[1]) for row in described}
    ledger = catalogue.ledgers_by_id[ledger_id]
    for needed in ("unit", "year"):
        if needed not in have:
            raise LedgerDatasetError(f"台账数据集 {folder} 缺少 {needed}（应按 unit=…/year=… 分区）")
    period = quote(ledger.period_column)
    defaults = {
        "_invalid": "FALSE",
        "_file": "filename",
        "_sheet": "'" + ledger.name.replace("'", "''") + "'",
        "_row": "file_row_number + 1",
        "half": f"CASE WHEN month({period}) <= 6 THEN 'H1' ELSE 'H2' END",
        "quarter": f"'Q' || CAST(quarter({period}) AS VARCHAR)",
    }
    own = [c for c in have if c not in ("filename", "file_row_number")]
    extra = [f"{expr} AS {quote(name)}" for name, expr in defaults.items() if name not in have]
    if any(name in ("half", "quarter") for name in defaults if name not in have) and (
        ledger.period_column not in have
    ):
        raise LedgerDatasetError(
            f"台账数据集 {folder} 既无 half/quarter 列，也无日期列 {ledger.period_column}"
        )
    select = ", ".join([*(quote(c) for c in own), *extra])
    con.execute(f"CREATE VIEW {relation(ledger_id)} AS SELECT {select} FROM {scan}")
    return _types(con, ledger_id)


def _require_columns(catalogue: Catalogue, ledger_id: str, types: Mapping[str, str]) -> None:
    """Every column a derived field or a per-record indicator reads is there (else: which, by name)."""
    wanted = set(record_columns(catalogue).get(ledger_id, ()))
    for field_list in derived_fields(catalogue, ledger_id).values():
        for field in field_list:
            assert field.derive is not None
            wanted |= {c.column for c in field.derive.where}
            if field.derive.column is not None:
                wanted.add(field.derive.column)
    missing = sorted(wanted - set(types))
    if missing:
        ledger = catalogue.ledgers_by_id[ledger_id]
        names = "、".join(
            f"{c}（{column.name}）" if (column := ledger.column(c)) is not None else c for c in missing
        )
        raise LedgerDatasetError(f"台账数据集《{ledger.name}》缺少指标计算所需的列：{names}")


def _types(con: Any, ledger_id: str) -> dict[str, str]:
    described = con.execute(f"DESCRIBE {relation(ledger_id)}").fetchall()
    return {str(row[0]): str(row[1]) for row in described}


def assemble(catalogue: Catalogue, figures: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``Submission.coverage`` and ``Submission.derived`` from the results of :func:`ledger_statements`, by
    name, whichever engine ran them (DuckDB here; Spark in docs/OUT-OF-CORE.md)."""
    import pandas as pd

    coverage_parts, derived_parts = [], []
    for name in sorted(n for n in figures if n.startswith("coverage:")):
        ledger_id = name.split(":", 1)[1]
        by_file = figures[name].astype({"unit": "str", "year": "int64", "_file": "str"})
        covered = (
            by_file.sort_values(["unit", "year", "_file"])
            .groupby(["unit", "year"], sort=True, as_index=False)
            .agg(records=("records", "sum"), invalid=("invalid", "any"), files=("_file", tuple))
        )
        coverage_parts.append(
            pd.DataFrame(
                {
                    "ledger": ledger_id,
                    "unit": covered["unit"],
                    "year": covered["year"],
                    "files": covered["files"],  # the sources of what is counted here, in order
                }
            )
        )
        label = f"台账《{catalogue.ledgers_by_id[ledger_id].name}》"
        for (granularity, distinct), fields in derived_fields(catalogue, ledger_id).items():
            key = f"derive:{ledger_id}:{granularity}" + (":distinct" if distinct else "")
            sums = figures[key].astype({"unit": "str", "year": "int64"})
            derived_parts.append(_derived(covered, sums, granularity, fields, label))
    coverage = (
        pd.concat(coverage_parts, ignore_index=True)
        if coverage_parts
        else pd.DataFrame({"ledger": [], "unit": [], "year": [], "files": []})
    )
    derived = (
        pd.concat(derived_parts, ignore_index=True)
        if derived_parts
        else pd.DataFrame({name: [] for name in DERIVED_COLUMNS})
    )
    return coverage.astype({"ledger": "str", "unit": "str", "year": "int64"}), derived


def _derived(
    covered: pd.DataFrame, sums: pd.DataFrame, granularity: str, fields: list[FieldDef], label: str
) -> pd.DataFrame:
    """Every field for every covered unit-year × period: the scan's figure, or 0 where no record matched."""
    import numpy as np
    import pandas as pd

    periods = GRANULARITY_PERIODS[granularity]
    group = {"year": None, "half": "half", "quarter": "quarter"}[granularity]
    grid = covered.loc[covered.index.repeat(len(periods))].reset_index(drop=True)
    grid["period"] = np.tile(np.asarray(periods, dtype=object), len(covered))
    sums = sums.rename(columns={group: "period"}) if group else sums.assign(period="Y")
    placed = grid.merge(sums, on=["unit", "year", "period"], how="left")
    named = ["、".join(files) for files in placed["files"].tolist()]  # the sources, once for every field
    parts = []
    for i, field in enumerate(fields):
        rows = placed[f"rows_{i}"].fillna(0).astype(np.int64)
        value_column = f"value_{i}" if f"value_{i}" in placed else f"rows_{i}"
        value = placed[value_column].astype(np.float64).fillna(0.0)
        source = [
            f"{f} › {label} {n} 条" if f else f"{label} 0 条"
            for f, n in zip(named, rows.tolist(), strict=True)
        ]
        parts.append(
            pd.DataFrame(
                {
                    "unit": placed["unit"].astype(object),
                    "year": placed["year"].astype(np.int64),
                    "period": placed["period"].astype(object),
                    "field": field.id,
                    "value": value,
                    "source": source,
                    "rows": rows,
                    "invalid": placed["invalid"].astype(bool),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(DERIVED_COLUMNS)]


def assemble_durations(figures: Mapping[str, pd.DataFrame]) -> DurationFigures:
    """``Submission.durations`` from the results of the ``duration:``, ``negative:`` and ``outside:``
    statements of :func:`ledger_statements`, by name, whichever engine ran them. Their columns name the
    indicators: ``total:<id>``, ``negative:<id>``, ``records:<id>`` …"""
    import pandas as pd

    indicators: list[str] = []
    parts: dict[str, list[pd.DataFrame]] = {"duration": [], "negative": [], "outside": []}
    for name in sorted(figures):
        statement, frame = name.split(":", 1)[0], figures[name]
        for column in map(str, frame.columns):
            head, _, indicator = column.partition(":")
            if statement == "duration" and head == "total":
                indicators.append(indicator)
                taken = {c: frame[f"{c}:{indicator}"] for c in ("total", "within", "bad")}
                part = pd.DataFrame({"unit": frame["unit"], "year": frame["year"], **taken})
            elif statement == "negative" and head == "negative":
                part = frame.loc[frame[column].astype(bool), ["unit", "_file", "_sheet", "_row"]]
            elif statement == "outside" and head == "records":
                hit = frame[column].fillna(0) > 0
                part = frame.loc[hit, ["unit", "_file", "_sheet"]].assign(
                    records=frame.loc[hit, column], _row=frame.loc[hit, f"row:{indicator}"]
                )
            else:
                continue
            parts[statement].append(part.assign(indicator=indicator))

    def table(statement: str, columns: tuple[str, ...], types: dict[str, str]) -> pd.DataFrame:
        found = parts[statement]
        frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame({c: [] for c in columns})
        return frame[list(columns)].astype({"indicator": "str", "unit": "str", **types})

    return DurationFigures(
        tuple(indicators),
        table(
            "duration",
            DURATION_COLUMNS,
            {"year": "int64", "total": "int64", "within": "int64", "bad": "bool"},
        ),
        table("negative", NEGATIVE_SPAN_COLUMNS, {"_file": "str", "_sheet": "str", "_row": "int64"}),
        table(
            "outside",
            OUTSIDE_CALENDAR_COLUMNS,
            {"_file": "str", "_sheet": "str", "records": "int64", "_row": "int64"},
        ),
    )


def record_columns(catalogue: Catalogue, counted: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The ledgers the per-record indicators read, and the columns they read (meta columns first); a duration
    indicator in ``counted`` was counted in SQL and reads none."""
    wanted: dict[str, list[str]] = {}

    def need(ledger_id: str, *columns: str | None) -> None:
        have = wanted.setdefault(ledger_id, list(LEDGER_META_COLUMNS))
        have.extend(c for c in columns if c and c not in have)

    for ind in catalogue.indicators:
        if isinstance(ind, PerPersonIndicator | CumulativeIndicator):
            need(ind.roster.ledger, ind.roster.person, *(c.column for c in ind.roster.where))
            need(
                ind.activity.ledger,
                ind.activity.person,
                ind.activity.amount,
                *(c.column for c in ind.activity.where),
            )
        elif isinstance(ind, DurationIndicator) and ind.id not in counted:
            need(ind.ledger, ind.start, ind.end, *(c.column for c in ind.where))
    return wanted


def _records(con: Any, ledger_id: str, columns: list[str]) -> pd.DataFrame:
    """A per-record ledger's rows, only the columns read, in the order the pandas reader gives them."""
    import pandas as pd

    select = ", ".join(quote(c) for c in columns)
    query = f"SELECT {select} FROM {relation(ledger_id)} ORDER BY _file, _sheet, _row"
    frame: pd.DataFrame = con.sql(query).to_arrow_table().to_pandas()  # through Arrow: a third less memory
    for name in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            frame[name] = frame[name].astype("datetime64[ns]")
    return frame
