"""The ``lawgov-metrics`` command: parse → call the library → pick a renderer → exit code.

Heavy libraries (pydantic, pandas, openpyxl) are imported inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lawgov_metrics import __version__
from lawgov_metrics.cli_options import (
    CatalogueOption,
    FormatOption,
    ListFormat,
    Output,
    PathsArgument,
    ReportFormat,
    UnitsOption,
    complete_indicator,
    complete_kind,
)
from lawgov_metrics.cli_options import fail as _fail
from lawgov_metrics.cli_options import load as _load
from lawgov_metrics.cli_options import note as _note
from lawgov_metrics.cli_options import read_inputs as _read
from lawgov_metrics.cli_options import stdout_console as _stdout
from lawgov_metrics.cli_text import ChineseCommand, ChineseGroup

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from lawgov_metrics.api import Assessment
    from lawgov_metrics.catalogue import Catalogue

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="lawgov-metrics",
    help="按《海口市法治政府建设实施方案（2021—2025年）》的量化要求，检查各单位填报数据并评估打分。",
    no_args_is_help=True,
    cls=ChineseGroup,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
catalogue_app = typer.Typer(
    help="查看、校验指标目录（indicators.yaml）。", no_args_is_help=True, cls=ChineseGroup
)
app.add_typer(catalogue_app, name="catalogue")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lawgov-metrics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本号并退出。")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="安静：只输出报告和错误，不显示进度与提示。")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="详细：另在标准错误输出每个文件的读取用时。")
    ] = False,
) -> None:
    """按《海口市法治政府建设实施方案（2021—2025年）》的量化要求，检查各单位填报数据并评估打分。"""
    if quiet and verbose:
        _fail("--quiet 与 --verbose 只能用一个")
    Output.quiet, Output.verbose = quiet, verbose


# ---------------------------------------------------------------- catalogue


@catalogue_app.command("list", cls=ChineseCommand)
def catalogue_list(
    chapter: Annotated[
        str | None, typer.Option("--chapter", metavar="章", help="只列出某一章的指标，如 七。")
    ] = None,
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


@catalogue_app.command("show", cls=ChineseCommand)
def catalogue_show(
    indicator_id: Annotated[
        str,
        typer.Argument(
            metavar="指标", help="指标标识，如 normative_doc_filing_rate。", autocompletion=complete_indicator
        ),
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

    names = {k.id: k.name for k in catalogue.unit_kinds} | {p.id: p.name for p in catalogue.unit_properties}
    print_indicator(indicator_record(catalogue, catalogue.indicators_by_id[indicator_id]), names=names)


@catalogue_app.command("validate", cls=ChineseCommand)
def catalogue_validate(
    path: Annotated[
        Path | None, typer.Argument(metavar="文件", help="要校验的指标目录文件（默认校验内置目录）。")
    ] = None,
) -> None:
    """校验指标目录：结构、引用、目标与分值；一次列出全部问题。"""
    catalogue = _load(path)
    _note(
        f"指标目录有效：{len(catalogue.indicators)} 项指标，{len(catalogue.fields)} 个字段，"
        f"{len(catalogue.ledgers)} 种台账（版本 {catalogue.version}，sha256 {catalogue.sha256[:12]}）"
    )


@catalogue_app.command("schema", cls=ChineseCommand)
def catalogue_schema() -> None:
    """输出指标目录的 JSON Schema（供编辑器在填写 indicators.yaml 时校验）。"""
    from lawgov_metrics.catalogue.schema import catalogue_schema_text

    sys.stdout.write(catalogue_schema_text())


# ---------------------------------------------------------------- shared options and helpers


def _resolve_kinds(catalogue: Catalogue, kind: str | None) -> set[str] | None:
    """A kind by id or Chinese name; a general kind includes the named agencies within it."""
    if kind is None:
        return None
    from lawgov_metrics.catalogue.applicability import resolve_kind

    try:
        found = resolve_kind(catalogue, kind)
    except ValueError as exc:
        _fail(str(exc))
    return {found.id} | {c.id for c in catalogue.unit_kinds if c.within == found.id}


def _parse_years(year: int | None, years: str | None, catalogue: Catalogue) -> list[int] | None:
    if year is not None and years is not None:
        _fail("--year 与 --years 只能用一个")
    period = catalogue.plan.period
    if year is not None:
        chosen = [year]
    elif years is not None:
        try:
            start, _, end = years.partition("-")
            chosen = list(range(int(start), int(end or start) + 1))
        except ValueError:
            _fail(f"--years 应写作 2021-2025，现为 {years}")
        if not chosen:
            _fail(f"--years 的起始年晚于终止年：{years}")
    else:
        return None
    outside = [y for y in chosen if y not in period.years]
    if outside:
        _fail(f"年度 {'、'.join(map(str, outside))} 不在规划期 {period.start}—{period.end} 内")
    return chosen


# ---------------------------------------------------------------- template


@app.command("template", cls=ChineseCommand)
def template(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="文件", help="写入的工作簿路径。")] = Path(
        "填报模板.xlsx"
    ),
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="类别",
            help="单位类别，如 市直部门、区政府、镇（街道）、市司法局；默认为 --unit 在单位名册中的类别，否则为 市直部门。",
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="单位", help="预先填入的单位名称。")] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="年度", help="预先填入的填报年度。")] = None,
    units: UnitsOption = None,
    catalogue_path: CatalogueOption = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的同名文件。")] = False,
) -> None:
    """生成填报模板：填报说明、汇总表、各台账工作表，含下拉选项与数据验证。"""
    catalogue = _load(catalogue_path)
    from lawgov_metrics.intake.read.template_units import template_units
    from lawgov_metrics.render.template import write_template

    if units is not None and not units.is_file():
        _fail(f"找不到单位名册：{units}")
    _parse_years(year, None, catalogue)  # a year outside the plan period: exit 2
    try:  # the unit as the register knows it, its kind and properties; an unknown --unit: exit 2
        chosen = template_units(catalogue, kind, unit, units)
    except ValueError as exc:
        _fail(str(exc))
    if output.suffix.lower() != ".xlsx":
        _fail(f"模板应保存为 .xlsx 文件，现为 {output.name}")
    _refuse_overwriting_inputs(output, [], catalogue=catalogue_path)
    if output.exists() and not force:
        _fail(f"文件已存在：{output}；如确需替换，请加 --force")
    try:
        write_template(
            catalogue,
            output,
            kind=chosen.kind,
            unit=chosen.unit,
            year=year,
            unit_names=chosen.names,
            properties=chosen.properties,
        )
    except OSError as exc:
        _fail(_write_failed(output, exc))
    _note(f"已生成{catalogue.kinds_by_id[chosen.kind].name}填报模板：{output}")


# ---------------------------------------------------------------- check


@app.command("check", cls=ChineseCommand)
def check(
    paths: PathsArgument,
    fmt: FormatOption = ReportFormat.table,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也视为不通过（退出码 1）。")] = False,
    units: UnitsOption = None,
    catalogue_path: CatalogueOption = None,
) -> None:
    """检查填报数据：一次列出所有问题（文件、工作表、单元格）。无错误退出码 0，有错误 1。"""
    catalogue = _load(catalogue_path)
    from lawgov_metrics.api import check as build_check

    report = build_check(_read(paths, catalogue, units), catalogue)
    from lawgov_metrics.render import CHECK_FORMATS

    if fmt is ReportFormat.table:
        CHECK_FORMATS["table"](report, _stdout(), strict=strict)
    else:
        CHECK_FORMATS[fmt.value](report, sys.stdout, strict=strict)
    raise typer.Exit(report.exit_code(strict))


# ---------------------------------------------------------------- score


@app.command("score", cls=ChineseCommand)
def score(
    paths: PathsArgument,
    year: Annotated[
        int | None, typer.Option("--year", metavar="年度", help="只评估某一年度，如 2024。")
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years", metavar="年度范围", help="评估若干年度，如 2021-2025。默认评估数据中出现的全部年度。"
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="文件", help="另存 Excel 评估报告（.xlsx）。")
    ] = None,
    fmt: FormatOption = ReportFormat.table,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", metavar="类别", help="只显示某类单位，如 区政府。", autocompletion=complete_kind
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="单位", help="只显示某个单位，并逐项列出各指标。")
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            metavar="比例",
            min=0,
            max=100,
            help="有单位得分率低于此百分数时退出码为 1，如 80。",
        ),
    ] = None,
    units: UnitsOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="日期", help="以此日期判断截止日期是否已过（默认今天），如 2025-03-01。"
        ),
    ] = None,
    catalogue_path: CatalogueOption = None,
    ledger_dataset: Annotated[
        Path | None,
        typer.Option(
            "--ledger-dataset",
            metavar="目录",
            help="另从 Parquet 台账数据集（<目录>/<台账编号>/unit=…/year=…/*.parquet）读取台账，由 DuckDB 在内存外汇总（需安装 scale 扩展）。",
        ),
    ] = None,
) -> None:
    """评估打分：每个单位、每个年度、每项指标的数值、目标、状态与得分，并排名、定等次。"""
    catalogue = _load(catalogue_path)
    chosen_years = _parse_years(year, years, catalogue)
    kinds = _resolve_kinds(catalogue, kind)
    if output is not None:
        if output.suffix.lower() != ".xlsx":
            _fail(f"评估报告应保存为 .xlsx 文件，现为 {output.name}")
        _refuse_overwriting_inputs(output, paths, units=units, catalogue=catalogue_path)
    as_of_date = _parse_date(as_of)
    submission = _read(paths, catalogue, units)
    from lawgov_metrics.api import evaluate, with_ledger_dataset

    if ledger_dataset is not None:
        from lawgov_metrics.intake.dataset.duckdb_ledgers import LedgerDatasetError

        try:
            submission = with_ledger_dataset(submission, ledger_dataset, catalogue, register=units)
        except LedgerDatasetError as exc:
            _fail(str(exc))
    assessment = evaluate(catalogue, submission, chosen_years, as_of=as_of_date)
    unit_name = _resolve_unit_name(assessment, submission.names, unit) if unit is not None else None
    shown = assessment
    if kinds is not None or unit_name is not None:
        shown = assessment.filtered(units={unit_name} if unit_name else None, kinds=kinds)
    if output is not None:
        try:
            shown.write_excel(output, inputs=[str(p) for p in paths])
        except OSError as exc:
            _fail(_write_failed(output, exc))
        _note(f"已写入评估报告：{output}")
    from lawgov_metrics.render import SCORE_FORMATS

    if fmt is ReportFormat.table:
        SCORE_FORMATS["table"](shown, _stdout(), unit=unit_name)
    else:
        SCORE_FORMATS[fmt.value](shown, sys.stdout, fail_under=fail_under)
    code = assessment.exit_code(fail_under)
    if assessment.error_count:
        typer.echo(
            f"输入数据中有 {assessment.error_count} 个错误，退出码为 1（lawgov-metrics check 可逐条列出）",
            err=True,
        )
    if fail_under is not None and len(assessment.below(fail_under)):
        typer.echo(f"有 {len(assessment.below(fail_under))} 个单位年度得分率低于 {fail_under:g}%", err=True)
    raise typer.Exit(code)


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of 应为日期，如 2025-03-01，现为 {text}")


def _refuse_overwriting_inputs(
    output: Path, paths: list[Path], *, units: Path | None = None, catalogue: Path | None = None
) -> None:
    from lawgov_metrics.intake.read.own_reports import is_own_report
    from lawgov_metrics.output_paths import overwritten_input

    reason = overwritten_input(output, paths, units=units, catalogue=catalogue, is_own_report=is_own_report)
    if reason is not None:
        _fail(reason)


def _resolve_unit_name(assessment: Assessment, names: Mapping[str, str], unit: str) -> str:
    """A unit of the assessment by its name, an alias, or a short name naming one of its units only (spaces
    and full-width forms aside); ambiguous or unknown → the candidates or the closest names, exit 2."""
    from lawgov_metrics.intake.parse.names import normalise_unit_name
    from lawgov_metrics.intake.read.register import match_unit

    assessed = set(map(str, assessment.scores["unit"]))
    known = {k: u for k, u in names.items() if u in assessed}  # the register's order: candidates listed in it
    known.update({normalise_unit_name(u): u for u in sorted(assessed) if normalise_unit_name(u) not in known})
    found = match_unit(unit, known)
    if found.unit is not None:
        return found.unit
    if found.candidates:
        _fail(f"单位「{unit}」不明确，可能是：{'、'.join(found.candidates)}；请写出单位全称或别名")
    registered = names.get(normalise_unit_name(unit))
    if registered is not None:
        _fail(f"单位「{unit}」（{registered}）在单位名册中，但所给文件中没有它的数据")
    hint = f"；您是否要找：{'、'.join(found.suggestions)}？" if found.suggestions else ""
    _fail(f"评估结果中没有单位「{unit}」{hint}")


# ---------------------------------------------------------------- explain


@app.command("explain", cls=ChineseCommand)
def explain(
    paths: PathsArgument,
    unit: Annotated[str, typer.Option("--unit", metavar="单位", help="单位名称，如 海口市司法局。")],
    indicator: Annotated[
        str,
        typer.Option(
            "--indicator",
            metavar="指标",
            help="指标标识，见 catalogue list。",
            autocompletion=complete_indicator,
        ),
    ],
    year: Annotated[int, typer.Option("--year", metavar="年度", help="年度，如 2024。")],
    units: UnitsOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="日期", help="以此日期判断截止日期是否已过（默认今天）。")
    ] = None,
    catalogue_path: CatalogueOption = None,
    fmt: Annotated[
        ListFormat,
        typer.Option(
            "--format", "-f", help="输出格式：table 表格（台账记录只列前几行），json 列出全部记录行号。"
        ),
    ] = ListFormat.table,
) -> None:
    """说明一项得分的来历：计算方法、各项输入及其出处（台账记录到行）、目标、状态与得分。"""
    catalogue = _load(catalogue_path)
    if indicator not in catalogue.indicators_by_id:
        from lawgov_metrics.catalogue.checks import did_you_mean

        _fail(f"没有指标 `{indicator}`{did_you_mean(indicator, catalogue.indicators_by_id)}")
    _parse_years(year, None, catalogue)
    from lawgov_metrics.api import evaluate

    submission = _read(paths, catalogue, units)
    assessment = evaluate(catalogue, submission, [year], as_of=_parse_date(as_of))
    unit_name = _resolve_unit_name(assessment, submission.names, unit)
    from lawgov_metrics.api import counted_records
    from lawgov_metrics.render.explain import explanation, explanation_record, print_explanation

    counted = counted_records(catalogue, submission, indicator, unit_name, year)
    found = explanation(assessment, unit_name, indicator, year, counted)
    if found is None:
        _fail(f"指标 {indicator} 不适用于 {unit_name}（单位类别不在适用范围内）")
    if fmt is ListFormat.json:
        from lawgov_metrics.render.jsonout import dump_json

        dump_json(explanation_record(found), sys.stdout)
    else:
        print_explanation(found, _stdout())
    # the answer stands whatever else the inputs hold; 1 only when this result's own data has errors
    raise typer.Exit(1 if any(i.severity == "error" for i in found.issues) else 0)


def _write_failed(output: Path, exc: OSError) -> str:
    """A report that could not be written, in Chinese; the file written so far was a temporary one."""
    from lawgov_metrics.issues import os_error_text

    kept = "，原有的同名文件未被改动" if output.exists() else ""
    return f"无法写入 {output}：{os_error_text(exc)}{kept}"


def main() -> None:
    """The console script. A report that cannot be written to standard output (a full disk, ``ulimit -f``)
    is one Chinese line on stderr and exit code 2, never a traceback; a closed pipe (``| head``) ends quietly."""
    from lawgov_metrics.render.stdout import strict_stdout

    sys.stdout = strict_stdout(sys.stdout)
    if len(sys.argv) > 1 and not {"-h", "--help", "-V", "--version"} & set(sys.argv[1:]):
        _keep_heap_top()  # not for help: loading ctypes would cost a few ms of a 0.17 s start
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # the report's last bytes: a full disk shows here, not at exit
    except OSError as exc:
        try:
            with open(os.devnull, "w") as sink:  # what is still buffered goes nowhere at exit, silently
                os.dup2(sink.fileno(), sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):
            pass
        if isinstance(exc, BrokenPipeError):
            sys.exit(1)
        from lawgov_metrics.issues import os_error_text

        sys.stderr.write(f"无法写出报告（标准输出）：{os_error_text(exc)}\n")
        sys.exit(EXIT_USAGE)


def _keep_heap_top() -> None:
    """Ask glibc to keep up to 64 MB free at the top of the heap (``M_TOP_PAD``) for this process.

    A process-wide setting, so it belongs to the program, not the library: the safety scan's vectorised
    passes make 0.2–1 MB temporaries per buffer, and glibc's default trimming hands the heap top back
    after every buffer, to fault it in again for the next (the scan of a 1M-row sheet: 0.65 s with it,
    1.1 s without, benchmarks/README.md). Nothing happens where the C library is not glibc."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-2, 64 << 20)  # M_TOP_PAD
