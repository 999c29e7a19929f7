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
    """Summary of ``predict-capacity``: the stream, the effect of the recurrents, the capacities per size and per
    recurrent connection probability with c / a^2 and 1 / (a eps), the fitted exponents, de Almeida, Idiart &
    Lisman's (2007) numbers and the steady-state check."""
    from scipy import stats

    def mean_ci(values) -> str:
        values = np.asarray(values, float)
        half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
        return f"{values.mean():.1f} ± {half:.1f}"

    a = ds.attrs
    lines = [f"# {a['experiment']}", "", f"Prediction: {a['prediction']}", "",
             f"Each of {a['n_seeds']} runs stores one stream of {a['n_memories']} random key -> value pairs, each "
             f"presented once, in every network; then every pair is recalled from its full key and from a partial "
             f"cue ({a['cue_level']:g} of the key's cells). Capacity = memories recalled with accuracy >= "
             f"{a['criterion']:g} at the end of the stream (the steady state of continual learning: the K-winner "
             f"rule overwrites old memories). Recurrent connection probability c = {a['rc_probability']:g}.", "",
             "## Effect of the recurrent collaterals (with - without, same networks and stream)", "",
             *effect_rows(ds, digits=1), "",
             "## Capacity against CA3 size (mean ± 95% CI over runs)", "",
             "| scaling | n_CA3 | k | k c | with, full | without, full | with, partial | without, partial | "
             "c / a^2 | 1 / (a eps) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for sc in ds.scaling.values:
        for n in ds.n_ca3.values:
            e = ds.sel(scaling=sc, n_ca3=n)
            k = int(e["ca3_winners"])
            cells = [mean_ci(e["capacity"].sel(recurrents=rc, cue=cue)) for cue in ds.cue.values
                     for rc in ds.recurrents.values]
            lines.append(f"| {sc} | {n} | {k} | {k * a['rc_probability']:.1f} | {' | '.join(cells)} | "
                         f"{float(e['c_over_a2']):,.0f} | {float(e['overwrite_estimate']):.0f} |")
    pp = "; ".join(f"{sc}: {float(ds['pp_c_over_a2'].sel(scaling=sc).min()):,.0f} to "
                   f"{float(ds['pp_c_over_a2'].sel(scaling=sc).max()):,.0f}" for sc in ds.scaling.values)
    lines += ["", "k c: recurrent inputs a cell receives from a stored code (expected). c / a^2: c the recurrent "
              f"connection probability, a = k / n_CA3 (with the perforant-path connection probability instead, {pp})."
              , "", "## Exponent b of capacity ~ n_CA3^b (per-run fits, mean [95% CI])", "",
              "| scaling | recurrents | cue | b [95% CI] | c / a^2 predicts | 1 / (a eps) predicts |",
              "|---|---|---|---|---|---|"]
    for sc in ds.scaling.values:
        for rc in ds.recurrents.values:
            for cue in ds.cue.values:
                e = ds.sel(scaling=sc, recurrents=rc, cue=cue)
                lines.append(f"| {sc} | {rc} | {cue} | {float(e['exponent']):.2f} "
                             f"[{float(e['exponent_ci_low']):.2f}, {float(e['exponent_ci_high']):.2f}] | "
                             f"{float(e['predicted_exponent_c_over_a2']):g} | "
                             f"{float(e['predicted_exponent_overwrite']):g} |")
    lines += ["", f"## Capacity against the recurrent connection probability (n_CA3 = {a['probability_n_ca3']}, "
              f"k = {a['probability_k']})", "",
              "| c | k c | with, full | with, partial | without, full | without, partial | effect, partial "
              "[95% CI] | c / a^2 |", "|---|---|---|---|---|---|---|---|"]
    for p in ds.rc_probability.values:
        e = ds.sel(rc_probability=p)
        cells = [mean_ci(e["probability_capacity"].sel(recurrents=rc, cue=cue)) for rc in ds.recurrents.values
                 for cue in ds.cue.values]
        ep = e.sel(cue="partial")
        lines.append(f"| {p:g} | {a['probability_k'] * p:.1f} | {' | '.join(cells)} | "
                     f"{float(ep['probability_effect']):+.1f} [{float(ep['probability_effect_ci_low']):+.1f}, "
                     f"{float(ep['probability_effect_ci_high']):+.1f}] | {float(e['probability_c_over_a2']):,.0f} |")
    oldest = max(float(ds["stored_oldest_fifth"].max()), float(ds["probability_stored_oldest_fifth"].max()))
    steady = " (all forgotten)." if oldest == 0 else "; the stream is too short for a steady state."
    without = ds["capacity"].sel(recurrents="without")
    longer = ds["capacity_longer_stream"]
    change = (longer.mean("run") - without.mean("run")) / without.mean("run")
    worst = change.where(np.abs(change) == np.abs(change).max(), drop=True)
    worst_at = {d: worst[d].values[0] for d in worst.dims}
    w_now = without.sel(worst_at).values
    w_long = longer.sel(worst_at).values
    lines += ["", f"For scale: de Almeida, Idiart & Lisman 2007 (rat CA3a): c = {a['de_almeida_c']:g}, "
              f"a = {a['de_almeida_k']} / {a['de_almeida_n']:,} = {a['de_almeida_k'] / a['de_almeida_n']:.4f}, "
              f"c / a^2 = {a['de_almeida_c_over_a2']:,.0f} (their estimate ~{a['de_almeida_capacity']:,}); the "
              f"overwrite estimate 1 / (a eps) at their a and eps = {a['learning_rate']:g} is "
              f"{a['de_almeida_overwrite_estimate']:,.0f}.", "",
              f"Steady state: at most {oldest:.0f} of the oldest {a['oldest_fifth']} memories of the stream recalled "
              f"in any network and condition{steady} Without recurrents, a stream twice as long changes the mean "
              f"capacity by at most {100 * float(np.abs(change).max()):.1f}% ({worst_at['scaling']}, "
              f"{worst_at['cue']} cues, n_CA3 = {worst_at['n_ca3']}: {mean_ci(w_now)} -> {mean_ci(w_long)}).", "",
              f"Compute: {a['elapsed_with_recurrents_s']:.0f} s for the networks with recurrents, "
              f"{a['elapsed_without_recurrents_s']:.0f} s without.", "", provenance_line(ds), ""]
    return "\n".join(lines)
