import math

import numpy as np
import pytest

from biokv.core.stats.forgetting_laws import (LAWS, PARAMS, RSS_FLOOR, exponential_components, fit_law, fit_laws,
                                              law_curve)

T = np.geomspace(1.0, 200.0, 40)
TRUE = {"power": {"a": 0.8, "b": 0.4}, "exponential": {"a": 0.9, "tau": 30.0},
        "two_exponential": {"a1": 0.5, "tau1": 4.0, "a2": 0.3, "tau2": 60.0, "c": 0.05}}
NOISE = 0.005


def noisy(law, seed=0):
    return law_curve(law, TRUE[law], T) + NOISE * np.random.default_rng(seed).normal(size=T.size)


@pytest.fixture(scope="module")
def noisy_fits():
    return {law: fit_laws(T, noisy(law)) for law in LAWS}


def test_law_curve_forms():
    t = np.array([0.5, 1.0, 7.0])
    assert np.allclose(law_curve("power", {"a": 2.0, "b": 0.5}, t), 2.0 / np.sqrt(t))
    assert np.allclose(law_curve("exponential", {"a": 2.0, "tau": 3.0}, t), 2.0 * np.exp(-t / 3.0))
    two = law_curve("two_exponential", {"a1": 1.0, "tau1": 1.0, "a2": 0.5, "tau2": 10.0, "c": -0.1}, t)
    assert np.allclose(two, np.exp(-t) + 0.5 * np.exp(-t / 10.0) - 0.1)
    assert law_curve("exponential", {"a": 1.0, "tau": 2.0, "extra": 9.0}, 2.0) == pytest.approx(math.exp(-1.0))
    with pytest.raises(ValueError, match="lack \\['b'\\]"):
        law_curve("power", {"a": 1.0}, t)
    with pytest.raises(ValueError, match="t must be > 0"):
        law_curve("power", TRUE["power"], [0.0, 1.0])
    with pytest.raises(ValueError, match="law must be one of"):
        law_curve("hyperbolic", {}, t)


@pytest.mark.parametrize("law", LAWS)
def test_noiseless_parameters_are_recovered(law):
    fit = fit_law(T, law_curve(law, TRUE[law], T), law)
    assert fit["law"] == law and fit["n"] == T.size and fit["n_params"] == len(PARAMS[law])
    assert set(fit["params"]) == set(PARAMS[law])
    for name, value in TRUE[law].items():
        assert fit["params"][name] == pytest.approx(value, rel=1e-4)
    assert fit["rss"] < 1e-20 and fit["r2"] == pytest.approx(1.0)
    assert math.isfinite(fit["aic"])


def test_two_exponential_orders_fast_then_slow():
    swapped = {"a1": 0.3, "tau1": 60.0, "a2": 0.5, "tau2": 4.0, "c": 0.05}  # the same curve, slow component first
    fit = fit_law(T, law_curve("two_exponential", swapped, T), "two_exponential")
    assert fit["params"]["tau1"] == pytest.approx(4.0, rel=1e-4) and fit["params"]["tau2"] == pytest.approx(60.0)
    assert fit["params"]["a1"] == pytest.approx(0.5, rel=1e-4)


@pytest.mark.parametrize("law", ["power", "two_exponential"])
def test_aic_selects_the_generating_law(noisy_fits, law):
    fits = noisy_fits[law]
    assert fits["best"] == law
    assert all(d > 10 for other, d in fits["delta_aic"].items() if other != law)


def test_exponential_data_are_not_taken_over_by_the_nested_two_exponential(noisy_fits):
    fits = noisy_fits["exponential"]
    # two_exponential contains the exponential (a2 = c = 0): it fits at least as well but pays 6 in AIC for 3 more
    # parameters, so the exponential is best or close behind
    assert fits["two_exponential"]["rss"] <= fits["exponential"]["rss"] * (1 + 1e-9)
    assert fits["delta_aic"]["exponential"] <= 6
    assert fits["delta_aic"]["power"] > 10
    assert fits["exponential"]["params"]["tau"] == pytest.approx(30.0, rel=0.05)


def test_aic_against_a_hand_computation(noisy_fits):
    fits = noisy_fits["power"]
    y = noisy("power")
    n = T.size
    for law in LAWS:
        f = fits[law]
        resid = law_curve(law, f["params"], T) - y
        rss = float(np.sum(resid**2))
        k = len(PARAMS[law]) + 1  # the law's parameters and the noise variance
        assert f["rss"] == pytest.approx(rss, rel=1e-12)
        assert f["aic"] == pytest.approx(n * math.log(rss / n) + 2 * k, rel=1e-12)
        assert f["aicc"] == pytest.approx(f["aic"] + 2 * k * (k + 1) / (n - k - 1), rel=1e-12)
        assert f["r2"] == pytest.approx(1 - rss / np.sum((y - y.mean()) ** 2), rel=1e-12)
    best_aic = min(fits[law]["aic"] for law in LAWS)
    assert fits["delta_aic"] == {law: fits[law]["aic"] - best_aic for law in LAWS}
    assert fits["delta_aic"][fits["best"]] == 0.0
    # a worked number: exponential, n = 40, RSS = 0.004 -> 40 ln(1e-4) + 2 * (2 + 1)
    assert 40 * math.log(0.004 / 40) + 6 == pytest.approx(-362.41362, abs=1e-5)


