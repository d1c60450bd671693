"""The ledger aggregations the engine needs, written once as SQL over one relation per ledger.

The statements use plain ANSI aggregates (``count``/``sum``/``count(DISTINCT)`` with ``FILTER (WHERE …)``,
``bool_or``), so DuckDB runs them as written and :func:`to_spark` transpiles them (sqlglot) for Spark SQL
over the same Parquet dataset. A relation is named ``ledger_<id>``; its columns are the ledger's column ids and
the meta columns of ``Submission.ledgers`` (``unit, year, half, quarter, _file, _sheet, _row, _invalid``).

Each ``where`` is written to mean what :class:`lawgov_metrics.engine.conditions.LedgerMasks` computes: a
comparison with a blank is false (SQL's three-valued logic does that), a text column matches text only, a
number column numbers only (是/否 are 1.0/0.0) and a date column is compared with the date as a timestamp.

Duration indicators are counted here too (:func:`duration_sql`): each record's span as engine/calendar.py
computes it, working days through a join with the official calendar (:data:`CALENDAR`), and only the records
that become issues (:func:`negative_span_sql`, :func:`outside_calendar_sql`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lawgov_metrics.catalogue.models import Catalogue, Condition, DurationIndicator, FieldDef

GROUP_COLUMN = {"year": None, "half": "half", "quarter": "quarter"}
# the official calendar as a table (``day``, ``workdays``: engine/calendar.py's ``workday_table()``), registered
# under this name by whoever runs the duration statements (DuckDB here, Spark in docs/OUT-OF-CORE.md)
CALENDAR = "lawgov_workdays"
_EPS = 1e-9  # engine/judged.py's EPS: a span within the bound as the engine compares it
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


def duration_indicators(
    catalogue: Catalogue, ledger_id: str, workdays: bool = True
) -> list[DurationIndicator]:
    """The duration indicators reading the ledger (those in working days only given the calendar table)."""
    return [
        ind
        for ind in catalogue.indicators
        if isinstance(ind, DurationIndicator)
        and ind.ledger == ledger_id
        and (workdays or ind.unit != "workday")
    ]


def record_spans(
    ledger_id: str,
    indicators: Sequence[DurationIndicator],
    types: Mapping[str, str],
    only: str = "TRUE",
    grouped: bool = False,
) -> str:
    """Each record with, per indicator ``i``: ``chosen_i`` (its ``where``), ``span_i`` and ``outside_i``, as
    engine/calendar.py computes them: working days as the difference of the two dates' running counts of
    official working days (a join with the calendar; a date of a year it does not cover: ``outside_i``),
    hours from the exact microseconds between the timestamps, days between the two dates. ``only``: a
    condition on the record's own columns (``r.…``), decided before the joins.

    ``grouped``: the records of a unit-year grouped first by what the spans and ``where``s read (the dates,
    the microseconds between two timestamps, the ``where`` columns), ``_records`` in each group and
    ``_invalid`` if any is: a ledger of 10^8 records joins the calendar a few hundred thousand times, not
    10^8 times. Else one row per record (``_records`` 1) with its ``_file, _sheet, _row``."""
    keys: dict[str, str] = {}  # what a span reads, as an expression over a record → its name
    joins: dict[str, str] = {}  # a date key → the alias of its calendar row

    def key(expression: str) -> str:
        return keys.setdefault(expression, f"_k{len(keys)}")

    def day(column: str) -> str:
        named = key(f"CAST(r.{quote(column)} AS DATE)")
        return joins.setdefault(named, f"w{len(joins)}")

    columns = ["unit", "year", *([] if grouped else ["_file", "_sheet", "_row"]), "_records", "_invalid"]
    for i, ind in enumerate(indicators):
        start, end = f"r.{quote(ind.start)}", f"r.{quote(ind.end)}"
        outside = "FALSE"
        if ind.unit == "workday":
            s, e = day(ind.start), day(ind.end)
            span = f"{e}._workdays - {s}._workdays"
            known = (
                f"{key(f'CAST({start} AS DATE)')} IS NOT NULL AND {key(f'CAST({end} AS DATE)')} IS NOT NULL"
            )
            outside = f"({known} AND ({s}._day IS NULL OR {e}._day IS NULL))"
        elif ind.unit == "hour":
            micros = key(f"date_diff('microsecond', CAST({start} AS TIMESTAMP), CAST({end} AS TIMESTAMP))")
            span = f"CAST({micros} AS DOUBLE) / 3600000000.0"
        else:
            span = key(f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))")
        chosen = f"coalesce({where_sql(ind.where, types)}, FALSE)"
        columns += [f"{chosen} AS chosen_{i}", f"{span} AS span_{i}", f"{outside} AS outside_{i}"]
    read = [quote(c) for c in sorted({c.column for ind in indicators for c in ind.where})]
    carried = ["unit", "year", *read, *(f"{expression} AS {name}" for expression, name in keys.items())]
    if grouped:
        by = ", ".join(["unit", "year", *read, *keys])
        records = (
            f"SELECT {', '.join(carried)}, count(*) AS _records, bool_or(coalesce(_invalid, FALSE)) AS _invalid "
            f"FROM {relation(ledger_id)} AS r WHERE unit IS NOT NULL AND year IS NOT NULL AND {only} GROUP BY {by}"
        )
    else:
        records = (
            f"SELECT {', '.join(carried)}, _file, _sheet, _row, 1 AS _records, "
            f"coalesce(_invalid, FALSE) AS _invalid FROM {relation(ledger_id)} AS r WHERE {only}"
        )
    calendar = f"(SELECT CAST(day AS DATE) AS _day, workdays AS _workdays FROM {CALENDAR})"
    joined = "".join(
        f" LEFT JOIN {calendar} AS {alias} ON {alias}._day = g.{named}" for named, alias in joins.items()
    )
    return f"(SELECT {', '.join(columns)} FROM ({records}) AS g{joined}) AS spans"


def duration_sql(ledger_id: str, indicators: Sequence[DurationIndicator], types: Mapping[str, str]) -> str:
    """Per unit-year and duration indicator: the records counted (``total:<id>``), those within the bound
    (``within:<id>``) and whether any counted one is wrong (``bad:<id>``: ``_invalid``, a negative span, a
    date outside the calendar). The records are grouped first (:func:`record_spans`)."""
    columns = ["unit", "year"]
    for i, ind in enumerate(indicators):
        negative = f"coalesce(span_{i} < 0, FALSE)"
        within = f"span_{i} >= 0 AND span_{i} <= {float(ind.max) + _EPS!r}"
        columns += [
            f"CAST(coalesce(sum(_records) FILTER (WHERE chosen_{i}), 0) AS BIGINT) AS {quote('total:' + ind.id)}",
            f"CAST(coalesce(sum(_records) FILTER (WHERE chosen_{i} AND {within}), 0) AS BIGINT) "
            f"AS {quote('within:' + ind.id)}",
            f"coalesce(bool_or(chosen_{i} AND (_invalid OR outside_{i} OR {negative})), FALSE) "
            f"AS {quote('bad:' + ind.id)}",
        ]
    spans = record_spans(ledger_id, indicators, types, grouped=True)
    return f"SELECT {', '.join(columns)} FROM {spans} GROUP BY unit, year"


def negative_span_sql(
    ledger_id: str, indicators: Sequence[DurationIndicator], types: Mapping[str, str]
) -> str:
    """Only the records whose end is before their start, each with the indicators it is counted by
    (``negative:<id>``): one issue per record and indicator."""
    flags = [f"(chosen_{i} AND coalesce(span_{i} < 0, FALSE))" for i in range(len(indicators))]
    columns = ["unit", "_file", "_sheet", "_row"]
    columns += [
        f"{flag} AS {quote('negative:' + ind.id)}" for flag, ind in zip(flags, indicators, strict=True)
    ]
    # a negative span needs an end before the start (in working days, hours or days): the rest never joins
    before = " OR ".join(dict.fromkeys(f"r.{quote(i.end)} < r.{quote(i.start)}" for i in indicators))
    spans = record_spans(ledger_id, indicators, types, only=f"({before})")
    return f"SELECT {', '.join(columns)} FROM {spans} WHERE {' OR '.join(flags)}"


def outside_calendar_sql(
    ledger_id: str, indicators: Sequence[DurationIndicator], types: Mapping[str, str]
) -> str:
    """Per unit, file and sheet with records the calendar does not cover: how many (``records:<id>``) and
    the first row (``row:<id>``) per working-day indicator."""
    flags = [f"(chosen_{i} AND outside_{i})" for i in range(len(indicators))]
    columns = ["unit", "_file", "_sheet"]
    for flag, ind in zip(flags, indicators, strict=True):
        columns += [
            f"count(*) FILTER (WHERE {flag}) AS {quote('records:' + ind.id)}",
            f"min(_row) FILTER (WHERE {flag}) AS {quote('row:' + ind.id)}",
        ]
    # outside needs both dates and one of them beyond the calendar's first or last day (it has every day
    # between): the records inside it never join
    first = f"(SELECT CAST(min(day) AS TIMESTAMP) FROM {CALENDAR})"
    after = f"(SELECT CAST(max(day) AS TIMESTAMP) + INTERVAL 1 DAY FROM {CALENDAR})"
    beyond = []
    for ind in indicators:
        start, end = (f"r.{quote(c)}" for c in (ind.start, ind.end))
        beyond.append(
            f"({start} IS NOT NULL AND {end} IS NOT NULL AND "
            f"({start} < {first} OR {start} >= {after} OR {end} < {first} OR {end} >= {after}))"
        )
    spans = record_spans(ledger_id, indicators, types, only=f"({' OR '.join(dict.fromkeys(beyond))})")
    return (
        f"SELECT {', '.join(columns)} FROM {spans} "
        f"WHERE unit IS NOT NULL AND _file IS NOT NULL AND _sheet IS NOT NULL AND ({' OR '.join(flags)}) "
        "GROUP BY unit, _file, _sheet"
    )


def ledger_statements(
    catalogue: Catalogue, ledger_id: str, types: Mapping[str, str], workdays: bool = True
) -> dict[str, str]:
    """Every statement one ledger needs, by name (``coverage:<id>``, ``derive:<id>:<granularity>[:distinct]``,
    ``duration:<id>``, ``negative:<id>``, ``outside:<id>``); ``types``: the relation's column → SQL type
    (DuckDB's ``DESCRIBE`` or Spark's ``dtypes``). ``workdays``: the calendar table (:data:`CALENDAR`) is
    registered, so durations in working days are counted too."""
    statements = {f"coverage:{ledger_id}": coverage_sql(ledger_id)}
    for (granularity, distinct), fields in derived_fields(catalogue, ledger_id).items():
        name = f"derive:{ledger_id}:{granularity}" + (":distinct" if distinct else "")
        statements[name] = derive_sql(ledger_id, granularity, fields, types)
    durations = duration_indicators(catalogue, ledger_id, workdays)
    if durations:
        statements[f"duration:{ledger_id}"] = duration_sql(ledger_id, durations, types)
        statements[f"negative:{ledger_id}"] = negative_span_sql(ledger_id, durations, types)
        in_workdays = [ind for ind in durations if ind.unit == "workday"]
        if in_workdays:
            statements[f"outside:{ledger_id}"] = outside_calendar_sql(ledger_id, in_workdays, types)
    return statements


def to_spark(sql: str) -> str:
    """The same statement in Spark SQL (sqlglot transpiles DuckDB's dialect)."""
    try:
        import sqlglot
    except ImportError as exc:  # the scale extra
        raise ImportError("生成 Spark SQL 需要 sqlglot：请安装 pip install 'lawgov-metrics[scale]'") from exc
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]
