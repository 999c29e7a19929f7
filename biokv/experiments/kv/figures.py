"""Figures of the key-value memory experiments (Gershman, Fiete & Irie 2025, Figs. 2 and 3), each drawn from the
result Dataset alone."""

from __future__ import annotations

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from biokv.core.stats.metrics import mean_and_sem
from biokv.experiments.kv.config import TASKS
from biokv.experiments.kv.optimization import stored_contents

__all__ = ["kv_optimization_figures", "trajectories_figure", "metrics_figure", "forgetting_figures",
           "accuracy_by_epoch_figure", "accuracy_by_beta_figure"]


def _colors() -> list:
    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def _event_block(ds: xr.Dataset, n_classes: int, run: int = 0):
    """Keys, stored contents sigmoid(v) (both (step, event, 2)) and labels of the events of one run."""
    sub = ds.sel(classes=n_classes).isel(run=run)
    n = int(sub["n_events"])
    return (sub["keys"].values[:, :n].astype(np.float64),
            stored_contents(sub["values"].values[:, :n].astype(np.float64)), sub["label"].values[:n])


def _square_limits(points, margin=0.05):
    """Equal x and y spans around all ``points`` (..., 2)."""
    flat = points.reshape(-1, points.shape[-1])
    lo, hi = np.nanmin(flat, axis=0), np.nanmax(flat, axis=0)
    half = 0.5 * (1.0 + 2 * margin) * max(float(np.max(hi - lo)), 1e-6)
    mid = 0.5 * (lo + hi)
    return (mid[0] - half, mid[0] + half), (mid[1] - half, mid[1] + half)


def trajectories_figure(ds: xr.Dataset, run: int = 0) -> Figure:
    """Per number of classes, a block of keys (top row) and values sigmoid(v) (bottom row): the random
    initialisation, the trajectories during optimisation (final positions in gray) and the final configuration."""
    blocks = list(ds.classes.values)
    fig = Figure(figsize=(11.5, 7.4 * len(blocks)), layout="constrained")
    subfigs = np.atleast_1d(fig.subfigures(len(blocks), 1))
    cycle = _colors()
    for b, (sf, n_classes) in enumerate(zip(subfigs, blocks)):
        keys, sig, labels = _event_block(ds, int(n_classes), run)
        axes = sf.subplots(2, 3)
        sf.suptitle(f"{chr(ord('A') + b)}   {int(n_classes)} classes ({labels.size} events), run {run}, "
                    f"steps 0-{int(ds.step[-1])}", x=0.02, ha="left", fontweight="bold")
        feats = ds["feature"].values[:int(n_classes)]
        for row, (pts, what) in enumerate(((keys, "key"), (sig, "sigmoid(value)"))):
            ax0, ax1, ax2 = axes[row]
            for c in range(int(n_classes)):
                m = labels == c
                color = cycle[c % len(cycle)]
                name = f"class {c} {tuple(int(x) for x in feats[c])}"
                ax0.scatter(pts[0, m, 0], pts[0, m, 1], s=7, color=color, label=name)
                ax1.plot(pts[:, m, 0], pts[:, m, 1], color=color, lw=0.4, alpha=0.45)
                ax2.scatter(pts[-1, m, 0], pts[-1, m, 1], s=7, color=color, label=name)
            ax1.scatter(pts[-1, :, 0], pts[-1, :, 1], s=5, color="0.55", zorder=3)
            if row == 1:
                for ax in (ax0, ax1, ax2):
                    ax.scatter(feats[:, 0], feats[:, 1], marker="*", s=140, color="k", zorder=4,
                               label="class features")
                    ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
            else:
                xlim, ylim = _square_limits(pts)
                for ax in (ax1, ax2):
                    ax.set(xlim=xlim, ylim=ylim)
                ax0.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
            titles = ("random initialisation", "trajectories (final positions gray)", "final configuration")
            for ax, title in zip((ax0, ax1, ax2), titles):
                ax.set(title=f"{what}s: {title}" if row == 0 else f"values: {title}",
                       xlabel=f"{what} component 1", ylabel=f"{what} component 2")
                ax.set_aspect("equal", adjustable="box")
                ax.grid(alpha=0.3)
        axes[1, 0].legend(fontsize=7, loc="lower left")
    return fig


