"""The C++ standalone device: compile once, run many, leave the user's device alone, and give the spikes of the
runtime device.

Brian2's device is global to a process, so the standalone simulations run in one subprocess that sets the
device itself (``set_device("cpp_standalone", directory=..., build_on_run=False)``) and compiles one project.
"""

import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = [pytest.mark.spiking, pytest.mark.standalone, pytest.mark.slow]

P = 3

SETUP = textwrap.dedent(f"""
    import dataclasses
    import numpy as np
    from brian2 import Hz, ms, mV
    from biokv.core.common.patterns import random_subsets_runs
    from biokv.core.common.rng import run_seeds
    from biokv.hippocampus.description import hippocampal_network
    from biokv.hippocampus.rate_twin import HippocampalRateTwin
    from biokv.spiking import SpikingHippocampus, SpikingParameters

    d = hippocampal_network()
    state = HippocampalRateTwin(d).init_state(3, [0])

    def patterns(stream, population):
        pop = d.population(population)
        return random_subsets_runs(run_seeds(3, stream, [0]), {P}, pop.size, pop.active)[0]

    keys_a, keys_b, values = patterns("keys a", "EC"), patterns("keys b", "EC"), patterns("values", "CTX")
    params = SpikingParameters(dt=0.2 * ms)
    # only run-time values differ: rates, drive scale, teacher, theta depth, learning rate and phase gains
    params_b = dataclasses.replace(params, ec_rate_on=80 * Hz, j_ctx=150 * mV, teacher_rate=150 * Hz,
                                   theta_depth=60 * mV)
    d_b = d.with_gains(pp={{"encode": 1.0, "recall": 5.0}})
    d_b = dataclasses.replace(d_b, projections=tuple(
        dataclasses.replace(p, learning_rate=0.5) if p.learning_rate is not None else p for p in d_b.projections))
""")

SCRIPT = SETUP + textwrap.dedent("""
    import json, os, sys
    from brian2 import defaultclock, get_device, prefs, set_device

    directory, arrays = sys.argv[1], sys.argv[2]
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    device, target, dt = get_device(), prefs.codegen.target, defaultclock.dt
    runner = SpikingHippocampus(d, params)
    runs = {
        "first": runner.simulate(state, 0, keys_a, values, keys_a, seed=1),
        "again": runner.simulate(state, 0, keys_a, values, keys_a, seed=1),
        "keys_b": runner.simulate(state, 0, keys_b, values, keys_b, seed=1),
        "seed_2": runner.simulate(state, 0, keys_a, values, keys_a, seed=2),
        "no_mf": runner.simulate(state, 0, keys_a, values, keys_a, seed=1, gains={"mf": 0.0}),
        # two keys, one cue, padded to the build's six slots
        "padded": runner.simulate(state, 0, keys_a[:2], values[:2], keys_a[:1], seed=1, n_slots=2 * len(keys_a)),
    }
    try:
        SpikingHippocampus(d_b, params_b).simulate(state, 0, keys_a, values, keys_a, seed=1)
        second = None
    except RuntimeError as error:
        second = str(error)
    np.savez(arrays, **{f"{name}:{pop}": r.counts[pop] for name, r in runs.items() for pop in r.counts},
             **{f"{name}:w:{proj}": r.weights[proj] for name, r in runs.items() for proj in r.weights},
             **{f"{name}:recalled": r.recalled for name, r in runs.items()})
    print(json.dumps({
        "compilations": runner.compilations,
        "second_runner": second,
        "same_device": get_device() is device,
        "same_target": prefs.codegen.target == target,
        "same_dt": bool(defaultclock.dt == dt),
        "project_in_directory": os.path.isfile(os.path.join(directory, "main.cpp")),
    }))
""")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    """Six simulations on one standalone build (the subprocess's report and its arrays)."""
    folder = tmp_path_factory.mktemp("standalone")
    arrays = folder / "runs.npz"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(folder / "build"), str(arrays)], capture_output=True,
                         text=True, timeout=1800, cwd=folder)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    report["cwd_output"] = (folder / "output").exists()
    with np.load(arrays) as z:
        report["runs"] = {k: z[k] for k in z.files}
    return report


def _counts(report, name):
    return {pop: report["runs"][f"{name}:{pop}"] for pop in ("DG", "CA3", "CTX")}


def test_one_build_runs_many_simulations(standalone):
    assert standalone["compilations"] == 1
    first, again = _counts(standalone, "first"), _counts(standalone, "again")
    keys_b, seed_2 = _counts(standalone, "keys_b"), _counts(standalone, "seed_2")
    for pop in first:
        assert first[pop].sum() > 0, pop
        assert np.array_equal(first[pop], again[pop]), pop  # same patterns and seed: the same spikes
        assert not np.array_equal(first[pop], keys_b[pop]), pop  # new patterns through run_args
        assert not np.array_equal(first[pop], seed_2[pop]), pop  # new Poisson streams through run_args
    runs = standalone["runs"]
    assert np.array_equal(runs["first:w:pp"], runs["again:w:pp"])
    assert np.array_equal(runs["first:recalled"], runs["again:recalled"])
    # run-time gains: without mossy fibres CA3 stays silent at encoding (measured 0 vs 43, 44, 62 spikes)
    assert np.all(first["CA3"][:P].sum(axis=1) >= 20)
    assert _counts(standalone, "no_mf")["CA3"][:P].sum() == 0
    # a shorter protocol padded to the build's slots: its first two (encoding) slots are those of the first run
    padded = _counts(standalone, "padded")
    for pop in first:
        assert padded[pop].shape == first[pop].shape
        assert np.array_equal(padded[pop][:2], first[pop][:2]), pop


def test_the_device_and_preferences_are_left_alone(standalone):
    assert standalone["same_device"] and standalone["same_target"] and standalone["same_dt"]
    # the project is where the caller's set_device put it, not in ./output
    assert standalone["project_in_directory"] and not standalone["cwd_output"]


def test_a_second_runner_on_a_built_device_says_what_to_do(standalone):
    # a runner keeps its own build; another one, even with only run-time values changed, cannot add a network to
    # a device that already holds a built and run project
    assert re.fullmatch(r"the standalone device already holds a built project.*: call device\.reinit\(\) and "
                        r"device\.activate\(\) before building another network", standalone["second_runner"]), \
        standalone["second_runner"]


@pytest.fixture
def numpy_target():
    from brian2 import prefs

    previous = prefs.codegen.target
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target = previous


def test_the_runtime_device_gives_the_same_spikes(standalone, numpy_target):
    """The input streams are model variables seeded from numpy, so both devices draw the same Poisson spikes; the
    rest is the same arithmetic. Measured: identical spike counts of every cell in every slot, plastic weights
    within 1.1e-16 -- compared here with the fourth run of the build (a new seed after other patterns)."""
    namespace = {}
    exec(SETUP, namespace)
    runner = namespace["SpikingHippocampus"](namespace["d"], namespace["params"])
    keys, values = namespace["keys_a"], namespace["values"]
    runtime = runner.simulate(namespace["state"], 0, keys, values, keys, seed=2)
    standalone_counts = _counts(standalone, "seed_2")
    for pop, counts in runtime.counts.items():
        assert np.array_equal(counts, standalone_counts[pop]), pop
    for proj, w in runtime.weights.items():
        np.testing.assert_allclose(standalone["runs"][f"seed_2:w:{proj}"], w, rtol=0, atol=1e-12)
    assert np.array_equal(standalone["runs"]["seed_2:recalled"], runtime.recalled)
