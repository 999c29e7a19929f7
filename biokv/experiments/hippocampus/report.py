"""Markdown summaries and headline metrics of the hippocampal experiments (``spiking-recall``,
``spiking-kwinner``, ``compare-bio``), each from a result Dataset alone."""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.data.comparison import markdown_table
from biokv.experiments.hippocampus.comparisons import comparison_rows, separation_verdicts
from biokv.io.results import provenance_line

__all__ = ["spiking_recall_report", "spiking_recall_headline", "spiking_kwinner_report", "spiking_kwinner_headline",
           "compare_bio_report", "compare_bio_headline", "spiking_agreement_report", "spiking_agreement_headline"]


def spiking_recall_report(ds: xr.Dataset) -> str:
    """Markdown summary: winner agreement at encoding, recall of both backends per cue level, active
    fractions and firing rates per population."""
    lines = ["# Spiking hippocampal network vs rate twin", "",
             f"Device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.attrs['n_encode']} pairs; spiking "
             f"simulation {ds.attrs['spiking_wall_s']:.1f} s of wall time.", "",
             f"CA3 agreement at encoding (Jaccard, spiking active set vs rate winners): mean "
             f"{float(ds['ca3_jaccard'].mean()):.2f}, median {float(ds['ca3_jaccard'].median()):.2f}.",
             ""]
    if "dg_jaccard" in ds:
        lines += [f"DG agreement at encoding: {float(ds['dg_jaccard'].mean()):.2f}; CA3 agreement given the spiking "
                  f"DG code (the twin's CA3 computed from the spiking network's most active granule cells): "
                  f"{float(ds['ca3_jaccard_given_dg'].mean()):.2f}.", ""]
    lines += ["| cue | spiking recall | rate recall | mean abs. difference by age (target <= 0.1) |",
              "|---|---|---|---|"]
    for cue in ds.cue.values:
        a = ds["recall_accuracy"].sel(cue=cue)
        lines.append(f"| {cue:g} | {float(a.sel(backend='spiking').mean()):.3f} | "
                     f"{float(a.sel(backend='rate').mean()):.3f} | "
                     f"{float(abs(a.sel(backend='spiking') - a.sel(backend='rate')).mean()):.3f} |")
    lines += ["", "| population | expected active | active (encode) | active (recall) | rate Hz (encode) | "
              "rate Hz (recall) |", "|---|---|---|---|---|---|"]
    for pop in ds.population.values:
        f, r = ds["active_fraction"].sel(population=pop), ds["mean_rate_hz"].sel(population=pop)
        lines.append(f"| {pop} | {float(ds['expected_fraction'].sel(population=pop)):.3f} | "
                     f"{float(f.sel(phase='encode')):.3f} | {float(f.sel(phase='recall')):.3f} | "
                     f"{float(r.sel(phase='encode')):.2f} | {float(r.sel(phase='recall')):.2f} |")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


def spiking_recall_headline(ds: xr.Dataset) -> xr.Dataset:
    """Recall accuracy of both backends (mean over ages), their mean absolute difference, the winner agreement
    at encoding and the active fractions."""
    acc = ds["recall_accuracy"]
    out = xr.Dataset({"recall_accuracy": acc.mean("age"),
                      "recall_abs_difference": abs(acc.sel(backend="spiking") - acc.sel(backend="rate")).mean("age"),
                      "ca3_jaccard": ds["ca3_jaccard"].mean("age"),
                      "active_fraction": ds["active_fraction"]})
    if "dg_jaccard" in ds:
        out["dg_jaccard"] = ds["dg_jaccard"].mean("age")
    out["recall_accuracy"].attrs["description"] = "overlap(recalled, stored value) / s, mean over ages"
    out["recall_abs_difference"].attrs["description"] = "|spiking - rate| recall accuracy, mean over ages"
    out["ca3_jaccard"].attrs["description"] = "Jaccard(spiking CA3 active set, twin's CA3 winners), mean over pairs"
    return out


