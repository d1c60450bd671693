"""``lawgov-metrics explain``: where one score came from — formula, inputs and their sources, target, status."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lawgov_metrics.catalogue.describe import formula_label, indicator_record
from lawgov_metrics.render.safe_text import terminal_text
from lawgov_metrics.results import Assessment, remark_text


@dataclass(frozen=True)
class InputLine:
    name: str
    value: str
    source: str
    remarks: str = ""  # 来源：…；统计截止日：…；备注：… as the unit gave them


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


def explanation(assessment: Assessment, unit: str, indicator: str, year: int) -> Explanation | None:
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
        inputs=tuple(
            InputLine(str(r["input"]), str(r["value"]), str(r["source"]) or "（未提供）", remark_text(r))
            for r in mine.to_dict("records")
        ),
    )


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
        head.add_row(key, Text(terminal_text(value)))
    console.print(head)
    inputs = Table(title="输入及出处", title_justify="left", expand=False)
    inputs.add_column("输入", overflow="fold")
    inputs.add_column("数值", overflow="fold")
    inputs.add_column("出处", overflow="fold")
    remarks = any(line.remarks for line in found.inputs)
    if remarks:
        inputs.add_column("填报单位注明", overflow="fold")
    for line in found.inputs:
        cells = [Text(terminal_text(text)) for text in (line.name, line.value, line.source)]
        inputs.add_row(*cells, *([Text(terminal_text(line.remarks))] if remarks else []))
    console.print(inputs)
    for note in found.notes:
        console.print(Text(terminal_text(f"口径：{note}")))
