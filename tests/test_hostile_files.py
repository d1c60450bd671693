"""Every file of the hostile corpus gives one clear outcome, within 10 s and 500 MB, in a process of its own.

Each case runs ``sniff`` → ``inspect_xlsx`` → ``read_sheet_grid`` (every sheet) in a subprocess, so a parser
that aborted the process would fail its case instead of killing pytest; the subprocess's own peak RSS and
wall time are measured (``os.wait4``). Cases run two at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.make_corpus import build_corpus

WALL_LIMIT_S = 10.0
RSS_LIMIT_MB = 500.0

RUNNER = r"""
import datetime as dt, json, sys
from pathlib import Path
from lawgov_metrics.intake.guard.safety import ReadLimits, UnreadableFile, inspect_xlsx, read_sheet_grid, sniff

path, limits = Path(sys.argv[1]), ReadLimits(**json.loads(sys.argv[2]))

def plain(v):
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return {type(v).__name__: v.isoformat()}
    if isinstance(v, dt.timedelta):
        return {"timedelta": v.total_seconds()}
    return v

out = {}
try:
    out["kind"] = sniff(path, limits)
    info = inspect_xlsx(path, limits)
    out["date1904"] = info.date1904
    out["sheets"] = []
    for s in info.sheets:
        entry = {
            "name": s.name, "state": s.state, "max_row": s.max_row, "max_column": s.max_column,
            "errors": sorted([r, c, v] for (r, c), v in s.error_cells.items()),
            "formulas": sorted(list(rc) for rc in s.formula_cells), "merged": sorted(s.merged_ranges),
        }
        try:
            grid = read_sheet_grid(path, s.name, info)
            entry["shape"] = list(grid.shape)
            entry["grid"] = [[plain(v) for v in row] for row in grid.itertuples(index=False)] if grid.size < 5000 else None
        except UnreadableFile as exc:
            entry["problem"] = {"code": exc.code, "message": exc.message, "sheet": exc.sheet, "cell": exc.cell}
        out["sheets"].append(entry)
except UnreadableFile as exc:
    out["code"], out["message"] = exc.code, exc.message
