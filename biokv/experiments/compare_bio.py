"""``compare-bio``: the hippocampal network against biological measurements.

The spiking network at its rat-ratio default (and its rate twin where the quantity exists there) is measured the
way the brain was measured, and every value is set beside the reference measurements (:mod:`biokv.biodata`,
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
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .. import biodata
from ..comparison import ComparisonRow, compare, comparison_frame, markdown_table
from ..config import ConfigError, param
from ..core.firing import rate_statistics
from ..core.forgetting_laws import LAWS, fit_laws, law_curve
from ..core.hippocampus import HippocampalRateTwin
from ..core.patterns import binary_correlation, overlapping_patterns_runs, overlaps, random_subsets_runs
from ..core.random import run_seeds
from ..results import provenance_line
from ..spiking import SpikingHippocampus
from .registry import Experiment, register
from .spiking_recall import HippocampusConfig, SpikingConfig

STAGES = ("DG", "CA3 encoding", "CA3 recall")
#: parameters of every law, in the order stored
LAW_PARAMS = ("a", "b", "tau", "a1", "tau1", "a2", "tau2", "c")
#: rat entorhinal layer II cells (Amaral et al. 1990): the pool the fan-in fractions are taken of
EC_POOL = ("layer2_neurons", "EC", "rat")


@dataclass
class CompareBioConfig:
    """Spiking hippocampal network and rate twin measured against the reference data."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (rat-ratio default)")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_pairs: int = param(100, "pairs stored and recalled in the spiking memory protocol (ages 1..n_pairs)", low=2)
    rate_pairs: int = param(500, "pairs stored in the rate twin's memory protocol (its forgetting curve)", low=2)
    rate_runs: int = param(20, "independent rate-twin networks (run 0 is the spiking network's)", low=1)
    overlap_levels: tuple[float, ...] = param(tuple(round(0.1 * i, 1) for i in range(11)),
                                              "fraction of EC cells an input B shares with its A", low=0.0, high=1.0)
    pairs_per_level: int = param(4, "A, B input pairs per overlap level", low=1)
    n_background: int = param(20, "pairs stored before the separation and completion probes", low=0)
    completion_similarity: float = param(0.5, "CA3 recall must lie below identity where the input correlation is "
                                         "at least this", low=0.0, high=1.0, low_open=True)
    reference_csv: tuple[str, ...] = param((), "the user's own measurements (CSV files with the columns of "
                                           "biokv.biodata), compared as well")
    species: str = param("rat", "species of the reference rows compared (empty: all)")

    def check(self):
        if len(set(self.overlap_levels)) != len(self.overlap_levels) or len(self.overlap_levels) < 2:
            raise ConfigError(f"overlap_levels={self.overlap_levels} must be two or more distinct values")
        for path in self.reference_csv:
            if not Path(path).is_file():
                raise ConfigError(f"reference_csv={path!r}: no such file")
        try:
            biodata.load(extra=list(self.reference_csv))
        except ValueError as err:
            raise ConfigError(f"reference_csv: {err}") from None
        net = self.network
        s = net.ec_active
        if any(s - int(round(o * s)) > net.n_ec - s for o in self.overlap_levels):
            raise ConfigError(f"overlap_levels={self.overlap_levels}: a B pattern needs new EC cells outside A; "
                              f"n_ec={net.n_ec} is too small for ec_active={s}")


# ------------------------------------------------------------------------------------------------ patterns
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


# ------------------------------------------------------------------------------------------------ measures
def _set_correlations(codes_a, codes_b, n: int) -> np.ndarray:
    """Population-vector correlation of paired codes (lists of index arrays of any size)."""
    shared = [len(np.intersect1d(x, y)) for x, y in zip(codes_a, codes_b)]
    return binary_correlation(shared, [len(x) for x in codes_a], [len(y) for y in codes_b], n)


def _level_means(r: np.ndarray, L: int) -> np.ndarray:
    """Mean over the pairs of each level (pairs ordered level-major, NaN ignored)."""
    return np.nanmean(r.reshape(r.shape[:-1] + (L, -1)), axis=-1)


