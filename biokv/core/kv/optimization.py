"""Jointly optimised keys and values of a softmax key-value memory, batched over independent runs.

Gershman, Fiete & Irie (2025), *Key-value memory in the brain*, Fig. 2. Each of ``N`` events ``i`` belongs to a
class ``c(i)`` with a feature vector ``t_c`` ((0, 1), (1, 0), (1, 1) for the first three classes) and owns a
trainable key ``k_i`` and value ``v_i`` (both 2-D, initialised from U[0, 1)). Every event's own key is its query:

    a_ij = softmax_j(k_i . k_j / sqrt(d))       (d = key dimension, 2)
    r_i  = sum_j a_ij sigmoid(v_j)             (retrieved content)
    L    = mean_{i, component} (r_i - t_c(i))^2

The sum over ``j`` includes the event itself (``include_self=True``, the natural reading of "each event's key is
used as its query", and the default); ``include_self=False`` leaves the diagonal out (``a_ii = 0``). The values
enter through ``sigmoid(v)``: ``sigmoid(v_i)`` is the stored content of event ``i`` and lives in the same space
as the class features.

Gradients are written by hand. With ``g_i = dL/dr_i = 2 (r_i - t_c(i)) / (N d_v)`` and ``sigma_j = sigmoid(v_j)``:

    dL/dv_j = sigma_j (1 - sigma_j) * sum_i a_ij g_i
    dL/ds_ij = a_ij g_i . (sigma_j - r_i)                 (s_ij = k_i . k_j / sqrt(d); softmax Jacobian)
    dL/dk_m = (1 / sqrt(d)) sum_j (dL/ds_mj + dL/ds_jm) k_j  (the key appears as query and as key)

Parameters are updated with Adam (Kingma & Ba 2015, with bias correction; the defaults of PyTorch's
``torch.optim.Adam``: beta1 0.9, beta2 0.999, eps 1e-8). Runs are independent: each run's parameters follow the
gradient of its own loss. Arrays carry the run as their first axis: keys and values ``(R, N, d)``.

Measures of the learned configuration (all per run):

* :func:`silhouette`: mean silhouette coefficient of the keys with the classes as clusters (Euclidean distance,
  as ``sklearn.metrics.silhouette_score``), in [-1, 1];
* :func:`nearest_centroid_accuracy`: leave-one-out nearest-class-centroid accuracy of the keys, in [0, 1];
* :func:`within_class_attention`: mean attention weight that an event's query puts on keys of its own class,
  in [0, 1] (about 1 / n_classes for indiscriminate keys);
* :func:`value_error`: mean Euclidean distance of ``sigmoid(v_i)`` to the class feature ``t_c(i)``;
* :func:`retrieval_error`: mean Euclidean distance of the retrieved ``r_i`` to ``t_c(i)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from biokv.core.common.checks import check_int

__all__ = ["CLASS_FEATURES", "sigmoid", "class_features", "class_labels", "initial_parameters", "attention",
           "retrieve", "kv_loss", "loss_and_gradients", "Adam", "silhouette", "centroid_distances", "nearest_centroid_accuracy",
           "within_class_attention", "value_error", "retrieval_error", "KVTraining", "train_key_values"]

# Feature vectors of the classes, in order (Fig. 2: (0, 1) and (1, 0) with two classes; (1, 1) added with three).
CLASS_FEATURES = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ------------------------------------------------------------------------------------------------- validation
def _check_points(name: str, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < 2 or x.shape[2] < 1:
        raise ValueError(f"{name} must have shape (n_runs >= 1, n_events >= 2, dim >= 1), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


def _check_kv(keys, values) -> tuple[np.ndarray, np.ndarray]:
    keys = _check_points("keys", keys)
    values = _check_points("values", values)
    if values.shape[:2] != keys.shape[:2]:
        raise ValueError(f"values must have shape (n_runs, n_events, d_v) = ({keys.shape[0]}, {keys.shape[1]}, "
                         f"d_v) like keys {keys.shape}, got {values.shape}")
    return keys, values


def _check_targets(targets, values: np.ndarray) -> np.ndarray:
    targets = np.asarray(targets, dtype=np.float64)
    if targets.shape not in (values.shape, values.shape[1:]):
        raise ValueError(f"targets must have shape (n_events, d_v) = {values.shape[1:]} or (n_runs, n_events, d_v) "
                         f"= {values.shape}, got {targets.shape}")
    if not np.all(np.isfinite(targets)):
        raise ValueError("targets must be finite")
    return np.broadcast_to(targets, values.shape)


def _check_labels(labels, n_events: int) -> tuple[np.ndarray, int]:
    labels = np.asarray(labels)
    if labels.shape != (n_events,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be an integer array of shape (n_events,) = ({n_events},), got "
                         f"{labels.dtype} {labels.shape}")
    if labels.min() < 0:
        raise ValueError(f"labels must be class indices >= 0, got {labels.min()}")
    counts = np.bincount(labels)
    if counts.size < 2 or np.any(counts < 2):
        raise ValueError(f"labels must name at least 2 classes 0..C-1, each with at least 2 events; got counts "
                         f"{counts.tolist()}")
    return labels, counts.size


# ------------------------------------------------------------------------------------------------- the task
def class_features(n_classes: int) -> np.ndarray:
    """Feature vectors ``(n_classes, 2)`` of the first ``n_classes`` classes (``n_classes`` in [1, 3])."""
    n_classes = check_int("n_classes", n_classes, 1, len(CLASS_FEATURES))
    return CLASS_FEATURES[:n_classes].copy()


def class_labels(n_classes: int, events_per_class: int) -> np.ndarray:
    """Class index of each event, classes in blocks: ``[0] * n + [1] * n + ...`` (int64, length C n)."""
    n_classes = check_int("n_classes", n_classes, 1)
    events_per_class = check_int("events_per_class", events_per_class, 1)
    return np.repeat(np.arange(n_classes), events_per_class)


def initial_parameters(rngs, n_events: int, dim: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Keys and values ``(R, n_events, dim)`` drawn from U[0, 1), one generator per run (keys first)."""
    rngs = list(rngs)
    if not rngs or not all(isinstance(g, np.random.Generator) for g in rngs):
        raise ValueError("rngs must be one or more numpy.random.Generator (one per run)")
    n_events = check_int("n_events", n_events, 2)
    dim = check_int("dim", dim, 1)
    keys, values = [], []
    for g in rngs:
        keys.append(g.random((n_events, dim)))
        values.append(g.random((n_events, dim)))
    return np.stack(keys), np.stack(values)


