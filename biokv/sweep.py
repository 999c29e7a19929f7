"""Parameter sweeps on Dask: every grid point x seed is one task that writes its own result file.

A sweep runs one registered experiment for every combination of grid values and every seed (with no grid, for
every seed at the one configuration). A task is the experiment's full resolved configuration and a seed; its name
is a hash of exactly these, so the same task has the same name in every sweep that contains it. Tasks run on a
Dask cluster: by default a :class:`dask.distributed.LocalCluster` on this machine with one single-threaded worker
per core, or an existing cluster given by its scheduler address. Every file is written through
:mod:`biokv.io.results`, so it gets the permissions of the user's umask. Output folder::

    OUT/tasks/<hash>.nc     one finished task: the experiment's full result (written atomically by the worker)
    OUT/failed/<hash>.txt   a failed task: its configuration and traceback (removed once it succeeds)
    OUT/executions.log      one JSON line per task start and finish (run, host, process, time, compilations)
    OUT/sweep.json          the sweep: experiment, grid, seeds and the hash of every task
    OUT/sweep.nc            all results combined, grid parameters and seed as dimensions (when all are done)
    OUT/sweep_<metric>.png  the chosen headline metric across the grid (or per seed); OUT/summary.md its table

A rerun of the same sweep skips every task whose file exists: a sweep killed at any moment (Ctrl-C, or SIGKILL
of the client or of a worker) resumes where it stopped, with nothing lost and nothing computed twice.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import json
import logging
import os
import socket
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from biokv import config as _config
from biokv.io import results as _results
from biokv.config import ConfigError

__all__ = ["Sweep", "Task", "SweepError", "parse_grid", "run_sweep", "combine", "sweep_figure", "sweep_summary",
           "metric_table", "headline_names", "write_sweep_outputs"]


class SweepError(RuntimeError):
    """A sweep that cannot run or did not finish: its scheduler cannot be reached, or some of its tasks failed
    (the others finished and are kept).

    Attributes
    ----------
    failed : dict of str -> str
        Task hash -> report (configuration and traceback) of every failed task; empty if no task ran.
    """

    def __init__(self, message: str, failed: dict | None = None):
        self.failed = dict(failed or {})
        super().__init__(message)


def _split_values(text: str) -> list[str]:
    """``"1,10,50"`` -> ``["1", "10", "50"]``; commas inside brackets stay (``"[1,0.5],[1]"``)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "[("
        depth -= ch in "])"
        if ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [v.strip() for v in out]


def parse_grid(assignments) -> dict[str, list[str]]:
    """``["kwinner.k=1,10,50", "protocol.cue_levels=[1,0.5],[0.5]"]`` -> ``{key: [raw values]}``."""
    grid: dict[str, list[str]] = {}
    for item in assignments or ():
        if "=" not in item:
            raise ConfigError(f"--grid expects key=value1,value2,..., got {item!r}")
        key, values = (part.strip() for part in item.split("=", 1))
        if not key or key in grid:
            raise ConfigError(f"--grid {item!r}: {'a key is missing' if not key else f'{key} is given twice'}")
        vals = _split_values(values)
        if not all(vals):
            raise ConfigError(f"--grid {item!r}: empty value")
        grid[key] = vals
    return grid


def _lookup(tree: dict, key: str):
    for part in key.split("."):
        tree = tree[part]
    return tree


def _coordinate(value):
    """A grid value as a coordinate label (sequences become text such as ``"1.0,0.5"``)."""
    return ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value


