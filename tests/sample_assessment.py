"""A realistic multi-unit, two-year Assessment built from data, for the renderers' tests.

Seven units of four kinds report 2023–2024 (and 2022 figures for the trend's base year) against
``fixtures/minimal_catalogue.yaml``; ``evaluate`` does the judging, so every status, score, rank and
chapter subtotal is the engine's own. One unit is named like a spreadsheet formula, and the issues carry
files, sheets and cells — including an Excel error value ``#N/A`` — so the renderers' safety shows.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from lawgov_metrics.catalogue import Catalogue, load_catalogue
from lawgov_metrics.engine.evaluate import evaluate
from lawgov_metrics.intake.read.ledgers import assign_periods
from lawgov_metrics.issues import Issue
from lawgov_metrics.results import Assessment
from lawgov_metrics.submission import ANSWER_COLUMNS, Submission

MINIMAL = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
AS_OF = dt.date(2025, 6, 30)
YEARS = (2023, 2024)

LONGHUA = "海口市龙华区人民政府"
MEILAN = "海口市美兰区人民政府"
ECOLOGY = "海口市生态环境局"
FORMULA_UNIT = '=HYPERLINK("http://example.com","x")'
JUSTICE = "海口市司法局"
CHENGXI = "龙华区城西镇"
YANFENG = "美兰区演丰镇"


def _staff(prefix: str, count: int, roster_date: str) -> list[dict[str, Any]]:
    return [
        {"roster_date": roster_date, "certificate_no": f"{prefix}{i:03d}", "person_name": f"执法人员{i}"}
        for i in range(count)
    ]


def _training(prefix: str, hours: list[float], day: str) -> list[dict[str, Any]]:
    return [
        {"trained_on": day, "certificate_no": f"{prefix}{i:03d}", "course": "行政执法业务培训", "hours": h}
        for i, h in enumerate(hours)
    ]


# unit → kind, figures reported directly ({year: {field: value}}; {H1: n, H2: n} for half-yearly fields),
# ledger records and the files they came in.
UNITS: dict[str, dict[str, Any]] = {
    LONGHUA: {
        "kind": "district_gov",
        "file": "龙华区.xlsx",
        "values": {
            2022: {"litigation_cases_concluded": 20, "litigation_cases_lost": 4},
            2023: {
                "normative_docs_issued": 12,
                "normative_docs_filed": 12,
                "study_sessions_leadership": 4,
                "case_review_half": {"H1": 1, "H2": 1},
                "enforcement_stats_report_date": dt.date(2024, 1, 20),
                "litigation_cases_concluded": 20,
                "litigation_cases_lost": 3,
                "fines_decoupled": True,
                "suggestions_handled": 40,
                "suggestions_satisfied": 39,
            },
            2024: {
                "normative_docs_issued": 10,
                "normative_docs_filed": 10,
                "study_sessions_leadership": 5,
                "case_review_half": {"H1": 1, "H2": 2},
                "enforcement_stats_report_date": dt.date(2025, 1, 25),
                "litigation_cases_concluded": 25,
                "litigation_cases_lost": 2,
                "fines_decoupled": True,
                "suggestions_satisfied": 30,
            },
        },
        "ledgers": {
            "enforcement_staff": _staff("LH", 4, "2023-12-31") + _staff("LH", 4, "2024-12-31"),
            "enforcement_training": _training("LH", [60, 72, 64, 80], "2023-06-01")
            + _training("LH", [60, 61, 62, 63], "2024-06-01"),
            "incidents": [
                {
                    "event_no": "LH-2024-01",
                    "level": "重大",
                    "occurred_at": "2024-07-01 08:00",
                    "released_at": "2024-07-01 11:30",
                },
            ],
        },
    },
    MEILAN: {
        "kind": "district_gov",
        "file": "美兰区.xlsx",
        "values": {
            2023: {
                "normative_docs_issued": 8,
                "normative_docs_filed": 7,
                "study_sessions_leadership": 3,
                "case_review_half": {"H1": 1, "H2": 0},
                "fines_decoupled": True,
                "suggestions_handled": 20,
                "suggestions_satisfied": 18,
            },
            2024: {
                "normative_docs_issued": 0,
                "normative_docs_filed": 0,
                "study_sessions_leadership": 2,
                "case_review_half": {"H1": 1, "H2": 1},
                "litigation_cases_concluded": 10,
                "litigation_cases_lost": 0,
                "fines_decoupled": False,
                "suggestions_handled": 20,
                "suggestions_satisfied": 20,
            },
        },
        "ledgers": {
            "incidents": [
                {
                    "event_no": "ML-2024-01",
                    "level": "重大",
                    "occurred_at": "2024-03-01 09:00",
                    "released_at": "2024-03-01 16:00",
                },
            ],
        },
    },
    ECOLOGY: {
        "kind": "city_dept",
        "file": "市直部门汇总.xlsx",
        "values": {
            2022: {"litigation_cases_concluded": 5, "litigation_cases_lost": 1},
            2023: {
                "normative_docs_issued": 3,
                "normative_docs_filed": 3,
                "study_sessions_leadership": 4,
                "case_review_half": {"H1": 1, "H2": 1},
                "enforcement_stats_report_date": dt.date(2024, 1, 31),
                "litigation_cases_concluded": 5,
                "litigation_cases_lost": 1,
                "fines_decoupled": True,
                "suggestions_handled": 10,
                "suggestions_satisfied": 10,
            },
            2024: {
                "normative_docs_issued": 4,
                "normative_docs_filed": 4,
                "study_sessions_leadership": 4,
                "case_review_half": {"H1": 2, "H2": 1},
                "enforcement_stats_report_date": dt.date(2025, 2, 10),
                "litigation_cases_concluded": 6,
                "litigation_cases_lost": 0,
                "fines_decoupled": True,
                "suggestions_handled": 12,
                "suggestions_satisfied": 11,
            },
        },
        "ledgers": {
            "enforcement_staff": _staff("ST", 2, "2024-12-31"),
            "enforcement_training": _training("ST", [60, 30], "2024-05-01"),
        },
    },
    FORMULA_UNIT: {
        "kind": "city_dept",
        "file": "市直部门汇总.xlsx",
        "values": {
            2023: {"normative_docs_issued": 2, "normative_docs_filed": 1, "fines_decoupled": True},
            2024: {"normative_docs_issued": 2, "normative_docs_filed": 2, "study_sessions_leadership": 1},
        },
        "ledgers": {},
    },
    JUSTICE: {
        "kind": "justice_bureau",
        "file": "市司法局.xlsx",
        "values": {
            2022: {"litigation_cases_concluded": 4, "litigation_cases_lost": 1},
            2023: {
                "normative_docs_issued": 5,
                "normative_docs_filed": 5,
                "study_sessions_leadership": 6,
                "case_review_half": {"H1": 1, "H2": 1},
                "enforcement_stats_report_date": dt.date(2024, 1, 15),
                "litigation_cases_concluded": 4,
                "litigation_cases_lost": 0,
                "fines_decoupled": True,
                "suggestions_handled": 15,
                "suggestions_satisfied": 15,
            },
            2024: {
                "normative_docs_issued": 6,
                "normative_docs_filed": 6,
                "study_sessions_leadership": 4,
                "case_review_half": {"H1": 1, "H2": 1},
                "enforcement_stats_report_date": dt.date(2025, 1, 10),
                "litigation_cases_concluded": 5,
                "litigation_cases_lost": 0,
                "fines_decoupled": True,
                "suggestions_handled": 18,
                "suggestions_satisfied": 17,
            },
        },
        "ledgers": {
            "enforcement_staff": _staff("SF", 3, "2023-12-31") + _staff("SF", 3, "2024-12-31"),
            "enforcement_training": _training("SF", [60, 60, 60], "2023-04-01")
            + _training("SF", [70, 60, 65], "2024-04-01"),
        },
    },
    CHENGXI: {
        "kind": "town",
        "file": "城西镇.xlsx",
        "values": {},
        "ledgers": {
            "enforcement_staff": _staff("CX", 2, "2023-12-31") + _staff("CX", 2, "2024-12-31"),
            "enforcement_training": _training("CX", [60, 60], "2023-09-01")
            + _training("CX", [60, 20], "2024-09-01"),
        },
    },
    YANFENG: {
        "kind": "town",
        "file": "演丰镇.xlsx",
        "values": {},
        "ledgers": {
            "enforcement_staff": _staff("YF", 3, "2023-12-31") + _staff("YF", 3, "2024-12-31"),
            "enforcement_training": _training("YF", [10, 0, 0], "2023-09-01"),
        },
    },
}

# (unit, year, field) whose reported value failed validation → 数据有误
INVALID = [(LONGHUA, 2024, "suggestions_handled")]

ISSUES = (
    Issue(
        "value-type",
        "「办理的人大建议政协提案件数」应为数字，填写的是“十二”",
        file="龙华区.xlsx",
        sheet="汇总表",
        cell="D12",
        row=12,
        column="数值",
        value="十二",
        unit=LONGHUA,
    ),
    Issue(
        "value-error-cell",
        "单元格为错误值 #N/A，未计入",
        file="市直部门汇总.xlsx",
        sheet="汇总表",
        cell="E7",
        row=7,
        column="数值",
        value="#N/A",
        unit=FORMULA_UNIT,
    ),
    Issue(
        "record-duplicate",
        "台账记录重复：执法证号 YF001 在同一日期出现两次",
        file="演丰镇.xlsx",
        sheet="行政执法人员名册",
        cell="B9",
        row=9,
        column="执法证号",
        value="YF001",
        unit=YANFENG,
    ),
)


def _values(catalogue: Catalogue) -> pd.DataFrame:
    rows = []
    for unit, spec in UNITS.items():
        for year, fields in spec["values"].items():
            for field_id, raw in fields.items():
                field = catalogue.fields_by_id[field_id]
                periods = raw.items() if isinstance(raw, dict) else [("Y", raw)]
                for n, (period, value) in enumerate(periods):
                    is_date = field.type == "date"
                    rows.append(
                        {
                            "unit": unit,
                            "year": int(year),
                            "period": period,
                            "field": field_id,
                            "value": float("nan") if is_date else float(value),
                            "date": pd.Timestamp(value) if is_date else pd.NaT,
                            "source": f"{spec['file']} › 汇总表 › D{4 + len(rows) % 40 + n}",
                        }
                    )
    values = pd.DataFrame(rows, columns=["unit", "year", "period", "field", "value", "date", "source"])
    values["date"] = pd.to_datetime(values["date"])
    return values


def _ledgers(catalogue: Catalogue) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    frames: dict[str, list[pd.DataFrame]] = {}
    for unit, spec in UNITS.items():
        for ledger_id, records in spec["ledgers"].items():
            ledger = catalogue.ledgers_by_id[ledger_id]
            frame = pd.DataFrame(records, columns=[c.id for c in ledger.columns])
            for column in ledger.columns:
                if column.type in ("date", "datetime"):
                    frame[column.id] = pd.to_datetime(frame[column.id])
                elif column.type in ("int", "number"):
                    frame[column.id] = frame[column.id].astype("float64")
                else:
                    frame[column.id] = frame[column.id].astype("str")
            frame = assign_periods(frame, ledger.period_column)
            frame["unit"] = unit
            frame["_file"], frame["_sheet"] = spec["file"], ledger.name
            frame["_row"] = range(2, len(frame) + 2)
            frame["_invalid"] = False
            frame["year"] = frame["year"].astype("int64")
            frames.setdefault(ledger_id, []).append(frame)
    ledgers = {lid: pd.concat(parts, ignore_index=True) for lid, parts in frames.items()}
    coverage = pd.DataFrame(
        [
            {"ledger": lid, "unit": unit, "year": year}
            for lid, frame in ledgers.items()
            for unit, year in frame[["unit", "year"]].drop_duplicates().itertuples(index=False)
        ],
        columns=["ledger", "unit", "year"],
    )
    return ledgers, coverage


# 美兰区 answers 未公开 for its 2024 statistics report date: that deadline is 未公开, not 缺数据
ANSWERS = [
    (MEILAN, 2024, "Y", "enforcement_stats_report_date", "not_published", "美兰区.xlsx › 汇总表 › E30")
]


def sample_submission(catalogue: Catalogue) -> Submission:
    ledgers, coverage = _ledgers(catalogue)
    return Submission(
        units=pd.DataFrame({"unit": list(UNITS), "kind": [spec["kind"] for spec in UNITS.values()]}),
        values=_values(catalogue),
        ledgers=ledgers,
        coverage=coverage,
        invalid=pd.DataFrame(INVALID, columns=["unit", "year", "field"]),
        answers=pd.DataFrame(ANSWERS, columns=list(ANSWER_COLUMNS)),
        issues=ISSUES,
        files=tuple(dict.fromkeys(spec["file"] for spec in UNITS.values())),
    )


@cache
def minimal_catalogue() -> Catalogue:
    return load_catalogue(MINIMAL)


def sample_assessment(years: tuple[int, ...] = YEARS) -> Assessment:
    """A fresh Assessment each call (tests may replace its frames); the catalogue is loaded once."""
    catalogue = minimal_catalogue()
    return evaluate(catalogue, sample_submission(catalogue), years=years, as_of=AS_OF)


def sample_check_report() -> Any:
    """What ``check`` reports for the sample submission (the library's own report)."""
    from lawgov_metrics.api import check

    return check(sample_submission(minimal_catalogue()))


def with_unit_renamed(assessment: Assessment, old: str, new: str) -> Assessment:
    """The same assessment with one unit's name replaced everywhere (to try hostile names)."""
    import dataclasses

    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(unit=frame["unit"].replace(old, new)) if "unit" in frame else frame

    return dataclasses.replace(
        assessment,
        results=rename(assessment.results),
        scores=rename(assessment.scores),
        chapters=rename(assessment.chapters),
        provenance=rename(assessment.provenance),
    )
