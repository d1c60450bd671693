"""`check samples/flawed` reports each planted mistake at its exact cell, and nothing that was not planted."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML
from typer.testing import CliRunner

from lawgov_metrics.cli import app

from .conftest import REPO

FLAWED = REPO / "samples" / "flawed"


def test_every_planted_mistake_is_reported_at_its_cell() -> None:
    expected = YAML(typ="safe").load((FLAWED / "EXPECTED.yaml").read_text(encoding="utf-8"))["issues"]
    result = CliRunner().invoke(app, ["check", str(FLAWED), "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    got = {(Path(i["file"]).name, i["code"], i["sheet"], i["cell"]) for i in payload["issues"]}
    planted = {(e["file"], e["code"], e["sheet"], e["cell"]) for e in expected}
    assert planted - got == set(), "planted mistakes not reported"
    errors = {
        (Path(i["file"]).name, i["code"], i["sheet"], i["cell"])
        for i in payload["issues"]
        if i["severity"] == "error"
    }
    assert errors - planted == set(), "errors reported that were not planted"


def test_clean_samples_have_no_errors() -> None:
    result = CliRunner().invoke(app, ["check", str(REPO / "samples" / "haikou" / "2024"), "--format", "json"])
    payload = json.loads(result.stdout)
    assert payload["summary"]["errors"] == 0, payload["issues"][:5]
    assert result.exit_code == 0
