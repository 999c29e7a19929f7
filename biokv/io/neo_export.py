"""Spike trains of the spiking network as Neo objects, for Elephant and the rest of the Neo ecosystem.

Every cell of a population becomes one :class:`neo.SpikeTrain` (silent cells give empty trains, so population
statistics count them), with times in seconds from the start of the simulation, ``t_start`` 0 and ``t_stop`` the
end of the last presentation, annotated with its population and cell index. The trains of one population form a
:class:`neo.Group`; all trains are in the single :class:`neo.Segment` of a :class:`neo.Block` that carries the
run's provenance (experiment, seed, versions, presentation length).
"""

from __future__ import annotations

import numpy as np

__all__ = ["population_trains", "to_neo"]


def _neo():
    try:
        import neo
        import quantities
    except ImportError:
        raise ImportError("spike export needs Neo: pip install 'biokv[neo]' (Neo and Elephant)") from None
    return neo, quantities


def population_trains(indices, times, n_cells: int, t_stop: float, population: str, **annotations) -> list:
    """One :class:`neo.SpikeTrain` per cell ``0 .. n_cells-1`` from spike ``indices`` and ``times`` (s)."""
    neo, pq = _neo()

    indices, times = np.asarray(indices, dtype=np.int64), np.asarray(times, dtype=np.float64)
    if indices.shape != times.shape:
        raise ValueError(f"indices and times must have the same shape, got {indices.shape} and {times.shape}")
    if indices.size and (indices.min() < 0 or indices.max() >= n_cells):
        raise ValueError(f"spike indices must be cells in [0, {n_cells - 1}]")
    if times.size and (times.min() < 0 or times.max() > t_stop):
        raise ValueError(f"spike times must lie in [0, t_stop={t_stop}] s")
    order = np.lexsort((times, indices))
    bounds = np.searchsorted(indices[order], np.arange(n_cells + 1))
    sorted_times = times[order]
    return [neo.SpikeTrain(sorted_times[bounds[c]:bounds[c + 1]] * pq.s, t_start=0.0 * pq.s, t_stop=t_stop * pq.s,
                           name=f"{population} {c}", population=population, cell=c, **annotations)
            for c in range(n_cells)]


def _from_result(result) -> tuple[dict, float, dict]:
    t_stop = result.counts[next(iter(result.counts))].shape[0] * result.duration_per_slot
    sizes = {name: c.shape[1] for name, c in result.counts.items()}
    info = {"presentation_s": result.duration_per_slot, "n_encode": result.n_encode}
    return {name: (result.spikes[name], sizes[name]) for name in result.spikes}, t_stop, info


def _from_dataset(ds) -> tuple[dict, float, dict]:
    pops = [str(p) for p in ds.population.values]
    if not all(f"spikes_{p}_i" in ds for p in pops) or "population_size" not in ds.coords:
        raise ValueError("this result holds no spike trains (spiking-recall results do: spikes_<population>_i/_t)")
    spikes = {p: ((ds[f"spikes_{p}_i"].values, ds[f"spikes_{p}_t"].values),
                  int(ds["population_size"].sel(population=p))) for p in pops}
    t_stop = float(ds.attrs["n_slots"] * ds.attrs["slot_s"])
    info = {"presentation_s": float(ds.attrs["slot_s"]), "n_encode": int(ds.attrs["n_encode"])}
    for key in ("experiment", "seed", "biokv_version", "brian2_version", "device", "config"):
        if key in ds.attrs:
            info[key] = ds.attrs[key]
    return spikes, t_stop, info


def to_neo(source, populations=None, **annotations):
    """A :class:`neo.Block` of the spike trains of a :class:`~biokv.spiking.SpikingResult` or of a spiking
    result Dataset (``spiking-recall``'s ``result.nc``).

    Parameters
    ----------
    source : SpikingResult or xarray.Dataset
    populations : sequence of str, optional
        Populations to export (default: all principal layers).
    **annotations
        Added to the block and to every train (e.g. ``condition="control"``).

    Returns
    -------
    neo.Block
        One segment with every train; one group per population (``block.groups``).
    """
    import xarray as xr

    neo, _ = _neo()
    spikes, t_stop, info = (_from_dataset(source) if isinstance(source, xr.Dataset)
                            else _from_result(source))
    names = list(spikes) if populations is None else list(populations)
    unknown = [n for n in names if n not in spikes]
    if unknown:
        raise ValueError(f"no population {unknown[0]!r}; this source has {', '.join(spikes)}")
    block = neo.Block(name=str(info.get("experiment", "biokv spiking network")), **info, **annotations)
    segment = neo.Segment(name="simulation", presentation_s=info["presentation_s"], n_encode=info["n_encode"])
    block.segments.append(segment)
    for name in names:
        (idx, t), n_cells = spikes[name]
        trains = population_trains(idx, t, n_cells, t_stop, name, **annotations)
        segment.spiketrains.extend(trains)
        group = neo.Group(trains, name=name, population=name)
        block.groups.append(group)
    block.check_relationships()
    return block
