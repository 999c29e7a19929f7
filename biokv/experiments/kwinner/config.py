"""Configurations of the K-winner MHN family (Bhandarkar & McClelland 2025, section 2.2, SI A.2, A.3).

:class:`NetworkConfig` describes one K-winner MHN, :func:`mhn_network` the parameter-matched 1-winner MHN and
:class:`ProtocolConfig` the retention protocol with its statistics. The experiments' configurations combine them:
``kwinner-retention`` (:class:`KWinnerRetentionConfig`), ``kwinner-fanin`` (:class:`KWinnerFaninConfig`),
``graded-mhn`` (:class:`GradedMHNConfig`), ``mhn-retention`` (:class:`MHNRetentionConfig`) and
``structured-patterns`` (:class:`StructuredConfig`).

Only the standard library and :mod:`biokv.config` are imported here, so that registering the experiments is
cheap; the computations import what they need.
"""

from __future__ import annotations

from dataclasses import dataclass

from biokv import config as _config
from biokv.config import ConfigError, param

__all__ = ["PAPER", "LEARNING_RULES", "NetworkConfig", "mhn_network", "ProtocolConfig", "KWinnerRetentionConfig",
           "KWinnerFaninConfig", "GradedMHNConfig", "MHNRetentionConfig", "StructuredConfig"]

PAPER = "Bhandarkar & McClelland 2025"

#: which hidden units learn; the same values as :data:`biokv.core.kwinner.model.LEARNING_RULES`, repeated here
#: because the core model imports numba
LEARNING_RULES = ("top-k", "random-k")


@dataclass
class NetworkConfig:
    """Parameters of one K-winner MHN (see :class:`biokv.core.kwinner.model.KWinnerMHN`)."""

    n_visible: int = param(1000, "visible (input) units, n_v", low=1, source=f"{PAPER}, sec. 2.2.1")
    n_hidden: int = param(2000, "hidden (memory) units, n_h", low=1, source=f"{PAPER}, sec. 2.2.1")
    n_active: int = param(100, "ones per pattern, s", low=1, source=f"{PAPER}, sec. 2.2.1")
    fan_in: float = param(0.05, "fraction f of visible units connected to each hidden unit", low=0.0, high=1.0,
                          low_open=True, source=f"{PAPER}, sec. 2.2.1")
    k: int = param(50, "winners of the hidden k-WTA", low=1, source=f"{PAPER}, sec. 2.2.1")
    learning_rate: float = param(0.3, "learning rate eps", low=0.0, high=1.0, low_open=True,
                                 source=f"{PAPER}, sec. 2.2.1")
    learning: str = param("top-k", "which hidden units learn: the k-WTA winners or k random units",
                          choices=LEARNING_RULES)

    def check(self):
        if self.n_active > self.n_visible:
            raise ConfigError(f"n_active={self.n_active} is out of range: must be <= n_visible={self.n_visible}")
        if self.k > self.n_hidden:
            raise ConfigError(f"k={self.k} is out of range: must be <= n_hidden={self.n_hidden}")
        if int(self.fan_in * self.n_visible) < 1:
            raise ConfigError(f"fan_in={self.fan_in} is out of range: int(fan_in * n_visible) must be >= 1, "
                              f"i.e. fan_in >= {1 / self.n_visible}")

    def build(self):
        """The :class:`~biokv.core.kwinner.model.KWinnerMHN` with these parameters."""
        from biokv.core.kwinner.model import KWinnerMHN

        return KWinnerMHN(**_config.to_dict(self))

    @property
    def is_slot_mhn(self) -> bool:
        """The fixed-capacity, self-assigning 1-winner MHN (the theory of SI A.2.4 applies)."""
        return self.fan_in == 1.0 and self.k == 1 and self.learning_rate == 1.0 and self.learning == "top-k"


def mhn_network(**changes) -> NetworkConfig:
    """The parameter-matched 1-winner MHN of the paper (n_h 100, f 1, k 1, eps 1), with ``changes`` applied."""
    base = dict(n_hidden=100, fan_in=1.0, k=1, learning_rate=1.0)
    base.update(changes)
    return NetworkConfig(**base)


