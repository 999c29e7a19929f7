"""``kv-optimization``: keys and values optimised jointly for retrieval (Gershman, Fiete & Irie 2025, Fig. 2).

Events fall into 2 classes (200 events, features (0, 1) and (1, 0)) or 3 classes (300 events, (1, 1) added),
100 events per class. Every event owns a trainable 2-D key and 2-D value, both initialised from U[0, 1). Each
event's key is its own query; the retrieved content is ``r_i = sum_j softmax_j(k_i . k_j / sqrt(2))
sigmoid(v_j)``, and the loss is the mean squared error between ``r_i`` and the feature of the event's class. The
softmax includes the event's own key (``include_self``; the natural reading of "each key is used as its query").
Keys and values follow Adam (learning rate 3e-4, betas 0.9 / 0.999, eps 1e-8) on the full batch, with the hand-
written gradients of :mod:`biokv.core.kv_optimization`; runs are independent and batched.

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

import json
import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..config import ConfigError, param
from ..core import kv_optimization as kv
from ..core.random import run_generators
from ..results import provenance_line
from .registry import Experiment, register

PAPER = "Gershman, Fiete & Irie (2025), Key-value memory in the brain"
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


@dataclass
class KVOptimizationConfig:
    """Events of 2 or 3 classes with trainable keys and values, optimised with Adam for retrieval."""

    classes: tuple[int, ...] = param((2, 3), "numbers of classes, one optimisation each (class features (0, 1), "
                                     "(1, 0), (1, 1) in that order)", low=2, high=3,
                                     source=f"{PAPER}, Fig. 2A (2 classes) and 2B (3 classes)")
    events_per_class: int = param(100, "events per class", low=2,
                                  source=f"{PAPER}, Fig. 2: 200 events (2 classes) and 300 events (3 classes)")
    n_steps: int = param(10000, "Adam steps (full batch)", low=1, source=f"{PAPER}, Fig. 2: 5,000-10,000 steps")
    learning_rate: float = param(3e-4, "Adam learning rate", low=0.0, low_open=True, source=f"{PAPER}, Fig. 2")
    runs: int = param(5, "independent initialisations per number of classes (batched)", low=1,
                      source="biokv's choice (the figure shows one optimisation)")
    record_every: int = param(50, "record keys, values and measures every this many steps (and after the last)",
                              low=1, source="biokv's choice")
    include_self: bool = param(True, "the softmax of an event's query includes its own key",
                               source="biokv's reading: each event's key is its query, so its own key is one of "
                                      "the keys retrieved from")

    def check(self):
        if not self.classes or len(set(self.classes)) != len(self.classes):
            raise ConfigError(f"classes={self.classes} must be one or more distinct values")


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


# ---------------------------------------------------------------------------------------------- figures
def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _event_block(ds: xr.Dataset, n_classes: int, run: int = 0):
    sub = ds.sel(classes=n_classes).isel(run=run)
    n = int(sub["n_events"])
    return (sub["keys"].values[:, :n].astype(np.float64), _sigmoid(sub["values"].values[:, :n].astype(np.float64)),
            sub["label"].values[:n])


def _square_limits(points, margin=0.05):
    """Equal x and y spans around all ``points`` (..., 2)."""
    flat = points.reshape(-1, points.shape[-1])
    lo, hi = np.nanmin(flat, axis=0), np.nanmax(flat, axis=0)
    half = 0.5 * (1.0 + 2 * margin) * max(float(np.max(hi - lo)), 1e-6)
    mid = 0.5 * (lo + hi)
    return (mid[0] - half, mid[0] + half), (mid[1] - half, mid[1] + half)


def trajectories_figure(ds: xr.Dataset, run: int = 0):
    """Per number of classes, a block of keys (top row) and values sigmoid(v) (bottom row): the random
    initialisation, the trajectories during optimisation (final positions in gray) and the final configuration."""
    import matplotlib.pyplot as plt

    from . import plots  # noqa: F401  (selects the Agg backend)

    blocks = list(ds.classes.values)
    fig = plt.figure(figsize=(11.5, 7.4 * len(blocks)), constrained_layout=True)
    subfigs = np.atleast_1d(fig.subfigures(len(blocks), 1))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for b, (sf, n_classes) in enumerate(zip(subfigs, blocks)):
        keys, sig, labels = _event_block(ds, int(n_classes), run)
        axes = sf.subplots(2, 3)
        sf.suptitle(f"{chr(ord('A') + b)}   {int(n_classes)} classes ({labels.size} events), run {run}, "
                    f"steps 0-{int(ds.step[-1])}", x=0.02, ha="left", fontweight="bold")
        feats = ds["feature"].values[:int(n_classes)]
        for row, (pts, what) in enumerate(((keys, "key"), (sig, "sigmoid(value)"))):
            ax0, ax1, ax2 = axes[row]
            for c in range(int(n_classes)):
                m = labels == c
                color = cycle[c % len(cycle)]
                name = f"class {c} {tuple(int(x) for x in feats[c])}"
                ax0.scatter(pts[0, m, 0], pts[0, m, 1], s=7, color=color, label=name)
                ax1.plot(pts[:, m, 0], pts[:, m, 1], color=color, lw=0.4, alpha=0.45)
                ax2.scatter(pts[-1, m, 0], pts[-1, m, 1], s=7, color=color, label=name)
            ax1.scatter(pts[-1, :, 0], pts[-1, :, 1], s=5, color="0.55", zorder=3)
            if row == 1:
                for ax in (ax0, ax1, ax2):
                    ax.scatter(feats[:, 0], feats[:, 1], marker="*", s=140, color="k", zorder=4,
                               label="class features")
                    ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
            else:
                xlim, ylim = _square_limits(pts)
                for ax in (ax1, ax2):
                    ax.set(xlim=xlim, ylim=ylim)
                ax0.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
            titles = ("random initialisation", "trajectories (final positions gray)", "final configuration")
            for ax, title in zip((ax0, ax1, ax2), titles):
                ax.set(title=f"{what}s: {title}" if row == 0 else f"values: {title}",
                       xlabel=f"{what} component 1", ylabel=f"{what} component 2")
                ax.set_aspect("equal", adjustable="box")
                ax.grid(alpha=0.3)
        axes[1, 0].legend(fontsize=7, loc="lower left")
    return fig


def metrics_figure(ds: xr.Dataset):
    """Loss, key separation, value and retrieval error and within-class attention by step (mean over runs, band:
    range over runs), one line per number of classes."""
    import matplotlib.pyplot as plt

    from . import plots  # noqa: F401  (selects the Agg backend)

    panels = (("loss", ("loss",), "loss (MSE)"),
              ("separation", ("nearest_centroid_accuracy", "silhouette"), "key separation index"),
              ("error", ("value_error", "retrieval_error"), "distance to class feature"),
              ("attention", ("within_class_attention",), "attention on own class"))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), constrained_layout=True)
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ("-", "--")
    labels = {"nearest_centroid_accuracy": "nearest-centroid acc.", "silhouette": "silhouette",
              "value_error": "sigmoid(v)", "retrieval_error": "retrieved", "loss": "", "within_class_attention": ""}
    for ax, (_, names, ylabel) in zip(axes, panels):
        for i, n_classes in enumerate(ds.classes.values):
            for name, ls in zip(names, styles):
                y = ds[name].sel(classes=n_classes)
                color = cycle[i % len(cycle)]
                label = f"{int(n_classes)} classes" + (f": {labels[name]}" if labels[name] else "")
                ax.plot(ds.step, y.mean("run"), color=color, ls=ls, lw=1.2, label=label)
                ax.fill_between(ds.step, y.min("run"), y.max("run"), color=color, alpha=0.2, lw=0)
                if name == "within_class_attention":
                    ax.axhline(1.0 / int(n_classes), color=color, lw=0.7, ls=":")
        ax.set(xlabel="Adam step", ylabel=ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_yscale("log")
    axes[1].set_ylim(top=1.02)
    return fig


def figures(ds: xr.Dataset) -> dict:
    return {"trajectories": trajectories_figure(ds), "metrics": metrics_figure(ds)}


# ---------------------------------------------------------------------------------------------- summaries
def headline(ds: xr.Dataset) -> xr.Dataset:
    """The measures after the last step, per number of classes (mean over runs); the first is the key
    separation by nearest-centroid accuracy."""
    last = ds.isel(step=-1)
    order = ("nearest_centroid_accuracy", "silhouette", "value_error", "retrieval_error", "loss",
             "within_class_attention")
    out = xr.Dataset({name: last[name].mean("run") for name in order})
    for name in order:
        out[name].attrs["description"] = f"{MEASURES[name]}, after the last step, mean over runs"
    return out


def _start_end(ds: xr.Dataset, name: str, n_classes) -> str:
    y = ds[name].sel(classes=n_classes)
    a, b = y.isel(step=0), y.isel(step=-1)
    return f"{float(a.mean()):.3f} → {float(b.mean()):.3f} ± {float(b.std()):.3f}"


TOP_KEYS = 10  # the report gives the share of attention received by this many most attended keys


def final_structure(ds: xr.Dataset, n_classes: int) -> dict:
    """How the final keys and values of all runs with ``n_classes`` classes are organised: the fraction of
    stored contents within 0.25 of their class feature and their median distance; the keys nearer another
    class's (leave-one-out) centroid, and how many of those store the content nearest to that class's feature;
    the share of attention received by the ``TOP_KEYS`` most attended keys (mean over runs)."""
    last = ds.sel(classes=n_classes).isel(step=-1)
    n = int(last["n_events"])
    keys = last["keys"].values[:, :n].astype(np.float64)
    sig = _sigmoid(last["values"].values[:, :n].astype(np.float64))
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


def report(ds: xr.Dataset) -> str:
    cfg = json.loads(ds.attrs["config"])
    lines = ["# Key-value memory optimisation (Gershman, Fiete & Irie 2025, Fig. 2)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}: {ds.sizes['run']} runs per "
             f"number of classes, {int(ds.step[-1])} Adam steps (learning rate {cfg['learning_rate']:g}, full "
             f"batch), {cfg['events_per_class']} events per class, 2-D keys and values from U[0, 1). Retrieval: "
             f"softmax over k_i . k_j / sqrt(2) "
             f"({'including' if cfg['include_self'] else 'excluding'} the event's own key) weighting sigmoid(v_j). "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "Start → end of training (end: mean ± standard deviation over runs):", "",
             "| classes | events | loss | key separation: nearest-centroid acc. (max 1) | key silhouette (max 1) | "
             "attention on own class | value error: sigmoid(v) | retrieval error |",
             "|---|---|---|---|---|---|---|---|"]
    for c in ds.classes.values:
        cells = [_start_end(ds, name, c) for name in ("loss", "nearest_centroid_accuracy", "silhouette",
                                                       "within_class_attention", "value_error", "retrieval_error")]
        lines.append(f"| {int(c)} | {int(ds['n_events'].sel(classes=c))} | " + " | ".join(cells) + " |")
    lines += ["", "Errors are mean Euclidean distances to the class feature vector ((0, 1), (1, 0), (1, 1)); at "
              "chance the attention on the own class is about 1 / classes. Figures: `trajectories` (keys top, "
              "sigmoid(values) bottom; run 0) and `metrics` (mean over runs, band: range).", ""]
    for c in ds.classes.values:
        f = final_structure(ds, int(c))
        att = ds["within_class_attention"].sel(classes=c).mean("run")
        peak = int(np.argmax(att.values))
        lines.append(
            f"- {int(c)} classes: {f['near_fraction']:.1%} of the stored contents sigmoid(v) lie within 0.25 of "
            f"their class feature (median distance {f['median_value_distance']:.3f}). {f['n_cross']} of "
            f"{f['n_keys']} keys (all runs) lie nearer another class's centroid (leave-one-out); "
            f"{f['n_cross_adopted']} of them store the content nearest to that other class's feature. The "
            f"{TOP_KEYS} most attended keys of a run receive {f['top_share']:.1%} of all attention (mean over "
            f"runs); the attention on the own class peaks at {float(att[peak]):.3f} (step {int(ds.step[peak])}) "
            f"and ends at {float(att[-1]):.3f}.")
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("kv-optimization", "keys and values of 2- and 3-class events optimised jointly for "
                    "retrieval: keys separate by class, values approach the class features (Fig. 2)",
                    KVOptimizationConfig, kv_optimization, figures, report,
                    {"n_steps": 3000, "runs": 2, "record_every": 50}, headline))
