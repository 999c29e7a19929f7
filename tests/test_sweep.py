"""Sweeps on Dask: grids and their validation, task names, combining, seeds-only sweeps, failures, an unreachable
scheduler, file permissions, and resuming after SIGKILL."""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from biokv import experiments
from biokv.config import ConfigError, param
from biokv.experiments import registry
from biokv.io.inspection import info, plot
from biokv.io.results import read_dataset
from biokv.sweep import Sweep, SweepError, parse_grid, run_sweep


# ------------------------------------------------------------------------------------------------ a toy experiment
@dataclass
class ToyConfig:
    x: int = param(1, "x", low=0)
    scale: float = param(1.0, "scale", low=0.0)
    fail_flag: str = param("", "while this file exists, the task with x = 2 fails")


def toy(cfg, ctx):
    if cfg.x == 2 and cfg.fail_flag and Path(cfg.fail_flag).exists():
        raise RuntimeError("toy failure at x = 2")
    noise = np.random.default_rng(ctx.seed).normal(size=3)
    return xr.Dataset({"value": ("trial", cfg.scale * cfg.x + noise)}, coords={"trial": np.arange(3)})


def toy_headline(ds):
    out = xr.Dataset({"mean_value": ds["value"].mean()})
    out["mean_value"].attrs["description"] = "mean of the values"
    return out


@pytest.fixture
def toy_experiment(monkeypatch):
    exp = registry.Experiment(name="toy", summary="toy", config_ref=ToyConfig, compute_ref=toy,
                              figures_ref=lambda ds: {}, report_ref=lambda ds: "toy", headline_ref=toy_headline,
                              quick={}, tags=("toy",))
    monkeypatch.setitem(registry._REGISTRY, "toy", exp)
    return exp


