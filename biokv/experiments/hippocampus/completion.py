"""``ca3-completion``: pattern completion by the CA3 recurrent collaterals, with the recurrents on and off.

CA3 as an auto-associative memory completes a partial input into a stored code through its recurrent collaterals
(Marr 1971, Phil Trans R Soc B 262:23; McNaughton & Morris 1987, Trends Neurosci 10:408; Treves & Rolls 1992,
Hippocampus 2:189; Rolls 2013, Front Syst Neurosci 7:74). ``P`` key -> value pairs are encoded, then recalled
(weights frozen) from two kinds of cues, the second of which is also encoded as new memories (rate twin), in the
rate twin (``runs`` independent networks) and in the spiking
network (run 0's connectivity, ``seeds`` pattern and noise seeds), each on the same networks with the recurrents
on and off (off: gain 0 on projection ``rc`` at encoding and recall; the recurrent weights still learn, but
never transmit):

- partial cues (:func:`biokv.core.common.patterns.partial_cues_runs`): a fraction ``cue level`` of the key's active
  EC cells, the others silent. Measured: recall accuracy, overlap(recalled value, stored value) / s_CTX, and the
  CA3 completion, overlap(CA3 code at recall, CA3 code stored at encoding) / k_CA3;
- morphed cues (:func:`biokv.core.common.patterns.overlapping_patterns_runs`): a fraction ``morph level`` of the
  key's active EC cells replaced by random other EC cells, the activity unchanged. Measured: the input
  correlation (Pearson correlation of the binary EC vectors of cue and stored key) and the output correlation
  (Pearson correlation of the binary CA3 vectors at recall and at encoding). Plotted against each other with the
  identity line, the classic completion / separation curve (Guzowski, Knierim & Moser 2004, Neuron 44:581):
  above the line, the output is more similar to the stored code than the input to its key (completion); below
  it, less (separation). This is the *recall mode*: weights frozen, mossy fibres silent, acetylcholine low;
- the same morphs in *encoding mode*, the mode the separation / completion plot of Guzowski, Knierim & Moser
  (2004), Yassa & Stark (2011, Trends Neurosci 34:515) and Rolls (2013) refers to: after the pairs are stored,
  each morph is encoded as a new memory (the twin's ``encode``: plasticity on, acetylcholine at its encoding
  level, DG and the mossy fibres active) into the trained network, and its CA3 code is compared (Pearson) with
  the CA3 code stored for its key; so is its DG code with the key's DG code (EC -> DG has fixed weights, so the
  DG codes are those of :meth:`~biokv.hippocampus.rate_twin.HippocampalRateTwin.dentate_winners`). Design, the
  cheapest exact one: a pattern's CA3 code at encoding is set before its own weight change, so a morph encoded
  alone into a copy of the trained network (``state.copy()``) gets the code the trained network gives it; one
  ``encode`` call per (condition, morph level, pair) on its own copy, batched over the networks, keeps the morphs
  from interfering with one another (in one call holding all pairs, each morph would settle in weights changed
  by the morphs before it); the copies are discarded. The morph is encoded with its key's value, which does not
  enter the CA3 code. The DG code needs no encoding (fixed weights).

In the rate twin the CA3 codes are the k_CA3 winners. In the spiking network the CA3 code of a presentation is
read out by an observer: for the completion, the k_CA3 cells with the most spikes in its slot, of those that fired
(fewer when fewer fired; equal counts: the earlier first spike); for the correlations, every CA3 cell that fired
(as in ``compare-bio``). One spiking simulation per seed and condition encodes the pairs and then presents every
partial cue, level after level, then every morphed cue; both conditions use the same patterns and Poisson
streams. The spiking protocol presents the morphs at recall only (plasticity off), so its encoding-mode CA3 code
would take further simulations and is not measured; its DG correlation is (the granule cells that fired for the
morph in its recall slot against those that fired for the key in its encoding slot), because the DG input,
EC -> DG, has fixed weights and the same transmission at encoding and recall (checked; otherwise it is NaN).
Means over the pairs of a network or seed are averaged over networks / seeds with 95% t confidence intervals
(:func:`scipy.stats.t`). Configuration: :class:`biokv.experiments.hippocampus.config.CA3CompletionConfig`;
figures and report: :mod:`biokv.experiments.hippocampus.completion_figures`,
:mod:`biokv.experiments.hippocampus.completion_report`.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import xarray as xr

from biokv.core.common.patterns import (binary_correlation, overlapping_patterns_runs, overlaps, partial_cues_runs,
                                        paired_code_correlations, random_subsets_runs)
from biokv.core.common.rng import run_seeds
from biokv.experiments.hippocampus.config import CA3CompletionConfig
from biokv.experiments.hippocampus.devices import spiking_device
from biokv.hippocampus.rate_twin import HippocampalRateTwin

__all__ = ["ca3_completion", "t_interval", "CONDITIONS"]

#: the two conditions and the gains that make them: recurrents transmitting, or silenced at encoding and recall
CONDITIONS = {"on": None, "off": {"rc": 0.0}}


#: per-pair measures of each backend: dimensions after the network (rate) or seed (spiking) axis, description
_MEASURES = {
    "accuracy": (("recurrents", "cue", "pair"), "overlap(recalled value, stored value) / s_CTX"),
    "completion": (("recurrents", "cue", "pair"), "overlap(CA3 code at recall, CA3 code stored at encoding) / k_CA3"),
    "iterations": (("recurrents", "cue", "pair"), "iterations of the recurrent dynamics until a fixed point (at most "
                                                  "the twin's steps)"),
    "ca3_fired": (("recurrents", "cue", "pair"), "CA3 cells that fired in the recall slot"),
    "input_correlation": (("morph", "pair"), "Pearson correlation of the binary EC vectors of the morphed cue and "
                                             "its key"),
    "output_correlation": (("recurrents", "morph", "pair"), "Pearson correlation of the binary CA3 vectors at recall "
                                                            "from the morphed cue and at encoding of its key"),
    "dg_correlation": (("morph", "pair"), "Pearson correlation of the binary DG vectors of the morphed key and of its "
                                          "key (fixed EC -> DG weights)"),
    "encoding_correlation": (("recurrents", "morph", "pair"), "Pearson correlation of the binary CA3 vectors of the "
                                                              "morphed key encoded as a new memory into the trained "
                                                              "network and of its key at encoding"),
}

#: summaries over networks / seeds (mean and 95% CI per backend): dimensions, description
_SUMMARIES = {
    "accuracy": (("recurrents", "cue"), "recall accuracy"),
    "completion": (("recurrents", "cue"), "CA3 completion"),
    "input_correlation": (("morph",), "EC input correlation"),
    "output_correlation": (("recurrents", "morph"), "CA3 output correlation"),
    "accuracy_gain": (("cue",), "recall accuracy, recurrents on minus off (paired: the same networks / seeds)"),
    "completion_gain": (("cue",), "CA3 completion, recurrents on minus off (paired)"),
    "output_minus_input": (("recurrents", "morph"), "output minus input correlation (> 0: above the identity line, "
                                                    "completion; < 0: below, separation)"),
    "dg_correlation": (("morph",), "DG correlation of the morphed key and its key"),
    "encoding_correlation": (("recurrents", "morph"), "CA3 correlation at encoding (morph encoded as a new memory, "
                                                      "key's stored code)"),
    "dg_minus_input": (("morph",), "DG minus input correlation (< 0: below the identity line, separation)"),
    "encoding_minus_input": (("recurrents", "morph"), "CA3 correlation at encoding minus input correlation (< 0: "
                                                      "below the identity line, separation)"),
    "encoding_minus_dg": (("recurrents", "morph"), "CA3 correlation at encoding minus DG correlation (paired: the "
                                                   "same networks / seeds and morphs)"),
}


def t_interval(x: np.ndarray, axis: int = 0):
    """Mean and half-width of the 95% t confidence interval of ``x`` along ``axis`` (half-width NaN for fewer
    than two values)."""
    from scipy import stats

    x = np.asarray(x, dtype=np.float64)
    n = np.sum(np.isfinite(x), axis=axis)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices (e.g. no CA3 cell fired): NaN
        mean = np.nanmean(x, axis=axis)
        sd = np.nanstd(x, axis=axis, ddof=1) if x.shape[axis] > 1 else np.full_like(mean, np.nan)
        half = np.where(n >= 2, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n), np.nan)
    return mean, half


def _cues(seed: int, stream: str, keys: np.ndarray, n_ec: int, cue_levels, morph_levels):
    """Partial cues {level: (R, P, m)} and morphed cues {level: (R, P, s)} of ``keys`` (R, P, s); the kernel
    seeds of each level are drawn from stream ``stream`` of ``seed``, one per run."""
    runs = np.arange(keys.shape[0])
    partial = {c: partial_cues_runs(run_seeds(seed, f"{stream}cues:{c!r}", runs), keys, c) for c in cue_levels}
    morphed = {m: overlapping_patterns_runs(run_seeds(seed, f"{stream}morphs:{m!r}", runs), keys, n_ec, 1.0 - m)
               for m in morph_levels}
    return partial, morphed


def _encoding_codes(twin: HippocampalRateTwin, trained, morphs: np.ndarray, values: np.ndarray, gains) -> np.ndarray:
    """CA3 codes (R, P, k_CA3) that the morphs (R, P, s) get when each is encoded as a new memory into the trained
    networks ``trained``: one ``encode`` per pair on its own copy of the state (batched over the R networks), so
    that no morph settles in weights another morph changed; the copies are discarded."""
    codes = np.empty(morphs.shape[:2] + (twin.ca3_model.k,), dtype=np.int32)
    for p in range(morphs.shape[1]):
        one = slice(p, p + 1)
        codes[:, p] = twin.encode(trained.copy(), morphs[:, one], values[:, one], gains=gains)["ca3_winners"][:, 0]
    return codes


def _rate_part(cfg: CA3CompletionConfig, ctx, description, twin: HippocampalRateTwin) -> dict:
    """The rate twin on ``cfg.runs`` networks: recall accuracy, CA3 completion and iterations per (run, condition,
    cue level, pair); input and DG correlation per (run, morph level, pair); CA3 output correlation at recall and
    at encoding per (run, condition, morph level, pair)."""
    ec, val, ca3 = (description.population(n) for n in ("EC", "CTX", "CA3"))
    R, P, L, M = cfg.runs, cfg.n_pairs, len(cfg.cue_levels), len(cfg.morph_levels)
    runs = np.arange(R)
    initial = twin.init_state(ctx.seed, runs)
    keys = random_subsets_runs(run_seeds(ctx.seed, "keys", runs), P, ec.size, ec.active)
    values = random_subsets_runs(run_seeds(ctx.seed, "values", runs), P, val.size, val.active)
    partial, morphed = _cues(ctx.seed, "", keys, ec.size, cfg.cue_levels, cfg.morph_levels)
    out = {"accuracy": np.full((R, 2, L, P), np.nan), "completion": np.full((R, 2, L, P), np.nan),
           "iterations": np.full((R, 2, L, P), np.nan), "output_correlation": np.full((R, 2, M, P), np.nan),
           "encoding_correlation": np.full((R, 2, M, P), np.nan), "dg_correlation": np.full((R, M, P), np.nan),
           "input_correlation": np.stack([binary_correlation(overlaps(morphed[m], keys), ec.active, ec.active,
                                                             ec.size) for m in cfg.morph_levels], axis=1)}
    if twin.with_dg:  # fixed EC -> DG weights: the DG codes are the same in every state
        dg = description.population("DG")
        dg_keys = twin.dentate_winners(initial, keys)
        for i, m in enumerate(cfg.morph_levels):
            out["dg_correlation"][:, i] = binary_correlation(overlaps(twin.dentate_winners(initial, morphed[m]),
                                                                      dg_keys), dg.active, dg.active, dg.size)
    for j, gains in enumerate(ctx.progress(list(CONDITIONS.values()), desc="rate twin")):
        state = initial.copy()  # the same networks in both conditions
        stored = twin.encode(state, keys, values, gains=gains)["ca3_winners"]
        for i, c in enumerate(cfg.cue_levels):
            rec = twin.recall(state, partial[c], gains=gains)
            out["accuracy"][:, j, i] = overlaps(rec["values"], values) / val.active
            out["completion"][:, j, i] = overlaps(rec["ca3_winners"], stored) / ca3.active
            out["iterations"][:, j, i] = rec["iterations"]
        for i, m in enumerate(cfg.morph_levels):
            rec = twin.recall(state, morphed[m], gains=gains)
            out["output_correlation"][:, j, i] = binary_correlation(overlaps(rec["ca3_winners"], stored),
                                                                    ca3.active, ca3.active, ca3.size)
            encoded = _encoding_codes(twin, state, morphed[m], values, gains)
            out["encoding_correlation"][:, j, i] = binary_correlation(overlaps(encoded, stored), ca3.active,
                                                                      ca3.active, ca3.size)
    return out


def _most_active_fired(result, slot: int, k: int) -> np.ndarray:
    """The CA3 code of a spiking slot: its ``k`` CA3 cells with the most spikes (equal counts: the earlier first
    spike), of those that fired (fewer than ``k`` when fewer fired; silent cells never count)."""
    cells = result.most_active("CA3", slot, k)
    return cells[result.counts["CA3"][slot, cells] > 0]


def _spiking_part(cfg: CA3CompletionConfig, ctx, description, twin: HippocampalRateTwin) -> dict:
    """The spiking network on run 0's connectivity with ``cfg.seeds`` pattern and noise seeds: the measures of
    :func:`_rate_part` per seed instead of per run, and the CA3 cells that fired per recall slot."""
    ec, val, ca3 = (description.population(n) for n in ("EC", "CTX", "CA3"))
    S, P, L, M = cfg.seeds, cfg.n_pairs, len(cfg.cue_levels), len(cfg.morph_levels)
    params = cfg.spiking.parameters()
    state = twin.init_state(ctx.seed, [0])
    out = {"accuracy": np.full((S, 2, L, P), np.nan), "completion": np.full((S, 2, L, P), np.nan),
           "ca3_fired": np.full((S, 2, L, P), np.nan), "output_correlation": np.full((S, 2, M, P), np.nan),
           "input_correlation": np.full((S, M, P), np.nan), "dg_correlation": np.full((S, M, P), np.nan)}
    # the DG code of a morph read from its recall slot is its encoding code only if DG's input transmits alike
    dg_phase_free = twin.with_dg and description.transmission("ec_dg", "encode") == description.transmission(
        "ec_dg", "recall")
    with spiking_device(cfg.spiking.device, cfg.spiking.codegen) as make:
        net = make(description, params)
        for s in ctx.progress(range(S), desc="spiking seeds"):
            keys = random_subsets_runs(run_seeds(ctx.seed, f"keys:{s}", [0]), P, ec.size, ec.active)
            values = random_subsets_runs(run_seeds(ctx.seed, f"values:{s}", [0]), P, val.size, val.active)
            partial, morphed = _cues(ctx.seed, f"{s}:", keys, ec.size, cfg.cue_levels, cfg.morph_levels)
            out["input_correlation"][s] = [binary_correlation(overlaps(morphed[m][0], keys[0]), ec.active,
                                                              ec.active, ec.size) for m in cfg.morph_levels]
            cues = [q for c in cfg.cue_levels for q in partial[c][0]] + [q for m in cfg.morph_levels
                                                                          for q in morphed[m][0]]
            for j, gains in enumerate(CONDITIONS.values()):
                res = net.simulate(state, 0, list(keys[0]), list(values[0]), cues,
                                   seed=(ctx.seed * 7919 + s) % 2**32, gains=gains)
                fired = res.active("CA3")
                stored = [_most_active_fired(res, p, ca3.active) for p in range(P)]
                for i in range(L):
                    block = slice(P + i * P, P + (i + 1) * P)
                    out["accuracy"][s, j, i] = overlaps(res.recalled[i * P:(i + 1) * P], values[0]) / val.active
                    out["completion"][s, j, i] = [
                        len(np.intersect1d(_most_active_fired(res, P + i * P + p, ca3.active), stored[p]))
                        / ca3.active for p in range(P)]
                    out["ca3_fired"][s, j, i] = [len(f) for f in fired[block]]
                for i in range(M):
                    first = P + (L + i) * P
                    out["output_correlation"][s, j, i] = paired_code_correlations(fired[first:first + P], fired[:P],
                                                                                  ca3.size)
                if dg_phase_free and j == 0:  # read in the first condition: DG gets no input from CA3
                    granule = res.active("DG")
                    for i in range(M):
                        first = P + (L + i) * P
                        out["dg_correlation"][s, i] = paired_code_correlations(granule[first:first + P], granule[:P],
                                                                               description.population("DG").size)
    return out


def ca3_completion(cfg: CA3CompletionConfig, ctx) -> xr.Dataset:
    """Recall and CA3 completion against cue level, and CA3 output against EC input correlation of morphed keys at
    recall and (rate twin) at their encoding as new memories, with the DG correlation, with the CA3 recurrents on
    and off, in the rate twin and (``cfg.seeds`` > 0) the spiking network."""
    start = time.perf_counter()
    description = cfg.network.build()
    twin = HippocampalRateTwin(description)
    rate = _rate_part(cfg, ctx, description, twin)
    rate_s = time.perf_counter() - start
    parts = {"rate": rate}
    spiking_s = 0.0
    if cfg.seeds > 0:
        t0 = time.perf_counter()
        parts["spiking"] = _spiking_part(cfg, ctx, description, twin)
        spiking_s = time.perf_counter() - t0
    ds = xr.Dataset(coords={"backend": list(parts), "recurrents": list(CONDITIONS),
                            "cue": np.asarray(cfg.cue_levels, float), "morph": np.asarray(cfg.morph_levels, float),
                            "run": np.arange(cfg.runs), "pair": np.arange(cfg.n_pairs)})
    if cfg.seeds > 0:
        ds = ds.assign_coords(seed=np.arange(cfg.seeds))
    summary = {name: [] for name in _SUMMARIES}
    for backend, part in parts.items():
        sample = "run" if backend == "rate" else "seed"
        n_samples = next(iter(part.values())).shape[0]
        for name, x in part.items():
            dims, text = _MEASURES[name]
            ds[f"{backend}_{name}"] = ((sample,) + dims, x)
            ds[f"{backend}_{name}"].attrs["description"] = text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a sample without any defined correlation: NaN
            per_sample = {name: np.nanmean(part[name], axis=-1) if name in part else  # not measured: NaN
                          np.full((n_samples,) + tuple(ds.sizes[d] for d in _MEASURES[name][0][:-1]), np.nan)
                          for name in ("accuracy", "completion", "input_correlation", "output_correlation",
                                       "dg_correlation", "encoding_correlation")}
        # paired differences on the same networks / seeds: recurrents on minus off, output minus input
        per_sample["accuracy_gain"] = per_sample["accuracy"][:, 0] - per_sample["accuracy"][:, 1]
        per_sample["completion_gain"] = per_sample["completion"][:, 0] - per_sample["completion"][:, 1]
        x = per_sample["input_correlation"]
        per_sample["output_minus_input"] = per_sample["output_correlation"] - x[:, None]
        per_sample["dg_minus_input"] = per_sample["dg_correlation"] - x
        per_sample["encoding_minus_input"] = per_sample["encoding_correlation"] - x[:, None]
        per_sample["encoding_minus_dg"] = per_sample["encoding_correlation"] - per_sample["dg_correlation"][:, None]
        for name in summary:
            summary[name].append(t_interval(per_sample[name], axis=0))
    for name, values in summary.items():
        dims, text = _SUMMARIES[name]
        for k, stat in enumerate(("mean", "ci95")):
            ds[f"{name}_{stat}"] = (("backend",) + dims, np.stack([v[k] for v in values]))
            ds[f"{name}_{stat}"].attrs["description"] = (
                "mean over networks (rate) / seeds (spiking) of the mean over pairs of " if stat == "mean" else
                "half-width of the 95% t confidence interval of the mean over networks / seeds of ") + text
    if description.has("DG"):
        ds.attrs.update(k_dg=description.population("DG").active, n_dg=description.population("DG").size)
    ds.attrs.update(device=cfg.spiking.device, n_pairs=cfg.n_pairs, runs=cfg.runs, seeds=cfg.seeds,
                    k_ca3=description.population("CA3").active, n_ca3=description.population("CA3").size,
                    s_ctx=description.population("CTX").active,
                    n_ctx=description.population("CTX").size, s_ec=description.population("EC").active,
                    n_ec=description.population("EC").size, rate_steps=twin.steps, rate_wall_s=rate_s,
                    spiking_wall_s=spiking_s, elapsed_s=time.perf_counter() - start)
    return ds
