"""Which indicators, fields and ledgers concern a unit kind — one rule, used by templates, intake and engine."""

from __future__ import annotations

import unicodedata

from lawgov_metrics.catalogue.models import Catalogue, FieldDef, Indicator, Ledger, UnitKind


def _kind_key(text: str) -> str:
    """How a kind is compared: full-width and ASCII forms alike, spaces and case ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


CITY_PREFIXES = ("海口市", "海口", "市")  # left off in short names: 司法局 for 市司法局


def _short_keys(written: str) -> set[str]:
    """A kind's name as people shorten it: without the city (司法局, 市场监督管理局), either side of its
    parentheses (镇（街道）: 镇, 街道, 镇街)."""
    key = _kind_key(written)
    keys = {key}
    for prefix in CITY_PREFIXES:
        if key.startswith(prefix) and len(key) - len(prefix) >= 3:  # 市政府 is no 政府
            keys.add(key[len(prefix) :])
            break
    if "(" in key and key.endswith(")"):
        outer, _, inner = key[:-1].partition("(")
        keys |= {outer, inner, outer + inner[:1], outer + inner}
    return {k for k in keys if k}


def resolve_kind(catalogue: Catalogue, kind: str) -> UnitKind:
    """A unit kind by id, Chinese name, alias or short name, however written (``镇(街道)``, `` 镇（街道） ``,
    ``TOWN``, ``镇街``, ``司法局``): the one resolver behind every ``--kind`` and the register's 单位类别.

    In steps, the first that finds anything deciding: the id, name or an alias; a short name (the city
    left off, either side of the parentheses); a name or alias ending with it (two characters at least:
    ``执法局``). Several kinds found → ValueError naming them; none → ValueError with the closest kinds (您是否要找)
    and every option, in Chinese."""
    wanted = _kind_key(kind)
    names = {k.id: (k.id, k.name, *k.aliases) for k in catalogue.unit_kinds}

    def exact(written: str) -> bool:
        return wanted == _kind_key(written)

    def short(written: str) -> bool:
        return wanted in _short_keys(written)

    def ending(written: str) -> bool:
        return len(wanted) >= 2 and _kind_key(written).endswith(wanted)

    for step in (exact, short, ending):
        found = [k for k in catalogue.unit_kinds if any(step(n) for n in names[k.id])]
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                f"单位类别「{kind}」不明确，可能是：{'、'.join(k.name for k in found)}；请写出类别全称"
            )
    import difflib

    keys = {_kind_key(n): k.name for k in catalogue.unit_kinds for n in names[k.id]}
    close = difflib.get_close_matches(wanted, list(keys), n=6, cutoff=0.5) if wanted else []
    meant = list(dict.fromkeys(keys[c] for c in close))[:3]
    hint = f"；您是否要找：{'、'.join(meant)}？" if meant else "，"
    options = "、".join(f"{k.id}（{k.name}）" for k in catalogue.unit_kinds)
    raise ValueError(f"未知的单位类别「{kind}」{hint}可选：{options}")


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


def indicators_for_kind(
    catalogue: Catalogue, kind: str, properties: frozenset[str] | None = None
) -> list[Indicator]:
    """Indicators a unit of ``kind`` is held to (``properties``: its register properties, see :func:`applies`)."""
    return [i for i in catalogue.indicators if applies(catalogue, i, kind, properties)]


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


def fields_for_kind(
    catalogue: Catalogue, kind: str, properties: frozenset[str] | None = None
) -> list[FieldDef]:
    """Fields a unit of this kind reports, in catalogue order, wholes included for their parts' checks."""
    wanted: set[str] = set()
    for indicator in indicators_for_kind(catalogue, kind, properties):
        wanted.update(indicator_field_ids(indicator))
    for field_id in list(wanted):
        part_of = catalogue.fields_by_id[field_id].part_of
        if part_of:
            wanted.add(part_of)
    return [f for f in catalogue.fields if f.id in wanted]


def ledgers_for_kind(
    catalogue: Catalogue, kind: str, properties: frozenset[str] | None = None
) -> list[Ledger]:
    indicators = indicators_for_kind(catalogue, kind, properties)
    wanted = {lid for ind in indicators for lid in indicator_ledger_ids(catalogue, ind)}
    return [ledger for ledger in catalogue.ledgers if ledger.id in wanted]


def report_date_fields(catalogue: Catalogue) -> set[str]:
    """Date fields that date a year's own report (those deadline indicators judge): a date before the year it
    reports on cannot be that report (a 2022 date offered as the 2024 statistics report)."""
    return {i.field for i in catalogue.indicators if i.kind == "deadline"}
