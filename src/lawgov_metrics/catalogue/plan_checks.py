"""Checks that a catalogue reads its plan one way and fits the tools that use it, all problems at once:

- every deadline's and milestone's ``due`` is the date its quote names, by the rule of
  :mod:`lawgov_metrics.catalogue.targets` (“X月前” is the last day of the month before; “X月Y日前” is X月Y日);
- ``applies_when`` names declared ``unit_properties``;
- ``part_of`` (fields) and ``within`` (unit kinds) have no cycles;
- ledger names can be the template's sheet names (Excel: at most 31 characters, none of ``[]:*?/\\``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lawgov_metrics.catalogue.errors import CatalogueProblem
from lawgov_metrics.catalogue.targets import due_in_words, year_end_in_words

if TYPE_CHECKING:
    from lawgov_metrics.catalogue.models import Catalogue

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
RESERVED_SHEETS = ("汇总表", "填报说明", "_meta")  # the template's own sheets


def plan_problems(cat: Catalogue) -> list[CatalogueProblem]:
    problems: list[CatalogueProblem] = []
    problems += _dues(cat)
    properties = {p.id for p in cat.unit_properties}
    for i, ind in enumerate(cat.indicators):
        for j, prop in enumerate(ind.applies_when):
            if prop not in properties:
                problems.append(
                    CatalogueProblem(("indicators", i, "applies_when", j), f"未定义的单位属性 `{prop}`")
                )
    fields = [(f.id, f.part_of) for f in cat.fields]
    problems += _cycles("fields", "part_of", fields, "字段")
    problems += _cycles("unit_kinds", "within", [(k.id, k.within) for k in cat.unit_kinds], "单位类别")
    for i, ledger in enumerate(cat.ledgers):
        bad = sorted(SHEET_NAME_FORBIDDEN & set(ledger.name))
        if len(ledger.name) > SHEET_NAME_MAX or bad or ledger.name in RESERVED_SHEETS or not ledger.name:
            why = f"含有 {' '.join(bad)}" if bad else f"有 {len(ledger.name)} 个字符"
            if ledger.name in RESERVED_SHEETS:
                why = "与模板自身的工作表同名"
            problems.append(
                CatalogueProblem(
                    ("ledgers", i, "name"),
                    f"台账名称「{ledger.name}」不能用作工作表名（{why}；Excel 工作表名最多 31 个字符，"
                    "不含 [ ] : * ? / \\）",
                )
            )
    return problems


def _dues(cat: Catalogue) -> list[CatalogueProblem]:
    problems = []
    for i, ind in enumerate(cat.indicators):
        if ind.kind == "deadline":
            named = due_in_words(ind.quote)
            if named is not None and named != (ind.due.month, ind.due.day):
                problems.append(
                    CatalogueProblem(
                        ("indicators", i, "due"),
                        f"原文时限读作 {named[0]}月{named[1]}日（含），但 due 为 {ind.due.month}月{ind.due.day}日"
                        "（“X月前”即 X−1 月末日，“X月Y日前”即当日，见 README 指标目录）",
                    )
                )
        elif ind.kind == "milestone" and ind.due.year in cat.plan.period.years:  # else reported already
            year = year_end_in_words(ind.quote)
            if year is not None and (ind.due.year, ind.due.month, ind.due.day) != (year, 12, 31):
                problems.append(
                    CatalogueProblem(
                        ("indicators", i, "due"), f"原文为“{year}年底”，due 应为 {year}-12-31，现为 {ind.due}"
                    )
                )
    return problems


def _cycles(
    section: str, key: str, links: Iterable[tuple[str, str | None]], what: str
) -> list[CatalogueProblem]:
    """Each cycle of ``id → parent`` links once, at its first member in catalogue order."""
    order = list(links)
    parent = dict(order)
    position = {item: i for i, (item, _) in enumerate(order)}
    problems, reported = [], set()
    for start, _ in order:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node not in seen and node in parent:
            seen.append(node)
            node = parent[node]
        if node is not None and node in seen:
            cycle = seen[seen.index(node) :]
            # a field part of itself is reported with the field; a kind within itself is a cycle here
            if frozenset(cycle) not in reported and (len(cycle) > 1 or section == "unit_kinds"):
                reported.add(frozenset(cycle))
                chain = " → ".join([*cycle, cycle[0]])
                problems.append(
                    CatalogueProblem((section, position[cycle[0]], key), f"{what}的 {key} 形成循环：{chain}")
                )
    return problems
