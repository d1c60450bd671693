"""Cross-reference checks of a structurally valid catalogue, collecting every problem in one pass."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from lawgov_metrics.catalogue.errors import CatalogueProblem, KeyPath
from lawgov_metrics.catalogue.plan_checks import plan_problems

if TYPE_CHECKING:
    from lawgov_metrics.catalogue.models import (
        Activity,
        Catalogue,
        Condition,
        FieldDef,
        Indicator,
        Ledger,
        Roster,
    )

NUMERIC_COLUMNS = {"int", "number"}
COMPARABLE_COLUMNS = {"int", "number", "date", "datetime"}


FULL_SEARCH_OPTIONS = 100  # above this many names, difflib sees only the few sharing most letter pairs
NEAR_CANDIDATES = 8
HINT_BUDGET = 200  # suggestions computed per catalogue; later unknown names are listed without one


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """「，是否应为 `x`？」 with the closest name (difflib, cutoff 0.6), or "".

    difflib compares a word with every name in pure Python (~40 ms against 5,000 names), so a long list is
    first narrowed to the :data:`NEAR_CANDIDATES` names sharing most letter pairs with the word (~1 ms)."""
    names = options if isinstance(options, tuple) else tuple(options)
    near = _near(word, names) if len(names) > FULL_SEARCH_OPTIONS else names
    close = difflib.get_close_matches(word, near, n=1, cutoff=0.6)
    return f"，是否应为 `{close[0]}`？" if close else ""


def _pairs(word: str) -> set[str]:
    marked = f"\x02{word}\x03"
    return {marked[i : i + 2] for i in range(len(marked) - 1)}


@lru_cache(maxsize=8)
def _pair_index(names: tuple[str, ...]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        for pair in _pairs(name):
            index.setdefault(pair, []).append(i)
    return index


def _near(word: str, names: tuple[str, ...]) -> list[str]:
    index = _pair_index(names)
    shared: Counter[int] = Counter()
    for pair in _pairs(word):
        shared.update(index.get(pair, ()))
    return [names[i] for i, _ in shared.most_common(NEAR_CANDIDATES)]


class Hints:
    """:func:`did_you_mean` for one catalogue's problems: each (word, list) once, and at most
    :data:`HINT_BUDGET` computed, so thousands of unknown names are listed in well under a second."""

    def __init__(self, budget: int = HINT_BUDGET) -> None:
        self.left = budget
        self.known: dict[tuple[str, str], str] = {}

    def __call__(self, word: str, options: Iterable[str], what: str) -> str:
        """``what`` names the list (``fields``, a ledger's columns …): the cache key beside the word."""
        key = (word, what)
        if key not in self.known:
            if self.left <= 0:
                return ""
            self.left -= 1
            self.known[key] = did_you_mean(word, options)
        return self.known[key]


class _Checker:
    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.problems: list[CatalogueProblem] = []
        self.fields = {f.id: f for f in catalogue.fields}
        self.ledgers = {ledger.id: ledger for ledger in catalogue.ledgers}
        self.kinds = {k.id for k in catalogue.unit_kinds}
        self.hints = Hints()

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(CatalogueProblem(path, message))

    # ------------------------------------------------------------ helpers

    def unique(self, section: str, ids: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in seen:
                self.add((section, i, "id"), f"标识 `{item_id}` 重复（第 {seen[item_id] + 1} 项已使用）")
            else:
                seen[item_id] = i

    def field_ref(self, path: KeyPath, field_id: str, types: set[str] | None = None) -> FieldDef | None:
        field = self.fields.get(field_id)
        if field is None:
            self.add(path, f"未定义的字段 `{field_id}`{self.hints(field_id, self.fields, 'fields')}")
            return None
        if types and field.type not in types:
            wanted = "、".join(sorted(types))
            self.add(path, f"字段 `{field_id}` 的类型是 {field.type}，此处需要 {wanted}")
        return field

    def ledger_ref(self, path: KeyPath, ledger_id: str) -> Ledger | None:
        ledger = self.ledgers.get(ledger_id)
        if ledger is None:
            self.add(path, f"未定义的台账 `{ledger_id}`{self.hints(ledger_id, self.ledgers, 'ledgers')}")
        return ledger

    def column_ref(
        self, path: KeyPath, ledger: Ledger, column_id: str, types: set[str] | None = None
    ) -> None:
        column = ledger.column(column_id)
        if column is None:
            options = [c.id for c in ledger.columns]
            self.add(
                path, f"台账 `{ledger.id}` 没有列 `{column_id}`{self.hints(column_id, options, ledger.id)}"
            )
        elif types and column.type not in types:
            wanted = "、".join(sorted(types))
            self.add(path, f"台账 `{ledger.id}` 的列 `{column_id}` 类型是 {column.type}，此处需要 {wanted}")

    def conditions(self, path: KeyPath, ledger: Ledger, conditions: tuple[Condition, ...]) -> None:
        for i, cond in enumerate(conditions):
            column = ledger.column(cond.column)
            if column is None:
                self.column_ref((*path, i, "column"), ledger, cond.column)
                continue
            if cond.op in ("ge", "gt", "le", "lt") and column.type not in COMPARABLE_COLUMNS:
                self.add((*path, i, "op"), f"列 `{cond.column}` 是 {column.type} 类型，不能做大小比较")
            if column.type == "choice" and cond.value is not None:
                values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
                for value in values:
                    if str(value) not in column.choices:
                        self.add(
                            (*path, i, "value"),
                            f"`{value}` 不是列 `{cond.column}` 的可选值（{'、'.join(column.choices)}）",
                        )

    def roster_activity(self, path: KeyPath, roster: Roster, activity: Activity) -> None:
        if (ledger := self.ledger_ref((*path, "roster", "ledger"), roster.ledger)) is not None:
            self.column_ref((*path, "roster", "person"), ledger, roster.person)
            self.conditions((*path, "roster", "where"), ledger, roster.where)
        if (ledger := self.ledger_ref((*path, "activity", "ledger"), activity.ledger)) is not None:
            self.column_ref((*path, "activity", "person"), ledger, activity.person)
            if activity.amount is not None:
                self.column_ref((*path, "activity", "amount"), ledger, activity.amount, NUMERIC_COLUMNS)
            self.conditions((*path, "activity", "where"), ledger, activity.where)

    def years(self, path: KeyPath, years: Iterable[int | None]) -> None:
        period = self.cat.plan.period
        for year in years:
            if year is not None and not period.start <= year <= period.end:
                self.add(path, f"年度 {year} 不在规划期 {period.start}—{period.end} 内")

    # ------------------------------------------------------------ sections

    def run(self) -> list[CatalogueProblem]:
        cat = self.cat
        self.unique("unit_kinds", [k.id for k in cat.unit_kinds])
        self.unique("fields", [f.id for f in cat.fields])
        self.unique("ledgers", [ledger.id for ledger in cat.ledgers])
        self.unique("indicators", [i.id for i in cat.indicators])
        self.unique("chapters", [c.id for c in cat.chapters])
        for i, kind in enumerate(cat.unit_kinds):
            if kind.within is not None and kind.within not in self.kinds:
                self.add(("unit_kinds", i, "within"), f"未定义的单位类别 `{kind.within}`")
        self.check_ledgers()
        self.check_fields()
        for i, indicator in enumerate(cat.indicators):
            self.check_indicator(("indicators", i), indicator)
        self.check_grades()
        self.problems += plan_problems(cat)
        return self.problems

    def check_ledgers(self) -> None:
        for i, ledger in enumerate(self.cat.ledgers):
            path: KeyPath = ("ledgers", i)
            ids = [c.id for c in ledger.columns]
            for j, column_id in enumerate(ids):
                if column_id in ids[:j]:
                    self.add((*path, "columns", j, "id"), f"列标识 `{column_id}` 重复")
            self.column_ref((*path, "period_column"), ledger, ledger.period_column, {"date", "datetime"})
            for j, key in enumerate(ledger.key):
                self.column_ref((*path, "key", j), ledger, key)

    def check_fields(self) -> None:
        for i, field in enumerate(self.cat.fields):
            path: KeyPath = ("fields", i)
            if field.part_of is not None:
                whole = self.field_ref((*path, "part_of"), field.part_of)
                if whole is not None and whole.type != field.type:
                    self.add((*path, "part_of"), f"部分与整体类型不同（{field.type} 与 {whole.type}）")
                if field.part_of == field.id:
                    self.add((*path, "part_of"), "字段不能是它自己的一部分")
                if whole is not None and whole.roll_up != field.roll_up:
                    self.add(
                        (*path, "roll_up"),
                        f"部分与整体（`{whole.id}`）的 roll_up 应一致：只汇总其一会使部分与整体来自不同单位",
                    )
            if field.roll_up is not None and field.type not in ("count", "number", "hours"):
                self.add((*path, "roll_up"), f"{field.type} 类型的字段不能由下属单位相加汇总")
            if field.derive is not None:
                derive = field.derive
                if field.type not in ("count", "number", "hours"):
                    self.add((*path, "derive"), f"{field.type} 类型的字段不能由台账汇总得出")
                ledger = self.ledger_ref((*path, "derive", "ledger"), derive.ledger)
                if ledger is not None:
                    if derive.column is not None:
                        types = NUMERIC_COLUMNS if derive.agg == "sum" else None
                        self.column_ref((*path, "derive", "column"), ledger, derive.column, types)
                    self.conditions((*path, "derive", "where"), ledger, derive.where)

    def check_indicator(self, path: KeyPath, ind: Indicator) -> None:
        for j, kind in enumerate(ind.applies_to):
            if kind not in self.kinds:
                self.add(
                    (*path, "applies_to", j),
                    f"未定义的单位类别 `{kind}`{self.hints(kind, self.kinds, 'unit_kinds')}",
                )
        if ind.chapter not in {c.id for c in self.cat.chapters}:
            self.add((*path, "chapter"), f"章 `{ind.chapter}` 未在 chapters 中定义")
        self.years((*path, "effective"), [ind.effective.start, ind.effective.end])
        if ind.effective.start and ind.effective.end and ind.effective.end < ind.effective.start:
            self.add((*path, "effective"), "生效终止年早于起始年")
        for j, override in enumerate(ind.points_overrides):
            self.years((*path, "points_overrides", j, "years"), override.years)
            for kind in override.kinds:
                if kind not in self.kinds:
                    self.add((*path, "points_overrides", j, "kinds"), f"未定义的单位类别 `{kind}`")
        self.check_measure(path, ind)
        self.check_scoring(path, ind)

    def check_measure(self, path: KeyPath, ind: Indicator) -> None:
        numeric = {"count", "number", "percent", "hours"}
        match ind.kind:
            case "trend" if ind.field is not None:
                self.field_ref((*path, "field"), ind.field, {"count", "number", "hours"})
            case "ratio" | "trend":
                assert ind.numerator is not None and ind.denominator is not None  # the model's rule
                num = self.field_ref((*path, "numerator"), ind.numerator, numeric)
                den = self.field_ref((*path, "denominator"), ind.denominator, numeric)
                if num is not None and den is not None and num.period != den.period:
                    self.add((*path, "denominator"), "分子、分母的填报周期不同")
                if num is not None and den is not None and num.roll_up != den.roll_up:
                    self.add(
                        (*path, "denominator"),
                        "分子、分母的 roll_up 应一致：只汇总其一会使比率两端来自不同单位",
                    )
                if ind.rate is not None:
                    rate = self.field_ref((*path, "rate"), ind.rate, {"percent"})
                    if rate is not None and den is not None and rate.period != den.period:
                        self.add((*path, "rate"), "比率与分子、分母的填报周期不同")
                if ind.kind == "ratio" and not 0 <= ind.target.value <= 1:
                    self.add(
                        (*path, "target", "value"),
                        f"比率目标应在 0 到 1 之间（如 0.95 表示 95%），现为 {ind.target.value}",
                    )
                if ind.kind == "trend" and ind.bound is not None and not 0 <= ind.bound <= 1:
                    self.add((*path, "bound"), f"趋势的界限应在 0 到 1 之间，现为 {ind.bound}")
            case "count":
                self.field_ref((*path, "field"), ind.field, {"count", "number", "hours"})
                if ind.target.op in ("<=", "<", "==") and ind.scoring.rule in ("proportional", "bands"):
                    self.add(
                        (*path, "scoring", "rule"), "上限（<=、<、==）的次数指标只能全有或全无、按次扣分"
                    )
            case "per_person" | "cumulative":
                self.roster_activity(path, ind.roster, ind.activity)
            case "deadline":
                self.field_ref((*path, "field"), ind.field, {"date"})
            case "duration":
                ledger = self.ledger_ref((*path, "ledger"), ind.ledger)
                if ledger is not None:
                    types = {"datetime"} if ind.unit == "hour" else {"date", "datetime"}
                    self.column_ref((*path, "start"), ledger, ind.start, types)
                    self.column_ref((*path, "end"), ledger, ind.end, types)
                    self.conditions((*path, "where"), ledger, ind.where)
            case "milestone":
                self.field_ref((*path, "field"), ind.field, {"bool"})
                if ind.date_field is not None:
                    self.field_ref((*path, "date_field"), ind.date_field, {"date"})
                self.years((*path, "due"), [ind.due.year])
            case "boolean":
                self.field_ref((*path, "field"), ind.field, {"bool"})
        target = getattr(ind, "target", None)
        if (
            target is not None
            and ind.kind in ("per_person", "cumulative", "duration")
            and not 0 <= target.value <= 1
        ):
            self.add((*path, "target", "value"), f"达标比例应在 0 到 1 之间，现为 {target.value}")

    def check_scoring(self, path: KeyPath, ind: Indicator) -> None:
        scoring = ind.scoring
        target = getattr(ind, "target", None)
        if scoring.rule == "proportional" and (
            target is None or target.op not in (">=", ">") or target.value <= 0
        ):
            self.add((*path, "scoring", "rule"), "按比例计分只适用于有正数下限目标（>=）的指标")
        if scoring.rule == "bands":
            if target is None:
                self.add((*path, "scoring", "rule"), f"{ind.kind} 类指标没有数值目标，不能分档计分")
            mins = [b.min for b in scoring.bands]
            if mins != sorted(mins, reverse=True):
                self.add((*path, "scoring", "bands"), "分档应按 min 从高到低排列")
        if scoring.rule == "deduction":
            if ind.kind != "count":
                self.add((*path, "scoring", "rule"), "按次扣分只适用于次数（count）指标")
            if scoring.cap is not None and scoring.cap > ind.points:
                self.add((*path, "scoring", "cap"), f"扣分上限 {scoring.cap} 超过该项分值 {ind.points}")

    def check_grades(self) -> None:
        rates = [g.min_rate for g in self.cat.grades]
        if rates != sorted(rates, reverse=True):
            self.add(("grades",), "等次应按 min_rate 从高到低排列")
        if rates and rates[-1] != 0:
            self.add(
                ("grades", len(rates) - 1, "min_rate"), "最低一档的 min_rate 应为 0，使每个得分率都有等次"
            )


def cross_check(catalogue: Catalogue) -> list[CatalogueProblem]:
    return _Checker(catalogue).run()
