"""The catalogue file read with bounds, and its YAML checked before anything is built from it.

A catalogue is an input like any other, and YAML lets a small file do a lot of harm:

- the file is looked at with ``os.stat`` before it is opened: a FIFO (opening it blocks until a writer
  comes), ``/dev/zero`` (reading it never ends), a folder or a socket is refused as 不是普通文件; a file
  over :data:`MAX_CATALOGUE_BYTES` is refused unread; the file is then opened non-blocking and read to at
  most that size plus one byte (it may have been swapped or grown since);
- the YAML *events* are scanned by the parser (libyaml through ruamel.yaml.clib when installed) before any
  node is composed or any value constructed: anchors and aliases are refused (nine lines of aliases —
  "billion laughs" — expand to 10⁹ strings once anything walks the data), nesting deeper than
  :data:`MAX_DEPTH` is refused (the composer recurses in C: 100,000 nested brackets crash the interpreter),
  and every explicit tag outside YAML's core schema is refused with its line (``!!python/object/apply``,
  ``!!binary``, ``!custom`` — never turned into a value or an empty one);
- numbers written with more than :data:`MAX_NUMBER_CHARS` characters are refused with their line (Python
  refuses to convert an integer of more than 4,300 digits, and nothing in a plan needs 40).

Measured on the bundled catalogue (83 KB, 6,165 events): the scan takes ~10 ms (8 of them the parser's own
event objects) and a whole load went from ~51 to ~63 ms. The line of every key and list item
(:func:`line_index`, the same scan again) is built only for a catalogue that has problems to show — which also
spares a broken catalogue the pure-Python round-trip parse it had before (6× slower than the safe load).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from lawgov_metrics.catalogue.errors import CatalogueError, CatalogueProblem, KeyPath
from lawgov_metrics.issues import os_error_text

MB = 1 << 20
MAX_CATALOGUE_BYTES = 16 * MB  # the bundled catalogue is 83 KB
MAX_DEPTH = 64  # the bundled catalogue nests 7 deep
MAX_NUMBER_CHARS = 40
MAX_PROBLEMS = 100  # refusals listed before the scan stops
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)
_NUMBERISH = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?")
_FILE_KINDS = (
    (stat.S_ISDIR, "而是文件夹"),
    (stat.S_ISFIFO, "而是命名管道 FIFO"),
    (stat.S_ISCHR, "而是字符设备，如 /dev/zero"),
    (stat.S_ISBLK, "而是块设备"),
    (stat.S_ISSOCK, "而是套接字"),
)


def _fail(message: str, label: str, line: int | None = None) -> CatalogueError:
    return CatalogueError([CatalogueProblem((), message, file=label, line=line)])


def read_catalogue_bytes(file: Path, label: str) -> bytes:
    """The file's bytes; :class:`CatalogueError` for anything but a regular file of at most 16 MB."""
    try:
        info = os.stat(file)
    except OSError as exc:
        raise _fail(f"无法读取指标目录：{os_error_text(exc)}", label) from None
    _refuse_irregular(info.st_mode, label)
    if info.st_size > MAX_CATALOGUE_BYTES:
        raise _too_large(info.st_size, label)
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(file, flags)
    except OSError as exc:
        raise _fail(f"无法读取指标目录：{os_error_text(exc)}", label) from None
    with os.fdopen(fd, "rb") as stream:
        _refuse_irregular(os.fstat(stream.fileno()).st_mode, label)  # swapped since the stat
        try:
            raw = stream.read(MAX_CATALOGUE_BYTES + 1)
        except OSError as exc:
            raise _fail(f"无法读取指标目录：{os_error_text(exc)}", label) from None
    if len(raw) > MAX_CATALOGUE_BYTES:
        raise _too_large(len(raw), label)
    return raw


