"""A yes/no column answered in its own words: 「是否按规定报备」 → 已报备 (是), 未报备 (否). Nothing beyond the
question's own words is read (已撤销 answers no 是否报备), and the usual words still work."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lawgov_metrics.cli import app
from lawgov_metrics.intake.parse.booleans import parse_bool, parse_bool_series

FILED = "是否按规定报备"
WINDOW = "政务服务大厅是否设立“办不成事”反映窗口"

CASES = [
    (FILED, "已报备", True),
    (FILED, "已按规定报备", True),
    (FILED, " 已经报备 ", True),
    (FILED, "未报备", False),
    (FILED, "尚未报备", False),
    (FILED, "没有按规定报备", False),
    (FILED, "是", True),  # the usual words stay
    (FILED, "否", False),
    (FILED, "已撤销", None),  # not the question's words: refused, not guessed
    (FILED, "报备", None),
    (FILED, "已备", None),  # one character is not the question's words
    (WINDOW, "已设立", True),
    (WINDOW, "未设立", False),
    (WINDOW, "已设立“办不成事”反映窗口", True),
    ("是否", "已", True),  # no words after 是否: only the usual ones
    ("报备情况", "已报备", None),  # not a 是否 question
]


@pytest.mark.parametrize(("label", "text", "expected"), CASES)
def test_one_value(label: str, text: str, expected: bool | None) -> None:
    parsed = parse_bool(text, label)
    assert parsed.value is expected
    assert (parsed.error is None) is (expected is not None)


def test_a_column_reads_the_same_words() -> None:
    column = pd.Series(["已报备", "未报备", "是", None, "已撤销", 1], dtype=object)
    parsed = parse_bool_series(column, FILED)
    assert parsed.values.tolist()[:3] == [True, False, True]
    assert parsed.blank.tolist() == [False, False, False, True, False, False]
    assert parsed.error.notna().tolist() == [False, False, False, False, True, False]
    assert parsed.values.tolist()[5] is True


def test_a_ledger_answered_in_its_own_words_is_scored(tmp_path: Path) -> None:
    docs = (
        "单位,文号,文件名称,印发日期,是否按规定报备\n"
        "海口市司法局,海司规〔2024〕1号,甲,2024-02-01,已报备\n"
        "海口市司法局,海司规〔2024〕2号,乙,2024-03-01,已按规定报备\n"
        "海口市司法局,海司规〔2024〕3号,丙,2024-05-01,未报备\n"
    )
    (tmp_path / "行政规范性文件台账.csv").write_text(docs, encoding="utf-8")
    register = Path(__file__).parents[1] / "samples" / "haikou" / "units.csv"
    result = CliRunner().invoke(
        app,
        ["explain", str(tmp_path), "--units", str(register), "--unit", "市司法局",
         "--indicator", "normative_doc_filing_rate", "--year", "2024", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"value": "66.7%（2/3）"' in result.output
