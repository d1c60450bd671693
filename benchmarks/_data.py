"""Benchmark inputs, generated on the fly: a 行政执法人员培训台账 of N rows with its 行政执法人员名册.

The workbook is in the exact shape the tool reads as a standalone ledger workbook: one sheet per ledger,
named after it, a 单位 column plus the ledger's Chinese headers, units from samples/haikou/units.csv,
dates in 2024 as date-formatted serials, certificate numbers as text, shared strings as Excel writes them.

xlsxwriter's ``constant_memory`` mode writes *inline* strings, not a shared-string table, and its default
mode holds every cell in memory (GBs and minutes at 1M rows). So the sheet XML and the shared strings are
written here directly, byte for byte as xlsxwriter's default mode would write them (``check_writer`` proves
it on a small ledger), into a skeleton package that xlsxwriter itself made (styles, workbook, rels).

The same records are also written as UTF-8 CSV and Parquet (one file per ledger, named after it, which is
how the tool recognises a CSV/Parquet ledger).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "haikou"
REGISTER = SAMPLE / "units.csv"

TRAINING = "行政执法人员培训台账"
ROSTER = "行政执法人员名册"
TRAINING_COLUMNS = ["单位", "培训日期", "执法证号", "培训内容", "培训类型", "学时"]
ROSTER_COLUMNS = ["单位", "统计日期", "执法证号", "姓名", "执法岗位"]
RECORDS_PER_PERSON = 20  # a person's trainings in a year, on average (about 70 学时: some below 60)

COURSES = [
    "《中华人民共和国行政处罚法》专题培训",
    "《中华人民共和国行政许可法》解读",
    "《中华人民共和国行政强制法》实务",
    "《中华人民共和国行政复议法》（2023年修订）解读",
    "行政执法“三项制度”业务培训",
    "行政执法文书规范制作",
    "行政执法证据收集与固定",
    "包容审慎监管与轻微违法不罚",
    "行政执法全过程记录实务",
    "重大执法决定法制审核要点",
    "海南自由贸易港法专题学习",
    "《优化营商环境条例》学习",
    "安全生产执法检查实务",
    "市场监管综合执法业务",
    "生态环境保护执法业务",
    "城市管理综合执法业务",
    "文化市场综合执法业务",
    "交通运输综合执法业务",
    "农业综合执法业务",
    "行政执法案卷评查标准",
    "执法人员职业道德与廉政教育",
    "习近平法治思想专题学习",
    "民法典与行政执法",
    "行政诉讼应诉实务",
    "说理式执法与执法文书说理",
    "非现场执法与数字化监管",
    "跨部门联合执法协作机制",
    "执法风险防控与责任追究",
    "行政执法监督工作要点",
    "网络执法平台操作培训",
]
TRAINING_TYPES = ["全市行政执法人员轮训", "全市行政执法业务培训", "本单位业务培训", "网络培训", "其他"]
TYPE_SHARES = [0.08, 0.12, 0.45, 0.30, 0.05]
HOURS = np.array([1.0, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0])
HOUR_SHARES = [0.10, 0.25, 0.10, 0.25, 0.15, 0.10, 0.05]
POSTS = ["行政处罚", "行政检查", "行政强制", "行政许可", "行政征收"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘符吉云"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红海燕雪琳晨宇轩浩然子涵欣怡思雨博文"
YEAR_START = dt.date(2024, 1, 1)
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class LedgerFiles:
    rows: int
    xlsx: Path  # one workbook: sheets 行政执法人员名册 and 行政执法人员培训台账
    csv: tuple[Path, Path]  # roster, training
    parquet: tuple[Path, Path]
    persons: int

    def paths(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "persons": self.persons,
            "xlsx": str(self.xlsx),
            "csv": [str(p) for p in self.csv],
            "parquet": [str(p) for p in self.parquet],
        }


def units() -> list[str]:
    """The register's units the training indicators apply to (all but 市政府)."""
    register = pd.read_csv(REGISTER, encoding="utf-8-sig", dtype=str)
    return register.loc[register["单位类别"] != "市政府", "单位名称"].tolist()