def spiking_kwinner_report(ds: xr.Dataset) -> str:
    """Markdown summary: R.D. and d' per age bin of the three models, the bootstrap p of the spiking
    K-winner's advantage over the 1-winner MHN, and the spiking-minus-rate accuracy."""
    bins = list(ds.age_bin.values)
    wall = f" (spiking simulations {ds.attrs['spiking_wall_s']:.0f} s)" if "spiking_wall_s" in ds.attrs else ""
    lines = ["# Spiking K-winner MHN vs rate K-winner MHN vs 1-winner MHN", "",
             f"Device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.sizes['run']} runs, "
             f"{ds.sizes['age']} memories; 1-winner MHN with {ds.attrs['mhn_hidden']} slots (as many weights). "
             f"Spiking CA3 cells active per presentation: {float(ds['ca3_active'].sel(phase='encode').mean()):.1f} "
             f"(encoding), {float(ds['ca3_active'].sel(phase='recall').mean()):.1f} (recall), k = {ds.attrs['k']}. "
             f"Spiking drive (configuration values): perforant-path gain {ds.attrs['pp_encode_gain']:g} (encoding), "
             f"{ds.attrs['pp_recall_gain']:g} (recall); CA3 -> CTX gain {ds.attrs.get('ctx_encode_gain', 1.0):g} "
             f"(encoding), {ds.attrs['ctx_recall_gain']:g} (recall). "
             f"Run time {ds.attrs['elapsed_s']:.0f} s{wall}.", "",
             "Per age bin: R.D. (memory minus pseudo-memory accuracy; mean ± SEM over runs) and d' (R.D. over its "
             "standard deviation across runs, averaged over the bin's ages). p: bootstrap over runs, fraction of "
             "resamples in which the spiking K-winner's d' does not exceed the 1-winner MHN's.", "",
             "| cue | model | " + " | ".join(f"ages {b}" for b in bins) + " |",
             "|---|---|" + "---|" * len(bins)]
    for cue in ds.cue.values:
        for model in ds.model.values:
            m = ds["binned_raw_difference"].sel(model=model, cue=cue)
            e = ds["binned_raw_difference_sem"].sel(model=model, cue=cue)
            dp = ds["binned_dprime"].sel(model=model, cue=cue)
            lines.append(f"| {cue:g} | {model} | " + " | ".join(
                f"{float(m.sel(age_bin=b)):.3f} ± {float(e.sel(age_bin=b)):.3f}; d' {float(dp.sel(age_bin=b)):.2f}"
                for b in bins) + " |")
        p = ds["p_spiking_above_mhn"].sel(cue=cue)
        lines.append(f"| {cue:g} | p (spiking d' > MHN d') | " + " | ".join(f"{float(p.sel(age_bin=b)):.2g}"
                                                                          for b in bins) + " |")
    lines += ["", "| cue | memory accuracy, spiking minus rate K-winner (mean over ages) | mean abs. by age |",
              "|---|---|---|"]
    for cue in ds.cue.values:
        d = ds["spiking_minus_rate_accuracy"].sel(cue=cue)
        lines.append(f"| {cue:g} | {float(d.mean()):+.3f} | {float(abs(d).mean()):.3f} |")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


def spiking_kwinner_headline(ds: xr.Dataset) -> xr.Dataset:
    """d' by age bin for the three models, the bootstrap p of the spiking K-winner's advantage over the 1-winner
    MHN, and the spiking-minus-rate K-winner accuracy."""
    out = xr.Dataset({"binned_dprime": ds["binned_dprime"], "p_spiking_above_mhn": ds["p_spiking_above_mhn"],
                      "spiking_minus_rate_accuracy": ds["spiking_minus_rate_accuracy"].mean("age")})
    out["spiking_minus_rate_accuracy"].attrs["description"] = ("memory recall accuracy, spiking minus rate K-winner "
                                                               "MHN, mean over ages")
    return out


