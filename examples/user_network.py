"""A Brian2 user's own network built from biokv's circuit components.

Entorhinal cortex (EC) -> dentate gyrus (DG, with basket cells) -> CA3 through facilitating mossy fibres, with
a direct perforant path EC -> CA3 that learns by the instar rule, both layers paced by one theta rhythm. The
network, the monitors, the seed, the clock and the device are the user's: biokv's components only add their
groups and synapses to the user's :class:`brian2.Network`.

- EC: a :class:`~biokv.spiking.components.PatternInput` of 200 cells presenting three key patterns (20 cells
  each, 100 Hz; 1 Hz for the others) in 200 ms slots, one theta cycle each: A, B, C, A, B;
- background: the user's own ``PoissonGroup`` (100 cells at 10 Hz) onto DG through ``StaticSynapses``;
- DG: 400 granule cells with feedback inhibition, 8 basket cells, released by theta at mid-cycle;
- CA3: 100 pyramidal cells with feedback inhibition, released 2 ms after DG, driven by mossy fibres (12 CA3
  contacts per granule cell, Acsady et al. 1998, J Neurosci 18:3386; facilitating, Salin et al. 1996, PNAS
  93:13304) and the perforant path.

Usage::

    python examples/user_network.py runtime [--target numpy|cython] [--seed N] [--noise-seed M]
    python examples/user_network.py cpp_standalone BUILD_DIR [--seed N] [--noise-seed M] [--repeats N]

``--seed`` draws the network (keys, connectivity, the EC cells' streams), ``--noise-seed`` (default: the same)
seeds Brian2's generator, which only the user's PoissonGroup uses.

On ``cpp_standalone`` the code is compiled once in ``BUILD_DIR``; ``--repeats N`` runs the compiled binary N
times (``device.run()``), each run reading the monitors anew. Every run prints one JSON line: the spikes
(indices and times in seconds) of each SpikeMonitor, the shape of the StateMonitor and the run's wall time
(on ``cpp_standalone`` the first run's includes code generation and compilation).
"""

import argparse
import json
import time

import numpy as np
from brian2 import (Hz, Network, PoissonGroup, SpikeMonitor, StateMonitor, defaultclock, device, ms, mV, prefs,
                    second, seed, set_device)

from biokv.spiking.components import (FacilitatingSynapses, FeedbackInhibition, InstarSynapses, PatternInput,
                                      PrincipalLayer, StaticSynapses, ThetaRhythm)

N_EC, N_DG, N_CA3, N_NOISE = 200, 400, 100, 100
KEY_SIZE = 20
SLOT = 200 * ms  # one theta cycle at 5 Hz
SCHEDULE = [0, 1, 2, 0, 1]  # the key presented in each slot
DURATION = 1 * second


