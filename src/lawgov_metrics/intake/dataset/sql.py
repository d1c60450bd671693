"""The ledger aggregations the engine needs, written once as SQL over one relation per ledger.

The statements use plain ANSI aggregates (``count``/``sum``/``count(DISTINCT)`` with ``FILTER (WHERE …)``,
``bool_or``), so DuckDB runs them as written and :func:`to_spark` transpiles them (sqlglot) for Spark SQL
over the same Parquet dataset. A relation is named ``ledger_<id>``; its columns are the ledger's column ids and
the meta columns of ``Submission.ledgers`` (``unit, year, half, quarter, _file, _sheet, _row, _invalid``).

Each ``where`` is written to mean what :class:`lawgov_metrics.engine.conditions.LedgerMasks` computes: a
comparison with a blank is false (SQL's three-valued logic does that), a text column matches text only, a
number column numbers only (是/否 are 1.0/0.0) and a date column is compared with the date as a timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lawgov_metrics.catalogue.models import Catalogue, Condition, FieldDef

GROUP_COLUMN = {"year": None, "half": "half", "quarter": "quarter"}
# DuckDB's type names and Spark's (``spark.table(view).dtypes``: double, int, bigint …)
_NUMBER_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "BIGINT", "INT", "SMALLINT", "TINYINT", "HUGEINT")


def relation(ledger_id: str) -> str:
    return f"ledger_{ledger_id}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _family(sql_type: str) -> str:
    upper = sql_type.upper()
    if upper.startswith("TIMESTAMP") or upper == "DATE":
        return "date"
    if upper.startswith(_NUMBER_TYPES) or upper == "BOOLEAN":
        return "number"
    return "text"


def _literals(values: Sequence[object], family: str) -> list[str]:
    """The values a column of this family can equal, as SQL literals; the others never match."""
    out: list[str] = []
    for value in values:
        if value is None:
            continue
        if family == "text" and isinstance(value, str):
            out.append(_text(value))
        elif family == "number" and isinstance(value, int | float):  # a bool is an int: True is 1.0
            out.append(repr(float(value)))
        elif family == "date" and not isinstance(value, bool | int | float):
            import pandas as pd

            out.append(f"CAST({_text(str(pd.Timestamp(str(value))))} AS TIMESTAMP)")
    return out


def condition_sql(cond: Condition, types: Mapping[str, str]) -> str:
    """One ``where`` condition as a SQL predicate over the ledger's columns (``types``: column → SQL type)."""
    column = quote(cond.column)
    family = _family(types[cond.column])
    values = _literals(cond.value if isinstance(cond.value, tuple) else (cond.value,), family)
    present = f"{column} IS NOT NULL"
    match cond.op:
        case "is_null":
            return f"{column} IS NULL"
        case "not_null":
            return present
        case "eq" | "in":
            return f"{column} IN ({', '.join(values)})" if values else "FALSE"
        case "ne" | "not_in":
            return f"({present} AND {column} NOT IN ({', '.join(values)}))" if values else present
    sign = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}[cond.op]
    return f"{column} {sign} {values[0]}" if values else "FALSE"


def where_sql(conditions: Sequence[Condition], types: Mapping[str, str]) -> str:
    return " AND ".join(f"({condition_sql(c, types)})" for c in conditions) or "TRUE"


def coverage_sql(ledger_id: str) -> str:
    """Per supplied unit-year and file its records came from: how many, and whether any failed validation."""
    return (
        "SELECT unit, year, _file, count(*) AS records, bool_or(_invalid) AS invalid "
        f"FROM {relation(ledger_id)} WHERE unit IS NOT NULL AND year IS NOT NULL GROUP BY unit, year, _file"
    )


