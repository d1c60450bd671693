"""The command line speaks Chinese: every help page, every usage error; metavars are words; the
conventions (--quiet, --verbose, --version, shell completion, a missing input path exits 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from lawgov_metrics import __version__
from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.cli import app

from .cli_data import write_dataset
from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "minimal_catalogue.yaml"
runner = CliRunner()
ENGLISH = (
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "Missing",
    "Invalid value",
    "Error",
    "No such option",
    "No such command",
    "does not exist",
    "Try",
    "Did you mean",
    "Possible options",
    "default:",
    "required",
    "Install completion",
    "Got unexpected",
)
RAW_METAVARS = re.compile(
    r"<[A-Za-z_|\[\]. ]+>|\b(?:PATH|TEXT|INTEGER|FLOAT|FILE|DIRECTORY|BOOLEAN)\b|\[OPTIONS\]|COMMAND"
)


def _commands() -> list[list[str]]:
    """Every command path of the app: [], [catalogue], [catalogue, list] …"""
    root = get_command(app)
    paths: list[list[str]] = [[]]

    def walk(group, prefix: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name, command in getattr(group, "commands", {}).items():
            paths.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(root, [])
    return paths


COMMANDS = _commands()


def _english(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def test_every_command_is_walked() -> None:
    assert ["score"] in COMMANDS and ["catalogue", "show"] in COMMANDS and ["explain"] in COMMANDS
    assert len(COMMANDS) == 10  # the app, 4 commands, catalogue and its 4


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "lawgov-metrics")
def test_help_is_all_chinese_with_word_metavars(path: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"用法：lawgov-metrics {' '.join(path)}".replace("  ", " "))
    assert _english(text) == []
    assert RAW_METAVARS.findall(text) == []
    assert "-h, --help" in text and "显示本帮助并退出。" in text
    for names, metavar in re.findall(r"^  (-[-\w]+(?:, -[-\w]+)*)(?: (\S+))?  ", text, re.MULTILINE):
        assert metavar == "" or re.search(r"[\u4e00-\u9fff]", metavar), f"{names} {metavar}"
    assert "选项：" in text


def test_score_help_names_each_value_by_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = runner.invoke(app, ["score", "--help"]).stdout
    assert text.splitlines()[0] == "用法：lawgov-metrics score [选项] 文件…"
    for option in (
        "--year 年度",
        "--years 年度范围",
        "-o, --output 文件",
        "-f, --format 格式",
        "--kind 类别",
        "--unit 单位",
        "--fail-under 比例",
        "--units 文件",
        "--as-of 日期",
        "-c, --catalogue 文件",
    ):
        assert f"  {option}  " in text, option
    joined = re.sub(r"\s+", "", text)  # the extras may wrap onto the next line
    assert "junit供CI使用。[可选：table、json、junit；默认：table]" in joined
    assert "如80。[范围：0<=x<=100]" in joined
    assert "参数：\n  文件…  填报的工作簿、CSV、Parquet 文件，或包含它们的文件夹。  [必填]" in text


def test_root_help_lists_commands_by_their_first_words() -> None:
    text = runner.invoke(app, ["--help"]).stdout
    assert "命令：" in text
    assert re.search(r"^  score +评估打分$", text, re.MULTILINE)
    assert re.search(r"^  check +检查填报数据$", text, re.MULTILINE)
    assert re.search(r"^  --install-completion +为当前 shell", text, re.MULTILINE)


def test_help_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    for path in COMMANDS:
        text = runner.invoke(app, [*path, "--help"]).stdout
        assert max(cell_len(line) for line in text.splitlines()) <= 80, path
        # 禁则: no line starts with closing punctuation (``explain``'s description is 82 cells ending in 。)
        assert [line for line in text.splitlines() if re.match(r"\s*[，。、；：）」』】》]", line)] == [], (
            path
        )


# (arguments, the exact error line)
ERRORS = [
    (["score", "x", "--year", "abc"], "错误：--year 的值「abc」无效：应为整数。"),
    (["score", "x", "--year=abc"], "错误：--year 的值「abc」无效：应为整数。"),
    (["score", "x", "--format", "xml"], "错误：--format 的值「xml」无效：可选：table、json、junit。"),
    (["score", "x", "--fail-under", "120"], "错误：--fail-under 的值「120」无效：应为数字，范围 0<=x<=100。"),
    (["score", "--yer", "2024", "x"], "错误：没有选项 --yer。您是否要找：--year、--years？"),
    (["check", "x", "--stritc"], "错误：没有选项 --stritc。您是否要找：--strict？"),
    (
        ["explain", "x", "--indicator", "a", "--year", "2024"],
        "错误：缺少选项 --unit（单位名称，如 海口市司法局）。",
    ),
    (["check"], "错误：缺少参数 文件…。"),
    (["catalogue", "show", "a", "b"], "错误：多余的参数：b。"),
    (["score", "x", "--year"], "错误：选项 --year 后面应写一个值。"),
    (["sore"], "错误：没有命令 sore。您是否要找：score？"),
    (["catalogue", "lst"], "错误：没有命令 lst。您是否要找：list？"),
]


@pytest.mark.parametrize(("args", "line"), ERRORS, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_usage_errors_are_chinese_and_exit_2(args: list[str], line: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # errors go to stderr, nothing to the report stream
    assert line in result.stderr.splitlines()
    assert _english(result.stderr) == []


def test_usage_error_shows_the_usage_and_where_help_is() -> None:
    result = runner.invoke(app, ["score", "x", "--year", "abc"])
    assert result.stderr.splitlines()[:2] == [
        "用法：lawgov-metrics score [选项] 文件…",
        "运行 lawgov-metrics score -h 查看帮助。",
    ]


def test_no_arguments_shows_help_on_stderr() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert result.stderr.startswith("用法：lawgov-metrics [选项] 命令 [参数]…")
    assert _english(result.stderr) == []


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(load_catalogue(FIXTURE), tmp_path_factory.mktemp("data"))


def test_a_missing_input_path_exits_2_in_chinese(data: Path, tmp_path: Path) -> None:
    gone = tmp_path / "没有这个.xlsx"
    for command in (
        ["check"],
        ["score"],
        ["explain", "--unit", "司法局", "--indicator", "x", "--year", "2024"],
    ):
        result = runner.invoke(app, [*command, str(data), str(gone), "-c", str(FIXTURE)])
        if command[0] == "explain":  # explain checks the indicator first: a catalogue question, also exit 2
            assert result.exit_code == 2
            continue
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"找不到输入文件或文件夹：{gone}"
        assert result.stdout == ""


def test_version_long_and_short() -> None:
    for flag in ("--version", "-V"):
        result = runner.invoke(app, [flag])
        assert (result.exit_code, result.stdout) == (0, f"lawgov-metrics {__version__}\n")


def test_quiet_leaves_only_the_report_and_verbose_times_each_file(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    args = [
        "score",
        str(data),
        "-o",
        str(out),
        "--format",
        "json",
        "--as-of",
        "2026-11-27",
        "-c",
        str(FIXTURE),
    ]
    normal = runner.invoke(app, args)
    assert normal.exit_code == 0, normal.output
    assert f"已写入评估报告：{out}" in normal.stderr
    quiet = runner.invoke(app, ["--quiet", *args])
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert quiet.stdout == normal.stdout
    verbose = runner.invoke(app, ["-v", *args])
    files = sorted(p.name for p in data.iterdir() if p.suffix == ".xlsx")
    timed = [line for line in verbose.stderr.splitlines() if line.startswith("读取 ")]
    assert len(timed) == len(files)
    assert all(re.fullmatch(rf"读取 \d+/{len(files)} .+\.xlsx：\d+\.\d\d 秒", line) for line in timed), timed
    assert re.fullmatch(
        rf"读取完毕：{len(files)} 个文件，共 \d+\.\d\d 秒", verbose.stderr.splitlines()[len(files)]
    )
    assert verbose.stdout == normal.stdout
    both = runner.invoke(app, ["-q", "-v", *args])
    assert (both.exit_code, both.stderr.strip()) == (2, "--quiet 与 --verbose 只能用一个")


def test_quiet_keeps_errors() -> None:
    result = runner.invoke(app, ["-q", "catalogue", "show", "no_such_indicator", "-c", str(FIXTURE)])
    assert result.exit_code == 2
    assert result.stderr.startswith("没有指标 `no_such_indicator`")


def test_shell_completion_script_and_completions() -> None:
    script = runner.invoke(app, ["--show-completion", "bash"])
    assert script.exit_code == 0
    assert "_lawgov_metrics_completion()" in script.stdout
    assert "complete -o default -F _lawgov_metrics_completion lawgov-metrics" in script.stdout

    def complete(words: str) -> list[str]:
        env = {
            "_LAWGOV_METRICS_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        result = runner.invoke(app, [], env=env, prog_name="lawgov-metrics")
        return result.stdout.split()

    assert complete("lawgov-metrics sc") == ["score"]
    assert complete("lawgov-metrics score --format ") == ["table", "json", "junit"]
    assert complete("lawgov-metrics catalogue ") == ["list", "show", "validate", "schema"]
    assert complete("lawgov-metrics catalogue show normative_doc_f") == ["normative_doc_filing_rate"]
    assert complete("lawgov-metrics score x --kind 区") == ["区政府", "区政府部门"]


def test_catalogue_show_names_unit_kinds_and_properties(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    result = runner.invoke(app, ["catalogue", "show", "enforcement_stats_annual_report"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "适用单位  市直部门、区政府部门、区政府、镇（街道）" in lines
    assert "另须      行政执法单位（单位名册中为“是”）" in lines
    assert "目标      次年1月31日前（含）" in lines
    assert "district_gov" not in result.stdout and "city_dept" not in result.stdout
