"""The units register goes through the same guard as the submissions (issue 13 items 1 and 7).

Before: ``--units units.xlsx`` was opened by ``pandas.read_excel`` (calamine) directly, so a 2 KB workbook
with one cell at XFD1048576 aborted the whole run (a Rust allocation failure, exit 134, no report at all); a
UTF-16 register came out as GB18030 mojibake or "缺少列"; a line with an extra cell shifted its columns
silently (pandas made the first cells an index). Now each is one clear issue naming the register, and the
run goes on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from lawgov_metrics import load_catalogue
from lawgov_metrics.intake.read.register import find_register, load_register
from tests.hostile.make_corpus import sheet_xml, write_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE_PATH = FIXTURES / "minimal_catalogue.yaml"
CATALOGUE = load_catalogue(CATALOGUE_PATH)
UNITS_CSV = (FIXTURES / "units.csv").read_text(encoding="utf-8-sig")
LEDGER = "单位,案号,审结日期,审理结果\n海口市司法局,（2024）琼01行初1号,2024-06-01,胜诉\n"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _hostile_units_xlsx(path: Path) -> Path:
    """A real register (header and one unit) plus one cell at XFD1048576: 2 KB on disk."""
    rows = (
        f'<row r="1">{_inline("A1", "单位名称")}{_inline("B1", "单位类别")}</row>'
        f'<row r="2">{_inline("A2", "海口市司法局")}{_inline("B2", "市司法局")}</row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return write_xlsx(path, [("Sheet1", "visible", sheet_xml(rows))])


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    """``lawgov-metrics check … -f json`` in its own process: an abort there cannot take pytest down."""
    return subprocess.run(
        [sys.executable, "-m", "lawgov_metrics", "check", *args, "-f", "json", "-c", str(CATALOGUE_PATH)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _issues(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-3000:])
    assert "Traceback" not in result.stderr
    issues: list[dict[str, object]] = json.loads(result.stdout)["issues"]
    return issues


@pytest.mark.parametrize("where", ["--units", "in the input folder"])
def test_a_hostile_units_workbook_is_one_issue_not_an_abort(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "行政诉讼案件台账.csv").write_text(LEDGER, encoding="utf-8")
    if where == "--units":
        units = _hostile_units_xlsx(tmp_path / "units.xlsx")
        result = _check(str(data), "--units", str(units))
    else:
        units = _hostile_units_xlsx(data / "units.xlsx")
        result = _check(str(data))
    assert units.stat().st_size < 5_000
    issues = _issues(result)
    register = [i for i in issues if i["file"] == str(units)]
    assert [i["code"] for i in register] == ["sheet-too-large"], issues
    assert str(register[0]["message"]).startswith("无法读取单位名册：工作表“Sheet1”在 XFD1048576 有单元格")
    assert any(i["code"] == "unit-unknown" for i in issues)  # the run went on


@pytest.mark.parametrize(
    ("encoding", "code", "fragment"),
    [
        # with its BOM a UTF-16 register is read: tests/test_register_conflicts.py
        ("utf-16-le", "file-not-workbook", "无法识别的文件格式"),  # without: never decoded as GB18030
        ("utf-16-be", "file-not-workbook", "无法识别的文件格式"),
    ],
)
def test_a_utf16_register_is_a_clear_issue_naming_the_file(
    tmp_path: Path, encoding: str, code: str, fragment: str
) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(UNITS_CSV.encode(encoding))
    register, issues = load_register(path, CATALOGUE)
    assert [(i.code, i.file) for i in issues] == [(code, str(path))]
    assert issues[0].message.startswith("无法读取单位名册：") and fragment in issues[0].message
    assert register.names == {}


def test_a_broken_line_of_the_register_costs_that_unit_only(tmp_path: Path) -> None:
    lines = UNITS_CSV.splitlines()
    lines[2] += ",海口市,多余"  # 秀英区人民政府, line 3
    lines[4] = lines[4].replace("审批", "审\x00批")  # line 5: a NUL byte
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    register, issues = load_register(path, CATALOGUE)
    assert [(i.code, i.row) for i in issues] == [("row-broken", 3), ("row-broken", 5)]
    assert issues[0].message.startswith("此行比表头多出 2 个单元格")
    assert register.resolve("海口市司法局") == "海口市司法局"
    assert register.resolve("秀英区人民政府") is None
    assert register.resolve("海口市教育局") == "海口市教育局"


def test_an_honest_units_workbook_still_reads_with_its_row_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # row 1 left blank: the header is on row 2
    ws.append(["单位名称", "单位类别", "别名", "所属区"])
    ws.append(["海口市司法局", "市司法局", "司法局", None])
    ws.append(["长流镇", "镇（街道）", None, "秀英区人民政府"])
    ws.append(["火星局", "火星", None, None])
    path = tmp_path / "单位名册.xlsx"
    wb.save(path)
    assert find_register([tmp_path]) == path
    register, issues = load_register(path, CATALOGUE)
    assert register.resolve("司法局") == "海口市司法局"
    assert register.kind_of("长流镇") == "town"
    assert [(i.code, i.row) for i in issues] == [("value-choice", 5)]


def test_a_csv_named_xlsx_is_read_as_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    path.write_text(UNITS_CSV, encoding="utf-8")
    register, issues = load_register(path, CATALOGUE)
    assert issues == []
    assert register.resolve("海口市教育局") == "海口市教育局"
