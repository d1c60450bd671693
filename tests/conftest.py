"""Shared fixtures: the repository's files and the plan text beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "indicators.yaml"


def plan_text_path() -> Path | None:
    candidates = [
        os.environ.get("LAWGOV_PLAN_TEXT", ""),
        REPO.parent / "shared" / "plan-haikou-2021-2025.txt",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from lawgov_metrics.catalogue import load_catalogue

    return load_catalogue(CATALOGUE)


@pytest.fixture(scope="session")
def sample_assessment_2021_2025():  # type: ignore[no-untyped-def]
    """The bundled Haikou samples, read and evaluated once for the whole session."""
    import datetime as dt

    from lawgov_metrics import evaluate, load_catalogue, read_submissions

    catalogue = load_catalogue()
    submission = read_submissions([REPO / "samples" / "haikou"], catalogue)
    return evaluate(catalogue, submission, range(2021, 2026), as_of=dt.date(2026, 6, 30))
