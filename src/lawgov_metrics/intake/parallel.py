"""Many small files read on every core: a city's 300 workbooks are independent of one another.

Each file is read exactly as :func:`~lawgov_metrics.intake.read.read_file` reads it, in a forked worker
process, and the results come back in the files' own order, so the Submission is the same whichever way
it was read. Big files stay in the calling process (their Arrow columns would be copied back otherwise).
Only where ``fork`` is safe and cheap (Linux) and only for enough files to pay for the workers; set
``LAWGOV_METRICS_WORKERS=1`` to read in one process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.register import UnitRegister
from lawgov_metrics.intake.workbook import FileRead

MIN_FILES = 24  # below this, starting workers costs more than it saves
BIG_FILE = 8 << 20  # bytes: read where the result is needed
BATCH = 8  # files per task: few round trips, and the cores stay evenly busy

Reader = Callable[[Path, Catalogue, UnitRegister], FileRead]
_job: tuple[Reader, Catalogue, UnitRegister] | None = None  # set before the fork, inherited by workers


def workers(files: list[Path]) -> int:
    """How many processes should read these files (1: this one alone)."""
    wanted = os.environ.get("LAWGOV_METRICS_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        count = int(wanted)
    else:
        count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if sys.platform != "linux" or len(files) < MIN_FILES:
        return 1
    return max(1, min(count, len(files) // BATCH))


def read_all(
    files: list[Path],
    reader: Reader,
    catalogue: Catalogue,
    units: UnitRegister,
    processes: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileRead]:
    """Every file read, in order: small ones by ``processes`` forked workers, big ones here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _job
    small = [i for i, p in enumerate(files) if _size(p) < BIG_FILE]
    batches = [small[k : k + BATCH] for k in range(0, len(small), BATCH)]
    reads: list[FileRead | None] = [None] * len(files)
    done = 0
    _job = (reader, catalogue, units)
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            pending = [(batch, pool.submit(_read_batch, [files[i] for i in batch])) for batch in batches]
            for i in sorted(set(range(len(files))) - set(small)):  # big files meanwhile, in this process
                reads[i] = reader(files[i], catalogue, units)
                done += 1
                if progress is not None:
                    progress(done, len(files), files[i].name)
            for batch, future in pending:
                for i, read in zip(batch, future.result(), strict=True):
                    reads[i] = read
                done += len(batch)
                if progress is not None:
                    progress(done, len(files), files[batch[-1]].name)
    finally:
        _job = None
    return [r for r in reads if r is not None]


def _read_batch(paths: list[Path]) -> list[FileRead]:
    assert _job is not None, "a worker is forked from read_all"
    reader, catalogue, units = _job
    return [reader(path, catalogue, units) for path in paths]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
