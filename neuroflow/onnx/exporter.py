"""`neuroflow.onnx.export`: turns the part of a graph between some inputs and outputs into an ONNX model.

How: the ops the outputs need are found walking back from them. Everything that does not depend on the inputs
is evaluated once in the session and becomes an initializer (variables with their current values, and also
shapes, a `training` flag's default, a batch-norm's folded statistics); a `where` whose condition is such a
constant is resolved to its chosen branch, which removes the training-mode branches of dropout and batch
normalization. The remaining ops are converted one by one by the exporters of `registry` (an If's branches and a
While's body by a child context into ONNX sub-graphs, `convert_control_flow`), then `optimize`
cancels redundant transposes and removes dead nodes, and the model is checked with
`onnx.checker.check_model(full_check=True)`.
"""
import numpy as np

from ..framework import errors
from ..framework.operation import Operation
from ..framework.tensor import Tensor
from ..autodiff.gradients import StopGradient
from ..ops import array_ops, debug_ops, grad_support_ops, logging_ops, state_ops
from ..ops.cond_ops import Branch
from . import ir
from .registry import ONNX_TYPES, get_exporter, why_not_exportable

__all__ = ["ExportError", "ExportContext", "export"]

OPSET = 17
IR_VERSION = 8

_PLACEHOLDER, _VARIABLE, _SELECT = array_ops.Placeholder, state_ops.VariableV2, grad_support_ops.SelectV2
# The ops whose output is their first input at inference: exports resolve through them.
PASS_THROUGH = frozenset((array_ops.Identity, StopGradient, array_ops.PlaceholderWithDefault,
                          debug_ops.CheckNumerics, logging_ops.PrintOp))
# Ops whose value cannot be an initializer (a TensorArray's list becomes an ONNX sequence): never evaluated at
# export time even when they depend on no input (exporter modules add to it).
NEVER_CONSTANT = set()


class ExportError(ValueError):
    """A graph that cannot be exported to ONNX; the message names the op, its node and the user's line."""


def _op_text(op):
    return f"'{op.name}' (op: '{op.type}')"


def located(message, op):
    """`message` followed by the line of the user's program that created `op`."""
    loc = op.location
    if loc is None:
        return message
    return f"{message}\nOperation '{op.name}' was created at:\n{loc.format()}"


def _why_unsupported(op):
    return why_not_exportable(op.opdef) or "there is no ONNX exporter for this op type"


