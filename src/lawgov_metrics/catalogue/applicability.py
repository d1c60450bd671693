"""Which indicators, fields and ledgers concern a unit kind — one rule, used by templates, intake and engine."""

from __future__ import annotations

import unicodedata

from lawgov_metrics.catalogue.models import Catalogue, FieldDef, Indicator, Ledger, UnitKind


def _kind_key(text: str) -> str:
    """How a kind is compared: full-width and ASCII forms alike, spaces and case ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def resolve_kind(catalogue: Catalogue, kind: str) -> UnitKind:
    """A unit kind by id, Chinese name or alias, however written (``镇(街道)``, `` 镇（街道） ``, ``TOWN``);
    unknown → ValueError listing the options in Chinese."""
    wanted = _kind_key(kind)
    for unit_kind in catalogue.unit_kinds:
        if wanted in {_kind_key(n) for n in (unit_kind.id, unit_kind.name, *unit_kind.aliases)}:
            return unit_kind
    options = "、".join(f"{k.id}（{k.name}）" for k in catalogue.unit_kinds)
    raise ValueError(f"未知的单位类别「{kind}」，可选：{options}")


def default_properties(catalogue: Catalogue) -> frozenset[str]:
    """The properties a unit has when the register does not say (each ``unit_properties`` default)."""
    return frozenset(p.id for p in catalogue.unit_properties if p.default)


def applies(
    catalogue: Catalogue, indicator: Indicator, kind: str, properties: frozenset[str] | None = None
) -> bool:
    """A named agency (``within`` a general kind) is also held to the indicators of that general kind; an
    indicator with ``applies_when`` only to units having every property named (``properties`` None: a unit
    the register says nothing of, so each property's default — a template for a kind)."""
    if kind not in indicator.applies_to and catalogue.general_kind(kind) not in indicator.applies_to:
        return False
    held = default_properties(catalogue) if properties is None else properties
    return all(p in held for p in indicator.applies_when)


def indicators_for_kind(catalogue: Catalogue, kind: str) -> list[Indicator]:
    return [i for i in catalogue.indicators if applies(catalogue, i, kind)]


def indicator_field_ids(indicator: Indicator) -> list[str]:
    """Fields an indicator reads directly (ledger-based kinds read ledgers, see :func:`indicator_ledger_ids`)."""
    match indicator.kind:
        case "ratio" | "trend":
            ids = (
                getattr(indicator, "field", None),
                indicator.numerator,
                indicator.denominator,
                indicator.rate,
            )
            return [i for i in ids if i]
        case "count" | "deadline" | "boolean":
            return [indicator.field]
        case "milestone":
            return [indicator.field] + ([indicator.date_field] if indicator.date_field else [])
        case _:
            return []


def indicator_ledger_ids(catalogue: Catalogue, indicator: Indicator) -> list[str]:
    """Ledgers an indicator reads, directly or through the derivations of its fields."""
    match indicator.kind:
        case "per_person" | "cumulative":
            ids = [indicator.roster.ledger, indicator.activity.ledger]
        case "duration":
            ids = [indicator.ledger]
        case _:
            ids = []
    for field_id in indicator_field_ids(indicator):
        derive = catalogue.fields_by_id[field_id].derive
        if derive is not None:
            ids.append(derive.ledger)
    return list(dict.fromkeys(ids))


def fields_for_kind(catalogue: Catalogue, kind: str) -> list[FieldDef]:
    """Fields a unit of this kind reports, in catalogue order, wholes included for their parts' checks."""
    wanted: set[str] = set()
    for indicator in indicators_for_kind(catalogue, kind):
        wanted.update(indicator_field_ids(indicator))
    for field_id in list(wanted):
        part_of = catalogue.fields_by_id[field_id].part_of
        if part_of:
            wanted.add(part_of)
    return [f for f in catalogue.fields if f.id in wanted]


def ledgers_for_kind(catalogue: Catalogue, kind: str) -> list[Ledger]:
    wanted = {
        lid for ind in indicators_for_kind(catalogue, kind) for lid in indicator_ledger_ids(catalogue, ind)
    }
    return [ledger for ledger in catalogue.ledgers if ledger.id in wanted]


def report_date_fields(catalogue: Catalogue) -> set[str]:
    """Date fields that date a year's own report (those deadline indicators judge): a date before the year it
    reports on cannot be that report (a 2022 date offered as the 2024 statistics report)."""
    return {i.field for i in catalogue.indicators if i.kind == "deadline"}
