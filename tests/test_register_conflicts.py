"""Issue 13 items 3 and 7: register collisions are errors at their rows; a UTF-16 register is read.

Before: an alias equal to another unit's name silently took that name over (``names.update``), so a submission
of 海口市司法局 was scored as 海口市教育局's; one alias on two units went to whichever came last; the same unit
twice (海口市　司法局 with a full-width space) was two rows of one unit, unreported.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawgov_metrics import load_catalogue
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.register import load_register
from lawgov_metrics.intake.read.submissions import read_submissions

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE_PATH = str(FIXTURES / "minimal_catalogue.yaml")
CATALOGUE = load_catalogue(CATALOGUE_PATH)

CLASHING = (
    "单位名称,单位类别,别名,所属区\n"
    "海口市司法局,市司法局,司法局;法制局,\n"  # row 2
    "海口市教育局,市直部门,海口市司法局;教育局;法制局,\n"  # row 3: another unit's name; an alias of row 2
    "海口市\u3000司法局,市司法局,,\n"  # row 4: row 2 again once the full-width space is gone
    "ＡＢＣ局,市直部门,,\n"  # row 5
    "ABC 局,市直部门,,\n"  # row 6: row 5 again (NFKC, spaces)
)


@pytest.fixture
def clashing(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(CLASHING, encoding="utf-8")
    return path


def test_each_collision_is_an_error_at_its_row(clashing: Path) -> None:
    _, issues = load_register(clashing, CATALOGUE)
    found = sorted((i.row, i.column, i.value, i.severity) for i in issues)
    assert found == [
        (2, "别名", "法制局", "error"),
        (3, "别名", "法制局", "error"),
        (3, "别名", "海口市司法局", "error"),
        (4, "单位名称", "海口市\u3000司法局", "error"),
        (6, "单位名称", "ABC 局", "error"),
    ]
    assert {i.code for i in issues} == {"register-conflict"}
    assert all(i.file == str(clashing) for i in issues)
    messages = {(i.row, i.value): i.message for i in issues}
    assert messages[(4, "海口市\u3000司法局")] == (
        "单位名称「海口市\u3000司法局」与第 2 行重复（不计空格与全角、半角之别），此行未使用，该单位按第 2 行登记"
    )
    assert messages[(3, "海口市司法局")] == (
        "别名「海口市司法局」是另一个单位的名称（第 2 行），不作为「海口市教育局」的别名；「海口市司法局」仍指第 2 行的单位"
    )
    assert messages[(2, "法制局")] == (
        "别名「法制局」同时列在 「海口市司法局」（第 2 行）、「海口市教育局」（第 3 行） 名下；"
        "为免把数据归错单位，此别名不指向任何单位，请只保留在其中一个单位"
    )


def test_no_unit_takes_another_units_data(clashing: Path) -> None:
    register, _ = load_register(clashing, CATALOGUE)
    assert register.resolve("海口市司法局") == "海口市司法局"  # not moved to 教育局 by its alias
    assert register.resolve("法制局") is None  # on two units: matches neither
    assert register.resolve("司法局") == "海口市司法局"  # an alias of one unit still works
    assert register.resolve("教育局") == "海口市教育局"
    assert register.units["unit"].tolist() == ["海口市司法局", "海口市教育局", "ABC局"]


def test_a_submission_under_a_clashing_alias_is_reported_not_moved(clashing: Path, tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_text(
        "单位,年度,字段,数值\n海口市司法局,2024,normative_docs_issued,7\n法制局,2024,normative_docs_issued,9\n",
        encoding="utf-8",
    )
    submission = read_submissions([table], CATALOGUE, register=clashing)
    values = submission.values
    assert values[["unit", "year", "field"]].values.tolist() == [
        ["海口市司法局", 2024, "normative_docs_issued"]
    ]
    unknown = [i for i in submission.issues if i.code == "unit-unknown"]
    assert [(i.file, i.row) for i in unknown] == [(str(table), 3)]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("separator", [",", "\t"])  # a CSV, or Excel's “Unicode 文本” (tab-separated)
def test_a_utf16_register_with_its_mark_is_read(tmp_path: Path, encoding: str, separator: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    text = "单位名称,单位类别,别名,所属区\r\n海口市司法局,市司法局,司法局,\r\n长流镇,镇（街道）,,秀英区\r\n"
    path = tmp_path / "units.txt"
    path.write_bytes(bom + text.replace(",", separator).encode(encoding))
    register, issues = load_register(path, CATALOGUE)
    assert issues == []
    assert register.units["unit"].tolist() == ["海口市司法局", "长流镇"]
    assert register.resolve("司法局") == "海口市司法局"


def test_a_broken_utf16_register_is_one_clear_issue(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "单位名称".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    register, issues = load_register(path, CATALOGUE)
    assert [(i.code, i.file) for i in issues] == [("file-encoding", str(path))]
    assert issues[0].message == (
        "无法读取单位名册：文件以 UTF-16 编码标记开头，但内容无法按 UTF-16 读取；请另存为 UTF-8 编码的 CSV"
    )
    assert register.names == {}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_register_without_its_mark_is_named_as_such(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("单位名称,单位类别,别名,所属区\n海口市司法局,市司法局,司法局,\n".encode(encoding))
    _, issues = load_register(path, CATALOGUE)
    assert [(i.code, i.file, i.message) for i in issues] == [
        (
            "file-not-workbook",
            str(path),
            "无法读取单位名册：无法识别的文件格式：疑为没有编码标记（BOM）的 UTF-16 文本，"
            "请另存为 .xlsx 或 UTF-8 编码的 CSV",
        )
    ]


def test_score_with_a_clashing_register_is_exit_1_without_a_traceback(clashing: Path, tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_text("单位,年度,字段,数值\n海口市司法局,2024,normative_docs_issued,7\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            *("score", str(table), "--units", str(clashing), "-f", "json", "--as-of", "2026-01-01"),
            "-c",
            CATALOGUE_PATH,
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    codes = [i["code"] for i in json.loads(result.stdout)["issues"]]
    assert codes.count("register-conflict") == 5