@dataclass(frozen=True)
class Task:
    """One grid point and seed: the experiment, its full resolved configuration (JSON) and the seed."""

    experiment: str
    point: tuple  # ((grid key, typed value), ...)
    seed: int
    config: str

    @property
    def key(self) -> str:
        """Hash of the experiment, the full configuration and the seed: the task's file name."""
        text = json.dumps({"experiment": self.experiment, "config": json.loads(self.config), "seed": self.seed},
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def describe(self) -> str:
        point = ", ".join(f"{k}={_coordinate(v)}" for k, v in self.point)
        return f"{self.experiment}{f' [{point}]' if point else ''} seed {self.seed} (task {self.key})"


@dataclass
class Sweep:
    """A grid of configurations x seeds of one experiment.

    Parameters
    ----------
    experiment : str
        Registered experiment name.
    grid : mapping of str -> sequence
        Dotted parameter key -> values (strings as on the command line, or typed values). Empty: a seeds-only
        sweep, every seed at the one configuration given by the shared layers.
    seeds : int or sequence of int
        ``N`` means seeds ``0 .. N-1``.
    model_file : path, optional
        TOML configuration layer shared by every task.
    quick : bool
        Apply the experiment's ``--quick`` layer.
    overrides : sequence of "key=value"
        ``--set`` values shared by every task (a grid key may not also be set here).
    """

    experiment: str
    grid: dict = field(default_factory=dict)
    seeds: object = 1
    model_file: str | None = None
    quick: bool = False
    overrides: tuple = ()

    def __post_init__(self):
        if isinstance(self.seeds, (int, np.integer)) and not isinstance(self.seeds, bool):
            if self.seeds < 1:
                raise ConfigError(f"seeds={self.seeds} is out of range: must be >= 1")
            self.seeds = tuple(range(int(self.seeds)))
        self.seeds = tuple(self.seeds)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"seeds={self.seeds} must be one or more distinct integers")
        for s in self.seeds:
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < 2**63:
                raise ConfigError(f"seeds: {s!r} is out of range: every seed must be an integer in [0, 2**63)")
        self.grid = {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in dict(self.grid or {}).items()}
        self.overrides = tuple(self.overrides)
        shared = _config.parse_assignments(self.overrides)
        for key in self.grid:
            try:
                _lookup(shared, key)
            except (KeyError, TypeError):
                continue
            raise ConfigError(f"{key} is both a grid key and set with --set; give it in one place")

    def tasks(self) -> list["Task"]:
        """Every task, validated (unknown keys and values out of range are errors before any work)."""
        from biokv import experiments

        exp = experiments.get(self.experiment)
        layers = experiments.runner.config_layers(self.experiment, self.model_file, self.overrides, self.quick)
        keys = list(self.grid)
        tasks, seen = [], {}
        for combo in itertools.product(*(self.grid[k] for k in keys)):
            point_layers = [_config.set_nested({}, k, v) for k, v in zip(keys, combo)]
            cfg = _config.build_config(exp.config_class, *layers, *point_layers)
            tree = _config.to_dict(cfg)
            point = tuple((k, _lookup(tree, k)) for k in keys)
            if point in seen:
                raise ConfigError(f"grid values {seen[point]} and {combo} give the same configuration")
            seen[point] = combo
            for seed in self.seeds:
                tasks.append(Task(self.experiment, point, int(seed), _config.to_json(cfg)))
        return tasks

    def describe(self) -> dict:
        return {"experiment": self.experiment, "grid": self.grid, "seeds": list(self.seeds),
                "model_file": None if self.model_file is None else str(self.model_file), "quick": self.quick,
                "overrides": list(self.overrides)}


