"""One measurement, run in a fresh interpreter by run.py: ``python benchmarks/_child.py CASE JSON-ARGS``.

Prints one JSON object as the last line of stdout: ``work_s`` (the timed work, imports excluded),
``setup_s`` (untimed preparation inside the child, if any), ``peak_mb`` (this process's ru_maxrss) and
what the case counted. Imports a case needs are done before its clock starts, for tool and baseline alike.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
LEDGER_INDICATORS = ("enforcement_training_hours", "enforcement_rotation_training", "enforcement_staff_count")


def case(func: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    CASES[func.__name__.replace("_", "-")] = func
    return func


def _preload(*modules: str) -> None:
    """Import before the clock starts, as the baselines import their libraries before theirs."""
    import importlib

    for module in modules:
        importlib.import_module(module)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- the tool


@case
def tool(args: dict[str, Any]) -> dict[str, Any]:
    """load_catalogue → read_submissions → evaluate, as a script would call the public API."""
    import datetime as dt

    _preload(
        "pandas",
        "python_calamine",
        "lawgov_metrics.intake.read.submissions",
        "lawgov_metrics.engine.evaluate",
    )
    from lawgov_metrics import evaluate, load_catalogue, read_submissions

    start = time.perf_counter()
    catalogue = load_catalogue()
    loaded = time.perf_counter()
    submission = read_submissions(args["paths"], catalogue, register=args["register"])
    read = time.perf_counter()
    assessment = evaluate(catalogue, submission, as_of=dt.date.fromisoformat(args["as_of"]))
    done = time.perf_counter()
    results = assessment.results
    ledger_results = results[results["indicator"].isin(LEDGER_INDICATORS)]
    hours = results[results["indicator"] == "enforcement_training_hours"]
    return {
        "work_s": done - start,
        "phases": {"catalogue": loaded - start, "read": read - loaded, "evaluate": done - read},
        "ledger_rows": {k: len(v) for k, v in submission.ledgers.items()},
        "issues": len(submission.issues),
        "issue_codes": _counts(i.code for i in assessment.issues_list),
        "statuses": _counts(results["status_label"]),
        "ledger_statuses": {
            f"{ind}:{status}": int(n)
            for (ind, status), n in ledger_results.groupby(["indicator", "status_label"]).size().items()
        },
        "hours_share": {str(u): float(v) for u, v in zip(hours["unit"], hours["value"], strict=True)},
    }


@case
def expected_shares(args: dict[str, Any]) -> dict[str, Any]:
    """The 60-学时 share per unit computed independently with pandas from the CSV files, to check the tool's."""
    import pandas as pd

    roster_path, training_path = args["paths"]
    roster = pd.read_csv(roster_path, dtype=str)
    training = pd.read_csv(training_path, dtype={"执法证号": str})
    hours = training.groupby("执法证号")["学时"].sum()
    roster["hours"] = roster["执法证号"].map(hours).fillna(0.0)
    share = roster.groupby("单位")["hours"].apply(lambda h: float((h >= 60).mean()))
    return {"work_s": 0.0, "hours_share": {str(u): float(v) for u, v in share.items()}}


@case
def tool_phases(args: dict[str, Any]) -> dict[str, Any]:
    """What ``lawgov-metrics score … -o report.xlsx`` does, phase by phase, through the API (no profiler)."""
    import datetime as dt
    import io

    _preload(
        "pandas",
        "python_calamine",
        "rich",
        "lawgov_metrics.intake.read.submissions",
        "lawgov_metrics.engine.evaluate",
    )
    from rich.console import Console

    from lawgov_metrics import evaluate, load_catalogue, read_submissions
    from lawgov_metrics.render import SCORE_FORMATS

    marks = [("start", time.perf_counter())]
    catalogue = load_catalogue()
    marks.append(("load_catalogue", time.perf_counter()))
    submission = read_submissions(args["paths"], catalogue, register=args.get("register"))
    marks.append(("read_submissions", time.perf_counter()))
    years = range(args["years"][0], args["years"][1] + 1) if args.get("years") else None
    assessment = evaluate(catalogue, submission, years, as_of=dt.date.fromisoformat(args["as_of"]))
    marks.append(("evaluate", time.perf_counter()))
    assessment.write_excel(args["output"])
    marks.append(("write_excel", time.perf_counter()))
    SCORE_FORMATS["table"](assessment, Console(file=io.StringIO(), width=120), unit=None)
    marks.append(("terminal table", time.perf_counter()))
    phases = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
    return {"work_s": marks[-1][1] - marks[0][1], "phases": phases}


@case
def inspect(args: dict[str, Any]) -> dict[str, Any]:
    """The safety checks alone: lawgov_metrics.intake.guard.safety.inspect_xlsx on each workbook."""
    _preload("lawgov_metrics.intake.guard.sniff", "lawgov_metrics.intake.guard.xlsx_scan")
    from lawgov_metrics.intake.guard.safety import inspect_xlsx

    start = time.perf_counter()
    sheets = 0
    for path in args["paths"]:
        sheets += len(inspect_xlsx(path).sheets)
    return {"work_s": time.perf_counter() - start, "sheets": sheets}