def metrics_figure(ds: xr.Dataset) -> Figure:
    """Loss, key separation, value and retrieval error and within-class attention by step (mean over runs, band:
    range over runs), one line per number of classes."""
    panels = (("loss", ("loss",), "loss (MSE)"),
              ("separation", ("nearest_centroid_accuracy", "silhouette"), "key separation index"),
              ("error", ("value_error", "retrieval_error"), "distance to class feature"),
              ("attention", ("within_class_attention",), "attention on own class"))
    fig = Figure(figsize=(4.2 * len(panels), 3.6), layout="constrained")
    axes = fig.subplots(1, len(panels))
    cycle = _colors()
    styles = ("-", "--")
    labels = {"nearest_centroid_accuracy": "nearest-centroid acc.", "silhouette": "silhouette",
              "value_error": "sigmoid(v)", "retrieval_error": "retrieved", "loss": "", "within_class_attention": ""}
    for ax, (_, names, ylabel) in zip(axes, panels):
        for i, n_classes in enumerate(ds.classes.values):
            for name, ls in zip(names, styles):
                y = ds[name].sel(classes=n_classes)
                color = cycle[i % len(cycle)]
                label = f"{int(n_classes)} classes" + (f": {labels[name]}" if labels[name] else "")
                ax.plot(ds.step, y.mean("run"), color=color, ls=ls, lw=1.2, label=label)
                ax.fill_between(ds.step, y.min("run"), y.max("run"), color=color, alpha=0.2, lw=0)
                if name == "within_class_attention":
                    ax.axhline(1.0 / int(n_classes), color=color, lw=0.7, ls=":")
        ax.set(xlabel="Adam step", ylabel=ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_yscale("log")
    axes[1].set_ylim(top=1.02)
    return fig


def kv_optimization_figures(ds: xr.Dataset) -> dict:
    """``trajectories`` (run 0) and ``metrics`` of ``kv-optimization``."""
    return {"trajectories": trajectories_figure(ds), "metrics": metrics_figure(ds)}


def _task_colors() -> dict:
    return dict(zip(TASKS, _colors()[:2]))


def _task_label(ds, task) -> str:
    sub = ds.sel(task_name=task)
    return f"{task.replace('task', 'Task ')} ({str(sub.dataset.values)} {str(sub.classes.values)})"


def _draw_runs(ax, x, runs: np.ndarray, color, label, dashed=None):
    """Mean ± SEM over runs (axis 0) with every run faint; ``dashed``: a second curve's mean, dashed."""
    mean, sem = mean_and_sem(runs, axis=0)
    for r in runs:
        ax.plot(x, r, color=color, lw=0.6, alpha=0.25)
    ax.fill_between(x, mean - sem, mean + sem, color=color, alpha=0.25, lw=0)
    ax.plot(x, mean, "o-", color=color, lw=1.6, ms=3, label=label)
    if dashed is not None:
        ax.plot(x, dashed.mean(axis=0), "--", color=color, lw=1.0, label=f"{label}: within-task readout")


def accuracy_by_epoch_figure(ds: xr.Dataset) -> Figure:
    """Test accuracy of both tasks per epoch: Task 1 is forgotten while Task 2 is learnt (Fig. 3A)."""
    colors = _task_colors()
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.subplots()
    for task in TASKS:
        _draw_runs(ax, ds.epoch.values, ds["accuracy"].sel(task_name=task).values, colors[task],
                   _task_label(ds, task), ds["accuracy_within_task"].sel(task_name=task).values)
    switch = ds.attrs.get("switch_epoch")
    if switch is not None:
        ax.axvline(switch, color="0.4", ls=":", lw=1.0)
        ax.text(switch + 0.1, 0.5, "Task 2 starts", rotation=90, va="center", fontsize=8, color="0.3")
    ax.set(xlabel="epoch (0: before training)", ylabel="test accuracy", ylim=(-0.02, 1.02),
           title=f"Forgetting (lr {ds.attrs.get('learning_rate')}, {ds.sizes['run']} runs, mean ± SEM)")
    ax.set_xticks(ds.epoch.values)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def accuracy_by_beta_figure(ds: xr.Dataset) -> Figure:
    """Test accuracy of both tasks after Task 2 against the scale beta of the Task-1 key-value pairs (Fig. 3B)."""
    colors = _task_colors()
    switch = ds.attrs.get("switch_epoch")
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.subplots()
    for task in TASKS:
        _draw_runs(ax, ds.beta.values, ds["beta_accuracy"].sel(task_name=task).values, colors[task],
                   _task_label(ds, task), ds["beta_accuracy_within_task"].sel(task_name=task).values)
    after1 = float(ds["accuracy"].sel(task_name="task1", epoch=int(switch) if switch is not None else 0).mean())
    ax.axhline(after1, color=colors["task1"], ls=":", lw=1.0, label=f"Task 1 after Task 1 (epoch {switch})")
    ax.axvline(1.0, color="0.4", ls=":", lw=1.0)
    ax.text(1.03, 0.5, "trained network", rotation=90, va="center", fontsize=8, color="0.3")
    ax.set(xlabel="beta (scale of every Task-1 key-value pair)", ylabel="test accuracy after Task 2",
           ylim=(-0.02, 1.02), title="Reactivation: Task-1 keys amplified by beta")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center right")
    return fig


def forgetting_figures(ds: xr.Dataset) -> dict:
    """``accuracy_by_epoch`` and ``accuracy_by_beta`` of ``forgetting-reactivation``."""
    return {"accuracy_by_epoch": accuracy_by_epoch_figure(ds), "accuracy_by_beta": accuracy_by_beta_figure(ds)}
