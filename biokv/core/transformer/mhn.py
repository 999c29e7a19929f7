"""Slot-free attention: the MHN-transformer variants of the Case Sequence Task, batched over trials and sequences.

Bhandarkar & McClelland (2025), section 3.3, SI B.2 and SI B.4 (Eqs. S3-S9, S14-S17). The slow weights are those
of the baseline transformer (:mod:`biokv.core.transformer.baseline`): ``W_Q, W_K (k_dim x n)`` and ``W_V (2 x
n)``, ``n = 3 L``. The context is not kept in slots: each sequence gets fresh fast weights of a
hetero-associative 1-winner modern Hopfield network with ``tf_dim`` hidden units,

* ``W_hi`` (``tf_dim x k_dim``, key -> hidden), ``W_oh`` (``2 x tf_dim``, hidden -> value),
* ``W_reinst`` (``tf_dim x n``, hidden -> input token layer: the item-reinstatement weights). The paper's
  ``W_reinst`` is ``n x tf_dim`` with the items in its columns and ``x~ = W_reinst a`` (sec. 3.3, SI B.2.1);
  biokv stores its transpose, so an item is a row, like a key in ``W_hi``,

and the query step reads them.

Context step ``t`` (Eqs. S3-S5, S9): ``k_t = W_K x_t``, ``v_t = W_V x_t``, the hidden input is ``h = W_hi k_t``
(``+ W_items x_t`` with input projections), the arg-max unit ``w`` wins (a hard 1-winner-take-all), and the
Hebbian update with learning rate 1 replaces its weights: row ``w`` of ``W_hi`` becomes ``k_t``, column ``w`` of
``W_oh`` becomes ``v_t``, row ``w`` of ``W_reinst`` becomes ``x_t``. Ties in the arg-max have probability zero
(continuous weights); ``numpy.argmax`` would give the lowest index.

Query step (SI B.2.1): ``q = W_Q x_q``, ``a = softmax(W_hi q)`` over all ``tf_dim`` hidden units (written and
unwritten ones alike), MHN output ``y_mhn = W_oh a`` and reinstated item ``x~ = W_reinst^T a``. The softmax has
inverse temperature 1: SI B.4 writes ``a = softmax(W_hi q)`` for the MHN-based models, and Theorem 7 sets the
baseline's inverse temperature to 1 (instead of ``1/sqrt(k_dim)``) to make the two models compute the same
function. The query token has no key: it enters through ``W_Q`` only.

Training uses the current time step only (no gradient through the fast weights or through time; SI B.2.5). Every
gradient is summed over the sequences of the batch and applied by plain gradient descent:

* ``W_V`` and ``W_Q``: the training output is ``y_hat = W_V x~`` (Eq. S6; SI B.2.5: "the minibatch sum-squared
  error loss used for training W_Q and W_V is computed over the outputs W_V x~"), loss ``||y_hat - y||^2``. With
  ``e = 2 (y_hat - y)`` and the fast weights held fixed (Eqs. S14, S15)::

      dL/dW_V = e x~^T
      dL/dW_Q = W_hi^T [a * (g - a . g)] x_q^T,      g = W_reinst W_V^T e

* ``W_K``, three rules (sec. 3.3.1, SI B.2.2-B.2.3, Eqs. S16, S17):

  - ``"fixed"``: ``W_K`` stays at its initialisation (the Fixed-``W_K`` MHN-transformer);
  - ``"mhn"``: the reinstated item is passed through ``W_K`` and the MHN, ``y_K = W_oh softmax(W_hi W_K x~)``,
    and ``W_K`` follows the gradient of ``||y_K - y||^2`` with ``x~`` and the fast weights held fixed
    (the MHN-transformer)::

        dL/dW_K = W_hi^T [a_K * (g_K - a_K . g_K)] x~^T,   g_K = W_oh^T 2 (y_K - y),  a_K = softmax(W_hi W_K x~)

  - ``"qk"``: a delta rule aligns the reinstated key with the query (the QK-MHN-transformer; Eq. S17, the
    gradient of ``||W_K x~ - q||^2`` with ``q`` the target)::

        W_K <- W_K - lr_K 2 (W_K x~ - W_Q x_q) x~^T

The reported loss and accuracy use the MHN output ``y_mhn = W_oh a`` (SI B.2.5: "the loss and accuracy measures
... that we report in our results are computed using the MHN outputs").

Initialisation (SI B.2.5): slow ``W_Q, W_K`` entries standard normal over ``sqrt(k_dim)``, ``W_V`` uniform on
``[0, 0.1)``; fresh fast weights for every sequence: ``W_oh`` and ``W_reinst`` uniform on ``[0, 1)``; ``W_hi``
uniform on ``[0, 0.5)`` without input projections and zero with them.

Input projections (sec. 3.3.2, SI B.2.4; a mossy-fibre analogue): fixed weights ``W_items`` (``tf_dim x n``)
from the token layer to the hidden layer whose rows ``0 .. 2L-1`` are the one-hot vectors of the ``2 L`` letter
tokens (``W_items[i, i] = 1``, the rest zero, ``tf_dim >= 2 L``), so that ``W_items x_t`` is one-hot at the
token's own unit. They add to the hidden input during the context window only, never at the query. With ``W_hi =
0`` at the start, a letter's own unit has input exactly 1 when it is presented (it cannot have been written
before: a unit is only ever written by its own letter or by a later item that beats it), unwritten units 0, and
the unit of an earlier item ``j`` has ``k_j . k_t``: each item gets its own unit unless an earlier key has a dot
product above 1 with the current key (then it is overwritten; keys of a sequence are different letters, which
training makes dissimilar).

Arrays carry the trial as their leading axis: slow weights ``(T, ...)``, fast weights ``(T, B, ...)``, one-hot
inputs ``(T, B, N, n)`` and ``(T, B, n)``, targets ``(T, B, 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biokv.core.transformer.task import CaseSequenceBatch
from biokv.core.common.checks import check_generators, check_int, check_nonnegative
from biokv.core.transformer.baseline import (N_OUTPUTS, StepResult, batch_metrics, init_slow_weights,
                                             softmax, softmax_backward)

__all__ = ["W_K_RULES", "FastWeights", "input_projection", "init_fast_weights", "store_context", "query_step",
           "distinct_fraction", "gradients", "MHNTransformer"]

W_K_RULES = ("fixed", "mhn", "qk")


@dataclass
class FastWeights:
    """Fast weights of one 1-winner MHN per sequence: ``W_hi (T, B, H, k)``, ``W_oh (T, B, 2, H)``, ``W_reinst
    (T, B, H, n)``."""

    W_hi: np.ndarray
    W_oh: np.ndarray
    W_reinst: np.ndarray

    @property
    def tf_dim(self) -> int:
        return self.W_hi.shape[2]


def input_projection(tf_dim: int, n_letters: int) -> np.ndarray:
    """Input projections ``W_items (tf_dim, 3 L)``: letter token ``i < 2 L`` projects to hidden unit ``i`` with
    weight 1; the letter-name (query) tokens and the units ``>= 2 L`` have none."""
    tf_dim = check_int("tf_dim", tf_dim, 1)
    n_letters = check_int("n_letters", n_letters, 1)
    if tf_dim < 2 * n_letters:
        raise ValueError(f"tf_dim={tf_dim} is too small for input projections: need tf_dim >= 2 L = {2 * n_letters} "
                         "(one hidden unit per letter token)")
    w = np.zeros((tf_dim, 3 * n_letters))
    w[np.arange(2 * n_letters), np.arange(2 * n_letters)] = 1.0
    return w


def init_fast_weights(rngs, batch_size: int, tf_dim: int, k_dim: int, n_tokens: int, projections: bool,
                      hi_high: float = 0.5, oh_high: float = 1.0, reinst_high: float = 1.0) -> FastWeights:
    """Fresh fast weights for ``batch_size`` sequences of every trial.

    Per trial generator, in this order: ``W_hi`` uniform on ``[0, hi_high)`` (only without projections; zero
    with them), ``W_oh`` on ``[0, oh_high)``, ``W_reinst`` on ``[0, reinst_high)``.
    """
    rngs = check_generators(rngs)
    T = len(rngs)
    B = check_int("batch_size", batch_size, 1)
    H = check_int("tf_dim", tf_dim, 1)
    k_dim = check_int("k_dim", k_dim, 1)
    n = check_int("n_tokens", n_tokens, 1)
    W_hi = np.zeros((T, B, H, k_dim))
    W_oh = np.empty((T, B, N_OUTPUTS, H))
    W_reinst = np.empty((T, B, H, n))
    for t, g in enumerate(rngs):
        if not projections:
            g.random(out=W_hi[t])
        g.random(out=W_oh[t])
        g.random(out=W_reinst[t])
    if not projections:
        W_hi *= check_nonnegative("hi_high", hi_high)
    W_oh *= check_nonnegative("oh_high", oh_high)
    W_reinst *= check_nonnegative("reinst_high", reinst_high)
    return FastWeights(W_hi, W_oh, W_reinst)


def store_context(fast: FastWeights, keys: np.ndarray, values: np.ndarray, items: np.ndarray,
                  projection: np.ndarray | None = None) -> np.ndarray:
    """Write the context into the fast weights, one step at a time (Eqs. S3-S5, S9); ``fast`` is changed in place.

    Parameters
    ----------
    fast : FastWeights
    keys : ndarray ``(T, B, N, k)``
    values : ndarray ``(T, B, N, 2)``
    items : ndarray ``(T, B, N, n)``
        The context items (one-hot tokens).
    projection : ndarray ``(H, n)``, optional
        Input projections ``W_items``, added to the hidden input of every context step.

    Returns
    -------
    ndarray of int ``(T, B, N)``
        The winning hidden unit of each context step.
    """
    T, B, H, k_dim = fast.W_hi.shape
    N = keys.shape[2]
    if keys.shape != (T, B, N, k_dim) or values.shape != (T, B, N, N_OUTPUTS) or items.shape[:3] != (T, B, N) \
            or items.shape[3] != fast.W_reinst.shape[3]:
        raise ValueError(f"keys (T, B, N, k), values (T, B, N, 2) and items (T, B, N, n) must match the fast weights "
                         f"(T={T}, B={B}, k={k_dim}, n={fast.W_reinst.shape[3]}); got {keys.shape}, {values.shape}, "
                         f"{items.shape}")
    if projection is not None and projection.shape != (H, items.shape[3]):
        raise ValueError(f"projection must have shape (tf_dim, n) = {(H, items.shape[3])}, got {projection.shape}")
    direct = None if projection is None else items @ projection.T        # (T, B, N, H)
    ti, bi = np.arange(T)[:, None], np.arange(B)[None, :]
    winners = np.empty((T, B, N), dtype=np.intp)
    for t in range(N):
        h = np.einsum("tbhk,tbk->tbh", fast.W_hi, keys[:, :, t])
        if direct is not None:
            h += direct[:, :, t]
        w = np.argmax(h, axis=-1)                                        # (T, B): the 1 winner
        fast.W_hi[ti, bi, w] = keys[:, :, t]
        fast.W_oh[ti, bi, :, w] = values[:, :, t]
        fast.W_reinst[ti, bi, w] = items[:, :, t]
        winners[:, :, t] = w
    return winners


def query_step(fast: FastWeights, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Attention ``a = softmax(W_hi q) (T, B, H)``, MHN output ``W_oh a (T, B, 2)`` and reinstated item
    ``x~ = W_reinst^T a (T, B, n)`` for queries ``q (T, B, k)``."""
    a = softmax(np.einsum("tbhk,tbk->tbh", fast.W_hi, q))
    return a, np.einsum("tbvh,tbh->tbv", fast.W_oh, a), np.einsum("tbhn,tbh->tbn", fast.W_reinst, a)


