"""Broken catalogues: every problem reported at once, with file:line, key path and a Chinese message."""

from __future__ import annotations

from pathlib import Path

import pytest

from lawgov_metrics.catalogue import CatalogueError, load_catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"
SEED = FIXTURE.read_text(encoding="utf-8")

# (case, text to replace, replacement, [(line, key path, message fragment), ...])
BROKEN = [
    (
        "unknown key with suggestion",
        "    numerator: normative_docs_filed\n",
        "    numerater: normative_docs_filed\n",
        [
            (129, "indicators[0].numerator", "缺少必填项 `numerator`"),
            (136, "indicators[0].numerater", "未知的键 `numerater`，是否应为 `numerator`？"),
        ],
    ),
    (
        "duplicate id",
        "  - id: leadership_study_sessions\n",
        "  - id: normative_doc_filing_rate\n",
        [(142, "indicators[1].id", "标识 `normative_doc_filing_rate` 重复（第 1 项已使用）")],
    ),
    (
        "dangling field reference",
        "    numerator: normative_docs_filed\n",
        "    numerator: normative_docs_filled\n",
        [
            (
                136,
                "indicators[0].numerator",
                "未定义的字段 `normative_docs_filled`，是否应为 `normative_docs_filed`？",
            )
        ],
    ),
    (
        "malformed target",
        '    target: {op: ">=", value: 4}\n',
        '    target: {op: "=>", value: four}\n',
        [
            (150, "indicators[1].target.op", "现为 `=>`"),
            (150, "indicators[1].target.value", "应为数值，现为 `four`"),
        ],
    ),
    (
        "bad YAML",
        "  - {id: town, name: 镇（街道）}\n",
        "  - {id: town, name: 镇（街道）\n",
        [(28, "（根）", "YAML 语法错误")],
    ),
    (
        "duplicate YAML key",
        "    points: 1.2\n",
        "    points: 1.2\n    points: 3\n",
        [(152, "（根）", "duplicate key")],
    ),
    (
        "unknown indicator kind",
        "    kind: boolean\n",
        "    kind: booleen\n",
        [(255, "indicators[9].kind", "未知的类型 `booleen`")],
    ),
    (
        "milestone outside the plan period",
        "    due: 2022-12-31\n",
        "    due: 2027-12-31\n",
        [(230, "indicators[7].due", "年度 2027 不在规划期 2021—2025 内")],
    ),
    (
        "negative points",
        "    points: 1.2\n",
        "    points: -1\n",
        [(151, "indicators[1].points", "应不小于 0")],
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_catalogue_reports_each_problem(
    tmp_path: Path, case: str, old: str, new: str, expected: list
) -> None:
    assert SEED.count(old) == 1, "fixture drifted: the text to break must occur once"
    path = tmp_path / "broken.yaml"
    path.write_text(SEED.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    got = [(p.line, p.dotted_path, p.message) for p in info.value.problems]
    assert len(got) == len(expected), got
    for (line, key_path, fragment), (got_line, got_path, got_message) in zip(expected, got, strict=True):
        assert (got_line, got_path) == (line, key_path)
        assert fragment in got_message
    assert all(str(path) in str(p) for p in info.value.problems)


def test_several_problems_are_reported_in_one_pass(tmp_path: Path) -> None:
    text = SEED.replace("    numerator: normative_docs_filed\n", "    numerator: nope\n").replace(
        "    kind: boolean\n    field: fines_decoupled\n", "    kind: boolean\n    field: also_nope\n"
    )
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert [p.dotted_path for p in info.value.problems] == ["indicators[0].numerator", "indicators[9].field"]


def test_missing_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="无法读取指标目录"):
        load_catalogue(tmp_path / "none.yaml")


def test_yaml_tags_never_construct_objects(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(
        SEED.replace('version: "2021-2025.1"', "version: !!python/object/apply:os.system ['true']")
    )
    with pytest.raises(CatalogueError):
        load_catalogue(path)


def test_catalogue_is_immutable_and_hashed() -> None:
    cat = load_catalogue(FIXTURE)
    assert len(cat.sha256) == 64
    with pytest.raises(Exception, match="frozen"):
        cat.indicators[0].points = 5  # type: ignore[misc]


def test_points_override_by_kind_and_year(tmp_path: Path) -> None:
    path = tmp_path / "override.yaml"
    path.write_text(
        SEED.replace(
            "    points: 1.2\n",
            "    points: 1.2\n    points_overrides:\n      - {kinds: [town], points: 0.5}\n"
            "      - {kinds: [city_dept], years: [2024], points: 2}\n",
        ),
        encoding="utf-8",
    )
    ind = load_catalogue(path).indicators_by_id["leadership_study_sessions"]
    assert ind.points_for("town", 2023) == 0.5
    assert ind.points_for("city_dept", 2024) == 2
    assert ind.points_for("city_dept", 2023) == 1.2
