"""What people really type into a cell, and what the normalisers make of it.

Each reader is pinned by a table of examples (the ambiguous ones on purpose), then held to its promises by
hypothesis: formatted values come back, and the column form agrees with the one-cell form on any mix of
cells — junk is reported, never a silent NaN.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawgov_metrics.intake.parse import outcomes
from lawgov_metrics.intake.parse.booleans import FALSE_WORDS, TRUE_WORDS, parse_bool, parse_bool_series
from lawgov_metrics.intake.parse.choices import parse_choice, parse_choice_series
from lawgov_metrics.intake.parse.cleaning import clean_text, clean_text_series
from lawgov_metrics.intake.parse.dates import (
    excel_serial_to_datetime,
    parse_date,
    parse_date_series,
    parse_datetime,
    parse_datetime_series,
)
from lawgov_metrics.intake.parse.identifiers import parse_identifier, parse_identifier_series
from lawgov_metrics.intake.parse.names import normalise_unit_name, normalise_unit_name_series
from lawgov_metrics.intake.parse.numbers import (
    parse_count,
    parse_count_series,
    parse_number,
    parse_number_series,
    parse_percent,
    parse_percent_series,
)
from lawgov_metrics.intake.parse.outcomes import (
    BOOL_UNREADABLE,
    CHOICE_UNKNOWN,
    DATE_INVALID,
    DATE_RANGE,
    DATE_UNREADABLE,
    ID_DATE,
    ID_FRACTION,
    ID_PRECISION,
    ID_UNREADABLE,
    NUMBER_NOT_WHOLE,
    NUMBER_TOO_LARGE,
    NUMBER_UNREADABLE,
    PERCENT_PERMILLE,
    PERCENT_RANGE,
    PERCENT_UNREADABLE,
    PERIOD_UNREADABLE,
    PERIOD_YEAR,
    REASON_CODES,
    TIME_INVALID,
    YEAR_RANGE,
    YEAR_UNREADABLE,
    Parsed,
    ParsedColumn,
)
from lawgov_metrics.intake.parse.periods import (
    parse_period,
    parse_period_series,
    parse_year,
    parse_year_series,
    period_of_date,
)
from lawgov_metrics.intake.parse.text import parse_text, parse_text_series
from lawgov_metrics.issues import ISSUE_CODES

BLANK = object()  # expected outcome: blank
D, DT = dt.date, dt.datetime


def check(read: Parsed[Any], expected: object) -> None:
    """``expected`` is a value, BLANK, or a reason string wrapped in ``Fail``."""
    if expected is BLANK:
        assert read.blank and read.value is None and read.error is None, read
    elif isinstance(expected, Fail):
        assert read.error == expected.reason and read.value is None, read
        assert read.code == REASON_CODES[expected.reason]
    else:
        assert read.error is None and read.value == expected and type(read.value) is type(expected), read


class Fail:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Fail({self.reason})"


def cases(*rows: tuple[object, object]) -> Any:
    return pytest.mark.parametrize(("cell", "expected"), rows, ids=[repr(row[0])[:40] for row in rows])


# ---------------------------------------------------------------- results and reasons


def test_every_reason_maps_to_a_known_issue_code() -> None:
    reasons = {
        v for name, v in vars(outcomes).items() if name.isupper() and name[0] != "_" and isinstance(v, str)
    }
    assert reasons == set(REASON_CODES)
    assert set(REASON_CODES.values()) <= set(ISSUE_CODES)


def test_parsed_has_three_outcomes() -> None:
    assert Parsed(3).ok and not Parsed(3).blank and Parsed(3).code is None
    assert Parsed().blank and not Parsed().ok
    failed = Parsed(error=NUMBER_UNREADABLE)
    assert not failed.ok and not failed.blank and failed.code == "value-type"


# ---------------------------------------------------------------- text


@cases(
    ("  海口市 司法局　", "海口市 司法局"),
    ("a\u3000\u3000b", "a b"),
    ("a\u00a0\tb\n", "a b"),
    ("\u200b海口\u200d市\ufeff", "海口市"),
    ("ｶ", "カ"),
    ("９５％", "95%"),
    ("ＡＢＣ１２３", "ABC123"),
    ("镇（街道）", "镇(街道)"),
    ("\u3000 \u200b", ""),
)
def test_clean_text(cell: str, expected: str) -> None:
    assert clean_text(cell) == expected
    assert clean_text_series(pd.Series([cell], dtype="str")).tolist() == [expected]


@cases(
    ("  海口市 司法局　", "海口市司法局"),
    ("海口市\u3000美兰区 人民政府", "海口市美兰区人民政府"),
    ("镇(街道)", "镇（街道）"),
    ("镇（街道）", "镇（街道）"),
    ("镇（ 街道 )", "镇（街道）"),
)
def test_normalise_unit_name(cell: str, expected: str) -> None:
    assert normalise_unit_name(cell) == expected
    assert normalise_unit_name_series(pd.Series([cell, None], dtype=object)).tolist()[0] == expected


def test_text_columns_keep_missing_cells_missing() -> None:
    out = clean_text_series(pd.Series(["  a ", None, "b"], dtype=object))
    assert out.iloc[0] == "a" and pd.isna(out.iloc[1]) and out.iloc[2] == "b"


def test_cells_of_ascii_and_cjk_ideographs_are_only_trimmed() -> None:
    # the column form trims such cells without normalising them: they must already be NFKC and spaceless
    chars = [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(0x4000, 0xA000)]
    assert all(unicodedata.is_normalized("NFKC", c) and not c.isspace() for c in chars)
    assert clean_text("".join(chars)) == "".join(chars)


@cases(
    (" 说明 ", "说明"),
    (12.0, "12"),
    (12345678901234, "12345678901234"),
    (2.5, "2.5"),
    (True, "TRUE"),
    (DT(2024, 1, 31), "2024-01-31"),
    (DT(2024, 1, 31, 14, 30), "2024-01-31 14:30:00"),
    (dt.time(8, 5), "08:05:00"),
    ("", BLANK),
)
def test_parse_text(cell: object, expected: object) -> None:
    check(parse_text(cell), expected)


# ---------------------------------------------------------------- numbers


@cases(
    (12, 12.0),
    (12.5, 12.5),
    (np.int64(7), 7.0),
    ("1,234", 1234.0),
    ("1，234", 1234.0),
    ("1,234,567.5", 1234567.5),
    ("１２３４", 1234.0),
    (" 12 ", 12.0),
    ("12件", 12.0),
    ("12 件", 12.0),
    ("60学时", 60.0),
    ("5人", 5.0),
    ("3次", 3.0),
    ("2个工作日", 2.0),
    ("-5", -5.0),
    ("+5", 5.0),
    ("1e3", 1000.0),
    ("2.5E-1", 0.25),
    (".5", 0.5),
    ("5.", 5.0),
    ("", BLANK),
    ("\u3000", BLANK),
    (None, BLANK),
    (float("nan"), BLANK),
    (True, Fail(NUMBER_UNREADABLE)),
    (float("inf"), Fail(NUMBER_UNREADABLE)),
    (float("-inf"), Fail(NUMBER_UNREADABLE)),
    ("inf", Fail(NUMBER_UNREADABLE)),
    ("nan", Fail(NUMBER_UNREADABLE)),
    ("1e400", Fail(NUMBER_UNREADABLE)),
    ("1,23", Fail(NUMBER_UNREADABLE)),
    ("1234,567", Fail(NUMBER_UNREADABLE)),
    ("1.2万", Fail(NUMBER_UNREADABLE)),
    ("12件12", Fail(NUMBER_UNREADABLE)),
    ("约12", Fail(NUMBER_UNREADABLE)),
    ("无", Fail(NUMBER_UNREADABLE)),
    ("/", Fail(NUMBER_UNREADABLE)),
    ("1_000", Fail(NUMBER_UNREADABLE)),
    (DT(2024, 1, 1), Fail(NUMBER_UNREADABLE)),
)
def test_parse_number(cell: object, expected: object) -> None:
    check(parse_number(cell), expected)


@cases(("12万元", 12.0), ("12 万元", 12.0), ("12件", 12.0), ("12万", Fail(NUMBER_UNREADABLE)))
def test_parse_number_drops_the_fields_own_unit(cell: object, expected: object) -> None:
    check(parse_number(cell, unit="万元"), expected)
    assert_agrees(
        lambda v: parse_number(v, unit="万元"), lambda s: parse_number_series(s, unit="万元"), [cell]
    )


def test_a_unit_that_could_end_a_number_is_cut_off_exactly() -> None:
    check(parse_number("12m2", unit="m2"), 12.0)
    assert_agrees(
        lambda v: parse_number(v, unit="m2"),
        lambda s: parse_number_series(s, unit="m2"),
        ["12m2", "12 m2"],
    )


@cases(
    (12, 12),
    (12.0, 12),
    ("12件", 12),
    ("1,200", 1200),
    (-3, -3),
    (12.5, Fail(NUMBER_NOT_WHOLE)),
    ("12.5次", Fail(NUMBER_NOT_WHOLE)),
    (1e20, Fail(NUMBER_TOO_LARGE)),
    ("abc", Fail(NUMBER_UNREADABLE)),
    ("", BLANK),
)
def test_parse_count(cell: object, expected: object) -> None:
    check(parse_count(cell), expected)


# ---------------------------------------------------------------- percent


@cases(
    (95, 0.95),
    ("95", 0.95),
    ("95%", 0.95),
    ("９５％", 0.95),
    ("95 %", 0.95),
    (" 95.5% ", 0.955),
    (0.95, 0.95),
    ("0.95", 0.95),
    (100, 1.0),
    ("100%", 1.0),
    (1, 1.0),  # a bare 1 is a fraction: 100%
    (0.5, 0.5),  # a bare number at most 1 is a fraction, not half a percent …
    ("0.5%", 0.005),  # … which needs the sign
    (0, 0.0),
    ("0%", 0.0),
    (1.5, 0.015),  # above 1: percent points
    (101, Fail(PERCENT_RANGE)),
    ("101%", Fail(PERCENT_RANGE)),
    (-1, Fail(PERCENT_RANGE)),
    ("-5%", Fail(PERCENT_RANGE)),
    ("95‰", Fail(PERCENT_PERMILLE)),
    ("abc", Fail(PERCENT_UNREADABLE)),
    ("95%%", Fail(PERCENT_UNREADABLE)),
    ("inf%", Fail(PERCENT_UNREADABLE)),
    (True, Fail(PERCENT_UNREADABLE)),
    ("", BLANK),
)
def test_parse_percent(cell: object, expected: object) -> None:
    check(parse_percent(cell), expected)


# ---------------------------------------------------------------- yes / no

BOOL_CASES = [
    *(
        (word, True)
        for word in ("是", "有", "√", "✓", "✔", "对", "Y", "y", "yes", "YES", "TRUE", "true", "True")
    ),
    *((word, True) for word in ("1", "1.0", "已完成", "已", " 是 ")),
    *((word, False) for word in ("否", "无", "×", "✗", "✘", "错", "N", "n", "no", "No", "FALSE", "false")),
    *((word, False) for word in ("0", "0.0", "未完成", "未")),
    (True, True),
    (False, False),
    (np.bool_(True), True),
    (1, True),
    (0, False),
    (1.0, True),
    (0.0, False),
    (2, Fail(BOOL_UNREADABLE)),
    (0.5, Fail(BOOL_UNREADABLE)),
    ("x", Fail(BOOL_UNREADABLE)),  # a cross or a tick? refused
    ("是的", Fail(BOOL_UNREADABLE)),
    ("", BLANK),
]


@cases(*BOOL_CASES)
def test_parse_bool(cell: object, expected: object) -> None:
    check(parse_bool(cell), expected)


# ---------------------------------------------------------------- dates


@cases(
    (1, DT(1900, 1, 1)),
    (59, DT(1900, 2, 28)),
    (61, DT(1900, 3, 1)),  # Excel's fake 1900-02-29 is serial 60; from 61 on the count is one ahead
    (45322, DT(2024, 1, 31)),
    (45322.75, DT(2024, 1, 31, 18)),
    (45000.604166666664, DT(2023, 3, 15, 14, 30)),
)
def test_excel_serial_1900(cell: float, expected: dt.datetime) -> None:
    assert excel_serial_to_datetime(cell) == expected


@cases((0, DT(1904, 1, 1)), (1, DT(1904, 1, 2)), (43860, DT(2024, 1, 31)))
def test_excel_serial_1904(cell: float, expected: dt.datetime) -> None:
    assert excel_serial_to_datetime(cell, date1904=True) == expected


@pytest.mark.parametrize("serial", [60, 60.5, 0, -1, math.inf])
def test_excel_serials_that_are_no_day(serial: float) -> None:
    with pytest.raises(ValueError):
        excel_serial_to_datetime(serial)


@cases(
    (D(2024, 1, 31), D(2024, 1, 31)),
    (DT(2024, 1, 31, 14, 30), D(2024, 1, 31)),
    (pd.Timestamp("2024-01-31 10:00"), D(2024, 1, 31)),
    (45322, D(2024, 1, 31)),
    (45322.99, D(2024, 1, 31)),
    ("45322", D(2024, 1, 31)),
    (20240131, D(2024, 1, 31)),
    ("20240131", D(2024, 1, 31)),
    ("2024-01-31", D(2024, 1, 31)),
    ("2024/1/31", D(2024, 1, 31)),
    ("2024.1.31", D(2024, 1, 31)),
    ("2024年1月31日", D(2024, 1, 31)),
    ("2024年01月31日", D(2024, 1, 31)),
    ("2024 年 1 月 31 日", D(2024, 1, 31)),
    ("2024年1月31", D(2024, 1, 31)),
    ("２０２４年１月３１日", D(2024, 1, 31)),
    ("２０２４－０１－３１", D(2024, 1, 31)),
    ("2024-01-31 14:30", D(2024, 1, 31)),
    ("2024/1/31 14:30:00", D(2024, 1, 31)),
    ("2024年1月31日14时30分", D(2024, 1, 31)),
    ("2024-02-29", D(2024, 2, 29)),
    ("2024-02-30", Fail(DATE_INVALID)),
    ("2023-02-29", Fail(DATE_INVALID)),
    ("2024-13-01", Fail(DATE_INVALID)),
    ("20241301", Fail(DATE_INVALID)),
    ("2024-01-31 25:00", Fail(TIME_INVALID)),
    (59, Fail(DATE_RANGE)),
    (60, Fail(DATE_RANGE)),
    (61, Fail(DATE_RANGE)),
    (12, Fail(DATE_RANGE)),  # 1900-01-12: a mistyped small number
    (0, Fail(DATE_RANGE)),
    (-5, Fail(DATE_RANGE)),
    (1e300, Fail(DATE_RANGE)),
    ("1989-12-31", Fail(DATE_RANGE)),
    ("2101-01-01", Fail(DATE_RANGE)),
    (DT(1900, 1, 1), Fail(DATE_RANGE)),
    ("1/31/2024", Fail(DATE_UNREADABLE)),
    ("31/1/2024", Fail(DATE_UNREADABLE)),
    ("24-1-31", Fail(DATE_UNREADABLE)),
    ("2024年1月", Fail(DATE_UNREADABLE)),
    ("2024-1-3114:30", Fail(DATE_UNREADABLE)),  # day 3 at 14:30, or day 31 at 4:30? refused
    ("明天", Fail(DATE_UNREADABLE)),
    (math.inf, Fail(DATE_UNREADABLE)),
    (True, Fail(DATE_UNREADABLE)),
    (dt.time(8, 0), Fail(DATE_UNREADABLE)),
    ("", BLANK),
    (None, BLANK),
    (pd.NaT, BLANK),
)
def test_parse_date(cell: object, expected: object) -> None:
    check(parse_date(cell), expected)


@cases((43860, D(2024, 1, 31)), ("43860", D(2024, 1, 31)), (0, Fail(DATE_RANGE)), (1, Fail(DATE_RANGE)))
def test_parse_date_1904(cell: object, expected: object) -> None:
    check(parse_date(cell, date1904=True), expected)


@cases(
    ("2024-10-01 08:05", DT(2024, 10, 1, 8, 5)),
    ("2024-10-01T08:05:09", DT(2024, 10, 1, 8, 5, 9)),
    ("2024-10-01 08:05:09.25", DT(2024, 10, 1, 8, 5, 9, 250000)),
    ("2024/10/1 8:05", DT(2024, 10, 1, 8, 5)),
    ("2024年10月1日8时5分", DT(2024, 10, 1, 8, 5)),
    ("2024年10月1日 8时5分3秒", DT(2024, 10, 1, 8, 5, 3)),
    ("2024年10月1日8点", DT(2024, 10, 1, 8)),
    ("2024年10月1日 08:05", DT(2024, 10, 1, 8, 5)),
    ("2024-10-01", DT(2024, 10, 1)),  # a date alone is midnight
    (45566.336805555555, DT(2024, 10, 1, 8, 5)),
    (DT(2024, 10, 1, 8, 5), DT(2024, 10, 1, 8, 5)),
    (D(2024, 10, 1), DT(2024, 10, 1)),
    ("2024年10月1日8时53秒", Fail(DATE_UNREADABLE)),
    ("2024-10-01 8:60", Fail(TIME_INVALID)),
)
def test_parse_datetime(cell: object, expected: object) -> None:
    check(parse_datetime(cell), expected)


# ---------------------------------------------------------------- periods and years


@cases(
    ("全年", "Y"),
    ("年度", "Y"),
    ("Y", "Y"),
    ("1-12月", "Y"),
    ("上半年", "H1"),
    ("下半年", "H2"),
    ("H1", "H1"),
    ("h1", "H1"),
    ("1H", "H1"),
    ("上 半 年", "H1"),
    ("1—6月", "H1"),
    ("1至6月", "H1"),
    ("7～12月", "H2"),
    ("第一季度", "Q1"),
    ("一季度", "Q1"),
    ("Q1", "Q1"),
    ("q2", "Q2"),
    ("1季度", "Q1"),
    ("第3季度", "Q3"),
    ("四季度", "Q4"),
    ("7-9月", "Q3"),
    ("2024年上半年", "H1"),
    ("2024H2", "H2"),
    ("2024-Q3", "Q3"),
    ("2024年度", "Y"),
    ("2024年第四季度", "Q4"),
    ("半年", Fail(PERIOD_UNREADABLE)),
    ("第五季度", Fail(PERIOD_UNREADABLE)),
    ("1-5月", Fail(PERIOD_UNREADABLE)),
    (3, Fail(PERIOD_UNREADABLE)),
    ("", BLANK),
)
def test_parse_period(cell: object, expected: object) -> None:
    check(parse_period(cell), expected)


@cases(
    ("2024年上半年", "H1"), ("上半年", "H1"), ("2023年上半年", Fail(PERIOD_YEAR)), ("2023", Fail(PERIOD_YEAR))
)
def test_parse_period_checks_a_leading_year(cell: object, expected: object) -> None:
    check(parse_period(cell, year=2024), expected)
    assert_agrees(lambda v: parse_period(v, year=2024), lambda s: parse_period_series(s, year=2024), [cell])


@pytest.mark.parametrize(
    ("day", "year", "half", "quarter"),
    [(D(2024, 1, 1), "Y", "H1", "Q1"), (D(2024, 6, 30), "Y", "H1", "Q2"), (D(2024, 7, 1), "Y", "H2", "Q3"),
     (D(2024, 12, 31), "Y", "H2", "Q4"), (D(2024, 10, 1), "Y", "H2", "Q4")],
)  # fmt: skip
def test_period_of_date(day: dt.date, year: str, half: str, quarter: str) -> None:
    assert (
        period_of_date(day, "year"),
        period_of_date(day, "half"),
        period_of_date(day, "quarter"),
    ) == (
        year,
        half,
        quarter,
    )
    dates = pd.Series(pd.to_datetime([day, None]))
    for granularity, code in (("year", year), ("half", half), ("quarter", quarter)):
        out = period_of_date(dates, granularity)  # type: ignore[arg-type]
        assert out.iloc[0] == code and pd.isna(out.iloc[1])


@cases(
    (2024, 2024),
    ("2024", 2024),
    ("2024年", 2024),
    ("２０２４年度", 2024),
    ("2024 年度", 2024),
    (2024.0, 2024),
    (np.int64(2024), 2024),
    (24, Fail(YEAR_RANGE)),
    ("24年", Fail(YEAR_RANGE)),
    (1800, Fail(YEAR_RANGE)),
    (2024.5, Fail(YEAR_UNREADABLE)),
    ("二〇二四", Fail(YEAR_UNREADABLE)),
    (True, Fail(YEAR_UNREADABLE)),
    ("", BLANK),
)
def test_parse_year(cell: object, expected: object) -> None:
    check(parse_year(cell), expected)


# ---------------------------------------------------------------- identifiers and choices


@cases(
    ("460102199001011234", "460102199001011234"),
    (" 4601 0219 9001 0112 3X ", "46010219900101123X"),
    ("琼0101-2024-001", "琼0101-2024-001"),
    ("海综执罚〔2024〕12号", "海综执罚〔2024〕12号"),
    (12345, "12345"),
    (12345.0, "12345"),
    (123456789012345.0, "123456789012345"),  # 15 digits: still exact
    (4.60102199001011e17, Fail(ID_PRECISION)),  # an 18-digit 身份证号 stored as a number
    (460102199001011234, Fail(ID_PRECISION)),
    ("4.60102E+17", Fail(ID_PRECISION)),
    ("4.60102e+17", Fail(ID_PRECISION)),
    ("1E+05", Fail(ID_PRECISION)),
    (12.5, Fail(ID_FRACTION)),
    (DT(2024, 1, 2), Fail(ID_DATE)),  # someone typed 1-2 and Excel made it a date
    (True, Fail(ID_UNREADABLE)),
    ("", BLANK),
)
def test_parse_identifier(cell: object, expected: object) -> None:
    check(parse_identifier(cell), expected)


CHOICES = ("满意", "基本满意", "不满意", "A级")
ALIASES = {"较满意": "基本满意", "很满意": "满意"}


@cases(
    ("满意", "满意"),
    (" 基本 满意 ", "基本满意"),
    ("较满意", "基本满意"),
    ("a级", "A级"),
    ("Ａ级", "A级"),
    ("很好", Fail(CHOICE_UNKNOWN)),
    ("基本", Fail(CHOICE_UNKNOWN)),
    (1, Fail(CHOICE_UNKNOWN)),
    ("", BLANK),
)
def test_parse_choice(cell: object, expected: object) -> None:
    check(parse_choice(cell, CHOICES, ALIASES), expected)


def test_parse_choice_matches_whole_numbers_by_their_text() -> None:
    check(parse_choice(2.0, ["1", "2", "3"]), "2")


@pytest.mark.parametrize(
    ("choices", "aliases"),
    [(["满意", "满 意"], None), (["满意"], {"较满意": "基本满意"}), (["A", "a"], None)],
)
def test_parse_choice_refuses_a_catalogue_that_cannot_be_matched(choices: list[str], aliases: Any) -> None:
    with pytest.raises(ValueError):
        parse_choice("满意", choices, aliases)


# ---------------------------------------------------------------- column forms

READERS: dict[str, tuple[Callable[[object], Parsed[Any]], Callable[[pd.Series[Any]], ParsedColumn]]] = {
    "number": (parse_number, parse_number_series),
    "count": (parse_count, parse_count_series),
    "percent": (parse_percent, parse_percent_series),
    "bool": (parse_bool, parse_bool_series),
    "date": (parse_date, parse_date_series),
    "datetime": (parse_datetime, parse_datetime_series),
    "date1904": (lambda v: parse_date(v, date1904=True), lambda s: parse_date_series(s, date1904=True)),
    "period": (parse_period, parse_period_series),
    "year": (parse_year, parse_year_series),
    "identifier": (parse_identifier, parse_identifier_series),
    "choice": (
        lambda v: parse_choice(v, CHOICES, ALIASES),
        lambda s: parse_choice_series(s, CHOICES, ALIASES),
    ),
    "text": (parse_text, parse_text_series),
}


def _plain(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def assert_agrees(
    one: Callable[[object], Parsed[Any]], many: Callable[[pd.Series[Any]], ParsedColumn], cells: list[Any]
) -> ParsedColumn:
    """The column form gives what the one-cell form gives, cell by cell; a cell is exactly one of
    value, blank or failure."""
    column = many(pd.Series(cells, dtype=object))
    assert len(column.values) == len(column.error) == len(column.blank) == len(cells)
    unset = column.values.isna().to_numpy()
    assert (unset == (column.blank | column.bad).to_numpy()).all(), "a NaN without a reason"
    assert not (column.blank & column.bad).any()
    for i, cell in enumerate(cells):
        read = one(cell)
        got = _plain(column.values.iloc[i])
        if isinstance(read.value, dt.date) and not isinstance(read.value, dt.datetime) and got is not None:
            got = got.date()  # type: ignore[attr-defined]
        assert (got, column.error.iloc[i], bool(column.blank.iloc[i])) == (
            read.value,
            read.error,
            read.blank,
        ), f"cell {cell!r}"
    return column


EXAMPLE_CELLS = [
    "1,234", "１２３４", " 12件 ", "95%", "９５％", "95‰", "0.5", 1, 0, 95, 1.0, 12.5, True, False, None, "",
    "\u3000", float("nan"), float("inf"), "inf", "是", "否", "Y", "x", "2024-01-31", "2024年1月31日14时30分",
    "20240131", 20240131, 45322, 45322.5, 59, 60, 61, "2024-02-30", "2024/01/31 08:05:09",
    D(2024, 1, 31), DT(2024, 1, 31, 14, 30), DT(1800, 1, 1), dt.time(8, 30), pd.Timestamp("2024-01-01 10:00"),
    "上半年", "2024年Q3", "2024年度", 2024, "２０２４年度", 24, 4.60102199001011e17, "4.60102E+17",
    " 基本 满意", "较满意", np.int64(7), np.float32(0.5), object(), "a\u200bb", "  海口  司法局 ", 10**400,
]  # fmt: skip


@pytest.mark.parametrize("name", READERS)
def test_column_form_agrees_on_examples(name: str) -> None:
    one, many = READERS[name]
    assert_agrees(one, many, EXAMPLE_CELLS)
    strings = [c for c in EXAMPLE_CELLS if isinstance(c, str)]
    column = many(pd.Series([*strings, None], dtype="str"))
    for i, cell in enumerate(strings):
        assert column.error.iloc[i] == one(cell).error
    assert column.blank.iloc[-1]


@pytest.mark.parametrize("name", READERS)
def test_long_columns_of_few_distinct_strings_read_each_once(name: str) -> None:
    one, many = READERS[name]
    strings = [c for c in EXAMPLE_CELLS if isinstance(c, str)]
    cells = [strings[i % len(strings)] for i in range(60_000)]
    column = many(pd.Series(cells, dtype="str"))
    reads = {cell: one(cell) for cell in strings}
    assert column.error.tolist() == [reads[cell].error for cell in cells]
    assert column.blank.tolist() == [reads[cell].blank for cell in cells]
    assert (column.values.isna() == (column.blank | column.bad)).all()


@pytest.mark.parametrize(
    ("series", "reader", "dtype", "expected"),
    [
        (pd.Series([1.0, np.nan, 2.5, np.inf]), "number", "float64", [1.0, None, 2.5, None]),
        (pd.Series([1, None, 3], dtype="Int64"), "count", "Int64", [1, None, 3]),
        (pd.Series([1, 2, 3], dtype="int64"), "count", "Int64", [1, 2, 3]),
        (pd.Series([0.95, 95.0, np.nan]), "percent", "float64", [0.95, 0.95, None]),
        (pd.Series([True, False]), "bool", "boolean", [True, False]),
        (pd.Series([True, None], dtype="boolean"), "bool", "boolean", [True, None]),
        (pd.Series(pd.to_datetime(["2024-01-31 14:30", None])), "date", "datetime64[ns]", [DT(2024, 1, 31), None]),
        (pd.Series(pd.to_datetime(["2024-01-31 14:30"]).tz_localize("Asia/Shanghai")), "datetime", "datetime64[ns]",
         [DT(2024, 1, 31, 14, 30)]),
        (pd.Series(["上半年", "Q2", None], dtype="category"), "period", "str", ["H1", "Q2", None]),
        (pd.Series([2024.0, 2023.0]), "year", "Int64", [2024, 2023]),
        (pd.Series([12345.0, 4.6e17]), "identifier", "str", ["12345", None]),
        (pd.Series(["满意", None], dtype=pd.ArrowDtype(pa.string())), "choice", "str", ["满意", None]),
        (pd.Series([], dtype=object), "number", "float64", []),
        (pd.Series([], dtype="str"), "text", "str", []),
    ],
)  # fmt: skip
def test_column_dtypes(series: pd.Series[Any], reader: str, dtype: str, expected: list[Any]) -> None:
    column = READERS[reader][1](series)
    assert str(column.values.dtype) == dtype
    assert [_plain(v) for v in column.values] == expected
    assert column.values.index.equals(series.index)
    one = READERS[reader][0]
    for i, cell in enumerate(series):
        assert column.error.iloc[i] == one(cell).error


def test_columns_keep_their_index() -> None:
    series = pd.Series(["1", "x", None], index=[10, 20, 30], dtype=object)
    column = parse_number_series(series)
    assert list(column.values.index) == list(column.error.index) == list(column.blank.index) == [10, 20, 30]
    assert column.bad.tolist() == [False, True, False] and column.blank.tolist() == [False, False, True]


# ---------------------------------------------------------------- properties

DAYS = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))
FULL_WIDTH = str.maketrans("0123456789-/.:", "０１２３４５６７８９－／．：")
DATE_STYLES: list[Callable[[dt.date], str]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: d.isoformat().translate(FULL_WIDTH),
    lambda d: f"{d.year}年{d.month}月{d.day}日".translate(FULL_WIDTH),
    lambda d: f" {d.isoformat()} 14:30 ",
    lambda d: f"{d.year}/{d.month}/{d.day} 8:05:09",
    lambda d: f"{d.year}年{d.month}月{d.day}日14时30分",
    lambda d: str((d - D(1899, 12, 30)).days),
]
MOMENTS = st.datetimes(min_value=DT(1990, 1, 1), max_value=DT(2100, 12, 31, 23, 59, 59))
DATETIME_STYLES: list[Callable[[dt.datetime], str]] = [
    lambda m: m.isoformat(sep=" "),
    lambda m: m.isoformat(),
    lambda m: m.strftime("%Y/%m/%d %H:%M:%S.%f"),
    lambda m: f"{m.year}-{m.month}-{m.day} {m.hour}:{m.minute}:{m.second}.{m.microsecond:06d}",
    lambda m: f"{m.year}年{m.month}月{m.day}日{m.hour}时{m.minute}分{m.second}秒.{m.microsecond:06d}",
]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(day=DAYS, style=st.sampled_from(DATE_STYLES))
def test_dates_come_back_in_every_style(day: dt.date, style: Callable[[dt.date], str]) -> None:
    text = style(day)
    assert parse_date(text).value == day, text
    assert parse_date_series(pd.Series([text], dtype="str")).values.iloc[0].date() == day


@PROPERTY
@given(moment=MOMENTS, style=st.sampled_from(DATETIME_STYLES))
def test_datetimes_come_back(moment: dt.datetime, style: Callable[[dt.datetime], str]) -> None:
    text = style(moment)
    if "秒." in text:  # the Chinese style has no fractions of a second
        text, moment = text.split(".")[0], moment.replace(microsecond=0)
    assert parse_datetime(text).value == moment, text
    assert parse_datetime_series(pd.Series([text], dtype="str")).values.iloc[0] == pd.Timestamp(moment)


@PROPERTY
@given(moment=MOMENTS, ms=st.integers(0, 999), date1904=st.booleans())
def test_excel_serials_come_back_to_the_millisecond(moment: dt.datetime, ms: int, date1904: bool) -> None:
    moment = moment.replace(microsecond=ms * 1000)
    epoch = DT(1904, 1, 1) if date1904 else DT(1899, 12, 30)
    serial = (moment - epoch) / dt.timedelta(days=1)
    assert parse_datetime(serial, date1904=date1904).value == moment
    assert parse_date(int(serial), date1904=date1904).value == moment.date()
    column = parse_datetime_series(pd.Series([serial]), date1904=date1904)
    assert column.values.iloc[0] == pd.Timestamp(moment)


@PROPERTY
@given(
    n=st.integers(min_value=-(10**15), max_value=10**15),
    style=st.sampled_from(
        [
            "{:,}",
            "{:d}",
            " {:,} ",
            "{:,}件",
            "{:d} 人",
            "{:d}学时",
        ]
    ),
    full_width=st.booleans(),
)
def test_integers_come_back(n: int, style: str, full_width: bool) -> None:
    text = style.format(n)
    if full_width:
        text = text.translate(str.maketrans("0123456789,-", "０１２３４５６７８９，－"))
    assert parse_number(text).value == n, text
    assert parse_count(text).value == n, text
    assert parse_number_series(pd.Series([text], dtype="str")).values.iloc[0] == n


@PROPERTY
@given(x=st.floats(allow_nan=False, allow_infinity=False))
def test_floats_come_back(x: float) -> None:
    assert parse_number(repr(x)).value == x
    assert parse_number(x).value == x
    assert parse_number_series(pd.Series([repr(x)], dtype="str")).values.iloc[0] == x


@PROPERTY
@given(f=st.floats(min_value=0, max_value=1), sign=st.sampled_from(["%", " %", "％"]))
def test_percents_come_back(f: float, sign: str) -> None:
    text = f"{f * 100}{sign}"
    assert parse_percent(text).value == pytest.approx(f, rel=1e-12, abs=1e-15)
    assert parse_percent(f).value == f  # a fraction is kept as it is


@PROPERTY
@given(
    word=st.sampled_from([*TRUE_WORDS, *FALSE_WORDS]),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "\u3000"]),
)
def test_every_bool_spelling_reads(word: str, upper: bool, pad: str) -> None:
    text = pad + (word.upper() if upper else word) + pad
    assert parse_bool(text).value is (word in TRUE_WORDS)


JUNK_ALPHABET = (
    "0123456789０１２３４５６７８９.,，-+eE%％‰ \u3000\u200b\t年月日时分秒点:/T件人次学时上下半季度第一二三四QHYyn"
    "是否√×对错海口市司法局（）()〔〕满意基本较无x"
)
CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.sampled_from([0, 1, 59, 60, 61, 2024, 45322, 20240131, 0.95, 95, 100, 1e15, 4.60102199001011e17]),
    DAYS,
    MOMENTS,
    st.text(alphabet=JUNK_ALPHABET, max_size=14),
    st.builds(lambda d, style: style(d), DAYS, st.sampled_from(DATE_STYLES)),
    st.builds(lambda m, style: style(m), MOMENTS, st.sampled_from(DATETIME_STYLES)),
    st.sampled_from([c for c in EXAMPLE_CELLS if isinstance(c, str)]),
    st.builds("{:,}".format, st.integers(min_value=-(10**9), max_value=10**9)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(CELLS, max_size=40), name=st.sampled_from(sorted(READERS)))
def test_column_form_agrees_with_one_cell_form(cells: list[Any], name: str) -> None:
    one, many = READERS[name]
    assert_agrees(one, many, cells)
    strings = [c for c in cells if isinstance(c, str)]
    assert_agrees(one, lambda s: many(s.astype("str")), strings)
