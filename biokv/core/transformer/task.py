"""The Case Sequence Task: an in-context task that constrains keys, queries and values.

Bhandarkar & McClelland (2025), section 3.1 and SI B.1. With ``L`` letters there are ``3 L`` one-hot tokens:

* ``0 .. L-1``: the lowercase letters ``a, b, ...``;
* ``L .. 2L-1``: the uppercase letters ``A, B, ...``;
* ``2L .. 3L-1``: the abstract, case-agnostic letter names ("A/a", "B/b", ...), used only as queries.

A sequence is a context of ``N`` tokens (``N = L`` in the paper: "up to letter case, the four items in the
context window were always a permutation of the first four letters") of ``N`` distinct letters in a random order,
each in a random case (lowercase or uppercase with probability 1/2, independently), followed by the query token
of one context letter chosen uniformly. The target is the queried letter's case as a one-hot vector: lowercase
``(1, 0)``, uppercase ``(0, 1)`` (SI B.1). Every training iteration draws a fresh batch (SI B.2.5: "we performed
training over newly generated batches, as opposed to sampling batches from a fixed dataset").

Sequences are stored as token indices (``int8``); :meth:`CaseSequenceBatch.context_onehot` and
:meth:`CaseSequenceBatch.query_onehot` give the one-hot inputs. The batch arrays may carry any leading axes, e.g.
``(trial, iteration, batch)`` from :func:`case_sequence_batches`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biokv.core.common.checks import check_int

__all__ = ["CaseSequenceBatch", "n_tokens", "token_names", "case_sequence_batch", "case_sequence_batches",
           "one_hot"]


def n_tokens(n_letters: int) -> int:
    """Number of one-hot tokens, ``3 L`` (lowercase, uppercase, letter names)."""
    return 3 * check_int("n_letters", n_letters, 1)


def token_names(n_letters: int) -> list[str]:
    """Names of the tokens in index order: ``a, b, ..., A, B, ..., A/a, B/b, ...`` (letters beyond ``z`` as
    ``l26``, ``L26``, ``L26/l26``)."""
    n_letters = check_int("n_letters", n_letters, 1)
    lower = [chr(ord("a") + i) if i < 26 else f"l{i}" for i in range(n_letters)]
    upper = [s.upper() if len(s) == 1 else f"L{s[1:]}" for s in lower]
    return lower + upper + [f"{u}/{lo}" for lo, u in zip(lower, upper)]


def one_hot(indices, size: int) -> np.ndarray:
    """One-hot float64 vectors ``(..., size)`` of integer ``indices``."""
    indices = np.asarray(indices)
    out = np.zeros(indices.shape + (size,))
    np.put_along_axis(out, indices[..., None].astype(np.intp), 1.0, axis=-1)
    return out


@dataclass(frozen=True)
class CaseSequenceBatch:
    """Sequences of the Case Sequence Task (any leading shape ``S``).

    Attributes
    ----------
    context : ndarray of int8, shape ``S + (N,)``
        Token indices of the context items, in presentation order.
    query : ndarray of int8, shape ``S``
        Token index of the query (``2 L + letter``).
    position : ndarray of int8, shape ``S``
        Position in the context of the queried letter.
    n_letters : int
        Number of letters ``L``.
    """

    context: np.ndarray
    query: np.ndarray
    position: np.ndarray
    n_letters: int

    @property
    def n_tokens(self) -> int:
        return 3 * self.n_letters

    @property
    def shape(self) -> tuple:
        return self.query.shape

    @property
    def uppercase(self) -> np.ndarray:
        """Case of the queried letter (bool ``S``, True for uppercase)."""
        item = np.take_along_axis(self.context, self.position[..., None].astype(np.intp), axis=-1)[..., 0]
        return item >= self.n_letters

    @property
    def target(self) -> np.ndarray:
        """Target ``S + (2,)``: lowercase ``(1, 0)``, uppercase ``(0, 1)``."""
        return one_hot(self.uppercase.astype(np.int8), 2)

    def context_onehot(self) -> np.ndarray:
        """One-hot context items ``S + (N, 3 L)``."""
        return one_hot(self.context, self.n_tokens)

    def query_onehot(self) -> np.ndarray:
        """One-hot query ``S + (3 L,)``."""
        return one_hot(self.query, self.n_tokens)

    def __getitem__(self, index) -> "CaseSequenceBatch":
        """The sequences at ``index`` of the leading axes (e.g. ``batch[:, i]``: iteration ``i`` of every trial)."""
        return CaseSequenceBatch(self.context[index], self.query[index], self.position[index], self.n_letters)


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def case_sequence_batch(rng: np.random.Generator, shape, n_letters: int = 4,
                        context_length: int | None = None) -> CaseSequenceBatch:
    """Fresh random sequences of the Case Sequence Task.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice (letter order, cases, queried position, in that order).
    shape : int or tuple of int
        Leading shape of the batch, e.g. ``64`` or ``(n_iterations, 64)``.
    n_letters : int
        Number of letters ``L`` (tokens: ``3 L``); the paper uses 4.
    context_length : int, optional
        Number ``N`` of context items, each a different letter (default ``L``).

    Returns
    -------
    CaseSequenceBatch
    """
    _check_rng(rng)
    n_letters = check_int("n_letters", n_letters, 1, 42)  # int8 token indices: 3 L <= 126
    n = n_letters if context_length is None else check_int("context_length", context_length, 1, n_letters)
    shape = (shape,) if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool) else tuple(shape)
    for s in shape:
        check_int("every batch dimension", s, 1)
    letters = np.argsort(rng.random(shape + (n_letters,)), axis=-1)[..., :n]  # N distinct letters, random order
    upper = rng.random(shape + (n,)) < 0.5
    position = rng.integers(0, n, size=shape)
    queried = np.take_along_axis(letters, position[..., None], axis=-1)[..., 0]
    context = (letters + n_letters * upper).astype(np.int8)
    return CaseSequenceBatch(context, (2 * n_letters + queried).astype(np.int8), position.astype(np.int8),
                             n_letters)


def case_sequence_batches(rngs, n_iterations: int, batch_size: int, n_letters: int = 4,
                          context_length: int | None = None) -> CaseSequenceBatch:
    """The batches of a whole training run for independent trials, one generator each.

    Returns sequences of shape ``(trial, iteration, batch)``; trial ``r`` depends only on ``rngs[r]``.
    """
    rngs = list(rngs)
    if not rngs:
        raise ValueError("rngs must hold at least one numpy.random.Generator")
    parts = [case_sequence_batch(_check_rng(g), (n_iterations, batch_size), n_letters, context_length)
             for g in rngs]
    return CaseSequenceBatch(np.stack([p.context for p in parts]), np.stack([p.query for p in parts]),
                             np.stack([p.position for p in parts]), parts[0].n_letters)
