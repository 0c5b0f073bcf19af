"""`neuroflow.data.split`: sizes, coverage, pairing, reproducibility, stratification and errors."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.data import split, split_indices, split_sizes


@pytest.mark.parametrize("n, ratios, expected", [
    (100, (0.8, 0.1, 0.1), [80, 10, 10]),
    (10, (0.8, 0.1, 0.1), [8, 1, 1]),
    (7, (0.5, 0.5), [4, 3]),
    (3, (0.8, 0.1, 0.1), [3, 0, 0]),
    (101, (0.7, 0.15, 0.15), [71, 15, 15]),
    (100, (0.7, 0.3), [70, 30]),
    (0, (0.8, 0.1, 0.1), [0, 0, 0]),
])
def test_sizes_round_and_add_up(n, ratios, expected):
    assert split_sizes(n, ratios) == expected


@pytest.mark.parametrize("n", range(0, 40))
def test_every_example_exactly_once(n):
    parts = split_indices(n, (0.6, 0.25, 0.15), seed=n)
    assert sorted(np.concatenate(parts).tolist()) == list(range(n))
    assert [len(p) for p in parts] == split_sizes(n, (0.6, 0.25, 0.15))
    for p, r in zip(parts, (0.6, 0.25, 0.15)):
        assert abs(len(p) - n * r) < 1


def test_arrays_stay_paired_and_keep_dtypes():
    x = np.arange(50, dtype=np.float32).reshape(25, 2)
    y = np.arange(25, dtype=np.int64)
    x_train, x_dev, x_test, y_train, y_dev, y_test = split(x, y, seed=0)
    assert [len(a) for a in (x_train, x_dev, x_test)] == [20, 3, 2]  # 2.5 and 2.5: the tie goes to dev
    for xs, ys in [(x_train, y_train), (x_dev, y_dev), (x_test, y_test)]:
        np.testing.assert_array_equal(xs[:, 0], 2 * ys)
    assert x_train.dtype == np.float32 and y_test.dtype == np.int64
    assert sorted(np.concatenate([y_train, y_dev, y_test]).tolist()) == list(range(25))


def test_two_ratios_and_lists():
    a_train, a_test = split(list(range(10)), ratios=(0.7, 0.3), seed=1)
    assert len(a_train) == 7 and len(a_test) == 3
    assert sorted(list(a_train) + list(a_test)) == list(range(10))


def test_reproducible_with_seed_and_global_numpy_seed():
    x = np.arange(100)
    first = split(x, seed=42)
    again = split(x, seed=42)
    other = split(x, seed=43)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
    np.random.seed(5)
    g1 = split(x)
    np.random.seed(5)
    g2 = split(x)
    assert all(np.array_equal(a, b) for a, b in zip(g1, g2))


def test_no_shuffle_keeps_order():
    train, dev, test = split(np.arange(10), shuffle=False)
    np.testing.assert_array_equal(train, np.arange(8))
    np.testing.assert_array_equal(dev, [8])
    np.testing.assert_array_equal(test, [9])


def test_stratified_keeps_class_proportions():
    labels = np.array([0] * 60 + [1] * 30 + [2] * 10)
    rng = np.random.default_rng(0)
    labels = labels[rng.permutation(100)]
    x = np.arange(100)
    x_train, x_dev, x_test, y_train, y_dev, y_test = split(x, labels, seed=3, stratify=labels)
    assert (len(y_train), len(y_dev), len(y_test)) == (80, 10, 10)
    assert np.bincount(y_train).tolist() == [48, 24, 8]
    assert np.bincount(y_dev).tolist() == [6, 3, 1] and np.bincount(y_test).tolist() == [6, 3, 1]
    np.testing.assert_array_equal(labels[x_train], y_train)
    # One-hot labels work too, and stratify without shuffling keeps the original order inside each part.
    onehot = np.eye(3)[labels]
    tr, dv, te = split(x, stratify=onehot, shuffle=False)
    assert np.all(np.diff(tr) > 0) and np.bincount(labels[tr]).tolist() == [48, 24, 8]


def test_errors():
    with pytest.raises(ValueError, match="same first dimension.*\\[10, 9\\]"):
        split(np.zeros(10), np.zeros(9))
    with pytest.raises(ValueError, match="must sum to 1"):
        split(np.zeros(10), ratios=(0.8, 0.1))
    with pytest.raises(ValueError, match="between 0 and 1"):
        split(np.zeros(10), ratios=(1.2, -0.2))
    with pytest.raises(ValueError, match="at least 2"):
        split(np.zeros(10), ratios=(1.0,))
    with pytest.raises(ValueError, match="at least one array"):
        split()
    with pytest.raises(ValueError, match="one label per example"):
        split(np.zeros(10), stratify=np.zeros(9))


def test_exposed_as_tf_data_split():
    assert tf.data.split is split