def compare_bio_report(ds: xr.Dataset) -> str:
    """Markdown summary: the table of model values against the reference data with verdicts, pattern
    separation and completion, the forgetting-law fits and the firing rates."""
    rows = comparison_rows(ds)
    counts = {v: sum(r.verdict == v for r in rows)
              for v in ("yes", "no", "no range", "finding", "unit differs", "parameter")}
    v = separation_verdicts(ds)
    lines = ["# The hippocampal network against biological data", "",
             f"Spiking network (device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.attrs['n_pairs']} "
             f"pairs, {ds.attrs['spiking_slots']} presentations per protocol, "
             f"{ds.attrs['spiking_wall_s']:.0f} s of simulation) and its rate twin "
             f"({ds.sizes.get('run', 1)} networks). A value is *within range* only when the reference states a "
             "range and the value lies in it; single values and findings get no verdict; parameters (connectivity, the "
             "twin's k/n) are shown beside their reference and not scored.", "",
             f"Verdicts: {counts['yes']} within range, {counts['no']} outside, {counts['no range']} without a stated "
             f"range, {counts['finding']} qualitative findings, {counts['unit differs']} in another unit, "
             f"{counts['parameter']} parameters (not scored).", "",
             markdown_table(rows), "",
             "## Pattern separation and completion", "",
             "| input overlap | input change | " + " | ".join(f"{s} ({b})" for s in ds.stage.values
                                                       for b in ds.backend.values) + " |",
             "|---|---|" + "---|" * (ds.sizes["stage"] * ds.sizes["backend"])]
    for i, o in enumerate(ds.overlap.values):
        cells = [f"{1 - float(ds['output_correlation'].sel(stage=s, backend=b).values[i]):.2f}"
                 for s in ds.stage.values for b in ds.backend.values]
        lines.append(f"| {o:g} | {1 - float(ds['input_correlation'].values[i]):.2f} | " + " | ".join(cells) + " |")
    lines += ["", "Output change (1 - population-vector correlation). " + "; ".join(
        f"{b}: DG above identity at {x['dg_above']}/{x['dg_levels']} levels, CA3 recall below identity at "
        f"{x['ca3_recall_below']}/{x['ca3_recall_levels']} high-similarity levels" for b, x in v.items()) + ".", "",
              "## Forgetting laws", "",
              "| backend | law | AIC | delta AIC | R^2 | parameters |", "|---|---|---|---|---|---|"]
    for b in ds.backend.values:
        aic = ds["fit_aic"].sel(backend=b)
        for law in ds.law.values:
            p = ds["fit_params"].sel(backend=b, law=law)
            ptxt = ", ".join(f"{k} {float(x):.3g}" for k, x in zip(p.law_param.values, p.values) if np.isfinite(x))
            lines.append(f"| {b} | {law} | {float(aic.sel(law=law)):.1f} | "
                         f"{float(aic.sel(law=law) - aic.min()):.1f} | "
                         f"{float(ds['fit_r2'].sel(backend=b, law=law)):.3f}"
                         f" | {ptxt} |")
    lines += ["", "Fitted to recall accuracy above chance, (accuracy - chance) / (1 - chance), by age (memories "
              f"stored since); chance = {ds.attrs['chance']:g}.", "",
              "## Firing rates (spiking)", "",
              "| population | mean Hz | median Hz | silent | silent per presentation | rate in an active "
              "presentation (Hz) | log-normal sigma | KS |", "|---|---|---|---|---|---|---|---|"]
    for pop in ds.population.values:
        s = ds["rate_statistics"].sel(population=pop)
        lines.append(f"| {pop} | {float(s.sel(statistic='mean_hz')):.3f} | {float(s.sel(statistic='median_hz')):.3f} | "
                     f"{float(s.sel(statistic='silent_fraction')):.1%} | "
                     f"{float(ds['silent_per_presentation'].sel(population=pop)):.1%} | "
                     f"{float(ds['active_slot_rate_hz'].sel(population=pop)):.1f} | "
                     f"{float(s.sel(statistic='lognormal_sigma')):.2f} | "
                     f"{float(s.sel(statistic='lognormal_ks')):.2f} |")
    lines += ["", "Figures: `separation_completion`, `rate_distributions`, `forgetting_laws`.", "",
              provenance_line(ds), ""]
    return "\n".join(lines)


