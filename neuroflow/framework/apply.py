"""`apply_op`, the single place where an op is applied: inputs converted with TensorFlow's dtype rules,
dtypes checked, shapes inferred, the node added to its graph. (Eager execution will branch here, and only
here.) Also `convert_to_tensor` and its registry of conversion functions."""
import numpy as np

from . import context as _context
from . import dtypes
from . import source_info
from .graph import Graph, get_default_graph
from .op_def import InferenceError
from .tensor import Tensor

__all__ = ["apply_op", "convert_to_tensor", "register_tensor_conversion_function", "convert_n_to_tensor"]

_conversion_functions = []  # (base_type, fn(value, dtype, name, as_ref) -> Tensor)
_list_converter = [None]    # set by ops.array_ops: packs a list that contains tensors


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Lets objects of `base_type` be used wherever a Tensor is expected (as `tf.Variable` is)."""
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda item: item[0])


def _register_list_converter(fn):
    _list_converter[0] = fn


def _contains_tensor(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif _is_tensor_like(v):
            return True
    return False


def _is_tensor_like(value):
    if isinstance(value, Tensor):
        return True
    return any(isinstance(value, base) for _, base, _ in _conversion_functions)


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False, dtype_hint=None):
    """Converts `value` (a Tensor, Variable, Python value or NumPy array) to a Tensor.

    Raises:
        ValueError: a tensor of another dtype than the requested one.
        TypeError: a Python value that cannot have the requested dtype.
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    preferred_dtype = preferred_dtype or dtype_hint
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.base_dtype.is_compatible_with(value.dtype.base_dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtype.base_dtype.name} for Tensor with dtype "
                             f"{value.dtype.base_dtype.name}: {value!r}")
        return value
    for _, base, fn in _conversion_functions:
        if isinstance(value, base):
            result = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if dtype is not None and result.dtype.base_dtype is not dtype.base_dtype:
                raise ValueError(f"Tensor conversion requested dtype {dtype.base_dtype.name} for Tensor with "
                                 f"dtype {result.dtype.base_dtype.name}: {result!r}")
            return result
    if isinstance(value, (list, tuple)) and _list_converter[0] is not None and _contains_tensor(value):
        return _list_converter[0](value, dtype, name or "packed")
    from .constant_op import constant
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name or "Const")


def convert_n_to_tensor(values, dtype=None, name=None):
    return [convert_to_tensor(v, dtype=dtype, name=f"{name}_{i}" if name else None) for i, v in enumerate(values)]


def _graph_for_inputs(values):
    """The graph of the tensors among `values` (TF1 puts an op in its inputs' graph); all must agree. Inside a
    control-flow sub-graph (ops/subgraph.py), tensors of the graphs it reaches are captured into it."""
    graph = None
    first = None
    reaches = getattr(get_default_graph(), "reaches", None)
    for v in values:
        g = getattr(v, "graph", None)
        if not isinstance(g, Graph):
            continue
        if reaches is not None and reaches(g):
            g = get_default_graph()
        if graph is None:
            graph, first = g, v
        elif g is not graph:
            raise ValueError(f"{v} must be from the same graph as {first}.")
    return graph if graph is not None else get_default_graph()


def _flatten_inputs(opdef, inputs):
    if opdef.variadic:
        return list(inputs)
    if len(inputs) != len(opdef.input_names):
        raise TypeError(f"{opdef.type_name} takes {len(opdef.input_names)} inputs, got {len(inputs)}")
    return list(inputs)


def _input_name(opdef, i):
    return opdef.input_names[0] if opdef.variadic else opdef.input_names[i]


def _convert_inputs(opdef, values, location):
    """Converts inputs in order; inputs sharing dtype "T" take the dtype of the first tensor among them."""
    same = set(opdef.same_dtype) if not opdef.variadic else ({opdef.input_names[0]} if opdef.same_dtype else set())
    hint = None
    for i, v in enumerate(values):
        if _input_name(opdef, i) in same and _is_tensor_like(v):
            base = v.dtype.base_dtype
            hint = base
            break
    tensors = []
    for i, v in enumerate(values):
        in_name = _input_name(opdef, i)
        as_ref = i in opdef.ref_inputs
        want = hint if in_name in same else None
        if as_ref and not _is_tensor_like(v):
            raise TypeError(f"Input '{in_name}' of '{opdef.type_name}' Op requires l-value input")
        try:
            t = convert_to_tensor(v, dtype=want, name=in_name, as_ref=as_ref)
        except TypeError as e:
            if want is None:
                raise
            raise TypeError(f"Expected {want.name} passed to parameter '{in_name}' of op '{opdef.type_name}', got "
                            f"{v!r} of type '{type(v).__name__}' instead. Error: {e}") from None
        except ValueError:
            if want is None or not isinstance(v, Tensor) and not _is_tensor_like(v):
                raise
            raise TypeError(f"Input '{in_name}' of '{opdef.type_name}' Op has type {t_dtype(v)} that does not match "
                            f"type {want.name} of argument '{_first_named(opdef, values, same)}'.") from None
        if as_ref and not t.dtype.is_ref_dtype:
            raise TypeError(f"Input '{in_name}' of '{opdef.type_name}' Op requires l-value input")
        if in_name in same and hint is None:
            hint = t.dtype.base_dtype
        tensors.append(t)
    _check_dtypes(opdef, tensors, same)
    return tensors


