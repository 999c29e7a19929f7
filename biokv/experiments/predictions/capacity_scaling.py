"""``predict-capacity``: how many key -> value memories the hippocampal rate twin recalls at a criterion in the
steady state of continual learning, against the number of CA3 cells, with and without the CA3 recurrent
collaterals, from full keys and from partial cues, and against the recurrent connection probability.

The stream of memories. Each run (an independent network) stores the same stream of ``memories_per_cell x
max(n_ca3)`` pairs in every condition: a key is a random set of ``ec_active`` of the ``n_ec`` EC cells, its value
an independent random set of ``ctx_active`` of the ``n_ctx`` cortical cells; every pair is presented once, in
order, never repeated, in the network's encoding phase (acetylcholine high: the CA3 code is set by the
mossy-fibre and perforant-path input, the recurrent input suppressed). Afterwards every pair is recalled with the
weights frozen, from its full key and from a partial cue (a random ``cue_level`` fraction of the key's active
cells). A memory counts as stored when its recall accuracy
(cortical cells of the recalled value that belong to the stored value / ``ctx_active``) is at least
``criterion``; the capacity of a network is the number of stored memories at the end of the stream.

Steady state. The K-winner rule moves every winner's weights a fraction ``eps`` towards the current pattern, so
each memory is overwritten by the ones stored after it and the network forgets (a palimpsest). With a stream
several times longer than the capacity, the oldest memories are all forgotten and the count no longer depends on
the stream's length: it is the capacity of the steady state of continual learning, not that of a network filled
once from empty weights. Two checks: ``stored_oldest_fifth`` (stored memories among the oldest fifth of the
stream; 0 once they are all forgotten) and ``capacity_longer_stream`` (the networks without recurrents given a
stream twice as long: the same capacity, within its confidence interval, at the steady state). The first is not
enough on its own: with 600 memories the oldest fifth is forgotten in every network, yet the capacity at fixed a
and 1,000-2,000 CA3 cells is still ~6% below its value after 1,000-4,000 memories (the cells' usage evens out
slowly).

Conditions. CA3 grows with the rat ratios kept (4 granule cells per CA3 cell, 3% of them active), at a fixed
active fraction ``a`` (``k = round(a n_CA3)`` winners) and at a fixed number of winners ``k``. "With recurrents":
the network's recurrent collaterals (``network.rc_probability``; :mod:`biokv.hippocampus.recurrent`), which
complete the CA3 code at recall; "without": the same network with no recurrent collaterals (the same
perforant-path, dentate and mossy-fibre connectivity and the same stream), which is, bit for bit, the network with
its recurrents silenced (``gains={"rc": 0}``) and stores each memory in the same way. The recurrent connection
probability is varied at one size (``probability_n_ca3``, ``k = round(a n)``): human 1.3% (Watson et al. 2025,
Cell), rat ~4% (Amaral, Ishizuka & Claiborne 1990, Prog Brain Res 83:1), mouse 8.8% (Sammons et al. 2024, PNAS
121:e2312281120) and 20%, the CA3a value of de Almeida, Idiart & Lisman (2007, Learn Mem 14:795).

Estimates compared. ``c / a^2`` with ``c`` the recurrent connection probability and ``a = k / n``: the capacity of
a sparse auto-associative network (Treves & Rolls 1992, Hippocampus 2:189, give ``p ~ C / (a ln(1/a))`` for ``C``
recurrent inputs per cell; de Almeida, Idiart & Lisman 2007 confirm ``P = c / a^2`` and, with ``c = 0.2`` and
``a = 225 / 70,000``, estimate ~20,000 memories for the ~70,000 cells of rat CA3a); its exponent in ``n`` is 0 at
fixed ``a`` and 2 at fixed ``k``. The overwrite estimate ``1 / (a eps)``, the number of memories after which a
cell has been rewritten once on average, has exponents 0 and 1. Exponents ``b`` of capacity ~ ``n^b`` are fitted
per run (:func:`capacity_exponents`), with 95% t intervals over runs.

Cost. The twin stores the memories of a network with recurrents one pattern at a time in a Python loop (runs
batched; its cost grows with ``n_CA3 x`` recurrent fan-in ``x`` memories), while the network without recurrents is
encoded by one compiled loop; the networks with recurrents take nearly all of the run time. To keep the default run within minutes on two cores, the sizes stop at
2,000 CA3 cells (four sizes), the stream holds 1,000 memories (0.5 per cell of the largest CA3: about six times the
largest capacity measured, and long enough for the steady state: 2,000 and 4,000 memories give the same
capacities without recurrents) and the probability sweep is run at one size, 1,000 cells; the conditions with and
without recurrents share sizes, stream and runs (8).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import xarray as xr
from scipy import stats

from biokv.core.common.patterns import overlaps, partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.core.stats.metrics import linear_regression
from biokv.experiments.predictions.config import CapacityConfig
from biokv.experiments.predictions.effects import EFFECT_VARIABLES, effect_dataset
from biokv.hippocampus.rate_twin import HippocampalRateTwin

__all__ = ["SCALINGS", "RECURRENTS", "CUES", "DE_ALMEIDA", "capacity", "capacity_exponents", "ca3_winners"]

SCALINGS = ("fixed a", "fixed k")
RECURRENTS = ("with", "without")
CUES = ("full", "partial")

#: rat CA3a in de Almeida, Idiart & Lisman 2007, Learn Mem 14:795: connection probability, cells, cells per memory
#: and their capacity estimate
DE_ALMEIDA = {"c": 0.2, "n": 70_000, "k": 225, "capacity": 20_000}


def capacity_exponents(capacities: np.ndarray, n_ca3) -> np.ndarray:
    """Exponent b of capacity ~ n_CA3^b per run: least-squares slope of log capacity against log n_CA3.

    Parameters
    ----------
    capacities : array (sizes, runs)
        Memories recalled at the criterion; a run with none counts as half of one.
    n_ca3 : sequence of int
        CA3 sizes.

    Returns
    -------
    float64 array (runs,)
    """
    log_n = np.log(np.asarray(n_ca3, float))
    slopes = np.zeros(capacities.shape[1])
    for r in range(capacities.shape[1]):
        y = np.log(np.maximum(capacities[:, r], 0.5))  # a run with no stored memory counts as half of one
        slopes[r] = linear_regression(np.c_[np.ones_like(log_n), log_n], y)[0][1]
    return slopes


def ca3_winners(cfg: CapacityConfig, scaling: str, n: int) -> int:
    """CA3 winners k of a network of ``n`` CA3 cells in ``scaling``: ``round(a n)`` (at least 1) or ``fixed_k``."""
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    return max(1, round(cfg.active_fraction * n)) if scaling == "fixed a" else cfg.fixed_k


def _description(cfg: CapacityConfig, n: int, k: int, rc_probability: float | None):
    """The network with ``n`` CA3 cells, ``k`` winners, the granule-cell ratios of ``cfg.network`` and recurrent
    collaterals of connection probability ``rc_probability`` (None: without recurrents)."""
    net = cfg.network
    n_dg = round(net.n_dg / net.n_ca3 * n)  # the granule-cell ratio of the network
    dg_k = max(1, round(net.dg_active / net.n_dg * n_dg))
    recurrents = {"with_recurrents": False} if rc_probability is None else {"with_recurrents": True,
                                                                            "rc_probability": rc_probability}
    return replace(net, n_ca3=n, ca3_active=k, n_dg=n_dg, dg_active=dg_k, **recurrents).build()


def _stored(description, seed: int, run_ids: list, keys, values, cue_sets, criterion: float) -> np.ndarray:
    """Stored memories (bool, (cue sets, runs, memories)) of independent networks ``run_ids`` after the stream."""
    twin = HippocampalRateTwin(description)
    state = twin.init_state(seed, run_ids)
    twin.encode(state, keys, values)
    n_active = values.shape[-1]
    return np.stack([overlaps(twin.recall(state, cues)["values"], values) / n_active >= criterion
                     for cues in cue_sets])


def _t_half_width(samples: np.ndarray, axis: int = -1) -> np.ndarray:
    """Half-width of the 95% t interval of the mean along ``axis``."""
    n = samples.shape[axis]
    return stats.t.ppf(0.975, n - 1) * samples.std(axis=axis, ddof=1) / np.sqrt(n)


def capacity(cfg: CapacityConfig, ctx) -> xr.Dataset:
    """Memories stored at the criterion after a long stream, by CA3 size (fixed a, fixed k), with and without
    recurrents, from full keys and partial cues, and by recurrent connection probability at one size; exponents
    of capacity ~ n_CA3^b against those of c / a^2 and 1 / (a eps)."""
    start = time.perf_counter()
    runs = list(range(cfg.runs))
    n_mem = int(cfg.memories_per_cell * max(cfg.n_ca3))
    net = cfg.network
    keys = random_subsets_runs(run_seeds(ctx.seed, "keys", runs), n_mem, net.n_ec, net.ec_active)
    values = random_subsets_runs(run_seeds(ctx.seed, "values", runs), n_mem, net.n_ctx, net.ctx_active)
    cue_sets = (keys, partial_cues_runs(run_seeds(ctx.seed, f"cues:{cfg.cue_level!r}", runs), keys, cfg.cue_level))
    oldest = max(1, n_mem // 5)

    # every network to run: (n_CA3, k, recurrent connection probability or None); a network is keyed by its run
    # ids (n_CA3, k, run), so the networks with and without recurrents share their feed-forward connectivity and
    # the fixed-a and fixed-k networks of equal k are the same networks
    size_points = {(s, c, j): (n, ca3_winners(cfg, s, n), net.rc_probability if c == "with" else None)
                   for s in SCALINGS for c in RECURRENTS for j, n in enumerate(cfg.n_ca3)}
    k_p = ca3_winners(cfg, "fixed a", cfg.probability_n_ca3)
    probability_points = {("with", i): (cfg.probability_n_ca3, k_p, p) for i, p in enumerate(cfg.rc_probabilities)}
    probability_points[("without", None)] = (cfg.probability_n_ca3, k_p, None)
    networks = sorted(set(size_points.values()) | set(probability_points.values()),
                      key=lambda t: (t[2] is None, t[0], t[1], t[2] or 0.0))
    # the steady-state check: the networks without recurrents given a stream twice as long
    keys2 = random_subsets_runs(run_seeds(ctx.seed, "keys:longer", runs), 2 * n_mem, net.n_ec, net.ec_active)
    values2 = random_subsets_runs(run_seeds(ctx.seed, "values:longer", runs), 2 * n_mem, net.n_ctx, net.ctx_active)
    cue_sets2 = (keys2, partial_cues_runs(run_seeds(ctx.seed, f"cues:longer:{cfg.cue_level!r}", runs), keys2,
                                          cfg.cue_level))
    results, elapsed = {}, {"with": 0.0, "without": 0.0}
    for n, k, p in ctx.progress(networks, desc="networks"):
        t0 = time.perf_counter()
        results[n, k, p] = _stored(_description(cfg, n, k, p), ctx.seed, [(n, k, r) for r in runs], keys, values,
                                   cue_sets, cfg.criterion)
        if p is None:
            results[n, k, "longer"] = _stored(_description(cfg, n, k, p), ctx.seed, [(n, k, r) for r in runs], keys2,
                                              values2, cue_sets2, cfg.criterion)
        elapsed["without" if p is None else "with"] += time.perf_counter() - t0

    shape = (len(SCALINGS), len(RECURRENTS), len(CUES), len(cfg.n_ca3), cfg.runs)
    cap, cap_oldest = np.zeros(shape), np.zeros(shape)
    for (s, c, j), point in size_points.items():
        stored = results[point]
        cap[SCALINGS.index(s), RECURRENTS.index(c), :, j] = stored.sum(axis=-1)
        cap_oldest[SCALINGS.index(s), RECURRENTS.index(c), :, j] = stored[..., :oldest].sum(axis=-1)
    cap_longer = np.zeros((len(SCALINGS), len(CUES), len(cfg.n_ca3), cfg.runs))
    for (s, c, j), (n, k, p) in size_points.items():
        if c == "without":
            cap_longer[SCALINGS.index(s), :, j] = results[n, k, "longer"].sum(axis=-1)
    pshape = (len(RECURRENTS), len(CUES), len(cfg.rc_probabilities), cfg.runs)
    pcap, pcap_oldest = np.zeros(pshape), np.zeros(pshape)
    for i in range(len(cfg.rc_probabilities)):
        for c, point in (("with", probability_points["with", i]), ("without", probability_points["without", None])):
            stored = results[point]
            pcap[RECURRENTS.index(c), :, i] = stored.sum(axis=-1)
            pcap_oldest[RECURRENTS.index(c), :, i] = stored[..., :oldest].sum(axis=-1)

    # effect of the recurrents: with - without, the same networks and stream (paired over runs)
    coords = {"seed": runs, "scaling": list(SCALINGS), "cue": list(CUES), "n_ca3": list(cfg.n_ca3)}
    by_seed = np.moveaxis(cap, -1, 0)  # (seed, scaling, recurrents, cue, n_ca3)
    ds = effect_dataset(xr.DataArray(by_seed[:, :, 1], dims=tuple(coords), coords=coords),
                        xr.DataArray(by_seed[:, :, 0], dims=tuple(coords), coords=coords))
    pcoords = {"seed": runs, "cue": list(CUES), "rc_probability": list(cfg.rc_probabilities)}
    p_by_seed = np.moveaxis(pcap, -1, 0)  # (seed, recurrents, cue, rc_probability)
    peff = effect_dataset(xr.DataArray(p_by_seed[:, 1], dims=tuple(pcoords), coords=pcoords),
                          xr.DataArray(p_by_seed[:, 0], dims=tuple(pcoords), coords=pcoords))
    for name in EFFECT_VARIABLES:
        ds[f"probability_{name}"] = peff[name]
    ds = ds.assign_coords(recurrents=list(RECURRENTS), run=runs)
    dims = ("scaling", "recurrents", "cue", "n_ca3", "run")
    ds["capacity"] = (dims, cap)
    ds["capacity"].attrs["description"] = f"memories recalled with accuracy >= {cfg.criterion:g} after the stream"
    ds["stored_oldest_fifth"] = (dims, cap_oldest)
    ds["stored_oldest_fifth"].attrs["description"] = (f"stored memories among the oldest {oldest} of the stream "
                                                      "(0 at the steady state)")
    ds["capacity_longer_stream"] = (("scaling", "cue", "n_ca3", "run"), cap_longer)
    ds["capacity_longer_stream"].attrs["description"] = (f"capacity without recurrents after a stream of {2 * n_mem} "
                                                         "memories (the steady-state check)")
    pdims = ("recurrents", "cue", "rc_probability", "run")
    ds["probability_capacity"] = (pdims, pcap)
    ds["probability_stored_oldest_fifth"] = (pdims, pcap_oldest)

    slopes = np.zeros(shape[:3] + (cfg.runs,))
    for idx in np.ndindex(shape[:3]):
        slopes[idx] = capacity_exponents(cap[idx], cfg.n_ca3)
    mean, half = slopes.mean(axis=-1), _t_half_width(slopes)
    ds["exponent"] = (dims[:3], mean)
    ds["exponent_ci_low"] = (dims[:3], mean - half)
    ds["exponent_ci_high"] = (dims[:3], mean + half)
    ds["exponent"].attrs["description"] = "b of capacity ~ n_CA3^b, mean over runs of the per-run fit"
    ds["predicted_exponent_c_over_a2"] = ("scaling", [0.0, 2.0])
    ds["predicted_exponent_overwrite"] = ("scaling", [0.0, 1.0])

    winners = np.array([[ca3_winners(cfg, s, n) for n in cfg.n_ca3] for s in SCALINGS])
    fraction = winners / np.asarray(cfg.n_ca3, float)
    ds["ca3_winners"] = (("scaling", "n_ca3"), winners)
    ds["c_over_a2"] = (("scaling", "n_ca3"), net.rc_probability / fraction**2)
    ds["c_over_a2"].attrs["description"] = "c / a^2, c the recurrent connection probability, a = k / n_CA3"
    ds["pp_c_over_a2"] = (("scaling", "n_ca3"), net.pp_fan_in / fraction**2)
    ds["pp_c_over_a2"].attrs["description"] = "c / a^2 with c the perforant-path connection probability"
    ds["overwrite_estimate"] = (("scaling", "n_ca3"), 1.0 / (fraction * net.learning_rate))
    ds["overwrite_estimate"].attrs["description"] = "1 / (a eps): memories until a cell is rewritten once"
    a_p = k_p / cfg.probability_n_ca3
    ds["probability_c_over_a2"] = ("rc_probability", np.asarray(cfg.rc_probabilities, float) / a_p**2)

    a_da = DE_ALMEIDA["k"] / DE_ALMEIDA["n"]
    ds.attrs.update(
        prediction="The CA3 recurrent collaterals change the number of memories recalled from partial cues at "
                   "the steady state of continual learning, by CA3 size and recurrent connection probability; the "
                   "exponent b of capacity ~ n_CA3^b is compared with those of c / a^2 (0 at fixed a, 2 at fixed "
                   "k) and of the overwrite estimate 1 / (a eps) (0 and 1).",
        control="the network without recurrent collaterals", intervention="the same network with them",
        n_memories=n_mem, oldest_fifth=oldest, criterion=cfg.criterion, cue_level=cfg.cue_level,
        rc_probability=net.rc_probability, probability_n_ca3=cfg.probability_n_ca3, probability_k=k_p,
        learning_rate=net.learning_rate,
        de_almeida_c=DE_ALMEIDA["c"], de_almeida_n=DE_ALMEIDA["n"], de_almeida_k=DE_ALMEIDA["k"],
        de_almeida_capacity=DE_ALMEIDA["capacity"], de_almeida_c_over_a2=DE_ALMEIDA["c"] / a_da**2,
        de_almeida_overwrite_estimate=1.0 / (a_da * net.learning_rate),
        elapsed_with_recurrents_s=elapsed["with"], elapsed_without_recurrents_s=elapsed["without"],
        elapsed_s=time.perf_counter() - start)
    return ds
