"""Reported figures (summary cells, long-table rows) → the tidy ``values`` frame, with every problem reported.

Checks across all files at once: bounds (a negative count, a percent over 100%), the same unit/year/field
given twice with different values, and a part larger than its whole. A value that fails is kept out of
``values`` and its ``(unit, year, field)`` is listed in ``invalid``, so the engine says 数据有误.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.applicability import report_date_fields
from lawgov_metrics.catalogue.models import Catalogue, FieldDef
from lawgov_metrics.intake.parse.booleans import parse_bool
from lawgov_metrics.intake.parse.dates import parse_date
from lawgov_metrics.intake.parse.numbers import parse_count, parse_number, parse_percent
from lawgov_metrics.intake.parse.outcomes import Parsed
from lawgov_metrics.intake.parse.published import exact_figure, explicit_answer, qualified_reason
from lawgov_metrics.intake.read.remarks import RemarkReader, Remarks
from lawgov_metrics.issues import Issue
from lawgov_metrics.submission import ANSWER_COLUMNS, REMARK_COLUMNS


@dataclass(frozen=True)
class RawValue:
    unit: str
    year: int
    period: str
    field: str
    raw: object
    file: str
    sheet: str
    cell: str
    remarks: Remarks | None = None  # 来源, 统计截止日, 备注 beside it

    @property
    def source(self) -> str:
        return " › ".join(p for p in (self.file, self.sheet, self.cell) if p)


def parse_field_value(field: FieldDef, raw: object, date1904: bool = False) -> Parsed[object]:
    match field.type:
        case "count":
            return parse_count(raw, unit=field.unit)  # type: ignore[return-value]
        case "number" | "hours":
            return parse_number(raw, unit=field.unit)  # type: ignore[return-value]
        case "percent":
            return parse_percent(raw)  # type: ignore[return-value]
        case "date":
            return parse_date(raw, date1904=date1904)  # type: ignore[return-value]
        case "bool":
            return parse_bool(raw, field.name)  # type: ignore[return-value]
    raise AssertionError(field.type)  # pragma: no cover


def build_values(
    catalogue: Catalogue, raws: list[RawValue], date1904: dict[str, bool]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Issue]]:
    """(values, invalid, answers, issues) from every raw reported figure of the submission.

    An explicit answer (不适用, 未公开: :mod:`lawgov_metrics.intake.parse.published`) goes to ``answers``;
    未发生 is the figure 0; ``先后4次`` is 4; an approximate figure (``超过98%``) is refused, saying why."""
    issues: list[Issue] = []
    rows, invalid, answers = [], [], []
    remarks = RemarkReader()
    for raw in raws:
        field = catalogue.fields_by_id[raw.field]
        answer = explicit_answer(raw.raw)
        if answer == "none_happened" and field.type == "bool":
            answer = None  # 无 is 否
        if answer in ("not_applicable", "not_published"):
            remark = remarks.read(raw, date1904.get(raw.file, False))
            answers.append((raw.unit, raw.year, raw.period, raw.field, answer, raw.source, *remark))
            continue
        if answer == "none_happened" and field.type == "date":
            error: str | None = "不能填“未发生”：未做的请留空（缺数据），本年度不涉及的请填“不适用”"
            parsed: Parsed[object] = Parsed(error=None)
        else:
            given = 0 if answer == "none_happened" else exact_figure(raw.raw)
            parsed = parse_field_value(field, given, date1904.get(raw.file, False))
            if parsed.blank:
                remarks.unused(raw, f"「{field.name}」")
                continue
            error = parsed.error
            if error is not None and field.type in ("count", "number", "hours", "percent"):
                error = qualified_reason(raw.raw) or error
        remark = remarks.read(raw, date1904.get(raw.file, False))
        if error is not None:
            issues.append(
                Issue(
                    parsed.code or "value-type",
                    f"「{field.name}」{error}",
                    file=raw.file,
                    sheet=raw.sheet,
                    cell=raw.cell,
                    column=field.name,
                    value=str(raw.raw)[:100],
                    unit=raw.unit,
                )
            )
            invalid.append((raw.unit, raw.year, raw.field))
            continue
        value: float = np.nan
        date: pd.Timestamp | None = None
        if field.type == "date":
            date = pd.Timestamp(parsed.value)  # type: ignore[arg-type]
        elif field.type == "bool":
            value = 1.0 if parsed.value else 0.0
        else:
            value = float(parsed.value)  # type: ignore[arg-type]
        rows.append(
            (
                raw.unit,
                raw.year,
                raw.period,
                raw.field,
                value,
                date,
                raw.source,
                raw.file,
                raw.sheet,
                raw.cell,
                *remark,
            )
        )
    issues += remarks.issues()
    frame = pd.DataFrame(
        rows,
        columns=[
            *("unit", "year", "period", "field", "value", "date", "source", "_file", "_sheet", "_cell"),
            *REMARK_COLUMNS,
        ],
    ).astype({"unit": "str", "year": "int64", "period": "str", "field": "str", "value": "float64"})
    frame["date"] = pd.to_datetime(frame["date"])
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame, more = _bounds(catalogue, frame)
    issues += more
    frame, more = _report_dates(catalogue, frame)
    issues += more
    frame, more = _conflicts(catalogue, frame)
    issues += more
    more, bad_parts = _parts(catalogue, frame)
    issues += more
    invalid_frame = pd.DataFrame(invalid, columns=["unit", "year", "field"])
    invalid_frame = pd.concat(
        [invalid_frame, frame.loc[frame["_bad"], ["unit", "year", "field"]], bad_parts], ignore_index=True
    )
    values = frame[~frame["_bad"]][
        ["unit", "year", "period", "field", "value", "date", "source", *REMARK_COLUMNS]
    ].reset_index(drop=True)
    answer_frame = pd.DataFrame(answers, columns=[*ANSWER_COLUMNS, *REMARK_COLUMNS]).astype({"year": "int64"})
    answer_frame["as_of"] = pd.to_datetime(answer_frame["as_of"])
    return values, invalid_frame.drop_duplicates().reset_index(drop=True), answer_frame, issues


def _issue(code: str, message: str, row: Mapping[Any, Any]) -> Issue:
    return Issue(
        code,
        message,
        file=str(row["_file"]),
        sheet=str(row["_sheet"]),
        cell=str(row["_cell"]),
        value=_shown(row),
        unit=str(row["unit"]),
    )


def _shown(row: Mapping[Any, Any]) -> str:
    value = row.get("value")
    if isinstance(value, float) and not np.isnan(value):
        return f"{value:g}"
    date = row.get("date")
    return "" if date is None or pd.isna(date) else str(pd.Timestamp(date).date())  # type: ignore[arg-type]


def _bounds(catalogue: Catalogue, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    fields = catalogue.fields_by_id
    lower = frame["field"].map(lambda f: fields[f].lower_bound).astype("float64")
    upper = frame["field"].map(lambda f: fields[f].upper_bound).astype("float64")
    too_low = frame["value"] < lower
    too_high = frame["value"] > upper
    issues = []
    for row in frame[too_low].to_dict("records"):
        field = fields[str(row["field"])]
        code = "value-negative" if field.lower_bound == 0 else "value-out-of-range"
        issues.append(_issue(code, f"「{field.name}」不能小于 {field.lower_bound:g}", row))
    for row in frame[too_high].to_dict("records"):
        field = fields[str(row["field"])]
        limit = "100%" if field.type == "percent" else f"{field.upper_bound:g}"
        issues.append(_issue("value-out-of-range", f"「{field.name}」不能大于 {limit}", row))
    frame = frame.assign(_bad=(too_low | too_high).to_numpy())
    return frame, issues


def _report_dates(catalogue: Catalogue, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """A report's date earlier than the year it reports on is an error at its cell (数据有误), never a
    report on time; so is one more than two years after it."""
    fields = report_date_fields(catalogue)
    year = frame["date"].dt.year
    early = frame["field"].isin(fields) & (year < frame["year"])
    late = frame["field"].isin(fields) & (year > frame["year"] + 2)
    issues = []
    for row in frame[early | late].to_dict("records"):
        name = catalogue.fields_by_id[str(row["field"])].name
        when = "早于" if int(pd.Timestamp(row["date"]).year) < int(row["year"]) else "晚于"
        issues.append(
            _issue(
                "date-before-period" if when == "早于" else "value-out-of-range",
                f"「{name}」为 {_shown(row)}，{when} {row['year']} 年度报告可能的日期"
                f"（{row['year']}-01-01 至 {int(row['year']) + 2}-12-31）；是否填成了其他年度的日期？",
                row,
            )
        )
    return frame.assign(_bad=frame["_bad"].to_numpy() | (early | late).to_numpy()), issues


def _conflicts(catalogue: Catalogue, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The same unit/year/period/field twice: equal copies collapse; different ones are 数据有误."""
    key = ["unit", "year", "period", "field"]
    same_key = frame.duplicated(subset=key, keep=False)
    if not same_key.any():
        return frame, []
    groups = frame[same_key].groupby(key, sort=False)
    differs = groups["value"].transform("nunique") + groups["date"].transform("nunique") > 1
    issues = []
    conflicting = frame[same_key].loc[differs]
    for _, group in conflicting.groupby(key, sort=False):
        records = group.to_dict("records")
        first = records[0]
        name = catalogue.fields_by_id[str(first["field"])].name
        for row in records[1:]:
            issues.append(
                _issue(
                    "value-conflict",
                    f"「{name}」{first['year']} 年{'' if first['period'] == 'Y' else first['period']}填报了不同的数值："
                    f"{_shown(first)}（{first['source']}）与 {_shown(row)}",
                    row,
                )
            )
    issues += _duplicates(frame[same_key].loc[~differs], key)
    frame = frame.copy()
    bad_keys = conflicting[key].drop_duplicates()
    frame = frame.merge(bad_keys.assign(_conflict=True), on=key, how="left")
    frame["_bad"] = frame["_bad"] | frame["_conflict"].astype("boolean").fillna(False).astype(bool)
    frame = frame.drop(columns="_conflict")
    # equal copies: keep the first
    frame = frame[~(frame.duplicated(subset=key, keep="first") & ~frame["_bad"])]
    return frame.reset_index(drop=True), issues