@pytest.fixture(scope="module")
def threads_client():
    """Workers in threads of this process (they see the toy experiment)."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def _events(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "executions.log").read_text().splitlines()]


def _same_sweep(a: xr.Dataset, b: xr.Dataset):
    xr.testing.assert_identical(a.drop_attrs(deep=False), b.drop_attrs(deep=False))
    assert {k: v for k, v in a.attrs.items() if k != "created"} == {k: v for k, v in b.attrs.items() if k != "created"}


# ------------------------------------------------------------------------------------------------ grids
def test_grid_parsing_keeps_bracketed_values():
    assert parse_grid(["kwinner.k=1, 10,50", "protocol.cue_levels=[1,0.5],[0.5]"]) == {
        "kwinner.k": ["1", "10", "50"], "protocol.cue_levels": ["[1,0.5]", "[0.5]"]}
    for bad in (["kwinner.k"], ["=1,2"], ["kwinner.k=1,,2"], ["kwinner.k=1", "kwinner.k=2"]):
        with pytest.raises(ConfigError):
            parse_grid(bad)


@pytest.mark.parametrize("grid, kwargs, message", [
    (["kwinner.kk=1,2"], {}, "unknown parameter 'kwinner.kk'"),
    (["kwinner.k=1,0"], {}, "kwinner.k=0 is out of range"),
    (["kwinner.k=10,10.0"], {}, "give the same configuration"),
    (["kwinner.k=1,2"], {"overrides": ["kwinner.k=3"]}, "both a grid key and set with --set"),
    (["kwinner.k=1,2"], {"seeds": 0}, "seeds=0 is out of range"),
    (["kwinner.k=1,2"], {"workers": 0}, "workers=0 is out of range"),
    (["kwinner.k=1,2"], {"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "--workers sets the size"),
    (["kwinner.k=1,2"], {"connect_timeout": 0}, "connect_timeout=0 is out of range"),
])
def test_bad_sweeps_fail_before_any_work(tmp_path, grid, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        run_sweep("kwinner-retention", grid, out_dir=tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_cannot_be_created_fails_before_any_work(tmp_path):
    (tmp_path / "file").touch()
    with pytest.raises(ConfigError, match="out_dir=.*cannot create or write this folder"):
        run_sweep("kwinner-retention", ["kwinner.k=1,2"], out_dir=tmp_path / "file" / "out", workers=1)


def _unused_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_fails_fast_naming_its_address(tmp_path, capsys, toy_experiment):
    from biokv import cli

    address = f"tcp://127.0.0.1:{_unused_local_port()}"
    start = time.monotonic()
    with pytest.raises(SweepError, match=f"scheduler='{address}': no Dask scheduler answered within 5 s"):
        run_sweep("toy", ["x=1,2"], scheduler=address, out_dir=tmp_path / "api")
    assert time.monotonic() - start < 8  # the default connect timeout is 5 s (it was 30 s)
    assert not list((tmp_path / "api").iterdir())  # nothing written: no sweep.json, no tasks/
    # the command line: one line naming the address, exit code 1, within the timeout the user sets
    start = time.monotonic()
    code = cli.main(["sweep", "toy", "--grid", "x=1,2", "--scheduler", address, "--connect-timeout", "1",
                     "--out", str(tmp_path / "cli")])
    assert code == 1 and time.monotonic() - start < 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"biokv: scheduler='{address}': no Dask scheduler answered "
                                                    "within 1 s (raise the limit with --connect-timeout)")


def test_task_names_hash_the_full_configuration_and_seed():
    a = Sweep("kwinner-retention", {"kwinner.k": ["10", "20"]}, seeds=2).tasks()
    b = Sweep("kwinner-retention", {"kwinner.k": [10]}, seeds=(1,), overrides=("kwinner.learning_rate=0.3",)).tasks()
    assert len(a) == 4 and len({t.key for t in a}) == 4
    assert b[0].key == a[1].key  # k 10, seed 1: the same task however its configuration was layered
    c = Sweep("kwinner-retention", {"kwinner.k": [10]}, seeds=(1,), quick=True).tasks()
    assert c[0].key != b[0].key  # other sizes: another task


# ------------------------------------------------------------------------------------------------ combining, resuming
def test_sweep_combines_tasks_and_reruns_only_missing_ones(tmp_path, toy_experiment, threads_client):
    out = tmp_path / "sweep"
    ds = run_sweep("toy", ["x=1,2,3", "scale=1,2.5"], seeds=2, out_dir=out, client=threads_client, quiet=True)
    assert ds["value"].dims == ("x", "scale", "seed", "trial")
    for x in (1, 2, 3):
        for scale in (1.0, 2.5):
            for seed in (0, 1):
                direct = experiments.run("toy", overrides={"x": x, "scale": scale}, seed=seed, write=False)
                np.testing.assert_array_equal(ds["value"].sel(x=x, scale=scale, seed=seed), direct["value"])
    np.testing.assert_allclose(ds["headline_mean_value"], ds["value"].mean("trial"))
    saved = read_dataset(out / "sweep.nc")
    _same_sweep(ds, saved)
    assert (out / "sweep_mean_value.png").stat().st_size > 0 and "| x | scale |" in (out / "summary.md").read_text()
    assert len(list((out / "tasks").glob("*.nc"))) == 12
    assert sum(e["event"] == "done" for e in _events(out)) == 12
    # lose two results, run again: exactly those two are computed, and the combined result is the same
    lost = sorted((out / "tasks").glob("*.nc"))[:2]
    for f in lost:
        f.unlink()
    again = run_sweep("toy", ["x=1,2,3", "scale=1,2.5"], seeds=2, out_dir=out, client=threads_client, quiet=True)
    second_run = [e for e in _events(out)[24:] if e["event"] == "start"]
    assert sorted(e["task"] for e in second_run) == sorted(f.stem for f in lost)
    _same_sweep(ds, again)
    # nothing missing: nothing computed, no cluster needed
    run_sweep("toy", ["x=1,2,3", "scale=1,2.5"], seeds=2, out_dir=out, quiet=True)
    assert len(_events(out)) == 28
    # reading it back: info and the figure from sweep.nc alone
    text = info(out / "sweep.nc")
    assert text.startswith("sweep of toy: grid {\"x\": [1, 2, 3], \"scale\": [1.0, 2.5]} x seeds [0, 1] (12 tasks)")
    assert "## mean_value: mean of the values" in text
    assert [p.name for p in plot(out / "sweep.nc", fmt="pdf")] == ["sweep_mean_value.pdf"]
    with pytest.raises(ConfigError, match="choose one of mean_value"):
        plot(out / "sweep.nc", metric="nope")


def test_a_seeds_only_sweep_has_the_seed_dimension_a_figure_and_a_summary(tmp_path, toy_experiment,
                                                                           threads_client):
    from biokv import cli

    assert cli._parser().parse_args(["sweep", "toy", "--seeds", "20"]).grid == []  # --grid is optional
    out = tmp_path / "sweep"
    ds = run_sweep("toy", seeds=3, overrides=["x=4"], out_dir=out, client=threads_client, quiet=True)
    assert ds["value"].dims == ("seed", "trial") and ds["headline_mean_value"].dims == ("seed",)
    for seed in (0, 1, 2):
        direct = experiments.run("toy", overrides={"x": 4}, seed=seed, write=False)
        np.testing.assert_array_equal(ds["value"].sel(seed=seed), direct["value"])
    _same_sweep(ds, read_dataset(out / "sweep.nc"))
    assert ds.attrs["grid_dims"] == "[]" and len(list((out / "tasks").glob("*.nc"))) == 3
    # the metric of every seed, then its mean ± SEM
    values = ds["headline_mean_value"].values
    mean, sem = values.mean(), values.std(ddof=1) / np.sqrt(3)
    summary = (out / "summary.md").read_text()
    assert "No grid" in summary and "| seed | mean_value |" in summary
    assert all(f"| {seed} | {v:.3f} |" in summary for seed, v in enumerate(values))
    assert f"| mean ± SEM | {mean:.3f} ± {sem:.3f} |" in summary
    assert (out / "sweep_mean_value.png").stat().st_size > 0
    # biokv info and biokv plot of its sweep.nc
    text = info(out / "sweep.nc")
    assert text.startswith("sweep of toy: seeds [0, 1, 2] (3 tasks)") and "x = 4" in text
    assert f"| mean ± SEM | {mean:.3f} ± {sem:.3f} |" in text
    assert [p.name for p in plot(out / "sweep.nc", fmt="svg", out_dir=tmp_path / "redrawn")] == ["sweep_mean_value.svg"]
    # one seed: no SEM
    single = run_sweep("toy", seeds=(5,), out_dir=tmp_path / "one", client=threads_client, quiet=True)
    assert single["value"].dims == ("seed", "trial") and "| mean | " in (tmp_path / "one" / "summary.md").read_text()


def test_sweep_figures_use_no_pyplot_and_leave_the_backend_alone(tmp_path, toy_experiment, threads_client):
    run_sweep("toy", ["x=1,2"], seeds=2, out_dir=tmp_path / "grid", client=threads_client, quiet=True)
    run_sweep("toy", seeds=2, out_dir=tmp_path / "seeds", client=threads_client, quiet=True)
    script = """if True:
        import sys
        import matplotlib
        from matplotlib.figure import Figure
        from biokv.io.results import read_dataset, save_figure
        from biokv.sweep import sweep_figure
        for name in sys.argv[1:]:
            fig = sweep_figure(read_dataset(name + "/sweep.nc"))
            assert isinstance(fig, Figure)
            save_figure(fig, name + "/redrawn.png")
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        assert matplotlib.rcParams["backend"] == "svg", matplotlib.rcParams["backend"]
    """
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "grid"), str(tmp_path / "seeds")],
                          capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "svg"}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert all((tmp_path / name / "redrawn.png").stat().st_size > 0 for name in ("grid", "seeds"))


@pytest.mark.parametrize("umask", [0o022, 0o002], ids=["umask022", "umask002"])
def test_every_file_a_sweep_writes_respects_the_umask(tmp_path, toy_experiment, threads_client, umask):
    out, flag = tmp_path / "sweep", tmp_path / "flag"
    flag.touch()
    grid = ["x=1,2", f"fail_flag={flag}"]

    def modes():
        return {str(f.relative_to(out)): stat.S_IMODE(f.stat().st_mode) for f in out.rglob("*") if f.is_file()}

    previous = os.umask(umask)
    try:
        with pytest.raises(SweepError):
            run_sweep("toy", grid, seeds=1, out_dir=out, client=threads_client, quiet=True)
        written = modes()  # a finished task, a failure report, the log and sweep.json
        flag.unlink()
        run_sweep("toy", grid, seeds=1, out_dir=out, client=threads_client, quiet=True)
        written.update(modes())  # and sweep.nc, the figure, summary.md
    finally:
        os.umask(previous)
    kinds = {name.split("/")[0] if "/" in name else name for name in written}
    assert kinds == {"tasks", "failed", "executions.log", "sweep.json", "sweep.nc", "sweep_mean_value.png",
                     "summary.md"}
    assert written == {name: 0o666 & ~umask for name in written}


def test_failed_tasks_are_reported_and_the_others_finish(tmp_path, toy_experiment, threads_client):
    out, flag = tmp_path / "sweep", tmp_path / "flag"
    flag.touch()
    grid = ["x=1,2,3", f"fail_flag={flag}"]
    with pytest.raises(SweepError) as err:
        run_sweep("toy", grid, seeds=2, out_dir=out, client=threads_client, quiet=True)
    assert len(err.value.failed) == 2  # x = 2, both seeds
    reports = sorted((out / "failed").glob("*.txt"))
    assert [r.stem for r in reports] == sorted(err.value.failed)
    text = reports[0].read_text()
    assert "x = 2" in text and "RuntimeError: toy failure at x = 2" in text  # configuration and traceback
    assert len(list((out / "tasks").glob("*.nc"))) == 4 and not (out / "sweep.nc").exists()
    flag.unlink()  # the cause is fixed: the rerun computes the two failed tasks only
    ds = run_sweep("toy", grid, seeds=2, out_dir=out, client=threads_client, quiet=True)
    assert ds["value"].sizes == {"x": 3, "fail_flag": 1, "seed": 2, "trial": 3}
    assert not list((out / "failed").glob("*.txt"))
    assert sum(e["event"] == "done" for e in _events(out)) == 6


# ------------------------------------------------------------------------------------------------ SIGKILL and resume
SWEEP = ["kwinner-retention", "--quick", "--grid", "kwinner.k=1,10,50", "--seeds", "3", "--workers", "2", "--quiet",
         "--set", "protocol.n_burnin=100", "--set", "protocol.n_memories=150", "--set", "protocol.fit_max_age=100",
         "--set", "protocol.plot_max_age=150"]


def _sweep_command(out):
    return [sys.executable, "-m", "biokv.cli", "sweep", *SWEEP, "--out", str(out)]


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_without_losing_or_repeating_work(tmp_path):
    """kwinner-retention --quick over k in {1, 10, 50} x 3 seeds on the local cluster (smaller protocol), killed
    with SIGKILL after some tasks finish, then run again; then the same sweep uninterrupted."""
    import psutil

    out = tmp_path / "killed"
    proc = subprocess.Popen(_sweep_command(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    while len(list((out / "tasks").glob("*.nc"))) < 2:
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    gone, alive = psutil.wait_procs(children, timeout=60)
    assert not alive  # the workers die with their client: no orphan goes on computing
    finished = {f.stem for f in (out / "tasks").glob("*.nc")}
    assert 2 <= len(finished) < 9, len(finished)
    assert not (out / "sweep.nc").exists()
    first_run = _events(out)

    resumed = subprocess.run(_sweep_command(out), capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    second_run = _events(out)[len(first_run):]
    all_tasks = {t["task"] for t in json.loads((out / "sweep.json").read_text())["tasks"]}
    assert len(all_tasks) == 9
    # the second run computed exactly the tasks that were missing, and every task finished exactly once
    assert sorted(e["task"] for e in second_run if e["event"] == "start") == sorted(all_tasks - finished)
    done = [e["task"] for e in first_run + second_run if e["event"] == "done"]
    assert sorted(done) == sorted(all_tasks)

    reference = tmp_path / "uninterrupted"
    clean = subprocess.run(_sweep_command(reference), capture_output=True, text=True, timeout=900)
    assert clean.returncode == 0, clean.stderr[-3000:]
    a, b = read_dataset(out / "sweep.nc"), read_dataset(reference / "sweep.nc")
    _same_sweep(a, b)
    assert a["overlap_real"].dims[:2] == ("kwinner.k", "seed") and a.sizes["kwinner.k"] == 3
    # the K-winner's d' at age 100 changes with k; the 1-winner MHN does not depend on k
    mhn = a["headline_dprime"].sel(model="mhn")
    xr.testing.assert_equal(mhn.sel({"kwinner.k": 1}, drop=True), mhn.sel({"kwinner.k": 50}, drop=True))
    kw = a["headline_dprime"].sel(model="kwinner")
    assert not kw.sel({"kwinner.k": 1}, drop=True).equals(kw.sel({"kwinner.k": 50}, drop=True))


@pytest.mark.spiking
@pytest.mark.standalone
@pytest.mark.slow
def test_standalone_sweep_compiles_once_per_worker(tmp_path):
    """Grid points that change only run-time values (here the EC rate) reuse the worker's C++ build."""
    from tests.experiments.test_spiking_recall import TINY

    shared = [s for s in TINY if not s.startswith("spiking.device")] + ["spiking.device=cpp_standalone"]
    ds = run_sweep("spiking-recall", ["spiking.ec_rate_on_hz=60,100"], seeds=1, overrides=shared,
                   out_dir=tmp_path, workers=1, quiet=True)
    done = [e for e in _events(tmp_path) if e["event"] == "done"]
    assert [e["standalone_compilations"] for e in done] == [1, 0]
    rates = ds["headline_active_fraction"].sel(population="DG", phase="encode")
    assert ds.sizes["spiking.ec_rate_on_hz"] == 2 and np.isfinite(rates).all()
    assert not np.array_equal(ds["spikes_DG_t"].sel({"spiking.ec_rate_on_hz": 60.0}),
                              ds["spikes_DG_t"].sel({"spiking.ec_rate_on_hz": 100.0}))
    # spike lists of different lengths are padded with NaN in sweep.nc, never with made-up cells
    saved = read_dataset(tmp_path / "sweep.nc")
    for rate in (60.0, 100.0):
        task = read_dataset(tmp_path / "tasks" / f"{saved['task'].sel({'spiking.ec_rate_on_hz': rate}).item()}.nc")
        cells = saved["spikes_DG_i"].sel({"spiking.ec_rate_on_hz": rate}).values.ravel()
        np.testing.assert_array_equal(cells[~np.isnan(cells)], task["spikes_DG_i"].values)


