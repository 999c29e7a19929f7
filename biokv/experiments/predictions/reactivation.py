"""``predict-reactivation``: memories no longer recalled are cued again with the perforant-path input of their own
CA3 ensemble (the cells that fired when they were stored) multiplied by ``beta``, or that of a random ensemble of
the same size (engram reactivation: Ryan et al. 2015, Science 348:1007; the beta scaling of Gershman, Fiete & Irie
2025)."""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.predictions.config import ReactivationConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)

__all__ = ["REACTIVATION_MEASURES", "ensemble_gain", "reactivation"]

REACTIVATION_MEASURES = ["own ensemble", "random ensemble"]


def ensemble_gain(ensembles, beta, n) -> np.ndarray:
    """(Q, n) gains: ``beta`` on each cue's ensemble (list of index arrays), 1 elsewhere."""
    g = np.ones((len(ensembles), n))
    for q, e in enumerate(ensembles):
        g[q, np.asarray(e, dtype=np.intp)] = beta
    return g


def reactivation(cfg: ReactivationConfig, ctx) -> xr.Dataset:
    """Recall of memories that are no longer recalled, cued with their own CA3 ensemble boosted (engram
    reactivation) against a random ensemble of the same size and against no boost."""
    start = time.perf_counter()
    P = cfg.n_pairs
    d, twin, (s, n_ca3, k), runs, keys, values = rate_setup(cfg, ctx.seed, P)
    targets = np.arange(P - cfg.age_max, P - cfg.age_min + 1)  # learning order
    state = twin.init_state(ctx.seed, runs)
    enc = twin.encode(state, keys, values)
    tk, tv = keys[:, targets], values[:, targets]
    ens = enc["ca3_winners"][:, targets]
    rnd = random_subsets_runs(run_seeds(ctx.seed, "random-ensembles", runs), len(targets), n_ca3, k)
    base = recall_accuracy(twin.recall(state, tk)["values"], tv, s)
    own = recall_accuracy(twin.recall(state, tk, gains={"pp": np.stack([ensemble_gain(e, cfg.beta, n_ca3)
                                                                         for e in ens])})["values"], tv, s)
    rand = recall_accuracy(twin.recall(state, tk, gains={"pp": np.stack([ensemble_gain(e, cfg.beta, n_ca3)
                                                                          for e in rnd])})["values"], tv, s)
    forgotten = base < cfg.forgotten_below

    def per_seed(x, mask):
        return np.array([x[r][mask[r]].mean() if mask[r].any() else np.nan for r in range(len(x))])

    per = {"rate": (np.stack([per_seed(base, forgotten)] * 2, axis=1),
                    np.stack([per_seed(own, forgotten), per_seed(rand, forgotten)], axis=1))}
    n_forgotten = {"rate": forgotten.sum(axis=1)}
    spk = None
    if cfg.spiking_seeds:
        spk = SpikingRuns(cfg, d, ctx.seed)
        sk, sv = intervention_patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        control, boosted, n_forgotten["spiking"] = [], [], []
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            res = spk.simulate(i, sk[i], sv[i], sk[i][targets])
            b = recall_accuracy(res.recalled[:len(targets)], sv[i][targets], s)
            own_e = [res.active("CA3")[t] for t in targets]  # the cells that fired when the target was stored
            rng_e = random_subsets_runs(run_seeds(ctx.seed, "random-ensembles:spiking", [i]), len(targets), n_ca3,
                                        k)[0]
            rng_e = [r[:len(o)] for r, o in zip(rng_e, own_e)]  # the same size as the own ensemble
            gain = np.ones((P + 2 * len(targets), n_ca3))
            gain[P:P + len(targets)] = ensemble_gain(own_e, cfg.beta, n_ca3)
            gain[P + len(targets):] = ensemble_gain(rng_e, cfg.beta, n_ca3)
            res2 = spk.simulate(i, sk[i], sv[i], np.concatenate([sk[i][targets]] * 2), gains={"pp": gain})
            if any(not np.array_equal(a, b2) for a, b2 in zip(res.active("CA3")[:P], res2.active("CA3")[:P])):
                raise RuntimeError("the encoding of the boosted simulation differs from the control's: the "
                                   "ensembles would not be the stored ones")
            acc2 = recall_accuracy(res2.recalled[:2 * len(targets)], np.concatenate([sv[i][targets]] * 2), s)
            mask = b < cfg.forgotten_below
            n_forgotten["spiking"].append(int(mask.sum()))

            def m(x, mask=mask):
                return x[mask].mean() if mask.any() else np.nan
            control.append([m(b), m(b)])
            boosted.append([m(acc2[:len(targets)]), m(acc2[len(targets):])])
        per["spiking"] = (np.array(control), np.array(boosted))
    ds = backend_effects(per, REACTIVATION_MEASURES)
    ds = store_raw(ds, per, REACTIVATION_MEASURES)
    for b, v in n_forgotten.items():
        ds[f"forgotten_targets_{b}"] = (f"seed_{b}", np.asarray(v))
    ds.attrs.update(prediction="Boosting the perforant-path input of a no-longer-recalled memory's own CA3 "
                    "ensemble restores part of its recall; boosting a random ensemble of the same size does not.",
                    control="the same cue without a boost",
                    intervention=f"perforant-path gain beta = {cfg.beta:g} on the CA3 cells that fired when the "
                    "memory was stored (own) or on as many random CA3 cells (random)",
                    n_targets=len(targets), elapsed_s=time.perf_counter() - start)
    return finish(ds, per, spk)
