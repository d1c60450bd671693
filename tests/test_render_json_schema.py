"""Machine contracts: ``score``/``check --format json`` match their committed JSON Schemas, and every
``--format`` the CLI offers has a renderer."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lawgov_metrics.issues import ISSUE_CODES
from lawgov_metrics.render import CHECK_FORMATS, SCORE_FORMATS, render_check_json, render_json
from lawgov_metrics.results import STATUS_LABELS, Assessment

from .sample_assessment import LONGHUA, YANFENG, sample_assessment, sample_check_report

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
# The formats `score` and `check` offer with --format (the CLI builds its choices from the registries).
OFFERED_FORMATS = ("table", "json", "junit")


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return sample_assessment()


@pytest.fixture(scope="module")
def score_payload(assessment: Assessment) -> dict[str, Any]:
    stream = io.StringIO()
    render_json(assessment, stream)
    payload: dict[str, Any] = json.loads(stream.getvalue())
    return payload


@pytest.fixture(scope="module")
def check_report() -> Any:
    return sample_check_report()


@pytest.fixture(scope="module")
def check_payload(check_report: Any) -> dict[str, Any]:
    stream = io.StringIO()
    render_check_json(check_report, stream)
    payload: dict[str, Any] = json.loads(stream.getvalue())
    return payload


def _errors(schema: dict[str, Any], payload: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(payload)]


# ---------------------------------------------------------------- score


def test_score_json_validates(score_payload: dict[str, Any]) -> None:
    assert _errors(_schema("score"), score_payload) == []


def test_score_json_is_as_dict(score_payload: dict[str, Any], assessment: Assessment) -> None:
    assert score_payload["summary"] == assessment.as_dict()["summary"]
    assert len(score_payload["results"]) == len(assessment.results)
    assert {r["status"] for r in score_payload["results"]} == set(STATUS_LABELS)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = payload
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = payload
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]

    return mutate


BROKEN_SCORES = {
    "no summary": _drop("summary"),
    "unknown top-level key": _set("extra", 1),
    "status not in the list": _set("results.0.status", "passed"),
    "rate as text": _set("units.0.rate", "92.4%"),
    "rate above 1": _set("units.0.rate", 1.5),
    "rank zero": _set("units.0.rank", 0),
    "count missing": _drop("units.0.counts.met"),
    "empty chapter id": _set(
        "units.0.chapters.", {"points": 1, "max_points": 1, "rate": 1}
    ),  # ids are the catalogue's data
    "year as text": _set("results.0.year", "2023"),
    "extra key on a result": _set("results.0.name", "报备率"),
    "unknown issue code": _set("issues.0.code", "made-up"),
    "issue without location": _drop("issues.0.file"),
    "sha256 not hex": _set("catalogue.sha256", "xyz"),
}


@pytest.mark.parametrize("mutate", BROKEN_SCORES.values(), ids=list(BROKEN_SCORES))
def test_broken_score_payload_fails(
    score_payload: dict[str, Any], mutate: Callable[[dict[str, Any]], None]
) -> None:
    broken = copy.deepcopy(score_payload)
    mutate(broken)
    assert _errors(_schema("score"), broken)


def test_score_schema_lists_every_status_issue_code_and_chapter() -> None:
    schema = _schema("score")
    result = schema["properties"]["results"]["items"]["properties"]
    unit = schema["properties"]["units"]["items"]["properties"]
    assert result["status"]["enum"] == list(STATUS_LABELS)
    assert unit["counts"]["required"] == list(STATUS_LABELS)
    assert sorted(schema["$defs"]["issue"]["properties"]["code"]["enum"]) == sorted(ISSUE_CODES)
    # chapters are the catalogue's data (another plan numbers them 1, 2, 3): any non-empty text
    assert result["chapter"]["type"] == unit["chapters"]["propertyNames"]["type"] == "string"
    assert "enum" not in result["chapter"] and "enum" not in unit["chapters"]["propertyNames"]


# ---------------------------------------------------------------- check


def test_check_payload_per_file(check_payload: dict[str, Any]) -> None:
    files = {f["file"]: f for f in check_payload["files"]}
    assert list(files) == [
        "龙华区.xlsx",
        "美兰区.xlsx",
        "市直部门汇总.xlsx",
        "市司法局.xlsx",
        "城西镇.xlsx",
        "演丰镇.xlsx",
    ]
    assert files["龙华区.xlsx"] == {
        "file": "龙华区.xlsx",
        "units": [LONGHUA],
        "years": [2022, 2023, 2024],
        "errors": 1,
        "warnings": 0,
    }
    assert files["演丰镇.xlsx"]["units"] == [YANFENG]
    assert (files["演丰镇.xlsx"]["errors"], files["演丰镇.xlsx"]["warnings"]) == (0, 1)
    assert len(files["市直部门汇总.xlsx"]["units"]) == 2
    assert check_payload["ok"] is False
    assert check_payload["summary"] == {"files": 6, "errors": 2, "warnings": 1, "strict": False}


def test_check_json_validates(check_payload: dict[str, Any]) -> None:
    assert _errors(_schema("check"), check_payload) == []
    assert check_payload["ok"] is False


def test_strict_check_validates(check_report: Any) -> None:
    stream = io.StringIO()
    render_check_json(check_report, stream, strict=True)
    payload = json.loads(stream.getvalue())
    assert payload["summary"]["strict"] is True
    assert _errors(_schema("check"), payload) == []


BROKEN_CHECKS = {
    "ok as text": _set("ok", "no"),
    "no files": _drop("files"),
    "negative errors": _set("files.0.errors", -1),
    "year as text": _set("files.0.years", ["2024"]),
    "extra key on a file": _set("files.0.path", "/tmp/a.xlsx"),
    "bad severity": _set("issues.0.severity", "fatal"),
    "summary missing strict": _drop("summary.strict"),
}


@pytest.mark.parametrize("mutate", BROKEN_CHECKS.values(), ids=list(BROKEN_CHECKS))
def test_broken_check_payload_fails(
    check_payload: dict[str, Any], mutate: Callable[[dict[str, Any]], None]
) -> None:
    broken = copy.deepcopy(check_payload)
    mutate(broken)
    assert _errors(_schema("check"), broken)


def test_both_schemas_describe_issues_alike() -> None:
    assert _schema("score")["$defs"]["issue"] == _schema("check")["$defs"]["issue"]


# ---------------------------------------------------------------- the registry


def test_every_format_is_wired(assessment: Assessment, check_report: Any) -> None:
    assert set(SCORE_FORMATS) == set(OFFERED_FORMATS)
    assert set(CHECK_FORMATS) == set(OFFERED_FORMATS)
    for name in OFFERED_FORMATS:
        out = io.StringIO()
        SCORE_FORMATS[name](assessment, out)
        assert out.getvalue().strip(), f"score --format {name} wrote nothing"
        out = io.StringIO()
        CHECK_FORMATS[name](check_report, out, strict=True)
        assert out.getvalue().strip(), f"check --format {name} wrote nothing"
        out = io.StringIO()
        SCORE_FORMATS[name](assessment, out, unit=LONGHUA)  # every format takes the same options
        assert out.getvalue().strip()


def test_machine_formats_write_only_their_payload(assessment: Assessment) -> None:
    out = io.StringIO()
    SCORE_FORMATS["json"](assessment, out)
    json.loads(out.getvalue())
    out = io.StringIO()
    SCORE_FORMATS["junit"](assessment, out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')


def test_an_empty_assessment_renders_in_every_format() -> None:
    import pandas as pd

    from lawgov_metrics.engine.evaluate import evaluate
    from lawgov_metrics.submission import Submission, empty_values

    from .sample_assessment import minimal_catalogue

    units = pd.DataFrame({"unit": pd.Series(dtype="str"), "kind": pd.Series(dtype="str")})
    empty = evaluate(
        minimal_catalogue(),
        Submission(units=units, values=empty_values()),
        years=[2024],
        as_of=dt.date(2026, 1, 1),
    )
    for name in OFFERED_FORMATS:
        out = io.StringIO()
        SCORE_FORMATS[name](empty, out)
        assert out.getvalue().strip()
    stream = io.StringIO()
    render_json(empty, stream)
    assert _errors(_schema("score"), json.loads(stream.getvalue())) == []


def test_cli_offers_exactly_the_registered_formats() -> None:
    """The `score`/`check` --format choices are the registries' keys: no choice without a renderer."""
    from enum import Enum

    from lawgov_metrics import cli

    for command, registry in (("score", SCORE_FORMATS), ("check", CHECK_FORMATS)):
        function = getattr(cli, command, None)
        if function is None:
            continue  # the command is not there yet
        hints = typing.get_type_hints(function, include_extras=True)
        choices = typing.get_args(hints["fmt"])[0]
        assert issubclass(choices, Enum)
        assert {c.value for c in choices} == set(registry), command
