"""The units register (单位名册): who is assessed, of which kind, and by which other names they are known.

A CSV or workbook with columns 单位名称, 单位类别 (a catalogue unit-kind name or id), 别名 (``;``-separated)
and 所属区 (towns, district departments), and optionally one 是/否 column per catalogue ``unit_properties``
(行政执法单位): blank or absent is the property's default, anything else unread is an issue. Names are compared after removing every space (full-width
included) and NFKC, so “海口市 司法局　” is 海口市司法局. The catalogue's kind aliases resolve too: “市司法局”
names the one unit of kind 市司法局. A name the register does not know is an issue for the caller, never a
guess — with the register's closest names offered (您是否要找：…). :func:`match_unit` also takes short names
(司法局, 龙华区) where they name one unit only: for a name typed by hand (``--unit``) and a row's 所属区,
never for the unit a submission names itself (填报单位, a 单位 column).
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.parse.booleans import parse_bool
from lawgov_metrics.intake.parse.names import normalise_unit_name
from lawgov_metrics.issues import Issue, os_error_text

REGISTER_COLUMNS = {"单位名称": "unit", "单位类别": "kind", "别名": "aliases", "所属区": "parent"}
REGISTER_FILE_NAMES = ("units.csv", "单位名册.csv", "units.xlsx", "单位名册.xlsx")


@dataclass(frozen=True)
class UnitRegister:
    units: pd.DataFrame  # unit, kind (catalogue id), parent, properties (frozenset of property ids held)
    names: dict[str, str]  # normalised name or alias → unit

    def resolve(self, name: str) -> str | None:
        return self.names.get(normalise_unit_name(name))

    def kind_of(self, unit: str) -> str:
        return str(self.units.loc[self.units["unit"] == unit, "kind"].iloc[0])

    def with_suggestions(self, issues: Iterable[Issue]) -> list[Issue]:
        """Each ``unit-unknown`` issue with the register's names closest to the one given (您是否要找：…)."""
        hints: dict[str, str] = {}  # each name looked up once (a long table may repeat it on every row)
        out = []
        for issue in issues:
            if issue.code == "unit-unknown" and issue.value:
                if issue.value not in hints:
                    hints[issue.value] = did_you_mean_unit(issue.value, self.names)
                issue = replace(issue, message=issue.message + hints[issue.value])
            out.append(issue)
        return out


@dataclass(frozen=True)
class UnitMatch:
    """What a unit name as someone wrote it names: one unit, several (ambiguous), or none (with close names)."""

    unit: str | None = None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


GOVERNMENT_SUFFIXES = ("人民政府", "政府", "办事处")  # left off in short names: 龙华区 for 龙华区人民政府


def match_unit(name: str, names: Mapping[str, str]) -> UnitMatch:
    """The unit ``name`` means among ``names`` (normalised name or alias → unit), in steps; the first step
    that finds anything decides — one unit is the answer, several are ambiguous:

    1. the name or an alias, compared after :func:`normalise_unit_name` (spaces, full-width forms);
    2. a name or alias ending with it: 司法局 → 海口市司法局;
    3. a name or alias ending with it once 人民政府/政府/办事处 is left off: 龙华区 → 海口市龙华区人民政府;
    4. a name or alias containing it.

    Steps 2–4 need two characters at least. Nothing found: the closest names (difflib) as suggestions.
    """
    wanted = normalise_unit_name(name)
    if wanted in names:
        return UnitMatch(unit=names[wanted])
    if len(wanted) >= 2:
        steps = (
            lambda key: key.endswith(wanted),
            lambda key: _bare(key).endswith(wanted),
            lambda key: wanted in key,
        )
        for step in steps:
            found = tuple(dict.fromkeys(unit for key, unit in names.items() if step(key)))
            if len(found) == 1:
                return UnitMatch(unit=found[0])
            if found:
                return UnitMatch(candidates=found)
    close = difflib.get_close_matches(wanted, list(names), n=8, cutoff=0.65) if wanted else []
    return UnitMatch(suggestions=tuple(dict.fromkeys(names[key] for key in close))[:3])


def did_you_mean_unit(name: str, names: Mapping[str, str]) -> str:
    """「；您是否要找：…？」 with the units ``name`` may have meant, or "" when none is close."""
    found = match_unit(name, names)
    meant = (found.unit,) if found.unit else found.candidates[:5] or found.suggestions
    return f"；您是否要找：{'、'.join(meant)}？" if meant else ""


