"""Summary and headline metrics of the ``case-sequence`` experiment, from its result Dataset alone (Bhandarkar &
McClelland 2025, Fig. 7, Tables S1-S3 and the claims of sec. 3.4 and SI B.3)."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from biokv.core.transformer.structure import SIMILARITIES
from biokv.experiments.transformer.case_sequence import SIMILARITY_TEXT, running_mean, smoothed_median
from biokv.experiments.transformer.config import LABELS
from biokv.io.results import provenance_line

__all__ = ["PAPER_TABLES", "case_sequence_headline", "case_sequence_report"]

# Tables S1-S3 of the paper (SI B.3.2): (on-diagonal mean, range, off-diagonal mean, range), means over 10 trials
PAPER_TABLES = {
    "upper-lower keys": {"baseline": (3.34, 0.323, -1.11, 0.693), "fixed": (0.0563, 0.280, -0.00152, 0.470),
                         "mhn": (-0.0541, 2.22, -1.27, 2.32), "qk": (7.19, 2.07, -1.42, 2.48),
                         "fixed-proj": (0.00806, 0.324, 0.00531, 0.482), "mhn-proj": (0.532, 1.57, -0.933, 2.02),
                         "qk-proj": (7.96, 1.88, -0.916, 2.16)},
    "query-lower keys": {"baseline": (4.73, 0.246, -1.57, 1.11), "fixed": (1.83, 1.06, -0.497, 1.52),
                         "mhn": (4.06, 1.39, -0.126, 2.62), "qk": (7.40, 1.94, -1.32, 1.91),
                         "fixed-proj": (2.58, 0.727, -0.313, 1.64), "mhn-proj": (5.52, 2.83, 0.334, 4.17),
                         "qk-proj": (7.95, 1.89, -0.878, 2.21)},
    "query-upper keys": {"baseline": (4.78, 0.307, -1.59, 1.01), "fixed": (1.89, 1.00, -0.582, 1.35),
                         "mhn": (4.00, 1.91, -0.0940, 2.32), "qk": (7.41, 1.92, -1.33, 1.98),
                         "fixed-proj": (2.90, 0.547, -0.351, 1.76), "mhn-proj": (6.12, 1.10, -0.944, 4.14),
                         "qk-proj": (7.95, 1.89, -0.879, 2.21)},
}


def case_sequence_headline(ds: xr.Dataset) -> xr.Dataset:
    """Final accuracy (mean, median over trials), iterations to the threshold, final loss, and the key and query
    alignment (on-diagonal minus off-diagonal mean of Tables S1 and S2), per model."""
    t = ds["similarity_table"]
    out = xr.Dataset({
        "final_accuracy_mean": ds["final_accuracy"].mean("trial"),
        "final_accuracy_median": ds["final_accuracy"].median("trial"),
        "iterations_to_threshold": ds["iterations_to_threshold"],
        "final_loss_mean": ds["final_loss"].mean("trial"),
        "key_alignment": t.sel(similarity="upper-lower keys", statistic="on-diagonal mean", drop=True)
        - t.sel(similarity="upper-lower keys", statistic="off-diagonal mean", drop=True),
        "query_alignment": t.sel(similarity="query-lower keys", statistic="on-diagonal mean", drop=True)
        - t.sel(similarity="query-lower keys", statistic="off-diagonal mean", drop=True)})
    text = {"final_accuracy_mean": "final accuracy, mean over trials",
            "final_accuracy_median": "final accuracy, median over trials",
            "iterations_to_threshold": ds["iterations_to_threshold"].attrs.get("description", ""),
            "final_loss_mean": "final loss, mean over trials",
            "key_alignment": "upper-lowercase keys: on-diagonal minus off-diagonal mean (Table S1)",
            "query_alignment": "queries-lowercase keys: on-diagonal minus off-diagonal mean (Table S2)"}
    for name, d in text.items():
        out[name].attrs["description"] = d
    return out


def _fmt(x, digits=3) -> str:
    """``x`` with ``digits`` decimals, or ``-`` if it is not finite."""
    return "-" if not np.isfinite(x) else f"{x:.{digits}f}"


def _claims(ds: xr.Dataset) -> list[str]:
    """The paper's claims (sec. 3.4, SI B.3), each checked against this result where its models were run."""
    models = set(ds.model.values)
    fa = ds["final_accuracy"]
    t = ds["similarity_table"]
    lines = []

    def acc(m):
        return float(fa.sel(model=m).mean()), float(fa.sel(model=m).min())

    def align(m, sim):
        return float(t.sel(model=m, similarity=sim, statistic="on-diagonal mean")
                     - t.sel(model=m, similarity=sim, statistic="off-diagonal mean"))

    for m in ("baseline", "qk-proj"):
        if m in models:
            mean, low = acc(m)
            lines.append(f"- {LABELS[m]} reaches perfect accuracy: final accuracy mean {mean:.4f}, lowest trial "
                         f"{low:.4f} -> {'yes' if low >= 0.99 else 'no'} (criterion: every trial >= 0.99).")
    if {"baseline", "qk-proj"} <= models:
        b, q = (float(ds["iterations_to_threshold"].sel(model=m)) for m in ("baseline", "qk-proj"))
        faster = np.isfinite(q) and (not np.isfinite(b) or q < b)
        lines.append(f"- {LABELS['qk-proj']} learns faster than the baseline: {_fmt(q, 0)} vs {_fmt(b, 0)} iterations "
                     f"to a median accuracy of {ds.attrs['threshold']} -> {'yes' if faster else 'no'}.")
    for fam in ("fixed", "mhn", "qk"):
        if {fam, f"{fam}-proj"} <= models:
            a, b = acc(fam)[0], acc(f"{fam}-proj")[0]
            lines.append(f"- Input projections raise {LABELS[fam]}: {a:.3f} -> {b:.3f} -> {'yes' if b > a else 'no'}.")
    if "mhn-proj" in models:
        curve = smoothed_median(ds, "accuracy", "mhn-proj")
        stored = running_mean(ds["stored_fraction"].sel(model="mhn-proj").mean("trial").values,
                              int(ds.attrs["smooth_window"]))
        i = int(np.argmax(curve[:max(1, curve.size // 2)]))        # the early peak (first half of training)
        j = i + int(np.argmin(curve[i:]))                          # the lowest point after it
        falls = curve[j] < curve[i] - 0.02
        lines.append(f"- {LABELS['mhn-proj']} rises steeply, then falls back (paper: to nearly 100%, then lower) -> "
                     f"{'yes' if falls else 'no'}: the median accuracy (running mean) reaches {curve[i]:.3f} at "
                     f"iteration {i + 1}, " + (f"falls to {curve[j]:.3f} at iteration {j + 1} " if falls else "")
                     + f"and ends at {curve[-1]:.3f}. The fraction of context items in distinct units goes from "
                     f"{stored[0]:.2f} to {stored[j]:.2f} and {stored[-1]:.2f}"
                     + (" (keys of different letters grow similar enough to beat the input projections: items are "
                        "overwritten)." if falls and stored[j] < stored[0] - 0.05 else "."))
    for m in ds.model.values:
        vcf = float(ds["value_case_fraction"].sel(model=m).mean())
        q_l, q_u = align(m, "query-lower keys"), align(m, "query-upper keys")
        k = align(m, "upper-lower keys")
        lines.append(f"- {LABELS[m]}: values encode case for {vcf:.0%} of the letter tokens; queries align with "
                     f"their letter's keys by {q_l:+.2f} (lowercase) / {q_u:+.2f} (uppercase) and upper- with "
                     f"lowercase keys by {k:+.2f} (on- minus off-diagonal mean).")
    return lines


def case_sequence_report(ds: xr.Dataset) -> str:
    """The Markdown summary: per-model accuracy, learning speed and loss, Tables S1-S3 next to the paper's, and
    the paper's claims checked against this result."""
    cfg = json.loads(ds.attrs["config"])
    lines = ["# Slot-free transformer on the Case Sequence Task (Bhandarkar & McClelland 2025, sec. 3, SI B)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}: {ds.sizes['trial']} trials "
             f"per model, {ds.sizes['iteration']} iterations of {cfg['batch_size']} fresh sequences, "
             f"{cfg['n_letters']} letters, k_dim {cfg['k_dim']}. Final accuracy and loss: mean over the last "
             f"{ds.attrs['final_window']} iterations. Learning speed: iterations until the median accuracy over "
             f"trials (running mean over {ds.attrs['smooth_window']} iterations) reaches {ds.attrs['threshold']}. "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| model | tf_dim | final acc. mean | min | max | median | iterations to threshold | peak median acc. "
             "(iteration) | final loss mean | items in distinct units | time (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m in ds.model.values:
        fa = ds["final_accuracy"].sel(model=m)
        stored = float(ds["final_stored_fraction"].sel(model=m).mean())
        lines.append(f"| {LABELS[m]} | {int(ds['tf_dim'].sel(model=m)) or '-'} | {float(fa.mean()):.4f} | "
                     f"{float(fa.min()):.4f} | {float(fa.max()):.4f} | {float(fa.median()):.4f} | "
                     f"{_fmt(float(ds['iterations_to_threshold'].sel(model=m)), 0)} | "
                     f"{float(ds['peak_median_accuracy'].sel(model=m)):.3f} "
                     f"({int(ds['peak_iteration'].sel(model=m))}) | "
                     f"{float(ds['final_loss'].sel(model=m).mean()):.4f} | {_fmt(stored)} | "
                     f"{float(ds['model_time_s'].sel(model=m)):.1f} |")
    for i, sim in enumerate(SIMILARITIES):
        lines += ["", f"## Table S{i + 1}: {SIMILARITY_TEXT[sim]}", "",
                  "Means over trials of each trial's statistic; ranges are max - min within a trial's matrix. "
                  "Paper: the same statistics in Table S" + str(i + 1) + ".", "",
                  "| model | on-diag. mean | on-diag. range | off-diag. mean | off-diag. range | paper (on mean / "
                  "range / off mean / range) |", "|---|---|---|---|---|---|"]
        for m in ds.model.values:
            v = ds["similarity_table"].sel(model=m, similarity=sim).values
            p = PAPER_TABLES[sim].get(str(m))
            paper = " / ".join(f"{x:.3g}" for x in p) if p else "-"
            lines.append(f"| {LABELS[m]} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {paper} |")
    lines += ["", "## The paper's claims, checked", ""] + _claims(ds)
    lines += ["", "Figures: `fig7a_final_accuracy` (Fig. 7A), `fig7b_accuracy_curves` (Fig. 7B), `figS11_loss` "
              "(Fig. S11 and the MHN storage), `figS9_S10_weights` (learned matrices of trial "
              f"{ds.attrs['figure_trial']}).", "", provenance_line(ds), ""]
    return "\n".join(lines)