class ExportContext:
    """What an exporter sees: names of the ONNX values of an op's inputs, constant values known at export time,
    and methods adding nodes and initializers. One context exports one model."""

    def __init__(self, sess, inputs, input_names, opset, parent=None, graph=None):
        self.sess = sess
        self.opset = opset
        self.graph = ir.Graph() if graph is None else graph
        # A sub-graph's context (an If branch, a Loop body) writes its nodes into its own graph, its constants
        # into the model's initializers (outer values are visible inside), and shares the model's value names.
        self._home = parent._home if parent is not None else self.graph
        self.op = None
        self._inputs = dict(zip(inputs, input_names))
        self._names = {}          # Tensor -> ONNX value name
        self._values = {}         # Tensor -> constant ndarray
        self._const = {}          # Op -> bool (all outputs independent of the inputs)
        self._static = {}         # Tensor -> value known from the graph alone (Shape of a known shape, ...)
        self._conditions = {}     # condition Tensor -> value, for resolving `where`
        self._initializers = {}   # Tensor -> initializer name
        self._sequences = parent._sequences if parent is not None else {}   # ONNX name -> element type
        self._taken = parent._taken if parent is not None else set()
        self._taken.update(input_names)
        self._used = set()

    # --- analysis ------------------------------------------------------------------------------------------
    def _ancestors(self, outputs):
        """The ops `outputs` depend on through data edges, inputs first."""
        order, seen = [], set()
        stack = [(t.op, False) for t in outputs]
        while stack:
            op, done = stack.pop()
            if done:
                order.append(op)
                continue
            if op in seen:
                continue
            seen.add(op)
            stack.append((op, True))
            if any(t in self._inputs for t in op.outputs):
                continue
            stack.extend((t.op, False) for t in op.inputs if t.op not in seen)
        return order

    def _analyze(self, outputs):
        ancestors = self._ancestors(outputs)
        for op in ancestors:
            for t in op.outputs:
                if t not in self._inputs and not op.opdef.stateful:
                    value = op.opdef.static_value(op, t.value_index)
                    if value is not None:
                        self._static[t] = np.asarray(value)
        # First without, then with the `where`s whose condition is a constant resolved to their branch.
        for op in ancestors:
            self._const[op] = self._classify(op)
        conds = [op.inputs[0] for op in ancestors if op.opdef is _SELECT and not self._const[op]
                 and self.is_const(op.inputs[0])]
        self._conditions = dict(zip(conds, self._evaluate(conds)))
        if self._conditions:
            self._const = {}
            for op in ancestors:
                self._const[op] = self._classify(op)

    def _classify(self, op):
        """Whether all of `op`'s outputs are known at export time."""
        if any(t in self._inputs for t in op.outputs) or op.opdef is _PLACEHOLDER:
            return False
        if op.opdef is _VARIABLE:
            return True
        if op.opdef.stateful or op.opdef in NEVER_CONSTANT or any(isinstance(v, Branch) for v in op.attrs.values()):
            return False   # control flow is exported as ONNX If/Loop, never evaluated at export time
        if op.opdef is _SELECT and op.inputs[0] in self._conditions:
            r = self.resolve(op.outputs[0])
            if r is not op.outputs[0]:
                return self.is_const(r)
        return all(self.is_const(self.resolve(t)) for t in op.inputs)

    def is_const(self, t):
        """Whether tensor `t` is known at export time (it does not depend on the model's inputs)."""
        if t in self._inputs:
            return False
        return t in self._static or self._const.get(t.op, False)

    def _evaluate(self, tensors):
        """The values of constant tensors, computed now with the ops' NumPy kernels (`forward`) from constants
        and the variables' values in the session (read in one run); `where`s resolve to their branch, so the
        branch not taken (which may need the inputs) is never computed."""
        order, seen, variables = [], set(), []
        stack = [(self.resolve(t).op, False) for t in tensors]
        while stack:
            op, done = stack.pop()
            if done:
                order.append(op)
                continue
            if op in seen:
                continue
            seen.add(op)
            if all(t in self._values or t in self._static for t in op.outputs):
                continue
            if op.opdef is _VARIABLE:
                variables.append(op.outputs[0])
                continue
            stack.append((op, True))
            stack.extend((self.resolve(t).op, False) for t in op.inputs)
        if variables:
            try:   # a variable a branch or loop body uses is the session graph's variable of the same name
                in_session = [t if t.graph is self.sess.graph else
                              self.sess.graph.get_operation_by_name(t.op.name).outputs[0] for t in variables]
                self._values.update(zip(variables, self.sess.run(in_session)))
            except errors.FailedPreconditionError as e:
                raise ExportError(f"Cannot export: a variable the outputs need has no value in the session "
                                  f"({e.message}). Initialize or restore the variables before exporting.") from None
        for op in order:
            if op.opdef is _VARIABLE:
                continue
            args = [self._constant(self.resolve(t)) for t in op.inputs]
            try:
                result = op.opdef.forward(np, *args, **op.attrs)
            except Exception as e:  # noqa: BLE001 - any kernel failure: name the op
                raise ExportError(located(f"Cannot export: computing the constant {_op_text(op)} failed: "
                                          f"{type(e).__name__}: {e}", op)) from None
            results = [result] if len(op.outputs) == 1 else list(result)
            for t, value in zip(op.outputs, results):
                self._values.setdefault(t, np.asarray(value))
        return [self._constant(self.resolve(t)) for t in tensors]

    def _constant(self, t):
        if t in self._static:
            return self._static[t]
        return self._values[t]

    def resolve(self, t):
        """The tensor `t` equals at inference: through identities, defaults of placeholders that are not inputs,
        and `where`s whose condition is a constant."""
        while t not in self._inputs:
            op = t.op
            if op.opdef in PASS_THROUGH:
                t = op.inputs[0]
                continue
            if op.opdef is _SELECT and op.inputs[0] in self._conditions:
                c = self._conditions[op.inputs[0]]
                branch = op.inputs[1] if c.all() else op.inputs[2] if not c.any() else None
                if branch is not None and c.size and (c.ndim == 0 or _same_static_shape(branch, t)):
                    t = branch
                    continue
            break
        return t

    def _plan(self, outputs):
        """The non-constant ops to convert, in an order where inputs come first; the constants they use."""
        order, seen, constants = [], set(), []
        stack = [(self.resolve(t).op, False) for t in outputs]
        for t in outputs:
            r = self.resolve(t)
            if self.is_const(r):
                constants.append(r)
        while stack:
            op, done = stack.pop()
            if done:
                order.append(op)
                continue
            if op in seen or any(t in self._inputs for t in op.outputs) or self._const.get(op):
                continue
            seen.add(op)
            if op.opdef is _PLACEHOLDER:
                raise ExportError(located(
                    f"Cannot export: the outputs need placeholder '{op.name}', which is not among the inputs. Add "
                    "it to `inputs`, or give it a default with tf.placeholder_with_default.", op))
            stack.append((op, True))
            for t in op.inputs:
                r = self.resolve(t)
                if self.is_const(r):
                    constants.append(r)
                elif r not in self._inputs and r.op not in seen:
                    stack.append((r.op, False))
        self._evaluate(constants)
        self._used = {self.resolve(t) for op in order for t in op.inputs}
        self._used.update(self.resolve(t) for t in outputs)
        return order

    # --- what exporters use ---------------------------------------------------------------------------------------
    def used(self, op, i):
        """Whether output `i` of `op` is needed by the exported outputs."""
        return op.outputs[i] in self._used

    def input_tensor(self, op, i):
        return self.resolve(op.inputs[i])

    def value(self, op, i):
        """The value of input `i` of `op` if known at export time (an ndarray), else None."""
        t = self.resolve(op.inputs[i])
        if not self.is_const(t):
            return None
        return self._evaluate([t])[0]

    def require_value(self, op, i, what=None):
        value = self.value(op, i)
        if value is None:
            name = what or op.opdef.input_names[min(i, len(op.opdef.input_names) - 1)]
            self.fail(f"its input '{name}' must be known when exporting (a constant), but it depends on the inputs")
        return value

    def attr(self, op, name, default=None):
        """Attribute `name` of `op` (`op.get_attr`), or `default` where the node does not set it."""
        try:
            return op.get_attr(name)
        except ValueError:
            return default

    def shape(self, op, i):
        """The static shape of input `i` (a TensorShape; dims may be None)."""
        t, r = op.inputs[i], self.resolve(op.inputs[i])
        return t.shape.merge_with(r.shape) if t.shape.is_compatible_with(r.shape) else t.shape

    def dtype(self, op, i=None):
        """The base dtype of input `i` (of output 0 when `i` is None)."""
        t = op.outputs[0] if i is None else op.inputs[i]
        return t.dtype.base_dtype

    def input(self, op, i):
        """The ONNX value name of input `i` of `op` (adding an initializer for a constant)."""
        return self.name_of(self.resolve(op.inputs[i]))

    def name_of(self, t):
        if t in self._inputs:
            return self._inputs[t]
        if t in self._names:
            return self._names[t]
        if self.is_const(t):
            if t not in self._initializers:
                value = self._evaluate([t])[0]
                self._initializers[t] = self.const(value, _initializer_name(t), exact=True)
            return self._initializers[t]
        raise ExportError(located(f"Internal error: the ONNX exporter of {_op_text(t.op)} did not produce output "
                                  f"{t.value_index}.", t.op))

    def out(self, op, i=0):
        """The ONNX value name to give output `i` of `op` (record it as that output)."""
        name = self._unique(op.outputs[i].name)
        self._names[op.outputs[i]] = name
        return name

    def alias(self, op, i, name):
        """Output `i` of `op` is the existing ONNX value `name` (no node needed)."""
        self._names[op.outputs[i]] = name

    def node(self, op_type, inputs, outputs=1, **attrs):
        """Adds an ONNX node; `outputs` is a list of names or a count of fresh ones. Returns its output name (a list
        for several outputs)."""
        base = self.op.name if self.op is not None else "export"
        if isinstance(outputs, int):
            outputs = [self._unique(f"{base}/{op_type}") for _ in range(outputs)]
        self.graph.nodes.append(ir.Node(op_type, inputs, outputs, attrs, self._unique(f"{base}/{op_type}_node")))
        return outputs[0] if len(outputs) == 1 else outputs

    def const(self, value, hint="const", exact=False):
        """Adds an initializer holding `value`; returns its name."""
        base = hint if exact else f"{self.op.name if self.op is not None else 'export'}/{hint}"
        name = self._unique(base)
        self._home.initializers[name] = np.asarray(value, order="C")
        return name

    def int64(self, values, hint="const"):
        return self.const(np.asarray(values, dtype=np.int64), hint)

    def cast(self, name, dtype):
        """`name` cast to neuroflow dtype `dtype` (a Cast node)."""
        return self.node("Cast", [name], to=onnx_type(dtype))

    def as_int64(self, op, i):
        """Input `i` as int64 (shapes, axes and indices are int64 in ONNX): a constant when known, else a Cast."""
        value = self.value(op, i)
        if value is not None:
            return self.int64(value, op.opdef.input_names[min(i, len(op.opdef.input_names) - 1)])
        name = self.input(op, i)
        return name if self.dtype(op, i).name == "int64" else self.node("Cast", [name], to=ONNX_TYPES["int64"])

    def mark_sequence(self, name, elem_type):
        """ONNX value `name` is a sequence of tensors of ONNX element type `elem_type` (a TensorArray's list;
        the graph calls it a float32 flow)."""
        self._sequences[name] = elem_type

    def sequence_type(self, name):
        """The element type of ONNX value `name` when it is a sequence, else None."""
        return self._sequences.get(name)

    def value_spec(self, name, dtype):
        """The ValueSpec of a sub-graph input or output `name` (neuroflow dtype `dtype`), shape left open."""
        elem = self.sequence_type(name)
        return ir.ValueSpec(name, elem, None, sequence=True) if elem is not None else \
            ir.ValueSpec(name, onnx_type(dtype), None)

    def fresh(self, base):
        """A value name not used anywhere in the model yet (reserved)."""
        return self._unique(base)

    def sub_graph(self, graph, placeholders, names, outputs, output_names):
        """Converts the ops of a control-flow op's sub-graph into `graph` (an ir.Graph: a branch, a loop body, or
        this context's own graph): each placeholder of `placeholders` reads the ONNX value of the same position
        in `names`; each of `outputs` (a tensor of the sub-graph, or an ndarray constant) is written to the
        name of the same position in `output_names`."""
        child = ExportContext(self.sess, placeholders, names, self.opset, parent=self, graph=graph)
        tensors = [t for t in outputs if isinstance(t, Tensor)]
        child._taken.update(output_names)
        child._analyze(tensors)
        for op in child._plan(tensors):
            child._convert_op(op)
        child.op = self.op
        for t, name in zip(outputs, output_names):
            source = child.name_of(child.resolve(t)) if isinstance(t, Tensor) else child.const(t, "zero")
            if self.sequence_type(source) is not None:
                self.mark_sequence(name, self.sequence_type(source))
            graph.nodes.append(ir.Node("Identity", [source], [name], {}, child._unique(f"{name}/output")))

    def _convert_op(self, op):
        fn = get_exporter(op.opdef)
        if fn is None:
            raise ExportError(located(f"Cannot export {_op_text(op)} to ONNX: {_why_unsupported(op)}.", op))
        self.op = op
        fn(self, op)

    def fail(self, reason):
        """Raises ExportError saying why the op being converted cannot be exported."""
        raise ExportError(located(f"Cannot export {_op_text(self.op)} to ONNX: {reason}.", self.op))

    def _unique(self, base):
        name, n = base, 0
        while name in self._taken:
            n += 1
            name = f"{base}_{n}"
        self._taken.add(name)
        return name

    # --- the whole export ----------------------------------------------------------------------------------------------
    def convert(self, outputs, output_names):
        self._taken.update(output_names)
        self._analyze(outputs)
        for op in self._plan(outputs):
            self._convert_op(op)
        self.op = None
        for t, name in zip(outputs, output_names):
            self.graph.nodes.append(ir.Node("Identity", [self.name_of(self.resolve(t))], [name], {},
                                            self._unique(f"{name}/output")))


