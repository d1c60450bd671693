"""Past Excel's row limit, 指标明细 continues on 「指标明细（续1）」…: every result is in the report, none dropped
(xlsxwriter's write past row 1,048,576 returns -1 and writes nothing). The limit is lowered here so that the
sample's results cross it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from lawgov_metrics.render import xlsx
from tests.sample_assessment import sample_assessment


def test_details_continue_on_further_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = sample_assessment()
    results = len(assessment.results)
    limit = results // 3 + 1  # three sheets: limit, limit, and the rest
    monkeypatch.setattr(xlsx, "EXCEL_MAX_DATA_ROWS", limit)
    path = tmp_path / "report.xlsx"
    xlsx.write_xlsx(assessment, path, inputs=["a.xlsx"], generated_at=dt.datetime(2025, 6, 30, tzinfo=dt.UTC))
    book = openpyxl.load_workbook(path, read_only=True)
    parts = [name for name in book.sheetnames if name.startswith("指标明细")]
    assert parts == ["指标明细", "指标明细（续1）", "指标明细（续2）"]
    sizes = [book[name].max_row - 1 for name in parts]
    assert sizes == [limit, limit, results - 2 * limit]
    headers = {tuple(c.value for c in next(book[name].iter_rows(max_row=1))) for name in parts}
    assert len(headers) == 1  # each continuation has the header
    units = [row[0] for name in parts for row in book[name].iter_rows(min_row=2, values_only=True)]
    assert sorted(map(str, units)) == sorted(map(str, assessment.results["unit"]))


def test_a_sheet_within_the_limit_is_one_sheet(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    xlsx.write_xlsx(
        sample_assessment(), path, inputs=[], generated_at=dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
    )
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert [n for n in names if n.startswith("指标明细")] == ["指标明细"]
