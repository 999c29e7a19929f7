"""Figures of the prediction experiments, each drawn from the result Dataset alone (matplotlib's object-oriented
API: no backend is selected)."""

from __future__ import annotations

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["intervention_figures", "storage_figures", "capacity_figures"]


def _colors() -> list:
    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def intervention_figures(ds: xr.Dataset) -> dict:
    """``effects``: per measure, control and intervention of every seed (grey) and their means with the effect and
    its 95% CI, per backend."""
    colors = _colors()
    measures = list(ds.measure.values)
    fig = Figure(figsize=(3.3 * len(measures), 3.6), layout="constrained")
    axes = fig.subplots(1, len(measures), squeeze=False)
    for ax, m in zip(axes[0], measures):
        for j, b in enumerate(ds.backend.values):
            c = ds[f"control_{b}"].sel(measure=m).values if f"control_{b}" in ds else []
            v = ds[f"intervention_{b}"].sel(measure=m).values if f"intervention_{b}" in ds else []
            x = np.array([0, 1]) + 2.5 * j
            for a, bb in zip(c, v):
                ax.plot(x, [a, bb], color="0.7", lw=0.6)
            e = ds.sel(backend=b, measure=m)
            ax.errorbar(x, [float(e["control_mean"]), float(e["intervention_mean"])], fmt="o-",
                        color=colors[j % len(colors)],
                        label=f"{b}: {float(e['effect']):+.3f} [{float(e['effect_ci_low']):+.3f}, "
                              f"{float(e['effect_ci_high']):+.3f}]")
        ax.set_xticks([0, 1, 2.5, 3.5][:2 * ds.sizes["backend"]],
                      ["control", "interv."] * ds.sizes["backend"], fontsize=8)
        ax.set_title(m, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(ds.attrs.get("prediction", ""), fontsize=9)
    return {"effects": fig}


def storage_figures(ds: xr.Dataset) -> dict:
    """``effects``: the old-memory effect (K-winner - 1-winner) against k per pattern similarity, and recall by
    age of every model on the first pattern set."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = fig.subplots(1, 2)
    for i, sim in enumerate(ds.similarity.values):
        e = ds.sel(similarity=sim)
        err = np.stack([e["effect"] - e["effect_ci_low"], e["effect_ci_high"] - e["effect"]])
        axes[0].errorbar(ds.k.values, e["effect"], yerr=err, marker="o", capsize=3, label=str(sim))
    axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set(xscale="log", xlabel="k (winners)", ylabel="old-memory recall: K-winner - 1-winner",
                title=f"effect (95% CI), ages > {ds.attrs['old_age']}")
    axes[0].legend(fontsize=8)
    sim = ds.similarity.values[0]
    for m in ds.model.values:
        axes[1].plot(ds.age, ds["accuracy_by_age"].sel(similarity=sim, model=m), lw=1, label=str(m))
    axes[1].set(xlabel="age", ylabel="recall accuracy", title=f"recall by age ({sim} patterns)", ylim=(0, 1.02))
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    return {"effects": fig}


def capacity_figures(ds: xr.Dataset) -> dict:
    """``capacity``: memories recalled at the criterion against CA3 size from full keys and from partial cues,
    per scaling with (solid) and without (dashed) recurrents, with the fitted exponents and the overwrite estimate
    1 / (a eps) (dotted); and against the recurrent connection probability at one size, with c / a^2. Error bars:
    95% t intervals over runs."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter
    from scipy import stats

    def mean_ci(values: xr.DataArray):
        n = values.sizes["run"]
        half = stats.t.ppf(0.975, n - 1) * values.std("run", ddof=1) / np.sqrt(n)
        return values.mean("run"), half

    colors = _colors()
    fig = Figure(figsize=(15, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    n = ds.n_ca3.values
    for ax, cue in zip(axes[:2], ds.cue.values):
        for i, sc in enumerate(ds.scaling.values):
            color = colors[i % len(colors)]
            for rc, style in zip(ds.recurrents.values, ("-", "--")):
                e = ds.sel(scaling=sc, recurrents=rc, cue=cue)
                mean, half = mean_ci(e["capacity"])
                label = (f"{sc}, {rc} rc: b = {float(e['exponent']):.2f} [{float(e['exponent_ci_low']):.2f}, "
                         f"{float(e['exponent_ci_high']):.2f}]")
                ax.errorbar(n, mean, yerr=half, marker="o" if rc == "with" else "s", ls=style, capsize=3,
                            color=color, label=label)
            ax.plot(n, ds["overwrite_estimate"].sel(scaling=sc), ":", color=color, lw=1, label=f"{sc}: 1 / (a eps)")
        title = "full keys" if cue == "full" else f"partial cues ({ds.attrs['cue_level']:g} of the key)"
        ax.set(xscale="log", yscale="log", xlabel="CA3 cells",
               ylabel=f"memories recalled >= {ds.attrs['criterion']:g}", title=title)
        ax.set_xticks(n, [str(v) for v in n])
        ax.legend(fontsize=6.5)
    ax = axes[2]
    p = ds.rc_probability.values
    for j, cue in enumerate(ds.cue.values):
        color = colors[(j + 2) % len(colors)]
        mean, half = mean_ci(ds["probability_capacity"].sel(recurrents="with", cue=cue))
        ax.errorbar(p, mean, yerr=half, marker="o", capsize=3, color=color, label=f"{cue}, with rc")
        ax.axhline(float(ds["probability_capacity"].sel(recurrents="without", cue=cue).mean()), color=color,
                   ls="--", lw=1, label=f"{cue}, without rc")
    ax.plot(p, ds["probability_c_over_a2"], ":", color="0.4", label="c / a^2")
    ax.set(xscale="log", yscale="log", xlabel="recurrent connection probability c",
           ylabel=f"memories recalled >= {ds.attrs['criterion']:g}",
           title=f"n_CA3 = {ds.attrs['probability_n_ca3']}, k = {ds.attrs['probability_k']}")
    ax.set_xticks(p, [f"{v:g}" for v in p])
    ax.legend(fontsize=7)
    for ax in axes:
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(alpha=0.3, which="both")
    return {"capacity": fig}
