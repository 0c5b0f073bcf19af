"""The data side of `Model.fit`/`evaluate`/`predict`: checking and standardizing NumPy inputs and targets (Keras's
messages), sample and class weights, the validation split, batch sources (arrays, tf.data datasets, Python
generators) and the epoch loops that drive the compiled step functions and the callbacks."""
import numbers
import warnings

import numpy as np

from ...framework import errors

__all__ = []


# --- standardizing arrays ------------------------------------------------------------------------------------
def _is_array_like(x):
    return hasattr(x, "shape") and hasattr(x, "__getitem__") and not isinstance(x, dict)


def as_list(data, names, what):
    """`data` (an array, a list/tuple of arrays, or a dict keyed by name) as a list ordered like `names`.

    Raises:
        ValueError: missing names or a wrong number of arrays (Keras's messages).
    """
    if data is None:
        return [None] * len(names)
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f'No data provided for "{missing[0]}". Need data for each key in: {names}')
        return [data[n] for n in names]
    if isinstance(data, (list, tuple)):
        if len(data) == len(names) and all(_is_array_like(d) or isinstance(d, (list, tuple)) for d in data) and (
                len(names) > 1 or _is_array_like(data[0])):
            return list(data)
        if len(names) == 1:
            return [np.asarray(data)]   # a nested Python list meant as one array
        raise ValueError(f"Error when checking model {what}: the list of Numpy arrays that you are passing to your "
                         f"model is not the size the model expected. Expected to see {len(names)} array(s), but "
                         f"instead got the following list of {len(data)} arrays: {str(data)[:200]}...")
    if len(names) > 1:
        raise ValueError(f"Error when checking model {what}: the list of Numpy arrays that you are passing to your "
                         f"model is not the size the model expected. Expected to see {len(names)} array(s), but "
                         f"instead got the following list of 1 arrays: {str(data)[:200]}...")
    return [data]


def standardize(data, names, shapes, what, check_shapes=None):
    """NumPy arrays for `names`, 1-D arrays made (n, 1) where the model expects more dimensions, each checked
    against its expected shape (`shapes`: tuples with None for unknown dims, batch dim first).

    Args:
        check_shapes: per-array flags (default all True): False skips the shape check (e.g. sparse targets).

    Raises:
        ValueError: "Error when checking input: expected dense_input to have shape (784,) but got array with
            shape (10,)" and the like.
    """
    arrays = []
    for i, (x, name, shape) in enumerate(zip(as_list(data, names, what), names, shapes)):
        if x is None:
            arrays.append(None)
            continue
        x = np.asarray(x)
        if shape is not None and x.ndim == 1 and len(shape) != 1:
            x = x[:, None]
        if shape is not None and (check_shapes is None or check_shapes[i]):
            if x.ndim != len(shape):
                raise ValueError(f"Error when checking {what}: expected {name} to have {len(shape)} dimensions, but "
                                 f"got array with shape {x.shape}")
            for dim, ref in zip(x.shape[1:], shape[1:]):
                if ref is not None and dim != ref:
                    raise ValueError(f"Error when checking {what}: expected {name} to have shape "
                                     f"{tuple(shape[1:])} but got array with shape {x.shape[1:]}")
        arrays.append(x)
    return arrays


def check_array_lengths(inputs, targets, weights=None):
    """Raises ValueError unless every array has the same number of samples (Keras's messages)."""
    def counts(arrays):
        return {len(a) for a in arrays if a is not None}
    x_n, y_n, w_n = counts(inputs), counts(targets), counts(weights or [])
    if len(x_n) > 1:
        raise ValueError("All input arrays (x) should have the same number of samples. Got array shapes: "
                         f"{[a.shape for a in inputs]}")
    if len(y_n) > 1:
        raise ValueError("All target arrays (y) should have the same number of samples. Got array shapes: "
                         f"{[a.shape for a in targets if a is not None]}")
    if x_n and y_n and x_n != y_n:
        raise ValueError(f"Input arrays should have the same number of samples as target arrays. Found {x_n.pop()} "
                         f"input samples and {y_n.pop()} target samples.")
    if w_n and y_n and w_n != y_n:
        raise ValueError(f"Sample_weight arrays should have the same number of samples as target arrays. Got "
                         f"{w_n.pop()} input samples and {y_n.pop()} target samples.")


