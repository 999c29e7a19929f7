"""``ca3-completion`` in the rate twin (spiking seeds 0) at half the default size: seconds, not minutes."""

import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError

# Half the default network; rc_probability 0.2 gives each CA3 cell 100 recurrent inputs, 3 of them from a stored code
# of 15 cells, about as many as the default network's (88 inputs, 2.6 active).
SMALL = ["network.n_ec=500", "network.ec_active=50", "network.n_dg=2000", "network.dg_active=60",
         "network.ec_dg_fan_in=0.1", "network.n_ca3=500", "network.ca3_active=15", "network.pp_fan_in=0.2",
         "network.n_ctx=500", "network.ctx_active=50", "network.rc_probability=0.2",
         "n_pairs=15", "runs=4", "seeds=0", "cue_levels=0.2,0.6,1", "morph_levels=0,0.3,0.44,0.6,1"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ca3-completion")
    return experiments.run("ca3-completion", overrides=SMALL, out_dir=out, seed=3, quiet=True), out


def test_recurrents_complete_low_cues_on_the_same_networks(result):
    ds, _ = result
    rate = dict(backend="rate", cue=0.2)
    gain, half = float(ds["completion_gain_mean"].sel(**rate)), float(ds["completion_gain_ci95"].sel(**rate))
    assert gain - half > 0.05  # paired over the same networks: on - off, its whole 95% CI above 0.05
    per_run = ds["rate_completion"].sel(cue=0.2).mean("pair")
    assert np.all(per_run.sel(recurrents="on") > per_run.sel(recurrents="off"))  # in every network
    acc = ds["rate_accuracy"].sel(cue=0.2).mean("pair")
    assert float(acc.sel(recurrents="on").mean()) > float(acc.sel(recurrents="off").mean()) + 0.03
    # the recurrent dynamics run only when the recurrents transmit
    assert float(ds["rate_iterations"].sel(recurrents="on", cue=0.2).mean()) > 1
    assert np.all(ds["rate_iterations"].sel(recurrents="off") <= 1)


def test_full_cues_recall_in_both_conditions(result):
    ds, _ = result
    acc = ds["accuracy_mean"].sel(backend="rate", cue=1.0)
    comp = ds["completion_mean"].sel(backend="rate", cue=1.0)
    chance = ds.attrs["s_ctx"] / ds.attrs["n_ctx"]
    assert np.all(acc > 0.8) and np.all(acc > 5 * chance)
    assert np.all(comp > 0.9)
    assert abs(float(acc.sel(recurrents="on") - acc.sel(recurrents="off"))) < 0.05
    # recall falls as the cue shrinks, with and without the recurrents
    a = ds["accuracy_mean"].sel(backend="rate")
    assert np.all(a.sel(cue=0.2) < a.sel(cue=1.0))


def test_identity_line_points(result):
    ds, _ = result
    x, y = ds["rate_input_correlation"], ds["rate_output_correlation"]
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    assert np.all((x >= -1) & (x <= 1)) and np.all((y >= -1) & (y <= 1))
    s, n = ds.attrs["s_ec"], ds.attrs["n_ec"]
    assert np.all(x.sel(morph=0.0) == 1.0)  # the key itself
    assert np.allclose(x.sel(morph=1.0), -s / (n - s))  # every active cell replaced: no cell shared
    assert np.allclose(x.sel(morph=0.3), (n * 0.7 * s - s * s) / (s * (n - s)))  # 70% of the cells shared
    # completion: at 30% and 60% morphs the CA3 code at recall is closer to the stored one than the cue to its key,
    # more so with the recurrents
    d, half = ds["output_minus_input_mean"].sel(backend="rate"), ds["output_minus_input_ci95"].sel(backend="rate")
    for m in (0.3, 0.6):
        assert np.all((d - half).sel(morph=m) > 0)
    assert float(d.sel(morph=0.6, recurrents="on")) > float(d.sel(morph=0.6, recurrents="off"))


def test_dg_separates_morphs_on_the_same_networks(result):
    ds, _ = result
    x, y = ds["rate_input_correlation"], ds["rate_dg_correlation"]
    s, n = ds.attrs["s_ec"], ds.attrs["n_ec"]
    assert np.allclose(x.sel(morph=0.44), (n * 28 - s * s) / (s * (n - s)))  # 28 of 50 cells shared: input 0.51
    assert np.all(np.isfinite(y)) and np.all((y >= -1) & (y <= 1))
    # below the identity line in every network, at input 0.51 and at the neighbouring levels
    for m in (0.3, 0.44, 0.6):
        assert np.all(y.sel(morph=m).mean("pair") < x.sel(morph=m).mean("pair"))
        d, half = (ds[f"dg_minus_input_{k}"].sel(backend="rate", morph=m) for k in ("mean", "ci95"))
        assert float(d + half) < 0


def test_encoding_mode_at_the_key_itself(result):
    """Morph 0 is the key: fixed EC -> DG weights give it the key's DG code, and the last stored pair, re-encoded
    with the recurrents silent, gets its stored CA3 code back (since its encoding only its own code's cells learned,
    each of them towards the key: their drive rose, the others' did not change)."""
    ds, _ = result
    assert np.all(ds["rate_dg_correlation"].sel(morph=0.0) == 1.0)
    assert np.all(ds["rate_encoding_correlation"].sel(morph=0.0, recurrents="off").isel(pair=-1) == 1.0)


def test_encoding_separates_where_recall_completes(result):
    ds, _ = result
    enc, rec = ds["rate_encoding_correlation"], ds["rate_output_correlation"]
    assert np.all(np.isfinite(enc)) and np.all((enc >= -1) & (enc <= 1))
    for m in (0.3, 0.44):
        # the same morphs, the same trained networks: as a new memory the morph gets a code far from the key's,
        # as a recall cue one close to it, in every network
        e, r = enc.sel(morph=m).mean("pair"), rec.sel(morph=m).mean("pair")
        assert np.all(e < r)
        for cond in ("on", "off"):
            d, half = (ds[f"encoding_minus_input_{k}"].sel(backend="rate", morph=m, recurrents=cond)
                       for k in ("mean", "ci95"))
            assert float(d + half) < 0  # below the identity line
    # the encoding-mode correlation falls with the input correlation
    mean = ds["encoding_correlation_mean"].sel(backend="rate", recurrents="on")
    assert np.all(np.diff(mean.sel(morph=[0.0, 0.3, 0.44, 0.6]).values) < 0)


def test_outputs_report_and_headline(result):
    ds, out = result
    assert "spiking" not in ds.backend.values and "seed" not in ds.dims
    assert ds["rate_accuracy"].dims == ("run", "recurrents", "cue", "pair")
    assert ds["output_correlation_mean"].dims == ("backend", "recurrents", "morph")
    assert list(ds.recurrents.values) == ["on", "off"]
    for name in ("completion_by_cue.png", "separation_completion.png", "summary.md", "result.nc"):
        assert (out / name).exists()
    text = (out / "summary.md").read_text()
    assert "CA3 recurrents at 0.2 cues -- rate: recall" in text and "| rate | 0.6 |" in text
    assert "Morphed keys at input correlation 0.51 (rate twin) -- DG" in text and "## Encoding mode" in text
    assert ds["rate_dg_correlation"].dims == ("run", "morph", "pair")
    assert ds["rate_encoding_correlation"].dims == ("run", "recurrents", "morph", "pair")
    assert ds["encoding_minus_dg_mean"].dims == ("backend", "recurrents", "morph")
    head = experiments.headline(ds)
    assert float(head["completion_gain"].sel(backend="rate", cue=0.2)) == float(
        ds["completion_gain_mean"].sel(backend="rate", cue=0.2))
    assert float(head["dg_minus_input"].sel(backend="rate", morph=0.44)) == float(
        ds["dg_minus_input_mean"].sel(backend="rate", morph=0.44))


def test_identity_side():
    from biokv.experiments.hippocampus.completion_report import identity_side

    assert identity_side(0.2, 0.1) == "above" and identity_side(-0.2, 0.1) == "below"
    assert identity_side(0.05, 0.1) == "on the line" and identity_side(0.05, float("nan")) == "above?"
    assert identity_side(float("nan"), float("nan")) == "undefined"


def test_t_interval():
    from scipy import stats

    from biokv.experiments.hippocampus.completion import t_interval

    x = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]])
    mean, half = t_interval(x)
    assert np.allclose(mean, [3.0, 2.0])
    assert np.isclose(half[0], stats.t.ppf(0.975, 2) * 2.0 / np.sqrt(3)) and half[1] == 0.0
    assert np.isnan(t_interval(x[:1])[1]).all()


