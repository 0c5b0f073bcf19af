"""`tf.keras.backend`: the per-graph state Keras keeps beside the graph engine — unique layer names, the learning
phase (a bool `placeholder_with_default(False)`), the Keras session that initializes new variables lazily — and
the small tensor helpers (`int_shape`, `get_value`, `batch_set_value`, `function`, ...) the engine uses."""
import weakref
from collections import defaultdict

import numpy as np

from ..framework import dtypes
from ..framework.graph import GraphKeys, get_default_graph, reset_default_graph
from ..framework.tensor import Tensor

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format", "set_image_data_format",
           "get_uid", "reset_uids", "unique_object_name", "learning_phase", "set_learning_phase",
           "learning_phase_scope", "get_session", "set_session", "clear_session", "get_value", "batch_get_value",
           "set_value", "batch_set_value", "int_shape", "ndim", "dtype", "placeholder", "variable", "constant",
           "eval", "count_params", "is_keras_tensor", "function", "manual_variable_initialization"]

_CONFIG = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last", "manual_init": False}


# --- configuration -----------------------------------------------------------------------------------------------
def floatx():
    """The default float type of Keras weights and inputs, as a string ("float32")."""
    return _CONFIG["floatx"]


def set_floatx(value):
    """Sets the default float type ("float16", "float32" or "float64")."""
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value}")
    _CONFIG["floatx"] = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _CONFIG["epsilon"]


def set_epsilon(value):
    """Sets the fuzz factor returned by `epsilon()`."""
    _CONFIG["epsilon"] = float(value)


def image_data_format():
    """"channels_last" (the default) or "channels_first"."""
    return _CONFIG["image_data_format"]


def set_image_data_format(data_format):
    """Sets the default data_format of conv/pool layers ("channels_last" or "channels_first")."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _CONFIG["image_data_format"] = str(data_format)


def manual_variable_initialization(value):
    """With True, `get_session()` no longer initializes new variables (the user runs the initializers)."""
    _CONFIG["manual_init"] = bool(value)


# --- per-graph state ------------------------------------------------------------------------------------------
class _GraphState:
    def __init__(self):
        self.uids = defaultdict(int)
        self.learning_phase = None      # the placeholder tensor, made on first use
        self.learning_phase_value = None  # set_learning_phase(0/1): a Python value that overrides it
        self.session = None


_STATE = weakref.WeakKeyDictionary()
_INITIALIZED = weakref.WeakKeyDictionary()   # session -> set of variable op names known to hold a value


def _state(graph=None):
    graph = graph if graph is not None else get_default_graph()
    state = _STATE.get(graph)
    if state is None:
        state = _STATE[graph] = _GraphState()
    return state


def get_uid(prefix=""):
    """1, 2, 3, ... for successive calls with the same `prefix` in the default graph.

    Example:
        >>> get_uid("dense"), get_uid("dense")
        (1, 2)
    """
    uids = _state().uids
    uids[prefix] += 1
    return uids[prefix]


def reset_uids():
    """Restarts the layer-name counters of the default graph."""
    _state().uids.clear()


def unique_object_name(name, zero_based=True):
    """`name`, `name_1`, `name_2`, ... (zero_based) or `name_1`, `name_2`, ... — Keras's default layer names."""
    n = get_uid(name) - (1 if zero_based else 0)
    return name if zero_based and n == 0 else f"{name}_{n}"


# --- the learning phase ----------------------------------------------------------------------------------------
def learning_phase():
    """The training flag layers use when called without `training=`: a scalar bool tensor of the default graph,
    `placeholder_with_default(False)` named `keras_learning_phase` (feed True to train), or the Python value
    given to `set_learning_phase`.

    Example:
        >>> y = model(x)   # dropout/batch norm follow the learning phase
        >>> sess.run(y, {x: batch, tf.keras.backend.learning_phase(): True})
    """
    state = _state()
    if state.learning_phase_value is not None:
        return state.learning_phase_value
    if state.learning_phase is None:
        from ..ops.array_ops import placeholder_with_default
        graph = get_default_graph()
        # Made at the top level, outside any scope or control dependencies the caller may be in.
        with graph.name_scope(""), graph.control_dependencies(None):
            state.learning_phase = placeholder_with_default(False, shape=[], name="keras_learning_phase")
    return state.learning_phase