def _spiking(cfg, description, params, state, protocols, seed, ctx) -> dict:
    """The three spiking protocols (run 0), padded to one slot count so that one build serves them all."""
    net = SpikingHippocampus(description, params, device=cfg.spiking.device, codegen=cfg.spiking.codegen)
    total = max(k.shape[1] + c.shape[1] for k, _, c in protocols.values())
    results = {}
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
        r = np.stack([_set_correlations(xa[run], xb[run], n[pop]) for run in range(len(xa))])
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


# ------------------------------------------------------------------------------------------------ compute
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

    rows = _comparisons(cfg, ds, description, table)
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


def scaled_anatomy(table: pd.DataFrame) -> pd.DataFrame:
    """Reference rows derived as ratios for a scaled-down network: synapses per cell from EC divided by the
    number of rat EC layer II cells (fan-in as a fraction of EC). Status: the weaker of the two rows."""
    pool = biodata.find(table, *EC_POOL[:2], species=EC_POOL[2])
    rows = []
    for quantity, region, name in (("perforant_path_synapses_per_ca3_cell", "EC->CA3", "perforant_path_fan_in"),
                                   ("ec_synapses_per_granule_cell", "EC->DG", "ec_dg_fan_in")):
        for _, syn in biodata.find(table, quantity, region, species="rat").iterrows():
            for _, ec in pool.iterrows():
                status = max(syn["status"], ec["status"], key="VSU".index)
                rows.append({"quantity": f"{name}_fraction", "region": region, "species": "rat",
                             "value": syn["value"] / ec["value"], "low": syn["low"] / ec["value"],
                             "high": syn["high"] / ec["value"], "unit": "fraction",
                             "source": f"{syn['source']} / {ec['source']}", "status": status,
                             "note": f"{quantity} / EC layer II cells", "origin": "derived"})
    return pd.DataFrame(rows, columns=list(table.columns))


def _crossings(ds, backend, stage) -> tuple:
    """(levels above identity, levels below identity, levels compared) of output change vs input change;
    the level where input and output are identical (overlap 1) is left out."""
    x = 1 - ds["input_correlation"].values
    y = 1 - ds["output_correlation"].sel(backend=backend, stage=stage).values
    keep = x > 1e-12
    return int((y[keep] > x[keep]).sum()), int((y[keep] < x[keep]).sum()), int(keep.sum())


def separation_verdicts(ds) -> dict:
    """Does DG lie above the identity line (separation) at every input change, and CA3 recall below it where the
    input correlation is at least ``completion_similarity`` (completion)? Per backend."""
    out = {}
    sim = ds.attrs.get("completion_similarity", 0.5)
    high = ds["input_correlation"].values >= sim
    x = 1 - ds["input_correlation"].values
    for b in ds.backend.values:
        above, _, total = _crossings(ds, b, "DG")
        y = 1 - ds["output_correlation"].sel(backend=b, stage="CA3 recall").values
        below = int((y[high & (x > 1e-12)] < x[high & (x > 1e-12)]).sum())
        out[b] = {"dg_above": above, "dg_levels": total, "ca3_recall_below": below,
                  "ca3_recall_levels": int((high & (x > 1e-12)).sum())}
    return out


