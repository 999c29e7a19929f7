"""What the learned slow weights of a Case Sequence Task model encode (Bhandarkar & McClelland 2025, SI B.3.2).

Tables S1-S3 of the paper summarise three similarity matrices of the learned query and key matrices ``W_Q, W_K``
(``k_dim x 3 L``, token order of :mod:`biokv.core.transformer.task`: lowercase letters, uppercase letters, letter
names), each ``L x L`` with the letters in order on both axes:

* upper-lowercase keys: ``W_K^T W_K`` restricted to uppercase rows and lowercase columns (Table S1);
* queries-lowercase keys: ``W_Q^T W_K`` restricted to letter-name (query) rows and lowercase columns (Table S2);
* queries-uppercase keys: the same with uppercase columns (Table S3).

A model that has learned the task aligns each query with both cases of its letter's key and keeps the keys of
different letters apart: large diagonal, small off-diagonal entries. The value matrix ``W_V`` (``2 x 3 L``) has
learned the case of a letter token when the token's value points to the output of its case.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SIMILARITIES", "STATISTICS", "similarity_matrices", "diagonal_statistics", "value_case_fraction"]

#: the similarity matrices of :func:`similarity_matrices`, in order
SIMILARITIES = ("upper-lower keys", "query-lower keys", "query-upper keys")
#: the statistics of :func:`diagonal_statistics`, in order
STATISTICS = ("on-diagonal mean", "on-diagonal range", "off-diagonal mean", "off-diagonal range")


def similarity_matrices(W_Q: np.ndarray, W_K: np.ndarray, n_letters: int) -> np.ndarray:
    """The three similarity matrices of Tables S1-S3, ``(..., 3, L, L)``: upper-lower keys, query-lower keys,
    query-upper keys (rows: uppercase letters or letter names; columns: letters, both in letter order)."""
    L = n_letters
    kk = np.einsum("...kn,...km->...nm", W_K, W_K)
    qk = np.einsum("...kn,...km->...nm", W_Q, W_K)
    return np.stack([kk[..., L:2 * L, :L], qk[..., 2 * L:, :L], qk[..., 2 * L:, L:2 * L]], axis=-3)


def diagonal_statistics(C: np.ndarray) -> np.ndarray:
    """Per matrix ``(..., L, L)``: on-diagonal mean and range, off-diagonal mean and range ``(..., 4)``."""
    L = C.shape[-1]
    diag = np.diagonal(C, axis1=-2, axis2=-1)
    off = C[..., ~np.eye(L, dtype=bool)]
    return np.stack([diag.mean(-1), np.ptp(diag, axis=-1), off.mean(-1), np.ptp(off, axis=-1)], axis=-1)


def value_case_fraction(W_V: np.ndarray, n_letters: int) -> np.ndarray:
    """Fraction of the ``2 L`` letter tokens whose value ``W_V x`` points to the token's case (its larger
    component is the case's output), ``(..., 2, n) -> (...)``."""
    L = n_letters
    case = np.repeat([0, 1], L)
    return np.mean(np.argmax(W_V[..., :2 * L], axis=-2) == case, axis=-1)
