"""Figures of the hippocampal experiments (``spiking-recall``, ``spiking-kwinner``, ``compare-bio``), each drawn
from a result Dataset alone with matplotlib's object-oriented API."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from biokv.core.stats.forgetting_laws import law_curve

__all__ = ["spiking_agreement_figures", "spiking_recall_figures", "spiking_kwinner_figures", "compare_bio_figures"]


def spiking_recall_figures(ds: xr.Dataset) -> dict:
    """``raster``: spikes of every population in the first encoding and recall presentations;
    ``recall_by_age``: recall accuracy by age of both backends, one panel per cue level."""
    pops = list(ds.population.values)
    fig = Figure(figsize=(11, 2.2 * len(pops)), layout="constrained")
    axes = fig.subplots(len(pops), 2, sharex="col", squeeze=False)
    T, P, k = ds.attrs["slot_s"], ds.attrs["n_encode"], ds.attrs["raster_presentations"]
    for r, name in enumerate(pops):
        i, t = ds[f"spikes_{name}_i"].values, ds[f"spikes_{name}_t"].values
        for c, (a, title) in enumerate(((0.0, "encoding"), (P * T, "recall"))):
            sel = (t >= a) & (t < a + k * T)
            ax = axes[r, c]
            ax.plot((t[sel] - a) * 1e3, i[sel], "|", ms=2, color="k")
            for b in range(1, k):
                ax.axvline(b * T * 1e3, color="0.7", lw=0.5)
            ax.set(ylabel=f"{name} cell", title=f"{name}, first {k} {title} presentations")
    for ax in axes[-1]:
        ax.set_xlabel("time in the window (ms)")
    acc = Figure(figsize=(5.5 * ds.sizes["cue"], 3.6), layout="constrained")
    for c, cue in enumerate(ds.cue.values):
        ax = acc.add_subplot(1, ds.sizes["cue"], c + 1)
        for backend, style in (("spiking", "-"), ("rate", "--")):
            y = ds["recall_accuracy"].sel(backend=backend, cue=cue)
            ax.plot(ds.age, y, style, lw=1, label=f"{backend} ({float(y.mean()):.2f})")
        ax.set(title=f"{cue:.0%} cues", xlabel="age (pairs stored since)", ylabel="recall accuracy", ylim=(0, 1.02))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return {"raster": fig, "recall_by_age": acc}


def spiking_kwinner_figures(ds: xr.Dataset) -> dict:
    """``raw_difference`` and ``dprime``: R.D. and d' by age of the three models (moving averages), one panel per
    cue level."""
    width = max(1, ds.sizes["age"] // 40)  # moving average over ages for legibility
    kernel = np.ones(width) / width
    out = {}
    for var, label in (("raw_difference", "R.D."), ("dprime", "d'")):
        fig = Figure(figsize=(5.5 * ds.sizes["cue"], 3.8), layout="constrained")
        axes = fig.subplots(1, ds.sizes["cue"], squeeze=False)
        for ax, cue in zip(axes[0], ds.cue.values):
            for model, style in zip(ds.model.values, ("-", "--", ":")):
                y = np.nan_to_num(ds[var].sel(model=model, cue=cue).values)  # undefined d' (all runs equal): 0
                ax.plot(ds.age.values[width - 1:], np.convolve(y, kernel, mode="valid"), style, lw=1.2, label=model)
            ax.set(xscale="log", title=f"{cue:.0%} cues", xlabel="age (memories stored since)",
                   ylabel=f"{label} (moving average over {width} ages)")
            if var == "dprime":
                ax.set_yscale("symlog", linthresh=1.0)
            ax.axhline(0, color="0.6", lw=0.6)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        out[var] = fig
    return out


def compare_bio_figures(ds: xr.Dataset) -> dict:
    """``separation_completion``: output change against input change per stage (identity line: neither);
    ``rate_distributions``: log rates of the active cells with the fitted log-normal; ``forgetting_laws``: recall
    above chance by age with the fitted laws."""
    figs = {}
    fig = Figure(figsize=(4.2 * len(ds.stage), 4), layout="constrained")
    axes = fig.subplots(1, len(ds.stage))
    x = 1 - ds["input_correlation"].values
    for ax, stage in zip(np.atleast_1d(axes), ds.stage.values):
        ax.plot([0, 1.15], [0, 1.15], color="0.6", lw=0.8, label="identity")
        for b, style in (("spiking", "o-"), ("rate", "s--")):
            y = 1 - ds["output_correlation"].sel(backend=b, stage=stage).values
            ax.plot(x, y, style, ms=4, lw=1.2, label=b)
        ax.set(title=stage, xlabel="input change (1 - EC correlation)", ylabel="output change (1 - correlation)",
               xlim=(-0.02, 1.15), ylim=(-0.02, 1.15), aspect="equal")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Pattern separation and completion (above identity: separation; below: completion)")
    figs["separation_completion"] = fig

    pops = list(ds.population.values)
    fig = Figure(figsize=(4 * len(pops), 3.4), layout="constrained")
    axes = fig.subplots(1, len(pops))
    for ax, pop in zip(np.atleast_1d(axes), pops):
        r = ds[f"cell_rate_{pop}"].values
        active = r[r > 0]
        if active.size:
            logs = np.log10(active)
            ax.hist(logs, bins=30, density=True, color="0.6")
            mu, sigma = (float(ds["rate_statistics"].sel(population=pop, statistic=s))
                         for s in ("lognormal_mu", "lognormal_sigma"))
            if np.isfinite(mu) and sigma > 0:
                g = np.linspace(logs.min() - 0.3, logs.max() + 0.3, 200)
                ln = g * np.log(10)  # density of log10(rate) under the fitted log-normal
                ax.plot(g, np.log(10) * np.exp(-(ln - mu) ** 2 / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi)),
                        "k-", lw=1, label=f"log-normal fit (sigma {sigma:.2f})")
                ax.legend(fontsize=8)
        silent = float(ds["rate_statistics"].sel(population=pop, statistic="silent_fraction"))
        ax.set(title=f"{pop}: {silent:.0%} silent", xlabel="log10 rate (Hz) of active cells", ylabel="density")
    figs["rate_distributions"] = fig

    fig = Figure(figsize=(10, 3.8), layout="constrained")
    axes = fig.subplots(1, 2)
    chance = ds.attrs["chance"]
    for ax, b, age in zip(axes, ("spiking", "rate"), ("age_spiking", "age_rate")):
        t = ds[age].values
        y = (ds[f"recall_{b}"].values - chance) / (1 - chance)
        ax.plot(t, y, ".", color="0.4", ms=3, label="recall above chance")
        for law in ds.law.values:
            p = {k: float(v) for k, v in zip(ds.law_param.values, ds["fit_params"].sel(backend=b, law=law).values)
                 if np.isfinite(v)}
            aic = float(ds["fit_aic"].sel(backend=b, law=law))
            ax.plot(t, law_curve(str(law), p, t), lw=1.2, label=f"{law} (AIC {aic:.0f})")
        ax.set(xscale="log", title=f"{b}: forgetting by age", xlabel="age (memories stored since)",
               ylabel="(accuracy - chance) / (1 - chance)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figs["forgetting_laws"] = fig
    return figs


def spiking_agreement_figures(ds: xr.Dataset) -> dict:
    """Recall accuracy by age bin of both backends at each size (mean and 95% CI over seeds)."""
    fig = Figure(figsize=(4 * ds.sizes["size"], 3.2), layout="constrained")
    axes = fig.subplots(1, ds.sizes["size"], squeeze=False)[0]
    edges = list(ds.attrs["age_bin_edges"])
    x = np.arange(ds.sizes["age_bin"])
    for ax, size in zip(axes, ds["size"].values):
        d = ds.sel(size=size)
        for b, style in (("spiking", "o-"), ("rate", "s--")):
            ax.errorbar(x, d["recall_accuracy_mean"].sel(backend=b), yerr=d["recall_accuracy_ci95"].sel(backend=b),
                        fmt=style, capsize=3, label=b)
        ax.set_xticks(x, [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])])
        ax.set_xlabel("age (memories stored since + 1)")
        ax.set_title(f"{size:g}x size, CA3 Jaccard {float(d['ca3_jaccard_mean']):.2f}")
        ax.set_ylim(0, 1.05)
    axes[0].set_ylabel("recall accuracy")
    axes[0].legend(frameon=False)
    return {"agreement_by_age": fig}