def build(network_seed: int, noise_seed: int):
    """The user's network and monitors: ``network_seed`` draws the keys, the connectivity and the EC cells'
    streams (numpy, through the components), ``noise_seed`` seeds Brian2's own generator (the PoissonGroup)."""
    seed(noise_seed)
    rng = np.random.default_rng(network_seed)
    keys = [np.sort(rng.choice(N_EC, KEY_SIZE, replace=False)) for _ in range(3)]

    ec = PatternInput(N_EC, [keys[k] for k in SCHEDULE], slot=SLOT, rate_on=100 * Hz, rate_off=1 * Hz, rng=rng,
                      name="ec*")
    noise = PoissonGroup(N_NOISE, rates=10 * Hz, name="noise")

    dg = PrincipalLayer(N_DG, name="dg*")
    # strong granule -> basket synapses: two spikes fire a basket cell, so inhibition follows the first winners
    dg_basket = FeedbackInhibition(dg, n_basket=8, p_ei=0.5, p_ie=1.0, w_ei=60 * mV, w_ie=20 * mV, rng=rng)
    ca3 = PrincipalLayer(N_CA3, name="ca3*")
    ca3_basket = FeedbackInhibition(ca3, n_basket=4, p_ei=0.5, p_ie=1.0, w_ei=60 * mV, w_ie=20 * mV, rng=rng)

    # DG's window opens at mid-cycle, after EC has fired for half a cycle; CA3's 2 ms later, on the mossy fibres
    theta = ThetaRhythm(5 * Hz)
    theta.pace(dg, phase=0.50, depth=80 * mV, kappa=3.0)
    theta.pace(ca3, phase=0.51, depth=80 * mV, kappa=3.0)

    # drive scales chosen so that DG and CA3 fire sparsely: about 4 % of DG and 6 % of CA3 per theta cycle
    ec_dg = StaticSynapses(ec, dg, fan_in=50, jump=0.8 * mV, receptor="slow", rng=rng, name="ec_dg*")
    noise_dg = StaticSynapses(noise, dg, fan_in=10, jump=1 * mV, receptor="fast", rng=rng, name="noise_dg*")
    mossy = FacilitatingSynapses(dg, ca3, contacts=12, jump=20 * mV, U=0.05, tau_f=400 * ms, rng=rng,
                                 name="mossy*")
    pp = InstarSynapses(ec, ca3, fan_in=60, w=rng.uniform(0, 1, N_CA3 * 60), jump=0.4 * mV, receptor="slow",
                        eps=0.3, rng=rng, name="pp*")

    monitors = {"EC": SpikeMonitor(ec.neurons), "noise": SpikeMonitor(noise), "DG": SpikeMonitor(dg.neurons),
                "CA3": SpikeMonitor(ca3.neurons)}
    state = StateMonitor(ca3.neurons, "v", record=[0, 1])
    net = Network(ec, noise, dg, dg_basket, ca3, ca3_basket, theta, ec_dg, noise_dg, mossy, pp, state,
                  *monitors.values())
    return net, monitors, state


def report(monitors, state, args, run: int, wall: float) -> str:
    """One JSON line: spikes per monitor, the StateMonitor's shape, sizes, seeds, timing."""
    return json.dumps({
        "device": args.device,
        "run": run,
        "seed": args.seed,
        "noise_seed": args.noise_seed,
        "wall_s": round(wall, 3),
        "dt_s": float(defaultclock.dt),
        "duration_s": float(DURATION),
        "theta_period_s": float(SLOT),
        "sizes": {"EC": N_EC, "noise": N_NOISE, "DG": N_DG, "CA3": N_CA3},
        "spikes": {name: {"i": np.asarray(mon.i).tolist(), "t": np.asarray(mon.t / second).tolist()}
                   for name, mon in monitors.items()},
        "state_shape": list(np.asarray(state.v).shape),
    })


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("device", choices=["runtime", "cpp_standalone"])
    parser.add_argument("build_dir", nargs="?", help="build directory (cpp_standalone)")
    parser.add_argument("--target", choices=["numpy", "cython"], default="numpy", help="runtime code target")
    parser.add_argument("--seed", type=int, default=1, help="network seed (keys, connectivity, EC streams)")
    parser.add_argument("--noise-seed", type=int, default=None, help="Brian2's seed (default: --seed)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of the compiled binary (cpp_standalone)")
    args = parser.parse_args(argv)
    if args.noise_seed is None:
        args.noise_seed = args.seed
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    if args.device == "cpp_standalone":
        if not args.build_dir:
            parser.error("cpp_standalone needs a build directory")
        set_device("cpp_standalone", directory=args.build_dir)  # compiles and runs at net.run
    else:
        if args.repeats != 1:
            parser.error("--repeats is for cpp_standalone")
        prefs.codegen.target = args.target
    defaultclock.dt = 0.1 * ms

    net, monitors, state = build(args.seed, args.noise_seed)
    start = time.perf_counter()
    net.run(DURATION)
    print(report(monitors, state, args, 0, time.perf_counter() - start), flush=True)
    for run in range(1, args.repeats):
        start = time.perf_counter()
        device.run()  # the same binary again: the same seed, the same spikes
        print(report(monitors, state, args, run, time.perf_counter() - start), flush=True)


if __name__ == "__main__":
    main()
