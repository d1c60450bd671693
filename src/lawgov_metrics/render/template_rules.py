"""The submission template's cell formats, fills and data validations: a :class:`Rule` per summary field
and per ledger column (type, bounds, format and the Chinese prompt), the hidden sheet's choice lists too
long for an inline list, and the shared styles and sheet protection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lawgov_metrics.catalogue.models import FieldDef, LedgerColumn
from lawgov_metrics.render.safe_text import is_formula_like

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

LISTS_SHEET = "_lists"  # veryHidden; only when a choice list is too long for an inline list
INLINE_LIST_MAX = 255  # Excel's limit on an inline list source ("a,b,c")
INPUT_FILL = "FFF2CC"  # light yellow: fill me in
GREY_FILL = "D9D9D9"  # not for this field's period
HEADER_FILL = "DDEBF7"
DATE_MIN, DATE_MAX = dt.date(1950, 1, 1), dt.date(2099, 12, 31)  # a template made without a catalogue's plan
YEARS_BEFORE_PLAN = (
    5  # a case filed (立案) or a milestone reached some years before the plan is still plausible
)
Dates = tuple[dt.date, dt.date]
FORMATS = {"count": "0", "number": "General", "hours": "General", "percent": "0.0%", "date": "yyyy-mm-dd"}
COLUMN_FORMATS = {"text": "@", "id": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


# ---------------------------------------------------------------- validation rules


@dataclass(frozen=True)
class Rule:
    """One data validation: Excel type and formulas, the cell format, and what is wanted, as
    "填写不小于 0 的整数" — the prompt says 请…, the error message 应…."""

    type: str | None
    operator: str | None
    formula1: str | None
    formula2: str | None
    number_format: str
    wanted: str


def _range_rule(kind: str, lo: float | None, hi: float | None, what: str, fmt: str, extra: str = "") -> Rule:
    if lo is not None and hi is not None:
        op, f1, f2, words = (
            "between",
            number_text(lo),
            number_text(hi),
            f"{number_text(lo)} 至 {number_text(hi)} 之间的{what}",
        )
    elif lo is not None:
        op, f1, f2, words = "greaterThanOrEqual", number_text(lo), None, f"不小于 {number_text(lo)} 的{what}"
    elif hi is not None:
        op, f1, f2, words = "lessThanOrEqual", number_text(hi), None, f"不大于 {number_text(hi)} 的{what}"
    else:
        op, f1, f2, words = "between", "-999999999999", "999999999999", what
    return Rule(kind, op, f1, f2, fmt, f"填写{words}{extra}")


def plan_dates(start: int, end: int) -> Dates:
    """The dates a template accepts for a plan running ``start``–``end``: from a few years before it (a
    lawsuit filed earlier, a milestone reached early) to the end of the year after it (the last year's
    reports are due then). A typo such as 2204 or 1024 is refused as it is typed."""
    return dt.date(start - YEARS_BEFORE_PLAN, 1, 1), dt.date(end + 1, 12, 31)


def _date_rule(with_time: bool = False, dates: Dates = (DATE_MIN, DATE_MAX)) -> Rule:
    first, last = dates
    lo, hi = _serial(first), _serial(last) + (1 if with_time else 0)
    what = "日期时间，如 2025-01-20 09:30" if with_time else "日期，如 2025-01-20"
    # a date-time is a fractional serial: a decimal rule takes it where a date rule might not
    kind, fmt = ("decimal", COLUMN_FORMATS["datetime"]) if with_time else ("date", FORMATS["date"])
    return Rule(kind, "between", str(lo), str(hi), fmt, f"填写 {first} 至 {last} 之间的{what}")


YES_NO = Rule("list", None, '"是,否"', None, "General", "从下拉列表中选择“是”或“否”")


def field_rule(f: FieldDef, dates: Dates = (DATE_MIN, DATE_MAX)) -> Rule:
    unit = f"（{f.unit}）" if f.unit and f.unit not in ("%", "日期", "是否") else ""
    match f.type:
        case "count":
            return _range_rule("whole", f.lower_bound, f.upper_bound, "整数", FORMATS["count"], unit)
        case "number" | "hours":
            return _range_rule("decimal", f.lower_bound, f.upper_bound, "数", FORMATS[f.type], unit)
        case "percent":
            lo, hi = f.lower_bound, f.upper_bound
            shown = f"{number_text((lo or 0) * 100)}% 至 {number_text((hi or 1) * 100)}% 之间的比例，可直接输入 95%，也可输入 0.95"
            return replace(_range_rule("decimal", lo, hi, "比例", FORMATS["percent"]), wanted=f"填写{shown}")
        case "date":
            return _date_rule(dates=dates)
        case "bool":
            return YES_NO
    raise AssertionError(f.type)  # pragma: no cover - the Literal is exhaustive


@dataclass
class ChoiceLists:
    """Choice lists too long (or too comma-laden) for an inline list, kept on a hidden sheet."""

    columns: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def source(self, label: str, choices: tuple[str, ...]) -> str:
        inline = ",".join(choices)
        if len(inline) + 2 <= INLINE_LIST_MAX and not any("," in c or '"' in c for c in choices):
            return f'"{inline}"'
        from openpyxl.utils import get_column_letter, quote_sheetname

        self.columns.append((label, choices))
        letter = get_column_letter(len(self.columns))
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"


def column_rule(
    column: LedgerColumn, lists: ChoiceLists, label: str, dates: Dates = (DATE_MIN, DATE_MAX)
) -> Rule:
    match column.type:
        case "text":
            return Rule(None, None, None, None, "@", "填写文本")
        case "id":
            return Rule(None, None, None, None, "@", "按文本填写编号（身份证号、证号等不会变成数字）")
        case "int":
            return _range_rule("whole", column.min, column.max, "整数", "0")
        case "number":
            return _range_rule("decimal", column.min, column.max, "数", "General")
        case "date" | "datetime":
            return _date_rule(with_time=column.type == "datetime", dates=dates)
        case "bool":
            return YES_NO
        case "choice":
            source = lists.source(label, column.choices)
            shown = "、".join(column.choices)
            shown = shown if len(shown) <= 120 else f"共 {len(column.choices)} 项，见表头批注"
            return Rule("list", None, source, None, "@", f"从下拉列表中选择：{shown}")
    raise AssertionError(column.type)  # pragma: no cover


def data_validation(rule: Rule, title: str, required: bool = False) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type=rule.type,
        operator=rule.operator,
        formula1=rule.formula1,
        formula2=rule.formula2,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=rule.type is not None,
        errorStyle="stop",
        # Excel's limits: titles 32 characters, input message 255, error message 225
        promptTitle=title[:32],
        prompt=f"请{rule.wanted}{'（必填）' if required else ''}"[:255],
        errorTitle="填写有误",
        error=f"「{title}」应{rule.wanted}"[:225],
    )


# ---------------------------------------------------------------- styles


def cell_styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    return {
        "input_fill": PatternFill("solid", fgColor=INPUT_FILL),
        "grey_fill": PatternFill("solid", fgColor=GREY_FILL),
        "header_fill": PatternFill("solid", fgColor=HEADER_FILL),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "heading": Font(bold=True, size=12),
        "unlocked": Protection(locked=False),
        "locked": Protection(locked=True),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(vertical="center", wrap_text=True),
    }


def text_cell(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """A cell holding ``value``; a text a spreadsheet would take for a formula (a unit named ``=…`` in the
    register) stays text, as written, with the quote-prefix style (openpyxl would store it as a formula)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type, cell.quotePrefix = "s", True
    return cell


def protect_sheet(ws: Worksheet, rows: bool = False) -> None:
    """Protection on, no password; formatting rows/columns, autofilter and sorting stay allowed, and with
    ``rows`` (a ledger) inserting and deleting rows too: records come and go. (In the file a flag set to
    true *forbids* the action; openpyxl's False writes the allowing 0.)"""
    ws.protection.sheet = True
    if rows:
        ws.protection.insertRows = False
        ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
