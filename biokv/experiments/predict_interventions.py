"""Predictions from interventions on the hippocampal network: lesions and engram reactivation.

Each experiment runs a control and an intervention on the same networks, patterns and noise, in the rate twin
(``rate_runs`` independent networks) and in the spiking network (the network of run 0 with the patterns and
Poisson noise of ``spiking_seeds`` seeds; every simulation has ``spiking_slots`` presentations, so one standalone
build serves all of them), and reports the paired effect with its 95% confidence interval
(:mod:`biokv.experiments.prediction`):

- ``predict-mossy-lesion``: the mossy fibres are silenced (gain 0) while new memories are stored; memories
  stored before are recalled from an intact network (encoding vs retrieval: Lee & Kesner 2004; Lassalle,
  Bataille & Halley 2000);
- ``predict-pp-lesion``: the perforant path to CA3 is silenced in every presentation: recall of stored memories
  against the CA3 code at encoding (retrieval vs encoding route, Lee & Kesner 2004);
- ``predict-reactivation``: memories no longer recalled are cued again with the perforant-path input of their
  own CA3 ensemble (the cells that fired when they were stored) multiplied by ``beta``, or that of a random
  ensemble of the same size (engram reactivation, Ryan et al. 2015; the beta scaling of Gershman, Fiete & Irie
  2025).

A lesion silences transmission only: the model's plasticity rule still updates the synapses of CA3 cells that
fire, as in the intact network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..config import ConfigError, param
from ..core.hippocampus import HippocampalRateTwin
from ..core.patterns import binary_correlation, overlaps, random_subsets_runs
from ..core.random import run_seeds
from ..results import provenance_line
from ..spiking import SpikingHippocampus
from .prediction import effect_dataset, effect_headline, effect_rows
from .registry import Experiment, register
from .spiking_recall import HippocampusConfig, SpikingConfig

BACKENDS = ("rate", "spiking")


@dataclass
class InterventionConfig:
    """What every intervention experiment shares: the network, the spiking simulation and the seeds."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (rat-ratio default)")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    rate_runs: int = param(20, "independent rate-twin networks (the seeds of the rate effect)", low=2)
    spiking_seeds: int = param(3, "pattern and noise seeds of the spiking network (0: rate twin only)", low=0)
    spiking_slots: int = param(210, "presentations per spiking simulation (the same in every prediction, so "
                               "that one standalone build serves them all)", low=2)

    def check_slots(self, needed: int):
        if self.spiking_seeds and self.spiking_slots < needed:
            raise ConfigError(f"spiking_slots={self.spiking_slots} is out of range: this protocol needs at least "
                              f"{needed} presentations")
        if self.spiking_seeds == 1:
            raise ConfigError("spiking_seeds=1 is out of range: an effect with a confidence interval needs 0 (rate "
                              "twin only) or at least 2 seeds")


def _patterns(description, seed, runs, n_pairs):
    ec, ctx = description.population("EC"), description.population("CTX")
    return (random_subsets_runs(run_seeds(seed, "keys", runs), n_pairs, ec.size, ec.active),
            random_subsets_runs(run_seeds(seed, "values", runs), n_pairs, ctx.size, ctx.active))


def _setup(cfg: InterventionConfig, seed: int, n_pairs: int):
    """Network description, rate twin, (s_CTX, n_CA3, k_CA3), rate runs and their keys and values."""
    d = cfg.network.build()
    runs = list(range(cfg.rate_runs))
    sizes = d.population("CTX").active, d.population("CA3").size, d.population("CA3").active
    return (d, HippocampalRateTwin(d), sizes, runs) + _patterns(d, seed, runs, n_pairs)


def _accuracy(recalled, values, s) -> np.ndarray:
    return overlaps(recalled, values) / s


def code_correlation(codes, n: int) -> float:
    """Mean population-vector correlation over all pairs of codes (index arrays of any size): how much the
    codes of different memories overlap. NaN when fewer than two codes have cells."""
    codes = [np.asarray(c) for c in codes if len(c)]
    if len(codes) < 2:
        return float("nan")
    dense = np.zeros((len(codes), n))
    for i, c in enumerate(codes):
        dense[i, c] = 1.0
    shared = dense @ dense.T
    sizes = dense.sum(axis=1)
    r = binary_correlation(shared, sizes[:, None], sizes[None, :], n)
    return float(np.nanmean(r[np.triu_indices(len(codes), 1)]))


