"""A one-hidden-layer ReLU network trained by SGD, kept in its dual (key-value memory) form.

Irie, Csordas & Schmidhuber (2022), *The dual form of neural networks revisited*: a linear layer ``y = W x``
trained by gradient descent from ``W0`` has, after ``T`` updates, the weights

    W = W0 + sum_t e_t k_t^T,

where ``k_t`` is the layer's input (the *key*) and ``e_t = -lr * dL/dy_t`` the error signal at its output (the
*value*, already scaled by the learning rate) for every training example ``t`` seen. The layer's output for a
query ``x`` is then ``W0 x + sum_t e_t (k_t . x)``: unnormalised dot-product attention over every training
example ever seen. Gershman, Fiete & Irie (2025, Fig. 3) use this to read forgetting as retrieval failure: the
key-value pairs written while learning a task are all still there after a second task, and scaling them by
``beta`` brings the first task back.

The network here has no biases: ``a = W1 x`` (pre-activation of ``n_hidden`` ReLU units), ``h = relu(a)``,
``logits = W2 h``; the loss is the cross-entropy of a softmax over all outputs, averaged over the examples of a
mini-batch. With batch size ``b`` the values are

    e2 = -(lr / b) (softmax(logits) - onehot(label))      (layer 2, key h)
    e1 = (W2^T e2) * [a > 0]                               (layer 1, key x)

so that one SGD step is exactly ``W2 += sum_b e2_b h_b^T`` and ``W1 += sum_b e1_b x_b^T`` (both computed with
the weights before the step). The derivative of the ReLU at 0 is taken as 0.

Every array carries the run as its first axis: ``R`` independent networks are trained at once (their own
initial weights and data order) with batched matrix products; only the SGD steps are a Python loop. Inputs may
be shared by all runs (``(n, n_in)``, labels ``(n,)``) or given per run (``(R, n, n_in)``, labels ``(R, n)``).
All arithmetic is float64.

:class:`DualFormMemory` keeps the records of training, grouped by task: either every example's key and value
(``store="examples"``: the dual form itself, whose outputs can be computed and compared with the trained
network's), or only the per-task sums ``sum_t e_t k_t^T`` of each layer (``store="tasks"``: enough to rebuild
the weights with each task's pairs scaled, at a memory cost independent of the number of examples).
"""

from __future__ import annotations

import numpy as np

__all__ = ["init_weights", "forward", "cross_entropy", "error_signals", "sgd_step", "sgd_epoch", "accuracy",
           "DualFormMemory", "RECORD_STORES"]

RECORD_STORES = ("examples", "tasks")


# ---------------------------------------------------------------------------------------------- checks
def _check_weights(w1, w2) -> tuple[np.ndarray, np.ndarray]:
    w1 = np.asarray(w1, dtype=np.float64)
    w2 = np.asarray(w2, dtype=np.float64)
    if w1.ndim != 3:
        raise ValueError(f"w1 must have shape (runs, n_hidden, n_in), got shape {w1.shape}")
    if w2.ndim != 3 or w2.shape[0] != w1.shape[0] or w2.shape[2] != w1.shape[1]:
        raise ValueError(f"w2 must have shape (runs, n_out, n_hidden) = ({w1.shape[0]}, n_out, {w1.shape[1]}) "
                         f"to match w1 of shape {w1.shape}, got shape {w2.shape}")
    return w1, w2


def _check_inputs(x, n_runs: int, n_in: int, name: str = "x") -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        ok = x.shape[1] == n_in
    elif x.ndim == 3:
        ok = x.shape[0] == n_runs and x.shape[2] == n_in
    else:
        ok = False
    if not ok:
        raise ValueError(f"{name} must have shape (n, {n_in}) (shared by all runs) or ({n_runs}, n, {n_in}) "
                         f"(one set per run), got shape {x.shape}")
    return x


