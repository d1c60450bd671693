"""Regenerate the pictures in the README from the bundled samples.

    python docs/make_screenshots.py

Writes docs/score-terminal.svg and docs/score-unit-terminal.svg (the terminal reports at 80 columns, saved
by rich), docs/report-overview.png and
docs/report-details.png (the Excel report's 总览 and 指标明细 sheets, rendered by LibreOffice and pdftoppm
when they are installed: apt-get install libreoffice-calc poppler-utils fonts-noto-cjk).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from lawgov_metrics import Assessment, evaluate, load_catalogue, read_submissions
from lawgov_metrics.render.terminal import render_terminal

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
AS_OF = dt.date(2026, 6, 30)  # fixed, so the pictures do not change from day to day


def main() -> int:
    catalogue = load_catalogue()
    submission = read_submissions([ROOT / "samples" / "haikou"], catalogue)
    assessment = evaluate(catalogue, submission, [2025], as_of=AS_OF)
    _terminal_svg("score-terminal.svg", "lawgov-metrics score samples/haikou --year 2025", assessment)
    every_year = evaluate(catalogue, submission, None, as_of=AS_OF).filtered(units={"海口市司法局"})
    _terminal_svg(
        "score-unit-terminal.svg",
        "lawgov-metrics score samples/haikou --unit 司法局",
        every_year,
        unit="海口市司法局",
    )
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        print("LibreOffice or pdftoppm not installed: Excel pictures not regenerated", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xlsx"
        assessment.write_excel(report, inputs=["samples/haikou"])
        for sheet, name in ((0, "overview"), (1, "details")):
            single = Path(tmp) / f"{name}.xlsx"
            _keep_sheet(report, single, sheet)
            subprocess.run(
                [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(single)],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    "110",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(single.with_suffix(".pdf")),
                    str(DOCS / f"report-{name}"),
                ],
                check=True,
            )
            print(f"wrote {DOCS / f'report-{name}.png'}")
    return 0


def _terminal_svg(name: str, title: str, assessment: Assessment, unit: str | None = None) -> None:
    """The terminal report as an 80-column terminal shows it (the width the reports are laid out for)."""
    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=80, force_terminal=True, color_system="truecolor", file=sink)
        render_terminal(assessment, console, unit=unit)
    console.save_svg(str(DOCS / name), title=title)
    print(f"wrote {DOCS / name}")


def _keep_sheet(source: Path, target: Path, index: int) -> None:
    """A copy of the report with one sheet, landscape and fitted to the page width, for printing (the
    input of this script is a temporary copy; the report itself is untouched)."""
    import openpyxl

    workbook = openpyxl.load_workbook(source)
    for i, ws in enumerate(list(workbook.worksheets)):
        if i != index:
            workbook.remove(ws)
    ws = workbook.worksheets[0]
    if index == 1:  # 指标明细 has thousands of rows: the first screenful, up to 说明, is the picture
        ws.delete_rows(41, ws.max_row)
        ws.delete_cols(15, ws.max_column)
        ws.auto_filter.ref = None
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(target)


if __name__ == "__main__":
    raise SystemExit(main())