def _bare(key: str) -> str:
    for suffix in GOVERNMENT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def load_register(path: Path, catalogue: Catalogue) -> tuple[UnitRegister, list[Issue]]:
    """Read a register; rows that cannot be used are reported (file, row) and left out."""
    issues: list[Issue] = []
    label = str(path)
    from lawgov_metrics.intake.guard.safety import UnreadableFile
    from lawgov_metrics.intake.read.register_file import read_register_table

    try:  # through the guard, like a submission: sniffed, inspected, read line by line
        raw, header_line, read_issues = read_register_table(path)
    except UnreadableFile as exc:
        issues.append(
            Issue(exc.code, f"无法读取单位名册：{exc.message}", file=label, sheet=exc.sheet, cell=exc.cell)
        )
        return build_register(pd.DataFrame(columns=["unit", "kind", "parent"]), catalogue, []), issues
    except OSError as exc:
        issues.append(Issue("file-corrupt", f"无法读取单位名册：{os_error_text(exc)}", file=label))
        return build_register(pd.DataFrame(columns=["unit", "kind", "parent"]), catalogue, []), issues
    issues += read_issues
    missing = [c for c in ("单位名称", "单位类别") if c not in raw.columns]
    if missing:
        issues.append(
            Issue("column-missing", f"单位名册缺少列：{'、'.join(missing)}", file=label, row=header_line)
        )
        return build_register(pd.DataFrame(columns=["unit", "kind", "parent"]), catalogue, []), issues
    kinds = _kind_lookup(catalogue)
    rows, aliases = [], []
    first_row: dict[str, int] = {}  # unit → the register row that named it first
    for number, record in enumerate(raw.to_dict("records"), start=header_line + 1):
        unit = normalise_unit_name(str(record.get("单位名称", "")))
        kind_text = normalise_unit_name(str(record.get("单位类别", "")))
        if not unit:
            if any(str(v).strip() for v in record.values()):
                issues.append(
                    Issue("value-required", "单位名册中此行没有单位名称，未使用", file=label, row=number)
                )
            continue
        if unit in first_row:
            issues.append(
                Issue(
                    "register-conflict",
                    f"单位名称「{record.get('单位名称', '')}」与第 {first_row[unit]} 行重复（不计空格与全角、半角之别），"
                    f"此行未使用，该单位按第 {first_row[unit]} 行登记",
                    file=label,
                    row=number,
                    column="单位名称",
                    value=str(record.get("单位名称", "")),
                    unit=unit,
                )
            )
            continue
        kind = kinds.get(kind_text) or _short_kind(catalogue, kind_text)
        if kind is None:
            issues.append(
                Issue(
                    "value-choice",
                    f"单位类别「{record.get('单位类别', '')}」不在指标目录中（可选：{'、'.join(k.name for k in catalogue.unit_kinds)}）",
                    file=label,
                    row=number,
                    column="单位类别",
                    value=str(record.get("单位类别", "")),
                    unit=unit,
                )
            )
            continue
        first_row[unit] = number
        rows.append(
            {
                "unit": unit,
                "kind": kind,
                "parent": normalise_unit_name(str(record.get("所属区", ""))) or None,
                "properties": _properties(catalogue, record, label, number, unit, issues),
            }
        )
        aliases += [
            (normalise_unit_name(a), unit, number)
            for a in str(record.get("别名", "")).replace("；", ";").split(";")
        ]
    frame = pd.DataFrame(rows, columns=["unit", "kind", "parent", "properties"])
    usable, conflicts = _usable_aliases(aliases, first_row, label)
    return build_register(frame, catalogue, usable), issues + conflicts


