import numpy as np
import pytest

from biokv.core import KWinnerMHN
from biokv.core.kwinner import theory
from biokv.core.kwinner.protocol import random_pattern_source, retention_overlaps


def test_expected_max_overlap_against_monte_carlo():
    rng = np.random.default_rng(0)
    draws = rng.hypergeometric(20, 200 - 20, 15, size=(40000, 30)).max(axis=1)  # cue 15 ones, s = 20
    assert theory.expected_max_overlap(200, 30, 20, 15) == pytest.approx(draws.mean(), abs=0.02)


def test_asymptotic_baseline_is_the_papers_formula():
    assert theory.mhn_baseline(1000, 100, 100, 1.0) == pytest.approx(0.1 + np.sqrt(2 / 1000 * 0.9 * np.log(100)))
    with pytest.raises(ValueError, match="baseline"):
        theory.mhn_baseline(1000, 100, 100, 1.0, "gumbel")


@pytest.mark.parametrize("cue", [1.0, 0.5])
def test_simulated_one_winner_mhn_follows_the_theory_within_sampling_error(cue):
    n_v, n_h, s = 300, 20, 30
    model = KWinnerMHN(n_visible=n_v, n_hidden=n_h, n_active=s, fan_in=1.0, k=1, learning_rate=1.0)
    res = retention_overlaps({"mhn": model}, random_pattern_source(n_v, s, 200, 120), [cue], 3, range(200))
    real, pseudo = res["mhn"]["real"][:, 0] / s, res["mhn"]["pseudo"][:, 0] / s
    # baseline: simulated pseudo-memory accuracy against exact order statistics
    se = pseudo.mean(axis=1).std(ddof=1) / np.sqrt(pseudo.shape[0])
    assert abs(pseudo.mean() - theory.mhn_baseline(n_v, n_h, s, cue, "exact")) < 4 * se
    # R.D. by age against (1 - 1/n_h)^(age - 1) (1 - p_b), in blocks of ages
    ages = np.arange(1, 121)
    th = theory.mhn_raw_difference(ages, n_v, n_h, s, cue, "exact")
    d = real - pseudo
    for block in np.array_split(np.arange(120), 6):
        per_run = d[:, block].mean(axis=1)
        se = per_run.std(ddof=1) / np.sqrt(per_run.size)
        assert abs(per_run.mean() - th[block].mean()) < 4 * se, (block[0], per_run.mean(), th[block].mean())
