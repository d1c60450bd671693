"""10^4 units with data: generate a register and a long-table submission, then time the tool on them.

    python benchmarks/many_units.py                  # 10,000 units, 2024: CLI score -o report.xlsx + the API
    python benchmarks/many_units.py --units 2000 --only api --profile   # pyinstrument profile of the API run
    #   --years 2023,2024   --data-dir DIR (keep/reuse the inputs)   --only terminal,cli,json,api,phases

The inputs: the 60 simulated units of ``samples/make_samples.py`` (their 2024 figures, as its long rows),
then clones of its 市直部门 and 镇（街道） units, each clone reporting its template's figures under its own name
(towns keep their 所属区, so the four districts roll up thousands of towns). One CSV register, one long-table
CSV per year. Each case runs in a fresh process; wall time and peak RSS (``ru_maxrss`` via ``os.wait4``) are
printed, and the scored results are counted so a run that silently scored nothing is visible.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import run_process  # benchmarks/run.py, beside this script

REPO = Path(__file__).resolve().parents[1]
TARGET_S, TARGET_MB = 30.0, 1024.0


def generate(out: Path, units: int, years: list[int]) -> tuple[Path, list[Path]]:
    """Register and long tables for ``units`` units (at least the 60 of the sample) into ``out``."""
    sys.path.insert(0, str(REPO / "samples"))
    import make_samples as ms  # type: ignore[import-not-found]

    cat = ms.load_catalogue(str(REPO / "indicators.yaml"))
    qualities = ms.draw_qualities()
    rows_by_unit: dict[tuple[str, int], list[list[str]]] = {}
    for unit in ms.UNITS:
        sim = ms.UnitSim(cat, unit, *qualities[unit.name], ms.citywide_calendar())
        for year in ms.YEARS:
            uy = sim.year(year)  # every year in order: a unit's simulation carries state forward
            if year in years:
                rows_by_unit[(unit.name, year)] = ms.long_rows(cat, uy)
    templates = [u for u in ms.UNITS if u.kind_name in ("市直部门", "镇（街道）")]
    register = io.StringIO()
    writer = csv.writer(register, lineterminator="\r\n")
    writer.writerow(["单位名称", "单位类别", "别名", "所属区", "行政执法单位"])
    names: list[tuple[str, str]] = []  # (unit, template)
    for u in ms.UNITS:
        enforcement = "否" if u.name in ms.NO_ENFORCEMENT_POWERS else "是"
        writer.writerow([u.name, u.kind_name, ";".join(u.aliases), u.district, enforcement])
        names.append((u.name, u.name))
    for k in range(max(0, units - len(ms.UNITS))):
        t = templates[k % len(templates)]
        name = f"{t.name}第{k // len(templates) + 1}分支"
        enforcement = "否" if t.name in ms.NO_ENFORCEMENT_POWERS else "是"
        writer.writerow([name, t.kind_name, "", t.district, enforcement])
        names.append((name, t.name))
    out.mkdir(parents=True, exist_ok=True)
    reg_path = out / "units.csv"
    reg_path.write_bytes(register.getvalue().encode("utf-8-sig"))
    tables = []
    for year in years:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["单位", "年度", "字段", "数值", "期间"])
        for name, template in names:
            for row in rows_by_unit[(template, year)]:
                w.writerow([name, *row[1:]])
        path = out / f"{year}-长表.csv"
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
        tables.append(path)
    return reg_path, tables


API_CHILD = """
import datetime as dt, json, sys, time
args = json.loads(sys.argv[1])
import lawgov_metrics.intake.read.submissions, lawgov_metrics.engine.evaluate  # imports before the clock
from lawgov_metrics import evaluate, load_catalogue, read_submissions
t0 = time.perf_counter()
cat = load_catalogue()
t1 = time.perf_counter()
sub = read_submissions(args["paths"], cat, register=args["register"])
t2 = time.perf_counter()
a = evaluate(cat, sub, as_of=dt.date(2026, 6, 30))
t3 = time.perf_counter()
res = a.results
print(json.dumps({"catalogue": t1 - t0, "read": t2 - t1, "evaluate": t3 - t2,
                  "units": int(sub.units.shape[0]), "values": int(sub.values.shape[0]),
                  "results": int(res.shape[0]), "issues": len(a.issues)}))