def compare_bio_headline(ds: xr.Dataset) -> xr.Dataset:
    """Active fractions, output correlations, forgetting-law AICs and the number of values within / outside
    their stated ranges."""
    verdicts = ds["cmp_verdict"].values
    out = xr.Dataset({"active_fraction": ds["active_fraction"], "output_correlation": ds["output_correlation"],
                      "fit_aic": ds["fit_aic"],
                      "within_range": int((verdicts == "yes").sum()), "outside_range": int((verdicts == "no").sum())})
    out["within_range"].attrs["description"] = "comparisons within their stated range"
    out["outside_range"].attrs["description"] = "comparisons outside their stated range"
    return out


def spiking_agreement_report(ds: xr.Dataset) -> str:
    """Markdown summary: per size, CA3 agreement, recall by age bin in both backends and their difference with
    95% CIs, and active fractions."""
    edges = list(ds.attrs["age_bin_edges"])
    bins = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
    lines = ["# Spiking network vs rate twin across network sizes", "",
             f"Device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.attrs['n_pairs']} pairs, "
             f"{ds.sizes['seed']} pattern and noise seeds per size (one network per size); mean and 95% CI "
             "over the seeds. Goal: |spiking - rate| <= 0.1 in every age bin.", "",
             "| size | CA3 Jaccard | age | spiking recall | rate recall | spiking - rate | within 0.1 |",
             "|---|---|---|---|---|---|---|"]
    for size in ds["size"].values:
        d = ds.sel(size=size)
        for b, label in enumerate(bins):
            acc, half = d["recall_accuracy_mean"], d["recall_accuracy_ci95"]
            diff, dh = float(d["recall_difference_mean"][b]), float(d["recall_difference_ci95"][b])
            jac = (f"{float(d['ca3_jaccard_mean']):.2f} +/- {float(d['ca3_jaccard_ci95']):.2f}" if b == 0 else "")
            lines.append(f"| {size:g}x | {jac} | {label} | {float(acc.sel(backend='spiking')[b]):.2f} +/- "
                         f"{float(half.sel(backend='spiking')[b]):.2f} | {float(acc.sel(backend='rate')[b]):.2f} +/- "
                         f"{float(half.sel(backend='rate')[b]):.2f} | {diff:+.2f} +/- {dh:.2f} | "
                         f"{'yes' if abs(diff) <= 0.1 else 'no'} |")
    lines += ["", "| size | population | active (encode) | active (recall) | twin k/n |", "|---|---|---|---|---|"]
    for size in ds["size"].values:
        for pop in ds["population"].values:
            f = ds["active_fraction_mean"].sel(size=size, population=pop)
            h = ds["active_fraction_ci95"].sel(size=size, population=pop)
            lines.append(f"| {size:g}x | {pop} | {float(f.sel(phase='encode')):.3f} +/- "
                         f"{float(h.sel(phase='encode')):.3f} | {float(f.sel(phase='recall')):.3f} +/- "
                         f"{float(h.sel(phase='recall')):.3f} | {float(f.sel(phase='twin_k_over_n')):.3f} |")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


def spiking_agreement_headline(ds: xr.Dataset) -> xr.Dataset:
    """CA3 agreement per size and the largest |spiking - rate| recall difference over the age bins."""
    out = xr.Dataset({"ca3_jaccard": ds["ca3_jaccard_mean"],
                      "max_abs_recall_difference": abs(ds["recall_difference_mean"]).max("age_bin")})
    out["max_abs_recall_difference"].attrs["description"] = "largest |spiking - rate| over the age bins (goal <= 0.1)"
    return out
