"""What the commands share: their options, how much goes to stderr (``--quiet``/``--verbose``), a line
on stderr, the catalogue loaded or exit 2, and the inputs read (a missing path is a usage error, exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from lawgov_metrics.cli_text import EXIT_USAGE

if TYPE_CHECKING:
    from rich.console import Console

    from lawgov_metrics.catalogue import Catalogue
    from lawgov_metrics.submission import Submission


class ListFormat(StrEnum):
    table = "table"
    json = "json"


CatalogueOption = Annotated[
    Path | None,
    typer.Option(
        "--catalogue", "-c", metavar="文件", help="使用其他指标目录文件（默认使用内置的 indicators.yaml）。"
    ),
]


class Output:
    """How much goes to stderr besides the report: ``--quiet`` only errors, ``--verbose`` also each file's time."""

    quiet = False
    verbose = False


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    say(message)
    raise typer.Exit(code)


def note(message: str) -> None:
    """A progress or success line on stderr, left out under ``--quiet``."""
    if not Output.quiet:
        say(message)


def say(message: str) -> None:
    """A line on stderr; names from the inputs (a catalogue's too) never reach the terminal raw."""
    from lawgov_metrics.render.safe_text import terminal_text

    typer.echo(terminal_text(message), err=True)


def load(path: Path | None) -> Catalogue:
    """Load the catalogue, or print every problem with file:line to stderr and exit 2."""
    from lawgov_metrics.catalogue import CatalogueError, load_catalogue

    try:
        return load_catalogue(path)
    except CatalogueError as exc:
        lines = [f"指标目录有 {len(exc.problems)} 处问题："] + [f"  {p}" for p in exc.problems]
        fail("\n".join(lines))


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"


PathsArgument = Annotated[
    list[Path],
    typer.Argument(metavar="文件…", help="填报的工作簿、CSV、Parquet 文件，或包含它们的文件夹。"),
]
UnitsOption = Annotated[
    Path | None,
    typer.Option(
        "--units",
        metavar="文件",
        help="单位名册（CSV/XLSX：单位名称、单位类别、别名、所属区）；默认使用输入文件夹中的 units.csv，或内置的海口市名册。",
    ),
]
FormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="输出格式：table 终端表格，json 机器可读，junit 供 CI 使用。"),
]


def read_inputs(paths: list[Path], catalogue: Catalogue, units: Path | None) -> Submission:
    """Read the inputs, with a progress bar on stderr when there are many files and stderr is a terminal."""
    from lawgov_metrics.intake.read.submissions import read_submissions

    if units is not None and not units.is_file():
        fail(f"找不到单位名册：{units}")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"找不到输入文件或文件夹：{'、'.join(missing)}")
    if Output.verbose:
        # one file after another: each file's time is its own, not shared with the files read beside it
        return read_submissions(paths, catalogue, register=units, progress=_timed_reads(), workers=1)
    console = stderr_console()
    if Output.quiet or not console.is_terminal:
        return read_submissions(paths, catalogue, register=units)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from lawgov_metrics.render.safe_text import terminal_text

    with Progress(
        TextColumn("读取"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),  # a file name is never markup
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=terminal_text(name))

        return read_submissions(paths, catalogue, register=units, progress=progress)


def _timed_reads() -> Callable[[int, int, str], None]:
    """A progress callback for ``--verbose``: one line per file read, with its time, then the whole read."""
    import time

    started = since = time.perf_counter()
    reading = ""

    def progress(done: int, total: int, name: str) -> None:
        nonlocal since, reading
        now = time.perf_counter()
        if reading:
            say(f"读取 {done}/{total} {reading}：{now - since:.2f} 秒")
        if done == total and not name:
            say(f"读取完毕：{total} 个文件，共 {now - started:.2f} 秒")
        since, reading = now, name

    return progress


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> Console:
    from rich.console import Console

    return Console()


def complete_indicator(incomplete: str) -> list[str]:
    """Shell completion of an indicator id, from the bundled catalogue."""
    from lawgov_metrics.catalogue import load_catalogue

    return [i.id for i in load_catalogue().indicators if i.id.startswith(incomplete)]


def complete_kind(incomplete: str) -> list[str]:
    """Shell completion of a unit kind: its Chinese name (what people type), from the bundled catalogue."""
    from lawgov_metrics.catalogue import load_catalogue

    return [k.name for k in load_catalogue().unit_kinds if k.name.startswith(incomplete)]
