"""Data problems as typed records: a stable code, a severity, a Chinese message and where it is.

Every problem found while reading or validating a submission becomes one :class:`Issue`; nothing is
raised to the user mid-way, so a clerk sees every problem of a submission in one round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

# code → (severity, Chinese title). Codes are stable: CI scripts and tests match on them.
ISSUE_CODES: dict[str, tuple[Severity, str]] = {
    # files
    "file-not-found": ("error", "文件不存在"),
    "file-unsupported": ("error", "不支持的文件类型"),
    "file-encrypted": ("error", "文件受密码保护"),
    "file-legacy-xls": ("error", "旧版 .xls 文件"),
    "file-not-workbook": ("error", "文件不是 Excel 工作簿"),
    "file-corrupt": ("error", "文件已损坏或不完整"),
    "file-too-large": ("error", "文件超出安全限制"),
    "file-timeout": ("error", "读取超时"),
    "file-encoding": ("error", "无法识别的文本编码"),
    # sheets and structure
    "sheet-hidden": ("warning", "隐藏的工作表未读取"),
    "sheet-unknown": ("warning", "未知的工作表"),
    "sheet-too-large": ("error", "工作表范围过大"),
    "header-missing": ("error", "找不到表头"),
    "column-unknown": ("warning", "未知的列"),
    "column-missing": ("error", "缺少必需的列"),
    "column-duplicate": ("error", "列名重复"),
    # units and fields
    "unit-missing": ("error", "未注明填报单位"),
    "unit-unknown": ("error", "单位不在名册中"),
    "year-missing": ("error", "未注明年度"),
    "year-invalid": ("error", "年度无效"),
    "field-unknown": ("error", "未知的字段"),
    "period-invalid": ("error", "期间无效"),
    "catalogue-outdated": ("warning", "模板来自其他版本的指标目录"),
    # values
    "value-required": ("error", "必填项为空"),
    "value-type": ("error", "数值类型不符"),
    "value-error-cell": ("error", "单元格为错误值"),
    "value-formula": ("error", "公式没有计算结果"),
    "value-negative": ("error", "数值为负"),
    "value-out-of-range": ("error", "数值超出范围"),
    "value-choice": ("error", "不在可选值中"),
    "value-id-precision": ("error", "编号被存成了数字并丢失精度"),
    "date-out-of-year": ("warning", "日期不在填报年度内"),
    "date-before-period": ("error", "日期早于所报告的年度"),
    "date-calendar": ("error", "日期超出法定节假日数据范围"),
    "part-exceeds-whole": ("error", "部分大于整体"),
    "value-conflict": ("error", "同一项填报了不同的数值"),
    "ledger-conflict": ("error", "直接填报的数值与台账汇总不一致"),
    "rate-conflict": ("warning", "填报的比率与分子、分母不一致"),
    "roll-up-short": ("warning", "本级数值小于下属单位合计"),
    "value-duplicate": ("warning", "重复填报了相同的数值"),
    "file-empty": ("error", "文件中没有读到任何数据"),
    "file-blank": ("warning", "未填写任何数据"),
    "record-duplicate": ("warning", "台账记录重复"),
    "row-skipped": ("warning", "行未计入"),
    "ledger-merged-cells": ("error", "台账中有合并单元格"),
    "row-broken": ("error", "行格式损坏，未读取"),
    "report-skipped": ("warning", "已跳过本工具生成的报告"),
    "register-conflict": ("error", "单位名册中名称或别名冲突"),
    "year-outside-plan": ("warning", "年度不在规划期内"),
    "date-implausible": ("warning", "日期不合理"),
    # provenance beside a figure (来源, 统计截止日, 备注)
    "text-truncated": ("warning", "文字过长，已截断"),
    "remark-unused": ("warning", "备注没有对应的数值"),
}


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        if self.code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {self.code!r}")

    @classmethod
    def at(cls, code: str, message: str, source: object, **fields: Any) -> Issue:
        """An issue at a figure's source (``file › sheet › cell``, see :func:`split_source`)."""
        file, sheet, cell = split_source(source)
        return cls(code, message, file=file, sheet=sheet, cell=cell, **fields)

    @property
    def severity(self) -> Severity:
        return ISSUE_CODES[self.code][0]

    @property
    def title(self) -> str:
        return ISSUE_CODES[self.code][1]

    @property
    def location(self) -> str:
        """file › sheet › cell, as a clerk would look for it."""
        parts = [self.file, self.sheet, self.cell or (f"第 {self.row} 行" if self.row else "")]
        return " › ".join(p for p in parts if p)

    def as_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["severity"] = self.severity
        return record


_OS_ERRORS = {
    "ENOENT": "文件或文件夹不存在",
    "EACCES": "没有访问权限",
    "EPERM": "操作不被允许（权限不足）",
    "EISDIR": "这是一个文件夹，不是文件",
    "ENOTDIR": "路径中有一部分不是文件夹",
    "ENOSPC": "磁盘空间已满",
    "EDQUOT": "超出磁盘配额",
    "EFBIG": "文件超出系统允许的大小（如 ulimit -f 的限制）",
    "EROFS": "文件系统是只读的",
    "EIO": "磁盘读写出错（输入/输出错误）",
    "ENAMETOOLONG": "文件名过长",
    "EMFILE": "打开的文件过多",
    "ENFILE": "系统打开的文件过多",
    "EBUSY": "文件正被占用",
    "ETXTBSY": "文件正被占用",
    "ELOOP": "符号链接循环",
    "EXDEV": "不能跨文件系统移动文件",
    "EAGAIN": "资源暂时不可用",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in Chinese (the C library's own text follows the locale, usually English)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_ERRORS.get(name, f"系统错误 {name or exc.errno or type(exc).__name__}")


def count_errors(issues: Iterable[Issue]) -> int:
    return sum(1 for issue in issues if issue.severity == "error")


def cell_ref(row: int, column: int) -> str:
    """1-based row and column → A1 reference."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row - 1, column - 1))


def split_source(source: object) -> tuple[str, str, str]:
    """``file › sheet › cell`` (or ``file › cell`` for a CSV) → (file, sheet, cell); a ledger's source
    (``台账《…》``) or the catalogue's is no place in a file: ("", "", "")."""
    parts = str(source).split(" › ") if source else []
    if len(parts) < 2:
        return "", "", ""
    if len(parts) == 2:
        return (
            (parts[0], "", parts[1])
            if re.fullmatch(r"[A-Z]{1,3}[0-9]+", parts[1])
            else (parts[0], parts[1], "")
        )
    return parts[0], parts[1], parts[2]
