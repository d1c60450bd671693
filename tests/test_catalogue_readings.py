"""The plan read one way (issue 12): fractions, the deadline rule, unit properties, count trends, the checks
that refuse a catalogue reading it otherwise, scoring that makes a missed threshold cost, and the README's
table of maximum points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lawgov_metrics.catalogue import Catalogue, load_catalogue
from lawgov_metrics.catalogue.applicability import applies
from lawgov_metrics.catalogue.errors import CatalogueError
from lawgov_metrics.catalogue.models import Threshold, TrendIndicator
from lawgov_metrics.catalogue.targets import due_in_words, year_end_in_words
from lawgov_metrics.intake.read.register import load_register

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(REPO / "indicators.yaml")


def _data() -> dict[str, Any]:
    return YAML(typ="safe").load((REPO / "indicators.yaml").read_text(encoding="utf-8"))


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.model_validate(data)
    return str(caught.value)


def _indicator(data: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    return next(i for i in data["indicators"] if i["id"] == indicator_id)


# ---------------------------------------------------------------- fractions


def test_a_fraction_target_is_exactly_that_fraction(catalogue: Catalogue) -> None:
    assert Threshold.model_validate({"value": "2/3"}).value == 2 / 3
    assert Threshold.model_validate({"value": 0.95}).value == 0.95
    ind = catalogue.indicators_by_id["inspection_staff_on_clues_share"]
    assert ind.target.value == 2 / 3  # type: ignore[union-attr]
    assert 8 / 12 >= ind.target.value > 0.6666  # type: ignore[union-attr]


@pytest.mark.parametrize("written", ["2/0", "a/3", "2/3/4", "-2/3"])
def test_a_malformed_fraction_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match=r"分数|float"):
        Threshold.model_validate({"value": written})


def test_the_schema_describes_fraction_targets() -> None:
    schema = (REPO / "indicators.schema.json").read_text(encoding="utf-8")
    assert "2/3 表示三分之二" in schema


# ---------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("quote", "due"),
    [
        ("各行政执法单位每年1月31日前将上一年度", (1, 31)),
        ("每年3月1日前，各区政府", (3, 1)),
        ("应于4月1日前将法治政府建设年度报告", (4, 1)),
        ("市司法局应于每年4月前向市委、市政府报告", (3, 31)),
        ("3月底前完成", (3, 31)),
        ("于每年第一季度向同级司法行政机关报送", (3, 31)),
        ("每年一季度公布年度目录", (3, 31)),
        ("每年年初发布", None),
    ],
)
def test_the_deadline_rule(quote: str, due: tuple[int, int] | None) -> None:
    assert due_in_words(quote) == due


def test_year_ends_in_words() -> None:
    assert year_end_in_words("2022 年年底前基本形成") == 2022
    assert year_end_in_words("2024年年底基本建成") == 2024
    assert year_end_in_words("2023年，完成40家") is None


def test_every_due_of_the_shipped_catalogue_follows_the_rule(catalogue: Catalogue) -> None:
    read = 0
    for ind in catalogue.indicators:
        if ind.kind == "deadline" and (named := due_in_words(ind.quote)) is not None:
            assert named == (ind.due.month, ind.due.day), ind.id
            read += 1
    assert read >= 6


def test_a_due_against_the_rule_is_refused() -> None:
    data = _data()
    _indicator(data, "litigation_report_before_april")["due"] = {"year_offset": 1, "month": 4, "day": 1}
    assert "原文时限读作 3月31日" in _problems(data)
    data = _data()
    _indicator(data, "reconsideration_system_2022")["due"] = "2022-06-30"
    assert "due 应为 2022-12-31" in _problems(data)


# ---------------------------------------------------------------- structure checks


def test_cycles_in_part_of_and_within_are_refused() -> None:
    data = _data()
    fields = {f["id"]: f for f in data["fields"]}
    fields["normative_docs_issued"]["part_of"] = "normative_docs_filed"
    kinds = {k["id"]: k for k in data["unit_kinds"]}
    kinds["city_dept"]["within"] = "justice_bureau"
    problems = _problems(data)
    assert "字段的 part_of 形成循环" in problems
    assert "单位类别的 within 形成循环" in problems


@pytest.mark.parametrize("name", ["学法/培训台账", "台账[1]", "一" * 32, "汇总表"])
def test_ledger_names_that_cannot_be_sheet_names_are_refused(name: str) -> None:
    data = _data()
    data["ledgers"][0]["name"] = name
    assert "不能用作工作表名" in _problems(data)


def test_applies_when_names_a_declared_property() -> None:
    data = _data()
    _indicator(data, "enforcement_stats_annual_report")["applies_when"] = ["enforcment"]
    assert "未定义的单位属性 `enforcment`" in _problems(data)


# ---------------------------------------------------------------- trends on a count


def test_a_trend_is_a_count_or_a_ratio_never_both() -> None:
    base = {
        "id": "t",
        "name": "t",
        "chapter": "十",
        "clause": "三十五",
        "quote": "逐年增加人数",
        "applies_to": ["city_dept"],
        "kind": "trend",
        "direction": "up",
        "points": 1,
    }
    assert TrendIndicator.model_validate({**base, "field": "n"}).bound is None
    with pytest.raises(ValueError, match="不写 numerator"):
        TrendIndicator.model_validate({**base, "field": "n", "numerator": "a", "denominator": "b"})
    with pytest.raises(ValueError, match="需要 numerator、denominator 与 bound"):
        TrendIndicator.model_validate({**base, "numerator": "a", "denominator": "b"})


# ---------------------------------------------------------------- 行政执法单位


def test_enforcement_indicators_need_the_property(catalogue: Catalogue) -> None:
    limited = {i.id for i in catalogue.indicators if i.applies_when == ("enforcement",)}
    assert {
        "enforcement_stats_annual_report",
        "enforcement_training_hours",
        "unit_case_review_half_yearly",
    } <= limited
    stats = catalogue.indicators_by_id["enforcement_stats_annual_report"]
    assert applies(catalogue, stats, "city_dept")  # the register says nothing: 是 by default
    assert applies(catalogue, stats, "city_dept", frozenset({"enforcement"}))
    assert not applies(catalogue, stats, "city_dept", frozenset())
    filing = catalogue.indicators_by_id["normative_doc_filing_rate"]
    assert applies(catalogue, filing, "city_dept", frozenset())


def test_the_register_reads_the_property_column(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "单位名称,单位类别,别名,所属区,行政执法单位\n"
        "海口市信访局,市直部门,,,否\n海口市公安局,市直部门,,,是\n海口市教育局,市直部门,,,\n海口市商务局,市直部门,,,也许\n",
        encoding="utf-8",
    )
    register, issues = load_register(path, catalogue)
    held = dict(zip(register.units["unit"], register.units["properties"], strict=True))
    assert held["海口市信访局"] == frozenset()
    assert held["海口市公安局"] == held["海口市教育局"] == frozenset({"enforcement"})
    assert held["海口市商务局"] == frozenset({"enforcement"})  # unread: the default, and an issue
    assert [(i.code, i.unit) for i in issues] == [("value-choice", "海口市商务局")]


def test_a_register_without_the_column_keeps_the_default(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位类别\n海口市信访局,市直部门\n", encoding="utf-8")
    register, issues = load_register(path, catalogue)
    assert register.units["properties"].tolist() == [frozenset({"enforcement"})] and not issues


# ---------------------------------------------------------------- scoring and maximum points


def test_no_threshold_is_scored_in_proportion(catalogue: Catalogue) -> None:
    """Proportional credit let 94.9% keep 5.99 of 6 points; missing a threshold must cost clearly more."""
    assert not [i.id for i in catalogue.indicators if i.scoring.rule == "proportional"]
    for ind in catalogue.indicators:
        if ind.scoring.rule == "bands":
            target = ind.target.value  # type: ignore[union-attr]
            assert ind.scoring.bands[0].min == pytest.approx(target), ind.id
            assert max(b.share for b in ind.scoring.bands[1:]) <= 0.6, ind.id


def _readme_maximum_table() -> dict[str, tuple[int, float, float]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("各类单位的满分") :]
    rows = {}
    for line in section.splitlines()[3:]:
        if not line.startswith("|"):
            break
        name, count, full, without = (c.strip() for c in line.strip("|").split("|"))
        if re.fullmatch(r"\d+", count):
            rows[name] = (int(count), float(full), float(without))
    return rows


def test_the_readme_shows_each_kind_s_maximum_points(catalogue: Catalogue) -> None:
    table = _readme_maximum_table()
    assert set(table) == {k.name for k in catalogue.unit_kinds}
    for kind in catalogue.unit_kinds:
        concerned = [i for i in catalogue.indicators if applies(catalogue, i, kind.id)]
        without = [i for i in catalogue.indicators if applies(catalogue, i, kind.id, frozenset())]
        full = sum(i.points_for(kind.id, 2025) for i in concerned)
        less = sum(i.points_for(kind.id, 2025) for i in without)
        assert table[kind.name] == (len(concerned), pytest.approx(full), pytest.approx(less)), kind.name


def test_the_plan_coverage_table_names_every_indicator(catalogue: Catalogue) -> None:
    """docs/PLAN-COVERAGE.md maps the plan's commitments to indicators: every indicator appears there."""
    text = (REPO / "docs" / "PLAN-COVERAGE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z][a-z0-9_]*)`", text))
    assert not sorted(set(catalogue.indicators_by_id) - named)
    assert not sorted(
        n for n in named - set(catalogue.indicators_by_id) if n.endswith(("_rate", "_2022", "_trend"))
    )


def test_a_headcount_trend_is_shown_as_a_count(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    """On the samples: 人数 judged as a number (display 「N 人（上年 M）」), and kept off the 趋势 sheet, whose
    columns are percents."""
    from lawgov_metrics.render.xlsx_sheets import trend_sheet

    a = sample_assessment_2021_2025
    rows = a.results[a.results["indicator"] == "legal_qualified_staff_trend"]
    judged = rows[rows["status"].isin(["met", "not_met"])]
    assert len(judged) > 50 and (judged["value"] >= 0).all() and (judged["value"] % 1 == 0).all()
    assert judged["display"].str.contains("人（上年 ").all()
    made = trend_sheet(a)
    assert made is not None
    sheet, _ = made
    shown = {str(row[0]) for row in sheet.rows}
    assert "head_court_appearance_rate_trend" in shown and "legal_qualified_staff_trend" not in shown