def _same_static_shape(a, b):
    return a.shape.is_fully_defined() and b.shape.is_fully_defined() and a.shape.as_list() == b.shape.as_list()


def _initializer_name(t):
    """Variables keep their names (`dense/kernel`); other constants are named after their tensor."""
    op = t.op
    if op.opdef is _VARIABLE:
        return op.name
    if op.opdef is array_ops.Identity and op.inputs and op.inputs[0].op.opdef is _VARIABLE:
        return op.inputs[0].op.name
    return t.name


def onnx_type(dtype):
    name = dtype.base_dtype.name
    if name not in ONNX_TYPES or name in ("string", "complex64", "complex128"):
        raise ExportError(f"Cannot export: dtype {name} has no ONNX equivalent supported here")
    return ONNX_TYPES[name]


def _value_spec(name, t, symbolic):
    dims = None
    if t.shape.ndims is not None:
        dims = []
        for axis, d in enumerate(t.shape.as_list()):
            if d is not None:
                dims.append(d)
            elif symbolic:
                dims.append("batch" if axis == 0 else f"{name}_dim{axis}")
            else:
                dims.append(None)
    return ir.ValueSpec(name, onnx_type(t.dtype), dims)


def _element(graph, value, what):
    if isinstance(value, str):
        try:
            return graph.as_graph_element(value)
        except (KeyError, ValueError) as e:
            raise ValueError(f"{what}: {e}") from None
    return value


