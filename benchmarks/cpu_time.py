"""CPU time of the tool and of the bare read of the same inputs, in one process: a ratio that holds when
other work shares the machine (wall-clock ratios from run.py do not, past a load of ~2 on 2 cores).

    python benchmarks/cpu_time.py INPUT…            # a folder or file; prints one JSON line
    PYTHONPATH=/tmp/old/src python benchmarks/cpu_time.py INPUT…   # the same for another checkout's src

The tool is load_catalogue → read_submissions(register=samples/haikou/units.csv) → evaluate, as in run.py's
ledger cases; the bare read is fastexcel → Arrow of every sheet (workbooks), pyarrow.csv.read_csv (CSV but
the register) and pyarrow.parquet.read_table (Parquet). ``time.process_time`` counts every thread, so Arrow's
threaded CSV read is charged in full. glibc keeps 64 MB at the heap top, as the CLI's entry point asks.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import sys
import time
from pathlib import Path

REGISTER = Path(__file__).resolve().parents[1] / "samples" / "haikou" / "units.csv"


def bare_read(paths: list[str]) -> None:
    import fastexcel
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    for raw in paths:
        path = Path(raw)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if f.suffix == ".xlsx":
                reader = fastexcel.read_excel(str(f))
                for name in reader.sheet_names:
                    reader.load_sheet(name).to_arrow()
            elif f.suffix == ".csv" and f.name != "units.csv":
                pacsv.read_csv(f)
            elif f.suffix == ".parquet":
                pq.read_table(f)


def main() -> None:
    import logging

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-2, 64 << 20)  # M_TOP_PAD, as lawgov_metrics.cli.main does
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    import lawgov_metrics.engine.evaluate  # imports before the clock, as in run.py
    import lawgov_metrics.intake.read.submissions
    from lawgov_metrics import evaluate, load_catalogue, read_submissions

    paths = sys.argv[1:]
    clock = time.process_time
    start = clock()
    catalogue = load_catalogue()
    loaded = clock()
    submission = read_submissions(paths, catalogue, register=REGISTER)
    read = clock()
    evaluate(catalogue, submission, as_of=dt.date(2025, 6, 30))
    done = clock()
    bare_read(paths)
    bare = clock() - done
    tool = done - start
    out = {
        "inputs": [Path(p).name for p in paths],
        "src": str(Path(lawgov_metrics.intake.read.submissions.__file__).parents[2]),
        "catalogue_cpu_s": round(loaded - start, 3),
        "read_cpu_s": round(read - loaded, 3),
        "evaluate_cpu_s": round(done - read, 3),
        "tool_cpu_s": round(tool, 3),
        "bare_read_cpu_s": round(bare, 3),
        "ratio": round(tool / bare, 2),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
