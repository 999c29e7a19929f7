"""``spiking-recall``: the spiking hippocampal network against its rate twin on identical connectivity and
patterns.

P key -> value pairs are encoded, then recalled from cues at each cue level, in one spiking simulation and in the
rate twin. Reported: per pattern, the agreement (Jaccard) between the CA3 cells that fired during encoding and
the rate twin's CA3 winners; recall accuracy by age in both backends; active fractions and mean firing rates per
population. Configuration: :class:`biokv.experiments.hippocampus.config.SpikingRecallConfig`; figures and report:
:mod:`biokv.experiments.hippocampus.figures`, :mod:`biokv.experiments.hippocampus.report`.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import jaccard, overlaps, partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.hippocampus.config import SpikingRecallConfig
from biokv.experiments.hippocampus.devices import spiking_device
from biokv.hippocampus.rate_twin import HippocampalRateTwin

__all__ = ["spiking_recall"]


def spiking_recall(cfg: SpikingRecallConfig, ctx) -> xr.Dataset:
    """Spiking hippocampal network vs its rate twin: CA3 winner agreement at encoding, recall by age."""
    description = cfg.network.build()
    params = cfg.spiking.parameters()
    twin = HippocampalRateTwin(description)
    ec, ctx_pop = description.population("EC"), description.population("CTX")
    P, levels = cfg.n_pairs, cfg.cue_levels
    state = twin.init_state(ctx.seed, [0])
    keys = random_subsets_runs(run_seeds(ctx.seed, "keys", [0]), P, ec.size, ec.active)
    values = random_subsets_runs(run_seeds(ctx.seed, "values", [0]), P, ctx_pop.size, ctx_pop.active)
    cues = [partial_cues_runs(run_seeds(ctx.seed, f"cues:{c!r}", [0]), keys, c) for c in levels]
    start = time.perf_counter()
    # spiking: encode once, then recall every cue of every level, level after level
    all_cues = [list(c[0]) for c in cues]
    with spiking_device(cfg.spiking.device, cfg.spiking.codegen) as make:
        result = make(description, params).simulate(state, 0, list(keys[0]), list(values[0]),
                                                    [q for c in all_cues for q in c], seed=ctx.seed % 2**32)
    spiking_s = time.perf_counter() - start
    # rate twin on the same connectivity and patterns
    initial = state.copy()
    enc = twin.encode(state, keys, values)
    twin_values = [twin.recall(state, c)["values"][0] for c in cues]
    if twin.with_dg:  # CA3 given the spiking network's own DG code (its k most active granule cells)
        k_dg = description.population("DG").active
        spk_dg = np.stack([result.most_active("DG", p, k_dg, key=p) for p in range(P)])
        given = twin.encode(initial, keys, values, dg_winners=spk_dg[None])

    by_age = np.arange(P)[::-1]  # pattern index -> age order (age 1 = newest)
    jac = np.array([jaccard(result.active("CA3")[p], enc["ca3_winners"][0, p]) for p in range(P)])
    s = ctx_pop.active
    acc_spk = np.stack([overlaps(result.recalled[i * P:(i + 1) * P], values[0]) / s for i in range(len(levels))])
    acc_twin = np.stack([overlaps(tv, values[0]) / s for tv in twin_values])
    ds = xr.Dataset(coords={"age": np.arange(1, P + 1), "cue": np.asarray(levels, float),
                            "backend": ["spiking", "rate"]})
    ds["ca3_jaccard"] = ("age", jac[by_age])
    if twin.with_dg:
        ds["dg_jaccard"] = ("age", np.array([jaccard(result.active("DG")[p], enc["dg_winners"][0, p])
                                             for p in range(P)])[by_age])
        ds["ca3_jaccard_given_dg"] = ("age", np.array([jaccard(result.active("CA3")[p], given["ca3_winners"][0, p])
                                                       for p in range(P)])[by_age])
        ds["dg_jaccard"].attrs["description"] = "Jaccard(DG cells that fired at encoding, rate twin's DG winners)"
        ds["ca3_jaccard_given_dg"].attrs["description"] = ("Jaccard(CA3 cells that fired at encoding, the twin's CA3 "
                                                           "winners given the spiking DG's most active cells)")
    ds["recall_accuracy"] = (("backend", "cue", "age"), np.stack([acc_spk[:, by_age], acc_twin[:, by_age]]))
    pops = [p.name for p in description.populations if p.role != "input"]
    ds = ds.assign_coords(population=pops, phase=["encode", "recall"])
    frac = np.zeros((len(pops), 2))
    rate = np.zeros((len(pops), 2))
    for i, name in enumerate(pops):
        for j, sl in enumerate((slice(0, P), slice(P, None))):
            frac[i, j] = (result.counts[name][sl] > 0).mean()
            rate[i, j] = result.rates(name)[sl].mean()
    ds["active_fraction"] = (("population", "phase"), frac)
    ds["mean_rate_hz"] = (("population", "phase"), rate)
    ds["expected_fraction"] = ("population", [description.population(n).active / description.population(n).size
                                              for n in pops])
    # every spike (the raster figure shows the first presentations; biokv.io.neo_export makes Neo spike trains)
    for name in pops:
        i, t = result.spikes[name]
        ds[f"spikes_{name}_i"] = (f"spike_{name}", i.astype(np.int32))
        ds[f"spikes_{name}_t"] = (f"spike_{name}", t)
        ds[f"spikes_{name}_i"].attrs["description"] = f"{name} cell of each spike"
        ds[f"spikes_{name}_t"].attrs.update(description=f"time of each {name} spike from the start of the simulation",
                                            units="s")
    k = min(cfg.raster_presentations, P)
    T = result.duration_per_slot
    ds = ds.assign_coords(population_size=("population", [description.population(n).size for n in pops]))
    ds.attrs.update(spiking_wall_s=spiking_s, device=cfg.spiking.device, n_encode=P, slot_s=T,
                    n_slots=P * (1 + len(levels)), raster_presentations=k, elapsed_s=time.perf_counter() - start)
    ds["ca3_jaccard"].attrs["description"] = "Jaccard(CA3 cells that fired at encoding, rate twin's CA3 winners)"
    ds["recall_accuracy"].attrs["description"] = "overlap(recalled value, stored value) / s"
    return ds