print(json.dumps(out, ensure_ascii=False))
"""


@dataclass(frozen=True)
class Expect:
    code: str | None = None  # the file as a whole is unreadable with this code
    says: tuple[str, ...] = ()  # ... and its message (or the sheet problem's) names these
    kind: str = "xlsx"  # what sniff() says, when it says anything
    problems: dict[str, str] = field(default_factory=dict)  # sheet → code of its problem
    check: Callable[[dict[str, Any]], None] | None = None
    limits: dict[str, Any] = field(default_factory=dict)
    file: str = ""  # corpus file, when the case name is not the file name


def _sheet(out: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in out["sheets"] if s["name"] == name)


def check_plain(out: dict[str, Any]) -> None:
    sheet = _sheet(out, "Sheet1")
    assert sheet["shape"] == [41, 2]
    assert sheet["grid"][0] == ["单位", "人数"]
    assert sheet["grid"][40] == ["单位40", 40]


def check_ledger(out: dict[str, Any]) -> None:
    sheet = _sheet(out, "台账")
    grid = sheet["grid"]
    assert grid[0][0] == "2024年行政执法案件台账"  # the merged title stays at A1
    assert grid[1] == [""] * 6
    assert grid[2] == ["编号", "单位", "金额", "比例", "受理日期", "备注"]  # header on Excel row 3
    assert grid[3][:4] == [1, "市司法局", "１２３", "95%"]  # full-width digits and percent stay text
    assert grid[3][4] == {"date": "2024-03-01"}
    assert grid[4][3] == "９５％"
    assert grid[4][4] == {"datetime": "2024-12-31T08:30:00"}
    assert grid[3][5] == "NA" and grid[4][5] == "None" and grid[5][5] == "#N/A"  # text, not missing values
    assert grid[5][2] == "1,234"
    assert grid[6][2] == "" and grid[6][3] == ""  # formulas without a cached value look blank ...
    assert sheet["formulas"] == [[6, 2], [6, 3]]  # ... and are flagged
    assert sheet["errors"] == []
    assert sheet["merged"] == ["A1:F1", "A8:B8"]


def check_errors(out: dict[str, Any]) -> None:
    sheet = _sheet(out, "错误值")
    assert sheet["errors"] == [[1, 1, "#DIV/0!"], [2, 1, "#N/A"]]
    assert sheet["grid"][1][1] == "" and sheet["grid"][2][1] == ""  # shown blank by the parser
    assert sheet["grid"][3][1] == ""  # a real blank: not flagged
    assert sheet["grid"][4][1] == "NA"


def check_hidden(out: dict[str, Any]) -> None:
    assert [(s["name"], s["state"]) for s in out["sheets"]] == [
        ("汇总", "visible"),
        ("隐藏表", "hidden"),
        ("_lists", "veryHidden"),
    ]
    assert _sheet(out, "隐藏表")["grid"] == [["不应读取", 1]]  # readable when the caller chooses to


def check_1904(out: dict[str, Any]) -> None:
    assert out["date1904"] is True
    assert _sheet(out, "日期")["grid"][1] == [{"date": "2024-03-01"}, 45000]


def check_offset(out: dict[str, Any]) -> None:
    sheet = _sheet(out, "偏移")
    assert sheet["shape"] == [6, 4]  # grid positions are Excel's, not shifted to the first used cell
    assert sheet["grid"][4][2:] == ["单位", "人数"]
    assert sheet["grid"][5][2:] == ["市司法局", 7]


def check_prefixed(out: dict[str, Any]) -> None:
    sheet = _sheet(out, "数据")
    assert sheet["grid"] == [["单位", "人数"], ["市司法局", 7], ["市教育局", ""]]
    assert sheet["errors"] == [[2, 1, "#N/A"]]
    assert sheet["merged"] == ["D1:E1"]


NO_RATIO = {"max_compression_ratio": 1e9}

CASES: dict[str, Expect] = {
    # hostile: refused before any parser sees them
    "entity_bomb_workbook.xlsx": Expect("file-corrupt", ("workbook.xml", "实体")),
    "entity_bomb_sst.xlsx": Expect("file-corrupt", ("sharedStrings.xml", "实体")),
    "zip_bomb.xlsx": Expect("file-too-large", ("1,024 MB", "压缩比 1:1,0", "压缩炸弹")),
    "zip_bomb_lying_header.xlsx": Expect("file-too-large", ("超过声明的 4,096 字节",)),
    "zip_overlapping_entries.xlsx": Expect("file-corrupt", ("重叠",)),
    "zip_duplicate_names.xlsx": Expect("file-corrupt", ("重名",)),
    "sst_4294967295.xlsx": Expect("file-too-large", ("4,294,967,295",)),
    "attribute_64mb.xlsx": Expect("file-too-large", ("64 MB", "压缩炸弹")),
    "attribute_64mb.xlsx, ratio check off": Expect(
        problems={"Sheet1": "file-too-large"},
        says=("A1", "10 MB"),
        limits=NO_RATIO,
        file="attribute_64mb.xlsx",
    ),
    # cells where calamine would allocate the world: the sheet is refused, naming the cell
    "dimension_xfd1048576.xlsx": Expect(
        problems={"台账": "sheet-too-large"},
        says=("工作表“台账”在 XFD1048576 有单元格", "1100000 行 × 200 列"),
    ),
    "stray_row_1048576.xlsx": Expect(
        problems={"Sheet1": "sheet-too-large"}, says=("A1048576", "31 个单元格")
    ),
    "stray_row_100000000.xlsx": Expect(problems={"Sheet1": "sheet-too-large"}, says=("100,000,000",)),
    "wide_row_without_refs.xlsx": Expect(problems={"Sheet1": "sheet-too-large"}, says=("ACOF1",)),
    # not what the name says
    "encrypted.xlsx": Expect("file-encrypted", ("密码",)),
    "legacy.xls": Expect("file-legacy-xls", ("97-2003", "另存为 .xlsx")),
    "wps.et": Expect("file-legacy-xls", ("另存为 .xlsx",)),
    "word97.xls": Expect("file-not-workbook", ("OLE",)),
    "truncated.xlsx": Expect("file-corrupt", ("截断",)),
    "empty.xlsx": Expect("file-corrupt", ("空",)),
    "csv_named.xlsx": Expect("file-not-workbook", ("CSV",), kind="csv"),
    "parquet_named.xlsx": Expect("file-not-workbook", ("Parquet",), kind="parquet"),
    "html_named.xls": Expect("file-not-workbook", ("HTML", "另存为 .xlsx")),
    "xml2003_named.xls": Expect("file-not-workbook", ("2003 XML",)),
    "xlsx_named.csv": Expect(check=check_plain),
    # honest but tricky
    "plain.xlsx": Expect(check=check_plain),
    "ledger_merged_header.xlsx": Expect(check=check_ledger),
    "error_values.xlsx": Expect(check=check_errors),
    "hidden_sheets.xlsx": Expect(check=check_hidden),
    "date1904.xlsx": Expect(check=check_1904),
    "offset_table.xlsx": Expect(check=check_offset),
    "openxml_sdk_prefixed.xlsx": Expect(check=check_prefixed),
}


@dataclass
class Outcome:
    out: dict[str, Any]
    stderr: str
    returncode: int
    wall_s: float
    peak_rss_mb: float


def run_case(path: Path, limits: dict[str, Any]) -> Outcome:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(path), json.dumps(limits)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    killer = threading.Timer(WALL_LIMIT_S * 3, proc.kill)  # a hang fails the case, never the run
    killer.start()
    try:
        stderr_chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
        reader.start()
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        reader.join()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, even with others running
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        killer.cancel()
    wall = time.perf_counter() - started
    text = stdout.decode("utf-8", "replace").strip()
    out = json.loads(text.splitlines()[-1]) if text else {}
    return Outcome(
        out, b"".join(stderr_chunks).decode("utf-8", "replace"), proc.returncode, wall, usage.ru_maxrss / 1024
    )


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def outcomes(corpus: dict[str, Path]) -> dict[str, Outcome]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(run_case, corpus[expect.file or name], expect.limits)
            for name, expect in CASES.items()
        }
        return {name: future.result() for name, future in futures.items()}


def test_corpus_covers_every_file(corpus: dict[str, Path]) -> None:
    assert set(corpus) == {expect.file or name for name, expect in CASES.items()}


def test_corpus_is_small_on_disk(corpus: dict[str, Path]) -> None:
    assert sum(p.stat().st_size for p in corpus.values()) < 4 << 20


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file(name: str, outcomes: dict[str, Outcome]) -> None:
    expect, got = CASES[name], outcomes[name]
    assert got.returncode == 0, got.stderr[-2000:]
    assert "Traceback" not in got.stderr, got.stderr[-2000:]
    assert got.wall_s < WALL_LIMIT_S, f"{got.wall_s:.1f} s"
    assert got.peak_rss_mb < RSS_LIMIT_MB, f"{got.peak_rss_mb:.0f} MB"
    out = got.out
    if expect.code is not None:
        assert out.get("code") == expect.code, out
        assert out.get("kind", "xlsx") == expect.kind or "kind" not in out
        for words in expect.says:
            assert words in out["message"], out["message"]
        return
    assert "code" not in out, out
    assert out["kind"] == "xlsx"
    problems = {s["name"]: s["problem"] for s in out["sheets"] if "problem" in s}
    assert {sheet: p["code"] for sheet, p in problems.items()} == expect.problems
    for sheet, problem in problems.items():
        assert problem["sheet"] == sheet
        for words in expect.says:
            assert words in problem["message"], problem["message"]
    if expect.check is not None:
        expect.check(out)