"""


PHASES_CHILD = """
import datetime as dt, io, json, resource, sys, time
args = json.loads(sys.argv[1])
import lawgov_metrics.intake.read.submissions, lawgov_metrics.engine.evaluate  # imports before the clock
from lawgov_metrics import evaluate, load_catalogue, read_submissions
from lawgov_metrics.render import SCORE_FORMATS
out = {}
def phase(name, start):
    out[name] = [round(time.perf_counter() - start, 2), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)]
t = time.perf_counter(); cat = load_catalogue(); phase("catalogue", t)
t = time.perf_counter(); sub = read_submissions(args["paths"], cat, register=args["register"]); phase("read", t)
t = time.perf_counter(); a = evaluate(cat, sub, as_of=dt.date(2026, 6, 30)); phase("evaluate", t)
t = time.perf_counter(); a.as_dict(); phase("as_dict", t)
t = time.perf_counter(); SCORE_FORMATS["json"](a, io.StringIO()); phase("json", t)
t = time.perf_counter(); a.write_excel(args["xlsx"]); phase("write_excel", t)
t = time.perf_counter(); SCORE_FORMATS["table"](a, io.StringIO()); phase("terminal", t)
print(json.dumps(out, ensure_ascii=False))
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, stdout of a fresh process (``run.run_process``; ``score`` exits 1 when
    the inputs hold errors)."""
    done = run_process(cmd, ok=(0, 1))
    return done.wall_s, done.peak_mb, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--years", default="2024")
    parser.add_argument("--only", default="terminal,cli,json,api")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the API run (text to stdout)")
    parser.add_argument("--make", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    years = [int(y) for y in args.years.split(",")]
    if args.make:  # in a process of its own: a child inherits its parent's peak RSS across fork and exec
        generate(Path(args.make), args.units, years)
        return 0
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="many-units-"))
    reg = data / "units.csv"
    tables = [data / f"{y}-长表.csv" for y in years]
    start = time.perf_counter()
    if not (reg.exists() and all(t.exists() for t in tables)):
        make = [
            sys.executable,
            __file__,
            "--make",
            str(data),
            "--units",
            str(args.units),
            "--years",
            args.years,
        ]
        subprocess.run(make, check=True)
    lines = sum(t.read_bytes().count(b"\n") - 1 for t in tables)
    print(
        f"inputs in {data}: {args.units:,} units, {lines:,} long rows ({time.perf_counter() - start:.1f} s)"
    )
    span = f"{years[0]}-{years[-1]}"
    exe = [sys.executable, "-m", "lawgov_metrics"]
    only = args.only.split(",")
    score = [*exe, "score", *map(str, tables), "--units", str(reg), "--years", span, "--as-of", "2026-06-30"]
    if "terminal" in only:
        wall, mb, _ = run(score)
        met = "yes" if wall < TARGET_S and mb < TARGET_MB else "NO"
        print(f"cli score (terminal)          {wall:7.2f} s {mb:7.0f} MB   (target < 30 s, < 1 GB: {met})")
    if "cli" in only:
        wall, mb, _ = run([*score, "-o", str(data / "report.xlsx")])
        met = "yes" if wall < TARGET_S and mb < TARGET_MB else "NO"
        print(f"cli score -o report.xlsx      {wall:7.2f} s {mb:7.0f} MB   (target < 30 s, < 1 GB: {met})")
    if "json" in only:  # JSON goes to stdout (-o writes the Excel report only); run() keeps it in a temp file
        wall, mb, _ = run([*score, "--format", "json"])
        print(f"cli score --format json       {wall:7.2f} s {mb:7.0f} MB")
    if "phases" in only:  # in process, one after another: [seconds, peak MB so far]
        payload = json.dumps(
            {"paths": [str(t) for t in tables], "register": str(reg), "xlsx": str(data / "phases.xlsx")}
        )
        wall, mb, text = run([sys.executable, "-c", PHASES_CHILD, payload])
        print(f"api phases                    {wall:7.2f} s {mb:7.0f} MB   {text.strip().splitlines()[-1]}")
    if "api" in only:
        payload = json.dumps({"paths": [str(t) for t in tables], "register": str(reg)})
        if args.profile:
            wall, mb, text = run([sys.executable, "-m", "pyinstrument", "-c", API_CHILD, payload])
            print(text)
        else:
            wall, mb, text = run([sys.executable, "-c", API_CHILD, payload])
            phases = json.loads(text.strip().splitlines()[-1])
            print(f"api read+evaluate             {wall:7.2f} s {mb:7.0f} MB   {phases}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
