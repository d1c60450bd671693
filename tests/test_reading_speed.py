"""The faster reading paths of issue 15 keep the rules: a small sheet's records found row by row with a
transposed copy of its cells, duplicates found by integer codes, cells classified by column type, a big
sheet's head read without xlsxwriter, and the allocator setting left to the program (the CLI)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lawgov_metrics import cli
from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake.parse.dates import parse_date_series
from lawgov_metrics.intake.read.ledger_sheet import RawLedger, SheetSource, extract_ledger
from lawgov_metrics.intake.read.ledgers import _concat_column, _repeated_keys
from lawgov_metrics.intake.read.xlsx_head import _column_index

SRC = Path(__file__).resolve().parents[1] / "src" / "lawgov_metrics"
UNITS = SRC.parents[1] / "samples" / "haikou" / "units.csv"
HEADER = ["单位", "培训日期", "执法证号", "培训内容", "培训类型", "学时"]
MARCH = dt.datetime(2024, 3, 1)


@pytest.fixture(scope="module")
def training():  # type: ignore[no-untyped-def]
    return load_catalogue().ledgers_by_id["enforcement_training"]


def test_a_record_starts_with_any_filled_cell_and_blank_and_footer_rows_are_not_records(training) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [
        ["行政执法人员培训台账", "", "", "", "", ""],  # Excel row 1: a title
        HEADER,  # 2
        ["海口市司法局", MARCH, "A1", "法治课", "集中培训", 8.0],  # 3: text first
        [0.0, "", "", "", "", ""],  # 4: a zero is a value, not a blank
        [float("nan"), " ", "", "", "", ""],  # 5: blank
        ["  ", "", "B2", "", "", ""],  # 6: spaces, then text further right
        [False, "", "", "", "", ""],  # 7: False is a value
        ["", "", "", "", "", ""],  # 8: blank, but an error cell is flagged in 学时
        [" 合计", "", "", "", "", 16.0],  # 9: footer
        [None, "注：学时按实际计", "", "", "", ""],  # 10: footer after a blank cell
        [dt.date(2024, 1, 2), MARCH, "C3", "", "", 2.0],  # 11: a date first
    ]
    source = SheetSource("f.xlsx", "行政执法人员培训台账", unit=None)
    flagged = {(7, 5): ("value-error-cell", "单元格为错误值 #N/A")}
    raw, issues = extract_ledger(rows, training, source, flagged)
    assert raw is not None
    assert list(raw.rows) == [3, 4, 6, 7, 8, 11]
    assert raw.positions == {
        "_unit": 0,
        "trained_on": 1,
        "certificate_no": 2,
        "course": 3,
        "training_type": 4,
        "hours": 5,
    }
    assert list(raw.columns["_unit"]) == ["海口市司法局", 0.0, "  ", False, "", dt.date(2024, 1, 2)]
    assert list(raw.columns["certificate_no"]) == ["A1", "", "B2", "", "", "C3"]
    assert list(raw.columns["hours"]) == [8.0, "", "", "", "", 2.0]
    assert raw.flags == [(4, "hours", "单元格为错误值 #N/A")]
    assert [(i.code, i.row, i.value) for i in issues] == [
        ("row-skipped", 9, "合计"),
        ("row-skipped", 10, "注：学时按实际计"),
    ]


def test_short_rows_read_their_missing_cells_as_none(training) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [
        HEADER,
        ["海口市司法局", MARCH, "A1"],
        ["海口市司法局", MARCH, "A2", "课", "集中培训", 4.0],
    ]
    raw, issues = extract_ledger(rows, training, SheetSource("f.csv", ""))
    assert raw is not None and issues == []
    assert list(raw.rows) == [2, 3]
    assert list(raw.columns["course"]) == [None, "课"]
    assert list(raw.columns["hours"]) == [None, 4.0]


def test_a_sheet_with_its_header_alone_has_no_records(training) -> None:  # type: ignore[no-untyped-def]
    raw, issues = extract_ledger([HEADER, ["", "", "", "", "", ""]], training, SheetSource("f.xlsx", "台账"))
    assert raw is not None and issues == []
    assert list(raw.rows) == []
    assert all(len(cells) == 0 for cells in raw.columns.values())


def test_repeated_keys_by_codes() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["甲", "甲", "乙", "甲", None, "甲", "甲"],
            "day": pd.to_datetime(["2024-01-01"] * 5 + ["2024-01-02", None]),
            "no": ["1", "1", "1", "1", "1", "1", "1"],
            "hours": [1.0, 1.0, 1.0, np.nan, 1.0, 1.0, 1.0],
        }
    )
    valid, repeated = _repeated_keys(frame, ["unit", "day", "no", "hours"])
    assert valid.tolist() == [True, True, True, False, False, True, False]
    assert repeated.tolist() == [False, True, False, False, False, False, False]


def test_repeated_keys_agree_with_pandas_when_codes_are_renumbered() -> None:
    """Five columns of 10,000 values each would pass 2**62 as one number: the codes are renumbered first."""
    rng = np.random.default_rng(15)
    n = 20_000
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 10_000, n).astype(str) for i in range(5)})
    frame.iloc[15_000:15_100] = frame.iloc[100:200].to_numpy()  # 100 planted repeats
    frame.iloc[7, 2] = None
    subset = list(frame.columns)
    valid, repeated = _repeated_keys(frame, subset)
    expected_valid = frame.notna().all(axis=1)
    assert valid.equals(expected_valid)
    assert repeated.equals(frame.duplicated(subset=subset) & expected_valid)
    assert int(repeated.sum()) == 100


def test_small_sheet_cells_are_chained_into_one_column() -> None:
    source = SheetSource("f.xlsx", "台账")
    parts = [
        RawLedger(source, {"a": 0}, {"a": ("x", 1.0)}, [2, 3]),
        RawLedger(source, {}, {}, [2]),  # a sheet without the column
        RawLedger(source, {"a": 0}, {"a": [MARCH]}, [5]),
    ]
    column = _concat_column(parts, "a", [2, 1, 1])
    assert column is not None and column.dtype == object
    assert column.tolist() == ["x", 1.0, None, MARCH]
    assert _concat_column(parts, "b", [2, 1, 1]) is None


def test_a_column_of_dates_is_read_as_moments_in_one_pass() -> None:
    cells = pd.Series([MARCH, None, dt.date(2024, 1, 2), pd.Timestamp("2024-05-06 10:30")], dtype=object)
    parsed = parse_date_series(cells)
    assert parsed.values.tolist()[0] == pd.Timestamp("2024-03-01")
    assert pd.isna(parsed.values.iloc[1])
    assert parsed.values.tolist()[2:] == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-05-06")]
    assert parsed.blank.tolist() == [False, True, False, False]
    assert parsed.error.isna().all()


@pytest.mark.parametrize(
    ("ref", "column"),
    [("A1", 0), ("b7", 1), ("Z9", 25), ("AA1", 26), ("AZ3", 51), ("BA10", 52), ("XFD1", 16383)],
)
def test_a_cell_reference_names_its_column(ref: str, column: int) -> None:
    assert _column_index(ref) == column


def test_the_allocator_setting_belongs_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    class FakeLibc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    import ctypes

    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    cli._keep_heap_top()
    assert calls == [(-2, 64 << 20)]  # M_TOP_PAD, 64 MB
    main = next(
        node
        for node in ast.parse((SRC / "cli.py").read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name == "main"
    )
    called = {n.func.id for n in ast.walk(main) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "_keep_heap_top" in called
    in_library = [
        p.name for p in SRC.rglob("*.py") if p.name != "cli.py" and "mallopt" in p.read_text("utf-8")
    ]
    assert in_library == []


def test_without_libc_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    def missing(name: Any) -> Any:
        raise OSError("no libc")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    cli._keep_heap_top()  # quietly


def test_a_long_table_of_thousands_of_rows_reads_every_row_by_its_line(tmp_path: Path) -> None:
    """The long-table reader walks Python rows (no pandas ``iloc`` per cell): every row is placed or
    reported with its own line."""
    from lawgov_metrics.intake.read.submissions import read_submissions

    cat = load_catalogue()
    units = pd.read_csv(UNITS)["单位名称"].tolist()[:40]
    fields = [f.name for f in cat.fields if f.period == "year" and f.type in ("count", "int")][:10]
    lines = ["单位,年度,字段,数值,期间"]
    for unit in units:
        for year in range(2021, 2026):
            lines += [f"{unit},{year},{name},3,全年" for name in fields]
    lines[1001] = "某某不存在的局,2023,x,1,全年"  # CSV line 1002
    lines[1500] = ""  # a blank line is no record
    lines[1501] = f"{units[0]},二〇二三,{fields[0]},1,全年"  # line 1502: a year that is not a number
    path = tmp_path / "长表.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    submission = read_submissions([path], cat, register=UNITS)
    assert len(submission.values) + len(submission.invalid) == len(lines) - 1 - 3
    found = {(i.code, i.row) for i in submission.issues}
    assert ("unit-unknown", 1002) in found
    assert ("year-invalid", 1502) in found


def test_a_record_dated_outside_its_workbooks_year_is_counted_in_its_own_year_with_a_warning(
    training,
) -> None:  # type: ignore[no-untyped-def]
    from lawgov_metrics.intake.read.ledgers import parse_ledger

    def part(year: int | None, days: list[object], first: int) -> RawLedger:
        unit = "海口市司法局" if year is not None else None
        source = SheetSource(f"{year}.xlsx", "行政执法人员培训台账", unit=unit, year=year)
        n = len(days)
        columns = {
            "trained_on": days,
            "certificate_no": [f"Z{first + i}" for i in range(n)],
            "course": ["法治课"] * n,
            "training_type": ["集中培训"] * n,
            "hours": [8.0] * n,
            **({} if year is not None else {"_unit": ["海口市司法局"] * n}),
        }
        positions = {
            "trained_on": 1,
            "certificate_no": 2,
            "course": 3,
            "training_type": 4,
            "hours": 5,
            "_unit": 0,
        }
        return RawLedger(source, positions, columns, list(range(first, first + n)))

    parts = [
        part(
            2024, [dt.datetime(2024, 2, 1), dt.datetime(2023, 12, 30), ""], 3
        ),  # row 4: 2023 in a 2024 workbook
        part(None, [dt.datetime(2021, 5, 1)], 2),  # a standalone file has no year to be outside of
    ]
    frame, issues = parse_ledger(training, parts, lambda name: name)
    assert frame["year"].tolist()[:2] == [2024, 2023] and pd.isna(frame["year"].iloc[2])
    assert frame["year"].iloc[3] == 2021
    outside = [i for i in issues if i.code == "date-out-of-year"]
    assert [(i.file, i.row, i.cell) for i in outside] == [("2024.xlsx", 4, "B4")]
    assert outside[0].message == "「培训日期」为 2023 年，不在填报年度 2024 年内（按实际日期计入 2023 年）"
