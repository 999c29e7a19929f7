"""``spiking-emax``: E%-max in spiking neurons -- the number of winners follows the spread of the drive.

A layer of leaky integrate-and-fire cells (:class:`~biokv.spiking.components.PrincipalLayer`) receives constant
drives ``D = drive_max (1 - spread U[0, 1))`` and is paced by one theta cycle
(:class:`~biokv.spiking.components.ThetaRhythm`). As the theta inhibition lifts, the cells reach threshold in
the order of their drive; their spikes recruit the basket cells of a
:class:`~biokv.spiking.components.FeedbackInhibition`, whose inhibition ends the gamma cycle one loop delay
later. The winners of the cycle are the cells that spike no later than ``window_ms`` after the first inhibition
arrives (the first basket-cell spike plus ``delay_ie``). Their number is not a parameter: the E%-max rule of
de Almeida, Idiart & Lisman (2009, J Neurosci 29:7497) predicts it as the cells whose drive is within a fraction
``E`` of the largest one (:func:`biokv.core.common.selection.e_max_winners`), with one ``E`` fitted here by least
squares over all spreads and runs (a grid of 0.001).

Every run draws its own uniform numbers ``U`` (used at every spread) and its own basket-cell connectivity. The
simulations run on Brian2's runtime device with the configured code-generation target; the caller's device and
target are restored afterwards. Configuration: :class:`biokv.experiments.hippocampus.config.SpikingEmaxConfig`;
figures: :mod:`biokv.experiments.hippocampus.emax_figures`; report: :mod:`biokv.experiments.hippocampus.emax_report`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import xarray as xr

from biokv.core.common.rng import run_generators
from biokv.core.common.selection import e_max_winners
from biokv.experiments.hippocampus.config import SpikingEmaxConfig

__all__ = ["spiking_emax", "first_cycle_winners", "fit_e_max", "E_GRID"]

#: fractions E tried by the least-squares fit
E_GRID = np.round(np.arange(0.0, 1.0 + 1e-9, 0.001), 3)


@contextmanager
def _runtime(codegen: str):
    """Brian2's runtime device with ``codegen`` inside the block; the caller's device and target afterwards."""
    import brian2
    from brian2.devices.device import reset_device

    target = brian2.prefs.codegen.target
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = codegen
    try:
        yield
    finally:
        brian2.prefs.codegen.target = target
        reset_device()


def first_cycle_winners(drive_mv: np.ndarray, cfg: SpikingEmaxConfig, rng) -> dict:
    """One theta cycle of a layer with constant drives ``drive_mv`` (mV above rest) and its basket cells.

    Returns
    -------
    dict
        ``winners`` (bool per cell: spiked no later than ``cfg.window_ms`` after the first inhibition arrived),
        ``fired`` (bool per cell: spiked anywhere in the cycle), ``arrival_ms`` (first basket-cell spike plus
        ``delay_ie``; NaN when no basket cell fired, and then every cell that fired wins) and ``first_spike_ms``
        (the layer's first spike; NaN when silent).
    """
    from brian2 import Hz, Network, SpikeMonitor, mV, ms

    from biokv.spiking.components import FeedbackInhibition, PrincipalLayer, ThetaRhythm

    dt = cfg.dt_ms * ms
    layer = PrincipalLayer(len(drive_mv), dt=dt, name="emax*")
    layer.neurons.I_ext = np.asarray(drive_mv, dtype=float) * mV
    inhibition = FeedbackInhibition(layer, n_basket=cfg.n_basket, p_ei=cfg.p_ei, p_ie=cfg.p_ie,
                                    w_ei=cfg.w_ei_mv * mV, w_ie=cfg.w_ie_mv * mV, delay_ei=cfg.delay_ei_ms * ms,
                                    delay_ie=cfg.delay_ie_ms * ms, rng=rng, dt=dt)
    theta = ThetaRhythm(cfg.theta_hz * Hz, dt=dt)
    theta.pace(layer, phase=cfg.theta_phase, depth=cfg.theta_depth_mv * mV, kappa=cfg.theta_kappa)
    cells, basket = SpikeMonitor(layer.neurons), SpikeMonitor(inhibition.neurons)
    Network(layer, inhibition, theta, cells, basket).run(1000.0 / cfg.theta_hz * ms, namespace={})
    i, t = np.asarray(cells.i), np.asarray(cells.t / ms)
    tb = np.asarray(basket.t / ms)
    arrival = float(tb.min()) + cfg.delay_ie_ms if tb.size else np.nan
    n = len(drive_mv)
    fired, winners = np.zeros(n, bool), np.zeros(n, bool)
    fired[i] = True
    winners[i if np.isnan(arrival) else i[t <= arrival + cfg.window_ms]] = True
    return {"winners": winners, "fired": fired, "arrival_ms": arrival,
            "first_spike_ms": float(t.min()) if t.size else np.nan}


def fit_e_max(drives: np.ndarray, counts: np.ndarray, grid: np.ndarray = E_GRID) -> tuple[float, np.ndarray]:
    """The ``E`` of ``grid`` whose E%-max winner counts fit ``counts`` best (least squares; the smallest such E
    on ties), and those counts.

    Parameters
    ----------
    drives : array (..., cells)
        Drive of every cell of every layer instance.
    counts : int array (...)
        Winners of every instance.
    """
    drives, counts = np.asarray(drives, float), np.asarray(counts)
    if drives.shape[:-1] != counts.shape:
        raise ValueError(f"counts must have the shape of drives without its last axis, {drives.shape[:-1]}; "
                         f"got {counts.shape}")
    predicted = np.stack([e_max_winners(drives, e).sum(axis=-1) for e in grid])
    sse = ((predicted - counts) ** 2).reshape(len(grid), -1).sum(axis=1)
    best = int(np.argmin(sse))
    return float(grid[best]), predicted[best]


def spiking_emax(cfg: SpikingEmaxConfig, ctx) -> xr.Dataset:
    """Winners of the first gamma cycle against the spread of the drive, and the E%-max prediction."""
    S, R, n = len(cfg.spreads), cfg.runs, cfg.n_cells
    spreads = np.asarray(cfg.spreads, float)
    uniform = np.stack([g.random(n) for g in run_generators(ctx.seed, "drive", range(R))])  # (run, cell)
    drives = cfg.drive_max_mv * (1 - spreads[:, None, None] * uniform[None])  # (spread, run, cell)
    wiring = run_generators(ctx.seed, "basket-connectivity", range(R))
    seeds = [int(g.integers(0, 2**63)) for g in wiring]  # the same connectivity of a run at every spread
    winners = np.zeros((S, R, n), bool)
    fired = np.zeros((S, R, n), bool)
    arrival, first = np.full((S, R), np.nan), np.full((S, R), np.nan)
    start = time.perf_counter()
    with _runtime(cfg.codegen):
        for s, r in ctx.progress([(s, r) for s in range(S) for r in range(R)], desc="layers"):
            out = first_cycle_winners(drives[s, r], cfg, np.random.default_rng(seeds[r]))
            winners[s, r], fired[s, r] = out["winners"], out["fired"]
            arrival[s, r], first[s, r] = out["arrival_ms"], out["first_spike_ms"]
    counts = winners.sum(axis=-1)
    e_fit, predicted = fit_e_max(drives, counts)
    predicted_sets = e_max_winners(drives, e_fit)
    inter = (winners & predicted_sets).sum(-1)
    union = (winners | predicted_sets).sum(-1)
    ranks = np.argsort(np.argsort(-drives, axis=-1), axis=-1)  # 0 = most driven cell
    in_top = (winners & (ranks < counts[..., None])).sum(-1)
    lowest = np.where(winners, drives, np.inf).min(-1)
    ds = xr.Dataset(coords={"spread": spreads, "run": np.arange(R)})
    dims = ("spread", "run")
    ds["winners"] = (dims, counts.astype(np.int32))
    ds["fired"] = (dims, fired.sum(-1).astype(np.int32))
    ds["e_max_prediction"] = (dims, predicted.astype(np.int32))
    ds["deviation"] = (dims, (counts - predicted).astype(np.int32))
    ds["jaccard_e_max"] = (dims, np.where(union > 0, inter / np.maximum(union, 1), 1.0))
    ds["drive_order"] = (dims, np.where(counts > 0, in_top / np.maximum(counts, 1), 1.0))
    ds["effective_e"] = (dims, np.where(counts > 0, 1 - lowest / drives.max(-1), np.nan))
    ds["inhibition_ms"] = (dims, arrival)
    ds["first_spike_ms"] = (dims, first)
    ds["e_fit"] = ((), e_fit)
    descriptions = {
        "winners": "cells that spiked no later than window_ms after the first inhibition arrived (first gamma cycle)",
        "fired": "cells that spiked anywhere in the theta cycle",
        "e_max_prediction": "E%-max winners, e_max_winners(drive, e_fit)",
        "deviation": "winners - e_max_prediction",
        "jaccard_e_max": "Jaccard(spiking winners, E%-max winners)",
        "drive_order": "fraction of the winners among the len(winners) most driven cells",
        "effective_e": "1 - (lowest drive among the winners) / (largest drive): the E this layer shows",
        "inhibition_ms": "arrival of the first inhibition: first basket-cell spike + delay_ie (ms)",
        "first_spike_ms": "first spike of the layer (ms)",
        "e_fit": "E of the E%-max rule fitted by least squares over all spreads and runs (grid 0.001)",
    }
    for k, v in descriptions.items():
        ds[k].attrs["description"] = v
    ds.attrs.update(n_cells=n, drive_max_mv=cfg.drive_max_mv, window_ms=cfg.window_ms, device="runtime",
                    codegen=cfg.codegen, elapsed_s=time.perf_counter() - start)
    return ds
