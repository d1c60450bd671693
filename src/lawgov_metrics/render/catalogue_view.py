"""Terminal views of the catalogue: a table of indicators and one indicator in full.

A catalogue is an input like any other: every text from it is shown as :class:`rich.text.Text` (never parsed
as markup, so ``[/]`` in a name cannot break the table) after control and bidirectional characters are
replaced (:func:`~lawgov_metrics.render.safe_text.terminal_text`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lawgov_metrics.render.safe_text import terminal_text


def _t(value: Any) -> Text:
    return Text(terminal_text(value))


def print_catalogue_table(record: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    plan = record["plan"]
    table = Table(
        title=_t(f"{plan['title']} · 指标目录 {record['version']}（{len(record['indicators'])} 项）"),
        show_lines=False,
        expand=False,
    )
    table.add_column("章", no_wrap=True)
    table.add_column("条", no_wrap=True)
    table.add_column("标识", overflow="fold")
    table.add_column("指标", overflow="fold")
    table.add_column("类型", no_wrap=True)
    table.add_column("目标", overflow="fold")
    table.add_column("分值", justify="right", no_wrap=True)
    for ind in record["indicators"]:
        table.add_row(
            _t(ind["chapter"]),
            _t(ind["clause"]),
            _t(ind["id"]),
            _t(ind["name"]),
            _t(ind["kind_name"]),
            _t(ind["target_label"]),
            f"{ind['points']:g}",
        )
    console.print(table)


def print_indicator(ind: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    rows = [
        ("标识", ind["id"]),
        ("指标", ind["name"]),
        ("章节", f"第{ind['chapter']}章 {ind['chapter_title']}"),
        ("条款", f"（{ind['clause']}）"),
        ("方案原文", f"“{ind['quote']}”"),
        ("类型", f"{ind['kind_name']}（{ind['kind']}）"),
        ("计算方法", ind["formula"]),
        ("目标", ind["target_label"]),
        ("适用单位", "、".join(ind["applies_to"])),
        ("生效年度", _years(ind["effective"])),
        ("分值", f"{ind['points']:g}"),
        ("计分规则", scoring_label(ind["scoring"])),
    ]
    for override in ind.get("points_overrides", []):
        who = "、".join(override["kinds"]) or "全部单位"
        when = "、".join(map(str, override["years"])) or "各年度"
        rows.append(("分值调整", f"{who} {when}：{override['points']:g} 分"))
    rows.extend(("说明", note) for note in ind.get("notes", []))
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, _t(value))
    console.print(table)


def _years(effective: dict[str, Any]) -> str:
    start, end = effective.get("from"), effective.get("to")
    if start is None and end is None:
        return "规划期各年度"
    return f"{start or '…'}—{end or '…'}年"


def scoring_label(scoring: dict[str, Any]) -> str:
    rule = scoring["rule"]
    if rule == "all_or_nothing":
        return "达标得满分，未达标不得分"
    if rule == "proportional":
        return "按完成比例得分：分值 × min(1, 实际值 ÷ 目标值)"
    if rule == "bands":
        return "分档：" + "；".join(f"≥{b['min']:g} 得 {b['share']:.0%}" for b in scoring["bands"])
    cap = f"，累计不超过 {scoring['cap']:g} 分" if scoring.get("cap") else ""
    return f"每少一次扣 {scoring['per_shortfall']:g} 分{cap}"
