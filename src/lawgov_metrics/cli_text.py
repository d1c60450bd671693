"""The command line's own words in Chinese: help pages, usage lines and click's errors.

typer vendors click with its English words written into the code (``Usage:``, ``Show this message and exit.``,
``Missing option``, ``No such option``), not behind a gettext catalogue, so a translation file cannot reach them.
The app's group and commands use the classes below instead: they draw the help page themselves, measured by
display width (click's formatter counts characters, so Chinese overflows an 80-column terminal), and turn every
usage error into one Chinese message, exit code 2.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click import exceptions as errors  # typer's vendored click: its errors are not re-exported
from typer._click.core import Command, Context, Parameter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

HELP_TEXT = "显示本帮助并退出。"
OPTIONS_METAVAR = "[选项]"
COMMAND_METAVAR = "命令 [参数]…"
EXIT_USAGE = 2

# typer's shell-completion options carry English help; the words shown for them here
_BUILT_IN_HELP = {
    "install_completion": "为当前 shell 安装命令补全（bash、zsh、fish、PowerShell）。",
    "show_completion": "显示当前 shell 的补全脚本，可复制后自行安装。",
}
_TYPE_WORDS: dict[
    type, tuple[str, str]
] = {  # annotation → (metavar when none is given, what a value must be)
    int: ("整数", "应为整数"),
    float: ("数字", "应为数字"),
    str: ("文本", "应为文本"),
    Path: ("路径", "应为文件路径"),
    bool: ("是否", "应为 true 或 false"),
}


def _annotation(param: Parameter) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _choices(param: Parameter) -> list[str]:
    annotation = _annotation(param)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    return []


def _metavar(param: Parameter) -> str:
    """The word a value is shown as: the command's own metavar, else one for its type (never ``<list[Path]>``)."""
    if param.metavar:
        return param.metavar
    if _choices(param):
        return "格式"
    annotation = _annotation(param)
    word = _TYPE_WORDS.get(annotation, ("值", ""))[0] if isinstance(annotation, type) else "值"
    return word + ("…" if param.nargs != 1 else "")


def _option_names(param: Parameter) -> str:
    names = sorted(param.opts, key=lambda name: (name.startswith("--"), name))  # -o, --output
    return ", ".join(names + list(param.secondary_opts))


def _long_name(param: Parameter) -> str:
    return max(param.opts, key=len)


def _is_flag(param: Parameter) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def _help_row(param: Parameter, ctx: Context) -> tuple[str, str] | None:
    """One row of the help page: the option (or argument) as typed, and what it does with its default,
    whether it is required and its range, all in Chinese."""
    if getattr(param, "hidden", False):
        return None
    if isinstance(param, TyperArgument):
        name = _metavar(param)
    else:
        name = _option_names(param) + ("" if _is_flag(param) else f" {_metavar(param)}")
    text = _BUILT_IN_HELP.get(param.name or "", "") or (getattr(param, "help", None) or "")
    if param.name == "help":
        text = HELP_TEXT
    extra = []
    choices = _choices(param)
    default = param.default
    if choices:
        extra.append("可选：" + "、".join(choices))
    if default is not None and not _is_flag(param) and getattr(param, "show_default", True) is not False:
        extra.append(f"默认：{default.value if isinstance(default, Enum) else default}")
    range_text = getattr(param, "_get_number_range_help_str", lambda: None)()
    if range_text:
        extra.append(f"范围：{range_text}")
    if param.required:
        extra.append("必填")
    if extra:
        text = f"{text}  [{'；'.join(extra)}]"
    return name, text


def usage_line(command: Command, ctx: Context) -> str:
    pieces = [command.options_metavar or ""]
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            word = _metavar(param)
            pieces.append(word if param.required else f"[{word}]")
    if isinstance(command, TyperGroup):
        pieces.append(COMMAND_METAVAR)
    return f"用法：{ctx.command_path} {' '.join(p for p in pieces if p)}"