class _Spiking:
    """The spiking network of run 0 (built once), simulated with the patterns and noise of several seeds."""

    def __init__(self, cfg: InterventionConfig, description, seed: int):
        self.cfg = cfg
        self.twin = HippocampalRateTwin(description)
        self.state = self.twin.init_state(seed, [0])
        self.net = SpikingHippocampus(description, cfg.spiking.parameters(), device=cfg.spiking.device,
                                      codegen=cfg.spiking.codegen)
        self.seed = seed
        self.wall_s = 0.0

    def simulate(self, s: int, keys, values, cues, gains=None):
        start = time.perf_counter()
        res = self.net.simulate(self.state, 0, list(keys), list(values), list(cues), seed=(self.seed + s) % 2**32,
                                gains=gains, n_slots=self.cfg.spiking_slots)
        self.wall_s += time.perf_counter() - start
        return res


def _backend_effects(per_backend: dict, measures: list[str]) -> xr.Dataset:
    """Effects of every backend: ``per_backend[b] = (control, intervention)`` arrays (seeds, measures)."""
    parts = []
    for b, (control, intervention) in per_backend.items():
        coords = {"seed": np.arange(len(control)), "measure": measures}
        parts.append(effect_dataset(xr.DataArray(np.asarray(control, float), dims=("seed", "measure"), coords=coords),
                                    xr.DataArray(np.asarray(intervention, float), dims=("seed", "measure"),
                                                 coords=coords)).expand_dims(backend=[b]))
    ds = xr.concat(parts, dim="backend", combine_attrs="drop")
    ds.attrs["n_seeds"] = {b: len(c) for b, (c, _) in per_backend.items()}.__repr__()
    return ds


def _store_raw(ds, per_backend, measures):
    for b, (control, intervention) in per_backend.items():
        dims = (f"seed_{b}", "measure")
        ds[f"control_{b}"] = (dims, np.asarray(control, float))
        ds[f"intervention_{b}"] = (dims, np.asarray(intervention, float))
    return ds


# ------------------------------------------------------------------------------------------ mossy-fibre lesion
@dataclass
class MossyLesionConfig(InterventionConfig):
    """Mossy fibres silenced while new memories are stored."""

    n_old: int = param(40, "memories stored before the lesion (intact network)", low=1)
    n_new: int = param(40, "memories stored during the lesion (mossy-fibre gain 0) or, in the control, intact",
                       low=2)

    def check(self):
        self.check_slots(2 * (self.n_old + self.n_new))
        if not self.network.with_dg:
            raise ConfigError("network.with_dg=false: the mossy-fibre lesion needs DG and the mossy fibres")


MOSSY_MEASURES = ["recall of new memories", "recall of old memories", "CA3 code correlation of new memories",
                  "CA3 active fraction while storing new memories"]


def mossy_lesion(cfg: MossyLesionConfig, ctx) -> xr.Dataset:
    """Mossy-fibre lesion during the encoding of new memories: recall of new and old memories and the overlap of
    the new memories' CA3 codes, lesion vs control."""
    start = time.perf_counter()
    P = cfg.n_old + cfg.n_new
    d, twin, (s, n_ca3, k), runs, keys, values = _setup(cfg, ctx.seed, P)
    new = slice(cfg.n_old, P)
    per = {}
    out = []
    for lesion in (False, True):
        state = twin.init_state(ctx.seed, runs)
        gain = np.ones((len(runs), P))
        if lesion:
            gain[:, new] = 0.0
        enc = twin.encode(state, keys, values, mf_gain=gain)
        acc = _accuracy(twin.recall(state, keys)["values"], values, s)
        codes = enc["ca3_winners"][:, new]
        out.append(np.stack([acc[:, new].mean(1), acc[:, :cfg.n_old].mean(1),
                             [code_correlation(c, n_ca3) for c in codes],
                             np.full(len(runs), k / n_ca3)], axis=1))
    per["rate"] = tuple(out)
    if cfg.spiking_seeds:
        spk = _Spiking(cfg, d, ctx.seed)
        sk, sv = _patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        out = [[], []]
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            for j, lesion in enumerate((False, True)):
                gain = np.ones((2 * P, 1))
                if lesion:
                    gain[new] = 0.0
                res = spk.simulate(i, sk[i], sv[i], sk[i], gains={"mf": gain})
                acc = _accuracy(res.recalled[:P], sv[i], s)
                active = res.active("CA3")[new]
                out[j].append([acc[new].mean(), acc[:cfg.n_old].mean(), code_correlation(active, n_ca3),
                               float(np.mean([len(a) for a in active])) / n_ca3])
        per["spiking"] = tuple(out)
    ds = _backend_effects(per, MOSSY_MEASURES)
    ds = _store_raw(ds, per, MOSSY_MEASURES)
    ds.attrs.update(prediction="Silencing the mossy fibres while new memories are stored impairs their recall and "
                    "changes their CA3 codes, and leaves the recall of memories stored before intact.",
                    control="mossy fibres intact throughout", intervention="mossy-fibre gain 0 while the new memories"
                    " are stored (recall: mossy fibres off in both, as always)", elapsed_s=time.perf_counter() - start)
    return _finish(ds, per, spk if cfg.spiking_seeds else None)


