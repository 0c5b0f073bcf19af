"""`Operation`: one node of a graph — a use of an OpDef with inputs, attributes, device and creation site."""
from . import source_info

__all__ = ["Operation", "NodeDef"]


class NodeDef:
    """A plain description of a node (name, op type, input names, device, attributes), as TF's NodeDef."""

    __slots__ = ("name", "op", "input", "device", "attr")

    def __init__(self, name, op, inputs, device, attr):
        self.name, self.op, self.input, self.device, self.attr = name, op, inputs, device, attr

    def __str__(self):
        lines = [f'name: "{self.name}"', f'op: "{self.op}"']
        lines += [f'input: "{i}"' for i in self.input]
        if self.device:
            lines.append(f'device: "{self.device}"')
        for key in sorted(self.attr):
            lines.append(f"attr {{ key: \"{key}\" value: {_attr_text(self.attr[key])} }}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _attr_text(value):
    from .dtypes import DType
    from .tensor_shape import TensorShape
    if isinstance(value, DType):
        return f"{{ type: DT_{value.base_dtype.name.upper()} }}"
    if isinstance(value, TensorShape):
        return f"{{ shape: {value} }}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{{ tensor: <{value.dtype} {list(value.shape)}> }}"
    return f"{{ {value!r} }}"


class Operation:
    """A node: an OpDef applied to input tensors, producing `outputs`.

    Created by op functions (`tf.matmul`, ...), never directly. `type` is the OpDef's TensorFlow name.

    Example:
        >>> c = tf.add(1, 2)
        >>> c.op.type, c.op.name
        ('AddV2', 'Add')
    """

    __slots__ = ("_graph", "_id", "_name", "_opdef", "_inputs", "_outputs", "_attrs", "_control_inputs",
                 "_control_outputs", "_device", "_location", "__weakref__")

    def __init__(self, graph, op_id, name, opdef, inputs, attrs, output_specs, control_inputs, device, location):
        from .tensor import Tensor
        self._graph = graph
        self._id = op_id
        self._name = name
        self._opdef = opdef
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = list(control_inputs)
        self._control_outputs = []
        self._device = device
        self._location = location
        self._outputs = tuple(Tensor(self, i, dtype, shape) for i, (shape, dtype) in enumerate(output_specs))
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    # --- identity ----------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._opdef.type_name

    @property
    def opdef(self):
        """The OpDef this node applies (neuroflow's primitive definition: infer, forward, grad)."""
        return self._opdef

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    @property
    def location(self):
        """Where in the user's code this op was created (a SourceLocation, or None)."""
        return self._location

    @property
    def traceback(self):
        loc = self._location
        return [] if loc is None else [(loc.filename, loc.lineno, loc.function, loc.line)]

    def values(self):
        return self._outputs

    def get_attr(self, name):
        """The value of attribute `name` (as canonicalized when the op was created).

        Raises:
            ValueError: the op has no such attribute.
        """
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None

    @property
    def attrs(self):
        """All attributes as a new dict (name -> value), e.g. to build a related op with the same ones."""
        return dict(self._attrs)

    @property
    def node_def(self):
        inputs = [t.op.name if t.value_index == 0 else t.name for t in self._inputs]
        inputs += ["^" + c.name for c in self._control_inputs]
        return NodeDef(self._name, self.type, inputs, self._device, dict(self._attrs))

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def error_context(self):
        """The lines appended to error messages: the node name and the user's line that created it."""
        return source_info.node_context(self._name, self._location)

    # --- execution -----------------------------------------------------------------------------
    def run(self, feed_dict=None, session=None):
        """Runs this operation in `session` (or the default session)."""
        from ..runtime.session import _session_for
        session = _session_for(self._graph, session, "execute operation using `run()`", "run(session=sess)",
                               "operation's")
        session.run(self, feed_dict)

    # --- Python protocol --------------------------------------------------------------------------
    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self.type}>"

    def __str__(self):
        return str(self.node_def)

    __hash__ = object.__hash__
