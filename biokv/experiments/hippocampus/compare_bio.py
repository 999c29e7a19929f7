"""``compare-bio``: the hippocampal network against biological measurements.

The spiking network at its rat-ratio default (and its rate twin where the quantity exists there) is measured the
way the brain was measured, and every value is set beside the reference measurements (:mod:`biokv.data.biodata`,
plus the user's own CSV files) with their source and verification status:

- the fraction of DG and CA3 cells active per pattern (sparsity);
- firing-rate distributions per population (mean, median, a log-normal fit, silent granule cells);
- the connectivity of the built network (mossy-fibre inputs per CA3 cell, CA3 cells per granule cell,
  perforant-path and EC -> DG fan-in as fractions of EC, cell-count ratios), scaled-down quantities as ratios;
- pattern separation and completion: EC input pairs of controlled overlap against the output change in DG, in
  CA3 at encoding (mossy fibres) and in CA3 at recall (perforant path), plotted against the identity line;
- the shape of forgetting: power, exponential and two-exponential-plus-constant laws fitted to recall by age,
  compared by AIC with the forms in the reference.

Protocols (the spiking simulations all have the same number of presentation slots, so a standalone build is
compiled once and reused):

1. *memory*: store ``n_pairs`` key -> value pairs, then recall each from its full key (rates, sparsity,
   forgetting by age);
2. *separation*: store ``n_background`` pairs, then for every overlap level ``pairs_per_level`` pairs A, B
   (B shares the fraction ``overlap`` of A's EC cells), A then B: DG and CA3 codes at encoding;
3. *completion*: store the background pairs and the A patterns only, then recall from A and from B (never
   stored): CA3 codes at recall.

Similarity of two codes is the Pearson correlation of the binary population vectors (0 for independent random
patterns, 1 for identical ones); *change* = 1 - correlation, the axes of Guzowski, Knierim & Moser (2004).

Configuration: :class:`biokv.experiments.hippocampus.config.CompareBioConfig`; the comparison with the reference
data: :mod:`biokv.experiments.hippocampus.comparisons`; figures and report:
:mod:`biokv.experiments.hippocampus.figures`, :mod:`biokv.experiments.hippocampus.report`.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.config import ConfigError
from biokv.core.common.patterns import (binary_correlation, overlapping_patterns_runs, overlaps,
                                        paired_code_correlations, random_subsets_runs)
from biokv.core.common.rng import run_seeds
from biokv.core.stats.firing import rate_statistics
from biokv.core.stats.forgetting_laws import LAWS, fit_laws
from biokv.data import biodata
from biokv.data.comparison import comparison_frame
from biokv.experiments.hippocampus.comparisons import biological_comparisons
from biokv.experiments.hippocampus.config import CompareBioConfig
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.experiments.hippocampus.devices import spiking_device

__all__ = ["STAGES", "LAW_PARAMS", "compare_bio"]

STAGES = ("DG", "CA3 encoding", "CA3 recall")
#: parameters of every law, in the order stored
LAW_PARAMS = ("a", "b", "tau", "a1", "tau1", "a2", "tau2", "c")


def _patterns(cfg: CompareBioConfig, description, seed: int, runs) -> dict:
    """Keys and values of the three protocols for each run (index sets (R, P, s))."""
    ec, ctx = description.population("EC"), description.population("CTX")
    L, m, bg = len(cfg.overlap_levels), cfg.pairs_per_level, cfg.n_background

    def subsets(stream, n_sets, pop):
        return random_subsets_runs(run_seeds(seed, stream, runs), n_sets, pop.size, pop.active)

    a = subsets("separation:A", L * m, ec).reshape(len(runs), L, m, ec.active)
    b = np.stack([overlapping_patterns_runs(run_seeds(seed, f"separation:B:{o!r}", runs), a[:, i], ec.size, o)
                  for i, o in enumerate(cfg.overlap_levels)], axis=1)
    return {"keys": subsets("keys", max(cfg.n_pairs, cfg.rate_pairs), ec),
            "values": subsets("values", max(cfg.n_pairs, cfg.rate_pairs), ctx),
            "background_keys": subsets("background:keys", bg, ec),
            "background_values": subsets("background:values", bg, ctx),
            "a": a.reshape(len(runs), L * m, ec.active), "b": b.reshape(len(runs), L * m, ec.active),
            "ab_values": subsets("separation:values", 2 * L * m, ctx)}


def _interleave(a, b):
    """A_0, B_0, A_1, B_1, ... along axis 1."""
    out = np.empty((a.shape[0], 2 * a.shape[1]) + a.shape[2:], dtype=a.dtype)
    out[:, 0::2], out[:, 1::2] = a, b
    return out


def _protocols(cfg: CompareBioConfig, pats: dict) -> dict:
    """(keys, values, cues) of each protocol, all runs."""
    n = cfg.n_pairs
    bg_k, bg_v = pats["background_keys"], pats["background_values"]
    LM = pats["a"].shape[1]
    return {"memory": (pats["keys"][:, :n], pats["values"][:, :n], pats["keys"][:, :n]),
            "separation": (np.concatenate([bg_k, _interleave(pats["a"], pats["b"])], axis=1),
                           np.concatenate([bg_v, pats["ab_values"]], axis=1), pats["a"]),
            "completion": (np.concatenate([bg_k, pats["a"]], axis=1),
                           np.concatenate([bg_v, pats["ab_values"][:, :LM]], axis=1),
                           np.concatenate([pats["a"], pats["b"]], axis=1))}


def _level_means(r: np.ndarray, L: int) -> np.ndarray:
    """Mean over the pairs of each level (pairs ordered level-major, NaN ignored)."""
    return np.nanmean(r.reshape(r.shape[:-1] + (L, -1)), axis=-1)


def _spiking(cfg, description, params, state, protocols, seed, ctx) -> dict:
    """The three spiking protocols (run 0), padded to one slot count so that one build serves them all."""
    total = max(k.shape[1] + c.shape[1] for k, _, c in protocols.values())
    results = {}
    with spiking_device(cfg.spiking.device, cfg.spiking.codegen) as make:
        net = make(description, params)
        for name in ctx.progress(list(protocols), desc="spiking protocols"):
            keys, values, cues = (x[0] for x in protocols[name])
            start = time.perf_counter()
            results[name] = net.simulate(state, 0, list(keys), list(values), list(cues), seed=seed % 2**32,
                                         n_slots=total)
            results[name].wall_s = time.perf_counter() - start
    results["slots"] = total
    return results


def _separation_measures(cfg, description, codes: dict) -> np.ndarray:
    """Output correlations (stage, run, level) from codes: ``dg``/``ca3`` at encoding of A and B (pairs), and
    ``recall_a``/``recall_b`` CA3 codes at recall."""
    L = len(cfg.overlap_levels)
    n = {s: description.population(s).size for s in ("DG", "CA3")}
    out = []
    for stage, (xa, xb, pop) in zip(STAGES, ((codes["dg_a"], codes["dg_b"], "DG"),
                                             (codes["ca3_a"], codes["ca3_b"], "CA3"),
                                             (codes["recall_a"], codes["recall_b"], "CA3"))):
        r = np.stack([paired_code_correlations(xa[run], xb[run], n[pop]) for run in range(len(xa))])
        out.append(_level_means(r, L))
    return np.stack(out)


def _codes_spiking(cfg, res: dict) -> dict:
    bg, LM = cfg.n_background, len(cfg.overlap_levels) * cfg.pairs_per_level
    sep, comp = res["separation"], res["completion"]
    enc = {pop: sep.active(pop)[bg:bg + 2 * LM] for pop in ("DG", "CA3")}
    p_comp = bg + LM
    rec = comp.active("CA3")[p_comp:p_comp + 2 * LM]
    return {"dg_a": [enc["DG"][0::2]], "dg_b": [enc["DG"][1::2]], "ca3_a": [enc["CA3"][0::2]],
            "ca3_b": [enc["CA3"][1::2]], "recall_a": [rec[:LM]], "recall_b": [rec[LM:]]}


def _codes_rate(cfg, twin, seed, runs, protocols) -> dict:
    bg, LM = cfg.n_background, len(cfg.overlap_levels) * cfg.pairs_per_level
    keys, values, _ = protocols["separation"]
    enc = twin.encode(twin.init_state(seed, runs), keys, values)
    keys, values, cues = protocols["completion"]
    state = twin.init_state(seed, runs)
    twin.encode(state, keys, values)
    rec = twin.recall(state, cues)["ca3_winners"]
    dg, ca3 = enc["dg_winners"][:, bg:], enc["ca3_winners"][:, bg:]
    return {"dg_a": dg[:, 0::2], "dg_b": dg[:, 1::2], "ca3_a": ca3[:, 0::2], "ca3_b": ca3[:, 1::2],
            "recall_a": rec[:, :LM], "recall_b": rec[:, LM:]}


def _fit_forgetting(ages, accuracy, chance) -> dict:
    """The three laws fitted to recall accuracy above chance, ``(acc - chance) / (1 - chance)``."""
    above = (np.asarray(accuracy) - chance) / (1.0 - chance)
    return fit_laws(np.asarray(ages, dtype=np.float64), above)


def _fit_variables(fits: dict) -> dict:
    aic = np.array([fits[law]["aic"] for law in LAWS])
    params = np.array([[fits[law]["params"].get(p, np.nan) for p in LAW_PARAMS] for law in LAWS])
    r2 = np.array([fits[law]["r2"] for law in LAWS])
    return {"aic": aic, "params": params, "r2": r2}


def compare_bio(cfg: CompareBioConfig, ctx) -> xr.Dataset:
    """Spiking hippocampal network (and rate twin) against biological sparsity, firing rates, connectivity,
    pattern separation/completion and forgetting data; a table of model vs reference with verdicts."""
    start = time.perf_counter()
    description = cfg.network.build()
    params = cfg.spiking.parameters()
    twin = HippocampalRateTwin(description)
    if not twin.with_dg:
        raise ConfigError("network.with_dg=false: compare-bio measures DG and the mossy fibres; it needs DG")
    table = biodata.load(extra=list(cfg.reference_csv))
    runs = list(range(cfg.rate_runs))
    state = twin.init_state(ctx.seed, runs)
    pats = _patterns(cfg, description, ctx.seed, runs)
    protocols = _protocols(cfg, pats)
    ec = description.population("EC")
    ctx_pop = description.population("CTX")
    chance = ctx_pop.active / ctx_pop.size

    # spiking network (run 0 of the rate twin's connectivity)
    spk = _spiking(cfg, description, params, state, protocols, ctx.seed, ctx)
    ds = xr.Dataset(coords={"overlap": np.asarray(cfg.overlap_levels, float), "stage": list(STAGES),
                            "backend": ["spiking", "rate"], "law": list(LAWS), "law_param": list(LAW_PARAMS)})
    s_in = ec.active
    shared = np.round(np.asarray(cfg.overlap_levels) * s_in)
    ds["input_correlation"] = ("overlap", binary_correlation(shared, s_in, s_in, ec.size))
    out_spk = _separation_measures(cfg, description, _codes_spiking(cfg, spk))[:, 0]
    out_rate = _separation_measures(cfg, description, _codes_rate(cfg, twin, ctx.seed, runs, protocols))
    ds["output_correlation"] = (("backend", "stage", "overlap"), np.stack([out_spk, np.nanmean(out_rate, axis=1)]))
    ds["output_correlation_rate_runs"] = (("stage", "run", "overlap"), out_rate)
    ds["input_correlation"].attrs["description"] = "population-vector correlation of the EC inputs A and B"
    ds["output_correlation"].attrs["description"] = "population-vector correlation of the output codes of A and B"
    ctx.checkpoint(ds)

    # memory protocol: sparsity, firing rates, recall by age
    mem = spk["memory"]
    n = cfg.n_pairs
    T = mem.duration_per_slot
    pops = [p.name for p in description.populations if p.role != "input"]
    ds = ds.assign_coords(population=pops)
    ds["active_fraction"] = (("backend", "population"),
                             [[float((mem.counts[p][:n] > 0).mean()) for p in pops],
                              [description.population(p).active / description.population(p).size for p in pops]])
    stats = {p: rate_statistics(mem.counts[p][:2 * n].sum(axis=0), 2 * n * T) for p in pops}
    stat_names = ["mean_hz", "median_hz", "silent_fraction", "lognormal_mu", "lognormal_sigma", "lognormal_ks",
                  "skewness"]
    ds = ds.assign_coords(statistic=stat_names)
    ds["rate_statistics"] = (("population", "statistic"), [[stats[p][s] for s in stat_names] for p in pops])
    ds["active_slot_rate_hz"] = ("population", [_active_slot_rate(mem.counts[p][:2 * n], T) for p in pops])
    ds["silent_per_presentation"] = ("population", [float((mem.counts[p][:n] == 0).mean()) for p in pops])
    for p in pops:
        ds[f"cell_rate_{p}"] = (f"cell_{p}", mem.counts[p][:2 * n].sum(axis=0) / (2 * n * T))
        ds[f"cell_rate_{p}"].attrs.update(units="Hz", description=f"mean rate of each {p} cell over the memory "
                                          "protocol (encoding and recall)")
    keys, values, _ = protocols["memory"]
    acc_spk = overlaps(mem.recalled[:n], values[0]) / ctx_pop.active
    ds = ds.assign_coords(age_spiking=np.arange(1, n + 1), age_rate=np.arange(1, cfg.rate_pairs + 1))
    ds["recall_spiking"] = ("age_spiking", acc_spk[::-1])
    mstate = twin.init_state(ctx.seed, runs)
    rk, rv = pats["keys"][:, :cfg.rate_pairs], pats["values"][:, :cfg.rate_pairs]
    twin.encode(mstate, rk, rv)
    acc_rate = overlaps(twin.recall(mstate, rk)["values"], rv) / ctx_pop.active
    ds["recall_rate"] = ("age_rate", acc_rate.mean(axis=0)[::-1])
    ds["recall_rate_sem"] = ("age_rate", acc_rate.std(axis=0, ddof=1)[::-1] / np.sqrt(len(runs))
                             if len(runs) > 1 else np.full(cfg.rate_pairs, np.nan))
    fits = {"spiking": _fit_forgetting(ds.age_spiking.values, ds["recall_spiking"].values, chance),
            "rate": _fit_forgetting(ds.age_rate.values, ds["recall_rate"].values, chance)}
    fv = {b: _fit_variables(fits[b]) for b in ("spiking", "rate")}
    ds["fit_aic"] = (("backend", "law"), [fv[b]["aic"] for b in ("spiking", "rate")])
    ds["fit_r2"] = (("backend", "law"), [fv[b]["r2"] for b in ("spiking", "rate")])
    ds["fit_params"] = (("backend", "law", "law_param"), [fv[b]["params"] for b in ("spiking", "rate")])
    ds["fit_aic"].attrs["description"] = "AIC of each law fitted to recall accuracy above chance by age"

    # connectivity of the built network (run 0)
    conn = _connectivity(description, state)
    ds = ds.assign_coords(connection=list(conn))
    ds["connectivity"] = ("connection", list(conn.values()))

    rows = biological_comparisons(cfg, ds, table)
    frame = comparison_frame(rows)
    ds = ds.assign_coords(comparison=np.arange(len(frame)))
    for col in frame.columns:
        ds[f"cmp_{col}"] = ("comparison", frame[col].to_numpy(dtype=float if col == "value" else str))
    ds.attrs.update(chance=chance, n_pairs=n, slot_s=T, spiking_slots=spk["slots"],
                    spiking_wall_s=sum(spk[k].wall_s for k in protocols), device=cfg.spiking.device,
                    elapsed_s=time.perf_counter() - start, completion_similarity=cfg.completion_similarity)
    return ds


def _active_slot_rate(counts: np.ndarray, T: float) -> float:
    """Mean rate (Hz) of a cell within a presentation in which it fired."""
    fired = counts[counts > 0]
    return float(fired.mean() / T) if fired.size else float("nan")


def _connectivity(description, state) -> dict:
    """Counts of the built network (run 0)."""
    n_ec = description.population("EC").size
    mf = state.mf_targets[0]
    per_ca3 = np.bincount(mf.ravel(), minlength=description.population("CA3").size)
    return {"ca3_cells_per_granule_cell": float(mf.shape[1]),
            "mossy_fibre_inputs_per_ca3_cell": float(per_ca3.mean()),
            "perforant_path_fan_in_fraction": state.ca3.inputs.shape[2] / n_ec,
            "ec_dg_fan_in_fraction": state.dg.inputs.shape[2] / n_ec,
            "ca3_cells_per_granule_cell_count": description.population("CA3").size / description.population(
                "DG").size}
