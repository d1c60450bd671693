"""A report that cannot be written fails cleanly (issue 13 item 5): exit code 2, one Chinese line on stderr,
no traceback, the old report untouched and no temporary file left beside it.

Before: ``score -o`` and ``template`` said "无法写入 …：File too large" (the C library's English); a report to
standard output on a full disk (``score -f json > r.json`` under ``ulimit -f``) ended in a rich traceback.
The write failures are made two ways: a monkeypatched writer that raises ``OSError(ENOSPC)`` / ``EACCES``
after writing part of its file, and — on Linux — a real ``RLIMIT_FSIZE`` in a subprocess (SIGXFSZ ignored, so
the write raises EFBIG instead of killing the process).
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.cli import app

from .cli_data import write_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
OLD = b"the old report\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(load_catalogue(FIXTURE), tmp_path_factory.mktemp("data"))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


class _FullStream:
    """A file opened for writing on a disk that fills up after a few bytes."""

    def __init__(self, stream: Any, code: int) -> None:
        self.stream, self.code = stream, code

    def write(self, data: Any) -> int:
        self.stream.write(bytes(data[:10]))  # the temporary file, partly written
        raise OSError(self.code, os.strerror(self.code))

    def __enter__(self) -> _FullStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def _fill_disk(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Writing any temporary file (``….tmp``) fails with ``code`` after its first bytes."""
    real_open = Path.open

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = real_open(self, mode, *args, **kwargs)
        return _FullStream(stream, code) if self.name.endswith(".tmp") and "w" in mode else stream

    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "磁盘空间已满"), (errno.EACCES, "没有访问权限"), (errno.EFBIG, "文件超出系统允许的大小")],
)
def test_score_excel_report_write_failure(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    _fill_disk(monkeypatch, code)
    out = tmp_path / "报告.xlsx"
    out.write_bytes(OLD)
    result = runner.invoke(
        app, ["score", str(data), "-o", str(out), "-c", str(FIXTURE), "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"无法写入 {out}：{reason}") and result.stderr.count("\n") == 1
    assert result.stderr.strip().endswith("，原有的同名文件未被改动")
    assert "Traceback" not in result.output
    assert out.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_template_write_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    _fill_disk(monkeypatch, code)
    out = tmp_path / "填报模板.xlsx"
    out.write_bytes(OLD)
    result = runner.invoke(app, ["template", "-o", str(out), "--force", "-c", str(FIXTURE)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"无法写入 {out}：") and "原有的同名文件未被改动" in result.stderr
    assert out.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_json_report_write_failure_keeps_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lawgov_metrics.render import jsonout

    def full(payload: Any, stream: Any) -> None:
        stream.write('{"half": ')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jsonout, "dump_json", full)
    out = tmp_path / "report.json"
    out.write_bytes(OLD)
    with pytest.raises(OSError):
        jsonout.write_json_atomic({"units": []}, out)
    assert out.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# ---------------------------------------------------------------- a real file-size limit (Linux)


def _limited(limit: int, args: list[str], stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process at the limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "lawgov_metrics", *args, "-c", str(FIXTURE)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
    )


needs_rlimit = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE, SIGXFSZ")


@needs_rlimit
@pytest.mark.parametrize("command", ["score", "template"])
def test_ulimit_f_on_an_excel_report(tmp_path: Path, data: Path, command: str) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(OLD)
    args = ["score", str(data), "--as-of", "2026-01-01"] if command == "score" else ["template", "--force"]
    result = _limited(4096, [*args, "-o", str(out)])
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr
        == f"无法写入 {out}：文件超出系统允许的大小（如 ulimit -f 的限制），原有的同名文件未被改动\n"
    )
    assert out.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


@needs_rlimit
@pytest.mark.parametrize(
    ("args", "limit"),
    [(["score", "-f", "json"], 4096), (["check", "-f", "junit"], 100), (["score"], 256)],
    ids=["score-json", "check-junit", "score-table"],
)
def test_ulimit_f_on_standard_output(tmp_path: Path, data: Path, args: list[str], limit: int) -> None:
    out = tmp_path / "report.txt"
    with out.open("w") as stream:  # as `lawgov-metrics … > report.txt` does
        result = _limited(
            limit, [*args, str(data), *(["--as-of", "2026-01-01"] if args[0] == "score" else [])], stream
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(
        "无法写出报告（标准输出）：文件超出系统允许的大小（如 ulimit -f 的限制）\n"
    ), result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert out.stat().st_size <= limit


@needs_rlimit
def test_a_report_that_fits_is_written_whole(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "report.json"
    with out.open("w") as stream:
        result = _limited(64 << 20, ["score", "-f", "json", str(data), "--as-of", "2026-01-01"], stream)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["units"]
