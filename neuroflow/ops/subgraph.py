"""Sub-graphs of functional control flow: a branch or loop body traced into its own graph, outer tensors it uses
becoming explicit inputs (captures), and the composite protocol that lets objects such as TensorArray be loop vars.

Capturing: while a `SubGraph` is the default graph, an op given a tensor of an enclosing graph gets, in its place,
a placeholder of the sub-graph (made once per outer tensor); `captures` lists (outer tensor, placeholder) pairs,
which the control-flow op takes as extra inputs. A variable itself (a VariableV2 node's reference output) is
captured as a VariableV2 node of the same name, so reads and assigns inside hit the session's storage of the outer
variable; other outer tensors (an update's output too) are captured as their values.

Composite protocol (loop vars and branch outputs that are not tensors): an object with `_to_components()` (a list
of tensors) and `_from_components(components)` (a new object of the same kind from such a list) flows through
`cond` and `while_loop` as its components: `flatten_composites` / `pack_composites` below.
"""
import contextlib

from ..framework.graph import Graph, get_default_graph
from ..util import nest
from .array_ops import Placeholder

__all__ = ["SubGraph", "trace", "flatten_composites", "pack_composites", "outermost_graph", "is_composite"]


class SubGraph(Graph):
    """The graph a branch function or loop body is traced into; `outer` is the graph the control-flow op
    lives in. `forward` (for gradient sub-graphs) is a sibling sub-graph whose tensors may be used too: they
    become `intermediates` (values the forward op must hand over)."""

    def __init__(self, outer, name_prefix="", forward=None, intermediate_capture=None):
        super().__init__()
        self.outer = outer
        self.forward = forward
        self._intermediate_capture = intermediate_capture
        self.seed = outer.seed
        self._collections = outermost_graph(outer)._collections  # one graph's collections (trainable variables...)
        # Names are unique across a graph and its branches and bodies, as in TF1 (`cond/add`, `cond/add_1`): the
        # session's per-op state (random generators) is keyed by name.
        self._names_in_use = outermost_graph(outer)._names_in_use
        self._name_stack = name_prefix.rstrip("/")
        self._captured = {}  # outer tensor -> placeholder (also eager variables' storage keys, eager/function.py)
        self.captures = []  # (outer tensor, placeholder) in order of capture
        self.inputs = []  # the argument placeholders, in order
        self.outer_control_inputs = []  # ops of enclosing graphs that must run first (control_dependencies)

    @property
    def building_function(self):
        return True

    # Variable scopes are the outermost graph's, where variables are made (see control_dependencies).
    @property
    def _variable_scope_state(self):
        return getattr(self, "outer", None) and self.outer._variable_scope_state

    @_variable_scope_state.setter
    def _variable_scope_state(self, state):
        if state is not None:  # Graph.__init__ sets None before `outer` exists
            self.outer._variable_scope_state = state

    # Op ids count on in the outermost graph: unique across a graph and its branches and bodies, so the op
    # seeds a graph seed gives random ops inside (from the op counter) differ from those outside.
    @property
    def _last_id(self):
        return outermost_graph(self.outer)._last_id

    @_last_id.setter
    def _last_id(self, value):
        if "outer" in self.__dict__:  # Graph.__init__ sets 0 before `outer` exists
            outermost_graph(self.outer)._last_id = value

    @property
    def _lifts_variables(self):  # inside a tf.function's graph, variables made in a branch become eager ones
        return getattr(self.outer, "_lifts_variables", False)

    def reaches(self, graph):
        """True when tensors of `graph` may be used here (they are captured)."""
        g = self
        while isinstance(g, SubGraph):
            if graph is g.outer or graph is g.forward:
                return True
            g = g.outer
        return graph is g

    def add_input(self, dtype, shape, name):
        ph = self._placeholder(dtype, shape, name)
        self.inputs.append(ph)
        return ph

    def _placeholder(self, dtype, shape, name):
        with self.as_default(), Graph.control_dependencies(self, None):
            spec = [(shape, dtype)]
            op = self.create_op(Placeholder, [], {"dtype": dtype, "shape": shape}, name, spec)
        return op.outputs[0]

    def capture(self, tensor):
        """The tensor of this graph standing for `tensor` (of this graph, an enclosing one, or `forward`)."""
        if tensor.graph is self:
            return tensor
        found = self._captured.get(tensor)
        if found is not None:
            return found
        if self.forward is not None and tensor.graph is self.forward:
            inner = self._intermediate_capture(self, tensor)
        elif tensor.dtype.is_ref_dtype and tensor.op.opdef.read_at_use:  # a variable (not an update's output)
            inner = self._capture_variable(tensor)
        else:
            outer_tensor = tensor
            if tensor.graph is not self.outer:
                if not isinstance(self.outer, SubGraph):
                    raise ValueError(f"{tensor} must be from the same graph as the control flow it is used in.")
                outer_tensor = self.outer.capture(tensor)
            inner = self._placeholder(tensor.dtype.base_dtype, tensor.shape, "capture")
            self.captures.append((outer_tensor, inner))
        self._captured[tensor] = inner
        return inner

    def _capture_variable(self, ref):
        from .state_ops import VariableV2
        op = ref.op
        with self.as_default(), Graph.control_dependencies(self, None):
            existing = self._ops_by_name.get(op.name)
            if existing is not None:
                return existing.outputs[0]
            new = self.create_op(VariableV2, [], dict(op.attrs), op.name + "/", [(op.outputs[0].shape,
                                                                                  op.outputs[0].dtype)])
        return new.outputs[0]

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """As Graph's; ops or tensors of enclosing graphs become control inputs of the control-flow op itself
        (they run before the branch or loop starts). `None` leaves the control flow too, as in TF1: ops made in
        the block (a variable and its initializer, made in a branch or loop body) go into the outermost graph,
        under this sub-graph's name scope."""
        if control_inputs is None:
            outer = outermost_graph(self)
            saved = outer._name_stack
            outer._name_stack = self._name_stack
            try:
                with outer.as_default(), outer.control_dependencies(None):
                    yield
            finally:
                outer._name_stack = saved
            return
        inner = []
        for c in control_inputs:
            element = getattr(c, "_as_graph_element", None)
            element = element() if callable(element) else c
            graph = getattr(element, "graph", None)
            if graph is not None and graph is not self and self.reaches(graph):
                op = getattr(element, "op", element)
                if op not in self.outer_control_inputs:
                    self.outer_control_inputs.append(op)
            else:
                inner.append(c)
        control_inputs = inner
        with super().control_dependencies(control_inputs):
            yield

    def create_op(self, opdef, inputs, attrs, name, output_specs, location=None):
        inputs = [self.capture(t) if t.graph is not self else t for t in inputs]
        if opdef.read_at_use and opdef.ref_inputs and inputs and inputs[0].op.opdef.read_at_use:
            # A read of an (eager) variable's value, as tf.function makes: read before the control-flow op and
            # captured, like a graph variable's snapshot, so gradients reach the variable.
            return self._lifted_read(opdef, inputs[0], attrs, name, output_specs, location)
        return super().create_op(opdef, inputs, attrs, name, output_specs, location)

    def _lifted_read(self, opdef, ref, attrs, name, output_specs, location):
        outer = self.outer
        with outer.as_default():
            outer_ref = outer._ops_by_name.get(ref.op.name)
            if outer_ref is None:
                outer_ref = Graph.create_op(outer, ref.op.opdef, [], dict(ref.op.attrs), ref.op.name + "/",
                                            [(ref.shape, ref.dtype)])
                captured = getattr(outer, "_captured", None)
                if isinstance(captured, dict):
                    captured.setdefault(ref.op.name, outer_ref.outputs[0])
            read = outer.create_op(opdef, [outer_ref.outputs[0]], attrs, name.split("/")[-1] or "read",
                                   output_specs, location)
        return self.capture(read.outputs[0]).op


