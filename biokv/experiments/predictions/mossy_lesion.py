"""``predict-mossy-lesion``: the mossy fibres are silenced (gain 0) while new memories are stored; memories
stored before are recalled from an intact network (encoding vs retrieval: Lee & Kesner 2004, Hippocampus 14:66;
Lassalle, Bataille & Halley 2000)."""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import code_correlation
from biokv.experiments.predictions.config import MossyLesionConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)

__all__ = ["MOSSY_MEASURES", "mossy_lesion"]

MOSSY_MEASURES = ["recall of new memories", "recall of old memories", "CA3 code correlation of new memories",
                  "CA3 active fraction while storing new memories"]


def mossy_lesion(cfg: MossyLesionConfig, ctx) -> xr.Dataset:
    """Mossy-fibre lesion during the encoding of new memories: recall of new and old memories and the overlap of
    the new memories' CA3 codes, lesion vs control."""
    start = time.perf_counter()
    P = cfg.n_old + cfg.n_new
    d, twin, (s, n_ca3, k), runs, keys, values = rate_setup(cfg, ctx.seed, P)
    new = slice(cfg.n_old, P)
    per = {}
    out = []
    for lesion in (False, True):
        state = twin.init_state(ctx.seed, runs)
        gain = np.ones((len(runs), P))  # one mossy-fibre gain per run and encoding
        if lesion:
            gain[:, new] = 0.0
        enc = twin.encode(state, keys, values, gains={"mf": gain})
        acc = recall_accuracy(twin.recall(state, keys)["values"], values, s)
        codes = enc["ca3_winners"][:, new]
        out.append(np.stack([acc[:, new].mean(1), acc[:, :cfg.n_old].mean(1),
                             [code_correlation(c, n_ca3) for c in codes],
                             np.full(len(runs), k / n_ca3)], axis=1))
    per["rate"] = tuple(out)
    spk = None
    if cfg.spiking_seeds:
        spk = SpikingRuns(cfg, d, ctx.seed)
        sk, sv = intervention_patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        out = [[], []]
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            for j, lesion in enumerate((False, True)):
                gain = np.ones((2 * P, 1))  # one mossy-fibre gain per slot
                if lesion:
                    gain[new] = 0.0
                res = spk.simulate(i, sk[i], sv[i], sk[i], gains={"mf": gain})
                acc = recall_accuracy(res.recalled[:P], sv[i], s)
                active = res.active("CA3")[new]
                out[j].append([acc[new].mean(), acc[:cfg.n_old].mean(), code_correlation(active, n_ca3),
                               float(np.mean([len(a) for a in active])) / n_ca3])
        per["spiking"] = tuple(out)
    ds = backend_effects(per, MOSSY_MEASURES)
    ds = store_raw(ds, per, MOSSY_MEASURES)
    ds.attrs.update(prediction="Silencing the mossy fibres while new memories are stored impairs their recall and "
                    "changes their CA3 codes, and leaves the recall of memories stored before intact.",
                    control="mossy fibres intact throughout", intervention="mossy-fibre gain 0 while the new memories"
                    " are stored (recall: mossy fibres off in both, as always)", elapsed_s=time.perf_counter() - start)
    return finish(ds, per, spk)
