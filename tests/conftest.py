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
