"""Argument checks shared by the reference core: each error names the argument, what is allowed and what was given."""

from __future__ import annotations

import numpy as np

__all__ = ["check_int", "check_nonnegative", "check_generators"]


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (``high=None``: no upper bound); bools are not integers."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        allowed = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def check_nonnegative(name: str, value) -> float:
    """``value`` as a finite float >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not (
            np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_generators(rngs, name: str = "rngs") -> list:
    """``rngs`` as a non-empty list of :class:`numpy.random.Generator` (one per independent trial or run)."""
    rngs = list(rngs)
    if not rngs or not all(isinstance(g, np.random.Generator) for g in rngs):
        raise ValueError(f"{name} must be a non-empty sequence of numpy.random.Generator (one per trial)")
    return rngs