def _comparisons(cfg, ds, description, table) -> list[ComparisonRow]:
    species = cfg.species or None
    table = pd.concat([table, scaled_anatomy(table)], ignore_index=True)
    rows: list[ComparisonRow] = []

    def add(quantity, region, value, unit, model, label, text=None):
        # behavioural forms of forgetting are human data: compared whatever the species chosen
        rows.extend(compare(table, quantity, region, value, unit, model=model, label=label,
                            species=None if region == "behaviour" else species, model_text=text))

    for b in ("spiking", "rate"):
        for pop in ("DG", "CA3"):
            v = float(ds["active_fraction"].sel(backend=b, population=pop))
            add("active_fraction", pop, v, "fraction", b, f"{pop} cells active per pattern")
    st = ds["rate_statistics"]
    for pop in ("DG", "CA3"):
        add("firing_rate", pop, float(st.sel(population=pop, statistic="mean_hz")), "Hz", "spiking",
            f"{pop} mean firing rate (all cells, whole protocol)")
        add("place_field_peak_rate", "hippocampus", float(ds["active_slot_rate_hz"].sel(population=pop)), "Hz",
            "spiking", f"{pop} rate within a presentation in which the cell fires")
    add("firing_rate_in_field", "CA1", float(ds["active_slot_rate_hz"].sel(population="CA3")), "Hz", "spiking",
        "CA3 rate within an active presentation (reference: CA1 in-field; no CA3 row)")
    dg = st.sel(population="DG")
    add("granule_cell_activity", "DG", np.nan, "finding", "spiking", "silent granule cells",
        f"{float(dg.sel(statistic='silent_fraction')):.1%} silent over {cfg.n_pairs} patterns (x2 presentations); "
        f"{float(ds['silent_per_presentation'].sel(population='DG')):.1%} per presentation")
    for pop in ("DG", "CA3", "CTX"):
        s = st.sel(population=pop)
        add("firing_rate_distribution", "hippocampus", np.nan, "finding", "spiking",
            f"{pop} rate distribution",
            f"mean {float(s.sel(statistic='mean_hz')):.2f} Hz, median {float(s.sel(statistic='median_hz')):.2f} Hz, "
            f"skewness {float(s.sel(statistic='skewness')):.2f}; log-normal fit of active cells sigma "
            f"{float(s.sel(statistic='lognormal_sigma')):.2f}, KS distance "
            f"{float(s.sel(statistic='lognormal_ks')):.2f}")
    conn = ds["connectivity"]
    add("ca3_cells_per_granule_cell", "DG->CA3", float(conn.sel(connection="ca3_cells_per_granule_cell")), "cells",
        "network", "CA3 cells contacted by one granule cell")
    add("mossy_fibre_inputs_per_ca3_cell", "DG->CA3",
        float(conn.sel(connection="mossy_fibre_inputs_per_ca3_cell")), "synapses", "network",
        "mossy-fibre inputs per CA3 cell (mean)")
    add("perforant_path_fan_in_fraction", "EC->CA3", float(conn.sel(connection="perforant_path_fan_in_fraction")),
        "fraction", "network", "perforant-path inputs per CA3 cell / EC cells")
    add("ec_dg_fan_in_fraction", "EC->DG", float(conn.sel(connection="ec_dg_fan_in_fraction")), "fraction",
        "network", "EC inputs per granule cell / EC cells")
    add("ca3_cells_per_granule_cell_count", "CA3", float(conn.sel(connection="ca3_cells_per_granule_cell_count")),
        "ratio", "network", "CA3 cells / granule cells")
    verdicts = separation_verdicts(ds)
    for b in ("spiking", "rate"):
        v = verdicts[b]
        text = (f"DG output change above identity at {v['dg_above']} of {v['dg_levels']} input levels; CA3 recall "
                f"below identity at {v['ca3_recall_below']} of {v['ca3_recall_levels']} levels with input "
                f"correlation >= {ds.attrs.get('completion_similarity', cfg.completion_similarity):g}")
        for quantity, region in (("pattern_separation_shape", "DG"), ("cue_conflict", "DG")):
            add(quantity, region, np.nan, "finding", b, "pattern separation (DG) and completion (CA3 recall)", text)
    for b in ("spiking", "rate"):
        aic = ds["fit_aic"].sel(backend=b)
        best = str(aic.law.values[int(np.nanargmin(aic.values))])
        d_exp = float(aic.sel(law="exponential") - aic.sel(law="power"))
        text = (f"best law by AIC: {best}; AIC(exponential) - AIC(power) = {d_exp:+.1f} "
                f"({'power' if d_exp > 0 else 'exponential'} better)")
        add("forgetting_form", "behaviour", np.nan, "finding", b, "form of forgetting by age", text)
        add("forgetting_form_many", "behaviour", np.nan, "finding", b, "form of forgetting by age", text)
        tau2 = float(ds["fit_params"].sel(backend=b, law="two_exponential", law_param="tau2"))
        add("forgetting_slow_time_constant_recall", "behaviour", tau2, "items", b,
            "slow time constant of the two-exponential law (memories stored since)")
    return rows


