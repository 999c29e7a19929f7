"""Retention of structured patterns from the tree-generating Chinese restaurant process (Fig. S6, S7).

Bhandarkar & McClelland (2025), section 2.2.2 and SI A.3: for each number of bit flips ``b`` between parent and
child, every run grows its own TGCRP tree (14,000 nodes), shuffles its leaves and splits them into burn-in
patterns, memories and pseudo-memories (3,000 / 1,000 / 1,000). Retrieval is from full cues. Pseudo-memories
are structured leaves of the same tree (Fig. S6); unstructured random patterns give a second baseline (Fig. S7).
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.config import ConfigError
from biokv.core.common.patterns import mean_pairwise_similarity, random_patterns
from biokv.core.common.tgcrp import tgcrp_leaves
from biokv.core.kwinner.protocol import RetentionPatterns
from biokv.experiments.kwinner.analysis import add_mhn_theory, add_retention_statistics
from biokv.experiments.kwinner.config import StructuredConfig
from biokv.experiments.kwinner.retention import check_networks, simulate

__all__ = ["SIMILARITY_SUBSET", "tgcrp_pattern_source", "structured_patterns"]

SIMILARITY_SUBSET = 300  # memories per run used to estimate the mean pairwise similarity


def tgcrp_pattern_source(n_nodes: int, n_visible: int, n_active: int, n_flips: int, n_burnin: int,
                         n_memories: int, similarities: list):
    """Leaves of one TGCRP tree per run, split into burn-in, memories and pseudo-memories, plus unstructured
    pseudo-memories; the mean pairwise similarity of each run's memories is appended to ``similarities``.

    Returns a pattern source for :func:`biokv.core.kwinner.protocol.retention_overlaps`: a function from a list
    of generators (one per run) to :class:`~biokv.core.kwinner.protocol.RetentionPatterns`. It raises a
    :class:`~biokv.config.ConfigError` if a tree has fewer than ``n_burnin + 2 * n_memories`` leaves.
    """
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
    ds = add_retention_statistics(ds, cfg.kwinner.n_active, "mhn", p.alpha, p.fit_max_age)
    ds = add_mhn_theory(ds, networks)
    ds.attrs.update(elapsed_s=time.perf_counter() - start, plot_max_age=p.plot_max_age)
    return ds
