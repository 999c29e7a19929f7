"""Figures of the K-winner MHN family, drawn from a result Dataset alone.

:func:`retention_figures` draws accuracy, d' and R.D. by memory age, one panel per cue level (``kwinner-retention``,
``kwinner-fanin``, ``graded-mhn``, ``mhn-retention``); :func:`structured_figures` draws d' and accuracy, one panel
per number of bit flips, and the memories' similarity (``structured-patterns``).
"""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["retention_figures", "structured_figures", "draw_accuracy", "draw_metric", "grid_figure",
           "by_cue_figure", "similarity_figure"]

_LABELS = {"raw_difference": "raw difference (R.D.)", "dprime": "d'"}


def _color(ds, model):
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    return cycle[list(ds.model.values).index(model) % len(cycle)]


def _ages(ds):
    return slice(1, int(min(ds.attrs.get("plot_max_age", ds.sizes["age"]), ds.sizes["age"])))


def draw_accuracy(ax, ds: xr.Dataset, cue: float):
    """Retrieval accuracy by age: memories (solid), pseudo-memories (dashed), random pseudo-memories (dotted)."""
    ages = _ages(ds)
    for m in ds.model.values:
        c = _color(ds, m)
        for var, ls, lw, what in (("accuracy_real", "-", 1.2, "memories"), ("accuracy_pseudo", "--", 0.8,
                                  "pseudo-memories"), ("accuracy_pseudo_random", ":", 0.8, "random pseudo")):
            if var in ds:
                y = ds[var].sel(model=m, cue=cue).sel(age=ages)
                ax.plot(y.age, y, color=c, lw=lw, ls=ls, label=f"{m}: {what}")
    ax.set(xlabel="memory age", ylabel="retrieval accuracy", ylim=(0, 1.02))
    ax.grid(alpha=0.3)


def draw_metric(ax, ds: xr.Dataset, var: str, cue: float):
    """d' or R.D. by age: mean +/- SEM across samples, significance marks, fits and theory where present."""
    ages = _ages(ds)
    comparator = ds.attrs.get("comparator")
    top = float(np.nanmax((ds[f"{var}_mean"] + ds[f"{var}_sem"]).sel(cue=cue, age=ages)))
    marks = 0
    for m in ds.model.values:
        c = _color(ds, m)
        mean = ds[f"{var}_mean"].sel(model=m, cue=cue).sel(age=ages)
        sem = ds[f"{var}_sem"].sel(model=m, cue=cue).sel(age=ages)
        ax.plot(mean.age, mean, color=c, lw=1.2, label=m)
        ax.fill_between(mean.age, mean - sem, mean + sem, color=c, alpha=0.25, lw=0)
        if m != comparator and f"significant_{var}" in ds:
            sig = ds[f"significant_{var}"].sel(model=m, cue=cue).sel(age=ages).values.astype(bool)
            marks += 1
            ax.plot(mean.age.values[sig], np.full(sig.sum(), top * (1.02 + 0.04 * marks)), "|", color=c, ms=4,
                    label=f"{m} > {comparator} (p < {ds.attrs.get('alpha')})")
        if var == "raw_difference" and "fit_C" in ds:
            C, a = float(ds["fit_C"].sel(model=m, cue=cue)), float(ds["fit_a"].sel(model=m, cue=cue))
            if np.isfinite(C) and np.isfinite(a):
                x = mean.age.values
                ax.plot(x, C * np.exp(-a * x), color=c, lw=0.8, ls="--",
                        label=f"{m}: fit C={C:.2f}, a={a:.4f} (ages 1-{ds.attrs.get('fit_max_age')})")
    if var == "raw_difference" and "theory_raw_difference" in ds:
        for tm in ds.theory_model.values:
            for b, ls in zip(ds.baseline.values, (":", "-.")):
                th = ds["theory_raw_difference"].sel(theory_model=tm, baseline=b, cue=cue).sel(age=ages)
                ax.plot(th.age, th, color="k", lw=0.9, ls=ls, label=f"{tm} theory ({b} p_b)")
    ax.axhline(0, color="0.5", lw=0.5)
    if var == "dprime":  # d' of a perfectly stored newest memory dwarfs the rest: linear near 0, log above 1
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set(xlabel="memory age", ylabel=_LABELS.get(var, var))
    ax.grid(alpha=0.3)


def grid_figure(ds: xr.Dataset, dim: str, draw, title, ncols: int = 3) -> Figure:
    """One panel per value of ``dim``; ``draw(ax, ds.sel(dim=value))``, ``title(value, subset)``."""
    values = ds[dim].values
    n = len(values)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig = Figure(figsize=(4.8 * ncols, 3.6 * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, v in zip(axes.flat, values):
        sub = ds.sel({dim: v})
        draw(ax, sub)
        ax.set_title(title(v, sub))
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)), fontsize=7)
    return fig


def by_cue_figure(ds: xr.Dataset, var: str) -> Figure:
    """Accuracy (``var="accuracy"``), d' or R.D. by age, one panel per cue level."""
    def draw(ax, sub):
        cue = float(sub.cue)
        if var == "accuracy":
            draw_accuracy(ax, ds, cue)
        else:
            draw_metric(ax, ds, var, cue)

    return grid_figure(ds, "cue", draw, lambda c, sub: f"{float(c):.0%} cues")


def similarity_figure(ds: xr.Dataset) -> Figure:
    """Mean pairwise similarity of the memories against the number of bit flips b."""
    fig = Figure(figsize=(4.5, 3.4), layout="constrained")
    ax = fig.subplots()
    sim = ds["similarity"]
    ax.errorbar(ds.flips.values, sim.mean(("sample", "run")), yerr=sim.std(("sample", "run")), fmt="o-", ms=4)
    cfg = json.loads(ds.attrs["config"])["kwinner"]
    ax.axhline(cfg["n_active"] / cfg["n_visible"], color="0.5", ls="--", lw=0.8, label="random patterns (s/n_v)")
    ax.set(xlabel="bit flips b (parent to child)", ylabel="mean pairwise similarity (overlap / s)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def retention_figures(ds: xr.Dataset) -> dict[str, Figure]:
    """``accuracy``, ``dprime`` and ``raw_difference`` by memory age, one panel per cue level."""
    return {var: by_cue_figure(ds, var) for var in ("accuracy", "dprime", "raw_difference")}


def structured_figures(ds: xr.Dataset) -> dict[str, Figure]:
    """``dprime`` and ``accuracy`` by memory age, one panel per number of bit flips b (Fig. S6, S7), and
    ``similarity``: the memories' mean pairwise similarity against b."""
    def title(b, sub):
        return f"b = {b}, similarity {float(sub['similarity'].mean()):.3f}"

    return {"dprime": grid_figure(ds, "flips", lambda ax, sub: draw_metric(ax, sub, "dprime", 1.0), title),
            "accuracy": grid_figure(ds, "flips", lambda ax, sub: draw_accuracy(ax, sub, 1.0), title),
            "similarity": similarity_figure(ds)}
