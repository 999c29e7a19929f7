"""Configurations of the classical associative-memory experiments: ``crosstalk`` (:class:`CrosstalkConfig`),
``hopfield-capacity`` (:class:`HopfieldCapacityConfig`) and ``modern-hopfield-capacity``
(:class:`ModernCapacityConfig`), with the key conditions the crosstalk experiment compares.

Only the standard library and :mod:`biokv.config` are imported here, so that registering the experiments is
cheap; the computations import what they need.
"""

from __future__ import annotations

from dataclasses import dataclass

from biokv.config import ConfigError, param

__all__ = ["CROSSTALK_SOURCE", "HSU", "CONDITIONS", "CONDITION_TEXT", "CrosstalkConfig", "HopfieldCapacityConfig",
           "ModernCapacityConfig"]

CROSSTALK_SOURCE = ("Kohonen (1972), Correlation matrix memories, IEEE Trans. Comput. C-21:353; Gershman, Fiete & "
                    "Irie (2025), Key-value memory in the brain")
HSU = "Hsu (2025), Associative memories, lecture notes"

# condition -> (key kind, key normalisation, which fraction parameter a rate key uses)
CONDITIONS = {
    "binary": ("binary", False, None),
    "gaussian": ("gaussian", False, None),
    "gain": ("gain", False, None),
    "gain-normalized": ("gain", True, None),
    "rate-dense": ("rate", False, "dense_fraction"),
    "rate-sparse": ("rate", False, "sparse_fraction"),
}
CONDITION_TEXT = {
    "binary": "random {-1, 1}^d / sqrt(d) keys (the reference)",
    "gaussian": "N(0, I/d) keys, not normalised",
    "gain": "binary keys with log-normal gains, not normalised",
    "gain-normalized": "the same keys, normalised when written and read",
    "rate-dense": "non-negative rate keys, dense",
    "rate-sparse": "non-negative rate keys, sparse",
}


def _distinct_sorted(values, name):
    if list(values) != sorted(set(values)):
        raise ConfigError(f"{name}={values} must be distinct and increasing")


@dataclass
class CrosstalkConfig:
    """Readout noise of the outer-product memory over a grid of stored pairs and key dimensions."""

    dims: tuple[int, ...] = param((32, 64, 128, 256, 512, 1024), "key dimensions d", low=2,
                                  source=f"{CROSSTALK_SOURCE}: noise sd ~ sqrt(N/d); range chosen to span 1.5 "
                                         "decades")
    n_pairs: tuple[int, ...] = param((1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), "numbers N of stored pairs",
                                     low=1, source="powers of two up to 1024 (biokv's choice)")
    value_dim: int = param(64, "value dimension d_v (random values in {-1, 1}^d_v)", low=1,
                           source="biokv's choice: the noise per component does not depend on d_v")
    n_runs: int = param(10, "independent memories per condition and d", low=2, source="biokv's choice")
    conditions: tuple[str, ...] = param(tuple(CONDITIONS), "key conditions compared", choices=tuple(CONDITIONS),
                                        source=f"{CROSSTALK_SOURCE}: normalisation, thresholds, larger d, sparse "
                                               "keys")
    gain_sd: float = param(0.5, "sigma of the log-normal key gains (condition gain)", low=0.0,
                           source="biokv's choice: gains spread about x1.6 (one sd)")
    dense_fraction: float = param(0.5, "active fraction of dense rate keys", low=0.0, high=1.0, low_open=True,
                                  source="biokv's choice: half the units active")
    sparse_fraction: float = param(0.02, "active fraction of sparse rate keys", low=0.0, high=1.0, low_open=True,
                                   source="biokv's choice: dentate-gyrus-like activity of a few percent")
    fit_min_pairs: int = param(16, "smallest N used in the exponent fit", low=1,
                               source="biokv's choice: (N - 1) / N close to 1")
    reference_dim: int = param(256, "d of the mitigation panel and of the summary table", low=2,
                               source="biokv's choice")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        _distinct_sorted(self.n_pairs, "n_pairs")
        if not self.conditions or len(set(self.conditions)) != len(self.conditions):
            raise ConfigError(f"conditions={self.conditions} must be one or more distinct conditions")
        if self.reference_dim not in self.dims:
            raise ConfigError(f"reference_dim={self.reference_dim} must be one of dims={self.dims}")
        if sum(n >= self.fit_min_pairs for n in self.n_pairs) < 2:
            raise ConfigError(f"fit_min_pairs={self.fit_min_pairs} leaves fewer than two of n_pairs={self.n_pairs}")


@dataclass
class HopfieldCapacityConfig:
    """Capacity of the one-step hetero-associative and the classical auto-associative Hopfield network."""

    dims: tuple[int, ...] = param((32, 64, 128, 256, 512, 1024), "pattern dimensions d", low=2,
                                  source=f"{HSU}; d from 32 to 1024")
    n_runs: int = param(20, "independent pattern sequences per d", low=2, source="biokv's choice")
    networks: tuple[str, ...] = param(("hetero", "auto"), "networks measured", choices=("hetero", "auto"),
                                      source=f"{HSU}: one-step hetero-associative and classical Hopfield")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        if not self.networks or len(set(self.networks)) != len(self.networks):
            raise ConfigError(f"networks={self.networks} must be one or more distinct networks")


@dataclass
class ModernCapacityConfig:
    """Capacity of the one-step modern Hopfield network (with the hetero-associative one for contrast)."""

    dims: tuple[int, ...] = param((8, 10, 12, 14, 16, 18, 20, 22, 24), "pattern dimensions d", low=2,
                                  source="biokv's choice: the sizes this machine measures in about a minute")
    betas: tuple[float, ...] = param((0.2, 0.5, 1.0), "inverse temperatures beta", low=0.0, low_open=True,
                                     source=f"{HSU} and Demircigil et al. (2017): beta = 1; 0.2 and 0.5 (biokv's "
                                            "choice) show where the temperature starts to matter")
    n_runs: int = param(20, "independent pattern sequences per d and beta", low=2, source="biokv's choice")
    fit_min_dim: int = param(12, "smallest d in the fit of ln n_max = a + alpha d", low=2,
                             source="biokv's choice: above the smallest sizes")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        _distinct_sorted(self.betas, "betas")
        if sum(d >= self.fit_min_dim for d in self.dims) < 2:
            raise ConfigError(f"fit_min_dim={self.fit_min_dim} leaves fewer than two of dims={self.dims}")
