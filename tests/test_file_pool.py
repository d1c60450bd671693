"""Files read on a few threads (intake/read/file_pool.py): the same results, in the files' order, as one by one."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path

import pytest

from lawgov_metrics import load_catalogue, read_submissions
from lawgov_metrics.intake.read import file_pool
from lawgov_metrics.intake.read.file_pool import read_in_order

REPO = Path(__file__).resolve().parents[1]


def _files(tmp_path: Path, sizes: list[int]) -> list[Path]:
    paths = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i:02d}.bin"
        path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


def test_results_keep_the_files_order_whatever_finishes_first(tmp_path: Path) -> None:
    files = _files(tmp_path, [1] * 12)

    def read(path: Path) -> str:
        time.sleep(0.03 if int(path.stem[1:]) % 3 == 0 else 0.001)  # every third file is slow
        return path.name

    assert read_in_order(files, read, workers=3) == [p.name for p in files]


def test_small_files_go_to_the_threads_and_big_ones_stay_on_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_pool, "POOLED_FILE_BYTES", 100)
    files = _files(tmp_path, [10, 500, 10, 10, 500])
    where: dict[str, str] = {}

    def read(path: Path) -> int:
        where[path.name] = threading.current_thread().name
        return path.stat().st_size

    assert read_in_order(files, read, workers=2) == [10, 500, 10, 10, 500]
    caller = threading.current_thread().name
    assert where["f01.bin"] == where["f04.bin"] == caller
    assert all(where[n].startswith("lawgov-read") for n in ("f00.bin", "f02.bin", "f03.bin"))


def test_one_worker_reads_one_file_after_another_on_the_calling_thread(tmp_path: Path) -> None:
    files = _files(tmp_path, [1, 1, 1])
    seen: list[tuple[str, str]] = []

    def read(path: Path) -> str:
        seen.append((path.name, threading.current_thread().name))
        return path.name

    assert read_in_order(files, read, workers=1) == ["f00.bin", "f01.bin", "f02.bin"]
    assert seen == [(p.name, threading.current_thread().name) for p in files]


def test_progress_is_called_on_the_calling_thread_in_order_then_once_at_the_end(tmp_path: Path) -> None:
    files = _files(tmp_path, [1, 1, 1, 1])
    calls: list[tuple[int, int, str, str]] = []

    def progress(done: int, total: int, name: str) -> None:
        calls.append((done, total, name, threading.current_thread().name))

    read_in_order(files, lambda p: p.name, progress=progress, workers=2)
    me = threading.current_thread().name
    assert calls == [
        (0, 4, "f00.bin", me),
        (1, 4, "f01.bin", me),
        (2, 4, "f02.bin", me),
        (3, 4, "f03.bin", me),
        (4, 4, "", me),
    ]


def test_a_failure_reaches_the_caller_and_the_files_not_started_are_dropped(tmp_path: Path) -> None:
    files = _files(tmp_path, [1] * 40)
    started: list[str] = []
    lock = threading.Lock()

    def read(path: Path) -> str:
        with lock:
            started.append(path.name)
        if path.name == "f01.bin":
            raise RuntimeError("a bug, not a data problem")
        time.sleep(0.01)
        return path.name

    with pytest.raises(RuntimeError, match="a bug"):
        read_in_order(files, read, workers=2)
    assert len(started) < len(files)


def test_the_sample_reads_the_same_on_threads_as_one_by_one() -> None:
    catalogue = load_catalogue()
    folders = [
        REPO / "samples" / "flawed",
        REPO / "samples" / "haikou" / "2024",
    ]  # issues of every kind; 60 units
    one = read_submissions(folders, catalogue, workers=1)
    many = read_submissions(folders, catalogue, workers=3)
    assert len(one.files) > 60 and len(one.issues) > 20
    assert one.files == many.files
    assert one.issues == many.issues
    assert pickle.dumps(one.values) == pickle.dumps(many.values)
    assert set(one.ledgers) == set(many.ledgers)
    for ledger_id, frame in one.ledgers.items():
        assert frame.equals(many.ledgers[ledger_id]), ledger_id
