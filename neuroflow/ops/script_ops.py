"""`tf.py_func` / `tf.numpy_function`: graph ops that call a Python function with NumPy arrays (the PyFunc and
PyFuncStateless OpDefs), with TensorFlow's token registry, output checks and error mapping."""
import functools
import threading
import traceback
import weakref

import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.context import executing_eagerly
from ..framework.graph import get_default_graph
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import unknown_shape
from ..util import nest
from .tensor_format import host_array

__all__ = ["py_func", "numpy_function"]


class _Callback:
    """Holds one registered function; the registry keeps it weakly, its graph strongly (TensorFlow's scheme:
    the function lives as long as the graph that calls it)."""

    __slots__ = ("func", "__weakref__")

    def __init__(self, func):
        self.func = func


class _FuncRegistry:
    """Tokens ("pyfunc_0", ...) to the functions PyFunc nodes call; a node's attrs hold only its token."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next_id = 0
        self._callbacks = weakref.WeakValueDictionary()

    def insert(self, func, graph):
        callback = _Callback(func)
        with self._lock:
            token = f"pyfunc_{self._next_id}"
            self._next_id += 1
        self._callbacks[token] = callback
        if not hasattr(graph, "_py_funcs_used_in_graph"):
            graph._py_funcs_used_in_graph = []
        graph._py_funcs_used_in_graph.append(callback)
        return token

    def lookup(self, token):
        callback = self._callbacks.get(token)
        if callback is None:  # e.g. a graph imported from a file: the Python function is not serialized
            raise errors.InvalidArgumentError(None, None, f"ValueError: callback {token} is not found")
        return callback.func


_registry = _FuncRegistry()

# TensorFlow's DataTypeString, used in its messages ("... is double, but expects float").
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_type_name(dtype):
    return _TF_TYPE_NAMES.get(dtype.name, dtype.name)


def _python_error(exc):
    """The `tf.errors` class TensorFlow's py_func kernel maps a Python exception to, with its message: the
    exception line, then the traceback."""
    if isinstance(exc, errors.OpError):
        return type(exc)(None, None, exc.message)
    if isinstance(exc, (ValueError, TypeError)):
        cls = errors.InvalidArgumentError
    elif isinstance(exc, StopIteration):
        cls = errors.OutOfRangeError
    elif isinstance(exc, MemoryError):
        cls = errors.ResourceExhaustedError
    elif isinstance(exc, NotImplementedError):
        cls = errors.UnimplementedError
    else:
        cls = errors.UnknownError
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return cls(None, None, f"{type(exc).__name__}: {exc}\n{text}")


def _as_argument(array):
    """What the function receives: a NumPy scalar for a 0-d value (as TensorFlow's PyArray_Return gives), else
    a copy, so a function that writes into its argument cannot change a constant or a variable's storage."""
    array = np.asarray(array)
    return array[()] if array.ndim == 0 else array.copy()


def _as_output(value):
    """TensorFlow's FuncRegistry._convert: a C-ordered array; text becomes an object array of bytes."""
    result = np.asarray(value, order="C")
    if result.dtype.kind == "U":
        return np.vectorize(lambda s: s.encode("utf8"), otypes=[object])(result)
    if result.dtype.kind == "S":
        return result.astype(object)
    return result


def _dtype_of(array):
    return dtypes.string if array.dtype.kind == "O" else dtypes.as_dtype(array.dtype)


def _outputs(token, ret, out_dtypes):
    """The function's return value checked against Tout with TensorFlow's messages."""
    if isinstance(ret, bytes):
        ret = [ret]
    if isinstance(ret, (list, tuple)):
        values = [_as_output(v) for v in ret]
    elif ret is None:
        values = []  # TensorFlow's IsSingleNone: a function returning None has no outputs
    else:
        values = [_as_output(ret)]
    if len(values) != len(out_dtypes):
        raise errors.InvalidArgumentError(None, None, f"{token} returns {len(values)} values, but expects to see "
                                                      f"{len(out_dtypes)} values.")
    for i, (value, want) in enumerate(zip(values, out_dtypes)):
        got = _dtype_of(value)
        if got is not want:
            raise errors.InvalidArgumentError(None, None, f"{i}-th value returned by {token} is {_tf_type_name(got)}, "
                                                          f"but expects {_tf_type_name(want)}")
    if len(values) == 1:
        return values[0]
    return tuple(values)


class _PyFuncBase(OpDef):
    input_names = ("input",)
    variadic = True
    # Never evaluated at graph-build time: the function may count calls, read files or draw random numbers,
    # and TensorFlow runs it only when a Session does.
    foldable = False
    # The output may be an array the function keeps (a global buffer): the plan must not write into it.
    output_is_shared = True
    # Shapes are whatever the function returns on each call.
    data_dependent_shape = True
    grad = None  # TensorFlow's ops.NotDifferentiable("PyFunc"): a gradient comes only from an override

    def infer(self, inputs, attrs):
        return [(unknown_shape(), dtype) for dtype in attrs["Tout"]]

    def forward(self, xp, *arrays, token, Tout):
        func = _registry.lookup(token)
        try:
            ret = func(*[_as_argument(a) for a in arrays])
        except Exception as exc:  # noqa: BLE001 - any Python failure becomes TensorFlow's error class
            raise _python_error(exc) from None
        return _outputs(token, ret, Tout)

    def kernel(self, op, ctx):
        xp = ctx.xp
        if xp is np:
            return functools.partial(self.forward, np, **op.attrs)
        # Another backend (a GPU): the function gets host copies and its results are copied back, explicitly.
        to_host = getattr(xp, "asnumpy", host_array)
        attrs = op.attrs

        def call_on_host(*arrays):
            result = self.forward(np, *[to_host(a) for a in arrays], **attrs)
            if isinstance(result, tuple):
                return tuple(_to_backend(xp, r) for r in result)
            return _to_backend(xp, result)
        return call_on_host


def _to_backend(xp, array):
    return array if array.dtype.kind == "O" else xp.asarray(array)  # strings stay host objects


@register
class PyFunc(_PyFuncBase):
    """Calls a registered Python function on NumPy arrays. Stateful: never merged with another call or skipped."""

    type_name = "PyFunc"
    stateful = True


@register
class PyFuncStateless(_PyFuncBase):
    """PyFunc for a function declared stateless: the plan may drop it when unused (TensorFlow: CSE applies)."""

    type_name = "PyFuncStateless"


def _call_now(func, inp):
    """Eager mode, as TensorFlow does it: the function runs now and its results become tensors."""
    arrays = [convert_to_tensor(x).numpy() for x in inp]
    result = nest.flatten(func(*arrays))
    result = [x if x is None else convert_to_tensor(x) for x in result]
    return result[0] if len(result) == 1 else result


def py_func(func, inp, Tout, stateful=True, name=None):
    """Wraps a Python function taking and returning NumPy arrays as an op of the graph.

    Args:
        func: called with one NumPy array per input (a NumPy scalar for a 0-d input); returns an array (or a
            list of arrays, or None when `Tout` is empty) whose dtypes are exactly `Tout`.
        inp: a list of tensors.
        Tout: a dtype (one output, returned as a tensor) or a list of dtypes (returned as a list).
        stateful: False lets the Session skip the call when nothing needs its output (two calls are never
            merged: each py_func node has its own token). The function is never called at graph-build time
            (no constant folding), whatever `stateful` says, since it may count or log its calls.
        name: the op's name.

    Returns:
        A tensor, or a list of tensors, of unknown shape (narrow it with `set_shape`); the Operation when
        `Tout` is an empty list.

    Eagerly the function runs at once and its results become tensors of their own dtypes, as in TensorFlow.

    Raises:
        ValueError: `func` is not callable. At run time, `tf.errors.InvalidArgumentError` when `func` returns
        the wrong number or dtype of values or raises ValueError/TypeError; other Python exceptions become
        UnknownError (StopIteration: OutOfRangeError), naming the node and the line that created it.

    Example:
        >>> y = tf.py_func(np.sinh, [x], tf.float32)
    """
    if not callable(func):
        raise ValueError(f"Expected func to be callable, got func of type {type(func)}")
    if executing_eagerly():
        return _call_now(func, inp)
    is_list = isinstance(Tout, (list, tuple))
    out_dtypes = [dtypes.as_dtype(t) for t in (Tout if is_list else [Tout])]
    inputs = [convert_to_tensor(x) for x in (inp or [])]
    graph = inputs[0].graph if inputs else get_default_graph()
    token = _registry.insert(func, graph)
    opdef = PyFunc if stateful else PyFuncStateless
    result = apply_op(opdef, inputs, {"token": token, "Tout": out_dtypes}, name=name or opdef.type_name)
    if not out_dtypes:
        return result  # the Operation, as TensorFlow's generated wrapper returns for no outputs
    result = [result] if len(out_dtypes) == 1 else list(result)
    return result if is_list else result[0]


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """`tf.numpy_function`: `py_func` under its TF2 name (stateful unless told otherwise).

    Example:
        >>> y = tf.numpy_function(lambda a: a * 2, [x], tf.float32)
    """
    return py_func(func, inp, Tout, stateful=stateful, name=name)