# ------------------------------------------------------------------------------------------------ outputs
def figures(ds: xr.Dataset) -> dict:
    import matplotlib.pyplot as plt

    figs = {}
    fig, axes = plt.subplots(1, len(ds.stage), figsize=(4.2 * len(ds.stage), 4), constrained_layout=True)
    x = 1 - ds["input_correlation"].values
    for ax, stage in zip(np.atleast_1d(axes), ds.stage.values):
        ax.plot([0, 1.15], [0, 1.15], color="0.6", lw=0.8, label="identity")
        for b, style in (("spiking", "o-"), ("rate", "s--")):
            y = 1 - ds["output_correlation"].sel(backend=b, stage=stage).values
            ax.plot(x, y, style, ms=4, lw=1.2, label=b)
        ax.set(title=stage, xlabel="input change (1 - EC correlation)", ylabel="output change (1 - correlation)",
               xlim=(-0.02, 1.15), ylim=(-0.02, 1.15), aspect="equal")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Pattern separation and completion (above identity: separation; below: completion)")
    figs["separation_completion"] = fig

    pops = list(ds.population.values)
    fig, axes = plt.subplots(1, len(pops), figsize=(4 * len(pops), 3.4), constrained_layout=True)
    for ax, pop in zip(np.atleast_1d(axes), pops):
        r = ds[f"cell_rate_{pop}"].values
        active = r[r > 0]
        if active.size:
            logs = np.log10(active)
            ax.hist(logs, bins=30, density=True, color="0.6")
            mu, sigma = (float(ds["rate_statistics"].sel(population=pop, statistic=s))
                         for s in ("lognormal_mu", "lognormal_sigma"))
            if np.isfinite(mu) and sigma > 0:
                g = np.linspace(logs.min() - 0.3, logs.max() + 0.3, 200)
                ln = g * np.log(10)  # density of log10(rate) under the fitted log-normal
                ax.plot(g, np.log(10) * np.exp(-(ln - mu) ** 2 / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi)),
                        "k-", lw=1, label=f"log-normal fit (sigma {sigma:.2f})")
                ax.legend(fontsize=8)
        silent = float(ds["rate_statistics"].sel(population=pop, statistic="silent_fraction"))
        ax.set(title=f"{pop}: {silent:.0%} silent", xlabel="log10 rate (Hz) of active cells", ylabel="density")
    figs["rate_distributions"] = fig

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    chance = ds.attrs["chance"]
    for ax, b, age in zip(axes, ("spiking", "rate"), ("age_spiking", "age_rate")):
        t = ds[age].values
        y = (ds[f"recall_{b}"].values - chance) / (1 - chance)
        ax.plot(t, y, ".", color="0.4", ms=3, label="recall above chance")
        for law in ds.law.values:
            p = {k: float(v) for k, v in zip(ds.law_param.values, ds["fit_params"].sel(backend=b, law=law).values)
                 if np.isfinite(v)}
            aic = float(ds["fit_aic"].sel(backend=b, law=law))
            ax.plot(t, law_curve(str(law), p, t), lw=1.2, label=f"{law} (AIC {aic:.0f})")
        ax.set(xscale="log", title=f"{b}: forgetting by age", xlabel="age (memories stored since)",
               ylabel="(accuracy - chance) / (1 - chance)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figs["forgetting_laws"] = fig
    return figs


def comparison_rows(ds: xr.Dataset) -> list[ComparisonRow]:
    """The comparison rows stored in a result."""
    fields = list(ComparisonRow.__dataclass_fields__)
    return [ComparisonRow(**{f: (float(ds[f"cmp_{f}"].values[i]) if f == "value" else str(ds[f"cmp_{f}"].values[i]))
                             for f in fields}) for i in range(ds.sizes["comparison"])]


def report(ds: xr.Dataset) -> str:
    rows = comparison_rows(ds)
    counts = {v: sum(r.verdict == v for r in rows) for v in ("yes", "no", "no range", "finding", "unit differs")}
    v = separation_verdicts(ds)
    lines = ["# The hippocampal network against biological data", "",
             f"Spiking network (device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.attrs['n_pairs']} "
             f"pairs, {ds.attrs['spiking_slots']} presentations per protocol, "
             f"{ds.attrs['spiking_wall_s']:.0f} s of simulation) and its rate twin "
             f"({ds.sizes.get('run', 1)} networks). A value is *within range* only when the reference states a "
             "range and the value lies in it; single values and findings get no verdict.", "",
             f"Verdicts: {counts['yes']} within range, {counts['no']} outside, {counts['no range']} without a stated "
             f"range, {counts['finding']} qualitative findings, {counts['unit differs']} in another unit.", "",
             markdown_table(rows), "",
             "## Pattern separation and completion", "",
             "| input overlap | input change | " + " | ".join(f"{s} ({b})" for s in ds.stage.values
                                                       for b in ds.backend.values) + " |",
             "|---|---|" + "---|" * (ds.sizes["stage"] * ds.sizes["backend"])]
    for i, o in enumerate(ds.overlap.values):
        cells = [f"{1 - float(ds['output_correlation'].sel(stage=s, backend=b).values[i]):.2f}"
                 for s in ds.stage.values for b in ds.backend.values]
        lines.append(f"| {o:g} | {1 - float(ds['input_correlation'].values[i]):.2f} | " + " | ".join(cells) + " |")
    lines += ["", "Output change (1 - population-vector correlation). " + "; ".join(
        f"{b}: DG above identity at {x['dg_above']}/{x['dg_levels']} levels, CA3 recall below identity at "
        f"{x['ca3_recall_below']}/{x['ca3_recall_levels']} high-similarity levels" for b, x in v.items()) + ".", "",
              "## Forgetting laws", "",
              "| backend | law | AIC | delta AIC | R^2 | parameters |", "|---|---|---|---|---|---|"]
    for b in ds.backend.values:
        aic = ds["fit_aic"].sel(backend=b)
        for law in ds.law.values:
            p = ds["fit_params"].sel(backend=b, law=law)
            ptxt = ", ".join(f"{k} {float(x):.3g}" for k, x in zip(p.law_param.values, p.values) if np.isfinite(x))
            lines.append(f"| {b} | {law} | {float(aic.sel(law=law)):.1f} | "
                         f"{float(aic.sel(law=law) - aic.min()):.1f} | "
                         f"{float(ds['fit_r2'].sel(backend=b, law=law)):.3f}"
                         f" | {ptxt} |")
    lines += ["", "Fitted to recall accuracy above chance, (accuracy - chance) / (1 - chance), by age (memories "
              f"stored since); chance = {ds.attrs['chance']:g}.", "",
              "## Firing rates (spiking)", "",
              "| population | mean Hz | median Hz | silent | silent per presentation | rate in an active "
              "presentation (Hz) | log-normal sigma | KS |", "|---|---|---|---|---|---|---|---|"]
    for pop in ds.population.values:
        s = ds["rate_statistics"].sel(population=pop)
        lines.append(f"| {pop} | {float(s.sel(statistic='mean_hz')):.3f} | {float(s.sel(statistic='median_hz')):.3f} | "
                     f"{float(s.sel(statistic='silent_fraction')):.1%} | "
                     f"{float(ds['silent_per_presentation'].sel(population=pop)):.1%} | "
                     f"{float(ds['active_slot_rate_hz'].sel(population=pop)):.1f} | "
                     f"{float(s.sel(statistic='lognormal_sigma')):.2f} | "
                     f"{float(s.sel(statistic='lognormal_ks')):.2f} |")
    lines += ["", "Figures: `separation_completion`, `rate_distributions`, `forgetting_laws`.", "",
              provenance_line(ds), ""]
    return "\n".join(lines)


def headline(ds: xr.Dataset) -> xr.Dataset:
    """Active fractions, output correlations, forgetting-law AICs and the number of values within / outside
    their stated ranges."""
    verdicts = ds["cmp_verdict"].values
    out = xr.Dataset({"active_fraction": ds["active_fraction"], "output_correlation": ds["output_correlation"],
                      "fit_aic": ds["fit_aic"],
                      "within_range": int((verdicts == "yes").sum()), "outside_range": int((verdicts == "no").sum())})
    out["within_range"].attrs["description"] = "comparisons within their stated range"
    out["outside_range"].attrs["description"] = "comparisons outside their stated range"
    return out


register(Experiment("compare-bio", "the spiking hippocampal network and its rate twin against biological sparsity, "
                    "rates, connectivity, separation/completion and forgetting data", CompareBioConfig, compare_bio,
                    figures, report, {"n_pairs": 40, "rate_pairs": 200, "rate_runs": 5, "pairs_per_level": 2,
                                      "n_background": 10, "overlap_levels": (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)},
                    headline))
