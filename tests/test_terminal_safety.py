"""Nothing from an input reaches a terminal raw (issue 13 item 4): control characters, ESC sequences and the
invisible bidirectional controls (U+202E, U+2066–2069, U+200E/F …) are neutralised in every report, the
catalogue's own views included — a catalogue is an input like any other — and no name can be taken for rich
markup.

Before: `catalogue list` printed a plan title with ESC raw and crashed on ``[/]`` in it (rich.errors.
MarkupError, a traceback); the `check` report crashed the same way on a file named ``[/]….csv``; U+202E
passed everywhere (terminal_text knew only C0/C1 controls); `catalogue validate` echoed an unknown key with
ESC raw; JSON and JUnit on stdout carried U+202E and C1 controls raw.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from lawgov_metrics.cli import app
from lawgov_metrics.render.explain import explanation, print_explanation
from lawgov_metrics.render.safe_text import json_for_terminal, terminal_text, xml_for_terminal
from lawgov_metrics.render.terminal import render_terminal
from lawgov_metrics.render.terminal_check import render_check_terminal

from .sample_assessment import JUSTICE, sample_assessment, sample_check_report, with_unit_renamed

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
BIDI = "\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u2028\u2029"
HOSTILE = "\x1b[2J[/]甲\u202eFDP.exe\u2066乙\x9b31m\x07"
# what a terminal acts on: ESC, CSI (C1), BEL, the bidirectional controls
RAW = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
runner = CliRunner()


def _raw(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})


@pytest.mark.parametrize("char", list(BIDI))
def test_terminal_text_neutralises_bidirectional_controls(char: str) -> None:
    assert terminal_text(f"甲{char}乙") == "甲\ufffd乙"


def test_terminal_text_keeps_chinese_tab_and_newline() -> None:
    assert terminal_text("海口市\t司法局\n（2024）") == "海口市\t司法局\n（2024）"


def test_json_and_xml_escape_what_a_terminal_would_act_on_losslessly() -> None:
    text = json.dumps({"单位": HOSTILE}, ensure_ascii=False)
    safe = json_for_terminal(text)
    assert _raw(safe) == [] and json.loads(safe) == {"单位": HOSTILE}
    assert xml_for_terminal("<a b='\u202e'>\x85</a>") == "<a b='&#x202E;'>&#x85;</a>"


# ---------------------------------------------------------------- the catalogue's views


@pytest.fixture(scope="module")
def hostile_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace(
        "  title: 海口市法治政府建设实施方案（2021—2025年）", f'  title: "{_yaml(HOSTILE)}方案"', 1
    )
    text = text.replace("    name: 行政规范性文件报备率\n", f'    name: "报备率{_yaml(HOSTILE)}"\n', 1)
    text = text.replace('version: "2021-2025.1"', f'version: "2021{_yaml(HOSTILE)}"', 1)
    path = tmp_path_factory.mktemp("catalogue") / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar's body (escapes for what YAML may not hold raw)."""
    return "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize(
    "args",
    [
        ["catalogue", "list"],
        ["catalogue", "show", "normative_doc_filing_rate"],
        ["catalogue", "validate"],
        ["catalogue", "list", "--format", "json"],
    ],
    ids=["list", "show", "validate", "list-json"],
)
def test_catalogue_views_neutralise_its_text(hostile_catalogue: Path, args: list[str]) -> None:
    flag = [] if args[1] == "validate" else ["-c"]
    result = runner.invoke(app, [*args, *flag, str(hostile_catalogue)])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert _raw(result.stdout) == [] and _raw(result.stderr) == []
    assert "FDP.exe" in result.output


def test_catalogue_errors_neutralise_the_key_they_name(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "    points: 1.2\n", f'    points: 1.2\n    "x{_yaml(HOSTILE)}": 1\n', 1
    )
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "validate", str(path)])
    assert result.exit_code == 2
    assert "未知的键" in result.stderr and _raw(result.stderr) == []


# ---------------------------------------------------------------- score, check, explain


def _drawn(draw) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    draw(Console(file=out, width=100, force_terminal=True, color_system="truecolor"))
    return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # rich's own colours are not the input's


def test_score_table_and_drill_down_neutralise_unit_names() -> None:
    renamed = with_unit_renamed(sample_assessment(), JUSTICE, HOSTILE)
    assert _raw(_drawn(lambda c: render_terminal(renamed, c))) == []
    assert _raw(_drawn(lambda c: render_terminal(renamed, c, unit=HOSTILE))) == []


def test_explain_neutralises_unit_names() -> None:
    renamed = with_unit_renamed(sample_assessment(), JUSTICE, HOSTILE)
    found = explanation(renamed, HOSTILE, "normative_doc_filing_rate", 2024)
    assert found is not None
    assert _raw(_drawn(lambda c: print_explanation(found, c))) == []


def test_check_report_with_a_file_named_like_markup() -> None:
    payload = sample_check_report().as_dict()
    name = f"[/]{HOSTILE}.csv"
    for entry in payload["files"]:
        entry["file"] = name
    for issue in payload["issues"]:
        issue["file"] = name
        issue["message"] = HOSTILE + issue["message"]
    text = _drawn(lambda c: render_check_terminal(payload, c))  # raised MarkupError before
    assert _raw(text) == []
    assert "[/]" in text


def test_check_json_and_junit_on_stdout_escape_bidirectional_controls(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"台账{HOSTILE}.csv".replace("/", "")).write_text("甲,乙\n1,2\n", encoding="utf-8")
    for fmt in ("json", "junit"):
        result = runner.invoke(app, ["check", str(folder), "-f", fmt, "-c", str(FIXTURE)])
        assert result.exit_code == 1, result.output
        assert _raw(result.stdout) == [], fmt
    report = json.loads(runner.invoke(app, ["check", str(folder), "-f", "json", "-c", str(FIXTURE)]).stdout)
    assert any("\u202e" in f["file"] for f in report["files"])  # the JSON reader gets the name back whole
