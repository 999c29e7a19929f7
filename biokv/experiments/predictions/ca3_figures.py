"""Figures of ``predict-gating``, drawn from the result Dataset alone (matplotlib's object-oriented API: no backend
is selected): the per-measure panels of every intervention and the 2x2 of effects per hypothesis."""

from __future__ import annotations

import matplotlib
import xarray as xr
from matplotlib.figure import Figure

from biokv.experiments.predictions.figures import intervention_figures
from biokv.experiments.predictions.gating import gating_measure

__all__ = ["gating_figures"]


def gating_figures(ds: xr.Dataset) -> dict:
    """``effects`` (:func:`~biokv.experiments.predictions.figures.intervention_figures`) and ``dissociation``: per
    hypothesis, the effect of each block on recall with its 95% CI, by pathway and stage, per backend."""
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    hyps = list(ds.hypothesis.values)
    fig = Figure(figsize=(4.2 * len(hyps), 3.8), layout="constrained")
    axes = fig.subplots(1, len(hyps), squeeze=False, sharey=True)[0]
    stages = ("encoding", "retrieval")
    width = 0.8 / (len(stages) * ds.sizes["backend"])
    for ax, hyp in zip(axes, hyps):
        for p, proj in enumerate(ds.pathway.values):
            for t, stage in enumerate(stages):
                for j, b in enumerate(ds.backend.values):
                    e = ds.sel(backend=b, measure=gating_measure(hyp, proj, stage))
                    x = p + (t * ds.sizes["backend"] + j - (len(stages) * ds.sizes["backend"] - 1) / 2) * width
                    eff = float(e["effect"])
                    err = [[eff - float(e["effect_ci_low"])], [float(e["effect_ci_high"]) - eff]]
                    ax.bar([x], [eff], width, yerr=err, capsize=2, color=colors[t % len(colors)],
                           alpha=1.0 if j == 0 else 0.5, hatch=None if j == 0 else "//",
                           label=f"{stage} ({b})" if p == 0 else None)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_xticks(range(ds.sizes["pathway"]), [f"{p} blocked" for p in ds.pathway.values])
        verdict = ["no", "yes"]
        ax.set_title(f"{hyp}: dissociation reproduced? " + ", ".join(
            f"{b}: {verdict[int(ds['reproduces_dissociation'].sel(backend=b, hypothesis=hyp))]}"
            for b in ds.backend.values), fontsize=9)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("effect on recall (block - intact), 95% CI")
    axes[0].legend(fontsize=7, title="block at", title_fontsize=7)
    return {"effects": intervention_figures(ds)["effects"], "dissociation": fig}
