import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError
from biokv.core.transformer.structure import diagonal_statistics, similarity_matrices, value_case_fraction
from biokv.experiments.transformer.case_sequence import first_crossing, running_mean
from biokv.io.results import read_dataset

TINY = ["n_trials=2", "n_iterations=60", "final_window=20", "smooth_window=10", "batch_size=16", "k_dim=12"]


@pytest.mark.slow  # about 20 s on 2 cores, most of it drawing and saving the figures
def test_case_sequence_runs_end_to_end(tmp_path):
    ds = experiments.run("case-sequence", overrides=TINY + ["figure_trial=1"], out_dir=tmp_path, quiet=True, seed=3)
    for name in ("result.nc", "summary.md", "fig7a_final_accuracy.png", "fig7b_accuracy_curves.png",
                 "figS11_loss.png", "figS9_S10_weights.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert not (tmp_path / "result.partial.nc").exists()
    assert list(ds.model.values) == ["baseline", "fixed", "mhn", "qk", "fixed-proj", "mhn-proj", "qk-proj"]
    assert ds["accuracy"].dims == ("model", "trial", "iteration") and ds.sizes["iteration"] == 60
    assert ds["W_Q"].dims == ("model", "trial", "key", "token") and ds.sizes["token"] == 12
    assert ds["similarity_table"].dims == ("model", "similarity", "statistic")
    assert np.all((ds["accuracy"] >= 0) & (ds["accuracy"] <= 1))
    np.testing.assert_allclose(ds["final_accuracy"], ds["accuracy"].isel(iteration=slice(-20, None)).mean("iteration"),
                               rtol=1e-6)
    assert np.all(np.isnan(ds["stored_fraction"].sel(model="baseline")))
    assert float(ds["stored_fraction"].sel(model="qk-proj").isel(iteration=0).min()) > 0.9  # projections work
    assert int(ds["tf_dim"].sel(model="fixed")) == 10 and int(ds["tf_dim"].sel(model="qk")) == 16
    text = (tmp_path / "summary.md").read_text()
    for s in ("| QK + proj. |", "Table S1", "Table S3", "claims, checked"):
        assert s in text
    head = experiments.headline(read_dataset(tmp_path / "result.nc"))
    assert list(head.data_vars)[0] == "final_accuracy_mean"
    assert head["final_accuracy_mean"].dims == ("model",)


def test_same_seed_same_result_and_models_are_independent_of_each_other():
    cfg = experiments.resolve_config("case-sequence", overrides=TINY + ["models=qk,baseline"])
    a = experiments.compute("case-sequence", cfg, seed=5, quiet=True)
    b = experiments.compute("case-sequence", cfg, seed=5, quiet=True)
    np.testing.assert_array_equal(a["accuracy"], b["accuracy"])
    np.testing.assert_array_equal(a["W_K"], b["W_K"])
    alone = experiments.compute("case-sequence", experiments.resolve_config(
        "case-sequence", overrides=TINY + ["models=baseline"]), seed=5, quiet=True)
    np.testing.assert_array_equal(alone["loss"].sel(model="baseline"), a["loss"].sel(model="baseline"))


def test_fixed_key_models_keep_their_keys():
    cfg = experiments.resolve_config("case-sequence", overrides=TINY + ["models=fixed,baseline-beta1"])
    ds = experiments.compute("case-sequence", cfg, seed=1, quiet=True)
    from biokv.experiments.transformer.case_sequence import build_model

    np.testing.assert_array_equal(ds["W_K"].sel(model="fixed"), build_model(cfg, "fixed", 1).W_K)
    assert not np.array_equal(ds["W_Q"].sel(model="fixed"), build_model(cfg, "fixed", 1).W_Q)
    assert build_model(cfg, "baseline-beta1", 1).beta == 1.0


def test_analysis_helpers():
    L, k = 3, 5
    rng = np.random.default_rng(0)
    W_Q, W_K = rng.standard_normal((k, 3 * L)), rng.standard_normal((k, 3 * L))
    C = similarity_matrices(W_Q, W_K, L)
    assert C.shape == (3, L, L)
    assert C[0, 1, 2] == pytest.approx(W_K[:, L + 1] @ W_K[:, 2])          # upper B . lower c
    assert C[1, 2, 0] == pytest.approx(W_Q[:, 2 * L + 2] @ W_K[:, 0])      # query C/c . lower a
    assert C[2, 0, 1] == pytest.approx(W_Q[:, 2 * L] @ W_K[:, L + 1])      # query A/a . upper B
    M = np.array([[1.0, -1.0, 0.0], [2.0, 3.0, 0.5], [-2.0, 1.0, 5.0]])
    np.testing.assert_allclose(diagonal_statistics(M), [3.0, 4.0, 0.0833333333, 4.0])
    np.testing.assert_allclose(running_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2), [1.0, 2.0, 4.0, 6.0])
    assert first_crossing(np.array([0.1, 0.96, 0.5, 0.97]), 0.95) == 2.0
    assert np.isnan(first_crossing(np.array([0.1, 0.2]), 0.95))
    W_V = np.array([[1.0, 1.0, 0.0, 0.0, 9.0, 9.0], [0.0, 0.0, 1.0, -1.0, 0.0, 0.0]])  # L = 2: a, b, A, B, ...
    assert value_case_fraction(W_V, 2) == 0.75


@pytest.mark.parametrize("assignment, message", [
    ("final_window=6000", "final_window=6000 is out of range: must be <= n_iterations=5000"),
    ("figure_trial=10", "figure_trial=10 is out of range: must be < n_trials=10"),
    ("models=qk,qk", "must be one or more distinct models"),
    ("models=qk,transformer", "models=.* is not allowed"),
    ("qk.tf_dim_projections=7", r"qk.tf_dim_projections=7 is too small for model 'qk-proj'"),
    ("n_letters=1", "n_letters=1 is out of range"),
    ("threshold=1.5", "threshold=1.5 is out of range"),
])
def test_configuration_errors(assignment, message):
    with pytest.raises(ConfigError, match=message):
        experiments.resolve_config("case-sequence", overrides=[assignment])


def test_a_small_mhn_size_is_fine_without_projections():
    cfg = experiments.resolve_config("case-sequence", overrides=["qk.tf_dim=3", "models=qk"])
    assert cfg.qk.tf_dim == 3
