import numpy as np
import pytest
from scipy import stats

from biokv.core.stats import metrics


def test_dprime_and_raw_difference_against_a_loop():
    rng = np.random.default_rng(0)
    real = rng.integers(0, 101, size=(4, 20, 30))  # sample, run, age
    pseudo = rng.integers(0, 101, size=(4, 20, 30))
    dp = metrics.sample_dprime(real, pseudo, 100, run_axis=1)
    rd = metrics.sample_raw_difference(real, pseudo, 100, run_axis=1)
    for s in range(4):
        for a in range(30):
            d = [(real[s, r, a] - pseudo[s, r, a]) / 100 for r in range(20)]
            mean = sum(d) / 20
            std = (sum((x - mean) ** 2 for x in d) / 20) ** 0.5  # population std
            assert rd[s, a] == pytest.approx(mean)
            assert dp[s, a] == pytest.approx(mean / std)


def test_dprime_is_nan_when_runs_agree():
    real = np.full((1, 5, 1), 100)
    pseudo = np.full((1, 5, 1), 20)
    assert np.isnan(metrics.sample_dprime(real, pseudo, 100, run_axis=1)[0, 0])


def test_mean_and_sem():
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    m, sem = metrics.mean_and_sem(x, axis=0)
    np.testing.assert_allclose(m, [3.0, 6.0])
    np.testing.assert_allclose(sem, [2.0 / np.sqrt(3), 4.0 / np.sqrt(3)])


def test_paired_greater_against_the_t_formula():
    rng = np.random.default_rng(1)
    a = rng.normal(1.0, 1.0, size=(10, 3))
    b = a - rng.normal(0.5, 0.3, size=(10, 3))
    p = metrics.paired_greater(a, b, axis=0)
    d = a - b
    t = d.mean(0) / (d.std(0, ddof=1) / np.sqrt(10))
    np.testing.assert_allclose(p, stats.t.sf(t, df=9))
    assert np.all(metrics.paired_greater(b, a, axis=0) > 0.5)


def test_exponential_fit_recovers_parameters_and_skips_non_positive_points():
    ages = np.arange(1, 201)
    values = 0.8 * np.exp(-0.01 * ages)
    fit = metrics.exponential_fit(ages, values)
    assert fit["C"] == pytest.approx(0.8) and fit["a"] == pytest.approx(0.01)
    values[[5, 50]] = [0.0, -0.1]
    fit = metrics.exponential_fit(ages, values)
    assert fit["n_excluded"] == 2 and fit["a"] == pytest.approx(0.01)


def test_linear_regression_against_scipy():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 30)
    y = 2.0 - 0.7 * x + rng.standard_normal(30)
    beta, se = metrics.linear_regression(np.column_stack([np.ones_like(x), x]), y)
    ref = stats.linregress(x, y)
    np.testing.assert_allclose(beta, [ref.intercept, ref.slope], rtol=1e-10)
    np.testing.assert_allclose(se, [ref.intercept_stderr, ref.stderr], rtol=1e-10)
    with pytest.raises(ValueError, match="design must have shape"):
        metrics.linear_regression(x, y)
