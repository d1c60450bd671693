"""Loading ``indicators.yaml``: YAML with line numbers, pydantic validation, errors as file:line + key path."""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lawgov_metrics.catalogue.checks import Hints
from lawgov_metrics.catalogue.errors import CatalogueError, CatalogueProblem, KeyPath
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.catalogue.yaml_source import (
    check_yaml_events,
    line_index,
    read_catalogue_bytes,
    yaml_problem,
)

CATALOGUE_FILE = "indicators.yaml"
SCHEMA_FILE = "indicators.schema.json"


def bundled_path(name: str = CATALOGUE_FILE) -> Path:
    """The file shipped in the wheel, or the repository's top-level copy in a source checkout."""
    shipped = resources.files("lawgov_metrics").joinpath("data", name)
    if shipped.is_file():
        return Path(str(shipped))
    return checkout_path(name)


def checkout_path(*parts: str) -> Path:
    """A file of the repository in a source checkout (``src/lawgov_metrics`` is two levels below its top)."""
    package = Path(str(resources.files("lawgov_metrics"))).resolve()
    return package.parents[1].joinpath(*parts)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue (the bundled one by default). Raises :class:`CatalogueError`.

    The file is read with bounds and its YAML checked before anything is built from it
    (:mod:`lawgov_metrics.catalogue.yaml_source`); a catalogue with problems is scanned once more for the
    line of every key, so that each problem is shown at its line."""
    file = Path(path) if path is not None else bundled_path()
    label = str(path) if path is not None else CATALOGUE_FILE
    raw = read_catalogue_bytes(file, label)
    data, text = _parse_yaml(raw, label)
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        hints = Hints()
        problems = [_translate(err, hints) for err in exc.errors()]
        raise CatalogueError(_located(data, text, problems, label)) from None
    except CatalogueError as exc:
        raise CatalogueError(_located(data, text, exc.problems, label)) from None
    except RecursionError:  # pragma: no cover - nesting is bounded before validation
        raise CatalogueError([CatalogueProblem((), "指标目录嵌套过深", file=label)]) from None
    catalogue._sha256 = hashlib.sha256(raw).hexdigest()
    catalogue._source = str(file)
    return catalogue


# ---------------------------------------------------------------- YAML


def _parse_yaml(raw: bytes, label: str) -> tuple[Any, str]:
    """Plain data (dict/list/str/int/float/bool/date) and the text it came from, through ruamel's safe loader
    (libyaml-based when ruamel.yaml.clib is installed) once the events have been checked."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            [CatalogueProblem((), f"文件不是 UTF-8 编码（第 {exc.start} 字节）", file=label)]
        ) from None
    check_yaml_events(text, label)
    try:
        data = YAML(typ="safe").load(text)
    except MarkedYAMLError as exc:  # a duplicate key, a second document
        raise CatalogueError([yaml_problem(exc, label)]) from None
    except YAMLError as exc:
        raise CatalogueError([CatalogueProblem((), f"YAML 语法错误：{exc}", file=label)]) from None
    except (ValueError, OverflowError, RecursionError):  # pragma: no cover - refused by the event scan
        raise CatalogueError([CatalogueProblem((), "YAML 中有无法读取的数值或结构", file=label)]) from None
    if not isinstance(data, dict):
        raise CatalogueError([CatalogueProblem((), "指标目录的顶层应为键值映射", file=label, line=1)])
    return data, text


def _located(data: Any, text: str, problems: list[CatalogueProblem], label: str) -> list[CatalogueProblem]:
    lines = line_index(text)
    return [_locate(data, lines, p, label) for p in problems]


def _locate(data: Any, lines: dict[KeyPath, int], problem: CatalogueProblem, label: str) -> CatalogueProblem:
    """Give a problem the 1-based line of the deepest node of its path found in the data.

    pydantic's paths name the chosen member of a tagged union (``indicators.3.ratio.target``); the file
    has no such key, so those segments are dropped from the path shown to the user.
    """
    node: Any = data
    line = 1
    shown: list[str | int] = []
    for i, part in enumerate(problem.path):
        if _is_union_tag(node, part, problem.path[i + 1 : i + 2]):
            continue
        if (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)) or (
            isinstance(node, dict) and part in node
        ):
            shown.append(part)
            line = lines.get(tuple(shown), line)
            node = node[part]  # type: ignore[index]  # an int for a list, checked above
        else:
            shown.extend(problem.path[i:])
            break
    return replace(problem, path=tuple(shown)).located(label, line)


