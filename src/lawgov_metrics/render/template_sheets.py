"""The submission template's content and its sheets: :class:`TemplateSpec` (what goes in, built first from
the catalogue for one unit kind), then the writers of 填报说明, 汇总表, one sheet per 台账, the hidden choice
lists and ``_meta``. Formats, validations and styles are :mod:`lawgov_metrics.render.template_rules`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lawgov_metrics import layout
from lawgov_metrics.catalogue.applicability import (
    fields_for_kind,
    indicator_field_ids,
    indicator_ledger_ids,
    indicators_for_kind,
    ledgers_for_kind,
)
from lawgov_metrics.catalogue.describe import target_label
from lawgov_metrics.catalogue.models import Catalogue, FieldDef, Indicator, Ledger, LedgerColumn, UnitKind
from lawgov_metrics.render.template_rules import (
    DATE_MAX,
    DATE_MIN,
    LISTS_SHEET,
    ChoiceLists,
    Dates,
    Rule,
    cell_styles,
    column_rule,
    data_validation,
    field_rule,
    number_text,
    plan_dates,
    protect_sheet,
    text_cell,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

LEDGER_MAX_ROW = 1_048_576  # ledger validations run to the sheet's end: no cap on records
LAST_COLUMN = 16_384  # XFD
COLUMN_TYPE_NAMES = {
    "text": "文本",
    "id": "编号（文本）",
    "int": "整数",
    "number": "数值",
    "date": "日期（yyyy-mm-dd）",
    "datetime": "日期时间（yyyy-mm-dd hh:mm）",
    "bool": "是/否",
    "choice": "选项",
}
PERIOD_HINTS = {"half": "上半年、下半年", "quarter": "季度"}
REMARK_RULE = Rule(
    "textLength",
    "lessThanOrEqual",
    str(layout.REMARK_MAX_CHARS),
    None,
    "@",
    f"填写本行数据的来源、统计截止日或统计口径（选填，{layout.REMARK_MAX_CHARS} 字以内）",
)
FORBIDDEN_SHEET_CHARS = set("[]:*?/\\")


# ---------------------------------------------------------------- what goes in (built first, then drawn)


@dataclass(frozen=True)
class TemplateSpec:
    catalogue: Catalogue
    kind: UnitKind
    unit: str | None
    year: int | None
    fields: list[FieldDef]
    ledgers: list[Ledger]
    indicators: list[Indicator]
    periods: tuple[str, ...]
    generated_at: str
    unit_names: tuple[str, ...] = ()  # the register's units of this kind: 填报单位's drop-down
    dates: Dates = (DATE_MIN, DATE_MAX)  # set from the catalogue's plan by :meth:`of`

    @classmethod
    def of(
        cls,
        catalogue: Catalogue,
        kind: UnitKind,
        unit: str | None,
        year: int | None,
        properties: frozenset[str] | None = None,
        unit_names: tuple[str, ...] = (),
    ) -> TemplateSpec:
        """``properties``: the unit's register properties (None: each property's default)."""
        plan = catalogue.plan.period
        if year is not None and year not in plan.years:
            raise ValueError(f"填报年度 {year} 不在规划期 {plan.start}—{plan.end} 年内")
        fields = fields_for_kind(catalogue, kind.id, properties)
        ledgers = ledgers_for_kind(catalogue, kind.id, properties)
        _check_sheet_names([ledger.name for ledger in ledgers])
        periods: tuple[str, ...] = ("Y", "H1", "H2")
        if any(f.period == "quarter" for f in fields):
            periods += ("Q1", "Q2", "Q3", "Q4")
        unit = (unit.strip() or None) if unit is not None else None
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        indicators = indicators_for_kind(catalogue, kind.id, properties)
        dates = plan_dates(plan.start, plan.end)
        return cls(catalogue, kind, unit, year, fields, ledgers, indicators, periods, now, unit_names, dates)

    def clauses_of(self, field_id: str) -> str:
        """Clauses of the indicators reading a field; a whole kept for its parts takes theirs."""
        readers = [i for i in self.indicators if field_id in indicator_field_ids(i)]
        if not readers:
            parts = {f.id for f in self.fields if f.part_of == field_id}
            readers = [i for i in self.indicators if parts & set(indicator_field_ids(i))]
        return "、".join(dict.fromkeys(f"（{i.clause}）" for i in readers))


def _check_sheet_names(names: list[str]) -> None:
    """Ledger names are sheet names the reader looks up verbatim, so they are refused, never mangled."""
    taken = {s.casefold() for s in (layout.GUIDE_SHEET, layout.SUMMARY_SHEET, layout.META_SHEET, LISTS_SHEET)}
    for name in names:
        bad = FORBIDDEN_SHEET_CHARS & set(name)
        if not name or len(name) > 31 or bad or name.startswith("'") or name.endswith("'"):
            why = f"含有字符 {''.join(sorted(bad))}" if bad else "长度应为 1—31 个字符且不以单引号开头或结尾"
            raise ValueError(f"台账名称「{name}」不能用作工作表名：{why}")
        if name.casefold() in taken or name.casefold() == "history":
            raise ValueError(f"台账名称「{name}」与其他工作表重名")
        taken.add(name.casefold())


def _display_width(text: str) -> int:
    """Excel column width units: a CJK (wide) character takes about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


