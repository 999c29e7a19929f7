import numpy as np
import pytest
import xarray as xr

from biokv import experiments
from biokv.config import ConfigError
from biokv.data.datasets import DATASETS
from biokv.experiments.kv.config import DATASET_NAMES
from biokv.io.results import read_dataset
from tests.test_datasets import _write_idx_folder

NAME = "forgetting-reactivation"
TINY = ["n_runs=2", "task1_epochs=2", "task2_epochs=2", "beta_points=7", "n_hidden=16"]  # beta 0, 0.5, ..., 3


def _same_data(a: xr.Dataset, b: xr.Dataset):
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())


def test_tiny_run_writes_result_figures_and_summary(tmp_path):
    ds = experiments.run(NAME, overrides=TINY, seed=3, out_dir=tmp_path, quiet=True)
    for name in ("result.nc", "accuracy_by_epoch.png", "accuracy_by_beta.png", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0
    saved = read_dataset(tmp_path / "result.nc")
    _same_data(ds, saved)
    assert saved["accuracy"].dims == ("run", "epoch", "task_name")
    assert list(saved.epoch.values) == [0, 1, 2, 3, 4]
    assert list(saved.trained_on.values) == ["none", "task1", "task1", "task2", "task2"]
    assert list(saved.dataset.values) == ["digits", "digits"] and list(saved.n_test.values) == [108, 108]
    assert saved.attrs["records"] == "examples" and saved.attrs["records_per_run"] == 2 * 252 + 2 * 252
    for var in saved.data_vars:
        assert saved[var].attrs["description"]
    assert "task" not in saved.variables  # a sweep adds its own variable "task"
    redrawn = experiments.write_outputs(saved, tmp_path / "redraw")  # figures and summary from the file alone
    assert sorted(p.name for p in redrawn) == ["accuracy_by_beta.png", "accuracy_by_epoch.png", "summary.md"]
    # the dual form reproduces the trained network; beta = 1 is the trained network
    assert (saved["dual_form_max_error"] < 1e-12 * saved["dual_form_max_output"]).all()
    final = saved["accuracy"].isel(epoch=-1)
    np.testing.assert_array_equal(saved["beta_accuracy"].sel(beta=1.0), final)
    summary = (tmp_path / "summary.md").read_text()
    assert "| task1_after_task2 |" in summary and summary.rstrip().endswith("`")
    head = experiments.headline(saved)
    assert list(head.data_vars)[0] == "task1_after_task2"
    assert float(head["task1_after_task2"]) == pytest.approx(float(final.sel(task_name="task1").mean()))


def test_default_configuration_forgets_task1_and_beta_brings_it_back():
    ds = experiments.run(NAME, seed=0, write=False, quiet=True)
    h = experiments.headline(ds)
    assert float(h["task1_after_task1"]) > 0.95
    assert float(h["task1_after_task2"]) < 0.6
    assert float(h["task2_after_task2"]) > 0.85
    assert float(h["best_beta"]) > 1.0 and float(h["task1_at_best_beta"]) > 0.95
    assert float(h["dual_form_max_error"]) < 1e-12
    # beta = 0 removes Task 1's pairs: the network knows no more of Task 1 than a chance within-task readout
    assert float(ds["beta_accuracy_within_task"].sel(beta=0.0, task_name="task1").mean()) < 0.75


def test_same_seed_gives_identical_results_and_runs_differ(tmp_path):
    a = experiments.run(NAME, overrides=TINY, seed=5, write=False, quiet=True)
    b = experiments.run(NAME, overrides=TINY, seed=5, write=False, quiet=True)
    c = experiments.run(NAME, overrides=TINY, seed=6, write=False, quiet=True)
    _same_data(a, b)
    assert not np.array_equal(a["test_loss"].values, c["test_loss"].values)
    assert not np.array_equal(a["test_loss"].sel(run=0).values, a["test_loss"].sel(run=1).values)


def test_task_sums_give_the_same_numbers_as_per_example_records():
    a = experiments.run(NAME, overrides=TINY + ["records=examples"], write=False, quiet=True)
    b = experiments.run(NAME, overrides=TINY + ["records=tasks"], write=False, quiet=True)
    for var in ("accuracy", "beta_accuracy", "update_norm", "test_loss"):
        np.testing.assert_array_equal(a[var], b[var])
    assert b.attrs["records"] == "tasks" and (b["dual_form_max_error"] < 1e-12).all()


def test_mnist_and_fashion_mnist_from_data_dir(tmp_path):
    _write_idx_folder(tmp_path / "mnist", seed=1)
    _write_idx_folder(tmp_path / "fashion-mnist", gz=True, seed=2)
    ds = experiments.run(NAME, overrides=TINY + [f"data_dir={tmp_path}"], write=False, quiet=True)
    assert list(ds.dataset.values) == ["mnist", "fashion-mnist"]
    assert list(ds.n_train.values) == [12, 12] and list(ds.n_test.values) == [6, 6]
    assert ds.attrs["n_inputs"] == 25 and "train-images-idx3-ubyte.gz" in ds.attrs["task2_source"]


def test_bad_configurations_fail_before_any_work(tmp_path):
    out = tmp_path / "out"
    cases = [
        ([f"data_dir={tmp_path / 'nowhere'}"], "data_dir=.* does not exist"),
        ([f"data_dir={tmp_path}"], r"dataset 'mnist' not found .*train-images-idx3-ubyte"),
        (["task1_dataset=mnist", "task2_dataset=fashion-mnist"], "no data_dir was given"),
        (["task1_dataset=digits", "task2_dataset=fashion-mnist", f"data_dir={tmp_path}"], "different sizes"),
        (["task2_classes=1,2"], "share classes of the same data set"),
        (["task1_classes=1"], r"task1_classes=\(1,\) is not allowed: must be two or more distinct classes"),
        (["task1_classes=0,10"], r"task1_classes=\(0, 10\) is out of range: must be in \[0, 9\]"),
        (["learning_rate=0"], r"learning_rate=0.0 is out of range: must be > 0"),
        (["n_runs=1"], "n_runs=1 is out of range"),
        (["records=all"], "records='all' is not allowed"),
        (["test_fraction=1"], r"test_fraction=1.0 is out of range: must be in \(0.0, 1.0\)"),
    ]
    for overrides, message in cases:
        with pytest.raises(ConfigError, match=message):
            experiments.run(NAME, overrides=overrides, out_dir=out, quiet=True)
    assert not out.exists()


def test_configuration_offers_the_data_sets_of_the_loader():
    assert DATASET_NAMES == DATASETS
