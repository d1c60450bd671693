"""Loading ``indicators.yaml``: YAML with line numbers, pydantic validation, errors as file:line + key path."""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, cast, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lawgov_metrics.catalogue.checks import did_you_mean
from lawgov_metrics.catalogue.errors import CatalogueError, CatalogueProblem, KeyPath
from lawgov_metrics.catalogue.models import Catalogue

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
    """Load and validate a catalogue (the bundled one by default). Raises :class:`CatalogueError`."""
    file = Path(path) if path is not None else bundled_path()
    label = str(path) if path is not None else CATALOGUE_FILE
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise CatalogueError(
            [CatalogueProblem((), f"无法读取指标目录：{exc.strerror or exc}", file=label)]
        ) from None
    # A valid catalogue (the normal case) takes the fast C parser; a broken one is parsed again with line
    # numbers (round-trip mode, 6× slower) so that every problem can be shown at its line.
    data = _parse_fast(raw)
    try:
        if data is None:
            raise ValueError("not parsed")
        catalogue = Catalogue.model_validate(data)
    except (ValidationError, CatalogueError, ValueError):
        catalogue = _validate_located(raw, label)
    catalogue._sha256 = hashlib.sha256(raw).hexdigest()
    catalogue._source = str(file)
    return catalogue


def _validate_located(raw: bytes, label: str) -> Catalogue:
    data, root = _parse_yaml(raw, label)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = [_translate(err) for err in exc.errors()]
        raise CatalogueError([_locate(root, p, label) for p in problems]) from None
    except CatalogueError as exc:
        raise CatalogueError([_locate(root, p, label) for p in exc.problems]) from None


# ---------------------------------------------------------------- YAML


def _parse_fast(raw: bytes) -> Any:
    """Plain data through ruamel's safe loader (libyaml-based when ruamel.yaml.clib is installed); None on
    any problem, which the round-trip parse then reports with its line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(raw.decode("utf-8-sig"))
    except (YAMLError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _parse_yaml(raw: bytes, label: str) -> tuple[Any, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")  # round-trip keeps line numbers; it never constructs Python objects from tags
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            [CatalogueProblem((), f"文件不是 UTF-8 编码（第 {exc.start} 字节）", file=label)]
        ) from None
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        raise CatalogueError(
            [CatalogueProblem((), f"YAML 语法错误：{what}", file=label, line=line)]
        ) from None
    except YAMLError as exc:
        raise CatalogueError([CatalogueProblem((), f"YAML 语法错误：{exc}", file=label)]) from None
    if not isinstance(root, dict):
        raise CatalogueError([CatalogueProblem((), "指标目录的顶层应为键值映射", file=label, line=1)])
    return _plain(root), root


def _plain(node: Any) -> Any:
    """ruamel's commented containers and tagged scalars → plain dict/list/str/int/float/bool/date."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if type(node).__module__.startswith("ruamel"):
        for base in (bool, int, float, str):
            if isinstance(node, base):
                return base(node)
        if hasattr(node, "value"):
            return _plain(node.value)
    return node


def _locate(root: Any, problem: CatalogueProblem, label: str) -> CatalogueProblem:
    """Give a problem the 1-based line of the deepest node of its path found in the YAML tree.

    pydantic's paths name the chosen member of a tagged union (``indicators.3.ratio.target``); the file
    has no such key, so those segments are dropped from the path shown to the user.
    """
    node: Any = root
    line = 1
    shown: list[str | int] = []
    for i, part in enumerate(problem.path):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line = cast(Any, node).lc.item(part)[0] + 1
            node = node[part]
        elif isinstance(node, dict) and part in node:
            line = cast(Any, node).lc.key(part)[0] + 1
            node = node[part]
        elif (
            isinstance(node, dict) and isinstance(part, str) and part in (node.get("kind"), node.get("rule"))
        ):
            continue
        else:
            shown.extend(problem.path[i:])
            break
        shown.append(part)
    return replace(problem, path=tuple(shown)).located(label, line)


# ---------------------------------------------------------------- pydantic errors → Chinese


def _translate(err: ErrorDetails) -> CatalogueProblem:
    loc: KeyPath = tuple(err["loc"])
    ctx = err.get("ctx", {})
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        return CatalogueProblem(loc, f"未知的键 `{key}`{did_you_mean(key, allowed)}")
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