def _usable_aliases(
    aliases: list[tuple[str, str, int]], first_row: Mapping[str, int], label: str
) -> tuple[list[tuple[str, str]], list[Issue]]:
    """The aliases that name one unit only. An alias that is another unit's name, or that two units both give,
    would send one unit's data to another: it is reported at its row and names no unit at all."""
    owners: dict[str, dict[str, int]] = {}  # alias → {unit: first row giving it}
    for alias, unit, row in aliases:
        if alias and alias != unit:
            owners.setdefault(alias, {}).setdefault(unit, row)
    usable, issues = [], []
    for alias, units in owners.items():
        if alias in first_row:
            for unit, row in units.items():
                issues.append(
                    Issue(
                        "register-conflict",
                        f"别名「{alias}」是另一个单位的名称（第 {first_row[alias]} 行），不作为「{unit}」的别名；"
                        f"「{alias}」仍指第 {first_row[alias]} 行的单位",
                        file=label,
                        row=row,
                        column="别名",
                        value=alias,
                        unit=unit,
                    )
                )
        elif len(units) > 1:
            listed = "、".join(f"「{u}」（第 {r} 行）" for u, r in units.items())
            for unit, row in units.items():
                issues.append(
                    Issue(
                        "register-conflict",
                        f"别名「{alias}」同时列在 {listed} 名下；为免把数据归错单位，此别名不指向任何单位，"
                        "请只保留在其中一个单位",
                        file=label,
                        row=row,
                        column="别名",
                        value=alias,
                        unit=unit,
                    )
                )
        else:
            usable.append((alias, next(iter(units))))
    return usable, sorted(issues, key=lambda i: i.row or 0)


def _properties(
    catalogue: Catalogue,
    record: Mapping[Hashable, object],
    label: str,
    row: int,
    unit: str,
    issues: list[Issue],
) -> frozenset[str]:
    """The catalogue's unit properties this row holds: its 是/否 column, or the property's default."""
    held = set()
    for prop in catalogue.unit_properties:
        written = str(record.get(prop.name, "") or "").strip()
        parsed = parse_bool(written)
        if parsed.error is not None:
            issues.append(
                Issue(
                    "value-choice",
                    f"单位名册“{prop.name}”应填 是 或 否，「{written}」读不出；按{'是' if prop.default else '否'}处理",
                    file=label,
                    row=row,
                    column=prop.name,
                    value=written,
                    unit=unit,
                )
            )
        if parsed.value if parsed.value is not None else prop.default:
            held.add(prop.id)
    return frozenset(held)


def build_register(units: pd.DataFrame, catalogue: Catalogue, aliases: list[tuple[str, str]]) -> UnitRegister:
    names = {str(u): str(u) for u in units["unit"]}
    for alias, unit in aliases:  # a unit's own name is never taken by an alias
        if alias:
            names.setdefault(alias, unit)
    # a catalogue kind alias (市司法局, 海口市司法局) names the register's only unit of that kind
    counts = units["kind"].value_counts()
    for kind in catalogue.unit_kinds:
        if counts.get(kind.id, 0) == 1:
            unit = str(units.loc[units["kind"] == kind.id, "unit"].iloc[0])
            for alias in (kind.name, *kind.aliases):
                names.setdefault(normalise_unit_name(alias), unit)
    # 所属区 as written (秀英区) → the district's unit (秀英区人民政府), by name, alias or a short name naming
    # one unit only; a district's own 所属区 is no parent; one naming no unit stays as written (nothing rolls up)
    written = {p for p in units["parent"] if isinstance(p, str) and p}
    district = {p: match_unit(p, names).unit or p for p in written}
    parents = [district.get(p) if isinstance(p, str) else None for p in units["parent"]]
    parents = [None if p == u else p for p, u in zip(parents, units["unit"], strict=True)]
    units = units.assign(parent=pd.Series(parents, index=units.index, dtype=object))
    return UnitRegister(units=units.reset_index(drop=True), names=names)


def _short_kind(catalogue: Catalogue, written: str) -> str | None:
    """A kind as ``--kind`` takes it (镇街, 司法局): one resolver for every spelling."""
    from lawgov_metrics.catalogue.applicability import resolve_kind

    try:
        return resolve_kind(catalogue, written).id if written else None
    except ValueError:
        return None


def _kind_lookup(catalogue: Catalogue) -> dict[str, str]:
    lookup = {}
    for kind in catalogue.unit_kinds:
        for name in (kind.id, kind.name, *kind.aliases):
            lookup[normalise_unit_name(name)] = kind.id
    return lookup


def find_register(paths: list[Path]) -> Path | None:
    """A register file given among the inputs or lying in one of the input folders."""
    for path in paths:
        if path.is_file() and path.name in REGISTER_FILE_NAMES:
            return path
        if path.is_dir():
            for name in REGISTER_FILE_NAMES:
                if (path / name).is_file():
                    return path / name
    return None