# ------------------------------------------------------------------------------------------------- forward
def _scores(keys: np.ndarray, include_self: bool) -> np.ndarray:
    s = np.matmul(keys, keys.transpose(0, 2, 1)) * (1.0 / np.sqrt(keys.shape[-1]))
    if not include_self:
        idx = np.arange(keys.shape[1])
        s[:, idx, idx] = -np.inf
    return s


def _softmax(s: np.ndarray) -> np.ndarray:
    a = np.exp(s - s.max(axis=-1, keepdims=True))
    a /= a.sum(axis=-1, keepdims=True)
    return a


def sigmoid(x) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``, computed as ``(1 + tanh(x / 2)) / 2`` without overflow: the
    stored content of a value ``x``."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))


def attention(keys, include_self: bool = True) -> np.ndarray:
    """Attention weights ``a[r, i, j] = softmax_j(k_i . k_j / sqrt(d))`` of shape ``(R, N, N)``; rows sum to 1.

    With ``include_self=False`` the diagonal is left out of the softmax (``a[r, i, i] = 0``).
    """
    keys = _check_points("keys", keys)
    return _softmax(_scores(keys, include_self))


def retrieve(keys, values, include_self: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Retrieved contents ``r[r, i] = sum_j a[r, i, j] sigmoid(v[r, j])`` ``(R, N, d_v)`` and the attention."""
    keys, values = _check_kv(keys, values)
    a = _softmax(_scores(keys, include_self))
    return np.matmul(a, sigmoid(values)), a


def kv_loss(keys, values, targets, include_self: bool = True) -> np.ndarray:
    """Mean squared error of each run ``(R,)``: mean over events and components of ``(r_i - t_i)^2``."""
    keys, values = _check_kv(keys, values)
    targets = _check_targets(targets, values)
    r, _ = retrieve(keys, values, include_self)
    return np.mean((r - targets) ** 2, axis=(1, 2))


def _loss_and_gradients(keys, values, targets, include_self, work=None):
    """Loss, gradients, retrieved contents and attention; ``work``: two (R, N, N) float64 buffers (reused in
    place, which avoids allocating large arrays every step; the attention returned is the first buffer)."""
    r_, n, d_v = values.shape
    if work is None:
        work = (np.empty((r_, n, n)), np.empty((r_, n, n)))
    a, ds = work
    np.matmul(keys, keys.transpose(0, 2, 1), out=a)
    a *= 1.0 / np.sqrt(keys.shape[-1])
    if not include_self:
        idx = np.arange(n)
        a[:, idx, idx] = -np.inf
    a -= a.max(axis=-1, keepdims=True)
    np.exp(a, out=a)
    a /= a.sum(axis=-1, keepdims=True)                            # softmax over keys
    sig = sigmoid(values)
    r = np.matmul(a, sig)
    err = r - targets
    loss = np.mean(err ** 2, axis=(1, 2))
    g = err * (2.0 / (n * d_v))                                   # dL/dr_i
    grad_values = np.matmul(a.transpose(0, 2, 1), g) * sig * (1.0 - sig)
    # dL/ds_ij = a_ij (g_i . sigma_j - g_i . r_i)
    np.matmul(g, sig.transpose(0, 2, 1), out=ds)
    ds -= np.sum(g * r, axis=-1)[:, :, None]
    ds *= a
    grad_keys = (np.matmul(ds, keys) + np.matmul(ds.transpose(0, 2, 1), keys)) * (1.0 / np.sqrt(keys.shape[-1]))
    return loss, grad_keys, grad_values, r, a


def loss_and_gradients(keys, values, targets, include_self: bool = True
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss of each run and its hand-written gradients with respect to the keys and the values.

    Parameters
    ----------
    keys : array (R, N, d)
        Keys (each event's key is also its query).
    values : array (R, N, d_v)
        Values before the sigmoid.
    targets : array (N, d_v) or (R, N, d_v)
        Feature vector of each event's class.
    include_self : bool
        Whether an event's own key is in the softmax over keys.

    Returns
    -------
    loss : array (R,)
        Mean squared error of each run.
    grad_keys : array (R, N, d)
        ``d loss[r] / d keys[r]``.
    grad_values : array (R, N, d_v)
        ``d loss[r] / d values[r]``.
    """
    keys, values = _check_kv(keys, values)
    targets = _check_targets(targets, values)
    loss, gk, gv, _, _ = _loss_and_gradients(keys, values, targets, include_self)
    return loss, gk, gv


# ------------------------------------------------------------------------------------------------- Adam
class Adam:
    """Adam (Kingma & Ba 2015) with bias correction, elementwise on a list of arrays, as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``::

        m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
        p -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    Parameters
    ----------
    shapes : sequence of tuple
        Shapes of the parameters (the moments start at 0).
    learning_rate : float
        Step size ``lr`` > 0.
    beta1, beta2 : float
        Decay rates of the first and second moments, in [0, 1).
    eps : float
        Term added to the denominator, > 0.
    """

    def __init__(self, shapes, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}")
        if not (np.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
        if not (np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
        self.learning_rate, self.beta1, self.beta2, self.eps = float(learning_rate), beta1, beta2, eps
        self.shapes = [tuple(s) for s in shapes]
        self.m = [np.zeros(s) for s in self.shapes]
        self.v = [np.zeros(s) for s in self.shapes]
        self.t = 0

    def step(self, params, grads) -> None:
        """Update ``params`` (float64 arrays) in place from their gradients ``grads``."""
        params, grads = list(params), list(grads)
        if len(params) != len(self.shapes) or len(grads) != len(self.shapes):
            raise ValueError(f"params and grads must be {len(self.shapes)} arrays each, got {len(params)} and "
                             f"{len(grads)}")
        for p, g, s in zip(params, grads, self.shapes):
            if p.shape != s or np.shape(g) != s:
                raise ValueError(f"parameter and gradient shapes must be {s}, got {p.shape} and {np.shape(g)}")
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * np.square(g)
            p -= self.learning_rate * (m / c1) / (np.sqrt(v / c2) + self.eps)


# ------------------------------------------------------------------------------------------------- measures
def silhouette(points, labels) -> np.ndarray:
    """Mean silhouette coefficient of each run ``(R,)``, in [-1, 1], with the classes as clusters.

    For point ``i`` of class ``c``: ``a_i`` = mean Euclidean distance to the other points of ``c``, ``b_i`` = the
    smallest mean distance to the points of another class, ``s_i = (b_i - a_i) / max(a_i, b_i)`` (0 when both
    are 0). 1: tight, far-apart classes; about 0: overlapping classes.
    """
    points = _check_points("points", points)
    labels, n_classes = _check_labels(labels, points.shape[1])
    diff = points[:, :, None, :] - points[:, None, :, :]
    dist = np.sqrt(np.sum(diff * diff, axis=-1))                   # (R, N, N)
    onehot = (labels[:, None] == np.arange(n_classes)).astype(np.float64)
    counts = onehot.sum(axis=0)
    mean_to = np.matmul(dist, onehot)                              # (R, N, C): sums of distances
    own = onehot.astype(bool)
    a = mean_to[:, own] / (counts[labels] - 1)                     # self distance is 0
    other = np.where(own, np.inf, mean_to / counts)
    b = other.min(axis=-1)
    denom = np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    return s.mean(axis=1)


def centroid_distances(points, labels) -> np.ndarray:
    """Squared Euclidean distances ``(R, N, C)`` of each point to each class centroid, leaving the point out of
    its own class's centroid (the leave-one-out distances of :func:`nearest_centroid_accuracy`)."""
    points = _check_points("points", points)
    labels, n_classes = _check_labels(labels, points.shape[1])
    onehot = (labels[:, None] == np.arange(n_classes)).astype(np.float64)
    counts = onehot.sum(axis=0)
    sums = np.einsum("rnd,nc->rcd", points, onehot)                # (R, C, d)
    centroids = np.repeat((sums / counts[:, None])[:, None], points.shape[1], axis=1)  # (R, N, C, d)
    idx = np.arange(points.shape[1])
    centroids[:, idx, labels] = (sums[:, labels] - points) / (counts[labels] - 1)[:, None]
    return np.sum((centroids - points[:, :, None, :]) ** 2, axis=-1)


def nearest_centroid_accuracy(points, labels) -> np.ndarray:
    """Leave-one-out nearest-centroid accuracy of each run ``(R,)``, in [0, 1].

    Point ``i`` is assigned to the class whose centroid (its own class's computed without ``i``) is nearest in
    Euclidean distance; the accuracy is the fraction assigned to their own class (ties count as errors).
    """
    d2 = centroid_distances(points, labels)
    idx = np.arange(d2.shape[1])
    labels = np.asarray(labels)
    own = d2[:, idx, labels].copy()
    d2[:, idx, labels] = np.inf
    return np.mean(own < d2.min(axis=-1), axis=1)


def within_class_attention(attn, labels) -> np.ndarray:
    """Mean attention weight on same-class keys ``(R,)``: ``mean_i sum_{j: c(j) = c(i)} a_ij``, in [0, 1]."""
    attn = np.asarray(attn, dtype=np.float64)
    if attn.ndim != 3 or attn.shape[1] != attn.shape[2]:
        raise ValueError(f"attn must have shape (n_runs, n_events, n_events), got {attn.shape}")
    labels, _ = _check_labels(labels, attn.shape[1])
    same = labels[:, None] == labels[None, :]
    return np.sum(attn * same, axis=(1, 2)) / attn.shape[1]


def value_error(values, targets) -> np.ndarray:
    """Mean Euclidean distance ``(R,)`` of the stored contents ``sigmoid(v_i)`` to their class features."""
    values = _check_points("values", values)
    targets = _check_targets(targets, values)
    return np.mean(np.linalg.norm(sigmoid(values) - targets, axis=-1), axis=1)


def retrieval_error(retrieved, targets) -> np.ndarray:
    """Mean Euclidean distance ``(R,)`` of the retrieved contents ``r_i`` to their class features."""
    retrieved = _check_points("retrieved", retrieved)
    targets = _check_targets(targets, retrieved)
    return np.mean(np.linalg.norm(retrieved - targets, axis=-1), axis=1)


# ------------------------------------------------------------------------------------------------- training
@dataclass
class KVTraining:
    """What :func:`train_key_values` records.

    Attributes
    ----------
    steps : int64 (T,)
        Optimisation steps of the records (0 = the initialisation; the last one is ``n_steps``).
    keys, values : float64 (T, R, N, d)
        Keys and values (before the sigmoid) at the recorded steps.
    loss : float64 (T, R)
        Loss of each run at the recorded steps.
    silhouette, nearest_centroid_accuracy, within_class_attention : float64 (T, R)
        Key separation by class (see the module's measures).
    value_error, retrieval_error : float64 (T, R)
        Mean distance of ``sigmoid(v)`` and of the retrieved content to the class features.
    """

    steps: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    loss: np.ndarray
    silhouette: np.ndarray
    nearest_centroid_accuracy: np.ndarray
    within_class_attention: np.ndarray
    value_error: np.ndarray
    retrieval_error: np.ndarray


def train_key_values(keys, values, labels, features, n_steps: int, learning_rate: float = 3e-4,
                     record_every: int = 50, include_self: bool = True, beta1: float = 0.9, beta2: float = 0.999,
                     eps: float = 1e-8, progress: Callable | None = None) -> KVTraining:
    """Optimise keys and values of ``R`` independent runs with Adam on the retrieval loss.

    Parameters
    ----------
    keys, values : array (R, N, d)
        Initial keys and values (not modified).
    labels : int array (N,)
        Class of each event (0 .. C-1, each class with at least 2 events).
    features : array (C, d_v)
        Feature vector of each class (the target of its events' retrieval).
    n_steps : int
        Adam steps (>= 0), one full-batch gradient per step.
    learning_rate, beta1, beta2, eps : float
        Adam's parameters (see :class:`Adam`).
    record_every : int
        Record parameters and measures every ``record_every`` steps (>= 1), and after the last step.
    include_self : bool
        Whether an event's own key is in its softmax.
    progress : callable, optional
        ``progress(iterable, total=...)`` wrapping the step loop (e.g. a tqdm bar).

    Returns
    -------
    KVTraining
    """
    keys, values = _check_kv(keys, values)
    labels, n_classes = _check_labels(labels, keys.shape[1])
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] != n_classes or features.shape[1] != values.shape[2]:
        raise ValueError(f"features must have shape (n_classes, d_v) = ({n_classes}, {values.shape[2]}), got "
                         f"{features.shape}")
    n_steps = check_int("n_steps", n_steps, 0)
    record_every = check_int("record_every", record_every, 1)
    targets = np.broadcast_to(features[labels], values.shape)
    keys, values = keys.copy(), values.copy()
    opt = Adam([keys.shape, values.shape], learning_rate, beta1, beta2, eps)
    steps = np.unique(np.append(np.arange(0, n_steps + 1, record_every), n_steps))
    names = ("loss", "silhouette", "nearest_centroid_accuracy", "within_class_attention", "value_error",
             "retrieval_error")
    rec = {name: [] for name in names}
    rec_keys, rec_values = [], []

    def record(loss, r, a):
        rec_keys.append(keys.copy())
        rec_values.append(values.copy())
        rec["loss"].append(loss)
        rec["silhouette"].append(silhouette(keys, labels))
        rec["nearest_centroid_accuracy"].append(nearest_centroid_accuracy(keys, labels))
        rec["within_class_attention"].append(within_class_attention(a, labels))
        rec["value_error"].append(value_error(values, targets))
        rec["retrieval_error"].append(retrieval_error(r, targets))

    it = range(n_steps + 1)
    if progress is not None:
        it = progress(it, total=n_steps + 1)
    next_record = 0
    work = (np.empty(keys.shape[:2] + keys.shape[1:2]), np.empty(keys.shape[:2] + keys.shape[1:2]))
    for step in it:
        loss, gk, gv, r, a = _loss_and_gradients(keys, values, targets, include_self, work)
        if step == steps[next_record]:
            record(loss, r, a)
            next_record += 1
        if step < n_steps:
            opt.step([keys, values], [gk, gv])
    return KVTraining(steps=steps, keys=np.stack(rec_keys), values=np.stack(rec_values),
                      **{name: np.stack(v) for name, v in rec.items()})
