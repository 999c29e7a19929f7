"""What the intervention experiments on the hippocampal network share: their patterns, the rate twin and the
spiking network they run, and the paired effects of both backends.

Each experiment (:mod:`~biokv.experiments.predictions.mossy_lesion`, :mod:`~biokv.experiments.predictions.pp_lesion`,
:mod:`~biokv.experiments.predictions.reactivation`) runs a control and an intervention on the same networks,
patterns and noise, in the rate twin (``rate_runs`` independent networks) and in the spiking network (the network
of run 0 with the patterns and Poisson noise of ``spiking_seeds`` seeds; every simulation has ``spiking_slots``
presentations, so one standalone build serves all of them), and reports the paired effect with its 95% confidence
interval (:mod:`biokv.experiments.predictions.effects`). An intervention scales projections with ``gains``
(:mod:`biokv.hippocampus.gains`), the same mapping in both backends. A lesion silences transmission only: the
model's plasticity rule still updates the synapses of CA3 cells that fire, as in the intact network.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import overlaps, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.predictions.config import InterventionConfig
from biokv.experiments.predictions.effects import effect_dataset
from biokv.hippocampus.connectivity import draw_connectivity
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.experiments.hippocampus.devices import spiking_device, standalone_compilations

__all__ = ["BACKENDS", "intervention_patterns", "rate_setup", "recall_accuracy", "SpikingRuns", "backend_effects",
           "store_raw", "finish"]

BACKENDS = ("rate", "spiking")


def intervention_patterns(description, seed, runs, n_pairs):
    """Keys (EC) and values (CTX) of ``n_pairs`` memories for each run: index arrays (runs, n_pairs, active)."""
    ec, ctx = description.population("EC"), description.population("CTX")
    return (random_subsets_runs(run_seeds(seed, "keys", runs), n_pairs, ec.size, ec.active),
            random_subsets_runs(run_seeds(seed, "values", runs), n_pairs, ctx.size, ctx.active))


def rate_setup(cfg: InterventionConfig, seed: int, n_pairs: int):
    """Network description, rate twin, (s_CTX, n_CA3, k_CA3), rate runs and their keys and values."""
    d = cfg.network.build()
    runs = list(range(cfg.rate_runs))
    sizes = d.population("CTX").active, d.population("CA3").size, d.population("CA3").active
    return (d, HippocampalRateTwin(d), sizes, runs) + intervention_patterns(d, seed, runs, n_pairs)


def recall_accuracy(recalled, values, s) -> np.ndarray:
    """Fraction of each value's ``s`` cells among the recalled ones."""
    return overlaps(recalled, values) / s


class SpikingRuns:
    """The spiking network of run 0 (built once, on the connectivity the rate twin's run 0 reads), simulated
    with the patterns and noise of several seeds."""

    def __init__(self, cfg: InterventionConfig, description, seed: int):
        self.cfg = cfg
        self.state = draw_connectivity(description, seed, [0])
        self.description, self.params = description, cfg.spiking.parameters()
        self.seed = seed
        self.wall_s = 0.0
        self._compiled_before = standalone_compilations()

    @property
    def compilations(self) -> int:
        """Standalone builds compiled for these runs."""
        return standalone_compilations() - self._compiled_before

    def simulate(self, s: int, keys, values, cues, gains=None, acetylcholine=None):
        """One simulation with the Poisson noise of seed ``s`` (``spiking_slots`` presentations); ``acetylcholine``:
        levels per slot instead of the phases' own."""
        start = time.perf_counter()
        with spiking_device(self.cfg.spiking.device, self.cfg.spiking.codegen) as make:
            res = make(self.description, self.params).simulate(
                self.state, 0, list(keys), list(values), list(cues), seed=(self.seed + s) % 2**32, gains=gains,
                n_slots=self.cfg.spiking_slots, acetylcholine=acetylcholine)
        self.wall_s += time.perf_counter() - start
        return res


def backend_effects(per_backend: dict, measures: list[str]) -> xr.Dataset:
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


def store_raw(ds, per_backend, measures):
    """Add the control and intervention values of every seed (``control_<backend>``, ``intervention_<backend>``)."""
    for b, (control, intervention) in per_backend.items():
        dims = (f"seed_{b}", "measure")
        ds[f"control_{b}"] = (dims, np.asarray(control, float))
        ds[f"intervention_{b}"] = (dims, np.asarray(intervention, float))
    return ds


def finish(ds, per, spk):
    """Record the backends and, with a spiking run, its wall time and standalone compilations."""
    ds.attrs["backends"] = ",".join(per)
    if spk is not None:
        ds.attrs.update(spiking_wall_s=spk.wall_s, spiking_compilations=spk.compilations)
    return ds
