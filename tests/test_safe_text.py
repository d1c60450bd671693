"""Text from a submission never becomes a formula, an error value or a broken file."""

from __future__ import annotations

import pytest

from lawgov_metrics.render.safe_text import (
    EXCEL_CELL_LIMIT,
    TRUNCATED,
    is_formula_like,
    safe_cell_text,
    terminal_text,
    xml_text,
)

# (input, expected cell text, why)
# (input, expected cell text, why): the text is kept as written; a formula-like one is stored with the
# quote-prefix style by the xlsx writer (see test_formula_like), never with an apostrophe inside it
CELL_CASES = [
    (
        '=HYPERLINK("http://example.com","x")',
        '=HYPERLINK("http://example.com","x")',
        "formula kept as written",
    ),
    ("-5", "-5", "a negative number typed as text stays text"),
    ("海口市龙华区人民政府", "海口市龙华区人民政府", "plain Chinese text unchanged"),
    ("行政规范性文件报备率 = 100%", "行政规范性文件报备率 = 100%", "an equals sign inside is harmless"),
    ("5", "5", "digits as text unchanged"),
    ("12.5%", "12.5%", "a percent as text unchanged"),
    ("#N/A", "#N/A", "error-like text stays (the writer forces the string type)"),
    ("#DIV/0!", "#DIV/0!", "error-like text stays"),
    ("'quoted", "'quoted", "a leading quote is the unit's own"),
    ("铃\x07声", "铃\ufffd声", "XML-illegal control character replaced"),
    ("\x00\x08\x0b\x0c\x1f", "\ufffd" * 5, "every XML-illegal C0 control replaced"),
    ("a\ud800b", "a\ufffdb", "a lone surrogate replaced"),
    ("行一\n行二", "行一\n行二", "line breaks inside are kept"),
    ("", "", "empty"),
    (None, "", "None is empty"),
    (float("nan"), "", "NaN from a frame is empty"),
    (2024, "2024", "other values as their text"),
]


@pytest.mark.parametrize(("value", "expected", "why"), CELL_CASES, ids=[c[2] for c in CELL_CASES])
def test_safe_cell_text(value: object, expected: str, why: str) -> None:
    assert safe_cell_text(value) == expected, why


@pytest.mark.parametrize("value", [c[0] for c in CELL_CASES] + ["=" * 40_000])
def test_safe_cell_text_is_idempotent(value: object) -> None:
    once = safe_cell_text(value)
    assert safe_cell_text(once) == once


def test_long_text_is_capped_with_a_visible_mark() -> None:
    text = safe_cell_text("法" * 40_000)
    assert len(text) == EXCEL_CELL_LIMIT
    assert text.endswith(TRUNCATED)


def test_text_at_the_limit_is_kept_whole() -> None:
    assert safe_cell_text("x" * EXCEL_CELL_LIMIT) == "x" * EXCEL_CELL_LIMIT


def test_cap_counts_characters_outside_the_basic_plane_twice() -> None:
    text = safe_cell_text("𠀀" * 20_000)  # Excel counts UTF-16 code units: 40,000 here
    assert len(text.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
    assert text.endswith(TRUNCATED)


def test_a_long_formula_like_text_is_capped_as_written() -> None:
    text = safe_cell_text("=" + "1" * 40_000)
    assert text.startswith("=1") and text.endswith(TRUNCATED)
    assert len(text) == EXCEL_CELL_LIMIT


FORMULA_LIKE = [
    ('=HYPERLINK("http://example.com","x")', True, "formula"),
    ("+1", True, "leading plus"),
    ("-1+2", True, "leading minus"),
    ("-5", True, "a negative number typed as text"),
    ("@SUM(1)", True, "leading at"),
    ("＝1+1", True, "full-width equals"),
    ("＋1", True, "full-width plus"),
    ("－1", True, "full-width minus"),
    ("＠SUM(A1)", True, "full-width at"),
    ("\t=1+1", True, "leading tab"),
    ("\r=1+1", True, "leading carriage return"),
    ("\n=1+1", True, "leading line feed"),
    ("  =1+1", True, "blanks before a formula"),
    ("\u3000=1+1", True, "ideographic space before a formula"),
    ("行政规范性文件报备率 = 100%", False, "an equals sign inside"),
    ("#N/A", False, "error-like text"),
    ("'quoted", False, "a leading quote"),
    ("", False, "empty"),
]


@pytest.mark.parametrize(("text", "expected", "why"), FORMULA_LIKE, ids=[c[2] for c in FORMULA_LIKE])
def test_formula_like(text: str, expected: bool, why: str) -> None:
    assert is_formula_like(text) is expected, why


def test_xml_text_keeps_tab_newline_and_chinese() -> None:
    assert xml_text("甲\t乙\n丙\r丁\x07\ufffe") == "甲\t乙\n丙\r丁\ufffd\ufffd"


def test_terminal_text_removes_escape_sequences() -> None:
    assert terminal_text("单位\x1b[2J\x9b31m\x07") == "单位\ufffd[2J\ufffd31m\ufffd"
    assert terminal_text("甲\t乙\n") == "甲\t乙\n"