def derive_sql(ledger_id: str, granularity: str, fields: Sequence[FieldDef], types: Mapping[str, str]) -> str:
    """One scan of a ledger for its derived fields of one granularity: per unit, year (and half or quarter)
    and field ``i``, the records meeting its ``where`` (``rows_i``) and its figure (``value_i``; none for a
    count, whose figure is ``rows_i``).

    Counts and sums first group the records by the columns their ``where`` reads — a handful of activity
    types, not one comparison per field per record — and then decide each condition once per group, as the
    pandas masks decide it once per distinct value. A distinct count needs the records themselves, so a
    list with one is aggregated record by record."""
    group = GROUP_COLUMN[granularity]
    keys = ["unit", "year"] + ([group] if group else [])
    if any(f.derive is not None and f.derive.agg == "count_distinct" for f in fields):
        return _derive_by_record(ledger_id, keys, fields, types)
    read = sorted({c.column for f in fields if f.derive is not None for c in f.derive.where})
    summed = sorted({f.derive.column for f in fields if f.derive is not None and f.derive.column})
    inner = [*keys, *(quote(c) for c in read), "count(*) AS _records"]
    inner += [f"sum({quote(c)}) AS _sum_{n}" for n, c in enumerate(summed)]
    columns = [*keys]
    for i, field in enumerate(fields):
        derive = field.derive
        assert derive is not None
        chosen = f"FILTER (WHERE {where_sql(derive.where, types)})"
        columns.append(f"sum(_records) {chosen} AS rows_{i}")
        if derive.column is not None:
            columns.append(f"sum(_sum_{summed.index(derive.column)}) {chosen} AS value_{i}")
    by = ", ".join([*keys, *(quote(c) for c in read)])
    return (
        f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(inner)} FROM {relation(ledger_id)} "
        f"WHERE unit IS NOT NULL AND year IS NOT NULL GROUP BY {by}) AS grouped GROUP BY {', '.join(keys)}"
    )


def _derive_by_record(
    ledger_id: str, keys: list[str], fields: Sequence[FieldDef], types: Mapping[str, str]
) -> str:
    columns = [*keys]
    for i, field in enumerate(fields):
        derive = field.derive
        assert derive is not None
        chosen = f"FILTER (WHERE {where_sql(derive.where, types)})"
        columns.append(f"count(*) {chosen} AS rows_{i}")
        if derive.agg == "sum" and derive.column is not None:
            columns.append(f"sum({quote(derive.column)}) {chosen} AS value_{i}")
        elif derive.agg == "count_distinct" and derive.column is not None:
            columns.append(f"count(DISTINCT {quote(derive.column)}) {chosen} AS value_{i}")
    return (
        f"SELECT {', '.join(columns)} FROM {relation(ledger_id)} "
        f"WHERE unit IS NOT NULL AND year IS NOT NULL GROUP BY {', '.join(keys)}"
    )


def derived_fields(catalogue: Catalogue, ledger_id: str) -> dict[tuple[str, bool], list[FieldDef]]:
    """The ledger's derived fields by granularity, distinct counts apart (they are aggregated by record)."""
    groups: dict[tuple[str, bool], list[FieldDef]] = {}
    for field in catalogue.fields:
        if field.derive is not None and field.derive.ledger == ledger_id:
            groups.setdefault((field.period, field.derive.agg == "count_distinct"), []).append(field)
    return groups


def ledger_statements(catalogue: Catalogue, ledger_id: str, types: Mapping[str, str]) -> dict[str, str]:
    """Every statement one ledger needs, by name (``coverage:<id>``, ``derive:<id>:<granularity>[:distinct]``);
    ``types``: the relation's column → SQL type (DuckDB's ``DESCRIBE`` or Spark's ``dtypes``)."""
    statements = {f"coverage:{ledger_id}": coverage_sql(ledger_id)}
    for (granularity, distinct), fields in derived_fields(catalogue, ledger_id).items():
        name = f"derive:{ledger_id}:{granularity}" + (":distinct" if distinct else "")
        statements[name] = derive_sql(ledger_id, granularity, fields, types)
    return statements


def to_spark(sql: str) -> str:
    """The same statement in Spark SQL (sqlglot transpiles DuckDB's dialect)."""
    try:
        import sqlglot
    except ImportError as exc:  # the scale extra
        raise ImportError("生成 Spark SQL 需要 sqlglot：请安装 pip install 'lawgov-metrics[scale]'") from exc
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]
