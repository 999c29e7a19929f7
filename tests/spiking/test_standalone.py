"""The C++ standalone device: compile once, run many (in a subprocess: Brian2's device is global)."""

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys, numpy as np
    from brian2 import ms
    from biokv.core.hippocampus import HippocampalRateTwin
    from biokv.core.patterns import random_subsets_runs
    from biokv.core.random import run_seeds
    from biokv.network import hippocampal_network
    from biokv.spiking import SpikingHippocampus, SpikingParameters

    d = hippocampal_network(n_ec=60, ec_active=8, n_dg=120, dg_active=6, ec_dg_fan_in=0.3, mf_contacts=3,
                            n_ca3=40, ca3_active=4, pp_fan_in=0.3, n_ctx=40, ctx_active=5, ctx_fan_out=0.3)
    state = HippocampalRateTwin(d).init_state(3, [0])
    net = SpikingHippocampus(d, SpikingParameters(presentation=40 * ms, dt=0.2 * ms), device="cpp_standalone",
                             build_dir=sys.argv[1])
    def pats(stream, n, s):
        return random_subsets_runs(run_seeds(3, stream, [0]), 4, n, s)[0]
    keys_a, keys_b, vals = pats("a", 60, 8), pats("b", 60, 8), pats("v", 40, 5)
    r1 = net.simulate(state, 0, keys_a, vals, keys_a[:2], seed=1)
    r2 = net.simulate(state, 0, keys_a, vals, keys_a[:2], seed=1)
    r3 = net.simulate(state, 0, keys_b, vals, keys_b[:2], seed=1)
    # the in-simulation rule on the compiled device: recompute the perforant path from the recorded spikes
    pre, post, w = net._connectivity(state, 0, "pp")
    w = w.copy()
    for p in range(4):
        x = np.zeros(60); x[keys_b[p]] = 1
        learn = (r3.counts["CA3"][p] > 0)[post]
        w[learn] = w[learn] + 0.3 * (x[pre[learn]] - w[learn])
    print(json.dumps({
        "compilations": net.compilations,
        "repeat_identical": all(np.array_equal(r1.counts[k], r2.counts[k]) for k in r1.counts),
        "patterns_changed": not np.array_equal(r1.counts["DG"], r3.counts["DG"]),
        "rule_error": float(np.abs(r3.weights["pp"] - w).max()),
        "ca3_encoding_spikes": int(r3.counts["CA3"][:4].sum()),
    }))
""")


def test_compile_once_run_many(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "build")], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["compilations"] == 1  # three simulations, one build
    assert result["repeat_identical"]  # same patterns, same seed: the same spikes
    assert result["patterns_changed"]  # new keys through run_args change the activity
    assert result["ca3_encoding_spikes"] > 0
    assert result["rule_error"] < 1e-12  # K-winner rule applied in the compiled code
