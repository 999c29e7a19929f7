import math

import numpy as np
import pytest

from biokv.core.forgetting_laws import LAWS, fit_law, fit_laws, law_curve

T = np.arange(1, 201, dtype=float)
TRUE = {"power": {"a": 0.8, "b": 0.4}, "exponential": {"a": 0.9, "tau": 30.0},
        "two_exponential": {"a1": 0.5, "tau1": 4.0, "a2": 0.3, "tau2": 60.0, "c": 0.05}}


@pytest.mark.parametrize("law", LAWS)
def test_noiseless_parameters_are_recovered(law):
    fit = fit_law(T, law_curve(law, TRUE[law], T), law)
    for name, value in TRUE[law].items():
        assert fit["params"][name] == pytest.approx(value, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("law", ["power", "two_exponential"])
def test_aic_picks_the_generating_law_under_noise(law):
    rng = np.random.default_rng(0)
    y = law_curve(law, TRUE[law], T) + 0.01 * rng.normal(size=T.size)
    fits = fit_laws(T, y)
    assert fits["best"] == law and all(d > 10 for k, d in fits["delta_aic"].items() if k != law)


def test_aic_formula_and_nesting():
    rng = np.random.default_rng(1)
    y = law_curve("exponential", TRUE["exponential"], T) + 0.01 * rng.normal(size=T.size)
    fits = fit_laws(T, y)
    f = fits["exponential"]
    resid = law_curve("exponential", f["params"], T) - y
    assert f["rss"] == pytest.approx(np.sum(resid**2))
    assert f["aic"] == pytest.approx(T.size * math.log(f["rss"] / T.size) + 2 * 3)
    assert fits["delta_aic"]["exponential"] <= 6  # two_exponential nests it: at most its parameter penalty ahead


def test_invalid_inputs_and_determinism():
    with pytest.raises(ValueError, match="t \\(ages\\) must be finite and > 0"):
        fit_law(np.r_[0.0, T[:5]], np.ones(6), "power")
    with pytest.raises(ValueError, match="needs at least 7 points"):
        fit_law(T[:4], np.ones(4), "two_exponential")
    with pytest.raises(ValueError, match="law must be one of"):
        fit_law(T, T, "hyperbola")
    y = law_curve("power", TRUE["power"], T)
    assert fit_laws(T, y) == fit_laws(T, y)
