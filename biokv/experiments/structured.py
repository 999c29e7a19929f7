"""Retention of structured patterns from the tree-generating Chinese restaurant process (Fig. S6, S7).

Bhandarkar & McClelland (2025), section 2.2.2 and SI A.3: for each number of bit flips ``b`` between parent and
child, every run grows its own TGCRP tree (14,000 nodes), shuffles its leaves and splits them into burn-in
patterns, memories and pseudo-memories (3,000 / 1,000 / 1,000). Retrieval is from full cues. Pseudo-memories
are structured leaves of the same tree (Fig. S6); unstructured random patterns give a second baseline (Fig. S7).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..config import ConfigError, param
from ..core.patterns import mean_pairwise_similarity, random_patterns
from ..core.protocol import RetentionPatterns
from ..core.tgcrp import tgcrp_leaves
from ..results import provenance_line
from . import plots
from .registry import Experiment, register
from .retention import (PAPER, NetworkConfig, ProtocolConfig, add_mhn_theory, analyze, check_networks, headline,
                        mhn_network, significance_summary, simulate, summary_table)

SIMILARITY_SUBSET = 300  # memories per run used to estimate the mean pairwise similarity


def tgcrp_pattern_source(n_nodes: int, n_visible: int, n_active: int, n_flips: int, n_burnin: int,
                         n_memories: int, similarities: list):
    """Leaves of one TGCRP tree per run, split into burn-in, memories and pseudo-memories, plus unstructured
    pseudo-memories; the mean pairwise similarity of each run's memories is appended to ``similarities``."""
    need = n_burnin + 2 * n_memories

    def draw(rngs) -> RetentionPatterns:
        parts = []
        for rng in rngs:
            leaves = tgcrp_leaves(rng, n_nodes, n_visible, n_active, n_flips)
            if leaves.shape[0] < need:
                raise ConfigError(f"a TGCRP tree of n_nodes={n_nodes} gave {leaves.shape[0]} leaves, but "
                                  f"n_burnin + 2 * n_memories = {need} are needed: raise n_nodes")
            parts.append((leaves[:n_burnin], leaves[n_burnin:n_burnin + n_memories],
                          leaves[n_burnin + n_memories:need],
                          random_patterns(rng, n_memories, n_visible, n_active)))
        for p in parts:
            similarities.append(mean_pairwise_similarity(p[1][:SIMILARITY_SUBSET], n_visible))
        return RetentionPatterns(*(np.stack([p[i] for p in parts]) for i in range(4)))

    return draw


@dataclass
class StructuredConfig:
    """Both main models on TGCRP leaves, for several numbers of bit flips b."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN", source=f"{PAPER}, Fig. S6")
    mhn: NetworkConfig = param(mhn_network(), "the fixed-capacity 1-winner MHN", source=f"{PAPER}, Fig. S6")
    flips: tuple[int, ...] = param((5, 10, 15, 20, 30), "bit flips b from parent to child (one tree per b "
                                   "and run)", low=0, source=f"{PAPER}, sec. 2.2.2")
    n_nodes: int = param(14000, "nodes per TGCRP tree (about half are leaves)", low=2, source=f"{PAPER}, SI A.3.1")
    protocol: ProtocolConfig = param(
        ProtocolConfig(cue_levels=(1.0,), n_burnin=3000, n_memories=1000),
        "protocol and statistics", source=f"{PAPER}, SI A.3.1: 3,000 burn-in, 1,000 memories, 1,000 pseudo")

    def check(self):
        limit = min(self.kwinner.n_active, self.kwinner.n_visible - self.kwinner.n_active)
        bad = [b for b in self.flips if b > limit]
        if bad:
            raise ConfigError(f"flips={self.flips} is out of range: every b must be <= min(s, n_v - s) = {limit}")
        if not self.flips or len(set(self.flips)) != len(self.flips):
            raise ConfigError(f"flips={self.flips} must be one or more distinct values")


def structured_patterns(cfg: StructuredConfig, ctx) -> xr.Dataset:
    """K-winner vs 1-winner MHN on hierarchically structured TGCRP patterns: d' by age per similarity level
    (Fig. S6), and accuracy against an unstructured baseline (Fig. S7)."""
    networks = {"kwinner": cfg.kwinner, "mhn": cfg.mhn}
    check_networks(networks, cfg.protocol)
    models = {name: net.build() for name, net in networks.items()}
    p = cfg.protocol
    start = time.perf_counter()
    done: list[xr.Dataset] = []
    sims = []
    for i, b in enumerate(cfg.flips):
        sim: list = []
        source = tgcrp_pattern_source(cfg.n_nodes, cfg.kwinner.n_visible, cfg.kwinner.n_active, b, p.n_burnin,
                                      p.n_memories, sim)

        def checkpoint(ds, b=b):
            ctx.checkpoint(xr.concat(done + [ds.expand_dims(flips=[b])], dim="flips", join="outer"))

        ds = simulate(models, source, p, ctx, seed_offset=(i,), desc=f"b={b}", checkpoint=checkpoint)
        done.append(ds.expand_dims(flips=[b]))
        sims.append(np.asarray(sim).reshape(p.n_samples, p.runs_per_sample))
    ds = xr.concat(done, dim="flips")
    ds["similarity"] = (("flips", "sample", "run"), np.stack(sims))
    ds["similarity"].attrs["description"] = (f"mean pairwise similarity (overlap / s) of {SIMILARITY_SUBSET} "
                                             "memories of each run")
    ds = analyze(ds, cfg.kwinner.n_active, "mhn", p.alpha, p.fit_max_age)
    ds = add_mhn_theory(ds, networks)
    ds.attrs.update(elapsed_s=time.perf_counter() - start, plot_max_age=p.plot_max_age)
    return ds


def figures(ds: xr.Dataset) -> dict:
    def title(b, sub):
        return f"b = {b}, similarity {float(sub['similarity'].mean()):.3f}"

    return {"dprime": plots.grid_figure(ds, "flips", lambda ax, sub: plots.draw_metric(ax, sub, "dprime", 1.0),
                                        title),
            "accuracy": plots.grid_figure(ds, "flips", lambda ax, sub: plots.draw_accuracy(ax, sub, 1.0), title),
            "similarity": plots.similarity_figure(ds)}


def structured_headline(ds: xr.Dataset) -> xr.Dataset:
    """The retention headline (per b) and the memories' mean pairwise similarity."""
    out = headline(ds)
    out["similarity"] = ds["similarity"].mean(("sample", "run"))
    out["similarity"].attrs["description"] = "mean pairwise similarity (overlap / s) of the memories"
    return out


def report(ds: xr.Dataset) -> str:
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


register(Experiment("structured-patterns", "K-winner vs 1-winner MHN on hierarchically structured TGCRP "
                    "patterns (Fig. S6, S7)", StructuredConfig, structured_patterns, figures, report,
                    {"flips": (5, 15, 30), "protocol": {"n_samples": 4, "runs_per_sample": 5}}, structured_headline))