# ------------------------------------------------------------------------------------------------ execution
def _log(path: Path, **record) -> None:
    """Append one JSON line (a single small append: whole lines even with many writers).

    The file is created as an ordinary write creates it (mode 0666 less the umask).
    """
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
    line = json.dumps({"time": now, **record}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _standalone_compilations() -> int:
    import sys

    module = sys.modules.get("biokv.experiments.hippocampus.devices")
    return module.standalone_compilations() if module is not None else 0


def execute_task(task: Task, tasks_dir: str, run_id: str) -> dict:
    """Run one task on a worker and write ``tasks_dir/<hash>.nc`` atomically (skipped if it exists)."""
    import numba

    from biokv import experiments

    tasks_dir = Path(tasks_dir)
    if not tasks_dir.is_dir():
        raise FileNotFoundError(f"the sweep folder {tasks_dir} is not visible on this worker "
                                f"({socket.gethostname()}): the output folder must be on a file system that every "
                                "worker shares")
    path = tasks_dir / f"{task.key}.nc"
    if path.exists():
        return {"task": task.key, "skipped": True}
    log = tasks_dir.parent / "executions.log"
    where = {"task": task.key, "run": run_id, "host": socket.gethostname(), "pid": os.getpid()}
    _log(log, event="start", **where)
    numba.set_num_threads(1)  # one task per core: parallelism comes from the tasks
    compiled_before = _standalone_compilations()
    start = time.perf_counter()
    cfg = experiments.runner.config_from_json(task.experiment, task.config)
    ds = experiments.compute(task.experiment, cfg, task.seed, quiet=True,
                             attrs={"sweep_task": task.key, "sweep_point": json.dumps(dict(task.point))})
    _results.write_dataset(ds, path)
    elapsed = time.perf_counter() - start
    compilations = _standalone_compilations() - compiled_before
    _log(log, event="done", elapsed_s=elapsed, standalone_compilations=compilations, **where)
    return {"task": task.key, "skipped": False, "elapsed_s": elapsed}


def _import_plugin(experiment: str):
    """A worker plugin that imports the experiment's computation (and so Brian2 for a spiking experiment: Brian2
    installs a signal handler and must be imported in a worker's main thread) when a worker starts, before it runs
    tasks in its executor thread. ``import biokv.experiments`` alone imports neither."""
    from dask.distributed import WorkerPlugin

    class ImportExperiment(WorkerPlugin):
        name = f"biokv-import-{experiment}"
        idempotent = True

        def setup(self, worker):  # noqa: ARG002 (the plugin interface passes the worker)
            from biokv import experiments

            # an error here (an experiment this worker does not know, a missing library) is left to the tasks,
            # which report it with their configuration in failed/
            with contextlib.suppress(Exception):
                exp = experiments.get(experiment)
                exp.compute  # noqa: B018 (resolving the reference imports the computation's modules)
                if "spiking" in exp.tags:
                    import brian2  # noqa: F401

    return ImportExperiment()


@contextlib.contextmanager
def _client(scheduler, workers, connect_timeout):
    """A client of the scheduler at ``scheduler`` (reached within ``connect_timeout`` seconds, or
    :class:`SweepError`), or of a new local cluster of ``workers`` processes."""
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=connect_timeout)
        except (OSError, ValueError, TypeError) as err:
            reason = (f"no Dask scheduler answered within {connect_timeout:g} s (raise the limit with "
                      "--connect-timeout)" if isinstance(err, OSError) else f"not a Dask scheduler address ({err})")
            raise SweepError(f"scheduler={scheduler!r}: {reason}; no task was run") from None
        with client:
            yield client
        return
    n = workers if workers is not None else (os.cpu_count() or 1)
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _failure_report(task: Task, error, tb) -> str:
    from biokv import experiments

    cfg = experiments.runner.config_from_json(task.experiment, task.config)
    trace = "".join(traceback.format_exception(type(error), error, tb))
    return (f"# {task.describe()}\n# seed = {task.seed}\n\n{_config.to_toml(cfg)}\n"
            + "".join(f"# {line}\n" for line in trace.rstrip().splitlines()))


