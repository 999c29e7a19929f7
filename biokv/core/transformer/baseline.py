"""The minimal (baseline) transformer of the Case Sequence Task, batched over sequences and independent trials.

Bhandarkar & McClelland (2025), section 3.2, SI B.2.5 and SI B.4 (Eqs. 3, S11-S13). Slow weights: a query
matrix ``W_Q`` and a key matrix ``W_K`` (``k_dim x n``, ``n = 3 L`` one-hot tokens) and a value matrix ``W_V``
(``2 x n``: one output per case). With context items ``x_1 .. x_N`` and query token ``x_q``:

    q = W_Q x_q,   k_j = W_K x_j,   v_j = W_V x_j
    s = softmax_j(beta q . k_j),    beta = 1 / sqrt(k_dim)
    y_hat = sum_j s_j v_j                                                     (Eq. 3)

The inverse temperature ``beta`` is ``1 / sqrt(k_dim)`` by default: SI B.4 writes the baseline's attention with
an inverse temperature "usually taken to be 1/sqrt(d_k)", and Theorem 7 (SI B.5.2) sets it to 1 "for simplicity
(rather than 1/sqrt(d_k))", which implies the experiments used ``1 / sqrt(k_dim)``. ``beta=1`` (the MHN query
step's temperature) is available. The attention mask lets the query attend to the ``N`` context items only (the
items do not attend to each other and the query token has no key of its own; sec. 3.2). The training loss is
the sum over the batch of the squared errors ``||y_hat - y||^2`` (SSE, sec. 3.2 and SI B.2.5), minimised by plain
gradient descent (no momentum) with one learning rate for all three matrices (1e-3, SI B.2.5). Its exact
gradients, written by hand (Eqs. S11-S13 with the factor 2 of the squared error kept): with ``e = 2 (y_hat - y)``,

    dL/dW_V = sum_j s_j e x_j^T
    g_j     = s_j (e . v_j - sum_i s_i e . v_i)            (through the softmax)
    dL/dW_Q = beta sum_j g_j k_j x_q^T
    dL/dW_K = beta sum_j g_j q x_j^T

each summed over the sequences of the batch. Initialisation (SI B.2.5, as read for biokv): entries of ``W_Q`` and
``W_K`` are ``0.25 / sqrt(k_dim)`` times a standard normal; entries of ``W_V`` are uniform on ``[0, 0.1)``.

Arrays carry the independent trials as their leading axis: weights ``(T, k_dim, n)`` and ``(T, 2, n)``, one-hot
inputs ``(T, B, N, n)`` and ``(T, B, n)``, targets ``(T, B, 2)``. Each trial follows the gradient of its own
batch; nothing is shared between trials.

Reported per iteration (SI B.2.5, Eq. S10): the batch accuracy (``argmax y_hat == argmax y``, mean over the
batch) and the batch loss (``||y_hat - y||^2`` averaged over the sequences of the batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biokv.core.transformer.task import CaseSequenceBatch
from biokv.core.common.checks import check_generators, check_int, check_nonnegative

__all__ = ["N_OUTPUTS", "StepResult", "softmax", "softmax_backward", "batch_metrics", "init_slow_weights",
           "forward", "loss_and_gradients", "MinimalTransformer"]

N_OUTPUTS = 2  # one output (and value component) per case: lowercase, uppercase


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (stable: the maximum is subtracted first)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(s: np.ndarray, grad_s: np.ndarray) -> np.ndarray:
    """Gradient with respect to the logits of ``s = softmax(z)`` given the gradient ``grad_s`` w.r.t. ``s``."""
    return s * (grad_s - np.sum(s * grad_s, axis=-1, keepdims=True))


def batch_metrics(output: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy (arg-max of the output equals the target's) and loss (``||y_hat - y||^2``), each averaged over
    the batch axis (second to last but one): ``(T, B, 2) -> (T,), (T,)``."""
    correct = np.argmax(output, axis=-1) == np.argmax(target, axis=-1)
    return correct.mean(axis=-1), np.sum((output - target) ** 2, axis=-1).mean(axis=-1)


