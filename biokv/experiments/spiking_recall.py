"""``spiking-recall``: the spiking hippocampal network against its rate twin on identical connectivity and
patterns.

P key -> value pairs are encoded, then recalled from cues at each cue level, in one spiking simulation and in the
rate twin. Reported: per pattern, the agreement (Jaccard) between the CA3 cells that fired during encoding and
the rate twin's CA3 winners; recall accuracy by age in both backends; active fractions and mean firing rates per
population.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr
from brian2 import Hz, ms

from ..config import ConfigError, param
from ..core.hippocampus import HippocampalRateTwin
from ..core.patterns import overlaps, partial_cues_runs, random_subsets_runs
from ..core.random import run_seeds
from ..network import hippocampal_network
from ..results import provenance_line
from ..spiking import SpikingHippocampus, SpikingParameters
from ..spiking.network import DEVICES
from .registry import Experiment, register

BIO = "shared/reference/biology.md"


@dataclass
class HippocampusConfig:
    """Sizes and connectivity of the hippocampal network (:func:`biokv.network.hippocampal_network`)."""

    n_ec: int = param(1000, "EC cells", low=2)
    ec_active: int = param(100, "EC cells per key", low=1)
    n_dg: int = param(4000, "dentate granule cells (4 per CA3 cell)", low=1, source=f"{BIO}: van Dijk et al. 2016")
    dg_active: int = param(120, "granule cells active per key (3%)", low=1, source=f"{BIO}: Chawla et al. 2005")
    ec_dg_fan_in: float = param(0.05, "fraction of EC cells contacting a granule cell", low=0.0, high=1.0,
                                low_open=True)
    mf_contacts: int = param(12, "CA3 cells contacted by one granule cell", low=1,
                             source=f"{BIO}: Acsady et al. 1998 (11-15)")
    mf_weight: float = param(5.0, "mossy-fibre weight relative to a full perforant-path synapse", low=0.0)
    n_ca3: int = param(1000, "CA3 cells", low=1)
    ca3_active: int = param(30, "CA3 winners per key (3%)", low=1)
    pp_fan_in: float = param(0.2, "fraction of EC cells contacting a CA3 cell", low=0.0, high=1.0, low_open=True)
    n_ctx: int = param(1000, "cortical value cells", low=1)
    ctx_active: int = param(100, "cortical cells per value", low=1)
    ctx_fan_out: float = param(0.3, "fraction of cortical cells a CA3 cell contacts", low=0.0, high=1.0,
                               low_open=True)
    learning_rate: float = param(0.3, "eps of the K-winner rule", low=0.0, high=1.0, low_open=True,
                                 source="Bhandarkar & McClelland 2025")
    initial_weight_max: float = param(0.1, "plastic weights start in U[0, this)", low=0.0, low_open=True)
    pp_encode_gain: float = param(1.0, "perforant-path gain during encoding", low=0.0, low_open=True)
    pp_recall_gain: float = param(10.0, "perforant-path gain during recall (CA3 driven by the perforant path "
                                  "alone)", low=0.0, low_open=True)
    with_dg: bool = param(True, "include DG and the mossy fibres")

    def check(self):
        for n, a in (("ec", "ec_active"), ("dg", "dg_active"), ("ca3", "ca3_active"), ("ctx", "ctx_active")):
            if getattr(self, a) > getattr(self, f"n_{n}"):
                raise ConfigError(f"{a}={getattr(self, a)} is out of range: must be <= n_{n}={getattr(self, f'n_{n}')}")

    def build(self):
        from ..config import to_dict

        try:
            return hippocampal_network(**to_dict(self))
        except ValueError as err:
            raise ConfigError(str(err)) from None


@dataclass
class SpikingConfig:
    """The most used spiking parameters (the rest: :class:`biokv.spiking.SpikingParameters` defaults)."""

    presentation_ms: float = param(200.0, "presentation of one key or cue (ms): one theta cycle; must leave the "
                                   "phase windows of SpikingParameters inside it", low=1.0)
    dt_ms: float = param(0.1, "integration step (ms)", low=0.001, high=1.0)
    ec_rate_on_hz: float = param(100.0, "Poisson rate of the presented pattern's EC cells (Hz)", low=0.0,
                                 low_open=True)
    ec_rate_off_hz: float = param(1.0, "Poisson rate of the other EC cells (Hz)", low=0.0)
    device: str = param("cpp_standalone", "Brian2 device", choices=DEVICES)
    codegen: str = param("numpy", "code-generation target on the runtime device", choices=("numpy", "cython"))

    def parameters(self) -> SpikingParameters:
        try:
            return SpikingParameters(presentation=self.presentation_ms * ms, dt=self.dt_ms * ms,
                                     ec_rate_on=self.ec_rate_on_hz * Hz, ec_rate_off=self.ec_rate_off_hz * Hz)
        except ValueError as err:
            raise ConfigError(str(err)) from None


@dataclass
class SpikingRecallConfig:
    """Spiking network vs rate twin: store P key -> value pairs, recall from full and partial cues."""

    network: HippocampusConfig = param(HippocampusConfig(), "network")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_pairs: int = param(100, "key -> value pairs stored", low=1)
    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels", low=0.0, high=1.0, low_open=True)
    raster_presentations: int = param(3, "encoding and recall presentations shown in the raster", low=1)


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
    net = SpikingHippocampus(description, params, device=cfg.spiking.device, codegen=cfg.spiking.codegen)
    all_cues = [list(c[0]) for c in cues]
    result = net.simulate(state, 0, list(keys[0]), list(values[0]), [q for c in all_cues for q in c],
                          seed=ctx.seed % 2**32)
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
    jac = np.array([_jaccard(result.active("CA3")[p], enc["ca3_winners"][0, p]) for p in range(P)])
    s = ctx_pop.active
    acc_spk = np.stack([overlaps(result.recalled[i * P:(i + 1) * P], values[0]) / s for i in range(len(levels))])
    acc_twin = np.stack([overlaps(tv, values[0]) / s for tv in twin_values])
    ds = xr.Dataset(coords={"age": np.arange(1, P + 1), "cue": np.asarray(levels, float),
                            "backend": ["spiking", "rate"]})
    ds["ca3_jaccard"] = ("age", jac[by_age])
    if twin.with_dg:
        ds["dg_jaccard"] = ("age", np.array([_jaccard(result.active("DG")[p], enc["dg_winners"][0, p])
                                             for p in range(P)])[by_age])
        ds["ca3_jaccard_given_dg"] = ("age", np.array([_jaccard(result.active("CA3")[p], given["ca3_winners"][0, p])
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
    # every spike (the raster figure shows the first presentations; biokv.neo_export makes Neo spike trains)
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


def _jaccard(a, b) -> float:
    u = len(np.union1d(a, b))
    return len(np.intersect1d(a, b)) / u if u else 1.0


def figures(ds: xr.Dataset) -> dict:
    import matplotlib.pyplot as plt

    pops = list(ds.population.values)
    fig, axes = plt.subplots(len(pops), 2, figsize=(11, 2.2 * len(pops)), sharex="col", constrained_layout=True,
                             squeeze=False)
    T, P, k = ds.attrs["slot_s"], ds.attrs["n_encode"], ds.attrs["raster_presentations"]
    for r, name in enumerate(pops):
        i, t = ds[f"spikes_{name}_i"].values, ds[f"spikes_{name}_t"].values
        for c, (a, title) in enumerate(((0.0, "encoding"), (P * T, "recall"))):
            sel = (t >= a) & (t < a + k * T)
            ax = axes[r, c]
            ax.plot((t[sel] - a) * 1e3, i[sel], "|", ms=2, color="k")
            for b in range(1, k):
                ax.axvline(b * T * 1e3, color="0.7", lw=0.5)
            ax.set(ylabel=f"{name} cell", title=f"{name}, first {k} {title} presentations")
    for ax in axes[-1]:
        ax.set_xlabel("time in the window (ms)")
    acc = plt.figure(figsize=(5.5 * ds.sizes["cue"], 3.6), constrained_layout=True)
    for c, cue in enumerate(ds.cue.values):
        ax = acc.add_subplot(1, ds.sizes["cue"], c + 1)
        for backend, style in (("spiking", "-"), ("rate", "--")):
            y = ds["recall_accuracy"].sel(backend=backend, cue=cue)
            ax.plot(ds.age, y, style, lw=1, label=f"{backend} ({float(y.mean()):.2f})")
        ax.set(title=f"{cue:.0%} cues", xlabel="age (pairs stored since)", ylabel="recall accuracy", ylim=(0, 1.02))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return {"raster": fig, "recall_by_age": acc}


def headline(ds: xr.Dataset) -> xr.Dataset:
    """Recall accuracy of both backends (mean over ages), their mean absolute difference, the winner agreement
    at encoding and the active fractions."""
    acc = ds["recall_accuracy"]
    out = xr.Dataset({"recall_accuracy": acc.mean("age"),
                      "recall_abs_difference": abs(acc.sel(backend="spiking") - acc.sel(backend="rate")).mean("age"),
                      "ca3_jaccard": ds["ca3_jaccard"].mean("age"),
                      "active_fraction": ds["active_fraction"]})
    if "dg_jaccard" in ds:
        out["dg_jaccard"] = ds["dg_jaccard"].mean("age")
    out["recall_accuracy"].attrs["description"] = "overlap(recalled, stored value) / s, mean over ages"
    out["recall_abs_difference"].attrs["description"] = "|spiking - rate| recall accuracy, mean over ages"
    out["ca3_jaccard"].attrs["description"] = "Jaccard(spiking CA3 active set, twin's CA3 winners), mean over pairs"
    return out


def report(ds: xr.Dataset) -> str:
    lines = ["# Spiking hippocampal network vs rate twin", "",
             f"Device `{ds.attrs['device']}`, seed {ds.attrs.get('seed')}, {ds.attrs['n_encode']} pairs; spiking "
             f"simulation {ds.attrs['spiking_wall_s']:.1f} s of wall time.", "",
             f"CA3 agreement at encoding (Jaccard, spiking active set vs rate winners): mean "
             f"{float(ds['ca3_jaccard'].mean()):.2f} (target >= 0.7), median {float(ds['ca3_jaccard'].median()):.2f}.",
             ""]
    if "dg_jaccard" in ds:
        lines += [f"DG agreement at encoding: {float(ds['dg_jaccard'].mean()):.2f}; CA3 agreement given the spiking "
                  f"DG code (the twin's CA3 computed from the spiking network's most active granule cells): "
                  f"{float(ds['ca3_jaccard_given_dg'].mean()):.2f}.", ""]
    lines += ["| cue | spiking recall | rate recall | mean abs. difference by age (target <= 0.1) |",
              "|---|---|---|---|"]
    for cue in ds.cue.values:
        a = ds["recall_accuracy"].sel(cue=cue)
        lines.append(f"| {cue:g} | {float(a.sel(backend='spiking').mean()):.3f} | "
                     f"{float(a.sel(backend='rate').mean()):.3f} | "
                     f"{float(abs(a.sel(backend='spiking') - a.sel(backend='rate')).mean()):.3f} |")
    lines += ["", "| population | expected active | active (encode) | active (recall) | rate Hz (encode) | "
              "rate Hz (recall) |", "|---|---|---|---|---|---|"]
    for pop in ds.population.values:
        f, r = ds["active_fraction"].sel(population=pop), ds["mean_rate_hz"].sel(population=pop)
        lines.append(f"| {pop} | {float(ds['expected_fraction'].sel(population=pop)):.3f} | "
                     f"{float(f.sel(phase='encode')):.3f} | {float(f.sel(phase='recall')):.3f} | "
                     f"{float(r.sel(phase='encode')):.2f} | {float(r.sel(phase='recall')):.2f} |")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("spiking-recall", "spiking hippocampal network vs its rate twin: CA3 agreement and recall by "
                    "age (Brian2)", SpikingRecallConfig, spiking_recall, figures, report,
                    {"n_pairs": 20, "cue_levels": (1.0,)}, headline))
