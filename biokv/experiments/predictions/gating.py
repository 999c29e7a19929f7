"""``predict-gating``: the mossy fibres or the perforant path to CA3 are blocked (gain 0) while memories are stored
or while they are recalled, under two hypotheses of how the mossy fibres are gated; recall against the intact
control of the same hypothesis.

Lee & Kesner (2004, Hippocampus 14:66) found a double dissociation: lesions of the dentate gyrus (the mossy-fibre
input to CA3) impair the encoding of new spatial information and not the retrieval of information learned
before, lesions of the perforant-path input to CA3 impair its retrieval and not its encoding. The two hypotheses:

- ``Treves-Rolls`` (``mossy_fibres_at_recall=False``): the mossy fibres set the CA3 codes at encoding and are
  silent at retrieval (Treves & Rolls 1992, Hippocampus 2:189);
- ``acetylcholine alone`` (``mossy_fibres_at_recall=True``): the mossy fibres transmit at retrieval too, and
  acetylcholine is the only switch between the phases (Hasselmo, Schnell & Barkai 1995, J Neurosci 15:5249).

The blocked perforant path is the model's ``pp`` projection (EC -> CA3); EC -> DG stays intact. A block removes
transmission only: the plasticity rule still updates the synapses of the CA3 cells that fire. In the rate
twin the retrieval blocks act on the control's stored memories (recall does not change the weights); in the
spiking network every condition is one simulation with the same patterns and Poisson noise.

A block impairs recall when the 95% CI of its effect lies below ``-impairment`` and spares it when the CI lies
above ``-impairment`` (otherwise its status is undetermined). A hypothesis reproduces the dissociation when, for
each pathway, the block at its critical stage (mossy fibres: encoding; perforant path: retrieval) impairs recall
and the block at the other stage spares it. ``stage_difference`` holds, per hypothesis and pathway, recall with the
block at the critical stage minus recall with the block at the other stage (paired over seeds, with its 95% CI):
negative when the critical stage matters more.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import xarray as xr

from biokv.core.stats.metrics import paired_effect
from biokv.experiments.predictions.ca3_config import GatingConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)

__all__ = ["HYPOTHESES", "BLOCKS", "PATHWAYS", "CRITICAL_STAGE", "gating_measure", "block_status", "gating"]

#: hypothesis label -> mossy_fibres_at_recall
HYPOTHESES = {"Treves-Rolls": False, "acetylcholine alone": True}
#: (projection, stage) of the four interventions
BLOCKS = (("mf", "encoding"), ("mf", "retrieval"), ("pp", "encoding"), ("pp", "retrieval"))
PATHWAYS = ("mf", "pp")
#: the stage at which Lee & Kesner (2004) found each pathway necessary
CRITICAL_STAGE = {"mf": "encoding", "pp": "retrieval"}


def gating_measure(hypothesis: str, projection: str, stage: str) -> str:
    """The measure label of one hypothesis and block, e.g. ``"Treves-Rolls: mf blocked at encoding"``."""
    return f"{hypothesis}: {projection} blocked at {stage}"


MEASURES = [gating_measure(h, p, st) for h in HYPOTHESES for p, st in BLOCKS]


def block_status(ci_low: float, ci_high: float, impairment: float) -> str:
    """``"impaired"`` if the 95% CI of a block's effect on recall lies below ``-impairment``, ``"spared"`` if it
    lies above, ``"undetermined"`` otherwise."""
    if ci_high < -impairment:
        return "impaired"
    if ci_low > -impairment:
        return "spared"
    return "undetermined"


def _rate_hypothesis(cfg, seed, at_recall: bool):
    """Recall accuracy (runs,) of the intact control and of the four blocks (runs, 4) under one hypothesis."""
    hcfg = dataclasses.replace(cfg, network=dataclasses.replace(cfg.network, mossy_fibres_at_recall=at_recall))
    d, twin, (s, _, _), runs, keys, values = rate_setup(hcfg, seed, cfg.n_pairs)

    def stored(gains):
        state = twin.init_state(seed, runs)
        twin.encode(state, keys, values, gains=gains)
        return state

    def accuracy(state, gains=None):
        return recall_accuracy(twin.recall(state, keys, gains=gains)["values"], values, s).mean(1)

    intact = stored(None)
    blocked = {("mf", "encoding"): accuracy(stored({"mf": 0.0})), ("mf", "retrieval"): accuracy(intact, {"mf": 0.0}),
               ("pp", "encoding"): accuracy(stored({"pp": 0.0})), ("pp", "retrieval"): accuracy(intact, {"pp": 0.0})}
    return accuracy(intact), np.stack([blocked[b] for b in BLOCKS], axis=1)


def _spiking_hypothesis(cfg, seed, at_recall: bool, seeds, ctx):
    """The same in the spiking network of run 0: (control (seeds,), blocks (seeds, 4), the runs' simulator)."""
    hcfg = dataclasses.replace(cfg, network=dataclasses.replace(cfg.network, mossy_fibres_at_recall=at_recall))
    d = hcfg.network.build()
    s = d.population("CTX").active
    P = cfg.n_pairs
    spk = SpikingRuns(hcfg, d, seed)
    sk, sv = intervention_patterns(d, seed, seeds, P)
    stage = {"encoding": np.zeros((2 * P, 1), dtype=bool), "retrieval": np.zeros((2 * P, 1), dtype=bool)}
    stage["encoding"][:P], stage["retrieval"][P:] = True, True  # slots: P encodings, then P recalls

    def accuracy(i, gains):  # seed i: the same patterns and noise in every condition
        return recall_accuracy(spk.simulate(i, sk[i], sv[i], sk[i], gains=gains).recalled[:P], sv[i], s).mean()

    control, blocks = [], []
    for i in ctx.progress(seeds, desc=f"spiking seeds ({'mf at recall' if at_recall else 'mf silent at recall'})"):
        control.append(accuracy(i, None))
        blocks.append([accuracy(i, {proj: np.where(stage[st], 0.0, 1.0)}) for proj, st in BLOCKS])
    return np.array(control), np.array(blocks), spk


def _stage_differences(per: dict) -> xr.Dataset:
    """Per backend, hypothesis and pathway: recall with the block at the critical stage minus recall with the
    block at the other stage, mean over seeds with its 95% CI."""
    names = {"difference": "stage_difference", "ci_low": "stage_difference_ci_low",
             "ci_high": "stage_difference_ci_high"}
    data = {v: np.full((len(per), len(HYPOTHESES), len(PATHWAYS)), np.nan) for v in names.values()}
    for a, (_, intervention) in enumerate(per.values()):
        x = np.asarray(intervention, float)
        for h, hyp in enumerate(HYPOTHESES):
            for p, proj in enumerate(PATHWAYS):
                other = "retrieval" if CRITICAL_STAGE[proj] == "encoding" else "encoding"
                crit = MEASURES.index(gating_measure(hyp, proj, CRITICAL_STAGE[proj]))
                rest = MEASURES.index(gating_measure(hyp, proj, other))
                eff = paired_effect(x[:, rest], x[:, crit])
                for key, var in names.items():
                    data[var][a, h, p] = float(eff[key])
    dims = ("backend", "hypothesis", "pathway")
    coords = {"backend": list(per), "hypothesis": list(HYPOTHESES), "pathway": list(PATHWAYS)}
    ds = xr.Dataset({v: (dims, a) for v, a in data.items()}, coords=coords)
    ds["stage_difference"].attrs["description"] = ("recall with the block at the pathway's critical stage (mf: "
                                                   "encoding, pp: retrieval) minus recall with the block at the "
                                                   "other stage, mean over seeds")
    return ds


def _reproduces(ds: xr.Dataset, impairment: float) -> xr.DataArray:
    """Per backend and hypothesis: each pathway's critical-stage block impairs recall and its other-stage block
    spares it (:func:`block_status`)."""
    out = np.zeros((ds.sizes["backend"], len(HYPOTHESES)), dtype=bool)
    for a, b in enumerate(ds.backend.values):
        for h, hyp in enumerate(HYPOTHESES):
            ok = True
            for proj in PATHWAYS:
                for stage in ("encoding", "retrieval"):
                    e = ds.sel(backend=b, measure=gating_measure(hyp, proj, stage))
                    status = block_status(float(e["effect_ci_low"]), float(e["effect_ci_high"]), impairment)
                    ok = ok and status == ("impaired" if stage == CRITICAL_STAGE[proj] else "spared")
            out[a, h] = ok
    return xr.DataArray(out, dims=("backend", "hypothesis"),
                        coords={"backend": ds.backend.values, "hypothesis": list(HYPOTHESES)})


def gating(cfg: GatingConfig, ctx) -> xr.Dataset:
    """Mossy fibres or perforant path blocked at encoding or at retrieval, under both gating hypotheses: recall
    against the intact control of the same hypothesis, and whether each hypothesis reproduces the double
    dissociation of Lee & Kesner (2004)."""
    start = time.perf_counter()
    control, blocks = [], []
    for at_recall in HYPOTHESES.values():
        c, b = _rate_hypothesis(cfg, ctx.seed, at_recall)
        control.append(np.repeat(c[:, None], len(BLOCKS), axis=1))
        blocks.append(b)
    per = {"rate": (np.concatenate(control, axis=1), np.concatenate(blocks, axis=1))}
    spk = None
    if cfg.spiking_seeds:
        seeds = list(range(cfg.spiking_seeds))
        control, blocks, wall, compiled = [], [], 0.0, 0
        for at_recall in HYPOTHESES.values():
            c, b, spk = _spiking_hypothesis(cfg, ctx.seed, at_recall, seeds, ctx)
            control.append(np.repeat(c[:, None], len(BLOCKS), axis=1))
            blocks.append(b)
            wall, compiled = wall + spk.wall_s, compiled + spk.compilations
        spk.wall_s = wall
        per["spiking"] = (np.concatenate(control, axis=1), np.concatenate(blocks, axis=1))
    ds = backend_effects(per, MEASURES)
    ds = store_raw(ds, per, MEASURES)
    ds = ds.merge(_stage_differences(per))
    ds["reproduces_dissociation"] = _reproduces(ds, cfg.impairment)
    ds["reproduces_dissociation"].attrs["description"] = (
        f"each pathway's block at its critical stage (mf: encoding, pp: retrieval) impairs recall (95% CI of the "
        f"effect below -{cfg.impairment:g}) and its block at the other stage spares it (CI above -{cfg.impairment:g})")
    ds.attrs.update(prediction="If the mossy fibres are silent at retrieval (Treves & Rolls 1992), blocking them "
                    "impairs encoding and not retrieval, and blocking the perforant path impairs retrieval and not "
                    "encoding (Lee & Kesner 2004); if acetylcholine alone gates them, they also retrieve.",
                    control="the intact network of the same hypothesis",
                    intervention="gain 0 on the mossy fibres (mf) or on the perforant path to CA3 (pp) in the "
                    "encoding or in the recall presentations; hypotheses: mossy fibres silent at recall "
                    "(Treves-Rolls) or gated by acetylcholine alone",
                    impairment=cfg.impairment, elapsed_s=time.perf_counter() - start)
    ds = finish(ds, per, spk)
    if spk is not None:
        ds.attrs["spiking_compilations"] = compiled
    return ds
