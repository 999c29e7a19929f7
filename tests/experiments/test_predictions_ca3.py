"""Predictions on CA3's recurrent collaterals and gating (rate twin only, the default network, a few runs):
recurrent-collateral lesion, cholinergic blockade, mossy-fibre / perforant-path double dissociation."""

import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError

RATE = ["rate_runs=5", "spiking_seeds=0"]


def _run(name, over, tmp_path=None):
    if tmp_path is None:
        return experiments.run(name, overrides=RATE + over, write=False, seed=0, quiet=True)
    return experiments.run(name, overrides=RATE + over, out_dir=tmp_path, seed=0, quiet=True)


def _effect(ds, measure):
    return ds.sel(backend="rate", measure=measure)


def test_rc_lesion_spares_full_cues_and_impairs_partial_cues(tmp_path):
    ds = _run("predict-rc-lesion", ["n_pairs=40"], tmp_path)
    assert list(ds.backend.values) == ["rate"]
    full, part = _effect(ds, "recall from full cues"), _effect(ds, "recall from partial cues")
    # measured (seed 0): full cues 0.872 -> 0.873, effect +0.0015 [-0.0010, +0.0040]
    assert abs(float(full["effect"])) < 0.02
    # measured: partial cues (25% of the key) 0.774 -> 0.753, effect -0.021 [-0.037, -0.005]
    assert float(part["effect_ci_high"]) < 0
    # without the recurrents the CA3 code is not completed: measured 0.591 -> 0.525, -0.066 [-0.072, -0.060]
    code = _effect(ds, "CA3 code recovered from partial cues")
    assert float(code["effect_ci_high"]) < 0
    # a full cue already drives the stored code: recovery stays near 0.9 in both conditions
    assert float(_effect(ds, "CA3 code recovered from full cues")["intervention_mean"]) > 0.8
    assert "effect [95% CI]" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "effects.png").exists()


def test_rc_lesion_partial_cues_equal_full_cues_at_cue_fraction_one():
    ds = _run("predict-rc-lesion", ["n_pairs=6", "cue_fraction=1.0"])
    for cond in ("control_rate", "intervention_rate"):
        x = ds[cond]
        np.testing.assert_array_equal(x.sel(measure="recall from full cues"), x.sel(measure="recall from partial cues"))
        np.testing.assert_array_equal(x.sel(measure="CA3 code recovered from full cues"),
                                      x.sel(measure="CA3 code recovered from partial cues"))


def test_cholinergic_blockade_changes_new_codes_and_measures_interference():
    ds = _run("predict-cholinergic-blockade", ["n_old=20", "n_new=20"])
    agreement = ds["encoding_agreement_rate"].values
    # the blockade changes the new memories' CA3 codes, but the mossy fibres still set most of each code
    # (measured 0.85-0.87 per seed)
    assert np.all(agreement < 1) and np.all(agreement > 0.5)
    # measured, not asserted: in the default network the mossy fibres dominate CA3 at encoding and the blockade
    # leaves the overlap of new with old codes unchanged (0.024 -> 0.022 beyond chance, -0.0014 [-0.0029,
    # +0.0001]) and recall of new (0.930 -> 0.932) and old memories (0.790 -> 0.794) unchanged; intrusions
    # 0.122 -> 0.177, +0.055 [+0.003, +0.108]
    assert np.isfinite(ds["effect"]).all()


def test_blockade_at_the_normal_level_is_the_control():
    ds = _run("predict-cholinergic-blockade", ["n_old=8", "n_new=6", "blockade_level=1.0"])
    np.testing.assert_array_equal(ds["control_rate"], ds["intervention_rate"])
    assert np.all(ds["encoding_agreement_rate"] == 1.0)


