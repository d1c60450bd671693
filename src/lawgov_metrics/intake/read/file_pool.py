"""Many small input files read on a few threads, the results kept in the files' order.

A folder of submissions is hundreds of small workbooks. Most of a workbook's read is spent where Python's
lock is let go: calamine's parse of each sheet (Rust) and the guard's inflation of the zip parts (zlib). So
a second thread reading the next file overlaps that time with this file's Python work: the 303 workbooks
of ``samples/haikou`` are read in ~0.7 of the time on two cores (``benchmarks/README.md``). Threads, not
processes: the raw cells of a folder are ~14 MB pickled, and shipping them back cost more than it saved.

What stays as it was, on purpose:

- each file is read by :func:`~lawgov_metrics.intake.read.submissions.read_file` exactly as before, and the
  results come back in the files' order, so issues and "first file wins" rules do not depend on timing;
- a big file (over :data:`POOLED_FILE_BYTES` on disk, e.g. a 1M-row ledger) is read on the calling thread,
  one at a time: two of them at once would double the peak memory that its read limits were set for;
- ``workers=1`` reads one file after another on the calling thread (``lawgov-metrics -v`` times each file).

The reading code shares only immutable state between files (the catalogue, the register, readers that keep
no state but their patterns, and caches whose entries are computed the same by any thread).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
Progress = Callable[[int, int, str], None]

MAX_READ_THREADS = 3  # more threads than this wait on Python's lock, whatever the cores
POOLED_FILE_BYTES = 4 * 1024 * 1024  # bigger files are read alone, on the calling thread


def default_workers() -> int:
    """Threads for reading: one per core this process may run on, at most :data:`MAX_READ_THREADS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_READ_THREADS, cores))


def read_in_order(
    files: Sequence[Path],
    read: Callable[[Path], T],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> list[T]:
    """``[read(f) for f in files]``, small files on up to ``workers`` threads; ``progress(i, n, name)`` is
    called on the calling thread before file ``i`` is taken, and ``progress(n, n, "")`` at the end."""
    count = len(files)
    threads = default_workers() if workers is None else max(1, workers)
    pooled = [i for i, path in enumerate(files) if _small(path)] if threads > 1 and count > 1 else []
    if len(pooled) < 2:
        out = []
        for i, path in enumerate(files):
            if progress is not None:
                progress(i, count, path.name)
            out.append(read(path))
    else:
        out = _pooled(files, read, pooled, threads, progress)
    if progress is not None:
        progress(count, count, "")
    return out


def _pooled(
    files: Sequence[Path],
    read: Callable[[Path], T],
    pooled: list[int],
    threads: int,
    progress: Progress | None,
) -> list[T]:
    pool = ThreadPoolExecutor(threads, thread_name_prefix="lawgov-read")
    futures: dict[int, Future[T]] = {i: pool.submit(read, files[i]) for i in pooled}
    out: list[T] = []
    try:
        for i, path in enumerate(files):
            if progress is not None:
                progress(i, len(files), path.name)
            future = futures.get(i)
            out.append(read(path) if future is None else future.result())
    finally:
        # on an error (or Ctrl-C) the files not yet started are dropped; a thread finishes the file it is on
        pool.shutdown(wait=True, cancel_futures=True)
    return out


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= POOLED_FILE_BYTES
    except OSError:
        return True  # reading it reports why, as for any file
