"""``forgetting-reactivation``: forgetting as retrieval failure, and its reversal (Gershman, Fiete & Irie 2025,
Fig. 3; the dual form of Irie, Csordas & Schmidhuber 2022).

A one-hidden-layer ReLU network without biases (``n_in -> n_hidden -> n_out``, one softmax over all outputs) is
trained by plain SGD on Task 1 (classes ``task1_classes`` of one data set, outputs ``0 .. c1-1``), then on Task
2 (classes ``task2_classes`` of another, outputs ``c1 .. c1+c2-1``) with no Task-1 data. Both tasks' test
accuracy is tracked per epoch: learning Task 2 makes the network forget Task 1 (Fig. 3A).

Every SGD step is kept in the dual form (:mod:`biokv.core.dual_form`): each layer's weights are
``W0 + sum_t e_t k_t^T`` over the training examples ``t`` seen, with key ``k_t`` the layer's input and value
``e_t = -lr * dL/d(pre-activation)``. The dual form's outputs are checked against the trained network's on both
test sets. Then every Task-1 key-value pair is scaled by ``beta`` in both layers,

    W(beta) = W0 + beta * sum_{t in Task 1} e_t k_t^T + sum_{t in Task 2} e_t k_t^T,

and both tasks' accuracy is measured against ``beta`` (Fig. 3B): ``beta = 1`` is the trained network, ``beta =
0`` removes what Task 1 wrote, and ``beta > 1`` amplifies the Task-1 memories, which brings Task 1 back.

Accuracy is that of the single head (4-way by default): the largest of all outputs must be the right one. The
within-task readout (the largest of the task's own outputs) is recorded too: it shows how much of each task's
discrimination survives in the weights when the other task's outputs win the competition.

Default data: scikit-learn's bundled 8 x 8 digits (no download), Task 1 = digits {0, 1}, Task 2 = digits {2, 3},
each split per run into 70% training and 30% test images (stratified): 252 training images per task, so an
epoch is 2 SGD steps of batch 128. With ``data_dir`` set, Task 1 comes from MNIST and Task 2 from Fashion-MNIST
(local files, see :mod:`biokv.datasets`), as in the paper; their official test sets are used and per-example
records would exceed 1 GiB, so only per-task sums are kept (``records="auto"``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..config import ConfigError, param  # noqa: E402
from ..core.dual_form import DualFormMemory, accuracy, cross_entropy, forward, init_weights, sgd_epoch  # noqa: E402
from ..core.metrics import mean_and_sem  # noqa: E402
from ..core.random import run_generators  # noqa: E402
from ..datasets import DATASETS, input_size, load_images, locate, make_task  # noqa: E402
from ..results import provenance_line  # noqa: E402
from .registry import Experiment, register  # noqa: E402

PAPER = "Gershman, Fiete & Irie 2025"
DUAL = "Irie, Csordas & Schmidhuber 2022"
TASKS = ("task1", "task2")
LAYERS = ("hidden", "output")
RECORDS = ("auto", "examples", "tasks")
RECORD_LIMIT_BYTES = 2**30  # records="auto" keeps per-example records up to this size, else per-task sums only
AUTO_DATASETS = {"task1": ("digits", "mnist"), "task2": ("digits", "fashion-mnist")}  # (no data_dir, data_dir)


@dataclass
class ForgettingConfig:
    """Sequential training on two tasks, the dual form of every SGD step, and the Task-1 key scaling beta."""

    data_dir: str = param("", "folder of local MNIST / Fashion-MNIST files (layouts: biokv.datasets); empty: "
                          "none, the bundled scikit-learn digits are used")
    task1_dataset: str = param("auto", "data set of Task 1 (auto: digits without data_dir, mnist with it)",
                               choices=("auto",) + DATASETS, source=f"{PAPER}, Fig. 3 caption: Task 1 from MNIST")
    task2_dataset: str = param("auto", "data set of Task 2 (auto: digits without data_dir, fashion-mnist with it)",
                               choices=("auto",) + DATASETS,
                               source=f"{PAPER}, Fig. 3 caption: Task 2 from Fashion-MNIST")
    task1_classes: tuple[int, ...] = param((0, 1), "classes of Task 1 (network outputs 0, 1, ...)", low=0, high=9,
                                           source="biokv's choice (two classes per task; the paper does not say "
                                                  "which)")
    task2_classes: tuple[int, ...] = param((2, 3), "classes of Task 2 (the outputs after Task 1's)", low=0, high=9,
                                           source="biokv's choice (for Fashion-MNIST: pullover vs dress)")
    test_fraction: float = param(0.3, "share of each class held out for testing, per run (digits only; MNIST and "
                                 "Fashion-MNIST use their official test sets)", low=0.0, high=1.0, low_open=True,
                                 high_open=True, source="biokv's choice")
    n_hidden: int = param(64, "hidden ReLU units", low=1, source="biokv's choice (one hidden layer: "
                          f"{PAPER}, Fig. 3)")
    task1_epochs: int = param(5, "epochs of Task 1", low=1, source=f"{PAPER}, Fig. 3A: switch after epoch 5")
    task2_epochs: int = param(5, "epochs of Task 2 (no Task-1 data)", low=1, source=f"{PAPER}, Fig. 3A: 10 epochs")
    batch_size: int = param(128, "mini-batch size (the last batch of an epoch may be smaller)", low=1,
                            source="biokv's choice")
    learning_rate: float = param(0.2, "SGD learning rate (no momentum, no weight decay)", low=0.0, low_open=True,
                                 source="biokv's choice for digits: Task 1 is learnt (0.999) and then forgotten "
                                        "(0.000), Task 2 learnt (0.95); 0.02-0.05 learn too slowly, >= 0.3 "
                                        "unstably")
    n_runs: int = param(5, "independent runs (own initial weights, data order and digits split)", low=2)
    beta_max: float = param(3.0, "largest scale beta of the Task-1 key-value pairs", low=0.0, low_open=True,
                            source=f"{PAPER}, Fig. 3B: beta from 0 to 3")
    beta_points: int = param(31, "points of the beta grid, evenly spaced from 0 to beta_max", low=2)
    records: str = param("auto", "what the dual form keeps: every example's keys and values ('examples'), or "
                         "per-task sums of outer products only ('tasks'); auto: examples up to 1 GiB",
                         choices=RECORDS, source=f"{DUAL}: W = W0 + sum_t e_t k_t^T")

    def datasets(self) -> tuple[str, str]:
        """The data sets of Task 1 and Task 2 ("auto" resolved)."""
        out = []
        for task, chosen in (("task1", self.task1_dataset), ("task2", self.task2_dataset)):
            out.append(AUTO_DATASETS[task][bool(self.data_dir)] if chosen == "auto" else chosen)
        return out[0], out[1]

    def check(self):
        for name in ("task1_classes", "task2_classes"):
            classes = getattr(self, name)
            if len(classes) < 2 or len(set(classes)) != len(classes):
                raise ConfigError(f"{name}={classes} is not allowed: must be two or more distinct classes")
        d1, d2 = self.datasets()
        if input_size(d1) != input_size(d2):
            raise ConfigError(f"task1_dataset={d1!r} and task2_dataset={d2!r} have images of different sizes "
                              f"({input_size(d1)} and {input_size(d2)} pixels): one network cannot take both")
        if d1 == d2 and set(self.task1_classes) & set(self.task2_classes):
            raise ConfigError(f"task1_classes={self.task1_classes} and task2_classes={self.task2_classes} share "
                              f"classes of the same data set ({d1}): the tasks must be disjoint")
        if self.data_dir:
            from pathlib import Path

            if not Path(self.data_dir).is_dir():
                raise ConfigError(f"data_dir={self.data_dir!r} does not exist or is not a folder")
        for d in [d for d in dict.fromkeys((d1, d2)) if d != "digits"]:
            try:
                locate(d, self.data_dir)
            except FileNotFoundError as err:
                raise ConfigError(f"data_dir={self.data_dir!r}: {err}") from None


# ---------------------------------------------------------------------------------------------- computation
def _evaluate(w1, w2, tasks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accuracy (all outputs), accuracy (own outputs) and test loss of each run on each task: arrays (R, task)."""
    acc, own, loss = [], [], []
    for t in tasks:
        logits = forward(w1, w2, t.x_test)[2]
        acc.append(accuracy(logits, t.y_test))
        own.append(accuracy(logits, t.y_test, t.outputs))
        loss.append(cross_entropy(logits, t.y_test))
    return np.stack(acc, -1), np.stack(own, -1), np.stack(loss, -1)