def sample_weights(y, sample_weight, class_weight, output_name):
    """One weight per sample from `sample_weight` (1-D) and `class_weight` ({class: weight}; the class is
    argmax(y) for one-hot targets, else y), or None when neither is given.

    Raises:
        ValueError: a weight array of the wrong shape, or a class missing from `class_weight`.
    """
    if sample_weight is None and class_weight is None:
        return None
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float32)
        if weights.ndim != 1:
            raise ValueError(f"Found a sample_weight array with shape {weights.shape}. In order to use timestep-wise "
                             "sample weighting, you should pass a 2D sample_weight array and set "
                             "sample_weight_mode='temporal' in compile(); only 1D weights are supported here.")
        if len(weights) != len(y):
            raise ValueError(f"Found a sample_weight array with shape {weights.shape} for an input with shape "
                             f"{y.shape}. sample_weight cannot be broadcast.")
    if class_weight is not None:
        if isinstance(class_weight, dict) and output_name in class_weight and isinstance(
                class_weight[output_name], dict):
            class_weight = class_weight[output_name]
        classes = np.argmax(y, axis=1) if y.ndim == 2 and y.shape[1] > 1 else np.reshape(y, (len(y), -1))[:, 0]
        classes = classes.astype(np.int64)
        missing = set(np.unique(classes).tolist()) - set(int(k) for k in class_weight)
        if missing:
            raise ValueError(f"`class_weight` must contain all classes in the data. The classes {missing} exist in "
                             "the data but not in `class_weight`.")
        lookup = np.zeros(int(max(int(k) for k in class_weight)) + 1, dtype=np.float32)
        for k, v in class_weight.items():
            lookup[int(k)] = v
        from_classes = lookup[classes]
        weights = from_classes if weights is None else weights * from_classes
    return weights


