"""At 80 columns no id, number, date or file suffix is cut across two lines, in any terminal report.

Each report is drawn on a rich Console(width=80, record=True); every run of printable ASCII (2+ characters)
that the report's rows hold must appear whole in the text. A run cut by a line break would not.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.catalogue.describe import catalogue_record, indicator_record
from lawgov_metrics.cli import app
from lawgov_metrics.render.breakable_text import BreakableText
from lawgov_metrics.render.catalogue_view import print_catalogue_table, print_indicator
from lawgov_metrics.render.line_breaks import break_offsets, pieces
from lawgov_metrics.render.payload import check_payload
from lawgov_metrics.render.terminal import render_terminal, score_view
from lawgov_metrics.render.terminal_check import render_check_terminal

from .cli_data import write_dataset
from .conftest import REPO
from .sample_assessment import JUSTICE, LONGHUA, sample_assessment, sample_check_report

ASCII_RUN = re.compile(r"[\x21-\x7e]{2,}")
LONG_PATH = re.compile(r"[^/]*/|[^/]+")  # a run of more than 20 that is a path may break after a slash
FIXTURE = REPO / "tests" / "fixtures" / "minimal_catalogue.yaml"


def _draw(draw, width: int = 80) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=width, record=True, force_terminal=False, file=io.StringIO())
    draw(console)
    return console.export_text()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.astuple(value):
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _cut(text: str, sources: Any) -> list[str]:
    """The ASCII runs of ``sources`` that the drawn ``text`` does not hold whole."""
    runs = {run for s in _strings(sources) for line in s.splitlines() for run in ASCII_RUN.findall(line)}
    runs = {part for run in runs for part in (LONG_PATH.findall(run) if len(run) > 20 else [run])}
    assert runs, "nothing to look for"
    return sorted(run for run in runs if run not in text)


# ---------------------------------------------------------------- the line breaking itself


def test_pieces_keep_runs_whole_and_punctuation_with_its_neighbour() -> None:
    assert pieces("100%（53/53）") == ["100%", "（53/53）"]
    assert pieces("共53件，已办结") == ["共", "53", "件，", "已", "办", "结"]
    assert pieces("表.xlsx › E12") == ["表.xlsx ", "› ", "E12"]
    assert pieces("“双随机”") == ["“双", "随", "机”"]
    assert pieces("normative_doc_filing_rate 未达标") == ["normative_doc_filing_rate ", "未", "达", "标"]


def test_breaks_fall_between_chinese_characters_never_inside_a_number() -> None:
    text = "规划期内每人累计 ≥ 2，达标人数占比 ≥ 100%"
    offsets = break_offsets(text, 10)
    lines = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)], strict=True)]
    assert lines == ["规划期内每", "人累计 ≥ ", "2，达标人", "数占比 ≥ ", "100%"]
    # a piece wider than the whole width is folded, as rich does
    assert break_offsets("abcdefghij", 4) == [4, 8]


def test_plain_rich_cuts_a_number_that_breakable_text_keeps() -> None:
    def draw(cell: type[Text]) -> str:
        table = Table(show_header=False, box=None)
        table.add_column(width=9, overflow="fold")
        table.add_row(cell("100%（53/53）"))
        return _draw(lambda c: c.print(table))

    assert "53/53" not in draw(Text)  # what rich alone does: ``100%（53/5`` / ``3）``
    assert draw(BreakableText).split() == ["100%", "（53/53）"]


def test_measure_gives_the_widest_unbreakable_piece() -> None:
    console = Console(width=80, file=io.StringIO())
    measured = BreakableText("每人累计 ≥ 2，达标人数占比 ≥ 100%（12/13）").__rich_measure__(
        console, console.options
    )
    assert measured.minimum == len("（12/13）") + 2  # two wide parentheses


# ---------------------------------------------------------------- the reports


@pytest.fixture(scope="module")
def assessment():  # type: ignore[no-untyped-def]
    return sample_assessment()


def _score_tokens(view) -> list[Any]:  # type: ignore[no-untyped-def]
    """What the score report draws of its rows besides unit names (a name may wrap; a hostile one is long)."""
    drawn: list[Any] = [view.header.version, view.header.sha256]
    for section in view.sections:
        for ranking in section.rankings:
            drawn += [(r.rank, r.points, r.max_points, r.rate, r.coverage) for r in ranking.rows]
        drawn += [(r.clause, r.name) for r in section.failing]
        drawn += [rates for _, rates in section.chapters.rows]
    for year in view.drill:
        drawn += [year.summary] + [
            (r.clause, r.name, r.display, r.target, r.points, r.note) for r in year.rows
        ]
    drawn += list(view.by_year)
    return drawn


def test_score_report_keeps_every_token_whole(assessment) -> None:  # type: ignore[no-untyped-def]
    text = _draw(lambda c: render_terminal(assessment, c))
    assert _cut(text, _score_tokens(score_view(assessment))) == []


@pytest.mark.parametrize("unit", [JUSTICE, LONGHUA])
def test_unit_report_keeps_every_token_whole(assessment, unit: str) -> None:  # type: ignore[no-untyped-def]
    text = _draw(lambda c: render_terminal(assessment, c, unit=unit))
    view = score_view(assessment, unit)
    assert view.by_year and len(view.drill) == 1
    assert _cut(text, _score_tokens(view)) == []


def test_unit_report_for_one_year_shows_that_year_without_the_year_table() -> None:
    one_year = sample_assessment(years=(2023,))
    view = score_view(one_year, JUSTICE)
    assert ([d.year for d in view.drill], view.by_year) == ([2023], ())
    text = _draw(lambda c: render_terminal(one_year, c, unit=JUSTICE))
    assert "历年得分率" not in text
    assert "海口市司法局 2023年" in text


def test_check_report_keeps_every_token_whole() -> None:
    report = sample_check_report()
    text = _draw(lambda c: render_check_terminal(report, c))
    payload = check_payload(report, strict=False)
    drawn = [(i["code"], i["cell"] or "", i["message"]) for i in payload["issues"]]
    assert _cut(text, drawn) == []


def test_catalogue_list_and_show_keep_ids_and_targets_whole() -> None:
    catalogue = load_catalogue()
    record = catalogue_record(catalogue)
    text = _draw(lambda c: print_catalogue_table(record, c))
    ids = [ind["id"] for ind in record["indicators"]]
    assert [i for i in ids if i not in text] == []
    assert _cut(text, [ind["target_label"] for ind in record["indicators"]]) == []
    names = {k.id: k.name for k in catalogue.unit_kinds}
    for ind in catalogue.indicators:
        shown = indicator_record(catalogue, ind)
        text = _draw(lambda c, r=shown: print_indicator(r, c, names=names))
        assert _cut(text, [shown["id"], shown["target_label"], shown["formula"]]) == [], ind.id


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(load_catalogue(FIXTURE), tmp_path_factory.mktemp("data"))


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_explain_from_the_command_line_keeps_sources_whole(data: Path) -> None:
    args = ["explain", str(data), "--unit", "司法局", "--indicator", "normative_doc_filing_rate"]
    args += ["--year", "2024", "--as-of", "2026-11-27", "-c", str(FIXTURE)]
    text = _run(*args)
    record = json.loads(_run(*args, "--format", "json"))
    shown = [record["indicator"], record["value"], record["target"]]
    shown += [[line["name"], line["value"], line["source"]] for line in record["inputs"]]
    assert _cut(text, shown) == []


def test_check_from_the_command_line_keeps_file_names_and_codes_whole() -> None:
    flawed = str(REPO / "samples" / "flawed")
    text = _run("check", flawed)
    payload = json.loads(_run("check", flawed, "--format", "json"))
    assert (
        _cut(text, [payload["files"], [(i["code"], i["file"], i["cell"] or "") for i in payload["issues"]]])
        == []
    )