def _refuse_irregular(mode: int, label: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((text for test, text in _FILE_KINDS if test(mode)), "而是特殊文件")
    raise _fail(f"无法读取指标目录：不是普通文件，{kind}；请给出 YAML 文本文件（如 indicators.yaml）", label)


def _too_large(size: int, label: str) -> CatalogueError:
    return _fail(
        f"指标目录文件过大（{size / MB:.1f} MB，上限 {MAX_CATALOGUE_BYTES // MB} MB）；请检查是否选错了文件",
        label,
    )


def _events(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").parse(text)


def check_yaml_events(text: str, label: str) -> None:
    """Refuse anchors, aliases, nesting beyond :data:`MAX_DEPTH`, non-core tags and overlong numbers, each with
    its line, before anything is composed; a YAML syntax error is raised here too, with its line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        NodeEvent,
        ScalarEvent,
    )

    problems: list[CatalogueProblem] = []

    def refuse(event: Any, message: str) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        problem = CatalogueProblem((), message, file=label, line=line)
        if not problems or problems[-1] != problem:  # nine aliases on a line are one problem
            problems.append(problem)

    depth = 0
    try:
        for event in _events(text):
            if isinstance(event, AliasEvent):
                refuse(
                    event,
                    f"不支持 YAML 别名 `*{event.anchor}`：请直接写出内容（别名可让很小的文件展开成巨量数据）",
                )
            elif isinstance(event, NodeEvent):
                if event.anchor is not None:
                    refuse(event, f"不支持 YAML 锚点 `&{event.anchor}`：请直接写出内容，不用锚点和别名")
                tag = getattr(event, "tag", None)  # scalars and collection starts carry one
                if tag is not None and tag != "!" and str(tag) not in CORE_TAGS:
                    refuse(event, f"不支持 YAML 标签 `{tag}`：指标目录只用文本、数值、日期、列表和映射")
                if isinstance(event, CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        refuse(event, f"嵌套超过 {MAX_DEPTH} 层：指标目录不需要这么深的结构")
                        break
                elif (
                    isinstance(event, ScalarEvent)
                    and not event.style  # plain: '' from libyaml, None from the Python parser
                    and len(event.value) > MAX_NUMBER_CHARS
                    and _NUMBERISH.fullmatch(event.value)
                ):
                    refuse(event, f"数值位数过多（{len(event.value)} 个字符）")
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            if len(problems) >= MAX_PROBLEMS:
                break
    except MarkedYAMLError as exc:
        raise CatalogueError([*problems, yaml_problem(exc, label)]) from None
    except YAMLError as exc:
        raise CatalogueError([*problems, CatalogueProblem((), f"YAML 语法错误：{exc}", file=label)]) from None
    if problems:
        raise CatalogueError(problems)


def yaml_problem(exc: Any, label: str) -> CatalogueProblem:
    """A ruamel ``MarkedYAMLError`` as a problem at its line."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = " ".join(filter(None, [exc.context, exc.problem]))
    return CatalogueProblem((), f"YAML 语法错误：{what}", file=label, line=line)


class _Frame:
    __slots__ = ("index", "is_map", "key", "path", "want_key")

    def __init__(self, path: KeyPath | None, is_map: bool) -> None:
        self.path = path  # None: inside a complex key, nothing recorded
        self.is_map = is_map
        self.want_key = True
        self.key: Any = None
        self.index = 0


def line_index(text: str) -> dict[KeyPath, int]:
    """Key path → 1-based line of that key (mapping) or item (list), from the events of a checked text."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, NodeEvent, ScalarEvent

    lines: dict[KeyPath, int] = {}
    stack: list[_Frame] = []
    for event in _events(text):
        if isinstance(event, NodeEvent):
            path: KeyPath | None = ()
            if stack:
                frame = stack[-1]
                line = event.start_mark.line + 1
                if frame.path is None:
                    path = None
                elif frame.is_map and frame.want_key:
                    frame.want_key = False
                    frame.key = event.value if isinstance(event, ScalarEvent) else None
                    if frame.key is not None:
                        lines[(*frame.path, frame.key)] = line
                    path = None  # a key's own content is no place in the data
                elif frame.is_map:
                    frame.want_key = True
                    path = None if frame.key is None else (*frame.path, frame.key)
                else:
                    path = (*frame.path, frame.index)
                    lines[path] = line
                    frame.index += 1
            if isinstance(event, CollectionStartEvent):
                stack.append(_Frame(path, type(event).__name__ == "MappingStartEvent"))
        elif isinstance(event, CollectionEndEvent) and stack:
            stack.pop()
    return lines
