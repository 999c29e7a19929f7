import numpy as np
import pytest

from biokv.core.common.rng import run_generators
from biokv.core.transformer.task import (CaseSequenceBatch, case_sequence_batch, case_sequence_batches, n_tokens,
                                         one_hot, token_names)


def test_every_context_holds_each_letter_once_and_the_query_names_one_of_them():
    L = 4
    b = case_sequence_batch(np.random.default_rng(0), (50, 64), L)
    assert b.context.shape == (50, 64, L) and b.query.shape == (50, 64) and b.shape == (50, 64)
    letters = b.context % L
    assert np.all(b.context < 2 * L) and np.all(b.context >= 0)
    np.testing.assert_array_equal(np.sort(letters, axis=-1), np.broadcast_to(np.arange(L), letters.shape))
    assert np.all((b.query >= 2 * L) & (b.query < 3 * L))
    item = np.take_along_axis(b.context, b.position[..., None].astype(int), axis=-1)[..., 0]
    np.testing.assert_array_equal(item % L, b.query - 2 * L)  # the query names the letter at `position`
    # the target is the queried item's case: lowercase (1, 0), uppercase (0, 1)
    np.testing.assert_array_equal(b.target[..., 1], (item >= L).astype(float))
    np.testing.assert_array_equal(b.target.sum(-1), 1.0)


def test_cases_letters_and_queries_are_balanced():
    L, n = 4, 200_000
    b = case_sequence_batch(np.random.default_rng(1), n, L)
    upper = b.context >= L
    sd = np.sqrt(0.25 / upper.size)
    assert abs(upper.mean() - 0.5) < 5 * sd  # each item uppercase with probability 1/2
    assert abs(b.uppercase.mean() - 0.5) < 5 * np.sqrt(0.25 / n)
    # each letter is equally likely at each position, each position and each letter equally likely to be queried
    for counts in (np.bincount(b.context[:, 0] % L, minlength=L), np.bincount(b.position, minlength=L),
                   np.bincount(b.query - 2 * L, minlength=L)):
        assert np.all(np.abs(counts / n - 1 / L) < 5 * np.sqrt((1 / L) * (1 - 1 / L) / n))
    # cases are independent of each other within a sequence
    assert abs(np.corrcoef(upper[:, 0], upper[:, 1])[0, 1]) < 0.02


def test_shorter_contexts_hold_distinct_letters():
    b = case_sequence_batch(np.random.default_rng(2), 1000, n_letters=6, context_length=3)
    letters = b.context % 6
    assert b.context.shape == (1000, 3)
    assert np.all(np.sort(letters, axis=-1)[:, 1:] != np.sort(letters, axis=-1)[:, :-1])
    assert set(np.unique(letters)) == set(range(6))


def test_one_hot_inputs_and_token_names():
    b = case_sequence_batch(np.random.default_rng(3), (2, 5), 3)
    x, q = b.context_onehot(), b.query_onehot()
    assert x.shape == (2, 5, 3, 9) and q.shape == (2, 5, 9)
    np.testing.assert_array_equal(np.argmax(x, -1), b.context)
    np.testing.assert_array_equal(x.sum(-1), 1.0)
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert token_names(2) == ["a", "b", "A", "B", "A/a", "B/b"]
    assert n_tokens(4) == 12
    sub = b[1, 2:4]
    assert isinstance(sub, CaseSequenceBatch) and sub.shape == (2,)
    np.testing.assert_array_equal(sub.context, b.context[1, 2:4])


def test_same_seed_same_batches_and_trials_do_not_depend_on_grouping():
    a = case_sequence_batches(run_generators(5, "batches", range(3)), 7, 4)
    b = case_sequence_batches(run_generators(5, "batches", range(3)), 7, 4)
    c = case_sequence_batches(run_generators(5, "batches", [2]), 7, 4)
    assert a.shape == (3, 7, 4)
    for field in ("context", "query", "position"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        np.testing.assert_array_equal(getattr(a, field)[2], getattr(c, field)[0])
    assert not np.array_equal(a.context[0], a.context[1])


@pytest.mark.parametrize("call, error, message", [
    (lambda: case_sequence_batch(np.random.default_rng(0), 4, n_letters=0), ValueError,
     r"n_letters must be an integer in \[1, 42\], got 0"),
    (lambda: case_sequence_batch(np.random.default_rng(0), 4, n_letters=4, context_length=5), ValueError,
     r"context_length must be an integer in \[1, 4\], got 5"),
    (lambda: case_sequence_batch(np.random.default_rng(0), (3, 0)), ValueError, "every batch dimension must be"),
    (lambda: case_sequence_batch(0, 4), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: case_sequence_batches([], 3, 4), ValueError, "at least one"),
    (lambda: token_names(True), ValueError, "n_letters must be an integer"),
])
def test_bad_inputs_are_rejected(call, error, message):
    with pytest.raises(error, match=message):
        call()