def _is_union_tag(node: Any, part: str | int, after: KeyPath) -> bool:
    """``part`` names the member of a tagged union pydantic chose (``ratio`` of ``kind: ratio``), not a key —
    even when a key has the same name (``rule: bands`` beside ``bands: [...]``)."""
    if not (
        isinstance(node, dict) and isinstance(part, str) and part in (node.get("kind"), node.get("rule"))
    ):
        return False
    return part not in node or (bool(after) and after[0] in node)


# ---------------------------------------------------------------- pydantic errors → Chinese


def _translate(err: ErrorDetails, hints: Hints) -> CatalogueProblem:
    loc: KeyPath = tuple(err["loc"])
    ctx = err.get("ctx", {})
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        return CatalogueProblem(loc, f"未知的键 `{key}`{hints(key, allowed, ' '.join(allowed))}")
    if kind == "missing":
        return CatalogueProblem(loc, f"缺少必填项 `{loc[-1]}`")
    if kind == "union_tag_invalid":
        loc = (*loc, str(ctx.get("discriminator", "")).strip("'"))
        return CatalogueProblem(loc, f"未知的类型 `{ctx.get('tag')}`，可选：{ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return CatalogueProblem(loc, f"缺少类型标记 `{ctx.get('discriminator', '').strip(chr(39))}`")
    if kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
        return CatalogueProblem(loc, message)
    templates = {
        "literal_error": "取值应为 {expected}，现为 `{input}`",
        "string_pattern_mismatch": "格式不符，应匹配 {pattern}，现为 `{input}`",
        "greater_than_equal": "应不小于 {ge}，现为 `{input}`",
        "greater_than": "应大于 {gt}，现为 `{input}`",
        "less_than_equal": "应不大于 {le}，现为 `{input}`",
        "less_than": "应小于 {lt}，现为 `{input}`",
        "too_short": "至少需要 {min_length} 项",
        "string_too_short": "至少需要 {min_length} 个字符",
        "string_too_long": "最多 {max_length} 个字符",
        "int_parsing": "应为整数，现为 `{input}`",
        "int_from_float": "应为整数，现为 `{input}`",
        "int_type": "应为整数，现为 `{input}`",
        "float_parsing": "应为数值，现为 `{input}`",
        "float_type": "应为数值，现为 `{input}`",
        "finite_number": "应为有限的数值（不能是 nan 或 inf），现为 `{input}`",
        "bool_parsing": "应为 true 或 false，现为 `{input}`",
        "bool_type": "应为 true 或 false，现为 `{input}`",
        "string_type": "应为文本，现为 `{input}`",
        "date_from_datetime_parsing": "应为日期（如 2022-12-31），现为 `{input}`",
        "date_parsing": "应为日期（如 2022-12-31），现为 `{input}`",
        "date_type": "应为日期（如 2022-12-31），现为 `{input}`",
        "list_type": "应为列表，现为 `{input}`",
        "tuple_type": "应为列表，现为 `{input}`",
        "dict_type": "应为键值映射，现为 `{input}`",
        "model_type": "应为键值映射，现为 `{input}`",
        "model_attributes_type": "应为键值映射，现为 `{input}`",
    }
    template = templates.get(kind)
    if template is None:
        return CatalogueProblem(_strip_type_names(loc), err["msg"])
    values = {**{k: v for k, v in ctx.items()}, "input": _short(err.get("input"))}
    return CatalogueProblem(_strip_type_names(loc), template.format(**values))


def _strip_type_names(loc: KeyPath) -> KeyPath:
    """pydantic adds the member type of a plain union to loc (``float``, ``tuple[...]``); the file has no such key."""
    return tuple(
        p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "int", "float", "bool"}))
    )


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _allowed_keys(loc: KeyPath) -> list[str]:
    """Keys the model at ``loc`` accepts (aliases included), walking the model tree and union tags."""
    annotation: Any = Catalogue
    for part in loc:
        annotation = _unwrap(annotation, part)
        if annotation is None:
            return []
    model = _model_of(annotation, None)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _unwrap(annotation: Any, part: str | int) -> Any:
    model = _model_of(annotation, part if isinstance(part, str) else None)
    if isinstance(part, int):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return args[0] if args else None
    if model is None:
        return None
    if part in model.model_fields:
        return model.model_fields[part].annotation
    return model  # a union tag: stay on the chosen member


def _model_of(annotation: Any, tag: str | None) -> type[BaseModel] | None:
    """The model class behind an annotation, choosing a union member by its ``kind``/``rule`` tag."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _model_of(get_args(annotation)[0], tag)
    if origin in (typing.Union, types.UnionType):
        members = [m for a in get_args(annotation) if (m := _model_of(a, None)) is not None]
        for member in members:
            for discriminator in ("kind", "rule"):
                field = member.model_fields.get(discriminator)
                if field is not None and tag in get_args(field.annotation):
                    return member
        return members[0] if len(members) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
