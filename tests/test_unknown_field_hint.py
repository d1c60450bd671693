"""An unknown field name in a long table or a summary sheet is named with the catalogue's closest field, so
the clerk can correct the label; a name close to nothing gets no guess."""

from __future__ import annotations

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake.read.file_read import unknown_field

CATALOGUE = load_catalogue()


def test_a_near_miss_names_the_field_meant() -> None:
    written = "本年度法治政府建设年度报告报送日期（次年3月1日前）"  # 年度报告 for 情况报告
    assert unknown_field(CATALOGUE, written) == (
        f"未知的字段「{written}」（您是否要找：「本年度法治政府建设情况报告报送日期（次年3月1日前）」？）"
    )


def test_an_alias_close_to_the_name_suggests_the_field_s_name() -> None:
    field = next(f for f in CATALOGUE.fields if f.aliases)
    written = field.aliases[0] + "数"
    assert unknown_field(CATALOGUE, written).endswith(f"（您是否要找：「{field.name}」？）")


def test_nothing_close_is_not_guessed() -> None:
    assert unknown_field(CATALOGUE, "食堂伙食满意度") == "未知的字段「食堂伙食满意度」"


def test_in_a_long_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from lawgov_metrics import read_submissions

    (tmp_path / "长表.csv").write_text(
        "单位,年度,字段,数值\n海口市司法局,2024,制发行政规范性文件数,12\n", encoding="utf-8"
    )
    issues = read_submissions([tmp_path], CATALOGUE).issues
    assert [(i.code, i.cell, i.message) for i in issues] == [
        (
            "field-unknown",
            "C2",
            "未知的字段「制发行政规范性文件数」（您是否要找：「制发行政规范性文件件数」？），此行未计入",
        )
    ]