def _default_output_name(t):
    return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"


def export(sess, inputs, outputs, path=None, opset=OPSET, input_names=None, output_names=None,
           model_name="neuroflow", doc_string=None, optimize=True, check=True):
    """Exports the computation from `inputs` to `outputs` as an ONNX model (see the package docstring)."""
    if opset != OPSET:
        raise ValueError(f"opset {opset} is not supported: neuroflow exports ONNX opset {OPSET}")
    graph = sess.graph
    if isinstance(inputs, (Tensor, str)) or isinstance(outputs, (Tensor, str)):
        raise TypeError("inputs and outputs must be lists of tensors (or tensor names)")
    inputs = [_element(graph, t, "inputs") for t in inputs]
    outputs = [_element(graph, t, "outputs") for t in outputs]
    for t in outputs:
        if isinstance(t, Operation):
            raise ExportError(located(f"Cannot export {_op_text(t)}: outputs must be tensors, and an operation "
                                      "produces no value (a train op is training-only).", t))
    for t in inputs + outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs and outputs must be tensors of the session's graph, got {t!r}")
        if t.graph is not graph:
            raise ValueError(f"{t} is not an element of the session's graph")
    if not outputs:
        raise ValueError("outputs must name at least one tensor")
    input_names = list(input_names) if input_names is not None else [t.op.name if t.value_index == 0 else
                                                                     _default_output_name(t) for t in inputs]
    output_names = list(output_names) if output_names is not None else [_default_output_name(t) for t in outputs]
    if len(input_names) != len(inputs) or len(output_names) != len(outputs):
        raise ValueError("input_names / output_names must have one name per input / output")
    if len(set(input_names + output_names)) != len(input_names) + len(output_names):
        raise ValueError(f"input and output names must be unique: {input_names + output_names}")
    ctx = ExportContext(sess, inputs, input_names, opset)
    ctx.convert(outputs, output_names)
    ctx.graph.inputs = [_value_spec(n, t, True) for n, t in zip(input_names, inputs)]
    ctx.graph.outputs = [_value_spec(n, t, False) for n, t in zip(output_names, outputs)]
    if optimize:
        from .optimize import optimize as run_passes
        run_passes(ctx.graph)
    from .assemble import to_model
    model = to_model(ctx.graph, model_name, doc_string, opset, IR_VERSION, check)
    if path is not None:
        from ._deps import require_onnx
        require_onnx().save_model(model, str(path))
    return model
