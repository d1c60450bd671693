"""The Python API's report writers refuse an input file as their target, as ``score -o`` does."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from lawgov_metrics import InputOverwriteError, evaluate, load_catalogue, read_submissions

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    for name in ("海口市司法局.xlsx", "龙华区人民政府.xlsx"):
        shutil.copy(REPO / "samples" / "haikou" / "2024" / name, root / name)
    shutil.copy(REPO / "samples" / "haikou" / "units.csv", root / "units.csv")
    return root


def _assess(folder: Path):  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    return evaluate(catalogue, read_submissions([folder], catalogue), [2024], as_of=dt.date(2026, 6, 30))


def test_write_excel_refuses_an_input_and_leaves_it_as_it_was(folder: Path) -> None:
    assessment = _assess(folder)
    target = folder / "海口市司法局.xlsx"
    before = target.read_bytes()
    with pytest.raises(InputOverwriteError, match=r"拒绝覆盖输入文件：.*海口市司法局\.xlsx 是本次读取的输入"):
        assessment.write_excel(target)
    assert target.read_bytes() == before


def test_write_json_refuses_an_input_reached_through_a_link(folder: Path, tmp_path: Path) -> None:
    assessment = _assess(folder)
    link = tmp_path / "report.json"
    os.symlink(folder / "龙华区人民政府.xlsx", link)
    before = (folder / "龙华区人民政府.xlsx").read_bytes()
    with pytest.raises(InputOverwriteError, match="拒绝覆盖输入文件"):
        assessment.write_json(link)
    assert (folder / "龙华区人民政府.xlsx").read_bytes() == before


def test_a_new_path_and_an_earlier_report_in_the_input_folder_are_written(
    folder: Path, tmp_path: Path
) -> None:
    assessment = _assess(folder)
    assessment.write_excel(tmp_path / "report.xlsx")
    assessment.write_json(tmp_path / "report.json")
    inside = folder / "report.xlsx"
    assessment.write_excel(inside)  # not an input: nothing there yet
    again = _assess(folder)  # the folder now holds the report: it is skipped when read …
    assert list(again.issues["code"]).count("report-skipped") == 1
    again.write_excel(inside)  # … and may be replaced
    assert inside.stat().st_size > 10_000
