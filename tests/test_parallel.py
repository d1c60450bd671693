"""Reading on several cores gives exactly what reading in one process gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake import parallel
from lawgov_metrics.intake.read import read_submissions

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "haikou"


def test_worker_count_follows_the_setting_and_the_file_count(monkeypatch: pytest.MonkeyPatch) -> None:
    many = [Path(f"{i}.xlsx") for i in range(100)]
    monkeypatch.setenv("LAWGOV_METRICS_WORKERS", "1")
    assert parallel.workers(many) == 1
    monkeypatch.setenv("LAWGOV_METRICS_WORKERS", "3")
    assert parallel.workers(many) == (3 if sys.platform == "linux" else 1)
    assert parallel.workers(many[: parallel.MIN_FILES - 1]) == 1  # too few files to pay for workers
    assert parallel.workers(many[: parallel.MIN_FILES]) == (3 if sys.platform == "linux" else 1)


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_year_of_the_sample_reads_the_same_on_two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    cat = load_catalogue()
    inputs = [SAMPLE / "2024", SAMPLE / "long"]
    monkeypatch.setattr(parallel, "BIG_FILE", 100_000)  # the bigger workbooks stay in this process
    monkeypatch.setenv("LAWGOV_METRICS_WORKERS", "2")
    seen: list[tuple[int, int]] = []
    two = read_submissions(
        inputs, cat, register=SAMPLE / "units.csv", progress=lambda d, t, _: seen.append((d, t))
    )
    monkeypatch.setenv("LAWGOV_METRICS_WORKERS", "1")
    one = read_submissions(inputs, cat, register=SAMPLE / "units.csv")
    assert two.files == one.files and len(two.files) > parallel.MIN_FILES
    assert two.issues == one.issues
    pd.testing.assert_frame_equal(two.values, one.values)
    pd.testing.assert_frame_equal(two.units, one.units)
    pd.testing.assert_frame_equal(two.coverage, one.coverage)
    assert set(two.ledgers) == set(one.ledgers)
    for ledger_id in one.ledgers:
        pd.testing.assert_frame_equal(two.ledgers[ledger_id], one.ledgers[ledger_id])
    assert seen[-1] == (len(one.files), len(one.files))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # progress only moves forward
