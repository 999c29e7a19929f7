"""Figures of ``spiking-emax``, drawn from a result Dataset alone with matplotlib's object-oriented API."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["spiking_emax_figures"]


def spiking_emax_figures(ds: xr.Dataset) -> dict:
    """``winners_vs_spread``: winners of the first gamma cycle against the spread of the drive (every run, their
    mean) with the E%-max prediction and its expectation for uniform drives, n min(1, E / spread);
    ``spiking_vs_emax``: winners of every layer against the E%-max prediction (identity line: agreement)."""
    spread, e, n = ds.spread.values, float(ds["e_fit"]), ds.attrs["n_cells"]
    winners, predicted = ds["winners"].values, ds["e_max_prediction"].values
    fig = Figure(figsize=(5.5, 4), layout="constrained")
    ax = fig.add_subplot()
    for r in range(ds.sizes["run"]):
        ax.plot(spread, winners[:, r], ".", color="0.7", ms=5, label="spiking, each run" if r == 0 else None)
    ax.plot(spread, winners.mean(1), "ko-", ms=5, lw=1.2, label="spiking, mean over runs")
    ax.plot(spread, predicted.mean(1), "s--", color="tab:red", ms=4, lw=1.2, label=f"E%-max, E = {e:.3f}")
    grid = np.linspace(spread.min(), spread.max(), 200)
    ax.plot(grid, n * np.minimum(1, e / grid), ":", color="tab:red", lw=1, label="n min(1, E / spread)")
    ax.set(xlabel="spread of the drive", ylabel="winners of the first gamma cycle", yscale="log",
           title=f"{n} cells, drive max {ds.attrs['drive_max_mv']:g} mV")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    scatter = Figure(figsize=(4.5, 4.2), layout="constrained")
    ax = scatter.add_subplot()
    low = max(1.0, 0.8 * min(winners.min(), predicted.min()))
    top = max(winners.max(), predicted.max(), 1) * 1.2
    ax.plot([low, top], [low, top], color="0.6", lw=0.8, label="identity")
    for s, value in enumerate(spread):
        ax.plot(predicted[s], winners[s], "o", ms=4, label=f"spread {value:g}")
    ax.set(xscale="log", yscale="log", xlabel=f"E%-max winners (E = {e:.3f})", ylabel="spiking winners",
           title="spiking vs E%-max, every layer")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    return {"winners_vs_spread": fig, "spiking_vs_emax": scatter}
