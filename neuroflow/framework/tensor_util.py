"""Python and NumPy values -> arrays with TensorFlow's dtype rules, and values of tensors known at build time."""
import numbers

import numpy as np

from . import dtypes
from .tensor import Tensor
from .tensor_shape import TensorShape

__all__ = ["make_ndarray", "constant_value", "constant_value_as_shape"]

_INT32_MIN, _INT32_MAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max


def _flat_python(values):
    """Yields the scalars of a nested Python list/tuple (NumPy arrays inside are yielded whole)."""
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        else:
            yield v


def _accepts(dtype, v):
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        return True
    if dtype.is_bool:
        return isinstance(v, bool)
    if dtype is dtypes.string:
        return isinstance(v, (str, bytes))
    if dtype.is_integer:
        return isinstance(v, numbers.Integral)
    if dtype.is_floating:
        return isinstance(v, numbers.Real)
    if dtype.is_complex:
        return isinstance(v, numbers.Complex)
    return True


def _to_bytes(arr):
    out = np.empty(arr.shape, dtype=object)
    flat = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in arr.reshape(-1).tolist()]
    if flat:
        out.reshape(-1)[:] = flat
    return out


def make_ndarray(value, dtype=None):
    """The NumPy array a constant of `value` holds.

    Python floats become float32, ints int32 (int64 when too big), bools bool, strings bytes objects; NumPy
    values keep their dtype. With `dtype`, Python values must be of a compatible kind (TF's TypeError).

    Raises:
        TypeError: a Python value of the wrong kind for `dtype`.
        ValueError: None, or a ragged nested list.
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind in "USO":
            arr = _to_bytes(arr)
            if dtype is not None and dtype is not dtypes.string:
                raise TypeError(f"Expected {dtype.name}, got an array of strings instead.")
            return arr
        if dtype is None:
            if arr.dtype.kind not in "biufc":
                raise TypeError(f"Unsupported NumPy dtype {arr.dtype} for a Tensor.")
            return arr
        return arr.astype(dtype.as_numpy_dtype, copy=False)
    if dtype is not None:
        for v in _flat_python(value):
            if v is None:
                raise ValueError("None values not supported.")
            if not _accepts(dtype, v):
                raise TypeError(f"Expected {dtype.name}, got {v!r} of type '{type(v).__name__}' instead.")
    try:
        arr = np.asarray(value)
    except ValueError:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
    except OverflowError:
        raise ValueError(f"Can't convert Python int {value!r} to a Tensor: it does not fit in int64.") from None
    if arr.dtype.kind in "US":
        # From the Python values, not `arr`: NumPy's fixed-width bytes drop trailing NUL bytes, TensorFlow keeps them.
        arr = _to_bytes(np.asarray(value, dtype=object))
    elif arr.dtype.kind == "O":
        if any(v is None for v in _flat_python(value)):
            raise ValueError("None values not supported.")
        if all(isinstance(v, (str, bytes)) for v in _flat_python(value)):
            arr = _to_bytes(np.asarray(value, dtype=object))
        else:
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    if dtype is not None:
        if dtype.is_integer and arr.dtype.kind in "iu" and arr.size:
            info = np.iinfo(dtype.as_numpy_dtype)
            lo, hi = arr.min(), arr.max()
            if lo < info.min or hi > info.max:
                bad = lo if lo < info.min else hi
                raise ValueError(f"Can't convert Python int {int(bad)} to {dtype.name}: out of range.")
        if dtype is dtypes.string:
            return arr if arr.dtype == object else _to_bytes(arr.astype(str))
        return arr.astype(dtype.as_numpy_dtype, copy=False)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in "iu":
        if arr.size == 0 or (arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX):
            return arr.astype(np.int32)
        return arr.astype(np.int64)
    return arr


def shape_from_constant(value, shape, dtype):
    """TF1's `tf.constant(value, shape=...)`: a single value fills the shape, a short list is padded with its
    last element, a list of the right size is reshaped."""
    arr = make_ndarray(value, dtype)
    shape = TensorShape(shape).as_list()
    n = int(np.prod(shape, dtype=np.int64))
    if arr.size == n:
        return arr.reshape(shape)
    if arr.size == 1:
        return np.full(shape, arr.reshape(-1)[0], dtype=arr.dtype)
    if arr.size > n:
        raise TypeError(f"Too many elements provided. Needed at most {n}, but received {arr.size}")
    if arr.size == 0:
        raise ValueError(f"Cannot make a tensor of shape {shape} from an empty value.")
    flat = np.concatenate([arr.reshape(-1), np.repeat(arr.reshape(-1)[-1:], n - arr.size)])
    return flat.reshape(shape)


_MAX_FOLD_DEPTH = 64
_MAX_FOLD_ELEMENTS = 1 << 16


def constant_value(tensor, _depth=0):
    """The value of `tensor` if it can be known while building the graph (constants and pure ops over them,
    shapes that are fully known); otherwise None. Never runs stateful ops. An eager tensor's value is known."""
    if not isinstance(tensor, Tensor):
        value = getattr(tensor, "_value", None)  # an EagerTensor
        if value is None or getattr(tensor, "_variable", None) is not None:
            return None
        return np.asarray(tensor)  # EagerTensor.__array__: a value on a GPU comes back (a counted copy)
    op = tensor.op
    value = op.opdef.static_value(op, tensor.value_index)
    if value is not None:
        return value
    opdef = op.opdef
    if not opdef.foldable or opdef.stateful or _depth > _MAX_FOLD_DEPTH:
        return None
    shape = tensor.shape
    if not shape.is_fully_defined() or shape.num_elements() > _MAX_FOLD_ELEMENTS:
        return None
    inputs = []
    for t in op.inputs:
        v = constant_value(t, _depth + 1)
        if v is None:
            return None
        inputs.append(v)
    try:
        with np.errstate(all="ignore"):
            result = opdef.forward(np, *inputs, **op._attrs)
    except Exception:  # the run-time error will be reported at run time, with context
        return None
    if len(op._outputs) != 1:
        result = result[tensor.value_index]
    return np.asarray(result)


def constant_value_as_shape(tensor):
    """A TensorShape from a 1-D shape tensor, with unknown dims where parts are not constant (-1 -> None)."""
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(value).reshape(-1).tolist()])
    op = tensor.op
    if op.type == "Pack":
        dims = []
        for t in op.inputs:
            v = constant_value(t)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape(dims)
    if op.type == "Shape":
        return op.inputs[0].shape
    rank = tensor.shape[0].value if tensor.shape.ndims == 1 else None
    return TensorShape(None) if rank is None else TensorShape([None] * rank)


def build_time_value(value, what):
    """`value` itself, or, for a tensor, its value known while building the graph (`constant_value`).

    For arguments neuroflow keeps static (axes, perms, depths): a tensor computed only at run time is refused.

    Raises:
        ValueError: `value` is a tensor whose value is not known until the graph runs.
    """
    from .apply import _is_tensor_like, convert_to_tensor
    if not _is_tensor_like(value):
        return value
    tensor = convert_to_tensor(value)
    known = constant_value(tensor)
    if known is None:
        raise ValueError(f"neuroflow needs {what} at graph-building time; got the tensor {tensor.name}, whose "
                         "value is only known when the graph runs.")
    return known


def is_zeros(tensor):
    """True when `tensor` is None or made by ZerosLike (gradient functions skip work for known-zero gradients);
    works for graph and eager tensors alike."""
    if tensor is None:
        return True
    op = getattr(tensor, "_op", None)
    return op is not None and op.opdef.type_name == "ZerosLike"