def split_validation(arrays, validation_split):
    """(training part, validation part) of each array: the last `validation_split` of the samples are kept for
    validation, before any shuffling (as Keras does)."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in the range (0, 1), got {validation_split}")
    n = next(len(a) for a in arrays if a is not None)
    split_at = int(n * (1.0 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training or validation set is empty with validation_split={validation_split} and "
                         f"{n} samples.")
    train = [None if a is None else a[:split_at] for a in arrays]
    val = [None if a is None else a[split_at:] for a in arrays]
    return train, val


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


# --- batch sources ------------------------------------------------------------------------------------------------
class ArraySource:
    """Batches of NumPy arrays: slices in order, or gathered through a fresh permutation each epoch."""

    def __init__(self, arrays, batch_size, shuffle=False):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_samples = len(next(a for a in arrays if a is not None))
        self.steps = -(-self.num_samples // batch_size)

    def batches(self):
        """Yields (batch index, [arrays]) for one epoch."""
        n, bs = self.num_samples, self.batch_size
        arrays = self.arrays
        if not self.shuffle:
            for i, start in enumerate(range(0, n, bs)):
                yield i, [None if a is None else a[start:start + bs] for a in arrays]
            return
        order = np.random.permutation(n)
        if self.shuffle == "batch":   # shuffle whole batches only (for data that must stay contiguous)
            blocks = np.random.permutation(self.steps)
            order = np.concatenate([np.arange(b * bs, min(n, (b + 1) * bs)) for b in blocks])
        for i, start in enumerate(range(0, n, bs)):
            ids = order[start:start + bs]
            yield i, [None if a is None else a[ids] for a in arrays]


class IteratorSource:
    """Batches pulled from `next_batch()` (a dataset iterator or a generator), `steps` per epoch (None: until
    the data runs out, which `next_batch` signals with StopIteration or OutOfRangeError)."""

    def __init__(self, next_batch, steps, reset=None):
        self.next_batch = next_batch
        self.steps = steps
        self.reset = reset
        self.num_samples = None
        self.exhausted = False
        self._pending = None

    def peek(self):
        """Reads one batch ahead (e.g. to build a model from its first batch); it is still trained on."""
        if self.reset is not None and self.steps is None:
            self.reset()
        batch = self.next_batch()
        if self.steps is not None:   # without steps, each epoch restarts the data anyway
            self._pending = batch

    def batches(self):
        if self.reset is not None and self.steps is None:
            self.reset()
        i = 0
        while self.steps is None or i < self.steps:
            try:
                batch, self._pending = (self._pending, None) if self._pending is not None else (self.next_batch(),
                                                                                                 None)
            except (StopIteration, errors.OutOfRangeError):
                if self.steps is not None:
                    warnings.warn("Your dataset ran out of data; interrupting training. Make sure that your dataset "
                                  f"can generate at least `steps_per_epoch * epochs` batches (in this case, "
                                  f"{self.steps} batches). You may need to use the repeat() function when building "
                                  "your dataset.")
                    self.exhausted = True
                return
            yield i, batch
            i += 1


def batch_length(arrays):
    return len(next(a for a in arrays if a is not None))


# --- the loops --------------------------------------------------------------------------------------------------
def fit_loop(model, step, source, out_labels, epochs, callbacks, val_step=None, val_source=None, initial_epoch=0,
             validation_freq=1):
    """Runs the epochs: `step(arrays)` trains on one batch and returns the values named `out_labels`."""
    model.stop_training = False
    callbacks.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        epoch_logs = {}
        for batch_index, arrays in source.batches():
            batch_logs = {"batch": batch_index, "size": batch_length(arrays)}
            callbacks.on_train_batch_begin(batch_index, batch_logs)
            outs = step(arrays)
            for label, value in zip(out_labels, outs):
                batch_logs[label] = value
            callbacks.on_train_batch_end(batch_index, batch_logs)
            if model.stop_training:
                break
        if getattr(source, "exhausted", False):
            model.stop_training = True
        if val_source is not None and _should_validate(epoch, validation_freq):
            val_outs = test_loop(val_step, val_source, len(out_labels))
            for label, value in zip(out_labels, val_outs):
                epoch_logs["val_" + label] = value
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callbacks.on_train_end()


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, numbers.Integral):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def test_loop(step, source, num_outputs, callbacks=None, progbar=None, labels=None):
    """The sample-weighted average over all batches of each value `step(arrays)` returns (shown on `progbar`
    under `labels` as they come)."""
    totals = np.zeros(num_outputs, dtype=np.float64)
    seen = 0
    if callbacks is not None:
        callbacks.on_test_begin()
    for batch_index, arrays in source.batches():
        size = batch_length(arrays)
        if callbacks is not None:
            callbacks.on_test_batch_begin(batch_index, {"batch": batch_index, "size": size})
        outs = step(arrays)
        totals += np.asarray(outs, dtype=np.float64) * size
        seen += size
        if callbacks is not None:
            callbacks.on_test_batch_end(batch_index, {"batch": batch_index, "size": size})
        if progbar is not None:
            progbar.update(seen if source.num_samples is not None else batch_index + 1,
                           list(zip(labels, outs)) if labels else None)
    if progbar is not None and progbar.target is None:   # an unknown number of batches: close the line now
        progbar.update(progbar._seen_so_far, finalize=True)
    if callbacks is not None:
        callbacks.on_test_end()
    if seen == 0:
        raise ValueError("No data to evaluate: the input is empty.")
    return [float(v) for v in totals / seen]


def predict_loop(step, source, progbar=None):
    """The outputs of `step(arrays)` over all batches, concatenated along the batch axis (a list per output)."""
    pieces = None
    seen = 0
    for batch_index, arrays in source.batches():
        outs = step(arrays)
        if pieces is None:
            pieces = [[] for _ in outs]
        for store, value in zip(pieces, outs):
            store.append(value)
        seen += batch_length(arrays)
        if progbar is not None:
            progbar.update(seen if source.num_samples is not None else batch_index + 1)
    if progbar is not None and progbar.target is None:
        progbar.update(progbar._seen_so_far, finalize=True)
    if pieces is None:
        return None
    return [np.concatenate(p, axis=0) if p[0].ndim else np.asarray(p) for p in pieces]
