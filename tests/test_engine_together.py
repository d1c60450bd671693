"""The engine judges every indicator of a kind in one pass: judged together, each indicator comes out exactly as
it does judged alone, and the vectorised ranking agrees with pandas'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.engine.evaluate import evaluate
from lawgov_metrics.engine.scoring import _rank_within

from .sample_assessment import AS_OF, YEARS, minimal_catalogue, sample_submission

ALL_YEARS = (2022, *YEARS)  # the trend's base year too


def _alone(catalogue: Catalogue, indicator_id: str) -> Catalogue:
    ind = catalogue.indicators_by_id[indicator_id]
    return catalogue.model_copy(update={"indicators": (ind,)})


@pytest.mark.parametrize("indicator_id", [i.id for i in minimal_catalogue().indicators])
def test_an_indicator_judged_with_the_others_is_judged_as_alone(indicator_id: str) -> None:
    catalogue = minimal_catalogue()
    submission = sample_submission(catalogue)
    together = evaluate(catalogue, submission, years=ALL_YEARS, as_of=AS_OF)
    alone = evaluate(_alone(catalogue, indicator_id), submission, years=ALL_YEARS, as_of=AS_OF)

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame[frame["indicator"] == indicator_id].reset_index(drop=True)
        # the column holds None for kinds without a numeric target, so its dtype depends on the company
        return rows.astype({"target_value": object}) if "target_value" in rows else rows

    if mine(together.results).empty:
        pytest.skip("no unit of the sample is of a kind this indicator applies to")
    pd.testing.assert_frame_equal(mine(together.results), mine(alone.results), check_exact=True)
    pd.testing.assert_frame_equal(mine(together.provenance), mine(alone.provenance), check_exact=True)


def test_ranks_match_pandas_min_rank_with_ties_and_missing_rates() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        size = int(rng.integers(0, 40))
        partition = rng.integers(0, 4, size)
        rate = rng.choice([np.nan, 0.0, 0.25, 0.5, 1 / 3, 0.75, 1.0], size)
        expected = pd.Series(rate).groupby(partition).rank(method="min", ascending=False).to_numpy()
        np.testing.assert_array_equal(_rank_within(partition, rate), expected)
