"""The higher-order functions `tf.map_fn`, `tf.scan`, `tf.foldl` and `tf.foldr`, written as TensorFlow 1 writes
them: the elements are unstacked into TensorArrays and a `tf.while_loop` applies `fn` once per element, so the
number of elements may be known only at run time, gradients are the loop's, and eager mode runs a Python loop."""
from ..framework import constant_op, dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..util import nest
from .tensor_array_ops import TensorArray

__all__ = ["map_fn", "scan", "foldl", "foldr"]


def _check_callable(fn):
    if not callable(fn):
        raise TypeError("fn must be callable.")


def _assert_same_structure(expected, got):
    """TensorFlow's error when `fn` returns another nesting than its accumulator or `dtype` says."""
    def same(a, b):
        if nest.is_nested(a) != nest.is_nested(b):
            return False
        if not nest.is_nested(a):
            return True
        if len(a) != len(b):
            return False
        a_items = [a[k] for k in sorted(a)] if isinstance(a, dict) else list(a)
        b_items = [b[k] for k in sorted(b)] if isinstance(b, dict) else list(b)
        return all(same(x, y) for x, y in zip(a_items, b_items))
    if not same(expected, got):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{expected!r}\n\nSecond structure: {got!r}")


def _flattener(structure):
    """(flatten, pack) for values shaped like `structure`: a bare leaf flattens to a one-item list."""
    if nest.is_nested(structure):
        return nest.flatten, lambda flat: nest.pack_sequence_as(structure, flat)
    return (lambda x: [x]), (lambda flat: flat[0])


def _elements(elems, what):
    flat = [convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"elems must be a Tensor or (possibly nested) sequence of Tensors. Got {elems}")
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError(f"elements in elems must be 1+ dimensional Tensors, not scalars ({what})")
    return flat


def _length(elems_flat):
    """The number of elements: static when the first axis is known, else a run-time int32 scalar."""
    from .array_ops import shape
    first = elems_flat[0].shape
    n = first[0] if first.ndims else None
    n = getattr(n, "value", n)
    return n if n is not None else shape(elems_flat[0])[0]


def _unstacked(elems_flat, n):
    return [TensorArray(e.dtype, size=n, dynamic_size=False, infer_shape=True,
                        element_shape=e.shape[1:] if e.shape.ndims else None).unstack(e) for e in elems_flat]


def _static_length(elems_flat):
    n = TensorShape([None])
    for e in elems_flat:
        if e.shape.ndims:
            n = n.merge_with(TensorShape([e.shape[0]]))
    return n


