"""``lawgov-metrics explain``: where one score came from — formula, inputs and their sources, target, status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lawgov_metrics.catalogue.describe import formula_label, indicator_record
from lawgov_metrics.issues import Issue
from lawgov_metrics.render.breakable_text import BreakableText  # ids and numbers never cut at 80 columns
from lawgov_metrics.render.safe_text import terminal_text
from lawgov_metrics.results import Assessment, remark_text

if TYPE_CHECKING:
    import pandas as pd

SHOWN_RANGES = 8  # row ranges per sheet in the terminal; JSON lists every row
SHOWN_ISSUES = 5


@dataclass(frozen=True)
class Record:
    """One ledger record an input counted: file › sheet › row, and whether a value of it failed validation."""

    file: str
    sheet: str
    row: int
    invalid: bool = False


@dataclass(frozen=True)
class InputLine:
    name: str
    value: str
    source: str
    remarks: str = ""  # 来源：…；统计截止日：…；备注：… as the unit gave them
    ledger: str = ""  # the ledger its records came from, when it was counted from one
    records: tuple[Record, ...] = ()


@dataclass(frozen=True)
class Explanation:
    unit: str
    kind: str
    year: int
    indicator: str
    name: str
    clause: str
    quote: str
    formula: str
    target: str
    value: str
    status: str
    points: float
    max_points: float
    scoring: str
    note: str
    notes: tuple[str, ...]
    inputs: tuple[InputLine, ...]
    issues: tuple[Issue, ...] = field(default=())  # problems in this unit's data or in the files it came from


def explanation(
    assessment: Assessment,
    unit: str,
    indicator: str,
    year: int,
    counted: Mapping[str, tuple[str, pd.DataFrame]] | None = None,
) -> Explanation | None:
    """One result explained. ``counted``: per input name, the ledger and the records it counted (``_file,
    _sheet, _row, _invalid``); they are shown only for inputs whose figure did come from that ledger."""
    results = assessment.results
    rows = results[
        (results["unit"] == unit) & (results["indicator"] == indicator) & (results["year"] == year)
    ]
    if rows.empty:
        return None
    row = rows.iloc[0]
    catalogue = assessment.catalogue
    ind = catalogue.indicators_by_id[indicator]
    prov = assessment.provenance
    mine = prov[(prov["unit"] == unit) & (prov["indicator"] == indicator) & (prov["year"] == year)]
    from lawgov_metrics.render.catalogue_view import scoring_label

    record = indicator_record(catalogue, ind)
    return Explanation(
        unit=unit,
        kind=catalogue.kinds_by_id[str(row["kind"])].name,
        year=year,
        indicator=indicator,
        name=ind.name,
        clause=ind.clause,
        quote=ind.quote,
        formula=formula_label(catalogue, ind),
        target=str(row["target"]),
        value=str(row["display"]) or "—",
        status=str(row["status_label"]),
        points=float(row["points"]),
        max_points=float(row["max_points"]),
        scoring=scoring_label(record["scoring"]),
        note=str(row["note"]),
        notes=ind.notes,
        inputs=tuple(_line(r, counted or {}) for r in mine.to_dict("records")),
        issues=_related(assessment, unit, mine),
    )


def _line(record: Mapping[Any, Any], counted: Mapping[str, tuple[str, pd.DataFrame]]) -> InputLine:
    name, source = str(record["input"]), str(record["source"])
    line = InputLine(name, str(record["value"]), source or "（未提供）", remark_text(record))
    ledger, rows = counted.get(name, ("", None))
    if rows is None or f"台账《{ledger}》" not in source:  # reported directly: a cell, not these records
        return line
    records = tuple(
        Record(str(f), str(s), int(r), bool(bad))
        for f, s, r, bad in zip(rows["_file"], rows["_sheet"], rows["_row"], rows["_invalid"], strict=True)
    )
    return InputLine(line.name, line.value, line.source, line.remarks, ledger, records)


def _related(assessment: Assessment, unit: str, inputs: pd.DataFrame) -> tuple[Issue, ...]:
    """The problems that may bear on this result: those given to the unit, and those given to no unit in the
    files its inputs came from (errors first); another unit's problems in a shared long table are not."""
    files = {str(s).split(" › ")[0] for s in inputs["source"] if str(s)}
    mine = [i for i in assessment.issues_list if i.unit == unit or (not i.unit and i.file in files)]
    return tuple(sorted(mine, key=lambda i: i.severity != "error"))