def t_dtype(v):
    return v.dtype.base_dtype.name


def _first_named(opdef, values, same):
    for i in range(len(values)):
        if _input_name(opdef, i) in same and _is_tensor_like(values[i]):
            return _input_name(opdef, i)
    return _input_name(opdef, 0)


def _check_dtypes(opdef, tensors, same):
    first = None
    for i, t in enumerate(tensors):
        in_name = _input_name(opdef, i)
        if in_name not in same:
            continue
        dt = t.dtype.base_dtype
        if first is None:
            first = (in_name, dt)
            if opdef.allowed_dtypes is not None and dt not in opdef.allowed_dtypes:
                allowed = ", ".join(d.name for d in opdef.allowed_dtypes)
                raise TypeError(f"Value passed to parameter '{in_name}' has DataType {dt.name} not in list of "
                                f"allowed values: {allowed}")
        elif dt is not first[1]:
            raise TypeError(f"Input '{in_name}' of '{opdef.type_name}' Op has type {dt.name} that does not match "
                            f"type {first[1].name} of argument '{first[0]}'.")


def _with_location(message, op_name, location):
    if location is None or "was being created at:" in message:
        return message
    return f"{message}\nOperation '{op_name}' was being created at:\n{location.format()}"


def apply_op(opdef, inputs, attrs=None, name=None):
    """Applies `opdef` to `inputs` with `attrs`: adds a node to the inputs' graph and returns its output
    (a Tensor; a tuple for several outputs; the Operation for none).

    The node is named `name` (default: the OpDef's type) in the current name scope, made unique; constants
    made from Python inputs are named after the inputs inside it (`mul/y`), as in TensorFlow.
    """
    attrs = {} if attrs is None else attrs
    values = _flatten_inputs(opdef, inputs)
    if _context.executing_eagerly():  # the one place graph and eager mode part
        return _context.eager_executor()(opdef, values, attrs, name)
    graph = _graph_for_inputs(values)
    location = source_info.user_location()
    default = get_default_graph()
    if graph is not default:
        with graph.as_default():
            return _build(graph, opdef, values, attrs, name, location)
    return _build(graph, opdef, values, attrs, name, location)


def convert_and_infer(opdef, values, attrs, node_name, location):
    """Converts the inputs, canonicalizes the attributes (`OpDef.canonicalize_attrs`, pure) and infers the
    outputs' (shape, dtype) from them; returns (tensors, attrs, specs), raising TensorFlow's build-time errors
    with the node and the user's line. Shared by graph building, graph import and eager execution."""
    tensors = []
    try:
        tensors = _convert_inputs(opdef, values, location)
        attrs = opdef.canonicalize_attrs(tensors, attrs)
        return tensors, attrs, opdef.infer(tensors, attrs)
    except InferenceError as e:
        shapes = ", ".join(t.shape.bracket_str() for t in tensors)
        raise ValueError(_with_location(f"{e} for '{node_name}' (op: '{opdef.type_name}') with input shapes: "
                                        f"{shapes}.", node_name, location)) from None
    except (TypeError, ValueError) as e:
        raise type(e)(_with_location(str(e), node_name, location)) from None


def _build(graph, opdef, values, attrs, name, location):
    with graph.name_scope(name or opdef.type_name) as scope:
        tensors, attrs, specs = convert_and_infer(opdef, values, attrs, scope[:-1], location)
        op = graph.create_op(opdef, tensors, attrs, scope, specs, location)
    outputs = op.outputs
    if len(outputs) == 1:
        return outputs[0]
    if not outputs:
        return op
    return outputs


def as_numpy_dtype(dtype):
    return np.dtype(dtypes.as_dtype(dtype).as_numpy_dtype)