def ledger_frames(rows: int, seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(roster, training): plain frames with the Chinese headers; dates as datetime64."""
    rng = np.random.default_rng(seed + rows)
    names = units()
    persons = max(rows // RECORDS_PER_PERSON, 10)
    person_unit = rng.integers(0, len(names), persons)
    certificate = np.char.add("4601", np.char.zfill(np.arange(1, persons + 1).astype(str), 8))
    roster = pd.DataFrame(
        {
            "单位": np.asarray(names, dtype=object)[person_unit],
            "统计日期": pd.Timestamp("2024-12-31"),
            "执法证号": certificate.astype(object),
            "姓名": [
                SURNAMES[p % len(SURNAMES)] + GIVEN[(p * 7) % len(GIVEN)] + GIVEN[(p * 13 + 5) % len(GIVEN)]
                for p in range(persons)
            ],
            "执法岗位": np.asarray(POSTS, dtype=object)[np.arange(persons) % len(POSTS)],
        }
    )
    person = np.sort(rng.integers(0, persons, rows))
    k = pd.Series(person).groupby(person).cumcount().to_numpy()  # the person's k-th training this year
    # distinct days for k < 366, so (培训日期, 执法证号, 培训内容) stays a unique key: no duplicate records
    day = (person * 7 + k * 13) % 366
    dates = np.datetime64("2024-01-01") + day.astype("timedelta64[D]")
    training = pd.DataFrame(
        {
            "单位": roster["单位"].to_numpy()[person],
            "培训日期": dates,
            "执法证号": certificate.astype(object)[person],
            "培训内容": np.asarray(COURSES, dtype=object)[(person + k) % len(COURSES)],
            "培训类型": np.asarray(TRAINING_TYPES, dtype=object)[
                rng.choice(len(TRAINING_TYPES), rows, p=TYPE_SHARES)
            ],
            "学时": HOURS[rng.choice(len(HOURS), rows, p=HOUR_SHARES)],
        }
    )
    training = training.sort_values(["单位", "培训日期", "执法证号"], kind="stable").reset_index(drop=True)
    return roster, training


# ---------------------------------------------------------------- xlsx, as xlsxwriter writes it


def _skeleton(path: Path, sheets: list[tuple[str, pd.DataFrame]]) -> None:
    """A small workbook from xlsxwriter itself: the header row and the first record of each sheet."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, frame in sheets:
        ws = workbook.add_worksheet(name)
        ws.write_row(0, 0, list(frame.columns))
        for c, value in enumerate(frame.iloc[0]):
            if isinstance(value, dt.date):
                ws.write_datetime(1, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                ws.write_string(1, c, value)
            else:
                ws.write_number(1, c, float(value))
    workbook.close()


def write_xlsx(path: Path, sheets: list[tuple[str, pd.DataFrame]], *, via_xlsxwriter: bool = False) -> None:
    """The frames as sheets of one workbook: text → shared strings, dates → serials styled yyyy-mm-dd,
    numbers as %.16G; byte-identical to xlsxwriter's default mode, in a fraction of its time and memory."""
    if via_xlsxwriter:
        _write_with_xlsxwriter(path, sheets)
        return
    skeleton = path.with_suffix(".skeleton.xlsx")
    _skeleton(skeleton, sheets)
    strings: dict[str, int] = {}
    string_cells = 0
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(skeleton) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    originals = {info.filename: data for info, data in entries}
    date_style = None
    for i, (_, frame) in enumerate(sheets, start=1):
        template = originals[f"xl/worksheets/sheet{i}.xml"].decode()
        if date_style is None and ' s="' in template:
            date_style = template.split(' s="', 1)[1].split('"', 1)[0]
        head, rest = template.split("<sheetData>", 1)
        tail = rest.split("</sheetData>", 1)[1]
        width = frame.shape[1]
        last = _col(width - 1) + str(len(frame) + 1)
        head = head.replace(head.split('<dimension ref="', 1)[1].split('"', 1)[0], f"A1:{last}", 1)
        letters = [_col(c) for c in range(width)]
        header_ids = [strings.setdefault(str(text), len(strings)) for text in frame.columns]
        string_cells += width
        # shared-string indices in first-appearance order, row by row (as xlsxwriter assigns them)
        kinds = [_kind(frame[c]) for c in frame.columns]
        text_columns = [c for c, k in zip(frame.columns, kinds, strict=True) if k == "text"]
        ids = np.zeros((len(frame), 0), dtype=np.int64)
        if text_columns:
            stacked = frame[text_columns].to_numpy(dtype=object).ravel()
            codes, uniques = pd.factorize(stacked, sort=False)
            offset_ids = np.fromiter(
                (strings.setdefault(u, len(strings)) for u in uniques), np.int64, len(uniques)
            )
            ids = offset_ids[codes].reshape(len(frame), len(text_columns))
            string_cells += ids.size
        # one format string per row, applied by map (C speed): {0} is the row number, {k} the k-th cell
        template = f'<row r="{{0}}" spans="1:{width}">'
        values: list[list[object]] = []
        t = 0
        for c, (column, kind) in enumerate(zip(frame.columns, kinds, strict=True)):
            ref = f'<c r="{letters[c]}{{0}}"'
            if kind == "text":
                template += ref + f' t="s"><v>{{{c + 1}}}</v></c>'
                values.append(ids[:, t].tolist())
                t += 1
            elif kind == "date":
                template += ref + f' s="{date_style}"><v>{{{c + 1}}}</v></c>'
                values.append(_serials(frame[column]).tolist())
            else:
                template += ref + f"><v>{{{c + 1}:.16G}}</v></c>"
                values.append(frame[column].astype(float).tolist())
        template += "</row>"
        header = (
            f'<row r="1" spans="1:{width}">'
            + "".join(f'<c r="{letters[c]}1" t="s"><v>{header_ids[c]}</v></c>' for c in range(width))
            + "</row>"
        )
        body = "".join(map(template.format, range(2, len(frame) + 2), *values))
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            head + "<sheetData>" + header + body + "</sheetData>" + tail
        ).encode()
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{string_cells}" uniqueCount="{len(strings)}">{sst}</sst>'
    ).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, parts.get(info.filename, data), compress_type=zipfile.ZIP_DEFLATED)
    skeleton.unlink()