def _record_store(cfg: ForgettingConfig, tasks, n_in: int, n_out: int) -> str:
    if cfg.records != "auto":
        return cfg.records
    n = cfg.task1_epochs * tasks[0].n_train + cfg.task2_epochs * tasks[1].n_train
    size = 8 * cfg.n_runs * n * (n_in + 2 * cfg.n_hidden + n_out)
    return "examples" if size <= RECORD_LIMIT_BYTES else "tasks"


def forgetting_reactivation(cfg: ForgettingConfig, ctx) -> xr.Dataset:
    """Train on Task 1 then Task 2 (test accuracy of both per epoch, Fig. 3A), keep the dual form of every SGD
    step and check it against the trained network, then scale the Task-1 key-value pairs by beta (Fig. 3B)."""
    start = time.perf_counter()
    runs = range(cfg.n_runs)
    d1, d2 = cfg.datasets()
    split_rngs = run_generators(ctx.seed, "forgetting:split", runs)
    data = (load_images(d1, cfg.data_dir, cfg.task1_classes), load_images(d2, cfg.data_dir, cfg.task2_classes))
    c1 = len(cfg.task1_classes)
    tasks = (make_task(data[0], cfg.task1_classes, 0, split_rngs, cfg.test_fraction),
             make_task(data[1], cfg.task2_classes, c1, split_rngs, cfg.test_fraction))
    n_in, n_out = tasks[0].n_inputs, c1 + len(cfg.task2_classes)
    store = _record_store(cfg, tasks, n_in, n_out)

    w1, w2 = init_weights(run_generators(ctx.seed, "forgetting:init", runs), n_in, cfg.n_hidden, n_out)
    memory = DualFormMemory(w1, w2, n_tasks=2, store=store)
    shuffle = run_generators(ctx.seed, "forgetting:shuffle", runs)
    schedule = [0] * cfg.task1_epochs + [1] * cfg.task2_epochs
    history = [_evaluate(w1, w2, tasks)]  # per epoch: (accuracy, within-task accuracy, loss), each (R, task)
    for k in ctx.progress(schedule, total=len(schedule), desc="epochs"):
        t = tasks[k]
        order = np.stack([g.permutation(t.n_train) for g in shuffle])
        w1, w2 = sgd_epoch(w1, w2, t.x_train, t.y_train, order, cfg.batch_size, cfg.learning_rate, memory, k)
        history.append(_evaluate(w1, w2, tasks))
    acc, own, loss = (np.stack([h[i] for h in history], 1) for i in range(3))  # (R, epoch, task)

    # the dual form against the trained network, on both test sets
    err = np.zeros(cfg.n_runs)
    scale = np.zeros(cfg.n_runs)
    for t in tasks:
        primal = forward(w1, w2, t.x_test)[2]
        dual = memory.dual_outputs(t.x_test) if store == "examples" else forward(*memory.weights(), t.x_test)[2]
        err = np.maximum(err, np.abs(dual - primal).max(axis=(1, 2)))
        scale = np.maximum(scale, np.abs(primal).max(axis=(1, 2)))

    # scale the Task-1 key-value pairs by beta (both layers), Task-2 pairs unchanged
    betas = np.round(np.linspace(0.0, cfg.beta_max, cfg.beta_points), 12)  # 0.3, not 0.30000000000000004
    grid = np.stack([betas, np.ones_like(betas)])
    b_acc, b_own = [], []
    for t in tasks:
        logits = memory.grid_outputs(t.x_test, grid)  # (beta, run, n, n_out)
        b_acc.append(accuracy(logits, t.y_test).T)
        b_own.append(accuracy(logits, t.y_test, t.outputs).T)
    norms = np.stack([np.linalg.norm(d, axis=(2, 3)) for d in memory.deltas], -1).transpose(1, 0, 2)  # (R, task, layer)

    epochs = np.arange(len(schedule) + 1)
    # the tasks' dimension is "task_name": a sweep adds a variable "task" (the hash of each grid point's result)
    ds = xr.Dataset(
        {"accuracy": (("run", "epoch", "task_name"), acc),
         "accuracy_within_task": (("run", "epoch", "task_name"), own),
         "test_loss": (("run", "epoch", "task_name"), loss),
         "beta_accuracy": (("run", "beta", "task_name"), np.stack(b_acc, -1)),
         "beta_accuracy_within_task": (("run", "beta", "task_name"), np.stack(b_own, -1)),
         "update_norm": (("run", "task_name", "layer"), norms),
         "dual_form_max_error": (("run",), err),
         "dual_form_max_output": (("run",), scale)},
        coords={"run": np.arange(cfg.n_runs), "epoch": epochs,
                "trained_on": ("epoch", ["none"] + [TASKS[k] for k in schedule]),
                "task_name": list(TASKS), "beta": betas, "layer": list(LAYERS),
                "dataset": ("task_name", [d1, d2]),
                "classes": ("task_name", [",".join(map(str, t.classes)) for t in tasks]),
                "outputs": ("task_name", [",".join(map(str, t.outputs)) for t in tasks]),
                "n_train": ("task_name", [t.n_train for t in tasks]),
                "n_test": ("task_name", [t.n_test for t in tasks])})
    desc = {
        "accuracy": "test accuracy of the single head: the largest of all outputs is the label's (epoch 0: before "
                    "training)",
        "accuracy_within_task": "test accuracy of the within-task readout: the largest of the task's own outputs "
                                "is the label's",
        "test_loss": "mean cross-entropy (softmax over all outputs) on the task's test set",
        "beta_accuracy": "test accuracy after both tasks with every Task-1 key-value pair scaled by beta (both "
                         "layers): W = W0 + beta D_task1 + D_task2",
        "beta_accuracy_within_task": "as beta_accuracy, within-task readout",
        "update_norm": "Frobenius norm of the sum of a task's key-value pairs, D = sum_t e_t k_t^T, per layer "
                       "(hidden: input -> hidden weights; output: hidden -> output weights)",
        "dual_form_max_error": "max |dual-form output - trained network output| over both test sets and all "
                               "outputs",
        "dual_form_max_output": "max |trained network output| over both test sets (scale of the error)",
    }
    for var, text in desc.items():
        ds[var].attrs["description"] = text
    ds.attrs.update(
        elapsed_s=time.perf_counter() - start, learning_rate=cfg.learning_rate, batch_size=cfg.batch_size,
        switch_epoch=cfg.task1_epochs, n_inputs=n_in, n_outputs=n_out, n_hidden=cfg.n_hidden,
        task1_source=data[0].source, task2_source=data[1].source, records=store,
        dual_form_check=("outputs of the attention form over every example's keys and values" if store == "examples"
                         else "outputs of W0 + D_task1 + D_task2 (per-task sums only)"),
        records_per_run=max(memory.n_records, 0))
    return ds


