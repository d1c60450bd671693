"""`lawgov-metrics catalogue …` and the root command, through typer's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from lawgov_metrics import __version__
from lawgov_metrics.cli import app

from .conftest import CATALOGUE, REPO

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"lawgov-metrics {__version__}"


def test_help_is_chinese() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "海口市法治政府建设实施方案" in result.stdout
    assert "catalogue" in result.stdout


def test_list_json_contract() -> None:
    result = runner.invoke(app, ["catalogue", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"plan", "indicators", "fields", "ledgers"}
    assert payload["plan"]["period"] == {"start": 2021, "end": 2025}
    for ind in payload["indicators"]:
        assert {"id", "name", "chapter", "clause", "quote", "kind", "applies_to", "target", "points"} <= set(
            ind
        )
    for field in payload["fields"]:
        assert {"id", "name", "unit", "type"} <= set(field)
    by_id = {i["id"]: i for i in payload["indicators"]}
    assert by_id["normative_doc_filing_rate"]["target"] == {"op": ">=", "value": 1.0}
    assert by_id["enforcement_stats_annual_report"]["target"] == {
        "due": {"year_offset": 1, "month": 1, "day": 31}
    }


def test_list_chapter_filter() -> None:
    result = runner.invoke(
        app, ["catalogue", "list", "--chapter", "五", "--format", "json", "-c", str(FIXTURE)]
    )
    assert result.exit_code == 0
    ids = [i["id"] for i in json.loads(result.stdout)["indicators"]]
    assert ids == [
        "enforcement_training_hours",
        "enforcement_rotation_training",
        "enforcement_stats_annual_report",
    ]


def test_list_unknown_chapter_is_usage_error() -> None:
    result = runner.invoke(app, ["catalogue", "list", "--chapter", "十一"])
    assert result.exit_code == 2
    assert "没有第十一章" in result.stderr


def test_list_table_shows_names() -> None:
    result = runner.invoke(app, ["catalogue", "list", "-c", str(FIXTURE)])
    assert result.exit_code == 0
    assert "报备率" in result.stdout


def test_show_prints_the_quote() -> None:
    result = runner.invoke(app, ["catalogue", "show", "leadership_study_sessions", "-c", str(FIXTURE)])
    assert result.exit_code == 0
    assert "每年开展中心组学法不少于4次" in result.stdout
    assert "每少一次扣 0.3 分，累计不超过 1.2 分" in result.stdout


def test_show_unknown_id_suggests() -> None:
    result = runner.invoke(app, ["catalogue", "show", "leadership_study_session", "-c", str(FIXTURE)])
    assert result.exit_code == 2
    assert "是否应为 `leadership_study_sessions`" in result.stderr


def test_validate_shipped_catalogue() -> None:
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 0, result.output
    assert "指标目录有效" in result.stderr
    assert result.stdout == ""


def test_validate_broken_catalogue_exits_2_without_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "    numerator: normative_docs_filed\n", "    thresold: 1\n"
    )
    broken.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "validate", str(broken)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{broken}:129: indicators[0].numerator: 缺少必填项" in result.stderr
    assert "未知的键 `thresold`" in result.stderr


def test_schema_matches_committed_file() -> None:
    result = runner.invoke(app, ["catalogue", "schema"])
    assert result.exit_code == 0
    committed = (REPO / "indicators.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, "run `lawgov-metrics catalogue schema > indicators.schema.json`"
    assert CATALOGUE.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=./indicators.schema.json"
    )


def test_shipped_catalogue_validates_against_its_json_schema() -> None:
    import jsonschema

    from lawgov_metrics.catalogue.loader import _parse_yaml

    data, _ = _parse_yaml(CATALOGUE.read_bytes(), "indicators.yaml")
    schema = json.loads((REPO / "indicators.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from lawgov_metrics.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'openpyxl', 'pydantic', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lawgov_metrics", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"lawgov-metrics {__version__}"
