"""A template whose unit or year is unknown: everything in it checked as usual, nothing of it placed.

A 填报单位 the register does not know (or a 填报年度 that cannot be read) is one issue. The workbook's figures
and ledger sheets still go through every check — types, bounds, parts and wholes, error cells, ledger cells,
duplicate records — so the clerk learns all of the file's problems in one round. None of it reaches
``values`` or the ledgers: it belongs to no known unit (or year), and scoring it under a guessed one would be
worse than not scoring it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.read.ledger_sheet import RawLedger
from lawgov_metrics.intake.read.ledgers import mark_duplicates, parse_ledger
from lawgov_metrics.intake.read.values import RawValue, build_values, parse_field_value
from lawgov_metrics.issues import Issue

HELD_UNIT = ""  # the unit of held figures when it is unknown: no register name is empty
HELD_YEAR = 0  # the year of held figures when it is unknown (a date is placed in its own year, below)


@dataclass(frozen=True)
class Held:
    """The figures of a template that cannot be placed; ``year`` is the workbook's when it was read."""

    values: list[RawValue] = field(default_factory=list)
    year: int | None = None


def held_issues(
    catalogue: Catalogue, file: str, date1904: bool, held: Held, ledgers: dict[str, list[RawLedger]]
) -> list[Issue]:
    """The problems of held figures and ledger sheets, found by the same checks as placed ones."""
    issues: list[Issue] = []
    if held.values:
        raws = (
            held.values if held.year is not None else [_own_year(catalogue, r, date1904) for r in held.values]
        )
        issues += build_values(catalogue, raws, {file: date1904})[3]
    for ledger_id, parts in ledgers.items():
        ledger = catalogue.ledgers_by_id[ledger_id]
        # the workbook's unit, or none known: never a 单位 column to look for, never a unit guessed
        parts = [replace(p, source=replace(p.source, unit=p.source.unit or HELD_UNIT)) for p in parts]
        frame, found = parse_ledger(ledger, parts, lambda _name: None)
        issues += found
        issues += mark_duplicates(frame, ledger)[1]
    return issues


def _own_year(catalogue: Catalogue, raw: RawValue, date1904: bool) -> RawValue:
    """With the year unknown, a date is checked in its own year: the checks of a date against the year it
    reports on cannot be made, and are not made up."""
    if catalogue.fields_by_id[raw.field].type != "date":
        return raw
    parsed = parse_field_value(catalogue.fields_by_id[raw.field], raw.raw, date1904)
    return replace(raw, year=parsed.value.year) if isinstance(parsed.value, dt.date) else raw
