"""What one input file gave (:class:`FileRead`), and the catalogue's fields and ledgers looked up by the
names people write (id, Chinese name, alias), built once per catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field

from lawgov_metrics.catalogue.models import Catalogue, FieldDef
from lawgov_metrics.intake.read.ledger_sheet import RawLedger, loose_label
from lawgov_metrics.intake.read.values import RawValue
from lawgov_metrics.issues import Issue


@dataclass
class FileRead:
    """Everything read from one input file."""

    file: str
    raws: list[RawValue] = field(default_factory=list)
    ledgers: dict[str, list[RawLedger]] = field(default_factory=dict)
    coverage: list[tuple[str, str, int]] = field(default_factory=list)  # ledger, unit, year
    invalid: list[tuple[str, int, str]] = field(default_factory=list)  # unit, year, field already reported
    issues: list[Issue] = field(default_factory=list)
    units: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    date1904: bool = False


_LOOKUPS: dict[int, tuple[Catalogue, dict[str, FieldDef], dict[str, str]]] = {}


def _lookups(catalogue: Catalogue) -> tuple[dict[str, FieldDef], dict[str, str]]:
    """Fields and ledgers by id, Chinese name or alias (normalised), built once per catalogue."""
    cached = _LOOKUPS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        fields: dict[str, FieldDef] = {}
        for f in catalogue.fields:
            for name in (f.id, f.name, *f.aliases):
                fields.setdefault(loose_label(name), f)
        ledgers = {}
        for ledger in catalogue.ledgers:
            for name in (ledger.id, ledger.name, ledger.name.removesuffix("台账")):
                ledgers[loose_label(name)] = ledger.id
        cached = _LOOKUPS[id(catalogue)] = (catalogue, fields, ledgers)
    return cached[1], cached[2]


def field_lookup(catalogue: Catalogue) -> dict[str, FieldDef]:
    return _lookups(catalogue)[0]


def ledger_lookup(catalogue: Catalogue) -> dict[str, str]:
    return _lookups(catalogue)[1]


def unknown_field(catalogue: Catalogue, key: object) -> str:
    """「未知的字段「X」（您是否要找：「Y」？）」: the catalogue's closest field name, when one is close."""
    return f"未知的字段「{key!s}」{_field_hint(catalogue, str(key))}"


_HINTS: dict[tuple[int, str], str] = {}


def _field_hint(catalogue: Catalogue, key: str) -> str:
    """The hint for one unknown name, found once per catalogue (a long table may repeat the name)."""
    cached = _HINTS.get((id(catalogue), key))
    if cached is None:
        import difflib

        names = {name: f.name for f in catalogue.fields for name in (f.name, *f.aliases)}
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
        cached = _HINTS[(id(catalogue), key)] = f"（您是否要找：「{names[close[0]]}」？）" if close else ""
    return cached
