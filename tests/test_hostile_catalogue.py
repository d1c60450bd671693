"""A hostile catalogue is refused with a file:line Chinese message — never a hang, a crash or a traceback.

Issue 13 item 2. Each case reproduces a failure of the loader before the bounds: a billion-laughs file hung
(aliases expanded by whatever walked the data), 100,000 nested brackets killed the interpreter (SIGSEGV in
the C composer), ``/dev/zero`` and a FIFO blocked forever, ``!!python/...`` became a list and then a
misleading type error, ``1e308`` points passed, and 5,000 unknown field names took minutes (difflib against
every name, twice, after a pure-Python re-parse). The cases that could hang or crash run in a subprocess with
a time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lawgov_metrics.catalogue import CatalogueError, load_catalogue
from lawgov_metrics.catalogue.yaml_source import MAX_CATALOGUE_BYTES, MAX_DEPTH

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
SEED = FIXTURE.read_text(encoding="utf-8")
POINTS = "    points: 1.2\n"  # indicators[1], line 151 of the fixture
assert SEED.count(POINTS) == 1


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return [str(p) for p in caught.value.problems]


def _validate_in_subprocess(path: Path | str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``lawgov-metrics catalogue validate PATH`` in its own process, with 1 GB of address space."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from lawgov_metrics.cli import app\n"
        "sys.argv = ['lawgov-metrics', 'catalogue', 'validate', sys.argv[1]]\n"
        "app()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=timeout
    )


def _assert_refused(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr, result.stderr[-2000:]


# ---------------------------------------------------------------- YAML that expands, nests or constructs


def _laughs() -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS")
def test_billion_laughs_is_refused_before_any_expansion(tmp_path: Path) -> None:
    path = _write(tmp_path, _laughs())
    started = time.perf_counter()
    result = _validate_in_subprocess(path)
    assert time.perf_counter() - started < 20
    _assert_refused(result, "不支持 YAML 别名 `*lol0`")
    assert f"{path}:2:" in result.stderr
    assert "不支持 YAML 锚点 `&lol0`" in result.stderr


def test_a_single_alias_in_a_catalogue_is_refused_with_its_line(tmp_path: Path) -> None:
    text = SEED.replace("    points: 2\n", "    points: &two 2\n", 1).replace(POINTS, "    points: *two\n")
    problems = _problems(_write(tmp_path, text))
    assert any(":139:" in p and "锚点 `&two`" in p for p in problems), problems
    assert any(":151:" in p and "别名 `*two`" in p for p in problems), problems


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS")
@pytest.mark.parametrize("nested", ["flow", "block"])
def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path, nested: str) -> None:
    if nested == "flow":
        text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"  # killed the interpreter (SIGSEGV) before
    else:
        text = "".join(" " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2_000 + "x: 1\n"
    result = _validate_in_subprocess(_write(tmp_path, text))
    _assert_refused(result, f"嵌套超过 {MAX_DEPTH} 层")


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['echo pwned']", "tag:yaml.org,2002:python/object/apply:os.system"),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
        ("!custom 1.2", "!custom"),
        ("!!set {a: null}", "tag:yaml.org,2002:set"),
    ],
)
def test_non_standard_tags_are_refused_with_their_line(tmp_path: Path, value: str, tag: str) -> None:
    problems = _problems(_write(tmp_path, SEED.replace(POINTS, f"    points: {value}\n")))
    assert problems == [
        f"{tmp_path / 'c.yaml'}:151: （根）: 不支持 YAML 标签 `{tag}`：指标目录只用文本、数值、日期、列表和映射"
    ]


def test_core_tags_are_still_read(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, SEED.replace(POINTS, "    points: !!float 1.2\n")))
    assert catalogue.indicators[1].points == 1.2


def test_a_number_of_thousands_of_digits_is_refused_with_its_line(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, SEED.replace(POINTS, f"    points: {'9' * 5000}\n")))
    assert len(problems) == 1 and ":151:" in problems[0] and "数值位数过多" in problems[0], problems


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("replacement", "line", "fragment"),
    [
        ("    points: .nan\n", 151, "应为有限的数值（不能是 nan 或 inf），现为 `nan`"),
        ("    points: .inf\n", 151, "应为有限的数值"),
        ("    points: 1e308\n", 151, "数值过大（绝对值应不超过 1e+15），现为 `1e+308`"),
        ("    points: 1e400\n", 151, "应为有限的数值"),  # YAML reads it as inf
    ],
)
def test_points_must_be_finite_and_bounded(
    tmp_path: Path, replacement: str, line: int, fragment: str
) -> None:
    problems = _problems(_write(tmp_path, SEED.replace(POINTS, replacement)))
    assert len(problems) == 1, problems
    assert f":{line}: indicators[1].points: " in problems[0] and fragment in problems[0], problems


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('    target: {op: ">=", value: 4}\n', '    target: {op: ">=", value: .nan}\n', "target.value"),
        ('    target: {op: ">=", value: 4}\n', '    target: {op: ">=", value: 1e300}\n', "target.value"),
        ("{min: 0.95, share: 1.0}", "{min: .inf, share: 1.0}", "scoring.bands[0].min"),
        ("{min: 0.95, share: 1.0}", "{min: -1e200, share: 1.0}", "scoring.bands[0].min"),
    ],
)
def test_targets_and_bands_must_be_finite_and_bounded(tmp_path: Path, old: str, new: str, path: str) -> None:
    assert SEED.count(old) == 1
    problems = _problems(_write(tmp_path, SEED.replace(old, new)))
    assert problems and all(path in p for p in problems), problems
    assert all("有限的数值" in p or "数值过大" in p for p in problems), problems


# ---------------------------------------------------------------- files that are not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "indicators.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    result = _validate_in_subprocess(fifo, timeout=20)
    _assert_refused(result, "不是普通文件，而是命名管道 FIFO")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="/dev/zero")
def test_dev_zero_is_refused_without_reading() -> None:
    result = _validate_in_subprocess("/dev/zero", timeout=20)
    _assert_refused(result, "不是普通文件，而是字符设备")


def test_a_folder_and_a_missing_file_are_refused_in_chinese(tmp_path: Path) -> None:
    assert "不是普通文件，而是文件夹" in _problems(tmp_path)[0]
    assert "无法读取指标目录：文件或文件夹不存在" in _problems(tmp_path / "nope.yaml")[0]


def test_a_file_over_16_mb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:  # sparse: nothing is written but the size
        stream.truncate(MAX_CATALOGUE_BYTES + 1)
    (problem,) = _problems(path)
    assert "指标目录文件过大（16.0 MB，上限 16 MB）" in problem


# ---------------------------------------------------------------- many problems


def test_5000_unknown_field_references_validate_without_a_quadratic_search(tmp_path: Path) -> None:
    """Each of 5,000 fields names a misspelt whole (`part_of: feild_…`): 5,000 suggestions looked for among
    5,000 names. Before: difflib against every name (~40 ms each, twice) after a pure-Python re-parse: more
    than 10 minutes. Now ~1–2 s of CPU; the bound below only catches the quadratic search coming back (the
    speed itself is a benchmark's business, not a test's)."""
    fields = "".join(
        f"  - {{id: field_{i}, name: 字段{i}, unit: 件, type: count, part_of: feild_{i + 1}}}\n"
        for i in range(5000)
    )
    path = _write(tmp_path, SEED.replace("fields:\n", "fields:\n" + fields, 1))
    cpu = time.process_time()
    problems = _problems(path)
    used = time.process_time() - cpu
    assert len(problems) == 5000
    assert problems[0].endswith(":33: fields[0].part_of: 未定义的字段 `feild_1`，是否应为 `field_1`？")
    assert problems[-1].endswith(":5032: fields[4999].part_of: 未定义的字段 `feild_5000`")
    assert used < 30.0, f"{used:.2f} s of CPU"