def distinct_fraction(winners: np.ndarray) -> np.ndarray:
    """Fraction of the context items held by distinct hidden units at the end of the context, ``(T, B, N) ->
    (T, B)``: 1 when no item was overwritten."""
    s = np.sort(winners, axis=-1)
    return (1 + np.count_nonzero(np.diff(s, axis=-1), axis=-1)) / winners.shape[-1]


def gradients(W_Q, W_K, W_V, fast: FastWeights, a, x_tilde, query, target, rule: str):
    """Gradients of the slow weights from the query step alone, with the fast weights held fixed.

    Parameters
    ----------
    W_Q, W_K : ndarray ``(T, k, n)``
    W_V : ndarray ``(T, 2, n)``
    fast : FastWeights
        The fast weights after the context.
    a, x_tilde : ndarray ``(T, B, H)``, ``(T, B, n)``
        Attention and reinstated item of the query step.
    query : ndarray ``(T, B, n)``
    target : ndarray ``(T, B, 2)``
    rule : {"fixed", "mhn", "qk"}
        How ``W_K`` learns.

    Returns
    -------
    grads : tuple
        ``dW_Q, dW_K, dW_V`` summed over the batch (``dW_K`` is None for ``"fixed"``; for ``"qk"`` it is the delta
        rule's ``2 (W_K x~ - q) x~^T``).
    y_hat : ndarray ``(T, B, 2)``
        The training output ``W_V x~``.
    """
    if rule not in W_K_RULES:
        raise ValueError(f"rule={rule!r} is not one of {', '.join(W_K_RULES)}")
    y_hat = x_tilde @ W_V.transpose(0, 2, 1)                             # (T, B, 2)
    e = 2.0 * (y_hat - target)
    d_wv = e.transpose(0, 2, 1) @ x_tilde                                # (T, 2, n)
    g_x = e @ W_V                                                        # (T, B, n): W_V^T e
    g_a = np.einsum("tbhn,tbn->tbh", fast.W_reinst, g_x)
    g_q = np.einsum("tbhk,tbh->tbk", fast.W_hi, softmax_backward(a, g_a))
    d_wq = g_q.transpose(0, 2, 1) @ query                                # (T, k, n)
    d_wk = None
    if rule == "mhn":
        k_tilde = x_tilde @ W_K.transpose(0, 2, 1)                       # (T, B, k)
        a_k = softmax(np.einsum("tbhk,tbk->tbh", fast.W_hi, k_tilde))
        y_k = np.einsum("tbvh,tbh->tbv", fast.W_oh, a_k)
        g_ak = np.einsum("tbvh,tbv->tbh", fast.W_oh, 2.0 * (y_k - target))
        g_k = np.einsum("tbhk,tbh->tbk", fast.W_hi, softmax_backward(a_k, g_ak))
        d_wk = g_k.transpose(0, 2, 1) @ x_tilde
    elif rule == "qk":
        q = query @ W_Q.transpose(0, 2, 1)
        d_wk = (2.0 * (x_tilde @ W_K.transpose(0, 2, 1) - q)).transpose(0, 2, 1) @ x_tilde
    return (d_wq, d_wk, d_wv), y_hat