def _width() -> int:
    """The terminal's width (``COLUMNS`` first, as rich and click read it), at most 100 for a readable page."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = typer.get_terminal_size((80, 24)).columns
    return max(40, min(columns, 100))


HELP_INDENT = 2  # a section's rows under its title
HELP_GAP = 2  # between an option and what it does


def help_page(command: Command, ctx: Context) -> str:
    """The help page, measured by display width (a Chinese character takes two columns): the usage line, the
    command's help, then 参数/选项/命令 as two columns, the first (option names, metavars) never broken, the
    second broken between Chinese characters (:mod:`lawgov_metrics.render.line_breaks`).

    Drawn as plain lines: ``--help`` must start fast, and rich's console alone costs more to import than the
    rest of the page. The layout is rich's table grid's; where rich would have to squeeze the first column (a
    terminal too narrow for the longest option name), rich draws the page (:func:`_help_page_rich`)."""
    width = _width()
    sections = _help_sections(command, ctx)
    body = command.help.split("\f", 1)[0].strip() if command.help else ""
    usage = usage_line(command, ctx)
    page = _plain_help_page(width, usage, body, sections)
    if page is None:
        return _help_page_rich(width, usage, body, sections)
    return "\n".join(page)


Sections = list[tuple[str, list[tuple[str, str]]]]


def _help_sections(command: Command, ctx: Context) -> Sections:
    params = [row for p in command.get_params(ctx) if (row := _help_row(p, ctx)) is not None]
    arguments = [
        row for p, row in zip(command.get_params(ctx), params, strict=False) if isinstance(p, TyperArgument)
    ]
    sections: Sections = [("参数：", arguments), ("选项：", [row for row in params if row not in arguments])]
    if isinstance(command, TyperGroup):
        commands = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                commands.append((name, sub.short_help or _short_help(sub.help or "")))
        sections.append(("命令：", commands))
    return [(title, rows) for title, rows in sections if rows]


def _plain_help_page(width: int, usage: str, body: str, sections: Sections) -> list[str] | None:
    """The page as lines, or None where the layout needs rich (the usage line or an option name too wide)."""
    from rich.cells import cell_len

    from lawgov_metrics.render.line_breaks import wrap

    if cell_len(usage) > width or "\t" in body:
        return None
    lines = [usage]
    if body:
        lines += ["", *wrap(body, width)]
    for title, rows in sections:
        names = max(cell_len(name) for name, _ in rows)
        widest = max(cell_len(line) for _, text in rows for line in text.split("\n"))
        column = min(widest, width - HELP_INDENT - names - HELP_GAP)
        if column < 2 or any("\t" in text for _, text in rows):  # rich squeezes the names: let it draw
            return None
        lines += ["", title]
        for name, text in rows:
            lead = " " * HELP_INDENT + name + " " * (names - cell_len(name) + HELP_GAP)
            for line in wrap(text, column):
                lines.append((lead + line).rstrip())
                lead = " " * (HELP_INDENT + names + HELP_GAP)
    return lines


def _help_page_rich(width: int, usage: str, body: str, sections: Sections) -> str:
    """The same page through rich's grid, for the layouts :func:`_plain_help_page` leaves to it."""
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from lawgov_metrics.render.breakable_text import BreakableText

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False)
    console.print(Text(usage))
    if body:
        console.print()
        console.print(Group(BreakableText(body)))  # print() joins bare Texts
    for title, rows in sections:
        grid = Table.grid(padding=(0, HELP_GAP), pad_edge=False)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, text in rows:
            grid.add_row(Text(name), BreakableText(text))
        console.print()
        console.print(Text(title))
        console.print(Padding(grid, (0, 0, 0, HELP_INDENT)))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def _short_help(text: str) -> str:
    """A command's line in the list: its help up to the first colon or full stop (``评估打分``)."""
    first = text.split("\f", 1)[0].strip()
    for mark in ("：", "。"):
        first = first.split(mark, 1)[0]
    return first


