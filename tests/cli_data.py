"""A small, complete submission set for the minimal catalogue, written as filled templates and files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.render.template import build_template

FIXTURES = Path(__file__).parent / "fixtures"


def summary_cell(ws, field_id: str, period: str = "全年"):  # type: ignore[no-untyped-def]
    """The value cell of a field's row in 汇总表, found by the header labels (as a clerk would)."""
    header = {ws.cell(6, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(7, ws.max_row + 1):
        if ws.cell(r, 1).value == field_id:
            return ws.cell(r, header[period])
    raise KeyError(field_id)


def fill(  # type: ignore[no-untyped-def]
    cat: Catalogue,
    path: Path,
    kind: str,
    unit: str | None,
    year: int,
    values: dict,
    ledgers: dict | None = None,
) -> Path:
    """A template filled by script: ``values`` as {field_id[@period name]: value}, ``ledgers`` as {sheet: rows}."""
    wb = build_template(cat, kind=kind, unit=unit, year=year)
    for key, value in values.items():
        field_id, _, period = key.partition("@")
        summary_cell(wb["汇总表"], field_id, period or "全年").value = value
    for sheet, rows in (ledgers or {}).items():
        for row in rows:
            wb[sheet].append(row)
    wb.save(path)
    return path


def write_dataset(cat: Catalogue, folder: Path) -> Path:
    """Two years of a 司法局, an 审批服务局 and a 区政府, plus the register."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "units.csv", folder / "units.csv")
    staff = [[dt.date(y, 12, 31), f"A00{i}", n] for y in (2023, 2024) for i, n in ((1, "甲"), (2, "乙"))]
    for year, filed, lost in ((2023, 18, 3), (2024, 20, 1)):
        fill(
            cat,
            folder / f"司法局-{year}.xlsx",
            "justice_bureau",
            "海口市司法局",
            year,
            {
                "normative_docs_issued": 20,
                "normative_docs_filed": filed,
                "enforcement_stats_report_date": dt.date(year + 1, 1, 20),
                "fines_decoupled": "是",
                "suggestions_handled": 40,
                "suggestions_satisfied": 39,
            },
            {
                "学法与培训活动台账": [
                    [dt.date(year, m, 10), "中心组学法", f"第{m}月"] for m in (1, 4, 7, 10)
                ]
                + [[dt.date(year, 3, 1), "案卷评查", "上"], [dt.date(year, 9, 1), "案卷评查", "下"]],
                "行政执法人员名册": [r for r in staff if r[0].year == year],
                "行政执法人员培训台账": [
                    [dt.date(year, 5, 1), "A001", "全市行政执法人员轮训", 20],
                    [dt.date(year, 5, 2), "A001", "行政处罚法", 20],
                    [dt.date(year, 5, 3), "A001", "行政强制法", 20],
                    [dt.date(year, 6, 1), "A002", "全市行政执法人员轮训", 15],
                    [dt.date(year, 6, 2), "A002", "行政许可法", 15],
                ],
                "行政诉讼案件台账": [
                    [f"({year})琼01行初{i}号", dt.date(year, 3, i + 1), "败诉" if i < lost else "胜诉"]
                    for i in range(10)
                ],
            },
        )
    fill(
        cat,
        folder / "审批局-2024.xlsx",
        "approval_bureau",
        "海口市行政审批服务局",
        2024,
        {
            "inter_province_done": "是",
            "inter_province_done_date": dt.date(2022, 11, 30),
            "services_total": 100,
            "services_online": 96,
        },
        {
            "企业开办办件台账": [
                ["K1", dt.date(2024, 9, 30), dt.date(2024, 10, 8)],
                ["K2", dt.date(2024, 11, 4), dt.date(2024, 11, 4)],
            ]
        },
    )
    fill(
        cat,
        folder / "秀英区-2024.xlsx",
        "district_gov",
        "秀英区人民政府",
        2024,
        {"normative_docs_issued": 0, "normative_docs_filed": 0, "fines_decoupled": "否"},
        {"突发事件舆情台账": [["E1", "重大", dt.datetime(2024, 6, 1, 8), dt.datetime(2024, 6, 1, 12, 30)]]},
    )
    return folder
