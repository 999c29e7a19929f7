"""Markdown summary of ``predict-gating``, written from the result Dataset alone: the effects of every block (as
for every intervention), then per backend and hypothesis the 2x2 of effects (pathway x stage of the block) and
whether the hypothesis reproduces the double dissociation of Lee & Kesner (2004, Hippocampus 14:66)."""

from __future__ import annotations

import xarray as xr

from biokv.experiments.predictions.gating import CRITICAL_STAGE, block_status, gating_measure
from biokv.experiments.predictions.report import intervention_report
from biokv.io.results import provenance_line

__all__ = ["gating_report"]


def _cell(e, impairment: float) -> str:
    low, high = float(e["effect_ci_low"]), float(e["effect_ci_high"])
    return f"{float(e['effect']):+.3f} [{low:+.3f}, {high:+.3f}] {block_status(low, high, impairment)}"


def gating_report(ds: xr.Dataset) -> str:
    """Summary of ``predict-gating``."""
    impairment = float(ds.attrs["impairment"])
    lines = ["## Double dissociation per hypothesis", "",
             f"Effect of each block on recall (intervention - control, 95% CI): impaired if the CI lies below "
             f"-{impairment:g}, spared if above, undetermined otherwise. A hypothesis reproduces the dissociation "
             "when both pathways' critical-stage blocks impair recall and their other-stage blocks spare it. Lee & "
             "Kesner (2004): the mossy-fibre (DG) block impairs encoding, not retrieval; the perforant-path block "
             "impairs retrieval, not encoding. Stage difference = recall with the block at the pathway's critical "
             "stage minus recall with the block at the other stage.", ""]
    for b in ds.backend.values:
        for hyp in ds.hypothesis.values:
            e = ds.sel(backend=b)
            verdict = "reproduces" if bool(ds["reproduces_dissociation"].sel(backend=b, hypothesis=hyp)) else \
                "does not reproduce"
            lines += [f"### {b}: {hyp} ({verdict} the dissociation)", "",
                      "| block of | at encoding | at retrieval | stage difference [95% CI] |", "|---|---|---|---|"]
            for proj in ds.pathway.values:
                d = ds.sel(backend=b, hypothesis=hyp, pathway=proj)
                lines.append(f"| {proj} (critical: {CRITICAL_STAGE[str(proj)]}) | "
                             f"{_cell(e.sel(measure=gating_measure(hyp, proj, 'encoding')), impairment)} | "
                             f"{_cell(e.sel(measure=gating_measure(hyp, proj, 'retrieval')), impairment)} | "
                             f"{float(d['stage_difference']):+.3f} [{float(d['stage_difference_ci_low']):+.3f}, "
                             f"{float(d['stage_difference_ci_high']):+.3f}] |")
            lines.append("")
    text = intervention_report(ds)
    prov = provenance_line(ds)
    head, sep, tail = text.rpartition(prov)
    return head + "\n".join(lines) + "\n" + sep + tail
