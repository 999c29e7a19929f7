"""Spike trains exported to Neo, analysed with Elephant."""

import numpy as np
import pytest

from biokv import experiments
from biokv.io.neo_export import population_trains, to_neo
from biokv.spiking import SpikingResult
from tests.experiments.test_spiking_recall import TINY

neo = pytest.importorskip("neo")
statistics = pytest.importorskip("elephant.statistics")


@pytest.fixture(scope="module")
def recall_result():
    """A small spiking-recall run (Brian2, runtime device)."""
    return experiments.run("spiking-recall", overrides=TINY, seed=4, write=False, quiet=True)


@pytest.mark.spiking
def test_result_file_exports_every_cell_with_units_and_annotations(recall_result):
    ds = recall_result
    block = to_neo(ds, condition="test")
    t_stop = ds.attrs["n_slots"] * ds.attrs["slot_s"]
    assert [g.name for g in block.groups] == ["DG", "CA3", "CTX"]
    for group in block.groups:
        size = int(ds["population_size"].sel(population=group.name))
        assert len(group.spiketrains) == size  # silent cells too
        train = group.spiketrains[0]
        assert train.units == neo.SpikeTrain([], t_stop=1, units="s").units
        assert float(train.t_stop) == pytest.approx(t_stop) and float(train.t_start) == 0
        assert train.annotations["population"] == group.name and train.annotations["cell"] == 0
        assert train.annotations["condition"] == "test"
    assert len(block.segments[0].spiketrains) == sum(len(g.spiketrains) for g in block.groups)
    assert block.annotations["experiment"] == "spiking-recall" and block.annotations["seed"] == 4


@pytest.mark.spiking
def test_elephant_rates_and_cv2_equal_the_recorded_spikes(recall_result):
    ds = recall_result
    block = to_neo(ds, populations=["CTX"])
    (group,) = block.groups
    i, t = ds["spikes_CTX_i"].values, ds["spikes_CTX_t"].values
    t_stop = ds.attrs["n_slots"] * ds.attrs["slot_s"]
    counts = np.bincount(i, minlength=len(group.spiketrains))
    assert counts.sum() > 0
    rates = [float(statistics.mean_firing_rate(train).rescale("Hz")) for train in group.spiketrains]
    np.testing.assert_allclose(rates, counts / t_stop)
    cell = int(np.argmax(counts))
    isi = np.diff(np.sort(t[i == cell]))
    expected = np.mean(2 * np.abs(isi[1:] - isi[:-1]) / (isi[1:] + isi[:-1]))
    assert float(statistics.cv2(statistics.isi(group.spiketrains[cell]))) == pytest.approx(expected)


def test_spiking_result_export_and_bad_input():
    spikes = {"CA3": (np.array([2, 0, 2]), np.array([0.30, 0.05, 0.10]))}
    result = SpikingResult({"CA3": np.zeros((4, 3), int)}, {}, spikes, 2, None, {}, 0.1)
    block = to_neo(result)
    trains = block.groups[0].spiketrains
    assert [len(tr) for tr in trains] == [1, 0, 2] and list(trains[2].magnitude) == [0.10, 0.30]
    assert float(trains[0].t_stop) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="no population 'DG'"):
        to_neo(result, populations=["DG"])
    with pytest.raises(ValueError, match=r"cells in \[0, 1\]"):
        population_trains([0, 2], [0.1, 0.2], 2, 1.0, "X")
    with pytest.raises(ValueError, match="t_stop"):
        population_trains([0], [1.5], 2, 1.0, "X")
