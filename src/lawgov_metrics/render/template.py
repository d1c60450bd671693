"""The yearly submission workbook a clerk fills: guide, 汇总表, one sheet per 台账, hidden ``_meta``.

Written against :mod:`lawgov_metrics.layout`, the contract the reader is written against too.
Every input cell is unlocked, lightly filled and carries a data validation with a Chinese prompt;
everything else is protected (no password: protection guards against slips, not against people).

The workbook's content and its sheets are drawn in :mod:`lawgov_metrics.render.template_sheets`; cell
formats, validations and styles are :mod:`lawgov_metrics.render.template_rules`.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lawgov_metrics import layout
from lawgov_metrics.catalogue.applicability import resolve_kind
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.render.template_rules import LISTS_SHEET, ChoiceLists
from lawgov_metrics.render.template_sheets import (
    TemplateSpec,
    write_guide,
    write_ledger,
    write_lists,
    write_meta,
    write_summary,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["LISTS_SHEET", "build_template", "write_template"]


# ---------------------------------------------------------------- public API


def build_template(
    catalogue: Catalogue,
    *,
    kind: str,
    unit: str | None = None,
    year: int | None = None,
    unit_names: Sequence[str] = (),
    properties: frozenset[str] | None = None,
) -> Workbook:
    """The submission workbook for one unit kind (and optionally one unit and year), not yet saved.

    ``unit_names``: the register's units of the kind, offered as 填报单位's drop-down; ``properties``: the
    register's properties of ``unit`` (its ``applies_when`` indicators only if it has them; None: each
    property's default). A year outside the plan period → ValueError (Chinese)."""
    from openpyxl import Workbook

    spec = TemplateSpec.of(
        catalogue, resolve_kind(catalogue, kind), unit, year, properties, tuple(dict.fromkeys(unit_names))
    )
    wb = Workbook()
    guide = wb.active
    guide.title = layout.GUIDE_SHEET
    write_guide(guide, spec)
    lists = ChoiceLists()
    write_summary(wb.create_sheet(layout.SUMMARY_SHEET), spec, lists)
    for ledger in spec.ledgers:
        write_ledger(wb.create_sheet(ledger.name), ledger, lists, spec.dates)
    if lists.columns:
        write_lists(wb.create_sheet(LISTS_SHEET), lists)
    write_meta(wb.create_sheet(layout.META_SHEET), spec)
    wb.active = 0
    wb.properties.title = f"{catalogue.plan.title}年度数据填报表（{spec.kind.name}）"
    wb.properties.creator = "lawgov-metrics"
    wb.properties.lastModifiedBy = "lawgov-metrics"
    return wb


def write_template(
    catalogue: Catalogue,
    path: str | Path,
    *,
    kind: str,
    unit: str | None = None,
    year: int | None = None,
    unit_names: Sequence[str] = (),
    properties: frozenset[str] | None = None,
) -> None:
    """Build the template and write it atomically (temp file in the same folder, then ``os.replace``). The
    zip is built in memory first: a full disk fails one plain write, never a half-written zip that tries to
    finish itself (and prints a traceback) when it is collected."""
    target = Path(path)
    wb = build_template(
        catalogue, kind=kind, unit=unit, year=year, unit_names=unit_names, properties=properties
    )
    # Not mkstemp: its 0600 mode would survive the rename; a plain create honours the umask.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        with tmp.open("wb") as stream:
            stream.write(buffer.getbuffer())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
