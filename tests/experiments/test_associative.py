import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError
from biokv.io.results import read_dataset


def test_crosstalk_runs_and_fits_the_square_root_law(tmp_path):
    over = ["dims=64,128,256", "n_pairs=1,16,64,256", "n_runs=3", "value_dim=32", "reference_dim=128"]
    ds = experiments.run("crosstalk", overrides=over, out_dir=tmp_path, quiet=True, seed=2)
    for name in ("result.nc", "crosstalk_scaling.png", "crosstalk_mitigations.png", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0
    assert ds["noise_rms"].dims == ("condition", "dim", "n_pairs", "run")
    binary = ds.sel(condition="binary")
    assert float(binary.exponent_n) == pytest.approx(0.5, abs=0.03)
    assert float(binary.exponent_d) == pytest.approx(-0.5, abs=0.03)
    assert np.all(binary["noise_rms"].sel(n_pairs=1) < 1e-12)  # a single pair is recalled exactly
    ref = ds.sel(dim=128, n_pairs=64)["noise_rms"].mean("run")
    # the mitigations: normalisation removes the gain floor; sparse rate keys are far better than dense ones
    assert float(ref.sel(condition="gain-normalized")) < 0.5 * float(ref.sel(condition="gain"))
    assert float(ref.sel(condition="rate-sparse")) < 0.5 * float(ref.sel(condition="rate-dense"))
    assert float(ds.exponent_d.sel(condition="rate-dense")) > -0.1  # dense rate keys: more d does not help
    # the sign readout is far more accurate than the linear one below N/d ~ 1
    low = binary.sel(dim=256, n_pairs=16)
    assert float(low["sign_rms"].mean()) < 0.3 * float(low["noise_rms"].mean())
    assert "| binary |" in (tmp_path / "summary.md").read_text()
    headline = experiments.headline(read_dataset(tmp_path / "result.nc"))
    assert list(headline.data_vars)[0] == "exponent_n"


def test_hopfield_capacity_runs(tmp_path):
    ds = experiments.run("hopfield-capacity", overrides=["dims=32,64,128", "n_runs=6"], out_dir=tmp_path,
                         quiet=True)
    assert (tmp_path / "hopfield_capacity.png").exists()
    assert ds["n_max"].dims == ("network", "dim", "run")
    means = ds["n_max"].mean("run")
    assert np.all(means.diff("dim") > 0)
    assert np.all(np.abs(means / ds["predicted_median"] - 1) < 0.35)
    assert 0.25 < float(ds.fitted_constant.sel(network="hetero")) < 0.6


def test_modern_hopfield_capacity_runs(tmp_path):
    ds = experiments.run("modern-hopfield-capacity", overrides=["dims=8,10,12,14", "n_runs=6", "betas=1.0",
                                                                "fit_min_dim=8"], out_dir=tmp_path, quiet=True)
    assert (tmp_path / "modern_hopfield_capacity.png").exists()
    assert np.all(ds["n_max"].median("run") > ds["n_max_hetero"].median("run"))
    assert 0.15 < float(ds.rate.sel(beta=1.0)) < 0.6
    assert "fitted alpha" in (tmp_path / "summary.md").read_text()


@pytest.mark.parametrize("name, assignment, message", [
    ("crosstalk", "reference_dim=100", "reference_dim=100 must be one of dims"),
    ("crosstalk", "dims=64,32", "must be distinct and increasing"),
    ("crosstalk", "conditions=binary,sparse", "conditions=.* is not allowed"),
    ("crosstalk", "fit_min_pairs=2000", "leaves fewer than two"),
    ("hopfield-capacity", "networks=modern", "networks=.* is not allowed"),
    ("modern-hopfield-capacity", "betas=0", "betas=.* is out of range"),
])
def test_configuration_errors(name, assignment, message):
    with pytest.raises(ConfigError, match=message):
        experiments.resolve_config(name, overrides=[assignment])