def test_perfect_fit_has_a_finite_aic_and_small_samples_an_infinite_aicc():
    t = np.arange(1.0, 5.0)
    fit = fit_law(t, 2.0 * np.exp(-t / 2.0), "exponential")
    if fit["rss"] == 0.0:
        assert fit["aic"] == pytest.approx(t.size * math.log(RSS_FLOOR / t.size) + 6)
    assert math.isfinite(fit["aic"])
    assert fit["aicc"] == math.inf  # n = 4 = K + 1: the correction is undefined


def test_non_finite_recall_is_dropped():
    y = noisy("exponential", seed=3)
    y_missing = y.copy()
    y_missing[[2, 9]] = [np.nan, np.inf]
    keep = np.isfinite(y_missing)
    dropped = fit_law(T, y_missing, "exponential")
    assert dropped["n"] == T.size - 2
    assert dropped == fit_law(T[keep], y[keep], "exponential")


def test_invalid_inputs():
    y = law_curve("power", TRUE["power"], T)
    with pytest.raises(ValueError, match="t \\(ages\\) must be finite and > 0"):
        fit_law(np.r_[0.0, T[1:]], y, "power")
    with pytest.raises(ValueError, match="t \\(ages\\) must be finite and > 0"):
        fit_laws(np.r_[-1.0, T[1:]], y)
    with pytest.raises(ValueError, match="t \\(ages\\) must be finite"):
        fit_law(np.r_[np.nan, T[1:]], y, "power")
    with pytest.raises(ValueError, match="t must be a 1-D array"):
        fit_law(T[:, None], y, "power")
    with pytest.raises(ValueError, match="recall must be a 1-D array"):
        fit_law(T, y[:, None], "power")
    with pytest.raises(ValueError, match="t and recall must have the same length"):
        fit_law(T, y[:-1], "power")
    with pytest.raises(ValueError, match="law 'two_exponential' has 5 parameters and needs at least 7 points"):
        fit_law(T[:6], y[:6], "two_exponential")
    with pytest.raises(ValueError, match="law 'power' .* needs at least 4 points .* got 3"):
        fit_law(T[:5], np.r_[y[:3], np.nan, np.nan], "power")
    with pytest.raises(ValueError, match="law must be one of"):
        fit_law(T, y, "hyperbolic")
    with pytest.raises(ValueError, match="law must be one of"):
        fit_laws(T, y, laws=("power", "hyperbolic"))
    with pytest.raises(ValueError, match="laws must name at least one law"):
        fit_laws(T, y, laws=())


def test_deterministic(noisy_fits):
    y = noisy("two_exponential")
    assert fit_laws(T, y) == noisy_fits["two_exponential"]
    subset = fit_laws(T, y, laws=["exponential", "power"])
    assert subset["exponential"] == noisy_fits["two_exponential"]["exponential"]
    assert set(subset) == {"exponential", "power", "best", "delta_aic"}


def test_exponential_components_drop_a_vanishing_amplitude():
    two = {"a1": 0.5, "tau1": 4.0, "a2": 0.3, "tau2": 60.0}
    assert exponential_components(two) == [(0.5, 4.0), (0.3, 60.0)]
    assert exponential_components({**two, "tau1": 90.0}) == [(0.3, 60.0), (0.5, 90.0)]  # sorted by tau
    # one exponential fitted by the two-exponential law: the other component's tau is not determined
    assert exponential_components({"a1": 1.14, "tau1": 104.0, "a2": 2.4e-19, "tau2": 3.0e4}) == [(1.14, 104.0)]
    assert exponential_components({"a1": 0.0, "tau1": 1.0, "a2": 0.0, "tau2": 2.0}) == []
    # from a fit: data of one exponential plus a constant
    t = np.geomspace(1.0, 200.0, 40)
    fit = fit_law(t, 0.9 * np.exp(-t / 30.0) + 0.05, "two_exponential")
    components = exponential_components(fit["params"])
    assert len(components) == 1 and components[0][1] == pytest.approx(30.0, rel=1e-3)
    with pytest.raises(ValueError, match="min_share must be in"):
        exponential_components(two, min_share=1.0)
