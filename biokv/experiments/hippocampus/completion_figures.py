"""Figures of ``ca3-completion``, drawn from its result Dataset alone with matplotlib's object-oriented API."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["ca3_completion_figures"]

_STYLE = {"on": ("o-", "C0", "recurrents on"), "off": ("s--", "C1", "recurrents off")}

#: curves of the separation / completion figure: measure, condition (None: no recurrents dimension), style
_CURVES = (("dg_correlation", None, ("^-", "C2", "DG (fixed EC -> DG weights)")),
           ("encoding_correlation", "on", ("D-", "C3", "CA3 at encoding, recurrents on")),
           ("encoding_correlation", "off", ("d--", "C4", "CA3 at encoding, recurrents off")),
           ("output_correlation", "on", ("o-", "C0", "CA3 at recall, recurrents on")),
           ("output_correlation", "off", ("s--", "C1", "CA3 at recall, recurrents off")))


def _samples(ds: xr.Dataset, backend: str) -> str:
    return (f"{ds.sizes['run']} networks" if backend == "rate" else
            f"{ds.sizes['seed']} seeds, one network")


def ca3_completion_figures(ds: xr.Dataset) -> dict:
    """``completion_by_cue``: recall accuracy (top) and CA3 completion (bottom) against cue level, recurrents on
    and off, one column per backend (mean and 95% CI); ``separation_completion``: against the EC input
    correlation of morphed keys, with the identity line (above: completion, below: separation), the DG
    correlation, the CA3 correlation when the morph is encoded as a new memory (rate twin) and when it is
    recalled, recurrents on and off, one panel per backend (mean and 95% CI over networks / seeds, the pairs of
    every network / seed as faint points)."""
    backends = list(ds.backend.values)
    fig = Figure(figsize=(4.6 * len(backends), 6.4), layout="constrained")
    axes = fig.subplots(2, len(backends), sharex=True, squeeze=False)
    for c, backend in enumerate(backends):
        for r, (name, label) in enumerate((("accuracy", "recall accuracy"), ("completion", "CA3 completion"))):
            ax = axes[r, c]
            for cond in ds.recurrents.values:
                style, color, text = _STYLE[str(cond)]
                ax.errorbar(ds.cue.values, ds[f"{name}_mean"].sel(backend=backend, recurrents=cond),
                            yerr=ds[f"{name}_ci95"].sel(backend=backend, recurrents=cond), fmt=style, color=color,
                            capsize=3, ms=4, label=text)
            if name == "accuracy":  # a random value of s_CTX cells shares s_CTX^2 / n_CTX with the stored one
                ax.axhline(ds.attrs["s_ctx"] / ds.attrs["n_ctx"], color="0.6", lw=0.8, ls=":", label="chance")
            ax.set(ylim=(0, 1.02), ylabel=label)
            ax.grid(alpha=0.3)
            if r == 0:
                ax.set_title(f"{backend} ({_samples(ds, backend)})")
            else:
                ax.set_xlabel("cue level (fraction of the key's EC cells)")
        axes[0, c].legend(fontsize=8, loc="lower right")
    figs = {"completion_by_cue": fig}

    fig = Figure(figsize=(5.2 * len(backends), 5.2), layout="constrained")
    axes = fig.subplots(1, len(backends), squeeze=False)[0]
    for ax, backend in zip(axes, backends):
        sample = "run" if backend == "rate" else "seed"
        x_pairs = ds[f"{backend}_input_correlation"].transpose(sample, "morph", "pair")
        ax.plot([-1, 1], [-1, 1], color="0.5", lw=0.8, label="identity")
        for name, cond, (style, color, text) in _CURVES:
            if f"{backend}_{name}" not in ds:
                continue
            y_pairs = ds[f"{backend}_{name}"]
            mean, half = ds[f"{name}_mean"].sel(backend=backend), ds[f"{name}_ci95"].sel(backend=backend)
            if cond is not None:
                y_pairs, mean, half = (v.sel(recurrents=cond) for v in (y_pairs, mean, half))
            if not np.isfinite(mean.values).any():
                continue
            ax.plot(x_pairs.values.ravel(), y_pairs.transpose(sample, "morph", "pair").values.ravel(), ".",
                    color=color, ms=2, alpha=0.12)
            ax.errorbar(ds["input_correlation_mean"].sel(backend=backend), mean,
                        xerr=ds["input_correlation_ci95"].sel(backend=backend), yerr=half, fmt=style, color=color,
                        capsize=3, ms=4, label=text)
        if not np.isfinite(ds[f"{backend}_output_correlation"].values).any():
            ax.text(0.5, 0.3, "no CA3 output correlation defined:\nthe CA3 codes hold no cells", ha="center",
                    transform=ax.transAxes, fontsize=9, color="0.3")
        if f"{backend}_encoding_correlation" not in ds:
            ax.text(0.97, 0.03, "CA3 at encoding not measured:\nthe morphs are presented at recall only",
                    ha="right", va="bottom", transform=ax.transAxes, fontsize=8, color="0.3")
        low = min(-0.2, float(np.nanmin(x_pairs)) - 0.05)
        ax.set(xlim=(low, 1.02), ylim=(low, 1.02), aspect="equal", title=f"{backend} ({_samples(ds, backend)})",
               xlabel="EC input correlation (morphed key, stored key)",
               ylabel="output correlation (morph's code, key's stored code)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Morphed keys: completion (above the identity), separation (below)\nencoding: stored as a new "
                 "memory; recall: weights frozen", fontsize=10)
    figs["separation_completion"] = fig
    return figs
