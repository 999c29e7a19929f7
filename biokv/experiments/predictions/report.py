"""Markdown summaries of the prediction experiments, each written from the result Dataset alone (the headline
metrics are the effect variables: :func:`biokv.experiments.predictions.effects.effect_headline`)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.experiments.predictions.effects import effect_rows
from biokv.io.results import provenance_line

__all__ = ["intervention_report", "storage_report", "capacity_report"]


def intervention_report(ds: xr.Dataset) -> str:
    """Summary of a lesion or reactivation prediction: the prediction, the effects of both backends and the
    per-seed extras (encoding agreement, forgotten targets, spiking wall time)."""
    lines = [f"# {ds.attrs.get('title', ds.attrs.get('experiment', 'prediction'))}", "",
             f"Prediction: {ds.attrs['prediction']}", "",
             f"Control: {ds.attrs['control']}. Intervention: {ds.attrs['intervention']}.", "",
             f"Seeds: {ds.attrs['n_seeds']} (rate: independent networks; spiking: the network of run 0 with the "
             "patterns and noise of each seed). Effect = intervention - control, mean over seeds, 95% t interval.",
             "", *effect_rows(ds), ""]
    for var in ds.data_vars:
        if str(var).startswith(("encoding_agreement_", "forgotten_targets_")):
            vals = ds[var].values
            lines.append(f"- {var}: mean {np.mean(vals):.3f} (per seed: {', '.join(f'{v:.3g}' for v in vals)})")
    if "spiking_wall_s" in ds.attrs:
        lines.append(f"- spiking simulations: {ds.attrs['spiking_wall_s']:.0f} s, "
                     f"{ds.attrs['spiking_compilations']} standalone compilation(s) in this experiment")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


def storage_report(ds: xr.Dataset) -> str:
    """Summary of ``predict-distributed-storage``: effects on old and on recent memories."""
    sims = ", ".join(f"{s}: {v:.3f}" for s, v in zip(ds.similarity.values, ds["mean_pairwise_similarity"].values)
                     if np.isfinite(v))
    recent = ds[[v for v in ds.data_vars if str(v).startswith("recent_")]].rename(
        {v: str(v)[len("recent_"):] for v in ds.data_vars if str(v).startswith("recent_")})
    return "\n".join([f"# {ds.attrs['experiment']}", "", f"Prediction: {ds.attrs['prediction']}", "",
                      f"Control: {ds.attrs['control']}. Intervention: {ds.attrs['intervention']}. Measure: "
                      f"{ds.attrs['measure']}; {ds.attrs['n_seeds']} runs; effect = K-winner - 1-winner.",
                      f"Mean pairwise similarity of the structured memories (overlap / s): {sims}.", "",
                      "## Old memories", "", *effect_rows(ds), "",
                      f"## Recent memories (ages <= {ds.attrs['old_age']})", "", *effect_rows(recent), "",
                      provenance_line(ds), ""])


def capacity_report(ds: xr.Dataset) -> str:
    """Summary of ``predict-capacity``: the effects of CA3 size, the fitted exponents against c / a^2 and
    1 / (a eps), and the capacities per size."""
    lines = [f"# {ds.attrs['experiment']}", "", f"Prediction: {ds.attrs['prediction']}", "",
             f"{ds.attrs['n_memories']} memories stored in each network; capacity = memories recalled with "
             f"accuracy >= {ds.attrs['criterion']:g}. Effect = capacity at n_CA3 minus capacity at the smallest "
             f"n_CA3, same run.", "", *effect_rows(ds, digits=1), "",
             "| scaling | fitted exponent [95% CI] | c / a^2 predicts | 1 / (a eps) predicts |", "|---|---|---|---|"]
    for sc in ds.scaling.values:
        lines.append(f"| {sc} | {float(ds['exponent'].sel(scaling=sc)):.2f} "
                     f"[{float(ds['exponent_ci_low'].sel(scaling=sc)):.2f}, "
                     f"{float(ds['exponent_ci_high'].sel(scaling=sc)):.2f}] | "
                     f"{float(ds['predicted_exponent_c_over_a2'].sel(scaling=sc)):g} | "
                     f"{float(ds['predicted_exponent_overwrite'].sel(scaling=sc)):g} |")
    lines += ["", "| scaling | n_CA3 | capacity (mean) | c / a^2 | 1 / (a eps) |", "|---|---|---|---|---|"]
    for sc in ds.scaling.values:
        for n in ds.n_ca3.values:
            lines.append(f"| {sc} | {n} | {float(ds['capacity'].sel(scaling=sc, n_ca3=n).mean()):.1f} | "
                         f"{float(ds['c_over_a2'].sel(scaling=sc, n_ca3=n)):,.0f} | "
                         f"{float(ds['overwrite_estimate'].sel(scaling=sc, n_ca3=n)):.0f} |")
    lines += ["", f"For scale: de Almeida, Idiart & Lisman 2007, c = 0.2, a = 0.003: c / a^2 = "
              f"{ds.attrs['de_almeida_c_over_a2']:,.0f} memories.", "", provenance_line(ds), ""]
    return "\n".join(lines)
