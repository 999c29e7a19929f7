import numpy as np
import pytest
from scipy import stats

from biokv.core.firing import rate_statistics


def test_against_a_hand_computation():
    counts = np.array([0, 0, 2, 4, 8])
    r = rate_statistics(counts, 2.0)
    rates = counts / 2.0
    assert r["mean_hz"] == pytest.approx(rates.mean()) and r["median_hz"] == 1.0
    assert r["silent_fraction"] == 0.4 and r["n_active"] == 3
    logs = np.log([1.0, 2.0, 4.0])
    assert r["lognormal_mu"] == pytest.approx(logs.mean()) and r["lognormal_sigma"] == pytest.approx(logs.std())


def test_log_normal_rates_are_recognised():
    rng = np.random.default_rng(0)
    rates = rng.lognormal(0.5, 0.8, size=5000)
    r = rate_statistics(np.round(rates * 1000), 1000.0)
    assert r["lognormal_mu"] == pytest.approx(0.5, abs=0.05) and r["lognormal_sigma"] == pytest.approx(0.8, rel=0.05)
    uniform = rate_statistics(np.round(rng.uniform(0.1, 5, 5000) * 1000), 1000.0)
    assert r["lognormal_ks"] < 0.03 < uniform["lognormal_ks"]
    assert r["skewness"] == pytest.approx(stats.skew(np.round(rates * 1000) / 1000), rel=1e-9)


def test_degenerate_and_invalid_inputs():
    r = rate_statistics(np.array([0, 0, 3]), 1.0)
    assert np.isnan(r["lognormal_mu"]) and np.isnan(r["lognormal_ks"])
    assert np.isnan(rate_statistics(np.array([2, 2, 2]), 1.0)["lognormal_ks"])
    with pytest.raises(ValueError, match="counts must be"):
        rate_statistics(np.array([-1, 2]), 1.0)
    with pytest.raises(ValueError, match="duration must be > 0"):
        rate_statistics(np.array([1, 2]), 0.0)
