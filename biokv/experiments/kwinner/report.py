"""Summaries and headline metrics of the K-winner MHN family, from a result Dataset alone.

:func:`retention_report` and :func:`retention_headline` serve the random-pattern experiments
(``kwinner-retention``, ``kwinner-fanin``, ``graded-mhn``, ``mhn-retention``; one titled report function each);
:func:`structured_report` and :func:`structured_headline` serve ``structured-patterns``, per number of bit flips.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from biokv.experiments.kwinner.config import PAPER
from biokv.io.results import provenance_line

__all__ = ["REPORT_AGES", "significant_ranges", "significance_summary", "summary_table", "theory_table",
           "retention_report", "retention_headline", "kwinner_retention_report", "kwinner_fanin_report",
           "graded_mhn_report", "mhn_retention_report", "structured_report", "structured_headline"]

#: memory ages at which the report and the headline give d'
REPORT_AGES = (1, 100, 200, 500)


def significant_ranges(mask: np.ndarray, ages: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous runs of ``True`` in ``mask`` as (first age, last age)."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(ages[a]), int(ages[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


def significance_summary(mask: np.ndarray, ages: np.ndarray, max_gap: int = 5, min_count: int = 10) -> str:
    """The longest range of ages where the difference is reliably significant, e.g.
    ``'24-537 (98% of these ages; 21 significant ages outside)'``.

    Significant runs separated by at most ``max_gap`` non-significant ages are merged; with thousands of ages
    tested, isolated significant ages elsewhere are expected by chance and only counted. A range needs at least
    ``min_count`` significant ages to be reported.
    """
    mask = np.asarray(mask, dtype=bool)
    ranges = significant_ranges(mask, ages)
    if not ranges:
        return "none"
    merged = [list(ranges[0])]
    for a, b in ranges[1:]:
        if a - merged[-1][1] - 1 <= max_gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    first, last = max(merged, key=lambda r: r[1] - r[0])
    inside = (ages >= first) & (ages <= last)
    if mask[inside].sum() < min_count:
        return f"no reliable range ({int(mask.sum())} isolated significant ages)"
    return (f"{first}-{last} ({mask[inside].mean():.0%} of these ages; "
            f"{int(mask[~inside].sum())} significant ages outside)")


def summary_table(ds: xr.Dataset) -> str:
    """Markdown table of headline numbers per model and cue level."""
    ages = [a for a in REPORT_AGES if a <= ds.sizes["age"]]
    head = ("| model | cue | acc. age 1 | pseudo acc. | "
            + " | ".join(f"d' age {a}" for a in ages)
            + " | R.D. fit C | R.D. fit a | ages where better than comparator (d', p < alpha) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    comparator = ds.attrs["comparator"]
    for model in ds.model.values:
        for cue in ds.cue.values:
            sel = dict(model=model, cue=cue)
            dp = ds["dprime_mean"].sel(**sel)
            if model == comparator:
                sig = "(comparator)"
            else:
                sig = significance_summary(ds["significant_dprime"].sel(**sel).values, ds.age.values)
            lines.append(
                f"| {model} | {cue:g} | {float(ds['accuracy_real'].sel(**sel, age=1)):.3f} | "
                f"{float(ds['accuracy_pseudo'].sel(**sel).mean()):.3f} | "
                + " | ".join(f"{float(dp.sel(age=a)):.2f} ± {float(ds['dprime_sem'].sel(**sel, age=a)):.2f}"
                             for a in ages)
                + f" | {float(ds['fit_C'].sel(**sel)):.3f} | {float(ds['fit_a'].sel(**sel)):.4f} | {sig} |")
    return "\n".join(lines)


def theory_table(ds: xr.Dataset) -> str:
    """Markdown table of the slot MHNs' simulated numbers against their theory ("" if the result has none)."""
    if "theory_raw_difference" not in ds:
        return ""
    lines = ["| model | cue | simulated pseudo acc. | p_b paper (asymptotic) | p_b exact | simulated R.D. age 1 "
             "| theory R.D. age 1 (asym. / exact) | simulated fit a | theory a = -ln(1 - 1/n_h) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for model in ds.theory_model.values:
        n_hidden = int(ds["theory_n_hidden"].sel(theory_model=model))
        for cue in ds.cue.values:
            sel = dict(model=model, cue=cue)
            th = ds["theory_raw_difference"].sel(theory_model=model, cue=cue, age=1)
            pb = ds["theory_baseline"].sel(theory_model=model, cue=cue)
            lines.append(
                f"| {model} | {cue:g} | {float(ds['accuracy_pseudo'].sel(**sel).mean()):.4f} | "
                f"{float(pb.sel(baseline='asymptotic')):.4f} | {float(pb.sel(baseline='exact')):.4f} | "
                f"{float(ds['raw_difference_mean'].sel(**sel, age=1)):.4f} | "
                f"{float(th.sel(baseline='asymptotic')):.4f} / {float(th.sel(baseline='exact')):.4f} | "
                f"{float(ds['fit_a'].sel(**sel)):.5f} | {-np.log(1 - 1 / n_hidden):.5f} |")
    return "\n".join(lines)


def retention_report(ds: xr.Dataset, title: str) -> str:
    """Markdown summary of a random-pattern retention result under the heading ``title``."""
    parts = [f"# {title}", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, "
             f"{ds.sizes['sample']} samples x {ds.sizes['run']} runs, {ds.sizes['age']} memory ages; "
             f"comparator `{ds.attrs['comparator']}`; significance: paired one-tailed t-test across samples, "
             f"p < {ds.attrs['alpha']}. Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             summary_table(ds), ""]
    th = theory_table(ds)
    if th:
        parts += ["1-winner MHN against its theory (SI A.2.4):", "", th, ""]
    parts += [provenance_line(ds), ""]
    return "\n".join(parts)


def kwinner_retention_report(ds: xr.Dataset) -> str:
    """Summary of ``kwinner-retention``."""
    return retention_report(ds, f"K-winner MHN vs 1-winner MHN ({PAPER}, Fig. 4, S1)")


def kwinner_fanin_report(ds: xr.Dataset) -> str:
    """Summary of ``kwinner-fanin``."""
    return retention_report(ds, "K-winner MHN with fan-in 0.1 vs 1-winner MHN (Fig. S2)")


def graded_mhn_report(ds: xr.Dataset) -> str:
    """Summary of ``graded-mhn``."""
    return retention_report(ds, "Graded MHN vs K-winner MHNs (Fig. S3)")


def mhn_retention_report(ds: xr.Dataset) -> str:
    """Summary of ``mhn-retention``."""
    return retention_report(ds, "1-winner MHN against its theory (SI A.2.4)")


def retention_headline(ds: xr.Dataset) -> xr.Dataset:
    """d' at the report ages, accuracy of the newest memory, pseudo-memory accuracy and the R.D. fit, per model
    and cue level (and any other dimension of the result, e.g. ``flips``)."""
    ages = [a for a in REPORT_AGES if a <= ds.sizes["age"]]
    out = xr.Dataset({
        "dprime": ds["dprime_mean"].sel(age=ages).rename(age="report_age"),
        "accuracy_age1": ds["accuracy_real"].sel(age=1, drop=True),
        "pseudo_accuracy": ds["accuracy_pseudo"].mean("age"),
        "rd_fit_a": ds["fit_a"], "rd_fit_C": ds["fit_C"]})
    out["dprime"].attrs["description"] = "d' (mean over samples) at the report ages"
    out["accuracy_age1"].attrs["description"] = "retrieval accuracy of the newest memory"
    out["pseudo_accuracy"].attrs["description"] = "retrieval accuracy of pseudo-memories (mean over ages)"
    out["rd_fit_a"].attrs["description"] = "decay rate a of the exponential fit of R.D. by age"
    out["rd_fit_C"].attrs["description"] = "initial value C of the exponential fit of R.D. by age"
    return out


def structured_report(ds: xr.Dataset) -> str:
    """Markdown summary of ``structured-patterns``: similarity and retention per number of bit flips b."""
    s = int(ds.attrs["n_active"])
    n_v = int(json.loads(ds.attrs["config"])["kwinner"]["n_visible"])
    lines = ["# Structured (TGCRP) patterns: K-winner vs 1-winner MHN (Fig. S6, S7)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, {ds.sizes['sample']} samples "
             f"x {ds.sizes['run']} runs per b, full cues. Random-pattern similarity s/n_v = {s / n_v:.3f}. "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| b | mean similarity | kwinner better (d', ages) | kwinner acc. structured / random pseudo | "
             "mhn acc. structured / random pseudo |", "|---|---|---|---|---|"]
    for b in ds.flips.values:
        sub = ds.sel(flips=b, cue=1.0)
        sig = significance_summary(sub["significant_dprime"].sel(model="kwinner").values, ds.age.values)
        acc = {m: (float(sub["accuracy_pseudo"].sel(model=m).mean()),
                   float(sub["accuracy_pseudo_random"].sel(model=m).mean())) for m in ("kwinner", "mhn")}
        lines.append(f"| {b} | {float(sub['similarity'].mean()):.3f} ± {float(sub['similarity'].std()):.3f} | "
                     f"{sig} | {acc['kwinner'][0]:.3f} / {acc['kwinner'][1]:.3f} | "
                     f"{acc['mhn'][0]:.3f} / {acc['mhn'][1]:.3f} |")
    for b in ds.flips.values:
        lines += ["", f"## b = {b}", "", summary_table(ds.sel(flips=b))]
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


def structured_headline(ds: xr.Dataset) -> xr.Dataset:
    """The retention headline (per b) and the memories' mean pairwise similarity."""
    out = retention_headline(ds)
    out["similarity"] = ds["similarity"].mean(("sample", "run"))
    out["similarity"].attrs["description"] = "mean pairwise similarity (overlap / s) of the memories"
    return out
