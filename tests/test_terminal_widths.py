"""ReportTable gives one-line plain columns their width up front: the layout must be rich's own, to the byte."""

from __future__ import annotations

import io

import pytest
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lawgov_metrics.render.terminal_parts import ReportTable

ROWS = [
    (
        "1",
        "海口市人民政府国有资产监督管理委员会",
        "47.4",
        "100%",
        Text("优秀", style="green"),
        Text("12", style="red"),
    ),
    ("22", "龙华区", "121.2", "94.2%", Text("不合格"), Text("0")),
    ("…", "…", "", "", Text(""), Text("")),
]


def _draw(kind: type[Table], width: int) -> str:
    table = kind(
        title="2024年 排名", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True
    )
    table.add_column("排名", justify="right", no_wrap=True)
    table.add_column("单位", overflow="fold", min_width=8)
    table.add_column("得分", justify="right", no_wrap=True)
    table.add_column("得分率", justify="right", no_wrap=True)
    table.add_column("等次", no_wrap=True)
    table.add_column("未达标", justify="right", no_wrap=True)
    for row in ROWS:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=width, color_system="truecolor", force_terminal=True).print(table)
    return out.getvalue()


@pytest.mark.parametrize("width", [30, 44, 60, 80, 120])
def test_the_layout_is_richs_own_at_every_width(width: int) -> None:
    assert _draw(ReportTable, width) == _draw(Table, width)


def test_plain_one_line_columns_get_their_widest_text_and_the_folding_one_is_left_to_rich() -> None:
    table = ReportTable()
    table.add_column("排名", no_wrap=True)
    table.add_column("单位", overflow="fold")
    table.add_column("备注", no_wrap=True)
    table.add_row("1", "龙华区", "[bold]x")  # a string rich would read as markup: left to rich
    Console(file=io.StringIO(), width=80).print(table)
    assert [c.width for c in table.columns] == [4, None, None]
