"""Every hostile file in ≤ 10 s (issue 13 item 5): the safety scan and the whole ``check`` on big workbooks
that are tiny on disk, each in a fresh process (wall time, peak RSS from ``os.wait4``).

    python benchmarks/hostile.py                 # all cases
    python benchmarks/hostile.py --only scan     # the safety scan alone (inspect_xlsx)
    #   --cases noref-10m,ref-10m   --data-dir DIR (keep/reuse the inputs)

Cases (generated into a temporary folder, written without building the XML in memory where possible):

- ``noref-10m``: 50,000 rows × 200 columns of ``<c><v>1</v></c>``, no ``r`` on rows or cells (144 MB of
  XML, 2.4 MB on disk). Before the counting scan: 63–68 s and a 读取超时 (file-timeout).
- ``ref-10m``: the same cells with ``r`` everywhere (270 MB of XML), the reference-based fast scan's shape.
- ``noref-comment-10m``: ``noref-10m`` with a comment before the first row: only the exact scan may read it,
  and it is too big for that scan, so it is refused at once.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from run import run_process  # noqa: E402 - benchmarks/run.py, beside this script
from tests.hostile.make_corpus import RawEntry, repeated, sheet_xml, write_raw_zip, xlsx_entries  # noqa: E402

ROWS, COLS = 50_000, 200
HEAD = sheet_xml("").split("<sheetData>")[0].encode() + b"<sheetData>"
TAIL = b"</sheetData></worksheet>"


def _letters(c: int) -> str:
    out = ""
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def make_noref(path: Path, head: bytes = b"") -> None:
    unit = b"<row>" + b"<c><v>1</v></c>" * COLS + b"</row>"
    write_raw_zip(path, xlsx_entries(repeated(HEAD + head, unit, ROWS, TAIL)))


def make_ref(path: Path) -> None:
    cols = [_letters(c) for c in range(1, COLS + 1)]
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, []
    for piece in (HEAD, *(_row(r, cols) for r in range(1, ROWS + 1)), TAIL):
        crc, size = zlib.crc32(piece, crc), size + len(piece)
        out.append(comp.compress(piece))
    out.append(comp.flush())
    write_raw_zip(path, xlsx_entries(RawEntry("", b"".join(out), size, crc)))


def _row(r: int, cols: list[str]) -> bytes:
    return (f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in cols) + "</row>").encode()


CASES = {
    "noref-10m": make_noref,
    "ref-10m": make_ref,
    "noref-comment-10m": lambda p: make_noref(p, b"<!-- a comment -->"),
}

SCAN = """
import sys, time
from lawgov_metrics.intake.guard.safety import UnreadableFile, inspect_xlsx
start = time.perf_counter()
try:
    sheet = inspect_xlsx(sys.argv[1]).sheets[0]
    found = sheet.problem.message if sheet.problem else f"{sheet.max_row}×{sheet.max_column}, {sheet.cell_count:,} cells"
except UnreadableFile as exc:
    found = f"{exc.code}: {exc.message}"
print(f"{time.perf_counter() - start:.2f}|{found}")
"""


def run(cmd: list[str]) -> tuple[float, float, float, str, int]:
    """Wall and CPU (user + system) seconds, peak RSS in MB, output and exit code of a fresh process
    (``run.run_process``; ``check`` exits 1 on a refused file)."""
    done = run_process(cmd, ok=(0, 1, 2))
    return done.wall_s, done.cpu_s, done.peak_mb, done.stdout + done.stderr, done.rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--only", default="scan,check")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--make", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.make:  # in a process of its own: a child inherits its parent's peak RSS across fork and exec
        CASES[args.make[0]](Path(args.make[1]))
        return 0
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="hostile-"))
    data.mkdir(parents=True, exist_ok=True)
    only = args.only.split(",")
    print(f"{'case':<20} {'what':<6} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  result")
    for name in args.cases.split(","):
        path = data / f"{name}.xlsx"
        if not path.exists():
            subprocess.run([sys.executable, __file__, "--make", name, str(path)], check=True)
        if "scan" in only:
            wall, cpu, mb, text, _ = run([sys.executable, "-c", SCAN, str(path)])
            inner, _, found = text.strip().splitlines()[-1].partition("|")
            print(f"{name:<20} {'scan':<6} {wall:7.2f} {cpu:6.2f} {mb:8.0f}  (in process {inner} s) {found}")
        if "check" in only:
            wall, cpu, mb, text, code = run([sys.executable, "-m", "lawgov_metrics", "check", str(path)])
            traceback = "Traceback" in text
            last = [line.strip() for line in text.splitlines() if line.strip()][-1]
            print(
                f"{name:<20} {'check':<6} {wall:7.2f} {cpu:6.2f} {mb:8.0f}  "
                f"exit {code}, traceback: {traceback}; {last}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
