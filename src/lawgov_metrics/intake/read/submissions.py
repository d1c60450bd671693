"""Files and folders → one :class:`~lawgov_metrics.submission.Submission`, every problem collected.

Supported: filled templates and other workbooks (.xlsx/.xlsm), long tables and ledgers as .csv (UTF-8 or
GB18030) or .parquet. A folder means every supported file in it (recursively). An unreadable file becomes
one clear issue and the other files go on. Input files are only ever read. An Excel report this tool wrote
(:mod:`~lawgov_metrics.intake.read.own_reports`) is skipped with a warning, never read as a submission.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.read.columnar import Table
from lawgov_metrics.intake.read.file_pool import Progress, read_in_order
from lawgov_metrics.intake.read.ledger_sheet import (
    HEADER_SCAN_ROWS,
    RawLedger,
    SheetSource,
    extract_ledger,
    is_blank,
    loose_label,
)
from lawgov_metrics.intake.read.ledgers import mark_duplicates, parse_ledger
from lawgov_metrics.intake.read.plausibility import ledger_plausibility, values_outside_plan
from lawgov_metrics.intake.read.register import (
    REGISTER_FILE_NAMES,
    UnitRegister,
    find_register,
    load_register,
)
from lawgov_metrics.intake.read.values import build_values
from lawgov_metrics.intake.read.workbook import (
    FileRead,
    ledger_lookup,
    looks_like_long_table,
    read_long_table,
    read_workbook,
)
from lawgov_metrics.issues import Issue, os_error_text
from lawgov_metrics.output_paths import walk_files
from lawgov_metrics.submission import Submission

SUPPORTED = {".xlsx", ".xlsm", ".csv", ".parquet", ".xls", ".et", ".ods"}


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Issue]]:
    """Expand folders into their supported files (sorted; linked folders inside followed, once each); a path
    that does not exist is an issue. One file reached by two names (a link beside its target) is read once."""
    files: list[Path] = []
    issues: list[Issue] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in walk_files(path)
                if p.is_file()
                and p.suffix.lower() in SUPPORTED
                and not p.name.startswith(("~$", "."))
                and p.name not in REGISTER_FILE_NAMES
            )
            files += found
        elif path.is_file():
            if path.name not in REGISTER_FILE_NAMES:
                files.append(path)
        else:
            issues.append(Issue("file-not-found", f"找不到文件或文件夹：{raw}", file=str(raw)))
    return _once_each(dict.fromkeys(files)), issues


def _once_each(files: Iterable[Path]) -> list[Path]:
    """The files, each real file once (by device and inode), under its own name rather than a link's."""
    chosen: dict[object, Path] = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            chosen[path] = path  # reading it reports why
            continue
        key = (stat.st_dev, stat.st_ino)
        if key not in chosen or (chosen[key].is_symlink() and not path.is_symlink()):
            chosen[key] = path
    return list(chosen.values())


def default_register_path() -> Path:
    from lawgov_metrics.catalogue.loader import bundled_path, checkout_path

    shipped = bundled_path("units-haikou.csv")
    if shipped.is_file():
        return shipped
    return checkout_path("samples", "haikou", "units.csv")


