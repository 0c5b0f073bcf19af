"""`Graph`: the container of operations — unique naming, name scopes, control dependencies, devices,
collections — and the per-thread default-graph stack."""
import contextlib
import re
import threading

from . import device as _device
from . import source_info
from .operation import Operation
from .tensor import Tensor

__all__ = ["Graph", "GraphKeys", "get_default_graph", "reset_default_graph", "name_scope"]

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class GraphKeys:
    """Standard collection names (`tf.GraphKeys.TRAINABLE_VARIABLES`, ...)."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = GLOBAL_VARIABLES
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class _ControlDependencies:
    """One `control_dependencies` block: its control ops, and the ops created inside it (already dominated)."""

    def __init__(self, control_inputs):
        self.control_inputs = control_inputs
        self.created = set()


class Graph:
    """A TensorFlow computation: operations and the tensors between them.

    Ops are added to the default graph; `with g.as_default():` makes `g` the default.

    Example:
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     c = tf.constant(3.0)
        >>> c.graph is g
        True
    """

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_stack = []
        self._device_stack = []
        self._collections = {}
        self._finalized = False
        self._seed = None
        self._last_id = 0
        self._unfeedable = set()
        self._unfetchable = set()
        self._lock = threading.RLock()
        self._variable_scope_state = None  # owned by neuroflow.variables.scope

    # --- the default graph ------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Makes this graph the default graph for the `with` block."""
        _stack().append(self)
        try:
            yield self
        finally:
            _stack().pop()

    # --- properties ---------------------------------------------------------------------------------
    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        """Makes the graph read-only: creating an op afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    @property
    def version(self):
        return self._last_id

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, seed):
        self._seed = seed

    @property
    def building_function(self):
        return False

    # --- operations -----------------------------------------------------------------------------------
    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def create_op(self, opdef, inputs, attrs, name, output_specs, location=None):
        """Adds a node; `name` ending in '/' is used exactly (a scope name), otherwise made unique.

        Op functions call this through `apply_op`, which does conversion and shape inference first.
        """
        with self._lock:
            self._check_not_finalized()
            name = name[:-1] if name.endswith("/") else self.unique_name(name)
            if location is None:
                location = source_info.user_location()
            input_ops = [t.op for t in inputs]
            control_inputs = self._control_dependencies_for(input_ops)
            self._last_id += 1
            op = Operation(self, self._last_id, name, opdef, inputs, attrs, output_specs, control_inputs,
                           self._current_device(), location)
            self._ops.append(op)
            self._ops_by_name[name] = op
            for controller in self._control_stack:
                controller.created.add(op)
            self._apply_device_functions(op)
            return op

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, name string or object with `_as_graph_element` to an element of this
        graph, with TensorFlow's errors."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        conv = getattr(obj, "_as_graph_element", None)
        if conv is not None and callable(conv) and not isinstance(obj, type):
            obj = conv()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                try:
                    op_name, out_n = name.split(":")
                    out_n = int(out_n)
                except ValueError:
                    raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a valid one. "
                                     "Tensor names must be of the form \"<op_name>:<output_index>\".") from None
                if op_name not in self._ops_by_name:
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                                   f"{op_name!r}, does not exist in the graph.")
                op = self._ops_by_name[op_name]
                if out_n >= len(op.outputs) or out_n < 0:
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                                   f"{op_name!r}, exists but only has {len(op.outputs)} outputs.")
                return op.outputs[out_n]
            if ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
            if ":" not in name and allow_operation:
                if name not in self._ops_by_name:
                    raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
                return self._ops_by_name[name]
            if name in self._ops_by_name:
                raise ValueError(f"The name {name!r} refers to an Operation, not a {types_str}. Tensor names must "
                                 "be of the form \"<op_name>:<output_index>\".")
            raise ValueError(f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}. "
                             "Tensor names must be of the form \"<op_name>:<output_index>\".")
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj!r} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # --- names ------------------------------------------------------------------------------------------
    def unique_name(self, name, mark_as_used=True):
        """`name` prefixed by the current name scope, with `_1`, `_2`, ... appended if already taken."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base_key = key
            while key in self._names_in_use:
                key = f"{base_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens name scope `name` (made unique); a name ending in '/' re-enters it exactly; None or '' resets
        to the top level. Yields the scope string with its trailing '/'."""
        if name:
            pattern = _VALID_SCOPE_NAME if self._name_stack else _VALID_OP_NAME
            if not pattern.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
        old = self._name_stack
        if not name:
            new_stack, scope = "", ""
        elif name.endswith("/"):
            new_stack, scope = name[:-1], name
        else:
            new_stack = self.unique_name(name)
            scope = new_stack + "/"
        self._name_stack = new_stack
        try:
            yield scope
        finally:
            self._name_stack = old

    # --- control dependencies -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created in the block run only after `control_inputs` (ops or tensors); None clears outer ones."""
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        ops = []
        for c in control_inputs:
            element = self.as_graph_element(c)
            if isinstance(element, Tensor):
                element = element.op
            if element not in ops:
                ops.append(element)
        self._control_stack.append(_ControlDependencies(ops))
        try:
            yield
        finally:
            self._control_stack.pop()

    def _control_dependencies_for(self, input_ops):
        result = []
        for controller in self._control_stack:
            if any(op in controller.created for op in input_ops):
                continue  # already ordered after the controls through that input
            for c in controller.control_inputs:
                if c not in input_ops and c not in result:
                    result.append(c)
        return result

    # --- devices -----------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Records a device on ops created in the block (a string like '/gpu:0', a function of the op, or None)."""
        if device_name_or_function is None:
            saved, self._device_stack = self._device_stack, []
            try:
                yield
            finally:
                self._device_stack = saved
            return
        if not callable(device_name_or_function):
            _device.DeviceSpec.from_string(device_name_or_function)  # validate now, at the user's line
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self):
        spec = ""
        for d in self._device_stack:
            if not callable(d):
                spec = _device.merge_device(spec, d)
        return spec

    def _apply_device_functions(self, op):
        for d in self._device_stack:
            if callable(d):
                chosen = d(op)
                if chosen is not None:
                    op._device = _device.merge_device(op._device, chosen)

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        yield

    # --- serialization -----------------------------------------------------------------------------------------
    def as_graph_def(self, from_version=None, add_shapes=False):
        """This graph as TensorFlow's GraphDef message (`tf.GraphDef`), or neuroflow's own GraphDef for a graph
        TensorFlow's op vocabulary cannot describe (see tf_graph_export.graph_def_message).

        Args:
            from_version: accepted for TensorFlow's signature (every node is written).
            add_shapes: give each node an `_output_shapes` attr with its outputs' static shapes.
        """
        from .graph_def_cache import graph_def_message   # the bytes are reused while the graph is unchanged
        return graph_def_message(self, add_shapes=add_shapes)

    # --- feeding and fetching rules --------------------------------------------------------------------------------
    def prevent_feeding(self, tensor):
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor):
        return tensor not in self._unfeedable

    def prevent_fetching(self, op):
        self._unfetchable.add(op)

    def is_fetchable(self, tensor_or_op):
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    # --- collections -------------------------------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        if isinstance(names, str):
            names = [names]
        for name in set(names):
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection `name`, optionally only items whose `.name` matches regex `scope` at the start."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [item for item in items if hasattr(item, "name") and pattern.match(item.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)