# ---------------------------------------------------------------------------------------------- figures
def _colors():
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return dict(zip(TASKS, cycle[:2]))


def _label(ds, task) -> str:
    sub = ds.sel(task_name=task)
    return f"{task.replace('task', 'Task ')} ({str(sub.dataset.values)} {str(sub.classes.values)})"


def _draw(ax, x, runs: np.ndarray, color, label, dashed=None):
    """Mean ± SEM over runs (axis 0) with every run faint; ``dashed``: a second curve's mean, dashed."""
    mean, sem = mean_and_sem(runs, axis=0)
    for r in runs:
        ax.plot(x, r, color=color, lw=0.6, alpha=0.25)
    ax.fill_between(x, mean - sem, mean + sem, color=color, alpha=0.25, lw=0)
    ax.plot(x, mean, "o-", color=color, lw=1.6, ms=3, label=label)
    if dashed is not None:
        ax.plot(x, dashed.mean(axis=0), "--", color=color, lw=1.0, label=f"{label}: within-task readout")


def figures(ds: xr.Dataset) -> dict:
    colors = _colors()
    fig_a, ax = plt.subplots(figsize=(6.0, 4.0), constrained_layout=True)
    for task in TASKS:
        _draw(ax, ds.epoch.values, ds["accuracy"].sel(task_name=task).values, colors[task], _label(ds, task),
              ds["accuracy_within_task"].sel(task_name=task).values)
    switch = ds.attrs.get("switch_epoch")
    if switch is not None:
        ax.axvline(switch, color="0.4", ls=":", lw=1.0)
        ax.text(switch + 0.1, 0.5, "Task 2 starts", rotation=90, va="center", fontsize=8, color="0.3")
    ax.set(xlabel="epoch (0: before training)", ylabel="test accuracy", ylim=(-0.02, 1.02),
           title=f"Forgetting (lr {ds.attrs.get('learning_rate')}, {ds.sizes['run']} runs, mean ± SEM)")
    ax.set_xticks(ds.epoch.values)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")

    fig_b, ax = plt.subplots(figsize=(6.0, 4.0), constrained_layout=True)
    for task in TASKS:
        _draw(ax, ds.beta.values, ds["beta_accuracy"].sel(task_name=task).values, colors[task], _label(ds, task),
              ds["beta_accuracy_within_task"].sel(task_name=task).values)
    after1 = float(ds["accuracy"].sel(task_name="task1", epoch=int(switch) if switch is not None else 0).mean())
    ax.axhline(after1, color=colors["task1"], ls=":", lw=1.0, label=f"Task 1 after Task 1 (epoch {switch})")
    ax.axvline(1.0, color="0.4", ls=":", lw=1.0)
    ax.text(1.03, 0.5, "trained network", rotation=90, va="center", fontsize=8, color="0.3")
    ax.set(xlabel="beta (scale of every Task-1 key-value pair)", ylabel="test accuracy after Task 2",
           ylim=(-0.02, 1.02), title="Reactivation: Task-1 keys amplified by beta")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center right")
    return {"accuracy_by_epoch": fig_a, "accuracy_by_beta": fig_b}


# ---------------------------------------------------------------------------------------------- headline, report
def _at_epoch(ds, task, epoch):
    return ds["accuracy"].sel(task_name=task, epoch=epoch)


def headline(ds: xr.Dataset) -> xr.Dataset:
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


def report(ds: xr.Dataset) -> str:
    h = headline(ds)
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


register(Experiment("forgetting-reactivation", "forgetting of Task 1 after Task 2 and its recovery by scaling the "
                    "Task-1 key-value pairs of the SGD dual form (Gershman, Fiete & Irie 2025, Fig. 3)",
                    ForgettingConfig, forgetting_reactivation, figures, report, {"n_runs": 3, "beta_points": 16},
                    headline))
