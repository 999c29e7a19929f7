import numpy as np
import pytest
from scipy import stats

from biokv.core.associative.memories import OuterProductMemory
from biokv.core.associative.crosstalk import active_units, random_keys, random_signs, readout_mse_theory
from biokv.core.common.rng import run_generators


def _measured_mse(kind, n, d, normalize=False, runs=30, **kw):
    rngs = run_generators(0, f"test:{kind}", range(runs))
    keys = random_keys(rngs, n, d, kind, **kw)
    values = random_signs(rngs, n, 16)
    memory = OuterProductMemory(d, 16, runs, normalize_keys=normalize).write(keys, values)
    return np.mean((memory.read(keys) - values) ** 2)


@pytest.mark.parametrize("kind, normalize, kw", [("binary", False, {}), ("gaussian", False, {}),
                                                 ("gain", True, {"gain_sd": 0.5}),
                                                 ("rate", False, {"fraction": 0.5}),
                                                 ("rate", False, {"fraction": 0.03})])
def test_readout_noise_matches_its_closed_form(kind, normalize, kw):
    n, d = 64, 128
    theory = readout_mse_theory(n, d, kind, normalized=normalize, **kw)
    assert _measured_mse(kind, n, d, normalize, **kw) == pytest.approx(theory, rel=0.05)


def test_noise_grows_like_sqrt_n_over_d():
    assert readout_mse_theory(65, 256, "binary") == pytest.approx(4 * readout_mse_theory(65, 1024, "binary"))
    ratio = _measured_mse("binary", 257, 128) / _measured_mse("binary", 65, 128)
    assert ratio == pytest.approx(4.0, rel=0.05)


def test_key_kinds():
    rngs = run_generators(1, "keys", range(3))
    rate = random_keys(rngs, 50, 100, "rate", fraction=0.05)
    np.testing.assert_array_equal((rate > 0).sum(-1), active_units(100, 0.05))
    np.testing.assert_allclose(np.linalg.norm(rate, axis=-1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(random_keys(rngs, 5, 64, "binary"), axis=-1), 1.0)
    gains = np.linalg.norm(random_keys(rngs, 20000, 4, "gain", gain_sd=0.5), axis=-1)
    assert np.mean(gains**2) == pytest.approx(1.0, abs=0.05)  # E g^2 = 1
    assert active_units(1000, 1e-5) == 1


def test_rate_key_second_moment_is_hypergeometric():
    d, s = 60, 6
    h = stats.hypergeom(d, s, s)
    direct = sum(h.pmf(o) * (o / s) ** 2 for o in range(s + 1))
    assert readout_mse_theory(2, d, "rate", fraction=s / d) == pytest.approx(direct, rel=1e-12)


def test_random_keys_rejects_bad_input():
    rngs = run_generators(0, "k", range(1))
    with pytest.raises(ValueError, match="kind='sparse' is not allowed"):
        random_keys(rngs, 2, 4, "sparse")
    with pytest.raises(ValueError, match=r"fraction=0 is out of range: must be in \(0, 1\]"):
        random_keys(rngs, 2, 4, "rate", fraction=0)
    with pytest.raises(ValueError, match="gain_sd=-1 is out of range"):
        random_keys(rngs, 2, 4, "gain", gain_sd=-1)