# --- the default graph stack (per thread, over one process-wide default graph) ----------------------------------------
class _GraphStack(threading.local):
    def __init__(self):
        self.stack = []


_thread_state = _GraphStack()
_global_default_graph = None


def _stack():
    return _thread_state.stack


def get_default_graph():
    """The graph new ops go into: the innermost `as_default()` graph, else the process-wide default graph."""
    global _global_default_graph
    stack = _thread_state.stack
    if stack:
        return stack[-1]
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph():
    """Replaces the process-wide default graph with a new empty one (not allowed inside `as_default()`)."""
    global _global_default_graph
    if _thread_state.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    _global_default_graph = Graph()


def _graph_of(values):
    """The graph of the first graph element among `values`, else the default graph (also when the default
    graph is a control-flow sub-graph that captures from that element's graph)."""
    default = get_default_graph()
    reaches = getattr(default, "reaches", None)
    for v in values or ():
        g = getattr(v, "graph", None)
        if isinstance(g, Graph):
            return default if reaches is not None and reaches(g) else g
    return default


class name_scope:  # noqa: N801 - TensorFlow's public name
    """`with tf.name_scope("layer1") as scope:` — prefixes the names of ops created inside with `layer1/`.

    Args:
        name: the scope name (made unique; ending in '/' re-enters an existing scope exactly).
        default_name: used (made unique) when `name` is None.
        values: tensors the ops will use; picks their graph.
    """

    def __init__(self, name, default_name=None, values=None):
        self._name = default_name if name is None else name
        self._default_name = default_name
        self._values = values
        self._ctx = None

    @property
    def name(self):
        return self._name

    def __enter__(self):
        from .context import executing_eagerly
        if executing_eagerly():  # eager ops have no graph names: the scope is only a string
            self._ctx = None
            return self._name + "/" if self._name else ""
        if self._name is None and self._values is not None:
            raise ValueError(f"At least one of name ({self._name}) and default_name ({self._default_name}) must be "
                             "provided.")
        graph = _graph_of(self._values)
        self._ctx = graph.name_scope(self._name)
        return self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc) if self._ctx is not None else False
