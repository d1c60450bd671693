"""Plain-data and Chinese views of catalogue entries (targets, formulas) for reports, JSON and ``explain``."""

from __future__ import annotations

from typing import Any

from lawgov_metrics.catalogue.models import (
    INDICATOR_KINDS,
    Catalogue,
    Condition,
    Indicator,
    Threshold,
)

OP_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
CONDITION_SIGNS = {"eq": "=", "ne": "≠", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "in": "∈", "not_in": "∉"}
PERIOD_WORDS = {"year": "每年", "half": "每半年", "quarter": "每季度"}
# period code → its Chinese name (also the summary sheet's column header); granularity → its periods
PERIOD_NAMES: dict[str, str] = {
    "Y": "全年",
    "H1": "上半年",
    "H2": "下半年",
    "Q1": "一季度",
    "Q2": "二季度",
    "Q3": "三季度",
    "Q4": "四季度",
}
GRANULARITY_PERIODS: dict[str, tuple[str, ...]] = {
    "year": ("Y",),
    "half": ("H1", "H2"),
    "quarter": ("Q1", "Q2", "Q3", "Q4"),
}
DURATION_UNITS = {"workday": "个工作日", "hour": "小时", "day": "日"}


def percent(value: float) -> str:
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def threshold_label(threshold: Threshold, as_percent: bool) -> str:
    value = percent(threshold.value) if as_percent else f"{threshold.value:g}"
    return f"{OP_SIGNS[threshold.op]} {value}"


def target_label(catalogue: Catalogue, ind: Indicator) -> str:
    """The target in the plan's own terms, e.g. ``≥ 95%``, ``每半年 ≥ 1 次``, ``次年1月31日前``."""
    match ind.kind:
        case "ratio":
            return threshold_label(ind.target, as_percent=True)
        case "count":
            field = catalogue.fields_by_id[ind.field]
            return f"{PERIOD_WORDS[field.period]} {threshold_label(ind.target, False)} {field.unit}"
        case "per_person":
            return f"每人每年 ≥ {ind.minimum:g}，达标人数占比 {threshold_label(ind.target, True)}"
        case "cumulative":
            return f"规划期内每人累计 ≥ {ind.minimum:g}，达标人数占比 {threshold_label(ind.target, True)}"
        case "deadline":
            years = {-1: "上年", 0: "当年", 1: "次年", 2: "第三年"}
            due = f"{years[ind.due.year_offset]}{ind.due.month}月{ind.due.day}日"
            if ind.opens is not None:
                opens = f"{years[ind.opens.year_offset]}{ind.opens.month}月{ind.opens.day}日"
                return f"{opens}至{due}（均含）"
            return f"{due}前（含）"
        case "duration":
            share = threshold_label(ind.target, True)
            return f"{OP_SIGNS['<=']} {ind.max:g} {DURATION_UNITS[ind.unit]}，按时办结占比 {share}"
        case "milestone":
            return f"{ind.due.year}年{ind.due.month}月{ind.due.day}日前完成"
        case "trend":
            if ind.bound is None:  # a count: strictly more (fewer) than last year
                return "逐年增加（多于上年）" if ind.direction == "up" else "逐年减少（少于上年）"
            word = "逐年提高" if ind.direction == "up" else "逐年降低"
            return f"{word}（已达 {percent(ind.bound)} 视为达标）"
        case "boolean":
            return "是"
    raise AssertionError(ind.kind)  # pragma: no cover - the union is exhaustive


def target_value(ind: Indicator) -> float | None:
    """The numeric target a value is compared with, where the kind has one."""
    target = getattr(ind, "target", None)
    return float(target.value) if target is not None else None


def condition_label(cond: Condition) -> str:
    if cond.op == "is_null":
        return f"{cond.column} 为空"
    if cond.op == "not_null":
        return f"{cond.column} 非空"
    value = "、".join(map(str, cond.value)) if isinstance(cond.value, tuple) else str(cond.value)
    return f"{cond.column} {CONDITION_SIGNS[cond.op]} {value}"


