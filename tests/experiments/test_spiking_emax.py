import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError
from biokv.core.common.rng import run_generators
from biokv.core.common.selection import e_max_winners
from biokv.experiments.hippocampus.emax import fit_e_max


def test_fit_is_the_least_squares_e_of_the_grid():
    rng = np.random.default_rng(0)
    drives = 40 * (1 - np.array([0.2, 0.5, 1.0])[:, None] * rng.random((3, 60)))
    counts = np.array([60, 25, 9])
    grid = np.round(np.arange(0, 1.0005, 0.01), 2)
    e, predicted = fit_e_max(drives, counts, grid)
    # a plain loop over the grid and the layers, counting with a comparison written out
    best, best_sse = None, np.inf
    for g in grid:
        got = [sum(d >= (1 - g) * row.max() for d in row) for row in drives]
        sse = sum((c - x) ** 2 for c, x in zip(counts, got))
        if sse < best_sse:
            best, best_sse, best_counts = g, sse, got
    assert e == best
    np.testing.assert_array_equal(predicted, best_counts)
    with pytest.raises(ValueError, match="counts must have the shape of drives without its last axis"):
        fit_e_max(drives, counts[:2], grid)


@pytest.mark.parametrize("override, message", [("spreads=0.3,0.3", "spreads=.* has repeats"),
                                               ("drive_max_mv=20", "drive_max_mv=20.0 is out of range"),
                                               ("p_ei=0", "p_ei=0.0 is out of range")])
def test_invalid_configurations_are_refused(override, message):
    with pytest.raises(ConfigError, match=message):
        experiments.resolve_config("spiking-emax", overrides=[override])


@pytest.mark.spiking
def test_quick_run_gives_e_max_winners(tmp_path):
    from brian2 import get_device, prefs

    device, target = get_device(), prefs.codegen.target
    ds = experiments.run("spiking-emax", quick=True, out_dir=tmp_path, seed=2, quiet=True)
    assert get_device() is device and prefs.codegen.target == target
    cfg = experiments.config_from_json("spiking-emax", ds.attrs["config"])
    n, winners = cfg.n_cells, ds["winners"].values
    assert ds["winners"].dims == ("spread", "run") and winners.shape == (4, 2)
    # fewer winners as the spread grows, by well over 3x; nearly everyone wins when the drives are close
    assert np.all(np.diff(winners, axis=0) < 0) and np.all(winners[0] >= 3 * winners[-1])
    assert np.all(winners[0] >= 0.95 * n)
    # the winners are the most driven cells, and every winner fired in the cycle
    np.testing.assert_array_equal(ds["drive_order"].values, 1.0)
    assert np.all(ds["fired"].values >= winners)
    assert np.all(ds["inhibition_ms"] > ds["first_spike_ms"])
    # the E%-max prediction recomputed from the run's own drives
    e = float(ds["e_fit"])
    assert 0.05 <= e <= 0.3
    uniform = np.stack([g.random(n) for g in run_generators(2, "drive", range(cfg.runs))])
    drives = cfg.drive_max_mv * (1 - np.asarray(cfg.spreads)[:, None, None] * uniform[None])
    np.testing.assert_array_equal(ds["e_max_prediction"].values, e_max_winners(drives, e).sum(-1))
    pred = ds["e_max_prediction"].values
    assert np.all((abs(winners - pred) <= 0.3 * pred) | (abs(winners - pred) <= 15)), (winners, pred)
    for name in ("winners_vs_spread.png", "spiking_vs_emax.png", "summary.md", "result.nc"):
        assert (tmp_path / name).exists()
    assert f"E = {e:.3f}" in (tmp_path / "summary.md").read_text()
    head = experiments.headline(ds)
    assert float(head["max_abs_deviation"]) == abs(winners - pred).max()