# ---------------------------------------------------------------- baselines


def _fastexcel_read(paths: list[str], header: bool) -> int:
    import fastexcel

    rows = 0
    for path in paths:
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name) if header else reader.load_sheet(name, header_row=None)
            rows += sheet.to_arrow().num_rows
    return rows


@case
def fastexcel(args: dict[str, Any]) -> dict[str, Any]:
    """The fastest raw read: every sheet of each workbook through fastexcel into Arrow tables."""
    import fastexcel  # noqa: F401
    import pyarrow  # noqa: F401

    start = time.perf_counter()
    rows = _fastexcel_read(args["paths"], header=args.get("header", True))
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def pandas_openpyxl(args: dict[str, Any]) -> dict[str, Any]:
    """pandas.read_excel(engine="openpyxl") of every sheet."""
    import openpyxl  # noqa: F401
    import pandas as pd

    start = time.perf_counter()
    rows = 0
    for path in args["paths"]:
        rows += sum(len(f) for f in pd.read_excel(path, sheet_name=None, engine="openpyxl").values())
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def arrow_csv(args: dict[str, Any]) -> dict[str, Any]:
    """The bare Arrow read of each CSV file (types inferred, threads on), the floor of any CSV reader here."""
    import pyarrow.csv as pacsv

    start = time.perf_counter()
    rows = sum(pacsv.read_csv(p).num_rows for p in args["paths"])
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def arrow_parquet(args: dict[str, Any]) -> dict[str, Any]:
    """The bare Arrow read of each Parquet file."""
    import pyarrow.parquet as pq

    start = time.perf_counter()
    rows = sum(pq.read_table(p).num_rows for p in args["paths"])
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def pandas_csv(args: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    rows = sum(len(pd.read_csv(p)) for p in args["paths"])
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def pandas_parquet(args: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet  # noqa: F401

    start = time.perf_counter()
    rows = sum(len(pd.read_parquet(p)) for p in args["paths"])
    return {"work_s": time.perf_counter() - start, "rows": rows}


@case
def raw_assessment(args: dict[str, Any]) -> dict[str, Any]:
    """Raw reads of the same inputs (fastexcel for workbooks, pandas for CSV) plus the raw write of the same
    report: the tool's own report, loaded untimed, written again by xlsxwriter, unstyled."""
    import fastexcel
    import pandas as pd
    import pyarrow  # noqa: F401
    import xlsxwriter

    begin = time.perf_counter()
    report = fastexcel.read_excel(args["report"])
    frames = [(name, report.load_sheet(name, header_row=None).to_pandas()) for name in report.sheet_names]
    rows_of = [
        (name, frame.astype(object).where(frame.notna(), None).to_numpy().tolist()) for name, frame in frames
    ]
    setup = time.perf_counter() - begin

    start = time.perf_counter()
    inputs = [Path(p) for p in args["paths"]]
    files = sorted(
        f for p in inputs for f in ([p] if p.is_file() else p.rglob("*")) if f.suffix in (".xlsx", ".csv")
    )
    rows = _fastexcel_read([str(f) for f in files if f.suffix == ".xlsx"], header=False)
    rows += sum(len(pd.read_csv(f, header=None, dtype=str)) for f in files if f.suffix == ".csv")
    read = time.perf_counter()
    workbook = xlsxwriter.Workbook(args["output"])
    for name, sheet_rows in rows_of:
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            ws.write_row(r, 0, row)
    workbook.close()
    done = time.perf_counter()
    return {
        "work_s": done - start,
        "setup_s": setup,
        "phases": {"read": read - start, "write": done - read},
        "files": len(files),
        "rows": rows,
    }


@case
def yaml_load(args: dict[str, Any]) -> dict[str, Any]:
    """The raw read of indicators.yaml with the YAML library the tool uses (ruamel, C loader)."""
    from ruamel.yaml import YAML

    start = time.perf_counter()
    data = YAML(typ="safe").load(Path(args["path"]).read_text(encoding="utf-8"))
    return {"work_s": time.perf_counter() - start, "indicators": len(data["indicators"])}


def _counts(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return dict(sorted(out.items()))


def _keep_heap_top() -> None:
    """What the CLI's entry point does for its process (``lawgov_metrics.cli._keep_heap_top``): glibc keeps up
    to 64 MB free at the heap top. A program's choice, not the library's, so this child, standing for a
    script that calls the API, makes it too, for tool and baseline alike."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-2, 64 << 20)  # M_TOP_PAD


def main() -> None:
    name, raw = sys.argv[1], sys.argv[2]
    _keep_heap_top()
    result = CASES[name](json.loads(raw))
    result["peak_mb"] = _peak_mb()
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