@dataclass
class ProtocolConfig:
    """Sizes of the retention protocol and of its statistics."""

    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels c (fraction of a pattern's ones kept)", low=0.0,
                                          high=1.0, low_open=True, source=f"{PAPER}, Fig. 4A")
    n_burnin: int = param(2000, "burn-in patterns learned before the memories", low=0, source=f"{PAPER}, 2.2.1")
    n_memories: int = param(2000, "memories (and as many pseudo-memories); ages 1..n_memories", low=1,
                            source=f"{PAPER}, 2.2.1")
    n_samples: int = param(10, "independent samples (for SEM and the paired t-test)", low=2,
                           source=f"{PAPER}, SI A.2.2")
    runs_per_sample: int = param(20, "independent runs per sample", low=2, source=f"{PAPER}, SI A.2.2")
    alpha: float = param(0.01, "significance level of the paired one-tailed t-test across samples", low=0.0,
                         high=0.5, low_open=True, source=f"{PAPER}, Fig. 4B")
    fit_max_age: int = param(200, "exponential fit of the mean R.D. over ages 1..fit_max_age", low=2,
                             source=f"{PAPER}, SI A.2.3")
    plot_max_age: int = param(1000, "largest age shown in the figures", low=2, source=f"{PAPER}, Fig. 4")

    def check(self):
        if self.fit_max_age > self.n_memories:
            raise ConfigError(f"fit_max_age={self.fit_max_age} is out of range: must be <= n_memories="
                              f"{self.n_memories}")
        if len(self.cue_levels) == 0:
            raise ConfigError("cue_levels=() is not allowed: give at least one cue level")
        if len(set(self.cue_levels)) != len(self.cue_levels):
            raise ConfigError(f"cue_levels={self.cue_levels} has repeats")


@dataclass
class KWinnerRetentionConfig:
    """K-winner MHN against the parameter-matched 1-winner MHN (equal weight count n_h f n_v = 100,000)."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN", source=f"{PAPER}, Fig. 4")
    mhn: NetworkConfig = param(mhn_network(), "the fixed-capacity 1-winner MHN", source=f"{PAPER}, Fig. 4")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")


@dataclass
class KWinnerFaninConfig(KWinnerRetentionConfig):
    """K-winner MHN with raised fan-in (f 0.1, n_h 1000) against the same 1-winner MHN."""

    kwinner: NetworkConfig = param(NetworkConfig(n_hidden=1000, fan_in=0.1), "the K-winner MHN (raised fan-in)",
                                   source=f"{PAPER}, SI A.2.5, Fig. S2")


@dataclass
class GradedMHNConfig:
    """Graded 1-winner MHN (eps < 1) against the slot MHN and K-winner MHNs with several learning rates."""

    graded_mhn: NetworkConfig = param(mhn_network(learning_rate=0.3), "the graded 1-winner MHN (comparator)",
                                      source=f"{PAPER}, SI A.2.6, Fig. S3")
    mhn: NetworkConfig = param(mhn_network(), "the slot (eps = 1) 1-winner MHN", source=f"{PAPER}, Fig. S3A")
    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN; its learning rate is replaced by each "
                                   "of kwinner_learning_rates", source=f"{PAPER}, Fig. S3B")
    kwinner_learning_rates: tuple[float, ...] = param(
        (0.3, 0.2, 0.1), "learning rates of the K-winner MHNs compared with the graded MHN", low=0.0, high=1.0,
        low_open=True, source=f"{PAPER}, SI A.2.6: 0.3 and lower values (the lower ones are not legible in the "
                              "text copy; 0.2 and 0.1 are biokv's choice)")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")

    def check(self):
        if not self.kwinner_learning_rates or len(set(self.kwinner_learning_rates)) != len(
                self.kwinner_learning_rates):
            raise ConfigError(f"kwinner_learning_rates={self.kwinner_learning_rates} must be one or more "
                              "distinct values")


@dataclass
class MHNRetentionConfig:
    """The fixed-capacity 1-winner MHN alone, against its closed-form theory."""

    mhn: NetworkConfig = param(mhn_network(), "the 1-winner MHN (n_h slots, full connectivity, eps 1)",
                               source=f"{PAPER}, sec. 2.1, SI A.2.4")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")


@dataclass
class StructuredConfig:
    """Both main models on TGCRP leaves, for several numbers of bit flips b."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN", source=f"{PAPER}, Fig. S6")
    mhn: NetworkConfig = param(mhn_network(), "the fixed-capacity 1-winner MHN", source=f"{PAPER}, Fig. S6")
    flips: tuple[int, ...] = param((5, 10, 15, 20, 30), "bit flips b from parent to child (one tree per b "
                                   "and run)", low=0, source=f"{PAPER}, sec. 2.2.2")
    n_nodes: int = param(14000, "nodes per TGCRP tree (about half are leaves)", low=2, source=f"{PAPER}, SI A.3.1")
    protocol: ProtocolConfig = param(
        ProtocolConfig(cue_levels=(1.0,), n_burnin=3000, n_memories=1000),
        "protocol and statistics", source=f"{PAPER}, SI A.3.1: 3,000 burn-in, 1,000 memories, 1,000 pseudo")

    def check(self):
        limit = min(self.kwinner.n_active, self.kwinner.n_visible - self.kwinner.n_active)
        bad = [b for b in self.flips if b > limit]
        if bad:
            raise ConfigError(f"flips={self.flips} is out of range: every b must be <= min(s, n_v - s) = {limit}")
        if not self.flips or len(set(self.flips)) != len(self.flips):
            raise ConfigError(f"flips={self.flips} must be one or more distinct values")
