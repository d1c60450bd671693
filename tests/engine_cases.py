"""Build submissions from per-indicator cases kept as data (tests/cases/*.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.intake.read.ledgers import assign_periods
from lawgov_metrics.submission import Submission

UNIT = "测试单位"


def _as_float(field_type: str, value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


def build_submission(catalogue: Catalogue, case: dict[str, Any]) -> Submission:
    """``values``: {year: {field: number | bool | date | {H1: n, H2: n}}}; ``ledgers``: {ledger: [records]}."""
    kind = case["kind"]
    rows = []
    for year, fields in (case.get("values") or {}).items():
        for field_id, raw in fields.items():
            field = catalogue.fields_by_id[field_id]
            periods = raw.items() if isinstance(raw, dict) else [("Y", raw)]
            for period, value in periods:
                is_date = field.type == "date"
                rows.append(
                    {
                        "unit": UNIT,
                        "year": int(year),
                        "period": period,
                        "field": field_id,
                        "value": float("nan") if is_date or value is None else _as_float(field.type, value),
                        "date": pd.Timestamp(value) if is_date and value is not None else pd.NaT,
                        "source": f"case.xlsx › 汇总表 › {field_id}",
                    }
                )
    values = pd.DataFrame(rows, columns=["unit", "year", "period", "field", "value", "date", "source"])
    values["date"] = pd.to_datetime(values["date"])
    ledgers: dict[str, pd.DataFrame] = {}
    coverage = []
    for ledger_id, records in (case.get("ledgers") or {}).items():
        ledger = catalogue.ledgers_by_id[ledger_id]
        frame = pd.DataFrame(records or [], columns=[c.id for c in ledger.columns])
        for column in ledger.columns:
            if column.type in ("date", "datetime"):
                frame[column.id] = pd.to_datetime(frame[column.id])
            elif column.type in ("int", "number"):
                frame[column.id] = frame[column.id].astype("float64")
            elif column.type == "bool":
                frame[column.id] = frame[column.id].map(
                    lambda v: float("nan") if v is None else float(bool(v))
                )
            else:
                frame[column.id] = frame[column.id].astype("str")
        frame = assign_periods(frame, ledger.period_column)
        frame["unit"] = UNIT
        frame["_file"], frame["_sheet"] = "case.xlsx", ledger.name
        frame["_row"] = range(2, len(frame) + 2)
        frame["_invalid"] = [bool(r.get("_invalid", False)) for r in (records or [])]
        frame["year"] = frame["year"].astype("int64")
        ledgers[ledger_id] = frame
        years = set(frame["year"]) | set(case.get("ledger_years", [case["year"]]))
        coverage += [{"ledger": ledger_id, "unit": UNIT, "year": int(y)} for y in years]
    invalid = pd.DataFrame(
        [{"unit": UNIT, "year": int(case["year"]), "field": f} for f in case.get("invalid", [])],
        columns=["unit", "year", "field"],
    )
    return Submission(
        units=_units(kind, case.get("properties")),
        values=values,
        ledgers=ledgers,
        coverage=pd.DataFrame(coverage, columns=["ledger", "unit", "year"]),
        invalid=invalid,
        files=("case.xlsx",),
    )


def _units(kind: str, properties: list[str] | None) -> pd.DataFrame:
    """The one unit; ``properties`` (a case's list of unit properties, 行政执法单位 …) as the register gives
    them — without it, the register said nothing (each property's default)."""
    units = pd.DataFrame({"unit": [UNIT], "kind": [kind]})
    if properties is not None:
        units["properties"] = [frozenset(properties)]
    return units


def as_of(case: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(case.get("as_of", "2026-11-27")))


def load_cases(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            case.setdefault("catalogue", document.get("catalogue", "minimal"))
            cases.append((f"{path.stem}: {case['name']}", case))
    return cases