def _finish(ds, per, spk):
    ds.attrs["backends"] = ",".join(per)
    if spk is not None:
        ds.attrs.update(spiking_wall_s=spk.wall_s, spiking_compilations=spk.net.compilations)
    return ds


# ------------------------------------------------------------------------------------------ perforant-path lesion
@dataclass
class PerforantLesionConfig(InterventionConfig):
    """Perforant path to CA3 silenced in every presentation."""

    n_pairs: int = param(80, "memories stored and recalled", low=2)

    def check(self):
        self.check_slots(2 * self.n_pairs)


PP_MEASURES = ["recall of stored memories", "CA3 active fraction at recall", "CA3 active fraction at encoding",
               "CA3 code correlation at encoding"]


def pp_lesion(cfg: PerforantLesionConfig, ctx) -> xr.Dataset:
    """Perforant-path (EC -> CA3) lesion: recall fails while the CA3 codes formed at encoding (driven by the
    mossy fibres) stay as sparse and as separated as in the control."""
    start = time.perf_counter()
    P = cfg.n_pairs
    d, twin, (s, n_ca3, k), runs, keys, values = _setup(cfg, ctx.seed, P)
    per, out, codes = {}, [], []
    for lesion in (False, True):
        gain = 0.0 if lesion else 1.0
        state = twin.init_state(ctx.seed, runs)
        enc = twin.encode(state, keys, values, pp_gain=gain)
        acc = _accuracy(twin.recall(state, keys, pp_gain=gain)["values"], values, s)
        codes.append(enc["ca3_winners"])
        out.append(np.stack([acc.mean(1), np.full(len(runs), k / n_ca3), np.full(len(runs), k / n_ca3),
                             [code_correlation(c, n_ca3) for c in enc["ca3_winners"]]], axis=1))
    per["rate"] = tuple(out)
    agreement = {"rate": [np.mean([len(np.intersect1d(a, b)) / len(np.union1d(a, b)) for a, b in zip(x, y)])
                          for x, y in zip(*codes)]}
    spk = None
    if cfg.spiking_seeds:
        spk = _Spiking(cfg, d, ctx.seed)
        sk, sv = _patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        out, agreement["spiking"] = [[], []], []
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            enc_codes = []
            for j, lesion in enumerate((False, True)):
                res = spk.simulate(i, sk[i], sv[i], sk[i], gains={"pp": 0.0} if lesion else None)
                acc = _accuracy(res.recalled[:P], sv[i], s)
                active = res.active("CA3")
                enc_codes.append(active[:P])
                out[j].append([acc.mean(), float(np.mean([len(a) for a in active[P:2 * P]])) / n_ca3,
                               float(np.mean([len(a) for a in active[:P]])) / n_ca3,
                               code_correlation(active[:P], n_ca3)])
            agreement["spiking"].append(np.mean([len(np.intersect1d(a, b)) / max(len(np.union1d(a, b)), 1)
                                                 for a, b in zip(*enc_codes)]))
        per["spiking"] = tuple(out)
    ds = _backend_effects(per, PP_MEASURES)
    ds = _store_raw(ds, per, PP_MEASURES)
    for b, v in agreement.items():
        ds[f"encoding_agreement_{b}"] = (f"seed_{b}", np.asarray(v))
        ds[f"encoding_agreement_{b}"].attrs["description"] = ("mean Jaccard index of each memory's CA3 code at "
                                                              "encoding, lesion vs control")
    ds.attrs.update(prediction="Silencing the perforant path to CA3 abolishes the recall of stored memories, while "
                    "the CA3 codes formed at encoding, driven by the mossy fibres, stay as sparse and as separated.",
                    control="perforant path intact", intervention="perforant-path gain 0 in every presentation",
                    elapsed_s=time.perf_counter() - start)
    return _finish(ds, per, spk)


