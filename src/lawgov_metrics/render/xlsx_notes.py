"""The Excel report's 说明 sheet, and what it explains: how points are scored, the grades and their
colours, and what 指标明细's 数值 holds for each indicator kind (one meaning per kind, shown in its own
number format: percent, count, days late or early, 是/否).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lawgov_metrics.catalogue.models import INDICATOR_KINDS
from lawgov_metrics.render.xlsx_rows import PERCENT, Column, SheetData, Styled
from lawgov_metrics.results import STATUS_LABELS

if TYPE_CHECKING:
    from lawgov_metrics.results import Assessment

PERCENT_KINDS = frozenset({"ratio", "per_person", "cumulative", "duration", "trend"})
COUNT = "0"
DAYS = '"逾期"0"天";"提前"0"天";"按期（当日）"'  # a deadline's value: days after the due date
YES_NO = '"是";"是";"否"'  # a milestone's or yes/no indicator's value: 1 是, 0 否
# What 指标明细's 数值 holds for each indicator kind: one meaning per kind, shown in its own format.
VALUE_MEANINGS: dict[str, str] = {
    "ratio": "比率（分子 ÷ 分母，或填报的比率），百分比",
    "per_person": "达到最低要求的人员占比，百分比",
    "cumulative": "规划期内累计达到要求的人员占比，百分比",
    "duration": "在时限内办结的记录占比，百分比",
    "trend": "当年的比率（与上年比较），百分比；按人数比较的指标为当年人数",
    "count": "期间内的次数（分期要求的，取最不利的一期）",
    "deadline": "报送日期与期限相差的天数：显示为“逾期 N 天”“提前 N 天”或“按期（当日）”",
    "milestone": "是否已完成：显示为“是”或“否”（单元格中为 1 或 0）",
    "boolean": "是否落实：显示为“是”或“否”（单元格中为 1 或 0）",
}
VALUE_NOTE = (
    "数值按指标类型："
    + "；".join(
        f"{kind}——{meaning}"
        for kind, meaning in {
            "比率、人均、累计、时长": "百分比",
            "次数": "次数",
            "时限报送": "逾期（正）或提前（负）的天数",
            "节点任务、是否落实": "1 为是、0 为否",
            "逐年趋势": "当年的比率或人数",
        }.items()
    )
    + "。详见《说明》。"
)
GRADE_PALETTE = ("C6EFCE", "DDEBF7", "FFEB9C", "FFC7CE")  # best → worst: green, blue, yellow, red


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    """Each grade's colour (RGB hex), best first: green for the best, red for the worst, between them
    blue and yellow; the fill id of a grade is ``grade:<name>``."""
    last = len(GRADE_PALETTE) - 1
    if len(grades) == 1:
        return {grades[0]: GRADE_PALETTE[0]}
    return {g: GRADE_PALETTE[round(i * last / (len(grades) - 1))] for i, g in enumerate(grades)}


def counted_trend(ind: object) -> bool:
    """A trend on one count (``field``: 人员数量), whose value is a number, not a percent."""
    return getattr(ind, "kind", "") == "trend" and getattr(ind, "field", None) is not None


def value_format(indicator: object) -> str | None:
    """The number format of an indicator's 数值, by its kind (see :data:`VALUE_MEANINGS`)."""
    kind = getattr(indicator, "kind", "")
    if kind in PERCENT_KINDS and not counted_trend(indicator):
        return PERCENT
    return {"deadline": DAYS, "milestone": YES_NO, "boolean": YES_NO}.get(kind, COUNT if kind else None)


SCORING_WORDS = (
    "每项指标按指标目录规定的分值和计分规则计分：达标得满分（全有全无）；按完成比例得分；分档得分；"
    "或按缺少次数扣分、累计扣分不超过上限。",
    "状态为“不适用”“未到期”的指标不计入满分；“缺数据”“数据有误”的指标得 0 分，并计入满分。",
    "得分率 = 得分 ÷ 满分（可得满分）。各章得分率按同样方法在章内计算。",
    "排名在同一类别、同一年度内按得分率从高到低进行，得分率相同名次相同；"
    "具名机关（如市司法局）在其所属一般类别（如市直部门）内排名。",
    "等次按得分率划分，见下表。",
)


def notes_sheet(assessment: Assessment, inputs: Sequence[str], generated_at: dt.datetime) -> SheetData:
    catalogue = assessment.catalogue
    plan = catalogue.plan
    sheet = SheetData("说明", (Column("项目", max_width=16), Column("内容", max_width=100)), autofilter=False)
    rows: list[list[Any]] = [
        ["方案", plan.title],
        ["印发机关", plan.issuer],
        ["规划期", f"{plan.period.start}—{plan.period.end}年"],
        ["指标目录版本", catalogue.version],
        ["指标目录 SHA-256", catalogue.sha256 or "（未记录）"],
        ["评估年度", "、".join(str(y) for y in assessment.years)],
        ["生成时间", generated_at.isoformat(sep=" ", timespec="seconds")],
        ["截止日期判断日", assessment.as_of.isoformat() if assessment.as_of else "（未记录）"],
        ["单位数", int(assessment.scores["unit"].nunique()) if len(assessment.scores) else 0],
        ["指标结果数", len(assessment.results)],
        [
            "数据问题",
            f"{assessment.error_count} 个错误，{len(assessment.issues_list) - assessment.error_count} 个警告",
        ],
    ]
    rows += [["计分规则" if i == 0 else None, text] for i, text in enumerate(SCORING_WORDS)]
    grades = list(catalogue.grades)
    for i, grade in enumerate(grades):
        upper = f"，< {grades[i - 1].min_rate:.0%}" if i > 0 else ""
        text = f"{grade.name}：得分率 ≥ {grade.min_rate:.0%}{upper}"
        rows.append(["等次" if i == 0 else None, Styled(text, fill=f"grade:{grade.name}")])
    used = [kind for kind in VALUE_MEANINGS if any(ind.kind == kind for ind in catalogue.indicators)]
    for i, kind in enumerate(used):
        rows.append(["数值" if i == 0 else None, f"{INDICATOR_KINDS[kind]}类指标：{VALUE_MEANINGS[kind]}"])
    for i, (status, label) in enumerate(STATUS_LABELS.items()):
        rows.append(["状态" if i == 0 else None, Styled(label, fill=status)])
    for i, chapter in enumerate(catalogue.chapters):
        rows.append(["章节" if i == 0 else None, f"第{chapter.id}章 {chapter.title}"])
    rows += [["输入" if i == 0 else None, item] for i, item in enumerate(inputs or ["（未记录）"])]
    rows += [
        ["读取的文件" if i == 0 else None, item] for i, item in enumerate(assessment.files or ("（无）",))
    ]
    sheet.rows = rows
    return sheet
