"""Issue 13 item 2: an output never overwrites an input; the tool's own report is not read back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.own_reports import is_own_report
from lawgov_metrics.intake.read.submissions import discover
from lawgov_metrics.output_paths import overwritten_input

from .cli_data import write_dataset
from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "minimal_catalogue.yaml"
AS_OF = ["--as-of", "2026-11-27"]
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "-c", str(FIXTURE)])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(load_catalogue(FIXTURE), tmp_path_factory.mktemp("dataset"))


@pytest.fixture
def data(dataset: Path, tmp_path: Path) -> Path:
    """A private copy: these tests write into the input folder."""
    return Path(shutil.copytree(dataset, tmp_path / "subs"))


# ---------------------------------------------------------------- which outputs are refused


def test_the_units_register_is_refused(tmp_path: Path) -> None:
    register = tmp_path / "名册.xlsx"
    register.write_bytes(b"x")
    reason = overwritten_input(register, [], units=register)
    assert reason is not None
    assert reason.startswith("拒绝覆盖输入文件：")
    assert "单位名册（--units）" in reason


def test_a_hard_link_to_the_catalogue_is_refused(tmp_path: Path) -> None:
    catalogue = tmp_path / "indicators.yaml"
    catalogue.write_text("plan: {}", encoding="utf-8")
    output = tmp_path / "report.xlsx"
    os.link(catalogue, output)
    reason = overwritten_input(output, [], catalogue=catalogue)
    assert reason is not None and "指标目录（--catalogue）" in reason


def test_a_file_a_link_inside_an_input_folder_points_to_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "真实.xlsx"
    real.write_bytes(b"data")
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "链接.xlsx").symlink_to(real)
    reason = overwritten_input(real, [folder])
    assert reason is not None
    assert f"经符号链接 {folder / '链接.xlsx'} 读取" in reason
    assert f"输入文件夹 {folder} 中的文件" in reason


def test_an_input_given_as_a_link_protects_its_target(tmp_path: Path) -> None:
    real = tmp_path / "a.xlsx"
    real.write_bytes(b"data")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    assert overwritten_input(real, [link]) is not None
    assert overwritten_input(tmp_path / "." / "a.xlsx", [real]) is not None  # another spelling


def test_a_linked_folder_inside_an_input_folder_is_walked(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.xlsx").write_bytes(b"data")
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "more").symlink_to(outside, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # a loop ends, it does not hang
    assert overwritten_input(outside / "b.xlsx", [folder]) is not None


def test_new_files_and_files_outside_the_inputs_are_allowed(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"data")
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"data")
    assert overwritten_input(folder / "new.xlsx", [folder]) is None
    assert overwritten_input(other, [folder]) is None
    assert overwritten_input(folder / "a.xlsx", [folder]) is not None


# ---------------------------------------------------------------- through the CLI


def test_score_refuses_the_units_register_through_a_link(data: Path, tmp_path: Path) -> None:
    link = tmp_path / "名册链接.xlsx"
    link.symlink_to(data / "units.csv")
    before = (data / "units.csv").read_bytes()
    result = run("score", str(data / "司法局-2024.xlsx"), "--units", str(data / "units.csv"), "-o", str(link))
    assert result.exit_code == 2, result.output
    assert "拒绝覆盖输入文件" in result.stderr and "单位名册（--units）" in result.stderr
    assert "Traceback" not in result.output
    assert (data / "units.csv").read_bytes() == before


def test_score_refuses_a_submission_inside_the_input_folder(data: Path) -> None:
    target = data / "审批局-2024.xlsx"
    before = target.read_bytes()
    result = run("score", str(data), "-o", str(target), *AS_OF)
    assert result.exit_code == 2
    assert f"输入文件夹 {data} 中的文件" in result.stderr
    assert target.read_bytes() == before


def test_a_report_inside_the_input_folder_is_skipped_and_may_be_replaced(data: Path) -> None:
    report = data / "评估报告.xlsx"
    first = run("score", str(data), "-o", str(report), "--format", "json", *AS_OF)
    assert first.exit_code == 0, first.output
    assert is_own_report(report)
    assert not is_own_report(data / "司法局-2024.xlsx")
    second = run("score", str(data), "-o", str(report), "--format", "json", *AS_OF)
    assert second.exit_code == 0, second.output  # replacing the tool's own report is allowed
    skipped = [i for i in json.loads(second.stdout)["issues"] if i["file"] == str(report)]
    assert [(i["code"], i["severity"]) for i in skipped] == [("report-skipped", "warning")]
    assert skipped[0]["message"].startswith("已跳过本工具生成的评分报告")
    assert json.loads(second.stdout)["units"] == json.loads(first.stdout)["units"]


def test_json_and_junit_outputs_in_an_input_folder_are_not_read(data: Path) -> None:
    (data / "report.json").write_text('{"units": []}', encoding="utf-8")
    (data / "junit.xml").write_text("<testsuites/>", encoding="utf-8")
    result = run("check", str(data), "--format", "json")
    assert result.exit_code == 0, result.output
    files = {i["file"] for i in json.loads(result.stdout)["issues"]}
    assert not {f for f in files if f.endswith(("report.json", "junit.xml"))}


def test_template_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"earlier work")
    refused = run("template", "--kind", "市司法局", "-o", str(out))
    assert refused.exit_code == 2
    assert f"文件已存在：{out}；如确需替换，请加 --force" in refused.stderr
    assert out.read_bytes() == b"earlier work"
    forced = run("template", "--kind", "市司法局", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes()[:2] == b"PK"


def test_template_refuses_the_catalogue_even_with_force(tmp_path: Path) -> None:
    catalogue = tmp_path / "目录.yaml"
    shutil.copy(FIXTURE, catalogue)
    out = tmp_path / "目录.xlsx"
    os.link(catalogue, out)
    result = runner.invoke(app, ["template", "-o", str(out), "--force", "-c", str(catalogue)])
    assert result.exit_code == 2
    assert "指标目录（--catalogue）" in result.stderr
    assert catalogue.read_bytes() == FIXTURE.read_bytes()


# ---------------------------------------------------------------- the reader walks folders the same way


def test_a_folder_read_follows_linked_folders_once_and_reads_each_file_once(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.csv").write_text("x", encoding="utf-8")
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.csv").write_text("x", encoding="utf-8")
    (folder / "a-link.csv").symlink_to(folder / "a.csv")  # the same file again: read once
    (folder / "more").symlink_to(outside, target_is_directory=True)  # before: silently not read
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    files, issues = discover([folder])
    assert files == [folder / "a.csv", folder / "more" / "b.csv"]
    assert issues == []