def _serials(dates: pd.Series) -> np.ndarray:
    """Excel's 1900-system day serials of datetime.date values."""
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    return (days - np.datetime64(EXCEL_EPOCH, "D")).astype(np.int64)


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if isinstance(series.iloc[0], str):
        return "text"
    return "number"


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _write_with_xlsxwriter(path: Path, sheets: list[tuple[str, pd.DataFrame]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, frame in sheets:
        ws = workbook.add_worksheet(name)
        ws.write_row(0, 0, list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, float(value))
    workbook.close()


def check_writer(folder: Path, rows: int = 2_000) -> None:
    """The fast writer's parts are byte-identical to xlsxwriter's own for the same ledger."""
    roster, training = ledger_frames(rows)
    sheets = [(ROSTER, roster), (TRAINING, training)]
    fast, slow = folder / "fast.xlsx", folder / "slow.xlsx"
    write_xlsx(fast, sheets)
    write_xlsx(slow, sheets, via_xlsxwriter=True)
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(slow) as b:
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"):
            if a.read(name) != b.read(name):
                raise AssertionError(f"fast writer differs from xlsxwriter in {name}")
        if a.namelist() != b.namelist():
            raise AssertionError("fast writer's zip entries differ from xlsxwriter's")


# ---------------------------------------------------------------- all formats


def write_ledger(folder: Path, rows: int, formats: str = "all") -> LedgerFiles:
    """The roster and training ledger of ``rows`` records under ``folder``: as one workbook (``formats``
    "xlsx"), as CSV and Parquet files ("flat"), or all three ("all"). Same seed, same records."""
    roster, training = ledger_frames(rows)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / f"执法培训台账-{rows}.xlsx"
    csv_dir, parquet_dir = folder / "csv", folder / "parquet"
    csv_paths = (csv_dir / f"{ROSTER}.csv", csv_dir / f"{TRAINING}.csv")
    parquet_paths = (parquet_dir / f"{ROSTER}.parquet", parquet_dir / f"{TRAINING}.parquet")
    if formats in ("all", "xlsx"):
        write_xlsx(xlsx, [(ROSTER, roster), (TRAINING, training)])
    if formats in ("all", "flat"):
        csv_dir.mkdir(exist_ok=True)
        parquet_dir.mkdir(exist_ok=True)
        for frame, csv_path, parquet_path in zip((roster, training), csv_paths, parquet_paths, strict=True):
            _to_csv(frame, csv_path)
            _to_parquet(frame, parquet_path)
    return LedgerFiles(rows, xlsx, csv_paths, parquet_paths, len(roster))


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, comma-separated, unquoted (no value holds a comma, quote or newline), dates as 2024-01-31:
    a CSV as Excel or WPS saves one."""
    columns: list[list[object]] = []
    fields = []
    for k, column in enumerate(frame.columns):
        kind = _kind(frame[column])
        if kind == "date":
            columns.append(frame[column].dt.strftime("%Y-%m-%d").tolist())
            fields.append(f"{{{k}}}")
        elif kind == "text":
            texts = frame[column].tolist()
            if any(("," in t or '"' in t or "\n" in t) for t in set(texts)):
                raise ValueError(f"{column}: a value would need quoting")
            columns.append(texts)
            fields.append(f"{{{k}}}")
        else:
            columns.append(frame[column].astype(float).tolist())
            fields.append(f"{{{k}:.15G}}")
    line = ",".join(fields) + "\n"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(map(str, frame.columns)) + "\n")
        fh.write("".join(map(line.format, *columns)))


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for column in frame.columns:
        values = frame[column]
        kind = _kind(values)
        if kind == "date":
            arrays[column] = pa.array(values.to_numpy(dtype="datetime64[D]"), type=pa.date32())
        elif kind == "text":
            arrays[column] = pa.array(values.to_numpy(dtype=object), type=pa.string())
        else:
            arrays[column] = pa.array(values.to_numpy(dtype="float64"), type=pa.float64())
    pq.write_table(pa.table(arrays), path)


BARE_TYPER_APP = '''\
"""A bare typer app with the same settings as lawgov-metrics' root: the --help baseline."""

import typer

app = typer.Typer(name="bare", help="A bare typer app.", no_args_is_help=True, add_completion=False,
                  rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})
sub = typer.Typer(help="A sub-command group.", no_args_is_help=True)
app.add_typer(sub, name="catalogue")


@app.command()
def score(paths: list[str], year: int | None = None, output: str | None = None) -> None:
    """Score."""


@app.command()
def check(paths: list[str], strict: bool = False) -> None:
    """Check."""


@sub.command("list")
def list_() -> None:
    """List."""


if __name__ == "__main__":
    app()
'''


def write_bare_typer_app(folder: Path) -> Path:
    path = folder / "bare_typer_app.py"
    path.write_text(BARE_TYPER_APP, encoding="utf-8")
    return path


def main() -> None:
    """``python benchmarks/_data.py FOLDER ROWS [xlsx|flat|check]``: write one size's files, print their paths."""
    import json
    import sys

    folder, rows = Path(sys.argv[1]), int(sys.argv[2])
    what = sys.argv[3] if len(sys.argv) > 3 else "all"
    folder.mkdir(parents=True, exist_ok=True)
    if what == "bare-typer-app":
        print(json.dumps({"path": str(write_bare_typer_app(folder))}))
        return
    if what == "check":
        check_writer(folder)
        print(json.dumps({"check": "fast writer byte-identical to xlsxwriter"}))
        return
    print(json.dumps(write_ledger(folder, rows, formats=what).paths()))


if __name__ == "__main__":
    main()
