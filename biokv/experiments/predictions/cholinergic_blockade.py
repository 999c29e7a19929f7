"""``predict-cholinergic-blockade``: old memories are stored at the normal acetylcholine level of encoding, then new
memories whose keys share EC cells with old keys, at the normal level (control) or with acetylcholine 0 while
they are stored (a cholinergic blockade, e.g. scopolamine). High acetylcholine at encoding suppresses the
recurrent and perforant-path transmission into CA3 so that the stored associations do not drive the codes of
new inputs; without it, new memories should be stored on the codes of old ones (Hasselmo, Schnell & Barkai 1995,
J Neurosci 15:5249; Hasselmo 2006, Curr Opin Neurobiol 16:710).

New memory ``j`` shares ``key_overlap`` of its key's EC cells with old memory ``j``, its partner; its value is
drawn independently. Measures of the interference from old memories while new ones are stored:

- the overlap of each new CA3 code ``a`` with each old code ``b``, ``|a & b| / sqrt(|a| |b|)`` minus its chance
  value ``sqrt(|a| |b|) / n_CA3`` (``k / n`` for codes of ``k`` cells), averaged over every old code and for the
  partner alone;
- the recall of the new and of the old memories from their keys;
- intrusions: of the cells recalled for a new key that are not in its value, the fraction that belong to its
  partner's value, minus that fraction for wrong cells drawn at random outside the new value.

Plasticity is on during encoding whatever the acetylcholine level: the blockade removes the suppression of
transmission, not learning.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import overlapping_patterns_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.predictions.ca3_config import CholinergicBlockadeConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)
from biokv.experiments.predictions.pp_lesion import encoding_agreement

__all__ = ["BLOCKADE_MEASURES", "blockade_patterns", "code_overlap_beyond_chance", "intrusions",
           "cholinergic_blockade"]

BLOCKADE_MEASURES = ["recall of new memories", "recall of old memories",
                     "CA3 overlap of new codes with old codes (beyond chance)",
                     "CA3 overlap of new codes with their partner's (beyond chance)",
                     "intrusion of the partner's value (beyond chance)"]


def blockade_patterns(description, cfg: CholinergicBlockadeConfig, seed: int, runs):
    """Keys (R, n_old + n_new, EC active) and values (R, n_old + n_new, CTX active): the old memories, then the new
    ones, new key ``j`` sharing ``round(key_overlap * EC active)`` cells with old key ``j``."""
    ec, ctx = description.population("EC"), description.population("CTX")
    old_keys, old_values = intervention_patterns(description, seed, runs, cfg.n_old)
    new_keys = overlapping_patterns_runs(run_seeds(seed, "new-keys", runs), old_keys[:, :cfg.n_new], ec.size,
                                         cfg.key_overlap)
    new_values = random_subsets_runs(run_seeds(seed, "new-values", runs), cfg.n_new, ctx.size, ctx.active)
    return np.concatenate([old_keys, new_keys], axis=1), np.concatenate([old_values, new_values], axis=1)


def code_overlap_beyond_chance(a, b, n: int) -> float:
    """``|a & b| / sqrt(|a| |b|) - sqrt(|a| |b|) / n`` of two codes (index sets); NaN when one is empty."""
    if not len(a) or not len(b):
        return float("nan")
    size = np.sqrt(len(a) * len(b))
    return len(np.intersect1d(a, b)) / size - size / n


def _overlaps_with_old(new_codes, old_codes, n: int) -> tuple[float, float]:
    """Mean overlap beyond chance of the new codes with every old code and with their partners (new ``j`` with
    old ``j``); pairs with an empty code are left out (NaN if every pair has one)."""
    def mean(x):
        x = np.asarray(x, dtype=float)
        return float(x[np.isfinite(x)].mean()) if np.isfinite(x).any() else float("nan")

    every = mean([code_overlap_beyond_chance(a, b, n) for a in new_codes for b in old_codes])
    partner = mean([code_overlap_beyond_chance(a, b, n) for a, b in zip(new_codes, old_codes)])
    return every, partner


def intrusions(recalled, new_values, partner_values, n_ctx: int) -> float:
    """Mean over new memories of the fraction of wrongly recalled cells (recalled, not in the new value) that
    are in the partner's value (not in the new value), minus that fraction for wrong cells drawn at random
    outside the new value; memories recalled without error are left out (NaN if all are)."""
    out = []
    for r, v, w in zip(recalled, new_values, partner_values):
        wrong = np.setdiff1d(r, v)
        if not len(wrong):
            continue
        target = np.setdiff1d(w, v)
        out.append(len(np.intersect1d(wrong, target)) / len(wrong) - len(target) / (n_ctx - len(v)))
    return float(np.mean(out)) if out else float("nan")


def _measures(recalled, values, codes, cfg, s, n_ca3, n_ctx) -> list[float]:
    """The measures of one seed: ``recalled`` (new cues, then old), ``codes`` the CA3 codes at encoding (old,
    then new)."""
    n_old, n_new = cfg.n_old, cfg.n_new
    new = slice(n_old, n_old + n_new)
    acc_new = recall_accuracy(np.asarray(recalled[:n_new]), values[new], s).mean()
    acc_old = recall_accuracy(np.asarray(recalled[n_new:n_new + n_old]), values[:n_old], s).mean()
    every, partner = _overlaps_with_old(codes[n_old:n_old + n_new], codes[:n_old], n_ca3)
    return [acc_new, acc_old, every, partner, intrusions(recalled[:n_new], values[new], values[:n_new], n_ctx)]


def cholinergic_blockade(cfg: CholinergicBlockadeConfig, ctx) -> xr.Dataset:
    """Cholinergic blockade while new memories are stored: their CA3 codes' overlap with old codes, the recall of
    new and old memories and the intrusion of old values, blockade vs control."""
    start = time.perf_counter()
    n_old, n_new = cfg.n_old, cfg.n_new
    P = n_old + n_new
    d, twin, (s, n_ca3, k), runs, _, _ = rate_setup(cfg, ctx.seed, n_old)
    n_ctx = d.population("CTX").size
    keys, values = blockade_patterns(d, cfg, ctx.seed, runs)
    normal = d.acetylcholine["encode"]
    new = slice(n_old, P)
    cues = np.concatenate([keys[:, new], keys[:, :n_old]], axis=1)  # new memories, then old
    per, out, new_codes = {}, [], []
    for blockade in (False, True):
        level = np.full((len(runs), P), normal)  # one acetylcholine level per run and encoding
        level[:, new] = cfg.blockade_level if blockade else normal
        state = twin.init_state(ctx.seed, runs)
        codes = twin.encode(state, keys, values, acetylcholine=level)["ca3_winners"]
        recalled = twin.recall(state, cues)["values"]
        new_codes.append(codes[:, new])
        out.append(np.array([_measures(recalled[r], values[r], codes[r], cfg, s, n_ca3, n_ctx)
                             for r in range(len(runs))]))
    per["rate"] = tuple(out)
    agreement = {"rate": [encoding_agreement(x, y) for x, y in zip(*new_codes)]}
    spk = None
    if cfg.spiking_seeds:
        spk = SpikingRuns(cfg, d, ctx.seed)
        seeds = list(range(cfg.spiking_seeds))
        sk, sv = blockade_patterns(d, cfg, ctx.seed, seeds)
        recall_level = d.acetylcholine["recall"]
        out, agreement["spiking"] = [[], []], []
        for i in ctx.progress(seeds, desc="spiking seeds"):
            seed_cues = np.concatenate([sk[i][new], sk[i][:n_old]])
            enc_codes = []
            for j, blockade in enumerate((False, True)):
                level = np.full(2 * P, recall_level)  # one acetylcholine level per slot: encodings, then recalls
                level[:P] = normal
                level[new] = cfg.blockade_level if blockade else normal
                res = spk.simulate(i, sk[i], sv[i], seed_cues, acetylcholine=level)
                active = res.active("CA3")
                enc_codes.append(active[new])
                out[j].append(_measures(res.recalled[:P], sv[i], active[:P], cfg, s, n_ca3, n_ctx))
            agreement["spiking"].append(encoding_agreement(*enc_codes))
        per["spiking"] = tuple(out)
    ds = backend_effects(per, BLOCKADE_MEASURES)
    ds = store_raw(ds, per, BLOCKADE_MEASURES)
    for b, v in agreement.items():
        ds[f"encoding_agreement_{b}"] = (f"seed_{b}", np.asarray(v))
        ds[f"encoding_agreement_{b}"].attrs["description"] = ("mean Jaccard index of each new memory's CA3 code at "
                                                              "encoding, blockade vs control")
    ds.attrs.update(prediction="Blocking acetylcholine while new memories are stored lets the old memories "
                    "drive their CA3 codes: the new codes overlap the old ones more, old values intrude into "
                    "the recall of new memories, and the recall of new (and old) memories falls.",
                    control=f"new memories stored at the normal acetylcholine level of encoding ({normal:g})",
                    intervention=f"acetylcholine {cfg.blockade_level:g} while the new memories are stored (old "
                    f"memories stored before at {normal:g}; recall at {d.acetylcholine['recall']:g} in both); each new "
                    f"key shares {cfg.key_overlap:g} of its EC cells with its old partner's key",
                    elapsed_s=time.perf_counter() - start)
    return finish(ds, per, spk)