# ------------------------------------------------------------------------------------------ reactivation
@dataclass
class ReactivationConfig(InterventionConfig):
    """Reactivating the CA3 ensemble of memories no longer recalled."""

    n_pairs: int = param(120, "memories stored", low=2)
    age_min: int = param(80, "targets: memories at least this old (memories stored since, 1 = newest) ...", low=1)
    age_max: int = param(120, "... and at most this old", low=1)
    forgotten_below: float = param(0.5, "a target counts as no longer recalled when its recall accuracy in the "
                                   "control is below this", low=0.0, high=1.0, low_open=True)
    beta: float = param(3.0, "gain on the perforant-path input of the boosted ensemble at recall", low=1.0,
                        low_open=True)

    def check(self):
        if not 1 <= self.age_min <= self.age_max <= self.n_pairs:
            raise ConfigError(f"need 1 <= age_min <= age_max <= n_pairs, got {self.age_min}, {self.age_max}, "
                              f"{self.n_pairs}")
        self.check_slots(self.n_pairs + 2 * (self.age_max - self.age_min + 1))


REACTIVATION_MEASURES = ["own ensemble", "random ensemble"]


def _ensemble_gain(ensembles, beta, n) -> np.ndarray:
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
    d, twin, (s, n_ca3, k), runs, keys, values = _setup(cfg, ctx.seed, P)
    targets = np.arange(P - cfg.age_max, P - cfg.age_min + 1)  # learning order
    state = twin.init_state(ctx.seed, runs)
    enc = twin.encode(state, keys, values)
    tk, tv = keys[:, targets], values[:, targets]
    ens = enc["ca3_winners"][:, targets]
    rnd = random_subsets_runs(run_seeds(ctx.seed, "random-ensembles", runs), len(targets), n_ca3, k)
    base = _accuracy(twin.recall(state, tk)["values"], tv, s)
    own = _accuracy(twin.recall(state, tk, pp_gain=np.stack([_ensemble_gain(e, cfg.beta, n_ca3) for e in ens])
                                )["values"], tv, s)
    rand = _accuracy(twin.recall(state, tk, pp_gain=np.stack([_ensemble_gain(e, cfg.beta, n_ca3) for e in rnd])
                                 )["values"], tv, s)
    forgotten = base < cfg.forgotten_below

    def per_seed(x, mask):
        return np.array([x[r][mask[r]].mean() if mask[r].any() else np.nan for r in range(len(x))])

    per = {"rate": (np.stack([per_seed(base, forgotten)] * 2, axis=1),
                    np.stack([per_seed(own, forgotten), per_seed(rand, forgotten)], axis=1))}
    n_forgotten = {"rate": forgotten.sum(axis=1)}
    spk = None
    if cfg.spiking_seeds:
        spk = _Spiking(cfg, d, ctx.seed)
        sk, sv = _patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        control, boosted, n_forgotten["spiking"] = [], [], []
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            res = spk.simulate(i, sk[i], sv[i], sk[i][targets])
            b = _accuracy(res.recalled[:len(targets)], sv[i][targets], s)
            own_e = [res.active("CA3")[t] for t in targets]  # the cells that fired when the target was stored
            rng_e = random_subsets_runs(run_seeds(ctx.seed, "random-ensembles:spiking", [i]), len(targets), n_ca3,
                                        k)[0]
            rng_e = [r[:len(o)] for r, o in zip(rng_e, own_e)]  # the same size as the own ensemble
            gain = np.ones((P + 2 * len(targets), n_ca3))
            gain[P:P + len(targets)] = _ensemble_gain(own_e, cfg.beta, n_ca3)
            gain[P + len(targets):] = _ensemble_gain(rng_e, cfg.beta, n_ca3)
            res2 = spk.simulate(i, sk[i], sv[i], np.concatenate([sk[i][targets]] * 2), gains={"pp": gain})
            if any(not np.array_equal(a, b2) for a, b2 in zip(res.active("CA3")[:P], res2.active("CA3")[:P])):
                raise RuntimeError("the encoding of the boosted simulation differs from the control's: the "
                                   "ensembles would not be the stored ones")
            acc2 = _accuracy(res2.recalled[:2 * len(targets)], np.concatenate([sv[i][targets]] * 2), s)
            mask = b < cfg.forgotten_below
            n_forgotten["spiking"].append(int(mask.sum()))

            def m(x, mask=mask):
                return x[mask].mean() if mask.any() else np.nan
            control.append([m(b), m(b)])
            boosted.append([m(acc2[:len(targets)]), m(acc2[len(targets):])])
        per["spiking"] = (np.array(control), np.array(boosted))
    ds = _backend_effects(per, REACTIVATION_MEASURES)
    ds = _store_raw(ds, per, REACTIVATION_MEASURES)
    for b, v in n_forgotten.items():
        ds[f"forgotten_targets_{b}"] = (f"seed_{b}", np.asarray(v))
    ds.attrs.update(prediction="Boosting the perforant-path input of a no-longer-recalled memory's own CA3 "
                    "ensemble restores part of its recall; boosting a random ensemble of the same size does not.",
                    control="the same cue without a boost",
                    intervention=f"perforant-path gain beta = {cfg.beta:g} on the CA3 cells that fired when the "
                    "memory was stored (own) or on as many random CA3 cells (random)",
                    n_targets=len(targets), elapsed_s=time.perf_counter() - start)
    return _finish(ds, per, spk)