def read_submissions(
    paths: Iterable[str | Path],
    catalogue: Catalogue | None = None,
    *,
    register: str | Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Submission:
    """Read every input into one Submission. The units register is ``register``, else a ``units.csv``
    among the inputs, else the bundled Haikou register. Small files are read on ``workers`` threads (default:
    one per core, at most three; :mod:`~lawgov_metrics.intake.read.file_pool`), ``workers=1`` one by one."""
    if catalogue is None:
        from lawgov_metrics.catalogue import load_catalogue

        catalogue = load_catalogue()
    inputs = [Path(p) for p in paths]
    files, issues = discover(inputs)
    register_path = (
        Path(register) if register is not None else (find_register(inputs) or default_register_path())
    )
    units, register_issues = load_register(register_path, catalogue)
    issues += register_issues
    reads = read_in_order(
        files, lambda path: read_file(path, catalogue, units), progress=progress, workers=workers
    )
    return assemble(catalogue, units, reads, issues, [str(p) for p in files])


def read_file(path: Path, catalogue: Catalogue, units: UnitRegister) -> FileRead:
    """One file; any failure to read it becomes one issue naming the reason."""
    from pyarrow import ArrowException

    from lawgov_metrics.intake.guard.safety import UnreadableFile
    from lawgov_metrics.intake.guard.sniff import csv_encoding
    from lawgov_metrics.intake.read.columnar import csv_table, parquet_table
    from lawgov_metrics.intake.read.csv_rows import csv_grid

    label = str(path)
    out = FileRead(file=label)
    kind = ""
    try:
        from lawgov_metrics.intake.read.xls import sniff_or_legacy

        kind = sniff_or_legacy(path)
        if kind == "xls":  # Excel 97-2003 / WPS .et through calamine, bounded (intake/read/xls.py)
            from lawgov_metrics.intake.read.xls import open_xls

            view = open_xls(path, label)
            try:
                return read_workbook(view, catalogue, units.resolve)
            finally:
                view.close()
        if kind == "xlsx":
            from lawgov_metrics.intake.read.own_reports import is_own_report, skipped_report
            from lawgov_metrics.intake.read.view import open_workbook

            if is_own_report(path):  # score -o written into an input folder: never read back
                out.issues.append(skipped_report(path))
                return out

            view = open_workbook(path, label)
            try:
                return read_workbook(view, catalogue, units.resolve)
            finally:
                view.close()
        if kind == "csv":
            data = path.read_bytes()
            encoding = csv_encoding(data)
            if encoding is None:
                raise UnreadableFile("file-encoding", "无法识别的文本编码（应为 UTF-8 或 GB18030/GBK）")
            table = csv_table(data, encoding)
            if table is not None and _read_columns(table, path, catalogue, out):
                return out
            grid, broken = csv_grid(data, encoding, label)
            out.issues += broken
        elif kind == "parquet":
            if _read_columns(parquet_table(path), path, catalogue, out):
                return out
            grid = _parquet_grid(path)
        else:  # pragma: no cover - sniff raises for everything else
            raise UnreadableFile("file-unsupported", f"不支持的文件类型（{kind}）")
    except UnreadableFile as exc:
        out.issues.append(Issue(exc.code, exc.message, file=label))
        return out
    except OSError as exc:
        if exc.errno is None:  # pyarrow's OSError: the file's content, not the system
            out.issues.append(Issue("file-corrupt", _damaged(kind), file=label))
        else:
            out.issues.append(Issue("file-corrupt", f"无法读取：{os_error_text(exc)}", file=label))
        return out
    except (ValueError, NotImplementedError, ArrowException):  # pandas and pyarrow speak English
        out.issues.append(Issue("file-corrupt", _damaged(kind), file=label))
        return out
    _read_table(grid, path, catalogue, units, out, from_csv=kind == "csv")
    return out


def _damaged(kind: str) -> str:
    what = {"csv": "CSV 文件", "parquet": "Parquet 文件", "xlsx": "工作簿"}.get(kind, "文件")
    return f"无法读取：{what}的内容已损坏或格式不正确；请重新导出后再提交"


def _read_table(
    grid: pd.DataFrame,
    path: Path,
    catalogue: Catalogue,
    units: UnitRegister,
    out: FileRead,
    *,
    from_csv: bool = False,
) -> None:
    """A CSV/Parquet table: a long table, or a ledger named by its file name. A CSV line with cells beyond its
    header is reported and left out (:func:`~lawgov_metrics.intake.read.csv_rows.drop_broken_rows`)."""
    from lawgov_metrics.intake.read.csv_rows import drop_broken_rows, ledger_header_row

    if looks_like_long_table(grid):
        if from_csv:
            out.issues += drop_broken_rows(grid, _long_header_row(grid), out.file)
        read_long_table(grid, catalogue, units.resolve, out)
        return
    ledger_id = ledger_lookup(catalogue).get(loose_label(path.stem))
    if ledger_id is None:
        out.issues.append(
            Issue(
                "file-unsupported",
                "既不是长表（单位、年度、字段、数值），文件名也不是台账名称（如 行政诉讼案件台账.csv），未读取",
                file=out.file,
            )
        )
        return
    ledger = catalogue.ledgers_by_id[ledger_id]
    if from_csv:
        out.issues += drop_broken_rows(grid, ledger_header_row(grid, ledger, out.file), out.file)
    rows = grid.astype(object).where(grid.notna(), None).to_numpy().tolist()
    raw, issues = extract_ledger(rows, ledger, SheetSource(out.file, ""))
    out.issues += issues
    if raw is not None:
        out.ledgers.setdefault(ledger_id, []).append(raw)


def _long_header_row(grid: pd.DataFrame) -> int | None:
    """The grid row of a long table's header: the first row with which it looks like one."""
    return next(
        (
            end - 1
            for end in range(1, min(len(grid), HEADER_SCAN_ROWS) + 1)
            if looks_like_long_table(grid[:end])
        ),
        None,
    )


def _read_columns(table: Table, path: Path, catalogue: Catalogue, out: FileRead) -> bool:
    """A ledger file read by column (see :mod:`lawgov_metrics.intake.read.columnar`); False → read it as a grid."""
    width = max((len(row) for row in table.head), default=0)
    if looks_like_long_table(
        pd.DataFrame([[*row, *[None] * (width - len(row))] for row in table.head], dtype=object)
    ):
        return False
    ledger_id = ledger_lookup(catalogue).get(loose_label(path.stem))
    if ledger_id is None:
        return False
    read = table.ledger(catalogue.ledgers_by_id[ledger_id], SheetSource(out.file, ""))
    if read is None:
        return False
    raw, issues = read
    out.issues += issues
    if raw is not None:
        out.ledgers.setdefault(ledger_id, []).append(raw)
    return True


def _parquet_grid(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    positions = list(range(frame.shape[1]))
    header = pd.DataFrame([list(frame.columns)], columns=positions, dtype=object)
    body = frame.astype(object).where(frame.notna(), None)
    body.columns = pd.Index(positions)
    return pd.concat([header, body], ignore_index=True)


def _standalone_files(parts: list[RawLedger]) -> set[str]:
    return {p.source.file for p in parts if p.source.unit is None}


def assemble(
    catalogue: Catalogue, units: UnitRegister, reads: list[FileRead], issues: list[Issue], files: list[str]
) -> Submission:
    """Combine the files: parse figures, check across files, de-duplicate ledger records."""
    issues = [*issues, *_nothing_read(reads)]
    issues = [*issues]
    raws = [raw for read in reads for raw in read.raws]
    date1904 = {read.file: read.date1904 for read in reads}
    for read in reads:
        issues += read.issues
    values, invalid, answers, value_issues = build_values(catalogue, raws, date1904)
    issues += value_issues + values_outside_plan(values, catalogue)
    flagged = pd.DataFrame([f for read in reads for f in read.invalid], columns=["unit", "year", "field"])
    invalid = pd.concat([invalid, flagged], ignore_index=True).drop_duplicates().reset_index(drop=True)
    ledgers: dict[str, pd.DataFrame] = {}
    by_ledger: dict[str, list[RawLedger]] = {}
    for read in reads:
        for ledger_id, parts in read.ledgers.items():
            by_ledger.setdefault(ledger_id, []).extend(parts)
    covered = [c for read in reads for c in read.coverage]
    present = {u for read in reads for u in read.units}
    for ledger_id, parts in by_ledger.items():
        ledger = catalogue.ledgers_by_id[ledger_id]
        frame, parse_issues = parse_ledger(ledger, parts, units.resolve)
        issues += parse_issues + ledger_plausibility(ledger, frame, catalogue)
        if frame.empty:
            continue
        # a standalone ledger (no workbook unit) supplies the unit-years it has records for, and no others:
        # a year without a unit's records says nothing about it (never "zero records")
        standalone = frame[
            frame["unit"].notna() & frame["year"].notna() & frame["_file"].isin(_standalone_files(parts))
        ]
        pairs = standalone[["unit", "year"]].drop_duplicates()
        covered += [(ledger_id, str(u), int(y)) for u, y in zip(pairs["unit"], pairs["year"], strict=True)]
        present.update(str(u) for u in pairs["unit"].unique())
        frame, dup_issues = mark_duplicates(frame, ledger)
        issues += dup_issues
        frame["year"] = frame["year"].astype("Int64")
        ledgers[ledger_id] = frame[frame["year"].notna() & frame["unit"].notna()].astype({"year": "int64"})
    coverage = pd.DataFrame(covered, columns=["ledger", "unit", "year"]).drop_duplicates()
    unit_frame = units.units[units.units["unit"].isin(present)].reset_index(drop=True)
    return Submission(
        units=unit_frame,
        values=values,
        ledgers=ledgers,
        coverage=coverage,
        invalid=invalid,
        answers=answers,
        issues=tuple(units.with_suggestions(issues)),
        files=tuple(files),
        names=units.names,
    )


def _nothing_read(reads: list[FileRead]) -> list[Issue]:
    """A file that gave no figure, answer, flagged cell or ledger record is never taken silently: an error,
    or a warning (未填写任何数据) when its header (unit, year) was read — a blank template. A file already
    reported unreadable is not reported twice."""
    out = []
    for read in reads:
        filled = (
            any(not is_blank(raw.raw) for raw in read.raws)
            or bool(read.invalid)
            or any(len(part.rows) for parts in read.ledgers.values() for part in parts)
        )
        if filled or any(i.severity == "error" or i.code == "report-skipped" for i in read.issues):
            continue
        if read.units or read.years:
            out.append(
                Issue(
                    "file-blank",
                    "未填写任何数据：只有表头（填报单位、年度），没有任何数值、答复或台账记录",
                    file=read.file,
                    unit=next(iter(read.units), ""),
                )
            )
        else:
            out.append(
                Issue("file-empty", "文件中没有读到任何数据（既无汇总数值，也无台账记录）", file=read.file)
            )
    return out
