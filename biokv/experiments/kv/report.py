"""Markdown summaries and headline metrics of the key-value memory experiments (Gershman, Fiete & Irie 2025,
Figs. 2 and 3), each from the result Dataset alone."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from biokv.core.stats.metrics import mean_and_sem
from biokv.experiments.kv.config import TASKS
from biokv.experiments.kv.forgetting_reactivation import LAYERS
from biokv.experiments.kv.optimization import MEASURES, TOP_KEYS, final_structure
from biokv.io.results import provenance_line

__all__ = ["kv_optimization_headline", "kv_optimization_report", "forgetting_headline", "forgetting_report"]


def kv_optimization_headline(ds: xr.Dataset) -> xr.Dataset:
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


def kv_optimization_report(ds: xr.Dataset) -> str:
    """The measures at the start and end of training, and how the final keys and values are organised."""
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


def _at_epoch(ds, task, epoch):
    return ds["accuracy"].sel(task_name=task, epoch=epoch)


def forgetting_headline(ds: xr.Dataset) -> xr.Dataset:
    """Task-1 accuracy after Task 2 (forgetting; the sweep default), after Task 1, the best beta and the
    accuracies there, the smallest beta that restores Task 1, and the dual-form check."""
    switch, last = int(ds.attrs["switch_epoch"]), int(ds.epoch.values[-1])
    b1 = ds["beta_accuracy"].sel(task_name="task1").mean("run")
    i_best = int(np.argmax(b1.values))  # first maximum: the smallest best beta
    after1 = float(_at_epoch(ds, "task1", switch).mean())
    reached = np.flatnonzero(b1.values >= 0.95 * after1)
    out = xr.Dataset({
        "task1_after_task2": ((), float(_at_epoch(ds, "task1", last).mean())),
        "task1_after_task1": ((), after1),
        "task2_after_task2": ((), float(_at_epoch(ds, "task2", last).mean())),
        "best_beta": ((), float(ds.beta.values[i_best])),
        "task1_at_best_beta": ((), float(b1.values[i_best])),
        "task2_at_best_beta": ((), float(ds["beta_accuracy"].sel(task_name="task2").mean("run").values[i_best])),
        "recovery_beta": ((), float(ds.beta.values[reached[0]]) if reached.size else np.nan),
        "dual_form_max_error": ((), float(ds["dual_form_max_error"].max())),
    })
    desc = {"task1_after_task2": "Task-1 test accuracy after Task 2 (mean over runs): forgetting",
            "task1_after_task1": "Task-1 test accuracy after Task 1 (mean over runs)",
            "task2_after_task2": "Task-2 test accuracy after Task 2 (mean over runs)",
            "best_beta": "beta (grid) of the highest mean Task-1 accuracy (the smallest if tied)",
            "task1_at_best_beta": "mean Task-1 accuracy at best_beta",
            "task2_at_best_beta": "mean Task-2 accuracy at best_beta (the cost of amplifying Task 1)",
            "recovery_beta": "smallest beta (grid) at which mean Task-1 accuracy reaches 95% of task1_after_task1",
            "dual_form_max_error": "max over runs of max |dual-form output - trained network output|"}
    for k, v in desc.items():
        out[k].attrs = {"description": v}
    return out


def _ms(values) -> str:
    m, s = mean_and_sem(np.asarray(values, dtype=np.float64), axis=0)
    return f"{float(m):.3f} ± {float(s):.3f}"


def forgetting_report(ds: xr.Dataset) -> str:
    """The tasks, the headline metrics, accuracy per epoch and per beta, and the dual-form check."""
    h = forgetting_headline(ds)
    lines = ["# Forgetting and reactivation of memories in the dual form (Gershman, Fiete & Irie 2025, Fig. 3)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, {ds.sizes['run']} runs. "
             f"Network {ds.attrs['n_inputs']} -> {ds.attrs['n_hidden']} ReLU -> {ds.attrs['n_outputs']} outputs (no "
             f"biases, one softmax over all outputs), plain SGD, learning rate {ds.attrs['learning_rate']}, batch "
             f"size {ds.attrs['batch_size']}. Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| task | data set | classes -> outputs | training / test images per run | source |",
             "|---|---|---|---|---|"]
    for task in TASKS:
        sub = ds.sel(task_name=task)
        lines.append(f"| {task} | {str(sub.dataset.values)} | {str(sub.classes.values)} -> "
                     f"{str(sub.outputs.values)} | {int(sub.n_train)} / {int(sub.n_test)} | "
                     f"{ds.attrs.get(task + '_source', '')} |")
    lines += ["", "## Headline", "", "| metric | value | meaning |", "|---|---|---|"]
    for k in h.data_vars:
        value = f"{float(h[k]):.2e}" if k == "dual_form_max_error" else f"{float(h[k]):.3f}"
        lines.append(f"| {k} | {value} | {h[k].attrs['description']} |")
    lines += ["", "## Test accuracy per epoch (Fig. 3A; mean ± SEM over runs; within-task readout in brackets)", "",
              "| epoch | trained on | Task 1 | Task 2 |", "|---|---|---|---|"]
    for e in ds.epoch.values:
        cells = [f"{_ms(ds['accuracy'].sel(epoch=e, task_name=t).values)} "
                 f"({float(ds['accuracy_within_task'].sel(epoch=e, task_name=t).mean()):.3f})" for t in TASKS]
        lines.append(f"| {e} | {str(ds.trained_on.sel(epoch=e).values)} | {cells[0]} | {cells[1]} |")
    lines += ["", "## Accuracy after Task 2 with the Task-1 key-value pairs scaled by beta (Fig. 3B)", "",
              "| beta | Task 1 | Task 2 | Task 1 within-task |", "|---|---|---|---|"]
    step = max(1, int(round(0.25 / float(ds.beta.values[1] - ds.beta.values[0])))) if ds.sizes["beta"] > 1 else 1
    for b in ds.beta.values[::step]:
        sub = ds.sel(beta=b)
        lines.append(f"| {b:.2f} | {_ms(sub['beta_accuracy'].sel(task_name='task1').values)} | "
                     f"{_ms(sub['beta_accuracy'].sel(task_name='task2').values)} | "
                     f"{float(sub['beta_accuracy_within_task'].sel(task_name='task1').mean()):.3f} |")
    norms = ds["update_norm"].mean("run")
    lines += ["", "Size of what each task wrote (Frobenius norm of sum_t e_t k_t^T, mean over runs): "
              + "; ".join(f"{t} {layer} {float(norms.sel(task_name=t, layer=layer)):.3f}" for t in TASKS
                          for layer in LAYERS) + ".", "",
              f"Dual-form check ({ds.attrs['dual_form_check']}"
              + (f", {ds.attrs['records_per_run']} key-value pairs per layer and run" if ds.attrs["records"] ==
                 "examples" else "") +
              f"): max |dual - trained| = {float(ds['dual_form_max_error'].max()):.2e} for outputs up to "
              f"{float(ds['dual_form_max_output'].max()):.2f}.", "", provenance_line(ds), ""]
    return "\n".join(lines)