def set_learning_phase(value):
    """Fixes the learning phase of the default graph to 0 (test) or 1 (train) for layers built afterwards."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _state().learning_phase_value = int(value)


class learning_phase_scope:  # noqa: N801 - Keras's public name
    """`with learning_phase_scope(1):` sets the learning phase inside the block only."""

    def __init__(self, value):
        if value not in (0, 1):
            raise ValueError("Expected learning phase to be 0 or 1.")
        self._value = value

    def __enter__(self):
        state = _state()
        self._saved = state.learning_phase_value
        state.learning_phase_value = int(self._value)

    def __exit__(self, *exc):
        _state().learning_phase_value = self._saved
        return False


# --- the session ---------------------------------------------------------------------------------------------------
def get_session():
    """The session Keras runs in: the default session if one is active (`with tf.Session() as sess:`), else a
    Keras-owned session of the default graph, created on first use. Variables that have no value yet in it are
    initialized first (unless `manual_variable_initialization(True)`), so models can run right after being built.
    """
    from ..runtime.session import Session, get_default_session
    session = get_default_session()
    if session is None:
        state = _state()
        if state.session is None or state.session._closed:
            state.session = Session(graph=get_default_graph())
        session = state.session
    if not _CONFIG["manual_init"]:
        _initialize_variables(session)
    return session


def set_session(session):
    """Makes `session` the Keras session of its graph."""
    _state(session.graph).session = session


def clear_session():
    """Starts over: a new default graph (new layer names, learning phase and Keras session)."""
    state = _STATE.get(get_default_graph())
    if state is not None and state.session is not None:
        state.session.close()
    reset_default_graph()


def _initialize_variables(session):
    """Runs the initializers of the graph's variables that have no value in `session` yet (each variable is
    checked once per session)."""
    graph = session.graph
    variables = graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(GraphKeys.LOCAL_VARIABLES)
    known = _INITIALIZED.get(session)
    if known is None:
        known = _INITIALIZED[session] = set()
    fresh = [v for v in variables if hasattr(v, "initializer") and v.op.name not in known]
    if not fresh:
        return
    store = getattr(getattr(session, "_ctx", None), "variables", None)
    if store is not None:
        todo = [v for v in fresh if v.op.name not in store]
    else:
        from ..ops.state_ops import is_variable_initialized
        flags = session.run([is_variable_initialized(v) for v in fresh])
        todo = [v for v, ok in zip(fresh, flags) if not ok]
    if todo:
        session.run([v.initializer for v in todo])
    known.update(v.op.name for v in fresh)


# --- values -------------------------------------------------------------------------------------------------------
def get_value(x):
    """The value of variable `x` as a NumPy array."""
    return batch_get_value([x])[0]


def batch_get_value(tensors):
    """The values of several variables (one session run)."""
    if not tensors:
        return []
    return [np.asarray(v) for v in get_session().run(list(tensors))]


def set_value(x, value):
    """Writes `value` into variable `x`."""
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    """Writes values into variables: `[(variable, value), ...]`, in one session run that adds no ops to the
    graph (each variable's initializer runs with its initial value fed)."""
    tuples = list(tuples)
    if not tuples:
        return
    session = get_session()
    feeds, targets = {}, []
    for var, value in tuples:
        dtype = var.dtype.base_dtype
        value = np.asarray(value, dtype=dtype.as_numpy_dtype)
        if var.shape.is_fully_defined() and tuple(var.shape.as_list()) != value.shape:
            raise ValueError(f"Cannot assign to variable {var.op.name} due to variable shape {tuple(var.shape)} "
                             f"and value shape {value.shape} are incompatible")
        feeds[var.initial_value] = value
        targets.append(var.initializer)
    session.run(targets, feeds)


# --- tensors ---------------------------------------------------------------------------------------------------
def int_shape(x):
    """The static shape of `x` as a tuple of ints and None (None for an unknown rank)."""
    shape = x.shape
    return None if shape.ndims is None else tuple(shape.as_list())


def ndim(x):
    """The rank of `x` (None when unknown)."""
    return x.shape.ndims


def dtype(x):
    """The dtype of `x` as a string ("float32")."""
    return x.dtype.base_dtype.name


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):  # noqa: A002
    """A placeholder of `shape` (or rank `ndim`, all dims unknown) and `dtype` (default floatx())."""
    from ..ops.array_ops import placeholder as tf_placeholder
    if sparse:
        raise NotImplementedError("neuroflow has no sparse placeholders")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return tf_placeholder(dtype or floatx(), shape, name=name)


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (initialized lazily by `get_session()`)."""
    from ..variables.variable import Variable
    value = np.asarray(value, dtype=dtypes.as_dtype(dtype or floatx()).as_numpy_dtype)
    return Variable(value, name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor of `dtype` (default floatx())."""
    from ..framework.constant_op import constant as tf_constant
    return tf_constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def eval(x):  # noqa: A001 - Keras's public name
    """The value of a tensor or variable in the Keras session."""
    return get_session().run(x)


def count_params(x):
    """The number of elements of a variable (its shape must be known)."""
    return int(np.prod(x.shape.as_list(), dtype=np.int64))


def is_keras_tensor(x):
    """Whether `x` was made by a Keras layer or `Input` (it carries layer history)."""
    from .engine.base_layer import keras_history
    if not isinstance(x, Tensor):
        raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. Expected a symbolic tensor instance.")
    return keras_history(x) is not None


class _Function:
    def __init__(self, inputs, outputs, updates, name):
        from ..ops.control_flow_ops import group
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._update_op = group(*updates) if updates else None
        self.name = name

    def __call__(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("`inputs` should be a list or tuple.")
        feeds = {t: v for t, v in zip(self.inputs, inputs)}
        fetches = self.outputs + ([self._update_op] if self._update_op is not None else [])
        values = get_session().run(fetches, feeds)
        return values[:len(self.outputs)]


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable `f(list_of_input_values) -> list_of_output_values` running `outputs` (and `updates`) in the
    Keras session with `inputs` fed.

    Example:
        >>> f = tf.keras.backend.function([model.input], [model.layers[0].output])
        >>> first_layer_values = f([x_batch])[0]
    """
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return _Function(inputs, outputs, list(updates or []), name)