@pytest.mark.slow
def test_sweep_on_an_existing_cluster_started_with_dask_commands(tmp_path, capsys):
    """`dask scheduler` and `dask worker` as the README starts them; the sweep only gets --scheduler."""
    from biokv import cli
    from tests.experiments.conftest import TINY

    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file",
                               str(scheduler_file), "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                       str(scheduler_file), "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(scheduler_file.read_text())["address"]
        args = ["sweep", "kwinner-retention", "--grid", "kwinner.k=2,5", "--seeds", "2", "--scheduler", address,
                "--quiet", "--out", str(tmp_path / "out")]
        for t in TINY:
            if not t.startswith("kwinner.k="):
                args += ["--set", t]
        assert cli.main(args) == 0
        ds = read_dataset(tmp_path / "out" / "sweep.nc")
        assert ds.sizes["kwinner.k"] == 2 and ds.sizes["seed"] == 2
        pids = {e["pid"] for e in _events(tmp_path / "out")}
        assert len(pids) == 1 and os.getpid() not in pids  # every task ran in the cluster's worker
        direct = experiments.run("kwinner-retention", overrides=[t for t in TINY if not t.startswith("kwinner.k=")]
                                 + ["kwinner.k=5"], seed=1, write=False, quiet=True)
        np.testing.assert_array_equal(ds["overlap_real"].sel({"kwinner.k": 5, "seed": 1}), direct["overlap_real"])
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