LINE_HEIGHT = 15  # points: one line of the default 11-point font


def _wrapped_height(text: str, width: float) -> float | None:
    """The row height (points) wrapped ``text`` needs in a column ``width`` characters wide; None for one
    line. Excel does not fit a row to wrapped text it did not type itself, so the template sets it."""
    usable = max(1.0, width - 2)  # the cell's margins
    lines = sum(max(1, -(-_display_width(line) // int(usable))) for line in text.splitlines() or [""])
    return LINE_HEIGHT * lines + 3 if lines > 1 else None


# ---------------------------------------------------------------- 填报说明


GUIDE_RULES = """\
# 一、填报要求
1. 本工作簿由{kind}指定的填报人员填写，经单位负责人审核后报送。
2. 一个工作簿只填一个单位、一个年度的数据；不同单位、不同年度请分别使用模板。
3. 浅黄色单元格为填报区；灰色单元格无需填写；其余单元格已锁定。
   工作表保护未设密码，但请勿修改工作表名称、表头和“字段标识”列，否则无法识别。
4. 《{summary}》每行一个项目，在该项目填报周期对应的浅黄色单元格填写（{periods}）。
5. 当年确实没有发生的事项请填 0；留空视为未填报（可由台账汇总的项目除外，见第四部分）。
6. 台账工作表第 1 行为表头，自第 2 行起每行一条记录，可在记录之间插入行、删除行；请勿合并单元格，不要插入小计、合计行。
7. 选中单元格时会显示填写提示；输入不符合要求时 Excel 会提示并拒绝。
8. 从其他表格复制数据时，请用“选择性粘贴→数值”，以免覆盖单元格格式和下拉列表。
9. 《{summary}》最右列“{remark}”可注明该行数据的来源、统计截止日或统计口径（选填），会随数据列入评估报告。

# 二、数据格式
· 件数、次数、人数：填写不小于 0 的整数，不要带单位（填“5”，不要填“5件”）。
· 学时等数量：填写数值，可带小数。
· 百分比：可直接输入 95%，也可输入小数 0.95，两者相同。
· 日期：按 2025-01-20 的格式输入（也可输入 2025/1/20），不要写成“2025.1.20”“1月20日”。
· 日期时间：按 2025-01-20 09:30 的格式输入。
· 是否：点击单元格右侧的下拉箭头，选择“是”或“否”。
· 选项：从下拉列表中选择，不要自行改写。
· 编号（身份证号、执法证号、案号等）：单元格已设为文本格式，直接输入，不会变成科学计数法。
"""
GUIDE_DERIVED = """\
下列项目可由台账汇总：已填写台账的，《{summary}》中该项可以留空，由工具按台账统计；
两处都填写且数值不一致的，检查时将作为问题列出，请核对后修改。"""
GUIDE_CHECK = """\
# 六、保存与检查
1. 填写完成后请保存为 Excel 工作簿（.xlsx）格式，不要另存为 .xls、.et 或 .csv。
2. 报送前请用以下命令检查，按提示修改直至没有问题：
$ lawgov-metrics check 文件.xlsx
3. 请使用本年度下发的模板；用旧版模板填写的文件，检查时会提示。"""

# (style, cells); style: title, heading, text, table_header, table or command
GuideRow = tuple[str, tuple[str, ...]]


def _marked(text: str) -> list[GuideRow]:
    """Guide text with "# " headings and "$ " commands, one row per line."""
    marks = {"# ": "heading", "$ ": "command"}
    return [
        (marks[line[:2]], (line[2:],)) if line[:2] in marks else ("text", (line,) if line else ())
        for line in text.splitlines()
    ]


def _guide_rows(spec: TemplateSpec) -> list[GuideRow]:
    cat, kind, summary = spec.catalogue, spec.kind, layout.SUMMARY_SHEET
    unit = spec.unit or f"请在《{summary}》B{layout.HEADER_LABELS[layout.UNIT_LABEL]} 单元格填写单位全称"
    year = (
        f"{spec.year}年（统计期间为 {spec.year}年1月1日至12月31日）"
        if spec.year is not None
        else f"请在《{summary}》B{layout.HEADER_LABELS[layout.YEAR_LABEL]} 单元格填写年份，如 2024"
    )
    rows: list[GuideRow] = [("title", (f"{cat.plan.title}年度数据填报说明",)), ("text", ())]
    rows += _marked(
        f"单位类别：{kind.name}\n填报单位：{unit}\n填报年度：{year}\n"
        f"指标目录版本：{cat.version}（模板生成于 {spec.generated_at[:10]}）"
    )
    periods = "、".join(f"“{layout.PERIOD_COLUMNS[p]}”" for p in spec.periods)
    rows += _marked(
        "\n" + GUIDE_RULES.format(kind=kind.name, summary=summary, periods=periods, remark=layout.COL_REMARK)
    )

    rows += _marked("\n# 三、台账（各工作表的用途）")
    for ledger in spec.ledgers:
        used_by = [i.name for i in spec.indicators if ledger.id in indicator_ledger_ids(cat, i)]
        feeds = [f.name for f in spec.fields if f.derive is not None and f.derive.ledger == ledger.id]
        required = [c.name for c in ledger.columns if c.required]
        text = f"《{ledger.name}》" + (f"：{ledger.description.rstrip('。')}。" if ledger.description else "")
        text += f"用于：{'、'.join(used_by)}。" if used_by else ""
        text += f"可汇总：{'、'.join(feeds)}。" if feeds else ""
        text += f"必填列：{'、'.join(required)}。" if required else ""
        rows.append(("text", (text,)))
    if not spec.ledgers:
        rows.append(("text", ("本类单位无需填报台账。",)))

    rows += _marked("\n# 四、可由台账汇总的项目")
    derived = [(f.name, cat.ledgers_by_id[f.derive.ledger].name) for f in spec.fields if f.derive is not None]
    if derived:
        rows += _marked(GUIDE_DERIVED.format(summary=summary))
        rows += [("text", (f"· {name}：由《{ledger}》汇总",)) for name, ledger in derived]
    else:
        rows.append(("text", (f"本类单位没有可由台账汇总的项目，《{summary}》各项请直接填写。",)))

    rows += _marked(f"\n# 五、{kind.name}的考核指标")
    rows.append(("table_header", ("条款", "指标", "目标")))
    rows += [("table", (f"（{i.clause}）", i.name, target_label(cat, i))) for i in spec.indicators]
    rows += _marked("\n" + GUIDE_CHECK)
    return rows


def write_guide(ws: Worksheet, spec: TemplateSpec) -> None:
    from openpyxl.styles import Font

    styles = cell_styles()
    for row, (style, cells) in enumerate(_guide_rows(spec), start=1):
        for col, text in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=col, value=text)
            if style == "title":
                cell.font = styles["title"]
            elif style == "heading":
                cell.font = styles["heading"]
            elif style == "table_header":
                cell.font, cell.fill = styles["bold"], styles["header_fill"]
            elif style == "command":
                cell.font = Font(name="Consolas", bold=True)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 56
    ws.column_dimensions["C"].width = 40
    protect_sheet(ws)


# ---------------------------------------------------------------- 汇总表


def _field_note(spec: TemplateSpec, f: FieldDef) -> str:
    parts = [f.description.rstrip("。")] if f.description else []
    match f.type:
        case "count" | "number" | "hours":
            what = "整数" if f.type == "count" else "数值，可带小数"
            lo, hi = f.lower_bound, f.upper_bound
            parts.append(
                f"{what}，{number_text(lo or 0)}—{number_text(hi)}"
                if hi is not None
                else f"{what}，不小于 {number_text(lo or 0)}"
            )
        case "percent":
            parts.append("百分比，可填 95% 或 0.95")
        case "date":
            parts.append("日期，如 2025-01-20")
        case "bool":
            parts.append("下拉选择 是/否")
    if f.period != "year":
        parts.append(f"按{PERIOD_HINTS[f.period]}分别填写")
    if f.part_of:
        parts.append(f"不得大于“{spec.catalogue.fields_by_id[f.part_of].name}”")
    if f.derive is not None:
        ledger = spec.catalogue.ledgers_by_id[f.derive.ledger].name
        parts.append(f"可由《{ledger}》汇总，填写台账后本项可留空")
    return "；".join(parts)


def _unit_rule(spec: TemplateSpec, lists: ChoiceLists) -> Rule:
    """填报单位: a drop-down of the register's units of the kind, when the register has any (a unit it does
    not list yet may still be typed, after a warning); else any name of 2—100 characters."""
    if not spec.unit_names:
        return Rule("textLength", "between", "2", "100", "@", "填写单位全称（2—100 个字）")
    source = lists.source(layout.UNIT_LABEL, spec.unit_names)
    wanted = f"从下拉列表中选择单位全称（单位名册中的{spec.kind.name}，共 {len(spec.unit_names)} 个）"
    return Rule("list", None, source, None, "@", wanted)


def write_summary(ws: Worksheet, spec: TemplateSpec, lists: ChoiceLists | None = None) -> None:
    from openpyxl.utils import get_column_letter

    s = cell_styles()
    headers = [layout.COL_FIELD_ID, layout.COL_FIELD_NAME, layout.COL_UNIT, layout.COL_CLAUSE]
    headers += [layout.PERIOD_COLUMNS[p] for p in spec.periods] + [layout.COL_NOTE, layout.COL_REMARK]
    note_col, remark_col = len(headers) - 1, len(headers)
    period_col = {p: 5 + i for i, p in enumerate(spec.periods)}

    def input_cell(row: int, col: int, rule: Rule, dv: Any) -> None:
        cell = ws.cell(row=row, column=col)
        cell.fill, cell.protection, cell.number_format = s["input_fill"], s["unlocked"], rule.number_format
        dv.add(cell.coordinate)

    ws["A1"] = f"{spec.catalogue.plan.title}年度数据填报表"
    ws["A1"].font = s["title"]
    ws.merge_cells(f"A1:{get_column_letter(len(headers))}1")
    plan = spec.catalogue.plan.period
    lo = min(plan.start - 1, spec.year or plan.start)  # the year before the plan is a trend baseline
    hi = max(plan.end, spec.year or plan.end)
    header_cells: dict[str, tuple[str | int | None, Rule | None]] = {
        layout.UNIT_LABEL: (spec.unit, _unit_rule(spec, lists if lists is not None else ChoiceLists())),
        layout.YEAR_LABEL: (
            spec.year,
            Rule("whole", "between", str(lo), str(hi), "0", f"填写 {lo} 至 {hi} 的年份"),
        ),
        layout.KIND_LABEL: (spec.kind.name, None),  # fixed by the template: locked
    }
    for label, row in layout.HEADER_LABELS.items():
        value, rule = header_cells[label]
        ws.cell(row=row, column=1, value=label).font = s["bold"]
        text_cell(ws, row, 2, value)
        if rule is not None:
            input_cell(row, 2, rule, dv := data_validation(rule, label))
            if rule.type == "list":
                dv.errorStyle = "warning"  # a unit new to the register: Excel asks, then takes it
            ws.add_data_validation(dv)
    ws["D2"] = f"浅黄色单元格为填报区，灰色单元格无需填写；填写方法见《{layout.GUIDE_SHEET}》。"

    remarks = data_validation(REMARK_RULE, "备注")  # one validation for the column's cells
    ws.add_data_validation(remarks)
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=layout.SUMMARY_HEADER_ROW, column=col, value=text)
        cell.font, cell.fill, cell.alignment = s["bold"], s["header_fill"], s["center"]
    for row, f in enumerate(spec.fields, start=layout.SUMMARY_FIRST_DATA_ROW):
        for col, text in enumerate((f.id, f.name, f.unit, spec.clauses_of(f.id)), start=1):
            ws.cell(row=row, column=col, value=text)
        ws.cell(row=row, column=note_col, value=_field_note(spec, f)).alignment = s["wrap"]
        input_cell(row, remark_col, REMARK_RULE, remarks)
        ws.cell(row=row, column=remark_col).alignment = s["wrap"]
        rule = field_rule(f, spec.dates)
        dv = data_validation(rule, f.name)
        for period, col in period_col.items():
            if period in layout.GRANULARITY_PERIODS[f.period]:
                input_cell(row, col, rule, dv)
            else:
                ws.cell(row=row, column=col).fill = s["grey_fill"]  # locked, as every cell is by default
        ws.add_data_validation(dv)

    names = [_display_width(f.name) for f in spec.fields]
    widths = [
        max([10, *(len(f.id) + 2 for f in spec.fields)]),
        min(60, max([24, *names]) + 2),
        10,
        max([10, *(_display_width(spec.clauses_of(f.id)) + 2 for f in spec.fields)]),
        *(12 for _ in spec.periods),
        60,
        40,
    ]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, f in enumerate(spec.fields, start=layout.SUMMARY_FIRST_DATA_ROW):
        height = _wrapped_height(_field_note(spec, f), widths[note_col - 1])
        if height is not None:
            ws.row_dimensions[row].height = height
    ws.freeze_panes = ws.cell(row=layout.SUMMARY_FIRST_DATA_ROW, column=3)
    protect_sheet(ws)


# ---------------------------------------------------------------- 台账


def _column_comment(column: LedgerColumn) -> str:
    lines = [f"类型：{COLUMN_TYPE_NAMES[column.type]}", f"必填：{'是' if column.required else '否'}"]
    if column.min is not None or column.max is not None:
        lo, hi = (number_text(b) if b is not None else "" for b in (column.min, column.max))
        lines.append(f"范围：{lo}—{hi}")
    if column.choices:
        lines.append(f"可选值：{'、'.join(column.choices)}")
    return "\n".join(lines)


def _column_width(column: LedgerColumn) -> int:
    minimum = {"date": 12, "datetime": 17, "id": 22, "text": 24, "int": 10, "number": 10, "bool": 8}
    widest_choice = max((_display_width(c) for c in column.choices), default=0) + 4
    return min(50, max(_display_width(column.name) + 4, minimum.get(column.type, 0), widest_choice))


def write_ledger(
    ws: Worksheet, ledger: Ledger, lists: ChoiceLists, dates: Dates = (DATE_MIN, DATE_MAX)
) -> None:
    """A ledger sheet: its header locked, every cell below it open, rows free to insert and delete (Excel
    deletes a row under protection only when none of its cells is locked, so the columns right of the
    ledger's are unlocked too); validations and formats by whole column, so they follow the rows."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    s = cell_styles()
    for col, column in enumerate(ledger.columns, start=1):
        letter = get_column_letter(col)
        cell = ws.cell(row=1, column=col, value=column.name)
        cell.font, cell.fill, cell.alignment = s["bold"], s["header_fill"], s["center"]
        cell.protection = s["locked"]
        text = _column_comment(column)
        lines = sum(1 + _display_width(line) // 36 for line in text.splitlines())  # ~18 CJK a line
        cell.comment = Comment(text, "lawgov-metrics", height=18 * lines + 12, width=260)
        rule = column_rule(column, lists, f"{ledger.name}·{column.name}", dates)
        # Column-level style: every record row of the column is an input cell, however many there are.
        dim = ws.column_dimensions[letter]
        dim.width = _column_width(column)
        dim.fill, dim.protection, dim.number_format = s["input_fill"], s["unlocked"], rule.number_format
        dv = data_validation(rule, column.name, column.required)
        dv.add(f"{letter}2:{letter}{LEDGER_MAX_ROW}")
        ws.add_data_validation(dv)
    rest = ws.column_dimensions[get_column_letter(len(ledger.columns) + 1)]
    rest.min, rest.max = len(ledger.columns) + 1, LAST_COLUMN
    rest.width, rest.protection = 10, s["unlocked"]
    heights = [_wrapped_height(c.name, _column_width(c)) for c in ledger.columns]
    if any(heights):
        ws.row_dimensions[1].height = max(h for h in heights if h)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ledger.columns))}1"
    protect_sheet(ws, rows=True)


def write_lists(ws: Worksheet, lists: ChoiceLists) -> None:
    for col, (label, choices) in enumerate(lists.columns, start=1):
        ws.cell(row=1, column=col, value=label)
        for row, choice in enumerate(choices, start=2):
            text_cell(ws, row, col, choice)
    ws.sheet_state = "veryHidden"
    protect_sheet(ws)


# ---------------------------------------------------------------- _meta


def _meta_values(spec: TemplateSpec) -> dict[str, str | int | None]:
    from lawgov_metrics import __version__

    return {
        "catalogue_version": spec.catalogue.version,
        "catalogue_sha256": spec.catalogue.sha256,
        "kind": spec.kind.id,
        "unit": spec.unit,
        "year": spec.year,
        "generated_at": spec.generated_at,
        "tool_version": __version__,
    }


def write_meta(ws: Worksheet, spec: TemplateSpec) -> None:
    values = _meta_values(spec)
    for row, key in enumerate(layout.META_KEYS, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=values[key])
    ws.sheet_state = "veryHidden"
    protect_sheet(ws)
