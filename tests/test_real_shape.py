"""samples/real-shape/: submissions shaped like published reports score as samples/real-shape/EXPECTED.yaml
says (written by hand, a reason on each line), and the folder is what samples/make_real_shape.py writes."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lawgov_metrics import evaluate, load_catalogue, read_submissions
from lawgov_metrics.api import Assessment

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "samples" / "real-shape"
EXPECTED: dict[str, Any] = YAML(typ="safe").load((FOLDER / "EXPECTED.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    catalogue = load_catalogue()
    as_of = EXPECTED["as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    return evaluate(catalogue, read_submissions([FOLDER], catalogue), EXPECTED["years"], as_of=as_of)


def _key(row: dict[str, Any]) -> str:
    return f"{row['unit']} {row['year']} {row.get('indicator', '')}".strip()


@pytest.mark.parametrize("expected", EXPECTED["results"], ids=_key)
def test_each_result_is_as_expected(assessment: Assessment, expected: dict[str, Any]) -> None:
    r = assessment.results
    rows = r[
        (r["unit"] == expected["unit"])
        & (r["year"] == expected["year"])
        & (r["indicator"] == expected["indicator"])
    ]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["status"] == expected["status"], row["note"]
    if "value" in expected:
        assert row["value"] == pytest.approx(expected["value"])
    if "points" in expected:
        assert row["points"] == pytest.approx(expected["points"])


@pytest.mark.parametrize("expected", EXPECTED["units"], ids=_key)
def test_each_unit_year_is_as_expected(assessment: Assessment, expected: dict[str, Any]) -> None:
    s = assessment.scores
    rows = s[(s["unit"] == expected["unit"]) & (s["year"] == expected["year"])]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert bool(row["submitted"]) is expected["submitted"]
    if not expected["submitted"]:
        assert row["grade"] == "" and row[["rate", "rank", "coverage"]].isna().all()
    if "kind" in expected:
        assert row["kind"] == expected["kind"]
    if "rank" in expected:
        assert row["rank"] == expected["rank"]


def test_the_issues_are_exactly_those_expected(assessment: Assessment) -> None:
    found = sorted((Path(i.file).name, i.code, i.cell) for i in assessment.issues_list)
    wanted = sorted((i["file"], i["code"], i["cell"]) for i in EXPECTED["issues"])
    assert found == wanted


def test_every_unit_year_of_the_folder_is_listed(assessment: Assessment) -> None:
    listed = {(u["unit"], u["year"]) for u in EXPECTED["units"]}
    assert set(zip(assessment.scores["unit"], assessment.scores["year"], strict=True)) == listed


def test_the_folder_is_what_the_generator_writes(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "samples"))
    try:
        import make_real_shape
    finally:
        sys.path.remove(str(REPO / "samples"))
    written = make_real_shape.write(tmp_path)
    for path in written:
        assert path.read_bytes() == (FOLDER / path.name).read_bytes(), path.name
    assert {p.name for p in written} | {"EXPECTED.yaml"} == {p.name for p in FOLDER.iterdir()}
