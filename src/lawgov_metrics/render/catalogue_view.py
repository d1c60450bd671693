"""Terminal views of the catalogue: a table of indicators and one indicator in full.

A catalogue is an input like any other: every text from it is shown as :class:`rich.text.Text` (never parsed
as markup, so ``[/]`` in a name cannot break the table) after control and bidirectional characters are
replaced (:func:`~lawgov_metrics.render.safe_text.terminal_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lawgov_metrics.render.breakable_text import BreakableText
from lawgov_metrics.render.safe_text import terminal_text


def _t(value: Any) -> Text:
    return BreakableText(terminal_text(value))


def print_catalogue_table(record: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    plan = record["plan"]
    table = Table(
        title=_t(f"{plan['title']} · 指标目录 {record['version']}（{len(record['indicators'])} 项）"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
        expand=False,
    )
    # the id on a line of its own above the name: an 80-column terminal shows the longest id (41) whole
    table.add_column("章", no_wrap=True)
    table.add_column("条", no_wrap=True)
    longest_id = max((len(ind["id"]) for ind in record["indicators"]), default=8)
    table.add_column(
        "标识 / 指标（类型）", overflow="fold", width=max(16, min(longest_id, console.width - 30))
    )
    table.add_column("目标", overflow="fold", min_width=10)
    table.add_column("分值", justify="right", no_wrap=True)
    for ind in record["indicators"]:
        cell = _t(ind["id"])
        cell.stylize("bold")
        cell.append("\n")
        cell.append_text(_t(f"{ind['name']}（{ind['kind_name']}）"))
        table.add_row(
            _t(ind["chapter"]), _t(ind["clause"]), cell, _t(ind["target_label"]), f"{ind['points']:g}"
        )
    console.print(table)


def print_indicator(
    ind: dict[str, Any], console: Console | None = None, *, names: Mapping[str, str] | None = None
) -> None:
    """One indicator in full; ``names`` gives the Chinese names of unit kinds and unit properties (ids
    where a name is missing)."""
    console = console or Console()
    names = names or {}
    rows = [
        ("标识", ind["id"]),
        ("指标", ind["name"]),
        ("章节", f"第{ind['chapter']}章 {ind['chapter_title']}"),
        ("条款", f"（{ind['clause']}）"),
        ("方案原文", f"“{ind['quote']}”"),
        ("类型", f"{ind['kind_name']}（{ind['kind']}）"),
        ("计算方法", ind["formula"]),
        ("目标", ind["target_label"]),
        ("适用单位", "、".join(names.get(kind, kind) for kind in ind["applies_to"])),
        ("生效年度", _years(ind["effective"])),
        ("分值", f"{ind['points']:g}"),
        ("计分规则", scoring_label(ind["scoring"])),
    ]
    if ind.get("applies_when"):
        rows.insert(
            9, ("另须", "、".join(names.get(p, p) for p in ind["applies_when"]) + "（单位名册中为“是”）")
        )
    for override in ind.get("points_overrides", []):
        who = "、".join(names.get(kind, kind) for kind in override["kinds"]) or "全部单位"
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
