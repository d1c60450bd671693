"""Roll-up where the catalogue says so (``roll_up: sum``): a district that gave nothing of its own for a field is
given its sub-units' sum, saying so; its own figures are never replaced, and one below the sum is a warning.

The shipped catalogue marks no field (no count of the plan is clearly a district's total including its towns
and departments); the mechanism is proven on the minimal test catalogue with two count fields marked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from lawgov_metrics import evaluate, read_submissions
from lawgov_metrics.api import Assessment
from lawgov_metrics.catalogue import Catalogue, CatalogueError, load_catalogue
from lawgov_metrics.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
DISTRICT = "秀英区人民政府"
REGISTER = """\ufeff单位名称,单位类别,别名,所属区
秀英区人民政府,区政府,秀英区,秀英区
长流镇,镇（街道）,,秀英区
西秀镇,镇（街道）,,秀英区
秀英区司法局,区政府部门,,秀英区
海口市司法局,市司法局,,
"""
# 2021: the district answers 不适用 · 2022: it gives the whole only · 2023: it gives both, below its sub-units' sum
# 2024: it gives neither (rolled up) · 2025: it submits nothing at all (未报送, towns notwithstanding)
LONG = """单位,年度,字段,数值
秀英区人民政府,2021,normative_docs_issued,不适用
秀英区人民政府,2021,fines_decoupled,是
长流镇,2021,normative_docs_issued,2
长流镇,2021,normative_docs_filed,2
秀英区人民政府,2022,normative_docs_issued,5
长流镇,2022,normative_docs_issued,3
长流镇,2022,normative_docs_filed,3
秀英区人民政府,2023,normative_docs_issued,4
秀英区人民政府,2023,normative_docs_filed,4
长流镇,2023,normative_docs_issued,3
长流镇,2023,normative_docs_filed,3
西秀镇,2023,normative_docs_issued,2
西秀镇,2023,normative_docs_filed,2
秀英区人民政府,2024,fines_decoupled,是
秀英区司法局,2024,normative_docs_issued,1
秀英区司法局,2024,normative_docs_filed,1
西秀镇,2024,normative_docs_issued,2
西秀镇,2024,normative_docs_filed,1
长流镇,2024,normative_docs_issued,3
长流镇,2024,normative_docs_filed,3
长流镇,2025,normative_docs_issued,1
长流镇,2025,normative_docs_filed,1
海口市司法局,2024,normative_docs_issued,1
"""


def catalogue_data(**marks: str) -> dict[str, Any]:
    """The minimal catalogue with 区政府部门, the filing rate applying to towns and district departments, and
    ``roll_up`` set on the fields named (field id → value)."""
    data: dict[str, Any] = YAML(typ="safe").load(FIXTURE.read_text(encoding="utf-8"))
    data["unit_kinds"].append({"id": "district_dept", "name": "区政府部门"})
    for field in data["fields"]:
        if field["id"] in marks:
            field["roll_up"] = marks[field["id"]]
    filing = next(i for i in data["indicators"] if i["id"] == "normative_doc_filing_rate")
    filing["applies_to"] += ["town", "district_dept"]
    return data


def write_catalogue(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")  # JSON is YAML
    return path


SUMMED = {"normative_docs_issued": "sum", "normative_docs_filed": "sum"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rollup")
    (root / "units.csv").write_text(REGISTER, encoding="utf-8")
    (root / "data.csv").write_text(LONG, encoding="utf-8")
    write_catalogue(root / "catalogue.yaml", catalogue_data(**SUMMED))
    return root


@pytest.fixture(scope="module")
def assessment(folder: Path) -> Assessment:
    catalogue = load_catalogue(folder / "catalogue.yaml")
    submission = read_submissions([folder / "data.csv"], catalogue, register=folder / "units.csv")
    return evaluate(catalogue, submission, range(2021, 2026), as_of=dt.date(2026, 6, 30))


def filing(assessment: Assessment, unit: str = DISTRICT) -> dict[int, tuple[str, Any]]:
    r = assessment.results
    rows = r[(r["unit"] == unit) & (r["indicator"] == "normative_doc_filing_rate")]
    return {
        int(y): (s, None if v != v else round(float(v), 4))
        for y, s, v in zip(rows["year"], rows["status"], rows["value"], strict=True)
    }


def test_the_district_is_given_its_sub_units_sum_only_where_it_gave_nothing(assessment: Assessment) -> None:
    assert filing(assessment) == {
        2021: ("not_applicable", None),  # its own answer (不适用) stands
        2022: ("missing", None),  # it gave the whole itself: the part is not taken from the towns
        2023: ("met", 1.0),  # its own 4 of 4, not the towns' 5 of 5
        2024: ("not_met", round(5 / 6, 4)),  # 长流镇 3/3 + 西秀镇 1/2 + 秀英区司法局 1/1
    }
    assert filing(assessment, "长流镇")[2024] == ("met", 1.0)  # the sub-units keep their own


def test_the_provenance_says_it_was_summed(assessment: Assessment) -> None:
    p = assessment.provenance
    rows = p[(p["unit"] == DISTRICT) & (p["year"] == 2024) & (p["indicator"] == "normative_doc_filing_rate")]
    assert set(zip(rows["value"], rows["source"], strict=True)) == {
        ("5", "由下属单位汇总：长流镇、西秀镇、秀英区司法局"),
        ("6", "由下属单位汇总：长流镇、西秀镇、秀英区司法局"),
    }


def test_a_sum_does_not_make_a_district_submitted(assessment: Assessment) -> None:
    s = assessment.scores
    row = s[(s["unit"] == DISTRICT) & (s["year"] == 2025)]
    assert row["submitted"].tolist() == [False]
    assert 2025 not in filing(assessment)


def test_a_district_figure_below_its_sub_units_sum_is_a_warning(folder: Path) -> None:
    cat = str(folder / "catalogue.yaml")
    result = CliRunner().invoke(app, ["check", str(folder), "--catalogue", cat, "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning only
    short = [i for i in json.loads(result.stdout)["issues"] if i["code"] == "roll-up-short"]
    assert [(Path(i["file"]).name, i["cell"], i["severity"], i["unit"], i["message"]) for i in short] == [
        (
            "data.csv",
            "D10",
            "warning",
            DISTRICT,
            "「按规定报备的行政规范性文件件数」2023 年填报 4，小于下属单位填报数之和 5（长流镇、西秀镇）；"
            "按指标目录，本项应包含下属单位，请核对",
        ),
        (
            "data.csv",
            "D9",
            "warning",
            DISTRICT,
            "「制发行政规范性文件件数」2023 年填报 4，小于下属单位填报数之和 5（长流镇、西秀镇）；"
            "按指标目录，本项应包含下属单位，请核对",
        ),
    ]
    strict = CliRunner().invoke(
        app, ["check", str(folder), "--catalogue", cat, "--strict", "--format", "json"]
    )
    assert strict.exit_code == 1


def test_without_roll_up_nothing_is_summed(folder: Path, tmp_path: Path) -> None:
    catalogue = load_catalogue(write_catalogue(tmp_path / "plain.yaml", catalogue_data()))
    submission = read_submissions([folder / "data.csv"], catalogue, register=folder / "units.csv")
    assessment = evaluate(catalogue, submission, [2024], as_of=dt.date(2026, 6, 30))
    assert filing(assessment) == {2024: ("missing", None)}
    assert not [i for i in assessment.issues_list if i.code == "roll-up-short"]


def test_a_sub_units_invalid_figure_makes_the_sum_invalid(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text(
        "单位,年度,字段,数值\n"
        "秀英区人民政府,2024,fines_decoupled,是\n"
        "长流镇,2024,normative_docs_issued,3\n长流镇,2024,normative_docs_filed,3\n"
        "西秀镇,2024,normative_docs_issued,-2\n西秀镇,2024,normative_docs_filed,1\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder / "catalogue.yaml")
    submission = read_submissions([tmp_path / "data.csv"], catalogue, register=folder / "units.csv")
    assessment = evaluate(catalogue, submission, [2024], as_of=dt.date(2026, 6, 30))
    assert filing(assessment) == {2024: ("invalid", None)}


def test_the_shipped_catalogue_marks_no_field(catalogue: Catalogue) -> None:
    assert [f.id for f in catalogue.fields if f.roll_up is not None] == []


# ---------------------------------------------------------------- the catalogue checks the setting


PART_WHOLE = "的 roll_up 应一致：只汇总其一会使部分与整体来自不同单位"
RATIO_ENDS = "分子、分母的 roll_up 应一致：只汇总其一会使比率两端来自不同单位"


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        (  # a part without its whole, and so a ratio summed at one end
            {"normative_docs_issued": "sum"},
            [
                ("fields[1].roll_up", f"部分与整体（`normative_docs_issued`）{PART_WHOLE}"),
                ("indicators[0].denominator", RATIO_ENDS),
            ],
        ),
        ({"fines_decoupled": "sum"}, [("fields[9].roll_up", "bool 类型的字段不能由下属单位相加汇总")]),
        (
            {"litigation_cases_concluded": "sum"},
            [
                ("fields[8].roll_up", f"部分与整体（`litigation_cases_concluded`）{PART_WHOLE}"),
                ("indicators[8].denominator", RATIO_ENDS),
            ],
        ),
    ],
)
def test_the_catalogue_refuses_a_roll_up_that_cannot_be_summed(
    tmp_path: Path, marks: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(write_catalogue(tmp_path / "c.yaml", catalogue_data(**marks)))
    assert [(p.dotted_path, p.message) for p in info.value.problems] == expected


def test_the_catalogue_refuses_a_ratio_summed_at_one_end(tmp_path: Path) -> None:
    data = catalogue_data()
    data["fields"].append(
        {"id": "extra_total", "name": "某项总数", "unit": "件", "type": "count", "roll_up": "sum"}
    )
    filing_ind = next(i for i in data["indicators"] if i["id"] == "normative_doc_filing_rate")
    filing_ind["denominator"] = "extra_total"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(write_catalogue(tmp_path / "c.yaml", data))
    assert [p.message for p in info.value.problems] == [RATIO_ENDS]
