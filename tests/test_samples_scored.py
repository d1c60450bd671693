"""Every indicator of the shipped catalogue is evaluated on the samples, and the outcome is plausible."""

from __future__ import annotations

from pathlib import Path

from lawgov_metrics.catalogue.applicability import applies
from lawgov_metrics.intake.read.register import load_register

REGISTER = Path(__file__).parent.parent / "samples" / "haikou" / "units.csv"


def test_every_indicator_is_evaluated_for_every_applicable_unit_year(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    a = sample_assessment_2021_2025
    catalogue = a.catalogue
    results = a.results
    assert set(results["indicator"]) == set(catalogue.indicators_by_id)
    units = a.scores.loc[a.scores["submitted"], ["unit", "kind", "year"]].drop_duplicates()
    register, _ = load_register(REGISTER, catalogue)
    held = dict(zip(register.units["unit"], register.units["properties"], strict=True))
    assert any(not props for props in held.values()), (
        "the sample register has units without enforcement powers"
    )
    for ind in catalogue.indicators:
        expected = sum(
            applies(catalogue, ind, kind, held[unit])
            for unit, kind in zip(units["unit"], units["kind"], strict=True)
        )
        assert (results["indicator"] == ind.id).sum() == expected, ind.id


def test_status_counts_per_unit_kind_are_plausible(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    results = sample_assessment_2021_2025.results
    for group, rows in results.groupby(
        results["kind"].map(sample_assessment_2021_2025.catalogue.general_kind)
    ):
        share = rows["status"].value_counts(normalize=True)
        assert share.get("missing", 0) < 0.1, (group, share.to_dict())
        assert share.get("met", 0) > 0.4, (group, share.to_dict())
        assert share.get("not_met", 0) > 0.02, (group, share.to_dict())
        assert share.get("invalid", 0) == 0, (group, share.to_dict())


def test_each_indicator_is_judged_somewhere(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    """No indicator is 缺数据/不适用 for every unit and year: the samples exercise all of them."""
    results = sample_assessment_2021_2025.results
    judged = results[results["status"].isin(["met", "not_met"])].groupby("indicator").size()
    never = sorted(set(results["indicator"]) - set(judged.index))
    assert never == []


def test_scores_are_consistent(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    a = sample_assessment_2021_2025
    totals = a.results.groupby(["unit", "year"])[["points", "max_points"]].sum()
    submitted = a.scores[a.scores["submitted"]]
    scores = submitted.set_index(["unit", "year"])
    assert sorted(totals.index) == sorted(scores.index)
    assert (abs(totals["points"] - scores["points"].reindex(totals.index)) < 1e-6).all()
    assert (a.scores["points"] <= a.scores["max_points"] + 1e-9).all()
    assert submitted["grade"].isin([g.name for g in a.catalogue.grades]).all()
    chapters = a.chapters.groupby(["unit", "year"])["points"].sum()
    assert (abs(chapters - scores["points"].reindex(chapters.index)) < 1e-6).all()


def test_a_unit_year_with_no_submission_is_shown_not_ranked(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    """三门坡镇 sent nothing for 2021: 未报送, listed, with no points, rate, rank or grade, and no results."""
    a = sample_assessment_2021_2025
    row = a.scores[(a.scores["unit"] == "三门坡镇") & (a.scores["year"] == 2021)]
    assert len(row) == 1
    r = row.iloc[0]
    assert (bool(r["submitted"]), r["points"], r["max_points"], r["grade"]) == (False, 0.0, 0.0, "")
    assert r[["rate", "coverage", "rank"]].isna().all()
    assert a.results[(a.results["unit"] == "三门坡镇") & (a.results["year"] == 2021)].empty
    ranked = a.scores[(a.scores["year"] == 2021) & (a.scores["group"] == "town")]
    assert ranked["rank"].max() == len(ranked) - 1  # the others are ranked 1…n without it


def test_every_input_names_where_it_came_from(sample_assessment_2021_2025) -> None:  # type: ignore[no-untyped-def]
    """Dates too: a deadline's date is traced to its cell like any figure (it once showed no source)."""
    provenance = sample_assessment_2021_2025.provenance
    reported = provenance[~provenance["value"].astype(str).isin(["", "—"])]  # — : not reported
    unsourced = reported[reported["source"].astype(str) == ""]
    assert unsourced.empty, unsourced.head().to_dict("records")
    dates = reported[reported["value"].astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}")]
    submitted = dates[dates["source"] != "指标目录"]  # the catalogue's own due dates aside
    assert len(submitted) > 100 and submitted["source"].str.contains(" › ").all()
