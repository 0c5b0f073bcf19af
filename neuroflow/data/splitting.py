"""`neuroflow.data.split`: reproducible train/dev/test splits of arrays (one permutation shared by all arrays)."""
import numbers

import numpy as np

__all__ = ["split", "split_indices", "split_sizes"]


def _check_ratios(ratios):
    try:
        ratios = tuple(float(r) for r in ratios)
    except TypeError:
        raise TypeError(f"ratios must be a sequence of 2 or 3 fractions such as (0.8, 0.1, 0.1), got {ratios!r}") \
            from None
    if len(ratios) < 2:
        raise ValueError(f"ratios must give at least 2 fractions (train, test) or 3 (train, dev, test), got "
                         f"{ratios!r}")
    if any(not (0.0 <= r <= 1.0) for r in ratios):
        raise ValueError(f"Each ratio must be between 0 and 1, got {ratios!r}")
    total = sum(ratios)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"ratios must sum to 1, but {ratios!r} sum to {total:g}")
    return ratios


def split_sizes(n, ratios=(0.8, 0.1, 0.1)):
    """The number of examples in each part when `n` examples are split by `ratios`.

    Each size is `n * ratio` rounded so that the sizes add up to exactly `n` (largest remainder: parts are
    rounded down, then the leftover examples go to the parts with the largest fractional remainders, earlier
    parts first on ties).

    Example:
        >>> split_sizes(10, (0.8, 0.1, 0.1))
        [8, 1, 1]
        >>> split_sizes(7, (0.5, 0.5))
        [4, 3]
    """
    ratios = _check_ratios(ratios)
    if not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    exact = [n * r for r in ratios]
    sizes = [int(np.floor(e + 1e-9)) for e in exact]
    leftover = n - sum(sizes)
    # Stable sort by descending remainder: ties go to the earlier part (train before dev before test).
    order = sorted(range(len(ratios)), key=lambda i: -(exact[i] - sizes[i]))
    for i in order[:leftover]:
        sizes[i] += 1
    return sizes


def _rng(seed):
    # No seed: NumPy's global generator, so `np.random.seed(...)` (or `repeat_with_seeds`) makes splits repeatable.
    return np.random if seed is None else np.random.RandomState(seed)


def split_indices(n, ratios=(0.8, 0.1, 0.1), seed=None, shuffle=True, stratify=None):
    """Index arrays (one per part) that cover `range(n)` exactly once: the positions `split` takes.

    Args:
        n: number of examples.
        ratios, seed, shuffle, stratify: as for `split`.

    Returns:
        A list of int64 index arrays, one per ratio, with sizes `split_sizes(n, ratios)`.
    """
    sizes = split_sizes(n, ratios)
    rng = _rng(seed)
    if stratify is not None and n:
        order = _stratified_order(np.asarray(stratify), n, rng, shuffle)
    elif shuffle and n:
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    bounds = np.cumsum([0] + sizes)
    parts = [order[bounds[i]:bounds[i + 1]].astype(np.int64) for i in range(len(sizes))]
    if stratify is not None:
        # Undo the class interleaving inside each part: shuffled again, or back in the original order.
        parts = [rng.permutation(p) if shuffle else np.sort(p) for p in parts]
    return parts


def _stratified_order(labels, n, rng, shuffle):
    """An order of `range(n)` in which every prefix holds each class in proportion to its frequency.

    Each example gets the key (its rank within its class + 0.5) / class size; sorting by it interleaves the
    classes evenly (systematic sampling), so cutting the order at the global split sizes gives every part its
    share of every class, within one example per class, while the part sizes stay exact.
    """
    if labels.shape[:1] != (n,):
        raise ValueError(f"stratify must have one label per example ({n}), got shape {labels.shape}")
    if labels.ndim > 1:  # one-hot or multi-column labels: each distinct row is a class
        labels = labels.reshape(n, -1)
        _, classes = np.unique(labels, axis=0, return_inverse=True)
    else:
        _, classes = np.unique(labels, return_inverse=True)
    classes = classes.reshape(-1)
    within = rng.permutation(n) if shuffle else np.arange(n)
    # Rank of each example inside its class, in `within` order.
    by_class = within[np.argsort(classes[within], kind="stable")]
    counts = np.bincount(classes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[by_class] = np.arange(n) - np.repeat(starts, counts)
    key = (rank + 0.5) / counts[classes]
    tie = rng.random_sample(n) if shuffle else classes
    return np.lexsort((tie, key))


def _take(array, index):
    if hasattr(array, "iloc"):  # pandas objects: positional rows, index kept
        return array.iloc[index]
    return array[index]


def split(*arrays, ratios=(0.8, 0.1, 0.1), seed=None, shuffle=True, stratify=None):
    """Splits arrays into train/dev/test parts (or train/test with two ratios) with one shared permutation.

    Every example lands in exactly one part; part sizes are `n * ratio` rounded so they add up to `n` (see
    `split_sizes`). The same rows are taken from every array, so features and labels stay paired.

    Args:
        *arrays: arrays (NumPy arrays, lists, pandas objects) with the same first dimension.
        ratios: fractions for each part, summing to 1: `(train, dev, test)` or `(train, test)`.
        seed: an int for a reproducible split; None uses NumPy's global generator.
        shuffle: False keeps the original order (the first 80% is train, ...).
        stratify: optional labels (one per example; class ids or one-hot rows): each part then holds every class
            in (almost exactly) the same proportion as the whole.

    Returns:
        For each array in order, its parts in order: `split(x, y)` with three ratios returns
        `[x_train, x_dev, x_test, y_train, y_dev, y_test]`; `split(x)` returns `[x_train, x_dev, x_test]`.

    Raises:
        ValueError: no arrays, arrays of different lengths, ratios out of [0, 1] or not summing to 1.

    Example:
        >>> x_train, x_dev, x_test, y_train, y_dev, y_test = tf.data.split(x, y, seed=0)
        >>> x_train, x_test = tf.data.split(x, ratios=(0.75, 0.25), seed=0)
    """
    if not arrays:
        raise ValueError("split needs at least one array")
    arrays = [a if hasattr(a, "__getitem__") and hasattr(a, "shape") else np.asarray(a) for a in arrays]
    lengths = [a.shape[0] if a.shape else None for a in arrays]
    if None in lengths:
        raise ValueError(f"Cannot split a scalar (array {lengths.index(None)} has shape ())")
    if len(set(lengths)) > 1:
        first_bad = next(i for i, m in enumerate(lengths) if m != lengths[0])
        raise ValueError(f"All arrays passed to split must have the same first dimension, but got lengths {lengths} "
                         f"(array 0 has {lengths[0]} examples, array {first_bad} has {lengths[first_bad]})")
    parts = split_indices(lengths[0], ratios, seed=seed, shuffle=shuffle, stratify=stratify)
    return [_take(a, index) for a in arrays for index in parts]