def run_sweep(experiment: str, grid=None, seeds=1, *, model_file=None, quick: bool = False, overrides=(),
              out_dir=None, scheduler: str | None = None, workers: int | None = None,
              connect_timeout: float = 5.0, metric: str | None = None, quiet: bool = False,
              client=None) -> xr.Dataset:
    """Run (or resume) a sweep and combine its results.

    Parameters
    ----------
    experiment : str
        Registered experiment name.
    grid : mapping or sequence of "key=v1,v2,...", optional
        The grid (see :class:`Sweep`); none or empty: every seed at the one configuration.
    seeds : int or sequence of int
        ``N`` means seeds ``0 .. N-1``.
    model_file, quick, overrides
        Configuration layers shared by every task (defaults < model file < quick < overrides < grid point).
    out_dir : path, optional
        Output folder (default ``results/sweep-<experiment>``).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); default: a local cluster.
    workers : int, optional
        Workers of the local cluster (default: one per core; each runs one task at a time).
    connect_timeout : float
        Seconds to wait for the ``scheduler`` to answer before giving up (default 5).
    metric : str, optional
        Headline metric of the summary figure (default: the experiment's first headline metric).
    quiet : bool
        No progress bar.
    client : dask.distributed.Client, optional
        Use this client instead of creating one (``scheduler`` and ``workers`` are then ignored).

    Returns
    -------
    xarray.Dataset
        The combined results (also written to ``out_dir/sweep.nc``).

    Raises
    ------
    SweepError
        If the scheduler cannot be reached (before any work), or if tasks failed (every other task has finished
        and is kept).
    biokv.config.ConfigError
        If the sweep or the output folder is invalid (before any work).
    """
    if scheduler is not None and workers is not None:
        raise ConfigError("--workers sets the size of the local cluster; with --scheduler the cluster's own "
                          "workers run the tasks")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers={workers!r} is out of range: must be an integer >= 1")
    if (isinstance(connect_timeout, bool) or not isinstance(connect_timeout, (int, float))
            or not 0 < connect_timeout < float("inf")):
        raise ConfigError(f"connect_timeout={connect_timeout!r} is out of range: must be a number of seconds > 0")
    sweep = Sweep(experiment, parse_grid(grid) if not isinstance(grid, dict) else grid, seeds, model_file, quick,
                  tuple(overrides))
    tasks = sweep.tasks()
    out = Path(out_dir if out_dir is not None else Path("results") / f"sweep-{experiment}")
    tasks_dir, failed_dir = out / "tasks", out / "failed"
    pending = [t for t in tasks if not (tasks_dir / f"{t.key}.nc").exists()]
    _results.check_writable_dir(out, "out_dir")
    failed: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        # the cluster before sweep.json: an unreachable scheduler fails before any file is written
        c = client
        if pending and c is None:
            c = stack.enter_context(_client(scheduler, workers, connect_timeout))
        tasks_dir.mkdir(parents=True, exist_ok=True)
        _results.atomic_write_text(out / "sweep.json", json.dumps(
            {**sweep.describe(), "tasks": [{"task": t.key, "point": dict(t.point), "seed": t.seed} for t in tasks]},
            indent=1, default=str))
        if pending:
            _run_pending(c, pending, len(tasks), tasks_dir, failed_dir, failed, experiment, quiet)
    if failed:
        raise SweepError(f"{len(failed)} task(s) failed; their configurations and tracebacks are in {failed_dir}. "
                         "Fix the cause and run the same sweep again: finished tasks are kept.", failed)
    ds = combine(sweep, tasks, tasks_dir)
    _results.write_dataset(ds, out / "sweep.nc")
    write_sweep_outputs(ds, out, metric=metric)
    return ds


def _run_pending(c, pending: list[Task], n_tasks: int, tasks_dir: Path, failed_dir: Path, failed: dict,
                 experiment: str, quiet: bool) -> None:
    """Submit the pending tasks to client ``c`` and wait for them; record failures in ``failed`` and in
    ``failed_dir`` (a task that succeeds removes its old failure report)."""
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    run_id = uuid.uuid4().hex[:12]
    with tqdm(total=n_tasks, initial=n_tasks - len(pending), desc=f"sweep {experiment}", unit="task",
              disable=quiet, dynamic_ncols=True) as bar:
        c.register_plugin(_import_plugin(experiment))
        # earlier tasks first: neighbours in the list (same seed, so same connectivity) share builds
        futures = {c.submit(execute_task, t, str(tasks_dir.resolve()), run_id, key=f"biokv-{t.key}-{run_id}",
                            pure=False, priority=-i): t for i, t in enumerate(pending)}
        for future in as_completed(futures):
            task = futures[future]
            if future.status == "error":
                report = _failure_report(task, future.exception(), future.traceback())
                failed[task.key] = report
                _results.atomic_write_text(failed_dir / f"{task.key}.txt", report)
                bar.write(f"biokv: task failed: {task.describe()}\n{report}")
            else:
                with contextlib.suppress(FileNotFoundError):
                    (failed_dir / f"{task.key}.txt").unlink()
            bar.update(1)
            bar.set_postfix(failed=len(failed))