def formula_label(catalogue: Catalogue, ind: Indicator) -> str:
    """How the value is computed, in Chinese, naming fields and ledgers by their Chinese names."""
    fields, ledgers = catalogue.fields_by_id, catalogue.ledgers_by_id
    match ind.kind:
        case "trend" if ind.field is not None:
            return f"{fields[ind.field].name}，与上年比较"
        case "ratio" | "trend":
            assert ind.numerator is not None and ind.denominator is not None
            formula = f"{fields[ind.numerator].name} ÷ {fields[ind.denominator].name}"
            if ind.rate:
                formula += f"（未填分子、分母时取填报的“{fields[ind.rate].name}”）"
            return formula
        case "count":
            return f"{fields[ind.field].name}（{PERIOD_WORDS[fields[ind.field].period]}分别计）"
        case "per_person" | "cumulative":
            roster = ledgers[ind.roster.ledger].name
            activity = ledgers[ind.activity.ledger]
            amount = activity.column(ind.activity.amount).name if ind.activity.amount else "记录条数"  # type: ignore[union-attr]
            span = "规划期累计" if ind.kind == "cumulative" else "当年"
            return f"{roster}中{span}{activity.name}「{amount}」≥ {ind.minimum:g} 的人数 ÷ 名册人数"
        case "deadline":
            return f"{fields[ind.field].name} 与截止日期比较"
        case "duration":
            ledger = ledgers[ind.ledger]
            start, end = ledger.column(ind.start), ledger.column(ind.end)
            where = f"（仅 {'，'.join(condition_label(c) for c in ind.where)}）" if ind.where else ""
            assert start is not None and end is not None
            return (
                f"{ledger.name}中「{start.name}」至「{end.name}」不超过 {ind.max:g} "
                f"{DURATION_UNITS[ind.unit]}的记录数 ÷ 记录总数{where}"
            )
        case "milestone":
            done = fields[ind.field].name
            return f"{done}，完成日期：{fields[ind.date_field].name}" if ind.date_field else done
        case "boolean":
            return fields[ind.field].name
    raise AssertionError(ind.kind)  # pragma: no cover


def indicator_record(catalogue: Catalogue, ind: Indicator) -> dict[str, Any]:
    """One indicator as plain JSON-able data (the ``catalogue list --format json`` contract)."""
    record = ind.model_dump(mode="json", by_alias=True, exclude={"target"})
    record.update(
        kind_name=INDICATOR_KINDS[ind.kind],
        chapter_title=catalogue.chapter_title(ind.chapter),
        target=_target_data(ind),
        target_label=target_label(catalogue, ind),
        formula=formula_label(catalogue, ind),
    )
    return record


def _target_data(ind: Indicator) -> dict[str, Any]:
    match ind.kind:
        case "deadline":
            return {"due": ind.due.model_dump()}
        case "milestone":
            return {"due": ind.due.isoformat()}
        case "trend":
            return {"direction": ind.direction, "bound": ind.bound}
        case "boolean":
            return {"equals": True}
        case _:
            target = getattr(ind, "target")  # noqa: B009 - every other kind has a Threshold target
            return {"op": target.op, "value": target.value}


def catalogue_record(catalogue: Catalogue, chapter: str | None = None) -> dict[str, Any]:
    indicators = [i for i in catalogue.indicators if chapter is None or i.chapter == chapter]
    return {
        "version": catalogue.version,
        "sha256": catalogue.sha256,
        "plan": catalogue.plan.model_dump(mode="json"),
        "chapters": [c.model_dump(mode="json") for c in catalogue.chapters],
        "unit_kinds": [k.model_dump(mode="json") for k in catalogue.unit_kinds],
        "indicators": [indicator_record(catalogue, i) for i in indicators],
        "fields": [f.model_dump(mode="json", exclude_none=True) for f in catalogue.fields],
        "ledgers": [ledger.model_dump(mode="json", exclude_none=True) for ledger in catalogue.ledgers],
        "grades": [g.model_dump(mode="json") for g in catalogue.grades],
    }
