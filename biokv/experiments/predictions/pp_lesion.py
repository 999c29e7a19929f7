"""``predict-pp-lesion``: the perforant path to CA3 is silenced in every presentation: recall of stored memories
against the CA3 code at encoding (retrieval vs encoding route: Lee & Kesner 2004, Hippocampus 14:66)."""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.patterns import code_correlation, jaccard
from biokv.experiments.predictions.config import PerforantLesionConfig
from biokv.experiments.predictions.interventions import (SpikingRuns, backend_effects, finish, intervention_patterns,
                                                         rate_setup, recall_accuracy, store_raw)

__all__ = ["PP_MEASURES", "encoding_agreement", "pp_lesion"]

PP_MEASURES = ["recall of stored memories", "CA3 active fraction at recall", "CA3 active fraction at encoding",
               "CA3 code correlation at encoding"]


def encoding_agreement(codes_control, codes_lesion) -> float:
    """Mean Jaccard index of each memory's CA3 code at encoding, control vs lesion (index sets per memory); a
    memory whose code is empty in both counts as 0."""
    return np.mean([jaccard(a, b) if len(a) or len(b) else 0.0 for a, b in zip(codes_control, codes_lesion)])


def pp_lesion(cfg: PerforantLesionConfig, ctx) -> xr.Dataset:
    """Perforant-path (EC -> CA3) lesion: recall fails while the CA3 codes formed at encoding (driven by the
    mossy fibres) stay as sparse and as separated as in the control."""
    start = time.perf_counter()
    P = cfg.n_pairs
    d, twin, (s, n_ca3, k), runs, keys, values = rate_setup(cfg, ctx.seed, P)
    per, out, codes = {}, [], []
    for lesion in (False, True):
        gains = {"pp": 0.0 if lesion else 1.0}
        state = twin.init_state(ctx.seed, runs)
        enc = twin.encode(state, keys, values, gains=gains)
        acc = recall_accuracy(twin.recall(state, keys, gains=gains)["values"], values, s)
        codes.append(enc["ca3_winners"])
        out.append(np.stack([acc.mean(1), np.full(len(runs), k / n_ca3), np.full(len(runs), k / n_ca3),
                             [code_correlation(c, n_ca3) for c in enc["ca3_winners"]]], axis=1))
    per["rate"] = tuple(out)
    agreement = {"rate": [encoding_agreement(x, y) for x, y in zip(*codes)]}
    spk = None
    if cfg.spiking_seeds:
        spk = SpikingRuns(cfg, d, ctx.seed)
        sk, sv = intervention_patterns(d, ctx.seed, list(range(cfg.spiking_seeds)), P)
        out, agreement["spiking"] = [[], []], []
        for i in ctx.progress(range(cfg.spiking_seeds), desc="spiking seeds"):
            enc_codes = []
            for j, lesion in enumerate((False, True)):
                res = spk.simulate(i, sk[i], sv[i], sk[i], gains={"pp": 0.0} if lesion else None)
                acc = recall_accuracy(res.recalled[:P], sv[i], s)
                active = res.active("CA3")
                enc_codes.append(active[:P])
                out[j].append([acc.mean(), float(np.mean([len(a) for a in active[P:2 * P]])) / n_ca3,
                               float(np.mean([len(a) for a in active[:P]])) / n_ca3,
                               code_correlation(active[:P], n_ca3)])
            agreement["spiking"].append(encoding_agreement(*enc_codes))
        per["spiking"] = tuple(out)
    ds = backend_effects(per, PP_MEASURES)
    ds = store_raw(ds, per, PP_MEASURES)
    for b, v in agreement.items():
        ds[f"encoding_agreement_{b}"] = (f"seed_{b}", np.asarray(v))
        ds[f"encoding_agreement_{b}"].attrs["description"] = ("mean Jaccard index of each memory's CA3 code at "
                                                              "encoding, lesion vs control")
    ds.attrs.update(prediction="Silencing the perforant path to CA3 abolishes the recall of stored memories, while "
                    "the CA3 codes formed at encoding, driven by the mossy fibres, stay as sparse and as separated.",
                    control="perforant path intact", intervention="perforant-path gain 0 in every presentation",
                    elapsed_s=time.perf_counter() - start)
    return finish(ds, per, spk)