@pytest.mark.parametrize("override, message", [
    (["network.with_recurrents=false"], "with_recurrents=False"),
    (["cue_levels=0.2,0.2"], "cue_levels"),
    (["morph_levels=0.5,0.5"], "morph_levels"),
    (["network.n_ec=150", "network.ec_active=100", "morph_levels=0,1"], "n_ec=150 is too small"),
    (["network.ec_active=4", "cue_levels=0.2"], "cue_levels"),
])
def test_bad_configurations_are_refused(override, message):
    with pytest.raises(ConfigError, match=message):
        experiments.resolve_config("ca3-completion", overrides=override)


@pytest.mark.spiking
def test_spiking_part_runs_both_conditions_on_one_network(tmp_path):
    """A tiny spiking network (runtime device): the spiking measures have their shapes and ranges, the input
    correlations are those of the morphs, and the CA3 code counts only cells that fired."""
    tiny = ["network.n_ec=60", "network.ec_active=8", "network.n_dg=120", "network.dg_active=6",
            "network.ec_dg_fan_in=0.3", "network.mf_contacts=3", "network.n_ca3=40", "network.ca3_active=4",
            "network.pp_fan_in=0.3", "network.n_ctx=40", "network.ctx_active=5", "network.ctx_fan_out=0.3",
            "spiking.device=runtime", "spiking.presentation_ms=100", "spiking.dt_ms=0.2", "n_pairs=2",
            "cue_levels=0.5,1", "morph_levels=0,1", "runs=2", "seeds=2"]
    ds = experiments.run("ca3-completion", overrides=tiny, out_dir=tmp_path, seed=1, quiet=True)
    assert list(ds.backend.values) == ["rate", "spiking"] and ds.sizes["seed"] == 2
    assert ds["spiking_accuracy"].dims == ("seed", "recurrents", "cue", "pair")
    for name in ("spiking_accuracy", "spiking_completion"):
        assert np.all((ds[name] >= 0) & (ds[name] <= 1))
    fired = ds["spiking_ca3_fired"].values
    assert np.all((fired >= 0) & (fired <= 40))
    x = ds["spiking_input_correlation"]
    assert np.all(x.sel(morph=0.0) == 1.0) and np.allclose(x.sel(morph=1.0), -8 / 52)
    y = ds["spiking_output_correlation"].values
    assert np.all(np.isnan(y) | ((y >= -1) & (y <= 1)))
    # DG read from the existing slots; the CA3 code at encoding would need other simulations: not measured
    assert ds["spiking_dg_correlation"].dims == ("seed", "morph", "pair")
    g = ds["spiking_dg_correlation"].values
    assert np.all(np.isnan(g) | ((g >= -1) & (g <= 1)))
    assert "spiking_encoding_correlation" not in ds
    assert np.all(np.isnan(ds["encoding_correlation_mean"].sel(backend="spiking")))
    assert np.all(np.isfinite(ds["encoding_correlation_mean"].sel(backend="rate")))
    assert (tmp_path / "separation_completion.png").exists()
