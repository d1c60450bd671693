"""The terminal report of ``check``: rows first (dataclasses), then rich tables — the files read, then every
problem of each file with sheet and cell. What it shares with the ``score`` report is
:mod:`lawgov_metrics.render.terminal_parts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from lawgov_metrics.render.terminal_parts import NONE, _t, _table

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
SEVERITY_STYLES = {"error": "red", "warning": "dark_orange"}


@dataclass(frozen=True)
class IssueRow:
    severity: str
    where: str
    code: str
    message: str


@dataclass(frozen=True)
class CheckFileRow:
    file: str
    units: str
    years: str
    errors: int
    warnings: int
    issues: tuple[IssueRow, ...]


@dataclass(frozen=True)
class CheckView:
    ok: bool
    strict: bool
    files: tuple[CheckFileRow, ...]
    errors: int
    warnings: int


def _some(units: list[str], shown: int = 3) -> str:
    if len(units) > shown:
        return "、".join(units[:shown]) + f" 等 {len(units)} 个单位"
    return "、".join(units) or NONE


def _issue_row(issue: Mapping[str, Any]) -> IssueRow:
    row = issue.get("row")
    cell = issue.get("cell") or (f"第 {row} 行" if row else "")
    where = " › ".join(str(p) for p in (issue.get("sheet"), cell) if p)
    value = str(issue.get("value") or "")
    message = str(issue["message"]) + (
        f"（值：{value}）" if value and value not in str(issue["message"]) else ""
    )
    return IssueRow(
        severity=str(issue["severity"]), where=where or NONE, code=str(issue["code"]), message=message
    )


def check_view(payload: Mapping[str, Any]) -> CheckView:
    """The rows of the ``check`` report from its payload (:class:`~lawgov_metrics.render.CheckPayload`)."""
    issues = list(payload.get("issues", []))
    files = list(payload.get("files", []))
    names = {str(f["file"]) for f in files}
    rows = [
        CheckFileRow(
            file=str(f["file"]),
            units=_some(f["units"]),
            years="、".join(str(y) for y in f["years"]) or NONE,
            errors=int(f["errors"]),
            warnings=int(f["warnings"]),
            issues=tuple(_issue_row(i) for i in issues if i.get("file") == f["file"]),
        )
        for f in files
    ]
    loose = [i for i in issues if not i.get("file") or i.get("file") not in names]
    if loose:
        errors = sum(1 for i in loose if i["severity"] == "error")
        rows.append(
            CheckFileRow(
                file="（未关联文件）",
                units=NONE,
                years=NONE,
                errors=errors,
                warnings=len(loose) - errors,
                issues=tuple(_issue_row(i) for i in loose),
            )
        )
    summary = payload.get("summary", {})
    errors = sum(1 for i in issues if i["severity"] == "error")
    return CheckView(
        ok=bool(payload.get("ok", errors == 0)),
        strict=bool(summary.get("strict", False)),
        files=tuple(rows),
        errors=errors,
        warnings=len(issues) - errors,
    )


def render_check_terminal(report: Any, console: Console, *, strict: bool = False) -> None:
    """The ``check`` report: files read, then every problem of each file with sheet and cell.
    ``report``: the check payload, or a report with ``as_dict(strict=...)``."""
    from lawgov_metrics.render.payload import check_payload

    payload = check_payload(report, strict=strict)
    view = check_view(payload)
    units = {u for f in payload.get("files", []) for u in f["units"]}
    table = _table(f"检查了 {len(payload.get('files', []))} 个文件，{len(units)} 个单位")
    table.add_column("文件", overflow="fold", ratio=3)
    table.add_column("单位", overflow="fold", ratio=3)
    table.add_column("年度", overflow="fold", ratio=1)
    table.add_column("错误", justify="right", no_wrap=True)
    table.add_column("警告", justify="right", no_wrap=True)
    for row in view.files:
        table.add_row(
            _t(row.file),
            _t(row.units),
            _t(row.years),
            Text(str(row.errors), style="red" if row.errors else "green"),
            Text(str(row.warnings), style="dark_orange" if row.warnings else ""),
        )
    console.print(table)
    for row in view.files:
        if not row.issues:
            continue
        issues = _table(row.file)
        issues.add_column("级别", no_wrap=True)
        issues.add_column("位置", overflow="fold", ratio=1)
        issues.add_column("问题", overflow="fold", ratio=3)
        for issue in row.issues:
            message = _t(issue.message)
            message.append(f" [{issue.code}]", style="bright_black")
            issues.add_row(
                Text(SEVERITY_LABELS[issue.severity], style=SEVERITY_STYLES[issue.severity]),
                _t(issue.where),
                message,
            )
        console.print(issues)
    if view.ok:
        verdict = Text(f"检查通过：没有错误（{view.warnings} 个警告）。", style="green")
    else:
        because = "（--strict：警告也视为不通过）" if view.strict and not view.errors else ""
        verdict = Text(
            f"检查未通过：{view.errors} 个错误，{view.warnings} 个警告{because}。请修改后重新提交。",
            style="bold red",
        )
    console.print(verdict)
