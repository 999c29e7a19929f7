"""Continual-learning retention of the K-winner MHN family on random patterns (Bhandarkar & McClelland 2025,
section 2.2, SI A.2).

:func:`simulate` runs the retention protocol (:mod:`biokv.core.kwinner.protocol`) one sample at a time with
checkpoints; :func:`run_retention` simulates a set of networks on unstructured random patterns and analyses the
overlaps (:mod:`biokv.experiments.kwinner.analysis`). The computations of ``kwinner-retention`` (Fig. 4, S1),
``kwinner-fanin`` (Fig. S2), ``graded-mhn`` (Fig. S3) and ``mhn-retention`` (SI A.2.4) are here;
``structured-patterns`` (Fig. S6, S7) is in :mod:`biokv.experiments.kwinner.structured`.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import xarray as xr

from biokv.config import ConfigError
from biokv.core.common.patterns import cue_size
from biokv.core.kwinner.model import KWinnerMHN
from biokv.core.kwinner.protocol import random_pattern_source, retention_overlaps
from biokv.experiments.kwinner.analysis import add_mhn_theory, add_retention_statistics
from biokv.experiments.kwinner.config import (GradedMHNConfig, KWinnerRetentionConfig, MHNRetentionConfig,
                                              NetworkConfig, ProtocolConfig)

__all__ = ["check_networks", "simulate", "run_retention", "kwinner_retention", "graded_mhn", "mhn_retention"]


def check_networks(networks: dict[str, NetworkConfig], protocol: ProtocolConfig):
    """The models of one experiment see the same patterns: equal n_visible and n_active; cues keep a one."""
    first = next(iter(networks.values()))
    for name, net in networks.items():
        if (net.n_visible, net.n_active) != (first.n_visible, first.n_active):
            raise ConfigError(f"{name}.n_visible and {name}.n_active must equal those of the other models "
                              f"({first.n_visible}, {first.n_active}): they learn the same patterns")
    for c in protocol.cue_levels:
        try:
            cue_size(c, first.n_active)
        except ValueError as err:
            raise ConfigError(f"cue_levels: {err}") from None


def simulate(models: dict[str, KWinnerMHN], source, protocol: ProtocolConfig, ctx, seed_offset: tuple = (),
             desc: str = "samples", checkpoint=None) -> xr.Dataset:
    """Overlaps of every model, cue level, sample, run and age (``int16``), one sample at a time.

    Run ``(sample, run)`` (prefixed by ``seed_offset``) has its own patterns, cues and networks, shared by the
    models. After each sample the finished work goes to ``checkpoint`` (default ``ctx.checkpoint``).
    """
    checkpoint = ctx.checkpoint if checkpoint is None else checkpoint
    names = list(models)
    arrays: dict[str, list] = {}
    done = []
    for sample in ctx.progress(range(protocol.n_samples), desc=desc):
        runs = [(*seed_offset, sample, r) for r in range(protocol.runs_per_sample)]
        res = retention_overlaps(models, source, protocol.cue_levels, ctx.seed, runs)
        for key in res[names[0]]:
            arrays.setdefault(key, []).append(np.stack([res[n][key] for n in names]))
        done.append(sample)
        checkpoint(_overlap_dataset(arrays, names, protocol, done))
    return _overlap_dataset(arrays, names, protocol, done)


def _overlap_dataset(arrays, names, protocol, samples) -> xr.Dataset:
    dims = ("model", "sample", "run", "cue", "age")
    n_ages = protocol.n_memories
    coords = dict(model=names, sample=np.asarray(samples), run=np.arange(protocol.runs_per_sample),
                  cue=np.asarray(protocol.cue_levels, dtype=np.float64), age=np.arange(1, n_ages + 1))
    data = {f"overlap_{key}": (dims, np.stack(chunks, axis=1)) for key, chunks in arrays.items()}
    ds = xr.Dataset(data, coords=coords)
    for var in ds.data_vars:
        ds[var].attrs["description"] = ("retrieved-pattern overlap with the "
                                        + {"overlap_real": "memory", "overlap_pseudo": "pseudo-memory",
                                           "overlap_pseudo_random": "unstructured pseudo-memory"}[var]
                                        + " (shared ones) from a fresh partial cue")
    return ds.transpose(..., "model", "cue", "sample", "run", "age")


def run_retention(networks: dict[str, NetworkConfig], comparator: str, protocol: ProtocolConfig, ctx
                  ) -> xr.Dataset:
    """Simulate the retention protocol for ``networks`` on unstructured random patterns and analyse it."""
    check_networks(networks, protocol)
    first = next(iter(networks.values()))
    models = {name: net.build() for name, net in networks.items()}
    source = random_pattern_source(first.n_visible, first.n_active, protocol.n_burnin, protocol.n_memories)
    start = time.perf_counter()
    ds = simulate(models, source, protocol, ctx)
    ds = add_retention_statistics(ds, first.n_active, comparator, protocol.alpha, protocol.fit_max_age)
    ds = add_mhn_theory(ds, networks)
    ds.attrs.update(elapsed_s=time.perf_counter() - start, plot_max_age=protocol.plot_max_age)
    return ds


def kwinner_retention(cfg: KWinnerRetentionConfig, ctx) -> xr.Dataset:
    """K-winner MHN vs 1-winner MHN on random patterns: accuracy, d' and R.D. by age (Fig. 4A/B, S1; with the
    raised fan-in configuration, Fig. S2)."""
    return run_retention({"kwinner": cfg.kwinner, "mhn": cfg.mhn}, "mhn", cfg.protocol, ctx)


def graded_mhn(cfg: GradedMHNConfig, ctx) -> xr.Dataset:
    """Graded MHN (eps 0.3) vs slot MHN and K-winner MHNs with eps 0.3 and lower (Fig. S3)."""
    networks = {"graded-mhn": cfg.graded_mhn, "mhn": cfg.mhn}
    for lr in cfg.kwinner_learning_rates:
        networks[f"kwinner-lr{lr:g}"] = dataclasses.replace(cfg.kwinner, learning_rate=lr)
    return run_retention(networks, "graded-mhn", cfg.protocol, ctx)


def mhn_retention(cfg: MHNRetentionConfig, ctx) -> xr.Dataset:
    """1-winner MHN on random patterns: R.D. by age against (1 - 1/n_h)^(age-1) (1 - p_b) (SI A.2.4)."""
    return run_retention({"mhn": cfg.mhn}, "mhn", cfg.protocol, ctx)