def _check_labels(labels, x: np.ndarray, n_out: int, name: str = "labels") -> np.ndarray:
    labels = np.asarray(labels)
    want = x.shape[:-1]
    if labels.shape != want and not (x.ndim == 3 and labels.shape == want[1:]):
        raise ValueError(f"{name} must have shape {want} (one label per example of x), got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        raise ValueError(f"{name} must be in [0, {n_out - 1}] (the network's outputs), got values in "
                         f"[{labels.min()}, {labels.max()}]")
    return labels.astype(np.int64, copy=False)


def _check_learning_rate(learning_rate) -> float:
    lr = float(learning_rate)
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning_rate={learning_rate!r} is out of range: must be a finite number > 0")
    return lr


# ---------------------------------------------------------------------------------------------- the network
def init_weights(rngs, n_in: int, n_hidden: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Initial weights of ``len(rngs)`` networks, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (PyTorch's default).

    Parameters
    ----------
    rngs : sequence of numpy.random.Generator
        One generator per run; each draws ``W1`` then ``W2``.
    n_in, n_hidden, n_out : int
        Layer sizes (each >= 1).

    Returns
    -------
    w1 : float64 (R, n_hidden, n_in)
    w2 : float64 (R, n_out, n_hidden)
    """
    for name, v in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}={v!r} is out of range: must be an integer >= 1")
    rngs = list(rngs)
    if not rngs:
        raise ValueError("rngs must hold at least one generator (one per run)")
    b1, b2 = 1.0 / np.sqrt(n_in), 1.0 / np.sqrt(n_hidden)
    w1, w2 = [], []
    for rng in rngs:
        w1.append(rng.uniform(-b1, b1, size=(n_hidden, n_in)))
        w2.append(rng.uniform(-b2, b2, size=(n_out, n_hidden)))
    return np.stack(w1), np.stack(w2)


def forward(w1, w2, x):
    """Pre-activations, hidden activities and output logits of every run.

    Parameters
    ----------
    w1 : float64 (R, n_hidden, n_in)
    w2 : float64 (R, n_out, n_hidden)
    x : float64 (n, n_in) shared by all runs, or (R, n, n_in)

    Returns
    -------
    pre, hidden : float64 (R, n, n_hidden)
    logits : float64 (R, n, n_out)
    """
    w1, w2 = _check_weights(w1, w2)
    x = _check_inputs(x, w1.shape[0], w1.shape[2])
    pre = x @ w1.transpose(0, 2, 1)
    hidden = np.maximum(pre, 0.0)
    return pre, hidden, hidden @ w2.transpose(0, 2, 1)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _mean_nll(logp: np.ndarray, labels: np.ndarray) -> np.ndarray:
    labels = np.broadcast_to(labels, logp.shape[:-1])
    return -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0].mean(axis=-1)


def cross_entropy(logits, labels) -> np.ndarray:
    """Mean cross-entropy of a softmax over all outputs, per run.

    Parameters
    ----------
    logits : float64 (R, n, n_out)
    labels : int (R, n) or (n,), in [0, n_out)

    Returns
    -------
    float64 (R,)
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 3 or logits.shape[1] == 0:
        raise ValueError(f"logits must have shape (runs, n, n_out) with n >= 1, got shape {logits.shape}")
    labels = _check_labels(labels, logits, logits.shape[2])
    return _mean_nll(_log_softmax(logits), labels)


def error_signals(w1, w2, x, labels, learning_rate: float) -> dict:
    """Keys and values of one SGD step on the mini-batch ``x`` (the mean cross-entropy over its examples).

    Parameters
    ----------
    w1, w2 : float64 (R, n_hidden, n_in), (R, n_out, n_hidden)
        Weights before the step.
    x : float64 (R, b, n_in) or (b, n_in)
        The mini-batch of each run (or one shared by all runs).
    labels : int (R, b) or (b,), in [0, n_out)
    learning_rate : float
        > 0.

    Returns
    -------
    dict
        ``key1`` (R, b, n_in): the inputs; ``value1`` (R, b, n_hidden): ``-lr * dL/da``; ``key2`` (R, b, n_hidden):
        the hidden activities; ``value2`` (R, b, n_out): ``-lr * dL/dlogits``; ``logits`` (R, b, n_out) and
        ``loss`` (R,): before the step. The step is ``W += value^T key`` summed over the batch, per layer.
    """
    w1, w2 = _check_weights(w1, w2)
    x = _check_inputs(x, w1.shape[0], w1.shape[2])
    labels = _check_labels(labels, x, w2.shape[1])
    lr = _check_learning_rate(learning_rate)
    if x.shape[-2] == 0:
        raise ValueError("x must hold at least one example")
    pre, hidden, logits = forward(w1, w2, x)
    n_runs, b = pre.shape[0], pre.shape[1]
    labels = np.broadcast_to(labels, (n_runs, b))
    logp = _log_softmax(logits)
    grad = np.exp(logp)
    grad[np.arange(n_runs)[:, None], np.arange(b)[None, :], labels] -= 1.0
    value2 = -(lr / b) * grad
    value1 = (value2 @ w2) * (pre > 0)
    key1 = np.broadcast_to(x, (n_runs, b, w1.shape[2]))
    return dict(key1=key1, value1=value1, key2=hidden, value2=value2, logits=logits,
                loss=_mean_nll(logp, labels))


def _outer_sum(value: np.ndarray, key: np.ndarray) -> np.ndarray:
    """``sum_b value_b key_b^T`` per run: (R, b, o), (R, b, i) -> (R, o, i)."""
    return value.transpose(0, 2, 1) @ key


def sgd_step(w1, w2, x, labels, learning_rate: float, memory: "DualFormMemory | None" = None, task: int = 0):
    """One plain SGD step on the mean cross-entropy of a mini-batch; returns the new ``(w1, w2)``.

    The step's keys and values are written to ``memory`` (under ``task``) when one is given.
    """
    w1, w2 = _check_weights(w1, w2)
    s = error_signals(w1, w2, x, labels, learning_rate)
    d1 = _outer_sum(s["value1"], s["key1"])
    d2 = _outer_sum(s["value2"], s["key2"])
    if memory is not None:
        memory.record(task, s["key1"], s["value1"], s["key2"], s["value2"], (d1, d2))
    return w1 + d1, w2 + d2


def sgd_epoch(w1, w2, x, labels, order, batch_size: int, learning_rate: float,
              memory: "DualFormMemory | None" = None, task: int = 0):
    """One epoch of mini-batch SGD: every run visits its training examples in its own order.

    Parameters
    ----------
    w1, w2 : float64 (R, n_hidden, n_in), (R, n_out, n_hidden)
    x : float64 (n, n_in) shared by all runs, or (R, n, n_in)
    labels : int (n,) or (R, n), in [0, n_out)
    order : int (R, n)
        Row ``r``: a permutation of ``range(n)``, the order in which run ``r`` sees the examples. Consecutive
        blocks of ``batch_size`` form the mini-batches (the last one may be smaller).
    batch_size : int
        >= 1.
    learning_rate : float
        > 0.
    memory : DualFormMemory, optional
        Receives the keys and values of every step, under ``task``.

    Returns
    -------
    (w1, w2) after the epoch.
    """
    w1, w2 = _check_weights(w1, w2)
    n_runs = w1.shape[0]
    x = _check_inputs(x, n_runs, w1.shape[2])
    labels = _check_labels(labels, x, w2.shape[1])
    n = x.shape[-2]
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} is out of range: must be an integer >= 1")
    order = np.asarray(order)
    if order.shape != (n_runs, n) or not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"order must be an integer array of shape ({n_runs}, {n}) (a permutation of the {n} "
                         f"examples per run), got {order.dtype} array of shape {order.shape}")
    if n and not (np.sort(order, axis=1) == np.arange(n)).all():
        raise ValueError(f"order must hold a permutation of range({n}) in every row")
    rows = np.arange(n_runs)[:, None]
    for start in range(0, n, batch_size):
        idx = order[:, start:start + batch_size]
        xb = x[idx] if x.ndim == 2 else x[rows, idx]
        yb = labels[idx] if labels.ndim == 1 else labels[rows, idx]
        w1, w2 = sgd_step(w1, w2, xb, yb, learning_rate, memory, task)
    return w1, w2


def accuracy(logits, labels, outputs=None) -> np.ndarray:
    """Fraction of examples whose largest logit is the label's, per run (ties: the lowest output wins).

    Parameters
    ----------
    logits : float64 (..., R, n, n_out)
    labels : int (R, n) or (n,)
    outputs : sequence of int, optional
        Compare only these outputs (e.g. a task's own outputs); every label must be one of them.

    Returns
    -------
    float64 (..., R)
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim < 3 or logits.shape[-2] == 0:
        raise ValueError(f"logits must have shape (..., runs, n, n_out) with n >= 1, got shape {logits.shape}")
    labels = np.asarray(labels)
    if labels.shape not in (logits.shape[-3:-1], logits.shape[-2:-1]):
        raise ValueError(f"labels must have shape {logits.shape[-3:-1]} or {logits.shape[-2:-1]}, got shape "
                         f"{labels.shape}")
    n_out = logits.shape[-1]
    if outputs is None:
        outputs = np.arange(n_out)
    outputs = np.asarray(outputs)
    if outputs.ndim != 1 or outputs.size == 0 or outputs.min() < 0 or outputs.max() >= n_out:
        raise ValueError(f"outputs must be one or more output indices in [0, {n_out - 1}], got {outputs.tolist()}")
    if not np.isin(labels, outputs).all():
        raise ValueError(f"labels must be among outputs={outputs.tolist()}, got values {np.unique(labels).tolist()}")
    predicted = outputs[np.argmax(logits[..., outputs], axis=-1)]
    return (predicted == labels).mean(axis=-1)


# ---------------------------------------------------------------------------------------------- the dual form
class DualFormMemory:
    """The key-value records of SGD training, grouped by task.

    Parameters
    ----------
    w1, w2 : float64 (R, n_hidden, n_in), (R, n_out, n_hidden)
        Initial weights ``W0`` (copied).
    n_tasks : int
        Number of tasks (record groups), >= 1.
    store : {"examples", "tasks"}
        ``"examples"``: every example's keys and values (the dual form; memory ``R * N * (n_in + 2 n_hidden +
        n_out)`` floats for ``N`` training examples seen); ``"tasks"``: only the per-task sums of outer products
        (memory ``n_tasks * R * (n_hidden n_in + n_out n_hidden)`` floats).

    Notes
    -----
    Whatever the store, :attr:`deltas` holds the per-task sums ``D_k = sum_{t in task k} e_t k_t^T`` of each
    layer, accumulated step by step; :meth:`weights` rebuilds ``W0 + sum_k beta_k D_k``. With every ``beta_k =
    1`` this is the trained network (up to the order of floating-point additions); with ``beta_k = 0`` for
    every task it is ``W0`` exactly.
    """

    def __init__(self, w1, w2, n_tasks: int = 1, store: str = "examples"):
        w1, w2 = _check_weights(w1, w2)
        if isinstance(n_tasks, bool) or not isinstance(n_tasks, (int, np.integer)) or n_tasks < 1:
            raise ValueError(f"n_tasks={n_tasks!r} is out of range: must be an integer >= 1")
        if store not in RECORD_STORES:
            raise ValueError(f"store={store!r} is not allowed: must be one of {', '.join(RECORD_STORES)}")
        self.w1_0, self.w2_0 = w1.copy(), w2.copy()
        self.n_tasks = int(n_tasks)
        self.store = store
        self.delta1 = np.zeros((self.n_tasks,) + w1.shape)
        self.delta2 = np.zeros((self.n_tasks,) + w2.shape)
        self.n_steps = 0
        self._chunks: list[tuple] = []
        self._arrays = None

    @property
    def n_runs(self) -> int:
        return self.w1_0.shape[0]

    @property
    def deltas(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-task sums of ``e k^T``: layer 1 (n_tasks, R, n_hidden, n_in), layer 2 (n_tasks, R, n_out,
        n_hidden)."""
        return self.delta1, self.delta2

    def record(self, task: int, key1, value1, key2, value2, outer=None):
        """Add the keys and values of one SGD step (arrays (R, b, .) as returned by :func:`error_signals`).

        ``outer``: the step's ``(sum_b value1 key1^T, sum_b value2 key2^T)`` if already computed.
        """
        if isinstance(task, bool) or not isinstance(task, (int, np.integer)) or not 0 <= task < self.n_tasks:
            raise ValueError(f"task={task!r} is out of range: must be an integer in [0, {self.n_tasks - 1}]")
        R, (H, n_in), n_out = self.n_runs, self.w1_0.shape[1:], self.w2_0.shape[1]
        arrays = [np.asarray(a, dtype=np.float64) for a in (key1, value1, key2, value2)]
        b = arrays[0].shape[1] if arrays[0].ndim == 3 else -1
        for name, a, width in zip(("key1", "value1", "key2", "value2"), arrays, (n_in, H, H, n_out)):
            if a.shape != (R, b, width):
                raise ValueError(f"{name} must have shape (runs, batch, {width}) = ({R}, {b}, {width}), got "
                                 f"shape {a.shape}")
        if outer is None:
            outer = (_outer_sum(arrays[1], arrays[0]), _outer_sum(arrays[3], arrays[2]))
        self.delta1[task] += outer[0]
        self.delta2[task] += outer[1]
        if self.store == "examples":
            self._chunks.append((task, self.n_steps, *(a.copy() for a in arrays)))
            self._arrays = None
        self.n_steps += 1

    def records(self) -> dict:
        """Every example's record (``store="examples"`` only): ``key1`` (R, N, n_in), ``value1`` (R, N, n_hidden),
        ``key2`` (R, N, n_hidden), ``value2`` (R, N, n_out), ``task`` (N,) and ``step`` (N,)."""
        if self.store != "examples":
            raise ValueError(f"this memory keeps only per-task sums (store={self.store!r}); per-example records "
                             "need store='examples'")
        if self._arrays is None:
            widths = (self.w1_0.shape[2], self.w1_0.shape[1], self.w1_0.shape[1], self.w2_0.shape[1])
            arrays = {}
            for i, (name, width) in enumerate(zip(("key1", "value1", "key2", "value2"), widths)):
                parts = [ch[2 + i] for ch in self._chunks]
                arrays[name] = np.concatenate(parts, axis=1) if parts else np.zeros((self.n_runs, 0, width))
            sizes = [ch[2].shape[1] for ch in self._chunks]
            arrays["task"] = np.repeat(np.array([ch[0] for ch in self._chunks], dtype=np.int64), sizes)
            arrays["step"] = np.repeat(np.array([ch[1] for ch in self._chunks], dtype=np.int64), sizes)
            self._arrays = arrays
        return self._arrays

    @property
    def n_records(self) -> int:
        """Training examples seen (records per run)."""
        return int(sum(ch[2].shape[1] for ch in self._chunks)) if self.store == "examples" else -1

    def _scales(self, beta) -> np.ndarray:
        beta = np.asarray(1.0 if beta is None else beta, dtype=np.float64)
        if beta.ndim == 0:
            beta = np.full(self.n_tasks, float(beta))
        if beta.shape[0] != self.n_tasks:
            raise ValueError(f"beta must give one scale per task ({self.n_tasks}) along its first axis, got shape "
                             f"{beta.shape}")
        if not np.isfinite(beta).all():
            raise ValueError("beta must be finite")
        return beta

    def weights(self, beta=None) -> tuple[np.ndarray, np.ndarray]:
        """``W0 + sum_k beta_k D_k`` for both layers.

        Parameters
        ----------
        beta : float or array of shape (n_tasks, ...), optional
            Scale of each task's key-value pairs (default 1: the trained network). Extra axes after the first
            become leading axes of the result, e.g. ``beta`` of shape (n_tasks, G) gives weights (G, R, ., .).

        Returns
        -------
        w1 : (..., R, n_hidden, n_in), w2 : (..., R, n_out, n_hidden)
        """
        beta = self._scales(beta)
        extra = beta.shape[1:]
        w1 = np.broadcast_to(self.w1_0, extra + self.w1_0.shape).copy()
        w2 = np.broadcast_to(self.w2_0, extra + self.w2_0.shape).copy()
        for k in range(self.n_tasks):
            s = beta[k].reshape(extra + (1, 1, 1))
            w1 += s * self.delta1[k]
            w2 += s * self.delta2[k]
        return w1, w2

    def grid_outputs(self, x, beta) -> np.ndarray:
        """Logits of the rebuilt networks ``W0 + sum_k beta_k D_k`` for a grid of task scalings.

        The first layer's pre-activation is linear in the scales, ``x W0^T + sum_k beta_k x D_k^T``, so its
        per-task parts are computed once for the whole grid (the cost of a grid point is then that of the small
        second layer).

        Parameters
        ----------
        x : float64 (n, n_in) or (R, n, n_in)
        beta : array (n_tasks, G)
            Column ``g``: the scale of each task's key-value pairs at grid point ``g``.

        Returns
        -------
        float64 (G, R, n, n_out); point ``g`` equals ``forward(*weights(beta[:, g]), x)[2]`` up to rounding.
        """
        x = _check_inputs(x, self.n_runs, self.w1_0.shape[2])
        beta = self._scales(beta)
        if beta.ndim != 2:
            raise ValueError(f"beta must have shape (n_tasks, G) = ({self.n_tasks}, G), got shape {beta.shape}")
        base = x @ self.w1_0.transpose(0, 2, 1)
        parts = [x @ d.transpose(0, 2, 1) for d in self.delta1]
        out = np.empty((beta.shape[1], self.n_runs, x.shape[-2], self.w2_0.shape[1]))
        for g in range(beta.shape[1]):
            pre = base.copy()
            w2 = self.w2_0.copy()
            for k in range(self.n_tasks):
                pre += beta[k, g] * parts[k]
                w2 += beta[k, g] * self.delta2[k]
            out[g] = np.maximum(pre, 0.0) @ w2.transpose(0, 2, 1)
        return out

    def dual_outputs(self, x, beta=None, chunk: int = 512) -> np.ndarray:
        """The network's logits computed in the dual form, from the records (``store="examples"``).

        Each layer's output is ``W0 q + sum_t beta_{task(t)} e_t (k_t . q)`` (unnormalised attention over the
        training examples), layer 2 taking the dual-form hidden activities of layer 1 as its queries.

        Parameters
        ----------
        x : float64 (n, n_in) or (R, n, n_in)
        beta : float or (n_tasks,), optional
            Scale of each task's records (default 1).
        chunk : int
            Queries per block (bounds the (R, chunk, N) attention scores held at once).

        Returns
        -------
        float64 (R, n, n_out)
        """
        rec = self.records()
        x = _check_inputs(x, self.n_runs, self.w1_0.shape[2])
        beta = self._scales(beta)
        if beta.ndim != 1:
            raise ValueError(f"beta must be a scalar or one scale per task, got shape {beta.shape}")
        s = beta[rec["task"]][None, :, None]
        v1, v2 = rec["value1"] * s, rec["value2"] * s
        k1t, k2t = rec["key1"].transpose(0, 2, 1), rec["key2"].transpose(0, 2, 1)
        out = []
        for start in range(0, x.shape[-2], max(1, int(chunk))):
            q = x[..., start:start + chunk, :]
            pre = q @ self.w1_0.transpose(0, 2, 1) + (q @ k1t) @ v1
            h = np.maximum(pre, 0.0)
            out.append(h @ self.w2_0.transpose(0, 2, 1) + (h @ k2t) @ v2)
        if not out:
            return np.zeros((self.n_runs, 0, self.w2_0.shape[1]))
        return np.concatenate(out, axis=1)