# ------------------------------------------------------------------------------------------------ combining
def _index_free_dims(ds: xr.Dataset) -> xr.Dataset:
    """Give every dimension without coordinates an integer one, so that results of other shapes align (and
    are padded with NaN) when combined."""
    return ds.assign_coords({d: np.arange(n) for d, n in ds.sizes.items() if d not in ds.coords})


def combine(sweep: Sweep, tasks: list[Task], tasks_dir) -> xr.Dataset:
    """One Dataset of every task's result and headline metrics (``headline_*``), with a dimension per grid key
    (named by the key; ``grid.<key>`` if the results already have a dimension of that name) and ``seed``."""
    import pandas as pd

    from biokv import experiments

    tasks_dir = Path(tasks_dir)
    by_point = {(t.point, t.seed): t for t in tasks}
    keys = list(sweep.grid)
    values = [list(dict.fromkeys(dict(t.point)[k] for t in tasks)) for k in keys]
    first = {tasks[0].key: _results.read_dataset(tasks_dir / f"{tasks[0].key}.nc")}  # read once
    dims = [f"grid.{k}" if k in first[tasks[0].key].dims else k for k in keys]

    def leaf(point, seed):
        task = by_point[(point, seed)]
        ds = first.pop(task.key, None)
        ds = ds if ds is not None else _results.read_dataset(tasks_dir / f"{task.key}.nc")
        head = experiments.headline(ds) if experiments.get(sweep.experiment).headline is not None else xr.Dataset()
        # no on-disk encodings: integer variables padded with NaN (results of other shapes) are written as floats
        ds = _index_free_dims(ds.drop_attrs(deep=False).drop_encoding())
        for name, var in head.data_vars.items():
            ds[f"headline_{name}"] = var
        ds["task"] = task.key
        return ds

    def level(i, prefix):
        if i == len(keys):
            parts = [leaf(prefix, s) for s in sweep.seeds]
            index = pd.Index(list(sweep.seeds), name="seed")
        else:
            parts = [level(i + 1, prefix + ((keys[i], v),)) for v in values[i]]
            index = pd.Index([_coordinate(v) for v in values[i]], name=dims[i])
        return xr.concat(parts, dim=index, join="outer", data_vars="all", coords="different",
                         compat="broadcast_equals", combine_attrs="override")

    ds = level(0, ())
    ds["task"].attrs["description"] = "hash of the task (its full result: tasks/<hash>.nc)"
    ds.attrs.update(kind="sweep", experiment=sweep.experiment, grid=json.dumps(dict(zip(keys, values)), default=str),
                    grid_dims=json.dumps(dims), seeds=json.dumps(list(sweep.seeds)),
                    model_file=str(sweep.model_file or ""), quick=int(sweep.quick),
                    overrides=json.dumps(list(sweep.overrides)), config=tasks[0].config, **_results.provenance(),
                    created=_results.utc_now())
    return ds.transpose(*dims, "seed", ...)


# ------------------------------------------------------------------------------------------------ figure, summary
def headline_names(ds: xr.Dataset) -> list[str]:
    """The headline metrics of a combined sweep (its ``headline_<name>`` variables), in order."""
    return [name[len("headline_"):] for name in ds.data_vars if name.startswith("headline_")]