def _stacked(tas, elems_flat):
    n = _static_length(elems_flat)
    results = [ta.stack() for ta in tas]
    for r in results:
        if r.shape.ndims is not None:
            r.set_shape(n.concatenate(r.shape[1:]))
    return results


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None):
    """`fn` applied to each element of `elems` (unstacked along axis 0), the results stacked.

    Args:
        fn: a callable of one element (in `elems`' structure) returning a nest of tensors.
        elems: a tensor or a nest of tensors with the same first dimension (possibly known only at run time).
        dtype: the dtypes of `fn`'s output, in its structure, when it differs from `elems`'.
        infer_shape: the results' element shapes must agree across elements.

    Returns:
        The stacked outputs of `fn`, in `dtype`'s structure (or `elems`').

    Raises:
        TypeError: `fn` is not callable.
        ValueError: `fn` returned another structure than `dtype` (or `elems`) has.

    Example:
        >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3]))   # [1, 4, 9]
    """
    _check_callable(fn)
    _, in_pack = _flattener(elems)
    with name_scope(name or "map"):
        elems_flat = _elements(elems, "map_fn")
        if dtype is None:
            out_structure = elems
            dtype_flat = [e.dtype for e in elems_flat]
        else:
            out_structure = dtype
            dtype_flat = [dtypes.as_dtype(d) for d in _flattener(dtype)[0](dtype)]
        out_flatten, out_pack = _flattener(out_structure)
        n = _length(elems_flat)
        elems_ta = _unstacked(elems_flat, n)
        accs_ta = [TensorArray(dt, size=n, dynamic_size=False, infer_shape=infer_shape) for dt in dtype_flat]

        def compute(i, tas):
            value = fn(in_pack([ta.read(i) for ta in elems_ta]))
            _assert_same_structure(out_structure, value)
            return i + 1, [ta.write(i, v) for ta, v in zip(tas, out_flatten(value))]

        from .while_ops import while_loop
        _, accs_ta = while_loop(lambda i, _: i < n, compute, (constant_op.constant(0), accs_ta),
                                parallel_iterations=parallel_iterations or 10, back_prop=back_prop,
                                swap_memory=swap_memory, maximum_iterations=n)
        return out_pack(_stacked(accs_ta, elems_flat))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """The running accumulation `a = fn(a, x)` over the elements `x` of `elems`, every `a` stacked.

    Args:
        fn: a callable (accumulator, element) returning the next accumulator (in the accumulator's structure).
        elems: a tensor or a nest of tensors unstacked along axis 0.
        initializer: the first accumulator (a nest); by default the first element, which is then not passed to
            `fn` (its output row is the element itself).
        reverse: scan from the last element to the first (outputs keep the elements' order).

    Returns:
        The stacked accumulators, in the structure of `initializer` (or `elems`).

    Example:
        >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4]))   # [1, 3, 6, 10]
    """
    _check_callable(fn)
    _, in_pack = _flattener(elems)
    out_structure = elems if initializer is None else initializer
    out_flatten, out_pack = _flattener(out_structure)
    with name_scope(name or "scan"):
        elems_flat = _elements(elems, "scan")
        n = _length(elems_flat)
        elems_ta = _unstacked(elems_flat, n)
        if initializer is None:
            a_flat = [ta.read(n - 1 if reverse else 0) for ta in elems_ta]
            first = 1
        else:
            a_flat = [convert_to_tensor(a, name="initializer") for a in out_flatten(initializer)]
            first = 0
        accs_ta = [TensorArray(a.dtype, size=n, dynamic_size=False, infer_shape=infer_shape,
                               element_shape=a.shape if infer_shape else None) for a in a_flat]
        if initializer is None:
            accs_ta = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs_ta, a_flat)]

        def compute(i, a_flat, tas):
            a_out = fn(out_pack(a_flat), in_pack([ta.read(i) for ta in elems_ta]))
            _assert_same_structure(out_structure, a_out)
            flat = out_flatten(a_out)
            tas = [ta.write(i, v) for ta, v in zip(tas, flat)]
            return (i - 1 if reverse else i + 1), flat, tas

        if reverse:
            start, condition = n - 1 - first, (lambda i, _a, _t: i >= 0)
        else:
            start, condition = first, (lambda i, _a, _t: i < n)
        from .while_ops import while_loop
        _, _, accs_ta = while_loop(condition, compute, (convert_to_tensor(start, dtype=dtypes.int32), a_flat, accs_ta),
                                   parallel_iterations=parallel_iterations, back_prop=back_prop,
                                   swap_memory=swap_memory, maximum_iterations=n)
        return out_pack(_stacked(accs_ta, elems_flat))


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, default_name, from_end):
    _check_callable(fn)
    with name_scope(name or default_name):
        elems_flat = _elements(elems, default_name)
        n = _length(elems_flat)
        elems_ta = nest.pack_sequence_as(elems, _unstacked(elems_flat, n)) if nest.is_nested(elems) else \
            _unstacked(elems_flat, n)[0]
        if initializer is None:
            a = nest.map_structure(lambda ta: ta.read(n - 1 if from_end else 0), elems_ta)
            i = n - 1 if from_end else 1
        else:
            a = initializer
            i = n if from_end else 0

        def compute(i, a):
            if from_end:
                i = i - 1
            a = fn(a, nest.map_structure(lambda ta: ta.read(i), elems_ta))
            return [i if from_end else i + 1, a]

        from .while_ops import while_loop
        condition = (lambda i, a: i > 0) if from_end else (lambda i, a: i < n)
        _, result = while_loop(condition, compute, [convert_to_tensor(i, dtype=dtypes.int32), a],
                               parallel_iterations=parallel_iterations, back_prop=back_prop, swap_memory=swap_memory,
                               maximum_iterations=n)
        return result


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """`fn(fn(fn(initializer, x0), x1), ...)` over the elements of `elems` from the first; without an initializer
    the first element starts the fold.

    Example:
        >>> tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))   # 6
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, "foldl", False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """As `foldl`, from the last element to the first.

    Example:
        >>> tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]))   # 321
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, "foldr", True)
