"""The tool's own Excel reports, told apart from submissions.

``score subs/ -o subs/report.xlsx`` puts a report inside an input folder; read back on the next run it was a
submission full of errors. Every report carries the custom document property
:data:`~lawgov_metrics.output_paths.REPORT_PROPERTY` (``docProps/custom.xml``), read here through the guard's
checked container (a small part, inflated under its declared size), never by a spreadsheet parser.
"""

from __future__ import annotations

from pathlib import Path

from lawgov_metrics.intake.guard.limits import ReadLimits, UnreadableFile
from lawgov_metrics.issues import Issue
from lawgov_metrics.output_paths import REPORT_PROPERTY

CUSTOM_PROPERTIES = "docProps/custom.xml"
MAX_PROPERTIES_BYTES = 256 * 1024  # a report's custom.xml holds one property: a few hundred bytes

SKIPPED_REPORT = "已跳过本工具生成的评分报告（lawgov-metrics score -o 的输出），它不是填报数据，未读取"


def is_own_report(path: Path) -> bool:
    """Whether ``path`` is an Excel report this tool wrote (any doubt: False, and the file is read as usual)."""
    from lawgov_metrics.intake.guard.container import ZipContainer
    from lawgov_metrics.intake.guard.zip_directory import FileBytes

    limits = ReadLimits()
    try:
        with FileBytes(path, limits) as source:
            if not source.head.startswith(b"PK"):
                return False
            container = ZipContainer(source, limits)
            part = container.find(CUSTOM_PROPERTIES)
            if part is None or part.size > MAX_PROPERTIES_BYTES:
                return False
            data, complete = container.inflate_small(part)
    except (UnreadableFile, OSError):
        return False
    return complete and f'name="{REPORT_PROPERTY}"'.encode() in data


def skipped_report(path: Path) -> Issue:
    return Issue("report-skipped", SKIPPED_REPORT, file=str(path))