def _metric(ds: xr.Dataset, metric: str | None) -> xr.DataArray:
    names = headline_names(ds)
    if not names:
        raise ConfigError(f"experiment {ds.attrs.get('experiment')!r} has no headline metrics to plot")
    metric = names[0] if metric is None else metric
    if metric not in names:
        raise ConfigError(f"metric={metric!r} is not a headline metric of this sweep; choose one of "
                          f"{', '.join(names)}")
    return ds[f"headline_{metric}"].rename(metric)


def _mean_sem_over_seeds(var: xr.DataArray):
    """Mean over seeds and its standard error (``None`` with a single seed)."""
    n = var.sizes["seed"]
    return var.mean("seed"), (var.std("seed", ddof=1) / np.sqrt(n) if n > 1 else None)


def _label(d, v) -> str:
    return f"{d}={float(v):g}" if isinstance(v, (float, np.floating)) else f"{d}={v}"


def _grid_dims(ds: xr.Dataset) -> list[str]:
    """The dimensions of a combined sweep that are grid keys (none for a seeds-only sweep)."""
    return json.loads(ds.attrs.get("grid_dims", "[]"))


def sweep_figure(ds: xr.Dataset, metric: str | None = None, max_panels: int = 12):
    """The metric against the first grid key: mean over seeds +/- standard error, one line per model (and per
    value of the other grid keys), one panel per value of the metric's other dimensions. Without a grid, the
    metric of every seed, with its mean (line) and standard error (band).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    var = _metric(ds, metric)
    grid_dims = _grid_dims(ds)
    x_dim = grid_dims[0] if grid_dims else "seed"
    line_dims = [d for d in var.dims if d not in (x_dim, "seed") and (d in grid_dims or d in ("model", "backend"))]
    panel_dims = [d for d in var.dims if d not in (x_dim, "seed", *line_dims)]
    n_seeds = var.sizes["seed"]
    mean, sem = _mean_sem_over_seeds(var)
    panels = list(itertools.product(*(var[d].values for d in panel_dims)))[:max_panels]
    ncols = min(4, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig = Figure(figsize=(4.2 * ncols, 3.3 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    xs = var[x_dim].values
    numeric = np.issubdtype(xs.dtype, np.number)
    positions = xs if numeric else np.arange(len(xs))
    for ax, panel in zip(axes.flat, panels):
        sel = dict(zip(panel_dims, panel))
        for line in itertools.product(*(var[d].values for d in line_dims)):
            lsel = {**sel, **dict(zip(line_dims, line))}
            label = ", ".join(_label(d, v) if d in grid_dims else str(v) for d, v in lsel.items()
                              if d in line_dims) or var.name
            if grid_dims:
                yerr = sem.sel(lsel).values if sem is not None else None
                ax.errorbar(positions, mean.sel(lsel).values, yerr=yerr, marker="o", ms=3, capsize=2,
                            lw=1.1, label=label)
                continue
            (points,) = ax.plot(positions, var.sel(lsel).values, "o", ms=4, label=label)
            centre = float(mean.sel(lsel))
            ax.axhline(centre, color=points.get_color(), lw=1.1)
            if sem is not None:
                spread = float(sem.sel(lsel))
                ax.axhspan(centre - spread, centre + spread, color=points.get_color(), alpha=0.2, lw=0)
        if grid_dims and numeric and np.all(xs > 0) and xs.max() / xs.min() >= 20:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(positions, [str(x) for x in xs], rotation=30, fontsize=7)
        if not grid_dims:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # seeds
        ax.set(xlabel=x_dim, ylabel=var.name, title=", ".join(_label(d, v) for d, v in sel.items()) or None)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, max(1, len(labels))), fontsize=7)
    description = ds[f"headline_{var.name}"].attrs.get("description", "")
    shown = (f"mean over {n_seeds} seed(s) ± SEM" if grid_dims
             else f"{n_seeds} seed(s); line: mean" + (", band: ± SEM" if sem is not None else ""))
    fig.suptitle(f"{ds.attrs['experiment']}: {var.name} ({shown})" + (f"\n{description}" if description else ""),
                 fontsize=9)
    return fig


def metric_table(ds: xr.Dataset, metric: str | None = None) -> str:
    """Markdown table of a headline metric (mean ± SEM over seeds): a row per grid point (and model), a column
    per value of the metric's other dimensions. Without a grid: a row per seed (and model), then the mean ± SEM
    over seeds."""
    var = _metric(ds, metric)
    grid_dims = _grid_dims(ds)
    mean, sem = _mean_sem_over_seeds(var)
    rows = grid_dims + [d for d in ("model", "backend") if d in var.dims]
    other = [d for d in var.dims if d not in (*rows, "seed")]
    columns = list(itertools.product(*(var[d].values for d in other))) or [()]

    def summary_cells(row):
        cells = []
        for col in columns:
            sel = {**dict(zip(rows, row)), **dict(zip(other, col))}
            cells.append(f"{float(mean.sel(sel)):.3f}" + (f" ± {float(sem.sel(sel)):.3f}" if sem is not None else ""))
        return cells

    def seed_cells(seed, row):
        return [f"{float(var.sel({'seed': seed, **dict(zip(rows, row)), **dict(zip(other, col))})):.3f}"
                for col in columns]

    labels = rows if grid_dims else ["seed", *rows]
    head = "| " + " | ".join(labels) + " | " + " | ".join(
        ", ".join(_label(d, v) for d, v in zip(other, col)) or var.name for col in columns) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    row_values = list(itertools.product(*(var[d].values for d in rows)))
    if not grid_dims:
        for seed in var["seed"].values:
            for row in row_values:
                lines.append("| " + " | ".join(str(v) for v in (seed, *row)) + " | "
                             + " | ".join(seed_cells(seed, row)) + " |")
    for row in row_values:
        first = [] if grid_dims else ["mean ± SEM" if sem is not None else "mean"]
        lines.append("| " + " | ".join([*first, *(str(_coordinate(v)) for v in row)]) + " | "
                     + " | ".join(summary_cells(row)) + " |")
    return "\n".join(lines)


def sweep_summary(ds: xr.Dataset, metric: str | None = None) -> str:
    """Markdown: the sweep, and a table of the metric (mean ± SEM over seeds) for every grid point (without a
    grid: for every seed, and its mean ± SEM)."""
    var = _metric(ds, metric)
    grid = f"Grid: `{ds.attrs['grid']}`" if _grid_dims(ds) else "No grid (every seed at one configuration)"
    where = "the first grid point" if _grid_dims(ds) else "the sweep"
    lines = [f"# Sweep of `{ds.attrs['experiment']}`", "",
             f"{grid}; seeds {ds.attrs['seeds']}; shared layers: model file "
             f"`{ds.attrs.get('model_file') or '-'}`, quick {bool(ds.attrs.get('quick'))}, --set "
             f"`{ds.attrs.get('overrides')}`. Metric `{var.name}`: "
             f"{ds[f'headline_{var.name}'].attrs.get('description', '')} (mean"
             + (" ± SEM over seeds)." if var.sizes["seed"] > 1 else ")."), "", metric_table(ds, metric), "",
             f"biokv {ds.attrs.get('biokv_version')}, numpy {ds.attrs.get('numpy_version')}, brian2 "
             f"{ds.attrs.get('brian2_version')}. Configuration of {where}: `{ds.attrs.get('config')}`; "
             "every task's own configuration is in its result file (tasks/<hash>.nc).", ""]
    return "\n".join(lines)


def write_sweep_outputs(ds: xr.Dataset, out_dir, metric: str | None = None, fmt: str = "png",
                        summary: bool = True) -> list[Path]:
    """The summary figure (and ``summary.md``) of a combined sweep."""
    out = Path(out_dir)
    name = _metric(ds, metric).name
    paths = [_results.save_figure(sweep_figure(ds, metric), out / f"sweep_{name}.{fmt}")]
    if summary:
        paths.append(_results.atomic_write_text(out / "summary.md", sweep_summary(ds, metric)))
    return paths