def _given_value(args: Sequence[str], param: Parameter) -> str | None:
    """The text typed for an option whose value was refused (click's error does not carry it)."""
    for i, token in enumerate(args):
        for name in param.opts:
            if token == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token[len(name) + 1 :]
    return None


def error_message(exc: errors.ClickException, args: Sequence[str]) -> str:
    """click's usage error in Chinese: what was wrong, and what would be right."""
    if isinstance(exc, errors.MissingParameter) and exc.param is not None:
        param = exc.param
        if isinstance(param, TyperOption):
            help_text = f"（{param.help.rstrip('。')}）" if param.help else ""
            return f"缺少选项 {_long_name(param)}{help_text}。"
        return f"缺少参数 {_metavar(param)}。"
    if isinstance(exc, errors.BadParameter) and exc.param is not None:
        param = exc.param
        given = _given_value(args, param)
        shown = f"「{given}」" if given is not None else ""
        choices = _choices(param)
        annotation = _annotation(param)
        if choices:
            expected = "可选：" + "、".join(choices)
        elif isinstance(annotation, type) and annotation in _TYPE_WORDS:
            expected = _TYPE_WORDS[annotation][1]
            range_text = getattr(param, "_get_number_range_help_str", lambda: None)()
            if range_text:
                expected += f"，范围 {range_text}"
        else:
            expected = "格式不对"
        where = _long_name(param) if isinstance(param, TyperOption) else _metavar(param)
        return f"{where} 的值{shown}无效：{expected}。"
    if isinstance(exc, errors.NoSuchOption):
        hint = f"您是否要找：{'、'.join(sorted(exc.possibilities))}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}。{hint}"
    if isinstance(exc, errors.BadOptionUsage):
        if "requires" in exc.message:
            return f"选项 {exc.option_name} 后面应写一个值。"
        if "does not take" in exc.message:
            return f"选项 {exc.option_name} 不带值。"
        return f"选项 {exc.option_name} 的用法不对。"
    if exc.message.startswith("Got unexpected extra argument"):
        extra = exc.message.partition("(s) (")[2].removesuffix(")")
        return f"多余的参数：{extra}。"
    if exc.message.startswith("Missing command"):
        return "缺少命令。"
    return exc.message


def fail_usage(exc: errors.ClickException, args: Sequence[str]) -> NoReturn:
    """Print a usage error the way click does (usage, where to find help, the error), in Chinese; exit 2."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, errors.NoArgsIsHelpError):
        typer.echo(exc.message, err=True)
        sys.exit(exc.exit_code)
    lines = []
    if ctx is not None:
        lines.append(usage_line(ctx.command, ctx))
        help_name = ctx.help_option_names[0] if ctx.help_option_names else "--help"
        lines.append(f"运行 {ctx.command_path} {help_name} 查看帮助。")
        lines.append("")
    lines.append(f"错误：{error_message(exc, args)}")
    from lawgov_metrics.render.safe_text import terminal_text

    typer.echo(terminal_text("\n".join(lines)), err=True)
    sys.exit(exc.exit_code if isinstance(exc, errors.UsageError) else EXIT_USAGE)


class _Chinese:
    """What the group and the commands share: help in Chinese, the help option's words."""

    def get_help(self, ctx: Context) -> str:
        assert isinstance(self, Command)
        return help_page(self, ctx)

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class ChineseCommand(_Chinese, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = OPTIONS_METAVAR


class ChineseGroup(_Chinese, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = COMMAND_METAVAR

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            from difflib import get_close_matches

            matches = get_close_matches(name, self.list_commands(ctx))
            hint = (
                f"您是否要找：{'、'.join(matches)}？"
                if matches
                else f"可用的命令：{'、'.join(self.list_commands(ctx))}。"
            )
            raise errors.UsageError(f"没有命令 {name}。{hint}", ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the app; click's usage errors come out in Chinese (exit 2), the rest as before."""
        given = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(
                given,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except errors.ClickException as exc:
            if not standalone_mode:
                raise
            fail_usage(exc, given)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("已中止。", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)