def init_slow_weights(rngs, n_tokens: int, k_dim: int, key_scale: float = 0.25, value_high: float = 0.1
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial slow weights ``W_Q, W_K (T, k_dim, n_tokens)`` and ``W_V (T, 2, n_tokens)``.

    Per trial generator, in this order: ``W_Q`` and ``W_K`` entries ``key_scale / sqrt(k_dim)`` times a standard
    normal, then ``W_V`` entries uniform on ``[0, value_high)``.
    """
    rngs = check_generators(rngs)
    n_tokens = check_int("n_tokens", n_tokens, 1)
    k_dim = check_int("k_dim", k_dim, 1)
    key_scale = check_nonnegative("key_scale", key_scale)
    value_high = check_nonnegative("value_high", value_high)
    sd = key_scale / np.sqrt(k_dim)
    wq, wk, wv = [], [], []
    for g in rngs:
        wq.append(sd * g.standard_normal((k_dim, n_tokens)))
        wk.append(sd * g.standard_normal((k_dim, n_tokens)))
        wv.append(value_high * g.random((N_OUTPUTS, n_tokens)))
    return np.stack(wq), np.stack(wk), np.stack(wv)


def _check_inputs(W_Q, W_K, W_V, context, query, target=None):
    T, k_dim, n = W_Q.shape
    if W_K.shape != (T, k_dim, n) or W_V.shape != (T, N_OUTPUTS, n):
        raise ValueError(f"W_Q, W_K must have shape (T, k_dim, n) and W_V (T, 2, n); got {W_Q.shape}, {W_K.shape}, "
                         f"{W_V.shape}")
    if context.ndim != 4 or context.shape[0] != T or context.shape[3] != n:
        raise ValueError(f"context must have shape (T={T}, B, N, n={n}), got {context.shape}")
    if query.shape != (T, context.shape[1], n):
        raise ValueError(f"query must have shape (T, B, n) = {(T, context.shape[1], n)}, got {query.shape}")
    if target is not None and target.shape != (T, context.shape[1], N_OUTPUTS):
        raise ValueError(f"target must have shape (T, B, 2) = {(T, context.shape[1], N_OUTPUTS)}, got "
                         f"{target.shape}")


def forward(W_Q, W_K, W_V, context, query, beta: float | None = None) -> dict:
    """Forward pass of Eq. 3.

    Parameters
    ----------
    W_Q, W_K : ndarray ``(T, k_dim, n)``
    W_V : ndarray ``(T, 2, n)``
    context : ndarray ``(T, B, N, n)``
        Context items (one-hot, or any vectors).
    query : ndarray ``(T, B, n)``
    beta : float, optional
        Inverse temperature of the softmax (default ``1 / sqrt(k_dim)``).

    Returns
    -------
    dict
        ``q (T, B, k)``, ``keys (T, B, N, k)``, ``values (T, B, N, 2)``, ``attention (T, B, N)``, ``output
        (T, B, 2)`` and ``beta``.
    """
    _check_inputs(W_Q, W_K, W_V, context, query)
    T, B, N, n = context.shape
    beta = 1.0 / np.sqrt(W_Q.shape[1]) if beta is None else float(beta)
    flat = context.reshape(T, B * N, n)
    q = query @ W_Q.transpose(0, 2, 1)                                   # (T, B, k)
    keys = (flat @ W_K.transpose(0, 2, 1)).reshape(T, B, N, -1)         # (T, B, N, k)
    values = (flat @ W_V.transpose(0, 2, 1)).reshape(T, B, N, N_OUTPUTS)
    s = softmax(beta * np.einsum("tbk,tbjk->tbj", q, keys))
    out = np.einsum("tbj,tbjv->tbv", s, values)
    return {"q": q, "keys": keys, "values": values, "attention": s, "output": out, "beta": beta}


def loss_and_gradients(W_Q, W_K, W_V, context, query, target, beta: float | None = None):
    """SSE loss of every trial (summed over its batch) and its exact gradients.

    Returns
    -------
    loss : ndarray ``(T,)``
        ``sum_b ||y_hat_b - y_b||^2``.
    grads : tuple of ndarray
        ``dL/dW_Q, dL/dW_K, dL/dW_V`` with the shapes of the weights.
    forward : dict
        The forward pass (:func:`forward`).
    """
    _check_inputs(W_Q, W_K, W_V, context, query, target)
    f = forward(W_Q, W_K, W_V, context, query, beta)
    T, B, N, n = context.shape
    s, beta = f["attention"], f["beta"]
    e = 2.0 * (f["output"] - target)                                     # (T, B, 2)
    loss = np.sum((f["output"] - target) ** 2, axis=(1, 2))
    # dL/dW_V = sum_b sum_j s_j e x_j^T
    weighted = (s[..., None] * context).sum(axis=2)                      # (T, B, n): sum_j s_j x_j
    d_wv = e.transpose(0, 2, 1) @ weighted                               # (T, 2, n)
    g = softmax_backward(s, np.einsum("tbv,tbjv->tbj", e, f["values"]))  # (T, B, N): dL/d(logit)
    g = beta * g
    d_q = np.einsum("tbj,tbjk->tbk", g, f["keys"])                       # (T, B, k)
    d_wq = d_q.transpose(0, 2, 1) @ query                                # (T, k, n)
    d_keys = g[..., None] * f["q"][:, :, None, :]                        # (T, B, N, k)
    d_wk = d_keys.reshape(T, B * N, -1).transpose(0, 2, 1) @ context.reshape(T, B * N, n)
    return loss, (d_wq, d_wk, d_wv), f


@dataclass
class StepResult:
    """What one training iteration reports, per trial: ``accuracy`` and ``loss`` (batch means) and, for the
    MHN-based models, ``stored`` (mean fraction of context items held by distinct hidden units at the query)."""

    accuracy: np.ndarray
    loss: np.ndarray
    stored: np.ndarray | None = None


class MinimalTransformer:
    """The baseline transformer of sec. 3.2, trained by plain gradient descent on the batch SSE.

    Parameters
    ----------
    W_Q, W_K : ndarray ``(T, k_dim, n)``
    W_V : ndarray ``(T, 2, n)``
    learning_rate : float
        One learning rate for all three matrices (1e-3 in SI B.2.5).
    beta : float, optional
        Inverse temperature (default ``1 / sqrt(k_dim)``, sec. 3.2).
    """

    def __init__(self, W_Q, W_K, W_V, learning_rate: float = 1e-3, beta: float | None = None):
        self.W_Q, self.W_K, self.W_V = (np.array(w, dtype=np.float64) for w in (W_Q, W_K, W_V))
        _check_inputs(self.W_Q, self.W_K, self.W_V, np.zeros((self.W_Q.shape[0], 1, 1, self.W_Q.shape[2])),
                      np.zeros((self.W_Q.shape[0], 1, self.W_Q.shape[2])))
        self.learning_rate = check_nonnegative("learning_rate", learning_rate)
        self.beta = 1.0 / np.sqrt(self.W_Q.shape[1]) if beta is None else float(beta)

    @classmethod
    def initialize(cls, rngs, n_letters: int = 4, k_dim: int = 50, learning_rate: float = 1e-3,
                   key_scale: float = 0.25, value_high: float = 0.1) -> "MinimalTransformer":
        """A model per trial generator, initialised as in SI B.2.5 (:func:`init_slow_weights`)."""
        return cls(*init_slow_weights(rngs, 3 * n_letters, k_dim, key_scale, value_high), learning_rate)

    @property
    def n_trials(self) -> int:
        return self.W_Q.shape[0]

    def predict(self, batch: CaseSequenceBatch) -> np.ndarray:
        """Outputs ``(T, B, 2)`` for a batch of shape ``(T, B)``."""
        return forward(self.W_Q, self.W_K, self.W_V, batch.context_onehot(), batch.query_onehot(),
                       self.beta)["output"]

    def train_step(self, batch: CaseSequenceBatch, rngs=None) -> StepResult:
        """Metrics of the batch ``(T, B)`` before the update, then one gradient-descent step (``rngs`` unused:
        the baseline has no random fast weights)."""
        target = batch.target
        _, (d_wq, d_wk, d_wv), f = loss_and_gradients(
            self.W_Q, self.W_K, self.W_V, batch.context_onehot(), batch.query_onehot(), target, self.beta)
        self.W_Q -= self.learning_rate * d_wq
        self.W_K -= self.learning_rate * d_wk
        self.W_V -= self.learning_rate * d_wv
        return StepResult(*batch_metrics(f["output"], target))
