"""``kv-optimization``: keys and values optimised jointly for retrieval (Gershman, Fiete & Irie 2025, Fig. 2).

Events fall into 2 classes (200 events, features (0, 1) and (1, 0)) or 3 classes (300 events, (1, 1) added),
100 events per class. Every event owns a trainable 2-D key and 2-D value, both initialised from U[0, 1). Each
event's key is its own query; the retrieved content is ``r_i = sum_j softmax_j(k_i . k_j / sqrt(2))
sigmoid(v_j)``, and the loss is the mean squared error between ``r_i`` and the feature of the event's class. The
softmax includes the event's own key (``include_self``; the natural reading of "each key is used as its query").
Keys and values follow Adam (learning rate 3e-4, betas 0.9 / 0.999, eps 1e-8) on the full batch, with the hand-
written gradients of :mod:`biokv.core.kv.optimization`; runs are independent and batched.

Recorded every ``record_every`` steps: keys, values, the loss, how separable the keys are by class (leave-one-out
nearest-centroid accuracy and silhouette, both with maximum 1; the attention mass on same-class keys) and how far
the stored contents ``sigmoid(v)`` and the retrieved contents are from the class features. Figures show values as
``sigmoid(v)``, the stored content in feature space.

With the paper's settings the keys separate by class within a few thousand steps (leave-one-out nearest-centroid
accuracy about 0.98 after 10,000 steps) while the stored contents move towards the class features. Retrieval
concentrates on a few keys of large norm, which take most of the attention of the queries pointing their way; the
few keys that end on another class's side store that class's feature (they serve its queries), which is why the
attention on same-class keys falls again late in training while the retrieval error keeps falling.

Run ``r`` is initialised from ``run_generators(seed, "kv-optimization:init", range(runs))[r]`` for every number
of classes (keys first, then values), so with 2 and 3 classes a run starts from the same keys for its first 200
events.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.rng import run_generators
from biokv.core.kv import optimization as kv
from biokv.experiments.kv.config import KVOptimizationConfig

__all__ = ["MEASURES", "STREAM", "TOP_KEYS", "kv_optimization", "stored_contents", "final_structure"]

STREAM = "kv-optimization:init"

MEASURES = {
    "loss": "mean squared error of the retrieved contents to the class features",
    "nearest_centroid_accuracy": "key separation: leave-one-out nearest-class-centroid accuracy of the keys "
                                 "(Euclidean), in [0, 1]",
    "silhouette": "key separation: mean silhouette coefficient of the keys with the classes as clusters "
                  "(Euclidean), in [-1, 1]",
    "within_class_attention": "mean attention weight of an event's query on keys of its own class, in [0, 1]",
    "value_error": "mean Euclidean distance of the stored contents sigmoid(v) to their class feature",
    "retrieval_error": "mean Euclidean distance of the retrieved contents to their class feature",
}
TOP_KEYS = 10  # final_structure gives the share of attention received by this many most attended keys


def kv_optimization(cfg: KVOptimizationConfig, ctx) -> xr.Dataset:
    """Keys and values of 2- and 3-class events optimised with Adam: trajectories, loss, key separation and value
    error by step (Fig. 2)."""
    start = time.perf_counter()
    n_max = max(cfg.classes) * cfg.events_per_class
    features = kv.class_features(max(cfg.classes))
    done: list[xr.Dataset] = []
    for n_classes in cfg.classes:
        labels = kv.class_labels(n_classes, cfg.events_per_class)
        n = labels.size
        keys, values = kv.initial_parameters(run_generators(ctx.seed, STREAM, range(cfg.runs)), n)

        def progress(it, total, n_classes=n_classes):
            return ctx.progress(it, total=total, desc=f"{n_classes} classes")

        tr = kv.train_key_values(keys, values, labels, features[:n_classes], cfg.n_steps, cfg.learning_rate,
                                 cfg.record_every, cfg.include_self, progress=progress)
        pad = ((0, 0), (0, 0), (0, n_max - n), (0, 0))
        ds = xr.Dataset(
            {"keys": (("step", "run", "event", "component"),
                      np.pad(tr.keys, pad, constant_values=np.nan).astype(np.float32)),
             "values": (("step", "run", "event", "component"),
                        np.pad(tr.values, pad, constant_values=np.nan).astype(np.float32)),
             "label": (("event",), np.pad(labels, (0, n_max - n), constant_values=-1)),
             "n_events": ((), n),
             **{name: (("step", "run"), getattr(tr, name)) for name in MEASURES}},
            coords={"step": tr.steps, "run": np.arange(cfg.runs), "event": np.arange(n_max),
                    "component": [0, 1]})
        done.append(ds.expand_dims(classes=[n_classes]))
        ctx.checkpoint(_finish(xr.concat(done, dim="classes"), features, start))
    return _finish(xr.concat(done, dim="classes"), features, start)


def _finish(ds: xr.Dataset, features: np.ndarray, start: float) -> xr.Dataset:
    ds = ds.copy()
    ds["feature"] = (("class", "component"), features)
    ds["label"] = ds["label"].astype(np.int64)
    desc = {"keys": "key of each event (float32; NaN for events beyond n_events)",
            "values": "value v of each event before the sigmoid; the stored content is sigmoid(v) (float32; NaN "
                      "for events beyond n_events)",
            "label": "class of each event (-1 for events beyond n_events)",
            "n_events": "number of events", "feature": "feature vector of each class (the retrieval target)",
            **MEASURES}
    for name, text in desc.items():
        ds[name].attrs["description"] = text
    for name in ("keys", "values"):
        ds[name].encoding.update(zlib=True, complevel=4)
    ds.attrs.update(elapsed_s=time.perf_counter() - start)
    return ds


def stored_contents(values) -> np.ndarray:
    """The stored contents ``sigmoid(v)`` of values ``v`` (float64), the quantity the figures show."""
    return kv.sigmoid(np.asarray(values, dtype=np.float64))


def final_structure(ds: xr.Dataset, n_classes: int) -> dict:
    """How the final keys and values of all runs with ``n_classes`` classes are organised: the fraction of
    stored contents within 0.25 of their class feature and their median distance; the keys nearer another
    class's (leave-one-out) centroid, and how many of those store the content nearest to that class's feature;
    the share of attention received by the ``TOP_KEYS`` most attended keys (mean over runs)."""
    last = ds.sel(classes=n_classes).isel(step=-1)
    n = int(last["n_events"])
    keys = last["keys"].values[:, :n].astype(np.float64)
    sig = stored_contents(last["values"].values[:, :n].astype(np.float64))
    labels = last["label"].values[:n]
    feats = ds["feature"].values[:n_classes]
    dist = np.linalg.norm(sig - feats[labels], axis=-1)
    side = kv.centroid_distances(keys, labels).argmin(axis=-1)
    content = np.linalg.norm(sig[:, :, None, :] - feats, axis=-1).argmin(axis=-1)
    cross = side != labels
    received = np.sort(kv.attention(keys).sum(axis=1), axis=1)
    return {"near_fraction": float(np.mean(dist < 0.25)), "median_value_distance": float(np.median(dist)),
            "n_keys": int(keys.shape[0] * n), "n_cross": int(cross.sum()),
            "n_cross_adopted": int(np.sum(cross & (content == side))),
            "top_share": float(np.mean(received[:, -TOP_KEYS:].sum(axis=1) / n))}