def explanation_record(found: Explanation) -> dict[str, Any]:
    """The explanation as JSON: every record of every ledger-counted input, every related problem."""
    head = {k: v for k, v in found.__dict__.items() if k not in ("inputs", "issues", "notes")}
    return {
        **head,
        "notes": list(found.notes),
        "inputs": [
            {
                "name": line.name,
                "value": line.value,
                "source": line.source,
                "remarks": line.remarks,
                **(
                    {
                        "ledger": line.ledger,
                        "record_count": len(line.records),
                        "records": [r.__dict__ for r in line.records],
                    }
                    if line.ledger
                    else {}
                ),
            }
            for line in found.inputs
        ],
        "issues": [i.as_record() for i in found.issues],
    }


def row_ranges(rows: list[int]) -> list[str]:
    """「2–5」「8」: sorted row numbers as runs."""
    runs: list[str] = []
    start = prev = None
    for row in sorted(set(rows)):
        if prev is not None and row == prev + 1:
            prev = row
            continue
        if start is not None:
            runs.append(f"{start}–{prev}" if prev != start else str(start))
        start = prev = row
    if start is not None:
        runs.append(f"{start}–{prev}" if prev != start else str(start))
    return runs


def records_lines(line: InputLine, shown: int = SHOWN_RANGES) -> list[str]:
    """The records of one input in a few lines: per file and sheet, the first row ranges."""
    if not line.records:
        return [f"{line.name}：《{line.ledger}》中没有计入的记录"]
    out = [f"{line.name}：《{line.ledger}》{len(line.records)} 条记录"]
    groups: dict[tuple[str, str], list[int]] = {}
    for record in line.records:
        groups.setdefault((record.file, record.sheet), []).append(record.row)
    for (file, sheet), rows in groups.items():
        runs = row_ranges(rows)
        more = f" 等（共 {len(rows)} 行）" if len(runs) > shown else ""
        where = " › ".join(part for part in (file, sheet) if part)  # a CSV has no sheet
        out.append(f"  {where} › 第 {'、'.join(runs[:shown])} 行{more}")
    bad = [r.row for r in line.records if r.invalid]
    if bad:
        out.append(f"  其中 {len(bad)} 条有不合规的值：第 {'、'.join(row_ranges(bad)[:shown])} 行")
    return out


def print_explanation(found: Explanation, console: Console) -> None:
    head = Table(show_header=False, box=None, padding=(0, 1))
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")
    for key, value in (
        ("单位", f"{found.unit}（{found.kind}）"),
        ("年度", str(found.year)),
        ("指标", f"{found.name}（{found.indicator}）"),
        ("条款", f"（{found.clause}）“{found.quote}”"),
        ("计算方法", found.formula),
        ("目标", found.target),
        ("数值", found.value),
        ("状态", found.status + (f"：{found.note}" if found.note else "")),
        ("得分", f"{found.points:g} / {found.max_points:g}（{found.scoring}）"),
    ):
        head.add_row(key, BreakableText(terminal_text(value)))
    console.print(head)
    inputs = Table(title="输入及出处", title_justify="left", expand=False)
    inputs.add_column("输入", overflow="fold")
    inputs.add_column("数值", overflow="fold")
    inputs.add_column("出处", overflow="fold")
    remarks = any(line.remarks for line in found.inputs)
    if remarks:
        inputs.add_column("填报单位注明", overflow="fold")
    for line in found.inputs:
        cells = [BreakableText(terminal_text(text)) for text in (line.name, line.value, line.source)]
        inputs.add_row(*cells, *([BreakableText(terminal_text(line.remarks))] if remarks else []))
    console.print(inputs)
    counted = [line for line in found.inputs if line.ledger]
    if counted:
        console.print(Text("计入的台账记录（全部行号见 --format json）", style="bold"))
        for line in counted:
            for text in records_lines(line):
                console.print(Text(terminal_text(text)))
    for note in found.notes:
        console.print(Text(terminal_text(f"口径：{note}")))
    if found.issues:
        errors = sum(i.severity == "error" for i in found.issues)
        console.print(
            Text(
                f"本单位及所用文件中的数据问题 {len(found.issues)} 个（其中错误 {errors} 个）；完整清单见 check",
                style="bold",
            )
        )
        for issue in found.issues[:SHOWN_ISSUES]:
            where = f"{issue.location}：" if issue.location else ""
            console.print(Text(terminal_text(f"  [{issue.title}] {where}{issue.message}")))
