"""What the units register says for a template: the unit named by ``template --unit`` (its full name, kind
and properties), and the units of the kind that 填报单位's drop-down offers.

A ``--unit`` the register does not know is refused with the closest names (您是否要找) — unless ``--kind``
names a kind the register lists no unit of, which it cannot speak for — and a ``--kind`` that contradicts
the register is refused too: a template made for the wrong kind asks the wrong questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lawgov_metrics.catalogue.applicability import resolve_kind
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.read.register import UnitRegister, load_register, match_unit

DEFAULT_KIND = "市直部门"  # `template` without --kind or --unit, as before


@dataclass(frozen=True)
class TemplateUnits:
    kind: str  # catalogue kind id
    unit: str | None  # the register's full name of --unit
    properties: frozenset[str] | None  # the unit's register properties (None: no unit, each default)
    names: tuple[str, ...]  # the register's units of the kind and of the kinds within it, in its order


def template_units(
    catalogue: Catalogue, kind: str | None, unit: str | None, register: str | Path | None = None
) -> TemplateUnits:
    """The kind, unit and drop-down of a template; ValueError (Chinese) for an unknown unit or kind, or a
    kind the register contradicts. ``register`` None: the bundled Haikou register."""
    from lawgov_metrics.intake.read.submissions import default_register_path

    path = Path(register) if register is not None else default_register_path()
    units, issues = load_register(path, catalogue)
    errors = [i for i in issues if i.severity == "error"]
    if register is not None and errors:
        raise ValueError(f"单位名册 {path.name} 有误：{errors[0].message}")
    wanted = resolve_kind(catalogue, kind) if kind is not None else None
    if unit is None or not unit.strip():
        chosen = wanted or resolve_kind(catalogue, DEFAULT_KIND)
        return TemplateUnits(chosen.id, None, None, _names_of_kind(catalogue, units, chosen.id))
    found = match_unit(unit, units.names)
    if found.unit is None and wanted is not None and not _names_of_kind(catalogue, units, wanted.id):
        # the register lists no unit of this kind (the bundled one lacks 区政府部门): it cannot say no
        return TemplateUnits(wanted.id, unit.strip(), None, ())
    if found.unit is None:
        if found.candidates:
            raise ValueError(f"单位「{unit}」不明确，可能是：{'、'.join(found.candidates)}；请写出单位全称")
        hint = f"；您是否要找：{'、'.join(found.suggestions)}？" if found.suggestions else ""
        raise ValueError(f"单位名册中没有单位「{unit}」{hint}（单位名册：{path.name}，可用 --units 指定）")
    registered = catalogue.kinds_by_id[units.kind_of(found.unit)]
    if wanted is not None and wanted.id not in (registered.id, registered.within):
        raise ValueError(
            f"单位「{found.unit}」在单位名册中属于“{registered.name}”，与 --kind {kind} 不符；"
            "请去掉 --kind 或改正单位类别"
        )
    row = units.units.loc[units.units["unit"] == found.unit].iloc[0]
    properties = frozenset(row["properties"]) if "properties" in row else None
    return TemplateUnits(
        registered.id, found.unit, properties, _names_of_kind(catalogue, units, registered.id)
    )


def _names_of_kind(catalogue: Catalogue, units: UnitRegister, kind: str) -> tuple[str, ...]:
    within = {kind} | {k.id for k in catalogue.unit_kinds if k.within == kind}
    return tuple(str(u) for u, k in zip(units.units["unit"], units.units["kind"], strict=True) if k in within)
