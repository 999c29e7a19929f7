"""``predict-distributed-storage``: distributed storage (a K-winner MHN: many hidden units per memory, fan-in
masks, graded updates) against slot storage (the 1-winner MHN, one unit per memory) with the same number of
weights (Bhandarkar & McClelland 2025), by the number of winners k and by the similarity of the patterns (random,
or leaves of a TGCRP tree with fewer bit flips = more similar). Effect: recall accuracy of old memories, K-winner
minus 1-winner, per run."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import xarray as xr

from biokv.core.kwinner.protocol import random_pattern_source, retention_overlaps
from biokv.experiments.kwinner.structured import tgcrp_pattern_source
from biokv.experiments.predictions.config import DistributedStorageConfig
from biokv.experiments.predictions.effects import effect_dataset

__all__ = ["distributed_storage"]


def distributed_storage(cfg: DistributedStorageConfig, ctx) -> xr.Dataset:
    """Recall of old and recent memories: K-winner MHN (several k) vs the 1-winner MHN, same weights, on random
    and structured patterns."""
    start = time.perf_counter()
    models = {f"k={k}": replace(cfg.kwinner, k=k).build() for k in cfg.ks}
    models["1-winner"] = cfg.mhn.build()
    s = cfg.kwinner.n_active
    runs = list(range(cfg.runs))
    sims = ["random"] + [f"{b} flips" for b in cfg.flips]
    old = np.zeros((len(sims), len(models), cfg.runs))
    recent = np.zeros_like(old)
    by_age = np.zeros((len(sims), len(models), cfg.n_memories))
    similarity = np.full(len(sims), np.nan)
    for i, sim in enumerate(ctx.progress(sims, desc="pattern sets")):
        if sim == "random":
            source = random_pattern_source(cfg.kwinner.n_visible, s, cfg.n_burnin, cfg.n_memories)
        else:
            sims_seen: list = []
            source = tgcrp_pattern_source(cfg.n_nodes, cfg.kwinner.n_visible, s, cfg.flips[i - 1], cfg.n_burnin,
                                          cfg.n_memories, sims_seen)
        res = retention_overlaps(models, source, (1.0,), ctx.seed, [(i, r) for r in runs])
        if sim != "random":
            similarity[i] = float(np.mean(sims_seen))
        for j, name in enumerate(models):
            acc = res[name]["real"][:, 0] / s  # (runs, ages), age 1 first
            old[i, j] = acc[:, cfg.old_age:].mean(axis=1)
            recent[i, j] = acc[:, :cfg.old_age].mean(axis=1)
            by_age[i, j] = acc.mean(axis=0)
    names = list(models)
    k_names = names[:-1]

    def arrays(x):
        control = np.repeat(x[:, -1:, :], len(k_names), axis=1)
        coords = {"similarity": sims, "k": list(cfg.ks), "seed": runs}
        return (xr.DataArray(np.moveaxis(control, -1, 0), dims=("seed", "similarity", "k"), coords=coords),
                xr.DataArray(np.moveaxis(x[:, :-1], -1, 0), dims=("seed", "similarity", "k"), coords=coords))

    ds = effect_dataset(*arrays(old))
    ds_recent = effect_dataset(*arrays(recent))
    for v in ds_recent.data_vars:
        ds[f"recent_{v}"] = ds_recent[v]
    ds = ds.assign_coords(model=names, age=np.arange(1, cfg.n_memories + 1))
    ds["accuracy_by_age"] = (("similarity", "model", "age"), by_age)
    ds["mean_pairwise_similarity"] = ("similarity", similarity)
    ds.attrs.update(prediction="With the same number of weights, distributed (K-winner) storage recalls old "
                    "memories better than slot (1-winner) storage; the advantage depends on k and on how similar "
                    "the memories are.", control="1-winner MHN (n_h 100, fan-in 1, k 1, eps 1)",
                    intervention="K-winner MHN (n_h 2000, fan-in 0.05, eps 0.3) with k winners",
                    measure=f"mean recall accuracy (full cues) over ages > {cfg.old_age}",
                    old_age=cfg.old_age, elapsed_s=time.perf_counter() - start)
    return ds
