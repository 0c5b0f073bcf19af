"""Static shape rules shared by many OpDefs: broadcasting, axis normalization, reduced shapes."""
from ..framework.op_def import InferenceError
from ..framework.tensor_shape import TensorShape

__all__ = ["broadcast_shape", "normalize_axes", "reduced_shape"]


def broadcast_shape(a, b):
    """NumPy broadcasting of two static shapes; an unknown dim broadcast with 1 stays unknown.

    Raises:
        InferenceError: two known dims that differ and are not 1.
    """
    if a._dims is None or b._dims is None:
        return TensorShape(None)
    da, db = a._dims, b._dims
    if da == db:
        return a
    n = max(len(da), len(db))
    da = (1,) * (n - len(da)) + da
    db = (1,) * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        elif y is None or x == y:
            out.append(x)
        else:
            raise InferenceError(f"Dimensions must be equal, but are {x} and {y}")
    return TensorShape(out)


def normalize_axes(axis, rank, what="reduction"):
    """A sorted tuple of non-negative axes (or None for all), validated against `rank` when known."""
    if axis is None:
        return None
    if isinstance(axis, int):
        axis = (axis,)
    axes = []
    for a in axis:
        a = int(a)
        if rank is not None:
            if not -rank <= a < rank:
                raise InferenceError(f"Invalid {what} dimension {a} for input with {rank} dimensions.")
            a %= rank
        if a not in axes:
            axes.append(a)
    return tuple(sorted(axes)) if rank is not None else tuple(axes)


def reduced_shape(shape, axes, keepdims):
    """The static shape after reducing `axes` (None: all) of `shape`."""
    if shape._dims is None:
        return TensorShape(None) if not (axes is None and not keepdims) else TensorShape(())
    rank = len(shape._dims)
    if axes is None:
        return TensorShape([1] * rank if keepdims else [])
    axes = set(a % rank for a in axes) if rank else set()
    if keepdims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(shape._dims)])
    return TensorShape([d for i, d in enumerate(shape._dims) if i not in axes])
