"""Where the tool may write: never over an input.

An output (``score -o``, ``template -o``) is refused when it is the same file as anything the run reads: a
path given, every file inside a given folder (symbolic links followed, folders linked from inside too), what
each link points to, the ``--units`` register and the ``--catalogue`` file. "The same file" is decided by the
file system (device and inode, as :func:`os.path.samefile` does), so a hard link, a symbolic link or a path
spelled another way (``./a/../a.xlsx``) is caught; an output that does not exist yet replaces nothing. A
report this tool wrote earlier (stamped with :data:`REPORT_PROPERTY`, and skipped when a folder is read) may
be replaced: it is no input.

Top-level and importing nothing of ours, so the CLI, the intake (which skips stamped reports) and the Excel
renderer (which stamps them) can share it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# the custom document property every Excel report of this tool carries (docProps/custom.xml)
REPORT_PROPERTY = "lawgov-metrics-report"
MAX_WALKED_FILES = 1_000_000  # a folder walk stops here (a link loop is cut earlier, by inode)


class InputOverwriteError(ValueError):
    """Raised by the Python API's report writers for a path that is one of the assessment's input files."""


@dataclass(frozen=True)
class InputFile:
    path: Path
    what: str  # in Chinese: 输入文件, 单位名册（--units）…


def input_files(
    paths: Iterable[Path], *, units: Path | None = None, catalogue: Path | None = None
) -> list[InputFile]:
    """Every file a run reads or may read, with what it is to the run."""
    found: list[InputFile] = []
    if units is not None:
        found.append(InputFile(units, "单位名册（--units）"))
    if catalogue is not None:
        found.append(InputFile(catalogue, "指标目录（--catalogue）"))
    for path in paths:
        if path.is_dir():
            found += (InputFile(p, f"输入文件夹 {path} 中的文件") for p in walk_files(path))
        else:
            found.append(InputFile(path, "输入文件"))
    return found


def walk_files(folder: Path) -> Iterable[Path]:
    """Names under ``folder`` that are not folders, following linked folders once each (a loop of links ends
    at a folder seen). The reader walks folders with it too, so what is protected is what is read."""
    seen: set[tuple[int, int]] = set()
    count = 0
    for root, dirs, files in os.walk(folder, followlinks=True):
        try:
            stat = os.stat(root)
        except OSError:
            dirs[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        for name in files:
            count += 1
            if count > MAX_WALKED_FILES:
                return
            yield Path(root, name)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()  # follows links: the file a link points to
    except (OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def overwritten_input(
    output: Path,
    paths: Iterable[Path],
    *,
    units: Path | None = None,
    catalogue: Path | None = None,
    is_own_report: Callable[[Path], bool] | None = None,
) -> str | None:
    """Why writing ``output`` would overwrite an input (a Chinese sentence), or None when it would not."""
    target = _identity(output)
    if target is None:  # nothing there yet (or a dangling link): writing it replaces no file
        return None
    for source in input_files(paths, units=units, catalogue=catalogue):
        if _identity(source.path) != target:
            continue
        if (
            source.what.startswith("输入文件夹")
            and is_own_report is not None
            and _is_report(output, is_own_report)
        ):
            continue  # an earlier report of this tool, skipped when the folder is read: no input
        via = f"（经符号链接 {source.path} 读取）" if source.path.is_symlink() else ""
        return f"拒绝覆盖输入文件：{output} 是本次读取的{source.what}{via}；请把报告写到其他位置"
    return None


def _is_report(output: Path, is_own_report: Callable[[Path], bool]) -> bool:
    try:
        return output.is_file() and is_own_report(output)
    except OSError:
        return False
