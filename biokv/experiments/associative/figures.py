"""Figures of the classical associative-memory experiments, each drawn from the result Dataset alone."""

from __future__ import annotations

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from biokv.core.associative.capacity import THEOREM_CONSTANT
from biokv.core.stats.metrics import mean_and_sem
from biokv.experiments.associative.crosstalk import reference_pairs

__all__ = ["crosstalk_figures", "hopfield_capacity_figures", "modern_capacity_figures"]


def _colors() -> list:
    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def _positive(y):
    """Values for a log axis: exact zeros (no crosstalk at all) are left out."""
    y = np.asarray(y, dtype=np.float64)
    return np.where(y > 1e-12, y, np.nan)


def crosstalk_figures(ds: xr.Dataset) -> dict:
    """``crosstalk_scaling`` (noise against N and N / d) and ``crosstalk_mitigations`` (key conditions, larger d,
    the sign readout)."""
    figs = {}
    n = ds.n_pairs.values
    cycle = _colors()
    cond = "binary" if "binary" in ds.condition.values else str(ds.condition.values[0])
    ratio = np.geomspace((n / ds.dim.values.max()).min(), (n / ds.dim.values.min()).max(), 100)
    # 1. scaling with binary keys (or the first condition)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    sub = ds.sel(condition=cond)
    for i, d in enumerate(ds.dim.values):
        c = cycle[i % len(cycle)]
        m = _positive(sub["noise_rms"].sel(dim=d).mean("run"))
        axes[0].plot(n, m, "o", ms=4, color=c, label=f"d = {d}")
        axes[0].plot(n, _positive(sub["theory_rms"].sel(dim=d)), color=c, lw=0.8)
        axes[1].plot(n / d, m, "o", ms=3, color=c, label=f"d = {d}")
    axes[1].plot(ratio, np.sqrt(ratio), "k-", lw=1, label="sqrt(N/d)")
    fit = ds.sel(condition=cond)
    axes[0].set(xscale="log", yscale="log", xlabel="stored pairs N", ylabel="rms readout noise (mean over runs)",
                title=f"{cond} keys: fit N^{float(fit.exponent_n):.3f} d^{float(fit.exponent_d):.3f}")
    axes[1].set(xscale="log", yscale="log", xlabel="N / d", ylabel="rms readout noise", title="collapse on N / d")
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    figs["crosstalk_scaling"] = fig
    # 2. mitigations: normalisation and sparse keys (A), larger d (B), threshold readout (C, D)
    d_ref = int(ds.attrs["reference_dim"])
    n_ref = reference_pairs(ds)
    fig = Figure(figsize=(11, 8.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for i, c in enumerate(ds.condition.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(condition=c)
        axes[0].plot(n, _positive(s["noise_rms"].sel(dim=d_ref).mean("run")), "o", ms=4, color=col, label=str(c))
        axes[0].plot(n, _positive(s["theory_rms"].sel(dim=d_ref)), color=col, lw=0.8)
        axes[1].plot(ds.dim.values, _positive(s["noise_rms"].sel(n_pairs=n_ref).mean("run")), "o", ms=4, color=col,
                     label=str(c))
        axes[1].plot(ds.dim.values, _positive(s["theory_rms"].sel(n_pairs=n_ref)), color=col, lw=0.8)
    axes[0].set(xscale="log", yscale="log", xlabel="stored pairs N", ylabel="rms readout noise",
                title=f"A  key conditions at d = {d_ref} (lines: theory)")
    axes[1].set(xscale="log", yscale="log", xlabel="key dimension d", ylabel="rms readout noise",
                title=f"B  larger d, N = {n_ref}")
    sub = ds.sel(condition=cond)
    for i, d in enumerate(ds.dim.values):
        col = cycle[i % len(cycle)]
        axes[2].plot(n / d, _positive(sub["noise_rms"].sel(dim=d).mean("run")), "o", ms=3, color=col,
                     label=f"linear, d = {d}")
        axes[2].plot(n / d, _positive(sub["sign_rms"].sel(dim=d).mean("run")), "s", ms=3, color=col, mfc="none",
                     label=f"sign, d = {d}")
        axes[3].plot(n / d, _positive(sub["sign_error"].sel(dim=d).mean("run")), "o", ms=3, color=col,
                     label=f"d = {d}")
        axes[3].plot(n / d, _positive(sub["theory_sign_error"].sel(dim=d)), color=col, lw=0.8)
    axes[2].plot(ratio, np.sqrt(ratio), "k-", lw=0.8, label="sqrt(N/d)")
    axes[2].set(xscale="log", yscale="log", xlabel="N / d", ylabel="rms error of the read value",
                title=f"C  linear vs sign (threshold) readout, {cond} keys")
    axes[3].set(xscale="log", yscale="log", xlabel="N / d", ylabel="bit error of the sign readout",
                title="D  sign readout: measured and exact theory")
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6, ncol=2 if ax is axes[2] else 1)
    figs["crosstalk_mitigations"] = fig
    return figs


def hopfield_capacity_figures(ds: xr.Dataset) -> dict:
    """``hopfield_capacity``: n_max against d / ln d with the fits and predictions, and the constant at each d."""
    cycle = _colors()
    fig = Figure(figsize=(11, 4.3), layout="constrained")
    axes = fig.subplots(1, 2)
    x = ds["d_over_log_d"].values
    xs = np.linspace(0, x.max() * 1.05, 100)
    for i, net in enumerate(ds.network.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(network=net)
        jitter = (i - 0.5) * 0.01 * x.max()
        for j, xv in enumerate(x):
            axes[0].plot(np.full(ds.sizes["run"], xv + jitter), s["n_max"].isel(dim=j), ".", color=col, alpha=0.25,
                         ms=3)
        m, se = mean_and_sem(s["n_max"].values.astype(float), axis=-1)
        axes[0].errorbar(x, m, yerr=se, fmt="o", color=col, ms=4, capsize=2, label=f"{net}: mean ± SEM")
        axes[0].plot(xs, float(s.fitted_constant) * xs, color=col, lw=1,
                     label=f"{net}: fit {float(s.fitted_constant):.3f} d / ln d")
        axes[0].plot(x, s["predicted_median"], "x--", color=col, lw=0.8, label=f"{net}: predicted median")
        axes[1].plot(ds.dim.values, s["constant_by_dim"], "o-", color=col, label=f"{net}: mean n_max ln d / d")
        axes[1].plot(ds.dim.values, s["predicted_median"] / x, "x--", color=col, lw=0.8,
                     label=f"{net}: predicted")
    axes[0].plot(xs, THEOREM_CONSTANT * xs, "k:", label="theorem: d / (4 ln d)")
    axes[1].axhline(THEOREM_CONSTANT, color="k", ls=":", label="theorem (d -> infinity): 1/4")
    axes[0].set(xlabel="d / ln d", ylabel="patterns stored, all exact (n_max)", title="Hopfield capacity")
    axes[1].set(xscale="log", xlabel="d", ylabel="n_max / (d / ln d)", ylim=(0, None),
                title="the constant at each d")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return {"hopfield_capacity": fig}


def modern_capacity_figures(ds: xr.Dataset) -> dict:
    """``modern_hopfield_capacity``: n_max of the modern network per beta against d (log scale), with the fits,
    the hetero-associative network and the birthday bound."""
    cycle = _colors()
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    d = ds.dim.values.astype(float)
    for i, b in enumerate(ds.beta.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(beta=b)
        for j, dv in enumerate(d):
            ax.plot(np.full(ds.sizes["run"], dv + 0.15 * i), s["n_max"].isel(dim=j), ".", color=col, alpha=0.25,
                    ms=3)
        ax.plot(d + 0.15 * i, s["n_max"].median("run"), "o", color=col, label=f"modern, beta = {b:g}: median")
        ax.plot(d, np.exp(float(s.log_intercept) + float(s.rate) * d), color=col, lw=1,
                label=f"fit exp({float(s.rate):.3f} d)")
    ax.plot(d, ds["n_max_hetero"].median("run"), "s", color="gray", ms=4, label="one-step hetero Hopfield")
    ax.plot(d, ds["duplicate_free"], "k:", label=f"until a key repeats (birthday; rate ln 2 / 2 = "
            f"{ds.attrs['rate_bound']:.3f})")
    ax.set(yscale="log", xlabel="pattern dimension d", ylabel="patterns stored, all exact (n_max)",
           title="one-step modern Hopfield network")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    return {"modern_hopfield_capacity": fig}
