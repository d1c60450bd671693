"""``dump_json`` writes piece by piece: the same data as ``json.dumps``, each item of a top-level list on a
line of its own, terminal controls escaped, non-finite numbers as null."""

from __future__ import annotations

import io
import json

from lawgov_metrics.render.jsonout import dump_json


def _dumped(payload: dict) -> str:
    stream = io.StringIO()
    dump_json(payload, stream)
    return stream.getvalue()


def test_one_line_per_item_and_the_same_data() -> None:
    payload = {
        "version": "1",
        "summary": {"units": 2, "nested": {"a": [1, 2]}},
        "results": [
            {"unit": "甲", "value": 0.5, "inputs": [{"input": "x", "source": "a.xlsx › B7"}]},
            {"unit": "乙"},
        ],
        "empty": [],
    }
    text = _dumped(payload)
    assert json.loads(text) == payload
    lines = text.splitlines()
    assert '    {"unit": "甲", "value": 0.5, "inputs": [{"input": "x", "source": "a.xlsx › B7"}]},' in lines
    assert '    {"unit": "乙"}' in lines
    assert '  "summary": {' in lines  # small values keep json.dumps(indent=2)'s layout
    assert '  "empty": []' in lines
    assert text.endswith("\n}\n")


def test_non_finite_numbers_are_null_and_controls_escaped() -> None:
    text = _dumped({"results": [{"rate": float("nan"), "unit": "\u202e单位\x1b[31m"}], "top": float("inf")})
    assert json.loads(text) == {"results": [{"rate": None, "unit": "\u202e单位\x1b[31m"}], "top": None}
    assert "\u202e" not in text and "\x1b" not in text
    assert "\\u202e" in text and "\\u001b" in text


def test_an_empty_payload() -> None:
    assert _dumped({}) == "{}\n"


def test_the_lazy_payload_writes_what_as_dict_holds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Results built a chunk at a time (a chunk of 7 here, so that chunks split results mid-unit) give the
    same JSON as the whole list, and the lazy list can be walked more than once."""
    from lawgov_metrics import results
    from tests.sample_assessment import sample_assessment

    assessment = sample_assessment()
    whole = assessment.as_dict()
    monkeypatch.setattr(results, "RESULT_CHUNK", 7)
    lazy = assessment.json_payload()
    assert len(lazy["results"]) == len(whole["results"]) > 7
    assert list(lazy["results"]) == whole["results"] == list(lazy["results"])
    assert json.loads(_dumped(lazy)) == json.loads(_dumped(whole))
    assert sum(len(r["inputs"]) for r in whole["results"]) == len(assessment.provenance)
