"""The help pages drawn as plain lines (fast start) must be, to the byte, the page rich's grid draws."""

from __future__ import annotations

import typer.main
from rich.cells import cell_len
from typer._click.core import Command, Context

from lawgov_metrics import cli_text
from lawgov_metrics.cli import app


def _commands() -> list[tuple[Command, Context]]:
    group = typer.main.get_command(app)
    root = Context(group, info_name="lawgov-metrics")
    found = [(group, root)]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        ctx = Context(command, parent=root, info_name=name)
        found.append((command, ctx))
        for sub_name, sub in getattr(command, "commands", {}).items():
            found.append((sub, Context(sub, parent=ctx, info_name=sub_name)))
    return found


def test_every_page_at_every_width_is_richs_own() -> None:
    compared = 0
    for command, ctx in _commands():
        sections = cli_text._help_sections(command, ctx)
        body = command.help.split("\f", 1)[0].strip() if command.help else ""
        usage = cli_text.usage_line(command, ctx)
        for width in range(40, 101):
            plain = cli_text._plain_help_page(width, usage, body, sections)
            if plain is None:  # only a usage line wider than the page is left to rich (explain at 40)
                assert cell_len(usage) > width, (ctx.command_path, width)
                continue
            assert "\n".join(plain) == cli_text._help_page_rich(width, usage, body, sections), (
                ctx.command_path,
                width,
            )
            compared += 1
    assert compared >= 550  # of 610: the rest are usage lines wider than a narrow page


def test_a_layout_plain_lines_cannot_match_is_left_to_rich() -> None:
    rows = [("--a-very-long-option-name-indeed 文件", "说明文字")]
    assert cli_text._plain_help_page(40, "用法：x", "", [("选项：", rows)]) is None  # no room left for 说明
    assert cli_text._plain_help_page(40, "用法：" + "很长" * 20, "", []) is None  # the usage line wraps
    page = cli_text._help_page_rich(40, "用法：x", "", [("选项：", rows)])
    assert page.splitlines()[:3] == ["用法：x", "", "选项："]


def test_a_long_help_text_breaks_between_chinese_characters_never_inside_an_id() -> None:
    rows = [
        (
            "--units 文件",
            "单位名册（CSV/XLSX：单位名称、单位类别）；默认使用输入文件夹中的 units.csv，或内置的名册。",
        )
    ]
    page = cli_text._plain_help_page(44, "用法：x", "", [("选项：", rows)])
    assert page == [
        "用法：x",
        "",
        "选项：",
        "  --units 文件  单位名册（CSV/XLSX：单位名",  # 28 cells: 称 keeps its 、
        "                称、单位类别）；默认使用输入",
        "                文件夹中的 units.csv，或内置",
        "                的名册。",
    ]