def test_new_keys_equal_to_old_keys_share_their_codes_and_values():
    same = _run("predict-cholinergic-blockade", ["n_old=20", "n_new=20", "key_overlap=1.0"])
    # the same key gives the same DG code and mossy-fibre input: measured 0.969 beyond chance
    partner = _effect(same, "CA3 overlap of new codes with their partner's (beyond chance)")
    assert float(partner["control_mean"]) > 0.8
    # both values are stored on the same CA3 code: the wrong cells recalled come from the partner's value
    # (measured 0.868 beyond chance)
    assert float(_effect(same, "intrusion of the partner's value (beyond chance)")["control_mean"]) > 0.5


def test_gating_double_dissociation_by_hypothesis(tmp_path):
    ds = _run("predict-gating", ["n_pairs=20"], tmp_path)
    tr, ach = "Treves-Rolls", "acetylcholine alone"
    # mossy fibres silent at recall: blocking them there changes nothing, bit for bit
    np.testing.assert_array_equal(ds["control_rate"].sel(measure=f"{tr}: mf blocked at retrieval"),
                                  ds["intervention_rate"].sel(measure=f"{tr}: mf blocked at retrieval"))
    # without the perforant path CA3 gets no input at recall (measured 0.943 -> 0.170) ...
    assert float(_effect(ds, f"{tr}: pp blocked at retrieval")["effect"]) < -0.5
    # ... unless the mossy fibres retrieve (measured 0.947 -> 0.935, -0.011 [-0.016, -0.007])
    assert abs(float(_effect(ds, f"{ach}: pp blocked at retrieval")["effect"])) < 0.1
    for hyp in (tr, ach):  # codes set by the perforant path alone are not the ones recalled (measured -0.72, -0.78)
        assert float(_effect(ds, f"{hyp}: mf blocked at encoding")["effect_ci_high"]) < -0.1
    assert bool(ds["reproduces_dissociation"].sel(backend="rate", hypothesis=tr))
    assert not bool(ds["reproduces_dissociation"].sel(backend="rate", hypothesis=ach))
    # stage difference = difference of the two blocks' effects (the same control)
    for hyp in (tr, ach):
        mf = ds["stage_difference"].sel(backend="rate", hypothesis=hyp, pathway="mf")
        expected = (_effect(ds, f"{hyp}: mf blocked at encoding")["effect"]
                    - _effect(ds, f"{hyp}: mf blocked at retrieval")["effect"])
        np.testing.assert_allclose(float(mf), float(expected))
    text = (tmp_path / "summary.md").read_text()
    assert f"rate: {tr} (reproduces the dissociation)" in text
    assert f"rate: {ach} (does not reproduce the dissociation)" in text
    assert text.count("effect [95% CI]") == 1
    assert (tmp_path / "dissociation.png").exists() and (tmp_path / "effects.png").exists()


def test_configuration_errors():
    with pytest.raises(ConfigError, match="n_new=30 is out of range"):
        experiments.resolve_config("predict-cholinergic-blockade", overrides=["n_old=20", "n_new=30"])
    with pytest.raises(ConfigError, match="network.with_dg=false"):
        experiments.resolve_config("predict-gating", overrides=["network.with_dg=false"])
    with pytest.raises(ConfigError, match="network.with_recurrents=false"):
        experiments.resolve_config("predict-rc-lesion", overrides=["network.with_recurrents=false"])
    with pytest.raises(ConfigError, match="cue_fraction=0.005 is out of range"):
        experiments.resolve_config("predict-rc-lesion", overrides=["cue_fraction=0.005"])
    for name, over in (("predict-rc-lesion", "n_pairs=71"), ("predict-cholinergic-blockade", "n_old=70"),
                       ("predict-gating", "n_pairs=106")):  # 3, 2 (old + new) and 2 presentations per memory
        with pytest.raises(ConfigError, match="spiking_slots=210 is out of range"):
            experiments.resolve_config(name, overrides=[over])
        experiments.resolve_config(name, overrides=[over, "spiking_seeds=0"])  # the rate twin has no slots
