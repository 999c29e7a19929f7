"""``spiking-kwinner``: the reduced network (EC -> CA3 -> CTX, no DG) in spiking neurons against the rate K-winner
MHN and the parameter-matched 1-winner MHN at reduced size.

Auto-association (value = key, the CA3 -> CTX mask mirrors the perforant path): the network is the K-winner MHN
of Bhandarkar & McClelland (2025). Every run learns burn-in patterns, then the memories, then is cued with
partial memories and with partial pseudo-memories (random patterns never stored).

The burn-in only brings the weights to their steady state. As a shortcut for time it is learned by the rate core
(the same K-winner rule) on the spiking network's initial weights: the burned-in weights are the spiking
network's starting weights (thousands of spiking presentations would add nothing but time). From there on the
spiking network works alone: it encodes the memories (spike-driven instar and outstar learning, E%-max winners
from the basket cells, theta pacing) and recalls every cue; nothing of the rate core sets its gains or reads its
winners. Its drive is set by plain configuration values (the perforant-path gains of encoding and recall, the
CA3 -> CTX gains, the basket cells' excitation ``spiking.w_ei_mv``), calibrated once on the spiking network
(:class:`~biokv.experiments.hippocampus.config.SpikingKWinnerConfig`). The runs share one connectivity (the
perforant-path mask and the basket cells, so that the standalone device compiles once) and differ in initial
weights, patterns and Poisson inputs. The rate K-winner MHN learns the same patterns from the same burned-in
weights; the 1-winner MHN (n_h = n_h^K f, the same number of weights) learns them from its own.

Reported by age (1 = newest): retrieval accuracy, the raw difference R.D. = accuracy(memory) - accuracy(pseudo),
d' across runs, and averages over age bins, where the K-winner's advantage for older memories shows.
Configuration: :class:`biokv.experiments.hippocampus.config.SpikingKWinnerConfig`; figures and report:
:mod:`biokv.experiments.hippocampus.figures`, :mod:`biokv.experiments.hippocampus.report`.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import xarray as xr

from biokv.core.common.patterns import overlaps, partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.core.kwinner.model import KWinnerMHN, KWinnerState
from biokv.core.stats import metrics
from biokv.experiments.hippocampus.config import SpikingKWinnerConfig
from biokv.experiments.hippocampus.devices import spiking_device
from biokv.hippocampus.rate_twin import HippocampalRateTwin, HippocampalState

__all__ = ["MODELS", "KINDS", "spiking_kwinner", "shared_connectivity", "single_run", "spiking_description",
           "retention_statistics"]

MODELS = ("spiking-kwinner", "rate-kwinner", "rate-mhn")
KINDS = ("real", "pseudo")  # cues of memories and of pseudo-memories


def shared_connectivity(state: HippocampalState, source: HippocampalState) -> HippocampalState:
    """Runs with the connectivity of run 0 of ``state`` and the weights and tie-breaking keys of ``source``.

    Initial weights are independent uniform draws whatever the mask, so ``source``'s (from other runs) are valid
    initial weights for run 0's mask.
    """
    ca3, R = state.ca3, source.ca3.n_runs
    rep = {name: np.repeat(getattr(ca3, name)[:1], R, axis=0) for name in ("inputs", "in_ptr", "in_hidden", "in_pos")}
    mirror = ca3.out_inputs is ca3.inputs
    shared = KWinnerState(**rep, out_inputs=rep["inputs"] if mirror else np.repeat(ca3.out_inputs[:1], R, axis=0),
                          w_in=source.ca3.w_in.copy(), w_out=source.ca3.w_out.copy(), key=source.ca3.key.copy(),
                          step=np.zeros(R, np.int64))
    return HippocampalState(shared)


def single_run(state: HippocampalState, r: int) -> HippocampalState:
    """Run ``r`` of ``state`` as a state of one run (views, not copies; a mirrored mask stays mirrored).

    The spiking network simulates it as its run 0, so that every run has the structure of run 0 (the basket
    cells are drawn from the run index) and a standalone build serves them all.
    """
    ca3 = state.ca3
    if not 0 <= r < ca3.n_runs:
        raise ValueError(f"r must be a run of the state, in [0, {ca3.n_runs - 1}], got {r}")
    one = {name: getattr(ca3, name)[r:r + 1] for name in ("inputs", "w_in", "in_ptr", "in_hidden", "in_pos",
                                                          "w_out", "key", "step")}
    out = one["inputs"] if ca3.out_inputs is ca3.inputs else ca3.out_inputs[r:r + 1]
    return HippocampalState(KWinnerState(**one, out_inputs=out))


def spiking_description(cfg: SpikingKWinnerConfig):
    """The reduced network with the spiking drive of ``cfg``: perforant-path gains ``pp_encode_gain`` and
    ``pp_recall_gain``, CA3 -> CTX gains ``ctx_encode_gain`` and ``ctx_recall_gain``."""
    return cfg.network.description(cfg.pp_encode_gain, cfg.pp_recall_gain).with_gains(
        ca3_ctx={"encode": cfg.ctx_encode_gain, "recall": cfg.ctx_recall_gain})


def spiking_kwinner(cfg: SpikingKWinnerConfig, ctx) -> xr.Dataset:
    """Spiking K-winner MHN vs rate K-winner MHN vs 1-winner MHN at reduced size: retention by age."""
    net_cfg, R, M = cfg.network, cfg.runs, cfg.n_memories
    n, s, runs = net_cfg.n_visible, net_cfg.n_active, list(range(R))
    twin = HippocampalRateTwin(net_cfg.description())
    state = shared_connectivity(twin.init_state(ctx.seed, [0]), twin.init_state(ctx.seed, runs))
    burn = random_subsets_runs(run_seeds(ctx.seed, "burn-in", runs), cfg.n_burnin, n, s)
    memories = random_subsets_runs(run_seeds(ctx.seed, "memories", runs), M, n, s)
    pseudo = random_subsets_runs(run_seeds(ctx.seed, "pseudo", runs), M, n, s)
    levels = cfg.cue_levels
    targets = dict(zip(KINDS, (memories, pseudo)))
    cues = {(kind, c): partial_cues_runs(run_seeds(ctx.seed, f"cues:{kind}:{c!r}", runs), targets[kind], c)
            for kind in KINDS for c in levels}
    start = time.perf_counter()
    if cfg.n_burnin:  # a shortcut for time: the burned-in weights are the spiking network's starting weights
        twin.encode(state, burn, burn)

    # rate K-winner MHN from the same burned-in weights
    rate = state.copy()
    twin.encode(rate, memories, memories)
    out = np.zeros((len(MODELS), 2, len(levels), R, M), np.int16)  # model, kind, cue, run, pattern
    for (kind, c), q in cues.items():
        out[1, KINDS.index(kind), levels.index(c)] = overlaps(twin.recall(rate, q)["values"], targets[kind])

    # 1-winner MHN with as many weights
    mhn = KWinnerMHN(n_visible=n, n_hidden=net_cfg.mhn_hidden, n_active=s, fan_in=1.0, k=1, learning_rate=1.0,
                     init_weight_max=net_cfg.initial_weight_max)
    mhn_state = mhn.init_state(seed=ctx.seed, runs=runs, stream="mhn")
    mhn.learn(mhn_state, burn)
    mhn.learn(mhn_state, memories)
    for (kind, c), q in cues.items():
        out[2, KINDS.index(kind), levels.index(c)] = overlaps(mhn.retrieve(mhn_state, q), targets[kind])

    # spiking network from the burned-in weights, with its own drive (configuration values)
    order = [(kind, c) for kind in KINDS for c in levels]
    active = np.zeros((R, 2))
    finished = []
    spiking_start = time.perf_counter()
    with spiking_device(cfg.spiking.device, cfg.spiking.codegen) as make:
        net = make(spiking_description(cfg), cfg.spiking.parameters())
        for r in ctx.progress(runs, desc="spiking runs"):
            all_cues = [q for key in order for q in cues[key][r]]
            res = net.simulate(single_run(state, r), 0, memories[r], memories[r], all_cues,
                               seed=(ctx.seed * 1009 + r) % 2**32)
            for i, (kind, c) in enumerate(order):
                got = res.recalled[i * M:(i + 1) * M]
                out[0, KINDS.index(kind), levels.index(c), r] = overlaps(got, targets[kind][r])
            active[r] = [(res.counts["CA3"][:M] > 0).sum(1).mean(), (res.counts["CA3"][M:] > 0).sum(1).mean()]
            finished.append(r)
            ctx.checkpoint(_dataset(out, levels, finished, M))
    spiking_s = time.perf_counter() - spiking_start
    ds = _dataset(out, levels, finished, M)
    ds = retention_statistics(ds, s, cfg.age_bins, cfg.bootstrap, ctx.seed)
    ds["ca3_active"] = (("run", "phase"), active[finished])
    ds = ds.assign_coords(phase=["encode", "recall"])
    ds["ca3_active"].attrs["description"] = "mean number of CA3 cells that fired per presentation (spiking)"
    ds.attrs.update(mhn_hidden=net_cfg.mhn_hidden, k=net_cfg.k, pp_encode_gain=cfg.pp_encode_gain,
                    pp_recall_gain=cfg.pp_recall_gain, ctx_encode_gain=cfg.ctx_encode_gain,
                    ctx_recall_gain=cfg.ctx_recall_gain, device=cfg.spiking.device, spiking_wall_s=spiking_s,
                    elapsed_s=time.perf_counter() - start)
    return ds


def _dataset(out, levels, finished, M) -> xr.Dataset:
    ages = np.arange(M, 0, -1)  # pattern index -> age (the last stored is age 1)
    order = np.argsort(ages)
    data = out[:, :, :, finished][..., order]
    return xr.Dataset({"overlap": (("model", "kind", "cue", "run", "age"), data)},
                      coords={"model": list(MODELS), "kind": list(KINDS), "cue": np.asarray(levels, float),
                              "run": np.asarray(finished), "age": np.arange(1, M + 1)})


def retention_statistics(ds: xr.Dataset, s: int, age_bins, n_boot: int, seed: int) -> xr.Dataset:
    """Accuracy, R.D. and d' (over runs) by age and by age bin, and the spiking-vs-MHN test per bin."""
    real, pseudo = ds["overlap"].sel(kind="real"), ds["overlap"].sel(kind="pseudo")
    run_axis = real.get_axis_num("run")
    by_age = [d for d in real.dims if d != "run"]
    ds["accuracy"] = (ds["overlap"] / s).mean("run")
    ds["raw_difference"] = (by_age, metrics.sample_raw_difference(real.values, pseudo.values, s, run_axis))
    ds["dprime"] = (by_age, metrics.sample_dprime(real.values, pseudo.values, s, run_axis))
    edges = list(age_bins) + [ds.sizes["age"] + 1]
    labels = [f"{a}-{b - 1}" for a, b in zip(edges[:-1], edges[1:])]
    diff = (real - pseudo) / s  # per run and age
    ds = ds.assign_coords(age_bin=labels)
    binned = xr.concat([diff.sel(age=slice(a, b - 1)).mean("age") for a, b in zip(edges[:-1], edges[1:])],
                       dim="age_bin").assign_coords(age_bin=labels).transpose(..., "run", "age_bin")
    mean, sem = metrics.mean_and_sem(binned.values, axis=binned.get_axis_num("run"))
    dims = [d for d in binned.dims if d != "run"]
    ds["binned_raw_difference"] = (dims, mean)
    ds["binned_raw_difference_sem"] = (dims, sem)
    ds["binned_dprime"] = xr.concat([ds["dprime"].sel(age=slice(a, b - 1)).mean("age")
                                     for a, b in zip(edges[:-1], edges[1:])], dim="age_bin").assign_coords(
        age_bin=labels).transpose(..., "age_bin")
    # bootstrap over runs: how often the spiking K-winner's binned d' fails to exceed the 1-winner MHN's
    rng = np.random.default_rng(seed)
    R = ds.sizes["run"]
    worse = np.zeros(ds["binned_dprime"].sel(model="rate-mhn").shape)
    for _ in range(n_boot):
        pick = rng.integers(0, R, R)
        d = metrics.sample_dprime(real.values[..., pick, :], pseudo.values[..., pick, :], s, run_axis)
        with warnings.catch_warnings():  # a bin where every d' is undefined stays NaN and counts as "not above"
            warnings.simplefilter("ignore", RuntimeWarning)
            bins = np.stack([np.nanmean(d[..., a - 1:b - 1], axis=-1) for a, b in zip(edges[:-1], edges[1:])], -1)
        worse += ~(bins[0] > bins[2])  # models: spiking-kwinner, rate-kwinner, rate-mhn
    ds["p_spiking_above_mhn"] = (("cue", "age_bin"), (worse + 1) / (n_boot + 1))
    ds["spiking_minus_rate_accuracy"] = ((real.sel(model="spiking-kwinner") - real.sel(model="rate-kwinner")) / s
                                         ).mean("run")
    descriptions = {
        "overlap": "retrieved-pattern overlap (shared ones) with the memory (real) or pseudo-memory",
        "accuracy": "mean over runs of overlap / s",
        "raw_difference": "mean over runs of accuracy(memory) - accuracy(pseudo-memory) (R.D.)",
        "dprime": "R.D. mean / population std over runs",
        "binned_raw_difference": "R.D. averaged over the ages of the bin, mean over runs",
        "binned_raw_difference_sem": "standard error over runs of the binned R.D.",
        "spiking_minus_rate_accuracy": "memory recall accuracy, spiking minus rate K-winner MHN (mean over runs)",
        "binned_dprime": "d' averaged over the ages of the bin",
        "p_spiking_above_mhn": "bootstrap over runs: fraction of resamples in which the spiking K-winner's binned d' "
                               "does not exceed the 1-winner MHN's",
    }
    for k, v in descriptions.items():
        ds[k].attrs["description"] = v
    return ds