class MHNTransformer:
    """An MHN-transformer variant: slow ``W_Q, W_K, W_V`` and fresh 1-winner-MHN fast weights per sequence.

    Parameters
    ----------
    W_Q, W_K : ndarray ``(T, k_dim, n)``
    W_V : ndarray ``(T, 2, n)``
    tf_dim : int
        Hidden units of the MHN (``>= 2 L`` with input projections).
    rule : {"fixed", "mhn", "qk"}
        How ``W_K`` learns.
    projections : bool
        Use the input projections ``W_items`` during the context.
    lr_qv : float
        Learning rate of ``W_Q`` and ``W_V``.
    lr_k : float
        Learning rate of ``W_K`` (unused with ``"fixed"``).
    hi_high, oh_high, reinst_high : float
        Fast weights are drawn uniform on ``[0, high)``.
    """

    def __init__(self, W_Q, W_K, W_V, tf_dim: int, rule: str = "qk", projections: bool = False,
                 lr_qv: float = 5e-3, lr_k: float = 1e-4, hi_high: float = 0.5, oh_high: float = 1.0,
                 reinst_high: float = 1.0):
        self.W_Q, self.W_K, self.W_V = (np.array(w, dtype=np.float64) for w in (W_Q, W_K, W_V))
        T, k_dim, n = self.W_Q.shape
        if self.W_K.shape != (T, k_dim, n) or self.W_V.shape != (T, N_OUTPUTS, n) or n % 3:
            raise ValueError(f"W_Q, W_K must have shape (T, k_dim, 3 L) and W_V (T, 2, 3 L); got {self.W_Q.shape}, "
                             f"{self.W_K.shape}, {self.W_V.shape}")
        if rule not in W_K_RULES:
            raise ValueError(f"rule={rule!r} is not one of {', '.join(W_K_RULES)}")
        self.rule = rule
        self.n_letters = n // 3
        self.tf_dim = check_int("tf_dim", tf_dim, 1)
        self.projections = bool(projections)
        self.projection = input_projection(self.tf_dim, self.n_letters) if self.projections else None
        self.lr_qv = check_nonnegative("lr_qv", lr_qv)
        self.lr_k = check_nonnegative("lr_k", lr_k)
        self.highs = (check_nonnegative("hi_high", hi_high), check_nonnegative("oh_high", oh_high),
                      check_nonnegative("reinst_high", reinst_high))

    @classmethod
    def initialize(cls, rngs, n_letters: int = 4, k_dim: int = 50, tf_dim: int = 16, rule: str = "qk",
                   projections: bool = False, lr_qv: float = 5e-3, lr_k: float = 1e-4, key_scale: float = 1.0,
                   value_high: float = 0.1, **fast_init) -> "MHNTransformer":
        """A model per trial generator; slow weights as in SI B.2.5 (``W_Q, W_K`` entries ``key_scale /
        sqrt(k_dim)`` times a standard normal, ``W_V`` uniform on ``[0, value_high)``)."""
        slow = init_slow_weights(rngs, 3 * check_int("n_letters", n_letters, 1), k_dim, key_scale, value_high)
        return cls(*slow, tf_dim, rule, projections, lr_qv, lr_k, **fast_init)

    @property
    def n_trials(self) -> int:
        return self.W_Q.shape[0]

    def new_fast_weights(self, rngs, batch_size: int) -> FastWeights:
        """Fresh fast weights for ``batch_size`` sequences per trial (one generator per trial)."""
        rngs = check_generators(rngs)
        if len(rngs) != self.n_trials:
            raise ValueError(f"rngs must hold one generator per trial ({self.n_trials}), got {len(rngs)}")
        return init_fast_weights(rngs, batch_size, self.tf_dim, self.W_Q.shape[1], self.W_Q.shape[2],
                                 self.projections, *self.highs)

    def forward(self, batch: CaseSequenceBatch, fast: FastWeights) -> dict:
        """Store the context of ``batch (T, B)`` in ``fast`` (changed in place) and run the query step.

        Returns a dict with ``winners (T, B, N)``, ``q``, ``attention``, ``mhn_output``, ``x_tilde``, the one-hot
        ``context`` and ``query``."""
        if batch.shape != fast.W_hi.shape[:2] or batch.n_tokens != self.W_Q.shape[2]:
            raise ValueError(f"batch of shape {batch.shape} with {batch.n_tokens} tokens does not match the fast "
                             f"weights {fast.W_hi.shape[:2]} and {self.W_Q.shape[2]} tokens")
        T, B = batch.shape
        x = batch.context_onehot()                                       # (T, B, N, n)
        xq = batch.query_onehot()
        N, n = x.shape[2:]
        flat = x.reshape(T, B * N, n)
        keys = (flat @ self.W_K.transpose(0, 2, 1)).reshape(T, B, N, -1)
        values = (flat @ self.W_V.transpose(0, 2, 1)).reshape(T, B, N, N_OUTPUTS)
        winners = store_context(fast, keys, values, x, self.projection)
        q = xq @ self.W_Q.transpose(0, 2, 1)
        a, y_mhn, x_tilde = query_step(fast, q)
        return {"winners": winners, "q": q, "attention": a, "mhn_output": y_mhn, "x_tilde": x_tilde,
                "context": x, "query": xq}

    def predict(self, batch: CaseSequenceBatch, rngs) -> np.ndarray:
        """MHN outputs ``(T, B, 2)`` (fresh fast weights from ``rngs``)."""
        return self.forward(batch, self.new_fast_weights(rngs, batch.shape[1]))["mhn_output"]

    def train_step(self, batch: CaseSequenceBatch, rngs) -> StepResult:
        """Metrics of the batch ``(T, B)`` (from the MHN output) before the update, then one gradient step of
        ``W_Q``, ``W_V`` and (by the rule) ``W_K``; fresh fast weights come from ``rngs`` (one per trial)."""
        fast = self.new_fast_weights(rngs, batch.shape[1])
        f = self.forward(batch, fast)
        target = batch.target
        (d_wq, d_wk, d_wv), _ = gradients(self.W_Q, self.W_K, self.W_V, fast, f["attention"], f["x_tilde"],
                                          f["query"], target, self.rule)
        self.W_Q -= self.lr_qv * d_wq
        self.W_V -= self.lr_qv * d_wv
        if d_wk is not None:
            self.W_K -= self.lr_k * d_wk
        accuracy, loss = batch_metrics(f["mhn_output"], target)
        return StepResult(accuracy, loss, distinct_fraction(f["winners"]).mean(axis=-1))
