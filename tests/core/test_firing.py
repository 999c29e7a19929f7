import math

import numpy as np
import pytest
from scipy import stats

from biokv.core.stats.firing import rate_statistics

KEYS = {"n_cells", "mean_hz", "median_hz", "silent_fraction", "n_active", "lognormal_mu", "lognormal_sigma",
        "lognormal_ks", "skewness"}


def loop_statistics(counts, duration):
    """The same statistics by plain Python loops (and one scipy call for the log-normal CDF)."""
    rates = [c / duration for c in counts]
    n = len(rates)
    mean = sum(rates) / n
    ordered = sorted(rates)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    active = sorted(r for r in rates if r > 0)
    logs = [math.log(r) for r in active]
    mu = sum(logs) / len(logs)
    sigma = math.sqrt(sum((v - mu) ** 2 for v in logs) / len(logs))
    cdf = stats.lognorm(s=sigma, scale=math.exp(mu)).cdf
    m = len(active)
    ks = max(max((i + 1) / m - cdf(r), cdf(r) - i / m) for i, r in enumerate(active))
    m2 = sum((r - mean) ** 2 for r in rates) / n
    m3 = sum((r - mean) ** 3 for r in rates) / n
    return {"n_cells": n, "mean_hz": mean, "median_hz": median, "silent_fraction": rates.count(0.0) / n,
            "n_active": m, "lognormal_mu": mu, "lognormal_sigma": sigma, "lognormal_ks": ks,
            "skewness": m3 / m2**1.5}


def test_against_a_loop_and_a_hand_computation():
    counts = [0, 0, 2, 4, 8, 3, 0, 1]
    r = rate_statistics(np.array(counts), 2.0)
    assert set(r) == KEYS
    expected = loop_statistics(counts, 2.0)
    for key, value in expected.items():
        assert r[key] == pytest.approx(value, rel=1e-12), key
    # by hand: rates 0, 0, 1, 2, 4, 1.5, 0, 0.5 Hz
    assert r["n_cells"] == 8 and r["n_active"] == 5 and r["silent_fraction"] == 3 / 8
    assert r["mean_hz"] == pytest.approx(9 / 8) and r["median_hz"] == pytest.approx(0.75)
    assert r["lognormal_mu"] == pytest.approx(math.log(1 * 2 * 4 * 1.5 * 0.5) / 5)
    assert isinstance(r["n_cells"], int) and isinstance(r["n_active"], int)


def test_log_normal_rates_are_recognised_and_other_shapes_are_not():
    rng = np.random.default_rng(0)
    duration = 1000.0
    rates = rng.lognormal(mean=-0.5, sigma=0.8, size=5000)
    r = rate_statistics(np.round(rates * duration), duration)
    assert r["lognormal_mu"] == pytest.approx(-0.5, abs=0.03)
    assert r["lognormal_sigma"] == pytest.approx(0.8, rel=0.03)
    assert r["lognormal_ks"] < 0.02
    assert r["skewness"] > 2  # log-normal: strongly right-skewed
    uniform = rate_statistics(np.round(rng.uniform(0.1, 5.0, 5000) * duration), duration)
    bimodal_rates = np.r_[rng.normal(0.5, 0.05, 2500), rng.normal(5.0, 0.5, 2500)]
    bimodal = rate_statistics(np.round(bimodal_rates * duration), duration)
    assert uniform["lognormal_ks"] > 0.07 and bimodal["lognormal_ks"] > 0.15
    assert uniform["lognormal_ks"] > 3 * r["lognormal_ks"] and bimodal["lognormal_ks"] > 3 * r["lognormal_ks"]


def test_silent_cells():
    counts = np.r_[np.zeros(90), np.arange(1, 11)]
    r = rate_statistics(counts, 10.0)
    assert r["silent_fraction"] == 0.9 and r["n_active"] == 10 and r["median_hz"] == 0.0
    assert r["lognormal_mu"] == pytest.approx(np.mean(np.log(np.arange(1, 11) / 10.0)))
    everyone_silent = rate_statistics(np.zeros(5), 1.0)
    assert everyone_silent["silent_fraction"] == 1.0 and everyone_silent["mean_hz"] == 0.0


def test_nan_cases():
    one_active = rate_statistics(np.array([0, 0, 3]), 1.0)
    assert one_active["n_active"] == 1
    assert all(np.isnan(one_active[k]) for k in ("lognormal_mu", "lognormal_sigma", "lognormal_ks"))
    assert np.isfinite(one_active["skewness"])
    silent = rate_statistics(np.zeros(4), 1.0)
    assert all(np.isnan(silent[k]) for k in ("lognormal_mu", "lognormal_sigma", "lognormal_ks", "skewness"))
    equal = rate_statistics(np.array([3, 3, 3]), 0.7)  # sigma 0: no KS distance; all rates equal: no skewness
    assert equal["lognormal_sigma"] == 0.0 and equal["lognormal_mu"] == pytest.approx(math.log(3 / 0.7))
    assert np.isnan(equal["lognormal_ks"]) and np.isnan(equal["skewness"])
    equal_active = rate_statistics(np.array([0, 2, 2]), 1.0)
    assert equal_active["lognormal_sigma"] == 0.0 and np.isnan(equal_active["lognormal_ks"])


def test_invalid_inputs():
    cases = [(np.array([-1, 2]), "counts must be >= 0"), (np.array([1.0, np.nan]), "counts must be finite"),
             (np.array([1.0, np.inf]), "counts must be finite"), (np.ones((2, 2)), "counts must be .*1-D"),
             (np.array([]), "counts must be a non-empty")]
    for counts, message in cases:
        with pytest.raises(ValueError, match=message):
            rate_statistics(counts, 1.0)
    for duration in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="duration must be > 0"):
            rate_statistics(np.array([1, 2]), duration)


def test_deterministic():
    counts = np.random.default_rng(1).poisson(3.0, 200)
    assert rate_statistics(counts, 5.0) == rate_statistics(counts.copy(), 5.0)
