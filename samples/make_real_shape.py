"""Write ``samples/real-shape/``: submissions shaped like what Haikou units really publish and send.

Not the generated city of ``make_samples.py`` (every unit, every ledger, every year), but the shapes that
break naive scoring: figures copied from annual reports (法治政府建设年度报告, 政府信息公开年度报告) as
rates without counts; the official template filled in its summary sheet only, ledger sheets untouched;
explicit answers (不适用, 不涉及, 未公开) and words around figures (先后4次, 超过98%); names as units write
them (龙华区, 市司法局); a district department (区政府部门); and years in which a unit sent nothing.
The figures are made up in the shape of published ones, not copied from any report.

``samples/real-shape/EXPECTED.yaml`` is written by hand, not by this script: the statuses, values and
issues an analyst should get, each with the reason; ``tests/test_real_shape.py`` checks them.

    python samples/make_real_shape.py          # rewrites samples/real-shape/ (EXPECTED.yaml is kept)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import lawgov_metrics  # noqa: F401
except ImportError:  # a source checkout without an installed package
    sys.path.insert(0, str(REPO / "src"))

from make_samples import stamp_template, workbook_bytes  # noqa: E402

from lawgov_metrics import layout  # noqa: E402
from lawgov_metrics.catalogue import Catalogue, load_catalogue  # noqa: E402
from lawgov_metrics.render.template import build_template  # noqa: E402

REPORT_2023 = "龙华区2023年法治政府建设年度报告"
REPORT_2024 = "龙华区2024年法治政府建设年度报告"

# 龙华区's figures as its annual reports print them: rates, answers, words around numbers
LONGHUA_REPORT = [
    ("龙华区", 2023, "行政机关负责人出庭应诉率", "95.2%", REPORT_2023),
    ("龙华区", 2024, "行政机关负责人出庭应诉率", "100%", REPORT_2024),
    ("龙华区", 2024, "人大代表建议、政协委员提案办理满意度", "100%", REPORT_2024),
    ("龙华区", 2024, "行政规范性文件报备率", "100%", REPORT_2024),
    ("龙华区", 2024, "行政规范性文件审查率", "100%", REPORT_2024),
    ("龙华区", 2024, "行政诉讼案件败诉率", "未公开", REPORT_2024),
    ("龙华区", 2024, "党委（党组）理论学习中心组学法次数", "先后4次", REPORT_2024),
    ("龙华区", 2024, "政务服务事项全程网办比例", "超过98%", "龙华区2024年政务服务工作总结"),
    ("龙华区", 2024, "依申请公开及时答复率", "100%", "龙华区2024年政府信息公开工作年度报告"),
    ("龙华区", 2024, "作出的重大行政决策事项数", "不涉及", REPORT_2024),
]

# 龙华区司法局 (a district department) sends its own short table
LONGHUA_JUSTICE = [
    ("龙华区司法局", 2024, "制发行政规范性文件件数", "0", "龙华区司法局2024年工作总结"),
    ("龙华区司法局", 2024, "党委（党组）理论学习中心组学法次数", "3", "龙华区司法局2024年工作总结"),
    ("龙华区司法局", 2024, "人大代表建议、政协委员提案办理满意度", "96.7%", "龙华区司法局2024年工作总结"),
]

# 秀英区 fills the official template's 汇总表 only; its ledger sheets keep their header alone
XIUYING_SUMMARY = {
    "normative_docs_issued": 6,
    "normative_docs_filed": 6,
    "normative_filings_received": 6,  # 备案审查 of the district's departments' and towns' filings
    "normative_filings_reviewed": 6,
    "litigation_cases_concluded": 5,
    "litigation_cases_lost": 1,
    "proposals_evaluated": 40,
    "proposals_satisfied": 37,
    "study_sessions_leadership": 4,
    "fines_decoupled": "是",
    "enforcement_stats_report_date": dt.date(2025, 1, 20),
    "annual_report_submitted_on": dt.date(2025, 2, 26),
    "annual_report_published_on": dt.date(2025, 4, 10),
    "major_decisions_made": "不适用",
}

# 市司法局 writes its short name in 填报单位 and gives the rates its report published
JUSTICE_SUMMARY = {
    "normative_doc_filing_rate_reported": "100%",
    "normative_doc_review_rate_reported": "98%",
    "new_reconsideration_staff_qualified_rate_reported": "100%",
}


def summary_workbook(cat: Catalogue, kind: str, unit: str, year: int, values: dict[str, object]) -> bytes:
    wb = build_template(cat, kind=kind, unit=unit, year=year)
    stamp_template(wb, year)
    ws = wb[layout.SUMMARY_SHEET]
    header = {ws.cell(layout.SUMMARY_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, 1).value: r for r in range(layout.SUMMARY_FIRST_DATA_ROW, ws.max_row + 1)}
    for field_id, value in values.items():
        ws.cell(rows[field_id], header[layout.PERIOD_COLUMNS["Y"]]).value = value
    return workbook_bytes(wb, year)


def table_bytes(rows: list[tuple[object, ...]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["单位", "年度", "字段", "数值", "来源"])
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def register_bytes() -> bytes:
    """The bundled Haikou register, with the district departments that send data."""
    base = (REPO / "samples" / "haikou" / "units.csv").read_text(encoding="utf-8-sig").rstrip("\n")
    extra = "龙华区司法局,区政府部门,海口市龙华区司法局,龙华区,是"
    return ("\ufeff" + base + "\n" + extra + "\n").encode("utf-8")


def write(out: Path) -> list[Path]:
    cat = load_catalogue(REPO / "indicators.yaml")
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "units.csv": register_bytes(),
        "龙华区-法治政府建设年度报告摘录.csv": table_bytes(LONGHUA_REPORT),
        "龙华区司法局-2024.csv": table_bytes(LONGHUA_JUSTICE),
        "秀英区人民政府-2024.xlsx": summary_workbook(cat, "district_gov", "秀英区人民政府", 2024, XIUYING_SUMMARY),
        "市司法局-2024.xlsx": summary_workbook(cat, "justice_bureau", "市司法局", 2024, JUSTICE_SUMMARY),
    }
    written = []
    for name, data in files.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成 samples/real-shape/（EXPECTED.yaml 手写，不由本脚本生成）")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "real-shape"))
    args = parser.parse_args(argv)
    for path in write(Path(args.out)):
        print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
