"""Gains on the projections of a hippocampal network: the one check every backend applies.

An intervention scales what a projection transmits: ``gains`` maps projection names of a
:class:`~biokv.hippocampus.description.NetworkDescription` to non-negative arrays over the presentations and the
projection's target cells (0 lesions or inactivates the projection, > 1 boosts it). The rate twin
(:class:`biokv.hippocampus.rate_twin.HippocampalRateTwin`) and the spiking network
(:class:`biokv.spiking.SpikingHippocampus`) take the same mapping; only the leading axes differ (runs and
presentations in the twin, slots in the spiking network).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from biokv.hippocampus.description import NetworkDescription

__all__ = ["check_gains"]


def check_gains(description: NetworkDescription, gains: Mapping | None, leading: tuple[tuple[str, int], ...],
                per_pattern: Collection[str] = ()) -> dict[str, np.ndarray]:
    """Check gains on projections and broadcast each to its full shape.

    Parameters
    ----------
    description : NetworkDescription
        The network whose projections the names must name.
    gains : mapping of projection name -> array_like, or None
        Each broadcastable to ``leading + (target cells,)``, finite and non-negative.
    leading : tuple of (axis name, length)
        The axes before the target cells, e.g. ``(("slots", 12),)`` or ``(("runs", 3), ("presentations",
        40))``; the names appear in the error messages.
    per_pattern : collection of str
        Projections whose gain may also be given over the leading axes alone (one gain per presentation for
        every target cell); such a gain with exactly as many dimensions as ``leading`` is read that way.

    Returns
    -------
    dict of projection name -> float64 array of shape ``leading + (target cells,)`` (read-only broadcast
    views); empty when ``gains`` is None.

    Raises
    ------
    ValueError
        One line naming the projection: an unknown name, a shape that does not broadcast, a negative or
        non-finite value.
    """
    if gains is None:
        return {}
    names = [p.name for p in description.projections]
    lead_names = tuple(axis for axis, _ in leading)
    lead_shape = tuple(int(size) for _, size in leading)
    out = {}
    for name, gain in gains.items():
        if name not in names:
            raise ValueError(f"gains: no projection {name!r}; projections: {names}")
        target = description.projection(name).target
        shape = lead_shape + (description.population(target).size,)
        expected = f"({', '.join(lead_names + (f'{target} cells',))}) = {shape}"
        g = np.asarray(gain, dtype=np.float64)
        if name in per_pattern:
            expected += f" or ({', '.join(lead_names)}) = {lead_shape}"
            if g.ndim == len(lead_shape):
                g = g[..., None]
        try:
            g = np.broadcast_to(g, shape)
        except ValueError:
            raise ValueError(f"gains[{name!r}] must be broadcastable to {expected}, got shape "
                             f"{np.shape(gain)}") from None
        if not np.all(np.isfinite(g)) or g.min() < 0:
            raise ValueError(f"gains[{name!r}] must hold finite non-negative numbers")
        out[name] = g
    return out