def _duplicates(same: pd.DataFrame, key: list[str]) -> list[Issue]:
    """Equal copies of a figure count once, and are reported: per file (and unit-year) that repeats what an
    earlier file or row already gave, one warning naming the first place and how many figures."""
    if same.empty:
        return []
    first = same.groupby(key, sort=False)[["_file", "source"]].transform("first")
    repeat = same.assign(_first_file=first["_file"], _first_source=first["source"])
    repeat = repeat[repeat["source"] != repeat["_first_source"]]
    issues = []
    for (file, first_file, unit, year), group in repeat.groupby(
        ["_file", "_first_file", "unit", "year"], sort=False
    ):
        row = group.iloc[0]
        where = "本文件中已填报" if file == first_file else f"已在「{first_file}」中填报"
        issues.append(
            Issue(
                "value-duplicate",
                f"{unit} {year} 年的 {len(group)} 项数据{where}，数值相同，只计一次"
                f"（如 {row['_first_source']}）",
                file=str(file),
                sheet=str(row["_sheet"]),
                cell=str(row["_cell"]),
                unit=str(unit),
            )
        )
    return issues


def _parts(catalogue: Catalogue, frame: pd.DataFrame) -> tuple[list[Issue], pd.DataFrame]:
    """A part larger than its whole (numerator > denominator) is reported at the part's cell."""
    pairs = [(f.id, f.part_of) for f in catalogue.fields if f.part_of]
    if not pairs or frame.empty:
        return [], pd.DataFrame(columns=["unit", "year", "field"])
    mapping = pd.DataFrame(pairs, columns=["field", "whole"])
    parts = frame[~frame["_bad"]].merge(mapping, on="field")
    wholes = frame[~frame["_bad"]][["unit", "year", "period", "field", "value", "source"]].rename(
        columns={"field": "whole", "value": "whole_value", "source": "whole_source"}
    )
    joined = parts.merge(wholes, on=["unit", "year", "period", "whole"])
    over = joined[joined["value"] > joined["whole_value"] + 1e-9]
    issues = []
    for row in over.to_dict("records"):
        part, whole = catalogue.fields_by_id[str(row["field"])], catalogue.fields_by_id[str(row["whole"])]
        issues.append(
            _issue(
                "part-exceeds-whole",
                f"「{part.name}」{row['value']:g} 大于「{whole.name}」{row['whole_value']:g}（{row['whole_source']}）",
                row,
            )
        )
    bad = pd.concat(
        [over[["unit", "year", "field"]], over[["unit", "year", "whole"]].rename(columns={"whole": "field"})],
        ignore_index=True,
    )
    return issues, bad
