"""The template opens in LibreOffice with its drop-downs: LibreOffice reads it and saves it back, and the
data validations it understood are still there. Skipped where LibreOffice is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.render.template import write_template

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
def test_libreoffice_keeps_the_drop_downs(tmp_path: Path) -> None:
    source = tmp_path / "in" / "template.xlsx"
    source.parent.mkdir()
    write_template(load_catalogue(), source, kind="district_gov", unit="秀英区人民政府", year=2024)
    out = tmp_path / "out"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(out / "template.xlsx")
    assert [ws.title for ws in after.worksheets if ws.sheet_state == "visible"] == [
        ws.title for ws in before.worksheets if ws.sheet_state == "visible"
    ]
    for ws in before.worksheets:
        if ws.sheet_state != "visible":
            continue
        # LibreOffice writes '_lists'!$A$2 as _lists!$A$2: the same reference
        kept = {
            (dv.type, (dv.formula1 or "").replace("'", ""))
            for dv in after[ws.title].data_validations.dataValidation
        }
        wanted = {
            (dv.type, (dv.formula1 or "").replace("'", "")) for dv in ws.data_validations.dataValidation
        }
        lists = {w for w in wanted if w[0] == "list"}
        assert lists <= kept, (ws.title, lists - kept)
    assert after["汇总表"]["B2"].value == "秀英区人民政府"