# ------------------------------------------------------------------------------------------ outputs
def figures(ds: xr.Dataset) -> dict:
    import matplotlib.pyplot as plt

    measures = list(ds.measure.values)
    fig, axes = plt.subplots(1, len(measures), figsize=(3.3 * len(measures), 3.6), constrained_layout=True,
                             squeeze=False)
    for ax, m in zip(axes[0], measures):
        for j, b in enumerate(ds.backend.values):
            c = ds[f"control_{b}"].sel(measure=m).values if f"control_{b}" in ds else []
            v = ds[f"intervention_{b}"].sel(measure=m).values if f"intervention_{b}" in ds else []
            x = np.array([0, 1]) + 2.5 * j
            for a, bb in zip(c, v):
                ax.plot(x, [a, bb], color="0.7", lw=0.6)
            e = ds.sel(backend=b, measure=m)
            ax.errorbar(x, [float(e["control_mean"]), float(e["intervention_mean"])], fmt="o-", color=f"C{j}",
                        label=f"{b}: {float(e['effect']):+.3f} [{float(e['effect_ci_low']):+.3f}, "
                              f"{float(e['effect_ci_high']):+.3f}]")
        ax.set_xticks([0, 1, 2.5, 3.5][:2 * ds.sizes["backend"]],
                      ["control", "interv."] * ds.sizes["backend"], fontsize=8)
        ax.set_title(m, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(ds.attrs.get("prediction", ""), fontsize=9)
    return {"effects": fig}


def report(ds: xr.Dataset) -> str:
    lines = [f"# {ds.attrs.get('title', ds.attrs.get('experiment', 'prediction'))}", "",
             f"Prediction: {ds.attrs['prediction']}", "",
             f"Control: {ds.attrs['control']}. Intervention: {ds.attrs['intervention']}.", "",
             f"Seeds: {ds.attrs['n_seeds']} (rate: independent networks; spiking: the network of run 0 with the "
             "patterns and noise of each seed). Effect = intervention - control, mean over seeds, 95% t interval.",
             "", *effect_rows(ds), ""]
    for var in ds.data_vars:
        if str(var).startswith(("encoding_agreement_", "forgotten_targets_")):
            vals = ds[var].values
            lines.append(f"- {var}: mean {np.mean(vals):.3f} (per seed: {', '.join(f'{v:.3g}' for v in vals)})")
    if "spiking_wall_s" in ds.attrs:
        lines.append(f"- spiking simulations: {ds.attrs['spiking_wall_s']:.0f} s, "
                     f"{ds.attrs['spiking_compilations']} standalone compilation(s) in this experiment")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


_QUICK = {"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60}
register(Experiment("predict-mossy-lesion", "prediction: mossy-fibre lesion during encoding impairs new memories, "
                    "spares old ones", MossyLesionConfig, mossy_lesion, figures, report,
                    {**_QUICK, "n_old": 15, "n_new": 15}, effect_headline))
register(Experiment("predict-pp-lesion", "prediction: perforant-path lesion abolishes recall, spares the CA3 code "
                    "at encoding", PerforantLesionConfig, pp_lesion, figures, report, {**_QUICK, "n_pairs": 30},
                    effect_headline))
register(Experiment("predict-reactivation", "prediction: reactivating a forgotten memory's CA3 ensemble restores "
                    "recall, a random ensemble does not", ReactivationConfig, reactivation, figures, report,
                    {**_QUICK, "n_pairs": 40, "age_min": 15, "age_max": 25}, effect_headline))
