"""`tf.function`: traces a Python function into a graph once per input signature (dtypes and shapes of tensor
arguments, values of Python arguments), compiles it like a Session plan, and runs the compiled plan on later
calls — eager ergonomics at graph speed. Eager variables used inside are captured by reference."""
import functools

import numpy as np

from ..framework import context as mode
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import Graph

from ..ops.array_ops import placeholder
from ..ops.state_ops import VariableV2
from ..runtime.plan import Plan
from ..util import nest
from .state import context
from .tensor import EagerTensor
from .variable import EagerVariable, ReadVariableOp

__all__ = ["function", "Function", "capture_variable"]


class FuncGraph(Graph):
    """The graph a tf.function traces into: variables created while tracing are lifted to eager variables."""

    _lifts_variables = True

    def __init__(self, name):
        super().__init__()
        self.name = name
        self._captured = {}


def capture_variable(variable, as_ref):
    """In a traced graph, an eager variable becomes a VariableV2 node named by its storage key (so the compiled
    plan reads and writes the same storage); a value use reads it through ReadVariableOp."""
    from ..framework.graph import get_default_graph
    graph = get_default_graph()
    captured = getattr(graph, "_captured", None)
    if captured is None:
        captured = graph._captured = {}
    ref = captured.get(variable._key)
    if ref is None:
        with graph.name_scope(None):
            ref = apply_op(VariableV2, [], {"shape": variable.shape, "dtype": variable.dtype, "container": "",
                                            "shared_name": ""}, name=variable._key + "/")
        captured[variable._key] = ref
    if as_ref:
        return ref
    return apply_op(ReadVariableOp, [variable], name="ReadVariableOp")


def _is_tensor_arg(x):
    return isinstance(x, (EagerTensor, np.ndarray, EagerVariable))


class _Concrete:
    """One traced signature: the graph's placeholders, outputs and the compiled plan."""

    def __init__(self, fn, args, kwargs, name):
        graph = FuncGraph(name)
        graph.seed = context.seed
        flat = nest.flatten((args, kwargs))
        self.tensor_positions = [i for i, x in enumerate(flat) if _is_tensor_arg(x) and
                                 not isinstance(x, EagerVariable)]
        with graph.as_default(), mode.graph_mode():
            traced = list(flat)
            for i in self.tensor_positions:
                value = np.asarray(flat[i])
                traced[i] = placeholder(value.dtype, value.shape, name=f"arg{i}")
            self.placeholders = [traced[i] for i in self.tensor_positions]
            t_args, t_kwargs = nest.pack_sequence_as((args, kwargs), traced)
            result = fn(*t_args, **t_kwargs)
            self.structure = result
            leaves = nest.flatten(result)
            self.output_positions = [i for i, x in enumerate(leaves) if x is not None]
            outputs = [convert_to_tensor(leaves[i]) for i in self.output_positions]
        graph.finalize()
        self.constant_leaves = leaves
        # Every stateful node runs, in program order (TensorFlow's automatic control dependencies).
        effects = [op for op in graph.get_operations()
                   if op.opdef.stateful and not op.opdef.read_at_use and op.type != "VariableV2"]
        self.plan = Plan(outputs, effects, self.placeholders, context)
        self.graph = graph

    def __call__(self, flat):
        arrays = [np.asarray(flat[i], dtype=p.dtype.as_numpy_dtype) for i, p in
                  zip(self.tensor_positions, self.placeholders)]
        values = self.plan.run(arrays)
        leaves = list(self.constant_leaves)
        for i, v in zip(self.output_positions, values):
            leaves[i] = EagerTensor(np.asarray(v))
        return nest.pack_sequence_as(self.structure, leaves)


class Function:
    """A Python function compiled to a graph per input signature (see `tf.function`)."""

    def __init__(self, python_function, input_signature=None, autograph=True, name=None):
        self._fn = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._traces = {}
        functools.update_wrapper(self, python_function)

    def _key(self, flat):
        key = []
        for x in flat:
            if isinstance(x, EagerVariable):
                key.append(("var", id(x)))
            elif _is_tensor_arg(x):
                a = np.asarray(x)
                key.append(("tensor", a.dtype.str, a.shape))
            else:
                try:
                    hash(x)
                    key.append(("py", x))
                except TypeError:
                    key.append(("py", id(x)))
        return tuple(key)

    def __call__(self, *args, **kwargs):
        if not mode.executing_eagerly():
            return self._fn(*args, **kwargs)  # building a graph already: the ops join it directly
        if any(tape._recording for tape in context.tapes):
            # A tape outside differentiates through this call: the compiled plan would be one opaque step to it,
            # so the Python function runs eagerly and the tape records its ops (same values, no speed-up).
            return self._fn(*args, **kwargs)
        flat = nest.flatten((args, kwargs))
        key = self._key(flat)
        concrete = self._traces.get(key)
        if concrete is None:
            concrete = self._traces[key] = _Concrete(self._fn, args, kwargs, self._name)
        return concrete(flat)

    @property
    def python_function(self):
        return self._fn

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return functools.partial(self.__call__, instance)


def function(func=None, input_signature=None, autograph=True, experimental_compile=None, name=None):
    """Compiles `func` into a graph on first call per input signature; later calls run the compiled plan.

    Usable as `@tf.function` or `tf.function(fn)`. Tensor (and NumPy array) arguments become placeholders;
    a new dtype or shape retraces; Python arguments are baked in (a new value retraces). Called while a
    GradientTape records, the function runs eagerly so the tape can differentiate through it (a tape inside
    the function, the usual training step, keeps the compiled plan).

    Example:
        >>> @tf.function
        ... def step(x):
        ...     return tf.reduce_sum(x * x)
    """
    if func is None:
        return lambda f: Function(f, input_signature, autograph, name)
    return Function(func, input_signature, autograph, name)


