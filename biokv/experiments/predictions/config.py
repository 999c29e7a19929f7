"""Configurations of the prediction experiments: the interventions on the hippocampal network (lesions and
engram reactivation) and the storage predictions (distributed vs slot storage, capacity against CA3 size).

Only the standard library, :mod:`biokv.config` and other configuration modules are imported here, so that
registering the experiments is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from biokv.config import ConfigError, param
from biokv.experiments.hippocampus.config import HippocampusConfig, SpikingConfig
from biokv.experiments.kwinner.config import PAPER, NetworkConfig, mhn_network

__all__ = ["InterventionConfig", "MossyLesionConfig", "PerforantLesionConfig", "ReactivationConfig",
           "DistributedStorageConfig", "CapacityConfig"]


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
        """Raise ConfigError unless the spiking simulation has ``needed`` presentations and a usable number of
        seeds."""
        if self.spiking_seeds and self.spiking_slots < needed:
            raise ConfigError(f"spiking_slots={self.spiking_slots} is out of range: this protocol needs at least "
                              f"{needed} presentations")
        if self.spiking_seeds == 1:
            raise ConfigError("spiking_seeds=1 is out of range: an effect with a confidence interval needs 0 (rate "
                              "twin only) or at least 2 seeds")


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


@dataclass
class PerforantLesionConfig(InterventionConfig):
    """Perforant path to CA3 silenced in every presentation."""

    n_pairs: int = param(80, "memories stored and recalled", low=2)

    def check(self):
        self.check_slots(2 * self.n_pairs)


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


@dataclass
class DistributedStorageConfig:
    """K-winner MHN vs the 1-winner MHN with the same number of weights, by k and pattern similarity."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN (k is varied)", source=f"{PAPER}, 2.2.1")
    mhn: NetworkConfig = param(mhn_network(), "the parameter-matched 1-winner MHN", source=f"{PAPER}, 2.2.1")
    ks: tuple[int, ...] = param((5, 10, 25, 50), "winners k of the K-winner MHN", low=1)
    flips: tuple[int, ...] = param((30, 10), "TGCRP bit flips parent -> child of the structured pattern sets "
                                   "(fewer = more similar); random patterns are always included", low=1,
                                   source=f"{PAPER}, sec. 2.2.2")
    n_nodes: int = param(3000, "nodes per TGCRP tree", low=2)
    n_burnin: int = param(200, "burn-in patterns before the memories", low=0)
    n_memories: int = param(500, "memories; ages 1..n_memories", low=2)
    old_age: int = param(100, "memories older than this are 'old'", low=1)
    runs: int = param(10, "independent runs (the seeds of the effect)", low=2)

    def check(self):
        if self.old_age >= self.n_memories:
            raise ConfigError(f"old_age={self.old_age} is out of range: must be < n_memories={self.n_memories}")
        if any(k > self.kwinner.n_hidden for k in self.ks):
            raise ConfigError(f"ks={self.ks} is out of range: every k must be <= kwinner.n_hidden")
        if self.kwinner.n_visible != self.mhn.n_visible or self.kwinner.n_active != self.mhn.n_active:
            raise ConfigError("kwinner and mhn must share n_visible and n_active: they learn the same patterns")


@dataclass
class CapacityConfig:
    """Memories recalled at a criterion in the steady state of continual learning, against the number of CA3
    cells (fixed active fraction, fixed k), with and without the CA3 recurrent collaterals, from full keys and
    partial cues, and against the recurrent connection probability at one size."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (n_ca3, ca3_active, n_dg = 4 n_ca3, "
                                       "dg_active, with_recurrents and, in the probability sweep, rc_probability "
                                       "are set per point)")
    n_ca3: tuple[int, ...] = param((250, 500, 1000, 2000), "CA3 sizes, with and without recurrents", low=2,
                                   source="model choice: a factor 8, within minutes on two cores")
    active_fraction: float = param(0.03, "fixed-a scaling: CA3 winners = round(a n_ca3)", low=0.0, high=1.0,
                                   low_open=True, source="model choice: 3% of CA3, the network's ca3_active")
    fixed_k: int = param(30, "fixed-k scaling: CA3 winners", low=1,
                         source="model choice: the network's ca3_active")
    memories_per_cell: float = param(0.5, "memories stored = this x the largest n_ca3 (enough for the steady "
                                     "state: see stored_oldest_fifth and capacity_longer_stream)", low=0.0,
                                     low_open=True,
                                     source="calibrated: without recurrents, 1,000, 2,000 and 4,000 memories give "
                                            "the same capacities at every default size, 600 up to ~6% less")
    criterion: float = param(0.5, "a memory counts as stored when its recall accuracy is at least this", low=0.0,
                             high=1.0, low_open=True, source="model choice")
    cue_level: float = param(0.5, "partial cues keep this fraction of a key's active EC cells", low=0.0, high=1.0,
                             low_open=True, source="model choice")
    rc_probabilities: tuple[float, ...] = param(
        (0.013, 0.04, 0.088, 0.2), "recurrent connection probabilities of the sweep at probability_n_ca3", low=0.0,
        high=1.0, low_open=True,
        source="human 1.3% (Watson et al. 2025, Cell); rat ~4% (Amaral, Ishizuka & Claiborne 1990, Prog Brain Res "
               "83:1); mouse 8.8% (Sammons et al. 2024, PNAS 121:e2312281120); CA3a 20% (de Almeida, Idiart & "
               "Lisman 2007, Learn Mem 14:795)")
    probability_n_ca3: int = param(1000, "CA3 size of the connection-probability sweep (k = round(a n))", low=2,
                                   source="model choice: the network's n_ca3, where fixed a and fixed k agree")
    runs: int = param(8, "independent runs (seeds)", low=2)

    def check(self):
        if len(self.n_ca3) < 2 or len(set(self.n_ca3)) != len(self.n_ca3):
            raise ConfigError(f"n_ca3={self.n_ca3} must be two or more distinct sizes")
        if self.fixed_k > min(self.n_ca3) or round(self.active_fraction * min(self.n_ca3)) < 1:
            raise ConfigError(f"fixed_k={self.fixed_k} and active_fraction={self.active_fraction} must give between"
                              f" 1 and n_ca3 winners at n_ca3={min(self.n_ca3)}")
        if round(self.active_fraction * self.probability_n_ca3) < 1:
            raise ConfigError(f"probability_n_ca3={self.probability_n_ca3} is out of range: active_fraction x "
                              f"probability_n_ca3 must round to at least 1 winner")
        if not self.rc_probabilities or len(set(self.rc_probabilities)) != len(self.rc_probabilities):
            raise ConfigError(f"rc_probabilities={self.rc_probabilities} must be one or more distinct values")
        if int(self.cue_level * self.network.ec_active) < 1:
            raise ConfigError(f"cue_level={self.cue_level} is out of range: a partial cue must keep at least one of "
                              f"the network's ec_active={self.network.ec_active} cells")
        if int(self.memories_per_cell * max(self.n_ca3)) < 5:
            raise ConfigError(f"memories_per_cell={self.memories_per_cell} is out of range: the stream must hold at "
                              f"least 5 memories (memories_per_cell x max(n_ca3))")
        if self.network.mossy_fibres_at_recall:
            raise ConfigError("network.mossy_fibres_at_recall=true is out of range: the network without recurrents "
                              "recalls over the perforant path only")
