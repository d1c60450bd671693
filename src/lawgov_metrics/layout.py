"""The submission workbook's layout: one definition shared by the template writer and the reader.

汇总表 (summary sheet)::

    row 1   title
    row 2   填报单位 | <unit name>            (label in column A, value in column B)
    row 3   填报年度 | <year>
    row 4   单位类别 | <kind name>
    row 6   header: 字段标识 | 项目 | 计量单位 | 方案条款 | 全年 | 上半年 | 下半年 | 一季度 … 四季度 | 说明 | 备注（…）
    row 7…  one row per field; the value goes in the column of its period, the clerk's note (数据来源、统计
            口径) in 备注 — a column templates made before it lack, and the reader does without

Ledger sheets are named after the ledger (``Ledger.name``): Chinese headers in row 1, records from row 2.
Readers also accept a title above the header and merged header cells (they search for the header row).
A hidden sheet records the catalogue version and hash the template was made from.
"""

from __future__ import annotations

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS as _GRANULARITY_PERIODS
from lawgov_metrics.catalogue.describe import PERIOD_NAMES

SUMMARY_SHEET = "汇总表"
GUIDE_SHEET = "填报说明"
META_SHEET = "_meta"

UNIT_LABEL = "填报单位"
YEAR_LABEL = "填报年度"
KIND_LABEL = "单位类别"
HEADER_LABELS = {UNIT_LABEL: 2, YEAR_LABEL: 3, KIND_LABEL: 4}  # label → row (1-based); value in column B
SUMMARY_HEADER_ROW = 6  # 1-based
SUMMARY_FIRST_DATA_ROW = 7

COL_FIELD_ID = "字段标识"
COL_FIELD_NAME = "项目"
COL_UNIT = "计量单位"
COL_CLAUSE = "方案条款"
COL_NOTE = "说明"  # the template's own explanation of the field
COL_REMARK = "备注（数据来源、统计口径）"  # the clerk's note on the row's figures: travels with them
REMARK_HEADERS = (COL_REMARK, "备注", "填报备注")  # the reader takes any of these headers
REMARK_MAX_CHARS = 500  # a longer 来源 or 备注 is cut (with a warning)

# period code → summary column header, and each granularity's periods: the catalogue's own names
PERIOD_COLUMNS = PERIOD_NAMES
GRANULARITY_PERIODS = _GRANULARITY_PERIODS

# 长表 (long table) headers; 期间 optional
LONG_UNIT, LONG_YEAR, LONG_FIELD, LONG_VALUE, LONG_PERIOD = "单位", "年度", "字段", "数值", "期间"
LONG_ALIASES: dict[str, tuple[str, ...]] = {
    LONG_UNIT: ("单位", "单位名称", "填报单位", "unit"),
    LONG_YEAR: ("年度", "年份", "year"),
    LONG_FIELD: ("字段", "字段标识", "项目", "指标项", "field"),
    LONG_VALUE: ("数值", "值", "填报值", "value"),
    LONG_PERIOD: ("期间", "周期", "period"),
}
# optional provenance of each row's figure: travels to explain, JSON and the Excel report
LONG_CITED, LONG_AS_OF, LONG_REMARK = "来源", "统计截止日", "备注"
LONG_REMARK_ALIASES: dict[str, tuple[str, ...]] = {
    LONG_CITED: ("来源", "数据来源", "出处", "source"),
    LONG_AS_OF: ("统计截止日", "统计截止日期", "截止日期", "截止日", "数据截至", "统计截至", "as_of"),
    LONG_REMARK: ("备注", "说明", "note"),
}

# Ledger sheets and files may carry the unit (one workbook may hold several units' records).
LEDGER_UNIT_COLUMN = "单位"

# Rows below the data that are not records (a total must not be counted twice).
FOOTER_MARKERS = ("合计", "总计", "小计", "注：", "注:", "备注：", "说明：", "填表说明", "填报说明")

META_KEYS = ("catalogue_version", "catalogue_sha256", "kind", "unit", "year", "generated_at", "tool_version")
