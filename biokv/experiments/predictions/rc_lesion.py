"""``predict-rc-lesion``: the CA3 recurrent collaterals are silenced at retrieval; memories are recalled from their
full keys and from partial keys (CA3 NMDA-receptor knockout mice recall a place normally from the full set of
extra-maze cues and are impaired when most cues are removed: Nakazawa et al. 2002, Science 297:211).

The lesion is applied at retrieval only (recurrent gain 0 in the recall presentations; encoding identical to the
control's). In the knockout the recurrent synapses cannot be potentiated, so the recurrent input at retrieval
carries no stored memory; the model's closest intervention is to remove the recurrent input where it recalls.
At encoding the recurrents barely shape the CA3 codes (acetylcholine suppresses 90% of their transmission and
the mossy fibres dominate), so silencing them there as well changes little; leaving encoding intact makes the
comparison exact: the same CA3 codes and learned weights in both conditions, and every difference is the
recurrents' contribution to retrieval (pattern completion: Marr 1971; Treves & Rolls 1992, Hippocampus 2:189).
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import jaccard, partial_cues_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.predictions.ca3_config import RecurrentLesionConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)

__all__ = ["RC_MEASURES", "code_recovery", "rc_lesion"]

RC_MEASURES = ["recall from full cues", "recall from partial cues", "CA3 code recovered from full cues",
               "CA3 code recovered from partial cues"]


def code_recovery(recalled_codes, stored_codes) -> float:
    """Mean Jaccard index of each memory's CA3 code at recall with its code at encoding (index sets per memory;
    a memory whose codes are both empty counts as 0)."""
    return float(np.mean([jaccard(a, b) if len(a) or len(b) else 0.0 for a, b in zip(recalled_codes, stored_codes)]))


def rc_lesion(cfg: RecurrentLesionConfig, ctx) -> xr.Dataset:
    """Recurrent collaterals silenced at retrieval: recall and CA3 code recovery from full and partial cues,
    lesion vs control, on the same stored memories."""
    start = time.perf_counter()
    P = cfg.n_pairs
    d, twin, (s, n_ca3, k), runs, keys, values = rate_setup(cfg, ctx.seed, P)
    partial = partial_cues_runs(run_seeds(ctx.seed, "partial-cues", runs), keys, cfg.cue_fraction)
    state = twin.init_state(ctx.seed, runs)
    stored = twin.encode(state, keys, values)["ca3_winners"]
    out = []
    for lesion in (False, True):
        gains = {"rc": 0.0 if lesion else 1.0}
        cols = [[], []]
        for cues in (keys, partial):
            res = twin.recall(state, cues, gains=gains)
            cols[0].append(recall_accuracy(res["values"], values, s).mean(1))
            cols[1].append([code_recovery(a, b) for a, b in zip(res["ca3_winners"], stored)])
        out.append(np.stack(cols[0] + cols[1], axis=1))
    per = {"rate": tuple(out)}
    spk = None
    if cfg.spiking_seeds:
        spk = SpikingRuns(cfg, d, ctx.seed)
        seeds = list(range(cfg.spiking_seeds))
        sk, sv = intervention_patterns(d, ctx.seed, seeds, P)
        sp = partial_cues_runs(run_seeds(ctx.seed, "partial-cues", seeds), sk, cfg.cue_fraction)
        lesion_gain = np.ones((3 * P, 1))  # slots: encoding, then full and partial cues
        lesion_gain[P:] = 0.0
        out = [[], []]
        for i in ctx.progress(seeds, desc="spiking seeds"):
            cues = list(sk[i]) + list(sp[i])
            for j, lesion in enumerate((False, True)):  # the same noise: encoding identical, recall differs
                res = spk.simulate(i, sk[i], sv[i], cues, gains={"rc": lesion_gain} if lesion else None)
                active = res.active("CA3")
                out[j].append([recall_accuracy(res.recalled[:P], sv[i], s).mean(),
                               recall_accuracy(res.recalled[P:2 * P], sv[i], s).mean(),
                               code_recovery(active[P:2 * P], active[:P]),
                               code_recovery(active[2 * P:3 * P], active[:P])])
        per["spiking"] = tuple(out)
    ds = backend_effects(per, RC_MEASURES)
    ds = store_raw(ds, per, RC_MEASURES)
    ds.attrs.update(prediction="Silencing the CA3 recurrent collaterals at retrieval impairs recall from partial "
                    "cues and spares recall from full cues.",
                    control="recurrent collaterals intact",
                    intervention=f"recurrent-collateral gain 0 at retrieval (memories stored intact); partial cues "
                    f"keep {cfg.cue_fraction:g} of each key's EC cells; CA3 code recovered = Jaccard index of the "
                    "CA3 code at recall with the code at encoding",
                    elapsed_s=time.perf_counter() - start)
    return finish(ds, per, spk)
