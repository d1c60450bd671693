"""``explain`` reaches the row: ledger-counted inputs list the file › sheet › row of every record they counted
(all in JSON, the first runs in the terminal), and it answers whatever else the inputs hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawgov_metrics.cli import app
from lawgov_metrics.render.explain import row_ranges

REGISTER = Path(__file__).parents[1] / "samples" / "haikou" / "units.csv"

DOCS = """单位,文号,文件名称,印发日期,是否按规定报备
海口市司法局,海司规〔2024〕1号,甲,2024-02-01,是
海口市司法局,海司规〔2024〕2号,乙,2024-03-01,是
海口市司法局,海司规〔2024〕3号,丙,2024-05-01,否
海口市司法局,海司规〔2024〕4号,丁,2024-07-01,是
海口市司法局,海司规〔2023〕9号,戊,2023-07-01,是
海口市商务局,海商规〔2024〕1号,己,2024-07-01,是
"""

# three people on the 2024 roster; HK9 trained but is not on it, so their record counts for no one
ROSTER = """单位,统计日期,执法证号,姓名,执法岗位
海口市司法局,2024-12-31,HK1,甲,行政处罚
海口市司法局,2024-12-31,HK2,乙,行政处罚
海口市司法局,2024-12-31,HK3,丙,行政检查
"""
TRAINING = """单位,培训日期,执法证号,培训内容,培训类型,学时
海口市司法局,2024-03-01,HK1,行政处罚法,本单位业务培训,40
海口市司法局,2024-04-01,HK1,行政复议法,网络培训,20
海口市司法局,2024-05-01,HK9,行政许可法,网络培训,60
海口市司法局,2024-06-01,HK2,行政强制法,本单位业务培训,30
海口市司法局,2023-06-01,HK3,民法典,本单位业务培训,60
"""


def _explain(folder: Path, indicator: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "explain", str(folder), "--units", str(REGISTER), "--unit", "市司法局",
            "--indicator", indicator, "--year", "2024", "--as-of", "2025-06-30", *extra,
        ],
    )  # fmt: skip
    return result.exit_code, result.output


def _records(payload: dict, name: str) -> list[int]:
    line = next(i for i in payload["inputs"] if i["name"] == name)
    assert line["record_count"] == len(line["records"])
    return [r["row"] for r in line["records"]]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    (tmp_path / "行政规范性文件台账.csv").write_text(DOCS, encoding="utf-8")
    return tmp_path


def test_json_lists_every_counted_row(docs: Path) -> None:
    code, out = _explain(docs, "normative_doc_filing_rate", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["value"] == "75%（3/4）"
    # lines 2, 3 and 5 are filed; line 4 (否) is not; lines 6 (2023) and 7 (商务局) belong to no one here
    assert _records(payload, "按规定报备的行政规范性文件件数") == [2, 3, 5]
    assert _records(payload, "制发行政规范性文件件数") == [2, 3, 4, 5]
    first = payload["inputs"][0]["records"][0]
    assert first == {"file": str(docs / "行政规范性文件台账.csv"), "sheet": "", "row": 2, "invalid": False}


def test_terminal_shows_the_runs(docs: Path) -> None:
    code, out = _explain(docs, "normative_doc_filing_rate")
    out = out.replace("\n", "")  # a long path wraps at the terminal's width
    assert code == 0
    assert "计入的台账记录" in out
    assert "按规定报备的行政规范性文件件数：《行政规范性文件台账》3 条记录" in out
    assert "行政规范性文件台账.csv › 第 2–3、5 行" in out
    assert "行政规范性文件台账.csv › 第 2–5 行" in out


def test_per_person_rows_are_the_roster_and_its_people_s_records(tmp_path: Path) -> None:
    (tmp_path / "行政执法人员名册.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "行政执法人员培训台账.csv").write_text(TRAINING, encoding="utf-8")
    code, out = _explain(tmp_path, "enforcement_training_hours", "--format", "json")
    payload = json.loads(out)
    assert payload["value"] == "33.3%（1/3 人）"  # HK1 has 60, HK2 30, HK3 none in 2024
    assert _records(payload, "名册人数") == [2, 3, 4]
    # HK9 (line 4) is not on the roster and HK3's record (line 6) is of 2023: neither counted
    assert _records(payload, "达到 60 的人数") == [2, 3, 5]
    roster, done = payload["inputs"]
    assert roster["records"][0]["file"].endswith("行政执法人员名册.csv")
    # the input names its file, as a figure derived from a ledger does
    assert roster["source"] == f"{tmp_path / '行政执法人员名册.csv'} › 台账《行政执法人员名册》"
    assert done["source"] == f"{tmp_path / '行政执法人员培训台账.csv'} › 台账《行政执法人员培训台账》"
    assert code == 0


def test_a_figure_reported_directly_lists_no_records(docs: Path) -> None:
    """Both a summary figure and the ledger: the figure is what was used, so its cell is the source."""
    table = "单位,年度,字段,数值\n海口市司法局,2024,按规定报备的行政规范性文件件数,3\n"
    (docs / "长表.csv").write_text(table, encoding="utf-8")
    _, out = _explain(docs, "normative_doc_filing_rate", "--format", "json")
    lines = {line["name"]: line for line in json.loads(out)["inputs"]}
    filed, issued = lines["按规定报备的行政规范性文件件数"], lines["制发行政规范性文件件数"]
    assert filed["source"] == f"{docs / '长表.csv'} › D2"
    assert "records" not in filed
    assert issued["record_count"] == 4


def test_answers_when_another_unit_has_errors_and_exit_reflects_only_its_own(docs: Path) -> None:
    other = "单位,文号,文件名称,印发日期,是否按规定报备\n海口市商务局,海商规〔2024〕2号,庚,2024-13-45,是\n"
    (docs / "商务局").mkdir()
    (docs / "商务局" / "行政规范性文件台账.csv").write_text(other, encoding="utf-8")
    code, out = _explain(docs, "normative_doc_filing_rate", "--format", "json")
    payload = json.loads(out)
    assert payload["value"] == "75%（3/4）"
    assert payload["issues"] == []
    assert code == 0


def test_its_own_errors_are_listed_and_exit_1(docs: Path) -> None:
    with (docs / "行政规范性文件台账.csv").open("a", encoding="utf-8") as f:
        f.write("海口市司法局,海司规〔2024〕5号,辛,2024-08-01,也许\n")
    code, out = _explain(docs, "normative_doc_filing_rate", "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert [(i["severity"], i["row"]) for i in payload["issues"]][:1] == [("error", 8)]
    code, out = _explain(docs, "normative_doc_filing_rate")
    assert "本单位及所用文件中的数据问题 1 个（其中错误 1 个）" in out


@pytest.mark.parametrize(
    ("rows", "runs"),
    [([], []), ([7], ["7"]), ([5, 2, 3, 9, 10, 3], ["2–3", "5", "9–10"]), ([1, 2, 3, 4], ["1–4"])],
)
def test_row_ranges(rows: list[int], runs: list[str]) -> None:
    assert row_ranges(rows) == runs


def test_a_cumulative_input_names_every_year_s_file() -> None:
    """轮训 over the plan: the training records of 2021–2024 count for 2024, so all four files are its source."""
    from lawgov_metrics import evaluate, load_catalogue, read_submissions

    samples = REGISTER.parent
    files = [samples / str(year) / "海口市司法局.xlsx" for year in (2021, 2022, 2023, 2024)]
    catalogue = load_catalogue()
    assessment = evaluate(catalogue, read_submissions(files, catalogue, register=REGISTER), [2024])
    prov = assessment.provenance
    mine = prov[(prov["indicator"] == "enforcement_rotation_training") & (prov["unit"] == "海口市司法局")]
    sources = dict(zip(mine["input"], mine["source"], strict=True))
    assert sources["名册人数"] == f"{files[3]} › 台账《行政执法人员名册》"
    assert sources["达到 2 的人数"] == f"{'、'.join(map(str, files))} › 台账《行政执法人员培训台账》"