def add_outer_control_inputs(op, graphs):
    """Makes the ops that `graphs` (sub-graphs of control-flow op `op`) depend on by control_dependencies control
    inputs of `op`, or, for ops of graphs further out, of the sub-graph `op` lives in."""
    for graph in graphs:
        for c in graph.outer_control_inputs:
            if c.graph is op.graph:
                op._add_control_input(c)
            elif isinstance(op.graph, SubGraph) and c not in op.graph.outer_control_inputs:
                op.graph.outer_control_inputs.append(c)


def outermost_graph(graph=None):
    """The graph that holds `graph` (default: the default graph) and is no sub-graph: where variables go."""
    graph = get_default_graph() if graph is None else graph
    while isinstance(graph, SubGraph):
        graph = graph.outer
    return graph


def is_composite(value):
    return hasattr(value, "_to_components") and hasattr(value, "_from_components")


def flatten_composites(structure):
    """The tensors (and other leaves) of `structure`, composites expanded into their components."""
    flat = []
    for leaf in nest.flatten(structure):
        if is_composite(leaf):
            flat.extend(leaf._to_components())
        else:
            flat.append(leaf)
    return flat


def pack_composites(structure, flat):
    """The inverse of `flatten_composites`: `flat` arranged like `structure`, composites rebuilt."""
    flat = list(flat)
    leaves, k = [], 0
    for leaf in nest.flatten(structure):
        if is_composite(leaf):
            n = len(leaf._to_components())
            leaves.append(leaf._from_components(flat[k:k + n]))
            k += n
        else:
            leaves.append(flat[k])
            k += 1
    return nest.pack_sequence_as(structure, leaves)


def trace(fn, args, outer, name_prefix, shapes=None):
    """Calls `fn(*args_structure)` inside a new SubGraph of `outer`, each tensor leaf of `args` (composites
    expanded) replaced by an input placeholder (with shape `shapes[i]` when given). Returns (graph, the result
    structure as `fn` returned it). `fn`'s ops are named under `name_prefix` (the control-flow op's scope)."""
    from ..framework import context as mode
    graph = SubGraph(outer, name_prefix)
    flat = flatten_composites(args) if args is not None else []
    with graph.as_default(), mode.graph_mode():
        placeholders = []
        for i, t in enumerate(flat):
            shape = t.shape if shapes is None else shapes[i]
            placeholders.append(graph.add_input(t.dtype.base_dtype, shape, "arg"))
        result = fn(*pack_composites(args, placeholders)) if args is not None else fn()
    return graph, result
