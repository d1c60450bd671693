"""The ``lawgov-metrics`` command: parse → call the library → pick a renderer → exit code.

Heavy libraries (pydantic, pandas, openpyxl) are imported inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from lawgov_metrics import __version__

if TYPE_CHECKING:
    from lawgov_metrics.catalogue import Catalogue

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="lawgov-metrics",
    help="按《海口市法治政府建设实施方案（2021—2025年）》的量化要求，检查各单位填报数据并评估打分。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
catalogue_app = typer.Typer(help="查看、校验指标目录（indicators.yaml）。", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")


class ListFormat(StrEnum):
    table = "table"
    json = "json"


CatalogueOption = Annotated[
    Path | None,
    typer.Option("--catalogue", "-c", help="使用其他指标目录文件（默认使用内置的 indicators.yaml）。"),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lawgov-metrics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本号并退出。")
    ] = False,
) -> None:
    """按《海口市法治政府建设实施方案（2021—2025年）》的量化要求，检查各单位填报数据并评估打分。"""


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _load(path: Path | None) -> Catalogue:
    """Load the catalogue, or print every problem with file:line to stderr and exit 2."""
    from lawgov_metrics.catalogue import CatalogueError, load_catalogue

    try:
        return load_catalogue(path)
    except CatalogueError as exc:
        lines = [f"指标目录有 {len(exc.problems)} 处问题："] + [f"  {p}" for p in exc.problems]
        _fail("\n".join(lines))


# ---------------------------------------------------------------- catalogue


@catalogue_app.command("list")
def catalogue_list(
    chapter: Annotated[str | None, typer.Option("--chapter", help="只列出某一章的指标，如 七。")] = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="输出格式：table 表格，json 机器可读。")
    ] = (ListFormat.table),
    catalogue_path: CatalogueOption = None,
) -> None:
    """列出指标目录中的全部指标。"""
    catalogue = _load(catalogue_path)
    if chapter is not None and chapter not in {c.id for c in catalogue.chapters}:
        _fail(f"没有第{chapter}章。可选：{'、'.join(c.id for c in catalogue.chapters)}")
    from lawgov_metrics.catalogue.describe import catalogue_record

    record = catalogue_record(catalogue, chapter)
    if fmt is ListFormat.json:
        from lawgov_metrics.render.jsonout import dump_json

        dump_json(record, sys.stdout)
        return
    from lawgov_metrics.render.catalogue_view import print_catalogue_table

    print_catalogue_table(record)


@catalogue_app.command("show")
def catalogue_show(
    indicator_id: Annotated[
        str, typer.Argument(metavar="ID", help="指标标识，如 normative_doc_filing_rate。")
    ],
    catalogue_path: CatalogueOption = None,
) -> None:
    """显示一项指标的全部信息，包括方案原文。"""
    catalogue = _load(catalogue_path)
    if indicator_id not in catalogue.indicators_by_id:
        from lawgov_metrics.catalogue.checks import did_you_mean

        _fail(f"没有指标 `{indicator_id}`{did_you_mean(indicator_id, catalogue.indicators_by_id)}")
    from lawgov_metrics.catalogue.describe import indicator_record
    from lawgov_metrics.render.catalogue_view import print_indicator

    print_indicator(indicator_record(catalogue, catalogue.indicators_by_id[indicator_id]))


@catalogue_app.command("validate")
def catalogue_validate(
    path: Annotated[Path | None, typer.Argument(help="要校验的指标目录文件（默认校验内置目录）。")] = None,
) -> None:
    """校验指标目录：结构、引用、目标与分值；一次列出全部问题。"""
    catalogue = _load(path)
    typer.echo(
        f"指标目录有效：{len(catalogue.indicators)} 项指标，{len(catalogue.fields)} 个字段，"
        f"{len(catalogue.ledgers)} 种台账（版本 {catalogue.version}，sha256 {catalogue.sha256[:12]}）",
        err=True,
    )


@catalogue_app.command("schema")
def catalogue_schema() -> None:
    """输出指标目录的 JSON Schema（供编辑器在填写 indicators.yaml 时校验）。"""
    from lawgov_metrics.catalogue.schema import catalogue_schema_text

    sys.stdout.write(catalogue_schema_text())


def main() -> None:
    app()
