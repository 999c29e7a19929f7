"""Figures of the ``case-sequence`` experiment, drawn from its result Dataset alone (Bhandarkar & McClelland 2025,
Fig. 7, S9-S11).

One colour per model family (from matplotlib's property cycle); the models with input projections are drawn
dashed, with hollow dots, and the baseline with inverse temperature 1 dotted.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from biokv.experiments.transformer.case_sequence import running_mean, smoothed_median
from biokv.experiments.transformer.config import LABELS

__all__ = ["final_accuracy_figure", "accuracy_curves_figure", "loss_figure", "weights_figure",
           "case_sequence_figures"]

# model -> (colour index in the property cycle, line style)
STYLES = {"baseline": (1, "-"), "baseline-beta1": (1, ":"), "fixed": (0, "-"), "fixed-proj": (0, "--"),
          "mhn": (2, "-"), "mhn-proj": (2, "--"), "qk": (3, "-"), "qk-proj": (3, "--")}


def _colour(model: str) -> str:
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    return colours[STYLES[model][0] % len(colours)]


def _line_style(model: str) -> str:
    return STYLES[model][1]


def _trial_dots(ax, ds: xr.Dataset, variable: str, rng: np.random.Generator) -> None:
    """One dot per trial (jittered sideways) and a line at the median over trials, one column per model."""
    for i, m in enumerate(ds.model.values):
        y = ds[variable].sel(model=m).values
        filled = _line_style(m) == "-"
        ax.scatter(i + rng.uniform(-0.15, 0.15, y.size), y, s=18, alpha=0.8, zorder=3,
                   facecolors=_colour(m) if filled else "none", edgecolors=_colour(m))
        ax.plot([i - 0.3, i + 0.3], [np.median(y)] * 2, color="k", lw=2, zorder=4)
    ax.set_xticks(range(ds.sizes["model"]), [LABELS[m] for m in ds.model.values], rotation=30, ha="right")


def final_accuracy_figure(ds: xr.Dataset) -> Figure:
    """Fig. 7A: final accuracy of every trial (dots) and the median over trials (line), per model."""
    fig = Figure(figsize=(1.1 * ds.sizes["model"] + 2.5, 4.2), layout="constrained")
    ax = fig.subplots()
    _trial_dots(ax, ds, "final_accuracy", np.random.default_rng(0))  # the generator jitters the dots only
    ax.set(ylabel=f"accuracy, mean of the last {ds.attrs['final_window']} iterations",
           title="A  final accuracy (dots: trials, line: median)")
    ax.set_ylim(min(0.45, float(ds["final_accuracy"].min()) - 0.02), 1.01)
    ax.grid(alpha=0.3, axis="y")
    return fig


def accuracy_curves_figure(ds: xr.Dataset) -> Figure:
    """Fig. 7B: median accuracy over trials by iteration (running mean)."""
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for m in ds.model.values:
        ax.plot(ds.iteration, smoothed_median(ds, "accuracy", m), color=_colour(m), ls=_line_style(m), lw=1.3,
                label=LABELS[m])
    ax.axhline(float(ds.attrs["threshold"]), color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="training iteration", ylabel="median accuracy over trials",
           title=f"B  median accuracy (running mean over {ds.attrs['smooth_window']} iterations)", ylim=(0.45, 1.01))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def loss_figure(ds: xr.Dataset) -> Figure:
    """Fig. S11: final loss per trial (A), median loss curves (B) and the fraction of context items stored in
    distinct hidden units (C)."""
    fig = Figure(figsize=(16, 4.4), layout="constrained")
    axes = fig.subplots(1, 3)
    _trial_dots(axes[0], ds, "final_loss", np.random.default_rng(0))
    for m in ds.model.values:
        style = {"color": _colour(m), "ls": _line_style(m), "lw": 1.2, "label": LABELS[m]}
        axes[1].plot(ds.iteration, smoothed_median(ds, "loss", m), **style)
        if int(ds["tf_dim"].sel(model=m)) > 0:
            stored = ds["stored_fraction"].sel(model=m).mean("trial").values
            axes[2].plot(ds.iteration, running_mean(stored, int(ds.attrs["smooth_window"])), **style)
    axes[0].set(yscale="log", ylabel=f"loss, mean of the last {ds.attrs['final_window']} iterations",
                title="A  final loss (dots: trials, line: median)")
    axes[1].set(yscale="log", xlabel="training iteration", ylabel="median loss over trials",
                title="B  median loss (running mean)")
    axes[2].set(xlabel="training iteration", ylabel="fraction of context items in distinct units",
                title="C  MHN storage without overwriting (mean over trials)", ylim=(0, 1.02))
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    axes[1].legend(fontsize=7)
    if axes[2].lines:
        axes[2].legend(fontsize=7)
    return fig


def weights_figure(ds: xr.Dataset) -> Figure:
    """Figs. S9, S10: learned W_V, the query-key matrix (W_Q^T W_K, letter-name rows x letter columns) and the
    upper-lowercase key matrix (W_K^T W_K) of one trial, one row per model."""
    trial = int(ds.attrs["figure_trial"])
    L = int(ds.attrs["n_letters"])
    names = list(ds.token.values)
    n_models = ds.sizes["model"]
    fig = Figure(figsize=(15, 2.3 * n_models + 0.6), layout="constrained")
    axes = fig.subplots(n_models, 3, gridspec_kw={"width_ratios": [3 * L, 2 * L, L]}, squeeze=False)
    for r, m in enumerate(ds.model.values):
        sub = ds.sel(model=m, trial=trial)
        W_Q, W_K, W_V = sub["W_Q"].values, sub["W_K"].values, sub["W_V"].values
        qk = W_Q.T @ W_K
        kk = W_K.T @ W_K
        panels = ((W_V, names, ["lower", "upper"], "W_V"),
                  (qk[2 * L:, :2 * L], names[:2 * L], names[2 * L:], "queries x keys (W_Q^T W_K)"),
                  (kk[L:2 * L, :L], names[:L], names[L:2 * L], "upper x lower keys (W_K^T W_K)"))
        for c, (matrix, x_labels, y_labels, title) in enumerate(panels):
            ax = axes[r, c]
            lim = max(float(np.abs(matrix).max()), 1e-9)
            im = ax.imshow(matrix, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
            ax.set_xticks(range(len(x_labels)), x_labels, fontsize=7)
            ax.set_yticks(range(len(y_labels)), y_labels, fontsize=7)
            ax.set_title(f"{LABELS[m]}: {title}", fontsize=9)
            fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    fig.suptitle(f"learned matrices, trial {trial}")
    return fig


def case_sequence_figures(ds: xr.Dataset) -> dict:
    """Every figure of the experiment: {file stem: Figure}."""
    return {"fig7a_final_accuracy": final_accuracy_figure(ds), "fig7b_accuracy_curves": accuracy_curves_figure(ds),
            "figS11_loss": loss_figure(ds), "figS9_S10_weights": weights_figure(ds)}
