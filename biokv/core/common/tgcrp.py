"""Tree-generating Chinese restaurant process (TGCRP): structured binary patterns.

Bhandarkar & McClelland (2025), SI A.3.1. A tree is grown from a random root pattern with ``s`` ones. Each of
``n_nodes - 1`` steps walks one customer down from the root. At a node with no children the customer creates a
child and stops. Otherwise, with ``n`` the number of earlier visits to the node and ``c_j`` the visits to child
``j``, the customer creates a new child with probability ``1 / (n + 1)`` (and stops), or enters child ``j`` with
probability ``c_j / (n + 1)`` and goes on from there (a Chinese restaurant process with concentration 1). A
child's pattern is its parent's with ``b`` ones switched off and ``b`` zeros switched on, at random, so every
pattern keeps ``s`` ones. Only the leaves are returned (about half of the nodes).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["tgcrp_tree", "tgcrp_leaves"]


@njit(cache=True)
def _grow(rng, n_nodes, n_visible, n_active, n_flips, root):
    patterns = np.empty((n_nodes, n_active), dtype=np.int32)
    parent = np.full(n_nodes, -1, dtype=np.int64)
    count = np.zeros(n_nodes, dtype=np.int64)  # c_j: customers sent into node j by its parent
    routed = np.zeros(n_nodes, dtype=np.int64)  # n: customers a node has sent on into its children
    first_child = np.full(n_nodes, -1, dtype=np.int64)
    next_sibling = np.full(n_nodes, -1, dtype=np.int64)
    patterns[0] = root
    member = np.zeros(n_visible, dtype=np.bool_)
    flipped_on = np.empty(max(n_flips, 1), dtype=np.int32)
    n_made = 1
    while n_made < n_nodes:
        node = 0
        while True:
            if first_child[node] >= 0:
                u = rng.random() * (routed[node] + 1)
                if u >= 1.0:  # enter existing child j with probability c_j / (n + 1)
                    u -= 1.0
                    child = first_child[node]
                    chosen = child
                    acc = 0.0
                    while child >= 0:
                        chosen = child
                        acc += count[child]
                        if u < acc:
                            break
                        child = next_sibling[child]
                    routed[node] += 1
                    count[chosen] += 1
                    node = chosen
                    continue
            # a leaf, or a new table with probability 1 / (n + 1): create a child of `node` and stop
            new = n_made
            n_made += 1
            parent[new] = node
            next_sibling[new] = first_child[node]
            first_child[node] = new
            routed[node] += 1
            count[new] = 1
            pat = patterns[node].copy()
            for idx in pat:
                member[idx] = True
            # choose the ones to switch off: the first n_flips positions after a partial Fisher-Yates shuffle
            for t in range(n_flips):
                pos = t + rng.integers(0, n_active - t)
                pat[t], pat[pos] = pat[pos], pat[t]
            # choose n_flips of the parent's zeros (rejection sampling: zeros are the large majority)
            for t in range(n_flips):
                while True:
                    cand = rng.integers(0, n_visible)
                    if not member[cand]:
                        break
                member[cand] = True
                flipped_on[t] = cand
            for idx in pat:
                member[idx] = False
            for t in range(n_flips):
                member[flipped_on[t]] = False
                pat[t] = flipped_on[t]
            pat.sort()
            patterns[new] = pat
            break
    return patterns, parent, first_child


def tgcrp_tree(rng: np.random.Generator, n_nodes: int, n_visible: int, n_active: int, n_flips: int):
    """Grow one TGCRP tree.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_nodes : int
        Total number of nodes (the paper uses 14,000).
    n_visible, n_active : int
        Pattern size and number of ones.
    n_flips : int
        ``b``: ones switched off (and zeros switched on) from parent to child, ``0 <= b <= min(s, n - s)``.

    Returns
    -------
    patterns : ndarray of int32, shape (n_nodes, n_active)
        Every node's pattern as sorted indices.
    parent : ndarray of int64, shape (n_nodes,)
        Parent of each node (-1 for the root).
    is_leaf : ndarray of bool, shape (n_nodes,)
    """
    if n_nodes < 2:
        raise ValueError(f"n_nodes must be at least 2, got {n_nodes}")
    if not 1 <= n_active < n_visible:
        raise ValueError(f"n_active must be in [1, {n_visible - 1}], got {n_active}")
    if not 0 <= n_flips <= min(n_active, n_visible - n_active):
        raise ValueError(f"n_flips (b) must be in [0, {min(n_active, n_visible - n_active)}], got {n_flips}")
    root = np.sort(rng.choice(n_visible, size=n_active, replace=False)).astype(np.int32)
    patterns, parent, first_child = _grow(rng, n_nodes, n_visible, n_active, n_flips, root)
    return patterns, parent, first_child < 0


def tgcrp_leaves(rng: np.random.Generator, n_nodes: int, n_visible: int, n_active: int, n_flips: int):
    """The leaf patterns of one TGCRP tree, shuffled, as index sets ``(n_leaves, n_active)``."""
    patterns, _, is_leaf = tgcrp_tree(rng, n_nodes, n_visible, n_active, n_flips)
    leaves = patterns[is_leaf]
    return leaves[rng.permutation(leaves.shape[0])]
