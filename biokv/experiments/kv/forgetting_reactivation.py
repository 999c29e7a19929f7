"""``forgetting-reactivation``: forgetting as retrieval failure, and its reversal (Gershman, Fiete & Irie 2025,
Fig. 3; the dual form of Irie, Csordas & Schmidhuber 2022).

A one-hidden-layer ReLU network without biases (``n_in -> n_hidden -> n_out``, one softmax over all outputs) is
trained by plain SGD on Task 1 (classes ``task1_classes`` of one data set, outputs ``0 .. c1-1``), then on Task
2 (classes ``task2_classes`` of another, outputs ``c1 .. c1+c2-1``) with no Task-1 data. Both tasks' test
accuracy is tracked per epoch: learning Task 2 makes the network forget Task 1 (Fig. 3A).

Every SGD step is kept in the dual form (:mod:`biokv.core.kv.dual_form`): each layer's weights are
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
(local files, see :mod:`biokv.data.datasets`), as in the paper; their official test sets are used and per-example
records would exceed 1 GiB, so only per-task sums are kept (``records="auto"``).
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.rng import run_generators
from biokv.core.kv.dual_form import DualFormMemory, accuracy, cross_entropy, forward, init_weights, sgd_epoch
from biokv.data.datasets import load_images, make_task
from biokv.experiments.kv.config import TASKS, ForgettingConfig

__all__ = ["LAYERS", "RECORD_LIMIT_BYTES", "forgetting_reactivation"]

LAYERS = ("hidden", "output")
RECORD_LIMIT_BYTES = 2**30  # records="auto" keeps per-example records up to this size, else per-task sums only


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
