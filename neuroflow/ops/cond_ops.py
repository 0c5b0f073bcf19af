"""`tf.cond` and `tf.case` as functional control flow: the If op (StatelessIf when no branch touches state) holds
both branches as sub-graphs, each compiled once into its own plan; only the taken branch runs. Its gradient is
another If on the same predicate, whose branches the one gradient engine builds from the forward branches."""
import numpy as np

from ..framework import context as mode
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import get_default_graph, name_scope
from ..framework.op_def import OpDef, register
from ..framework.operation import Operation
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from ..util import nest
from . import subgraph

__all__ = ["cond", "case", "If", "StatelessIf", "CaseCheck"]


class Branch:
    """One branch of an If: its sub-graph, the If inputs (positions after the predicate) feeding its input
    placeholders, its outputs (a tensor of the sub-graph, or None for a zero of the output's dtype: values only
    the other branch computes) and the ops it runs for their effect. `exposed`: the output index of each branch
    value a gradient asked for (ops/cond_grad.py)."""

    def __init__(self, graph, placeholders, positions, outputs, targets=()):
        self.graph = graph
        self.placeholders = list(placeholders)
        self.positions = list(positions)
        self.outputs = list(outputs)
        self.targets = list(targets)
        self.exposed = {}

    def __repr__(self):
        return f"<Branch {len(self.placeholders)} inputs -> {len(self.outputs)} outputs>"


class _BranchRunner:
    def __init__(self, branch, out_dtypes, ctx):
        from ..runtime.subplan import SubPlan
        fetched = [t for t in branch.outputs if t is not None]
        self.plan = SubPlan(branch.placeholders, fetched, branch.targets, ctx)
        self.positions = branch.positions
        self.zeros = [None if t is not None else ctx.xp.zeros((), dt) for t, dt in zip(branch.outputs, out_dtypes)]
        self.computes_all = all(z is None for z in self.zeros)

    def __call__(self, args):
        values = self.plan.runner()([args[p] for p in self.positions])
        if self.computes_all:
            return values
        it = iter(values)
        return [next(it) if z is None else z for z in self.zeros]


class _IfBase(OpDef):
    input_names = ("input",)
    variadic = True
    foldable = False
    data_dependent_shape = True  # which branch runs, or how many iterations, depends on values
    output_is_shared = True  # a branch may hand back an input or a constant as it is

    def infer(self, inputs, attrs):
        pred = inputs[0]
        if pred.shape.ndims not in (None, 0):
            from ..framework.op_def import InferenceError
            raise InferenceError(f"Shape must be rank 0 but is rank {pred.shape.ndims}")
        return list(zip(attrs["output_shapes"], attrs["Tout"]))

    def kernel(self, op, ctx):
        out_dtypes = [np.dtype(dt.as_numpy_dtype) for dt in op.get_attr("Tout")]
        then_run = _BranchRunner(op.get_attr("then_branch"), out_dtypes, ctx)
        else_run = _BranchRunner(op.get_attr("else_branch"), out_dtypes, ctx)
        if len(out_dtypes) == 1:
            return lambda pred, *args: (then_run if pred else else_run)(args)[0]
        return lambda pred, *args: tuple((then_run if pred else else_run)(args))

    def grad(self, op, *grads):
        from .cond_grad import if_grad
        return if_grad(op, grads)


@register
class If(_IfBase):
    """Runs `then_branch` when input 0 (the predicate) is true, else `else_branch`, on the other inputs; a
    branch reads or writes state (variables, random numbers), so it is never folded or deduplicated."""

    type_name = "If"
    stateful = True


@register
class StatelessIf(_IfBase):
    """If whose branches are pure functions of the inputs."""

    type_name = "StatelessIf"


def _is_stateful(graph):
    return any(op.opdef.stateful for op in graph.get_operations())


def build_if(pred, then_graph, then_outputs, else_graph, else_outputs, output_shapes, name, targets=((), ())):
    """Adds an If (or StatelessIf) node running `then_graph`/`else_graph` (SubGraphs whose captures become its
    inputs) with `then_outputs`/`else_outputs` (lists of tensors or None) and returns the node."""
    inputs, position = [], {}
    branches = []
    for graph, outputs, branch_targets in ((then_graph, then_outputs, targets[0]),
                                           (else_graph, else_outputs, targets[1])):
        positions = []
        for outer, _ in graph.captures:
            if outer not in position:
                position[outer] = len(inputs)
                inputs.append(outer)
            positions.append(position[outer])
        branches.append(Branch(graph, [ph for _, ph in graph.captures], positions, outputs, branch_targets))
    dtypes_out = [(t if t is not None else e).dtype.base_dtype for t, e in zip(then_outputs, else_outputs)]
    opdef = If if _is_stateful(then_graph) or _is_stateful(else_graph) else StatelessIf
    attrs = {"then_branch": branches[0], "else_branch": branches[1], "Tout": dtypes_out,
             "output_shapes": list(output_shapes)}
    result = apply_op(opdef, [pred] + inputs, attrs, name=name)
    op = result if isinstance(result, Operation) else result.op if isinstance(result, Tensor) else result[0].op
    subgraph.add_outer_control_inputs(op, (then_graph, else_graph))
    return op


def _trace_branch(fn, outer, scope):
    graph, result = subgraph.trace(fn, None, outer, scope)
    leaves = subgraph.flatten_composites(result)
    outputs, targets = [], []
    with graph.as_default():
        for leaf in leaves:
            if isinstance(leaf, Operation):
                targets.append(leaf if leaf.graph is graph else None)
                continue
            t = convert_to_tensor(leaf)
            outputs.append(graph.capture(t) if t.graph is not graph else t)
    return graph, result, outputs, [t for t in targets if t is not None]


def _structure_signature(s):
    if subgraph.is_composite(s):
        return type(s).__name__
    if isinstance(s, dict):
        return ("dict", tuple((k, _structure_signature(s[k])) for k in sorted(s)))
    if isinstance(s, (list, tuple)):
        return (type(s).__name__, tuple(_structure_signature(v) for v in s))
    return "."


def _check_same_structure(res_t, res_f):
    """TensorFlow's errors when the branches return different nests."""
    if _structure_signature(res_t) == _structure_signature(res_f):
        return
    if len(nest.flatten(res_t)) != len(nest.flatten(res_f)):
        raise ValueError("Incompatible return values of true_fn and false_fn: The two structures don't have the "
                         f"same number of elements.\n\nFirst structure: {res_t!r}\n\nSecond structure: {res_f!r}")
    raise TypeError("Incompatible return types of true_fn and false_fn: The two structures don't have the same "
                    f"nested structure.\n\nFirst structure: {res_t!r}\n\nSecond structure: {res_f!r}")


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` if `pred` else `false_fn()`; in a graph both are traced, only the taken one runs.

    Args:
        pred: a scalar bool tensor (a placeholder or computed value).
        true_fn, false_fn: callables returning tensors (any nest of them, the same structure and dtypes).
        strict: if False (TF1's default), a branch result that is a list or tuple of one item is unpacked.
        name: the op's name scope (default "cond").

    Returns:
        The taken branch's results, in `true_fn`'s structure.

    Raises:
        TypeError: `pred` is a Python bool, a function is missing or not callable, or the structures differ.
        ValueError: the branches return different numbers of values or different dtypes.

    Example:
        >>> r = tf.cond(x < y, lambda: x + 1, lambda: y * 2)
    """
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if true_fn is None:
        raise TypeError("cond(): true_fn argument required")
    if false_fn is None:
        raise TypeError("cond(): false_fn argument required")
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if mode.executing_eagerly():
        result = true_fn() if bool(np.asarray(pred)) else false_fn()
        return result if strict else _unpack_if_singleton(result)
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    with name_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred, name="pred")
        if pred.dtype.base_dtype is not dtypes.bool:
            raise TypeError(f"Input 'pred' of 'If' Op has type {pred.dtype.base_dtype.name} that does not match "
                            "expected type of bool.")
        outer = get_default_graph()
        then_graph, res_t, then_out, then_targets = _trace_branch(true_fn, outer, scope)
        else_graph, res_f, else_out, else_targets = _trace_branch(false_fn, outer, scope)
        if res_t is None:
            raise ValueError("true_fn must have a return value.")
        if res_f is None:
            raise ValueError("false_fn must have a return value.")
        _check_same_structure(res_t, res_f)
        if len(then_out) != len(else_out):
            raise ValueError("Incompatible return values of true_fn and false_fn: the branches return different "
                             f"numbers of tensors ({len(then_out)} and {len(else_out)})")
        for x, y in zip(else_out, then_out):
            if x.dtype.base_dtype is not y.dtype.base_dtype:
                raise ValueError("Outputs of true_fn and false_fn must have the same type: "
                                 f"{x.dtype.base_dtype.name}, {y.dtype.base_dtype.name}")
        shapes = [t.shape.most_specific_compatible_shape(e.shape) for t, e in zip(then_out, else_out)]
        op = build_if(pred, then_graph, then_out, else_graph, else_out, shapes, scope,
                      (then_targets, else_targets))
    outputs = iter(op.outputs)
    leaves = [op if isinstance(leaf, Operation) else next(outputs)
              for leaf in _leaves_with_composites(res_t)]
    result = subgraph.pack_composites(res_t, leaves)
    return result if strict else _unpack_if_singleton(result)


def _unpack_if_singleton(result):
    if isinstance(result, (list, tuple)) and len(result) == 1:
        return result[0]
    return result


def _leaves_with_composites(structure):
    leaves = []
    for leaf in nest.flatten(structure):
        leaves.extend(leaf._to_components() if subgraph.is_composite(leaf) else [leaf])
    return leaves


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first pair whose predicate is true (TensorFlow's `tf.case`), built from `cond`s.

    Args:
        pred_fn_pairs: a list of (bool tensor, callable) pairs, or a dict from predicate to callable.
        default: called when no predicate holds (default: the last pair's function).
        exclusive: at most one predicate may hold (checked when the case runs).
        name: the name scope.

    Example:
        >>> r = tf.case([(x < 0, lambda: -x), (x > 10, lambda: x - 10)], default=lambda: x)
    """
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, (list, tuple)):
        pairs = list(pred_fn_pairs)
    else:
        raise TypeError("pred_fn_pairs must be a list or a dict")
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = pair
        if not callable(fn):
            raise TypeError(f"fn for pred {getattr(pred, 'name', pred)} must be callable.")
        if not mode.executing_eagerly() and isinstance(pred, Tensor) and pred.dtype.base_dtype is not dtypes.bool:
            raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    if not pairs:
        if default is None:
            raise ValueError("No predicates and no default function.")
        return default()
    require_one = default is None  # TensorFlow then runs the last function, after checking a predicate held
    if require_one:
        default = pairs[-1][1]
    with name_scope(name, "case"):
        if (exclusive and len(pairs) > 1) or require_one:
            preds = [convert_to_tensor(p) for p, _ in pairs]
            checked = apply_op(CaseCheck, preds, {"exclusive": bool(exclusive), "require_one": require_one},
                               name="check")
            pairs = [(checked, pairs[0][1])] + pairs[1:]
        if require_one:
            pairs = pairs[:-1] or [(pairs[0][0], default)]  # the last pair's predicate needs no cond of its own
        fn = default
        for pred, branch in reversed(pairs):
            fn = (lambda p, b, rest: (lambda: cond(p, b, rest, strict=strict)))(pred, branch, fn)
        return fn()


@register
class CaseCheck(OpDef):
    """`tf.case`'s checks of its predicates: at most one holds (attr `exclusive`), at least one holds (attr
    `require_one`: no default given). Passes the first predicate through, so the case's first cond waits for it."""

    type_name = "CaseCheck"
    input_names = ("input",)
    variadic = True
    stateful = True
    foldable = False
    may_alias_input = True

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, dtypes.bool)]

    def forward(self, xp, *preds, exclusive, require_one):
        held = [bool(p) for p in preds]
        if exclusive and sum(held) > 1:
            from ..framework import errors
            raise errors.InvalidArgumentError(
                None, None, f"Input error: exclusive=True: more than 1 conditions ({', '.join(map(str, held))}) "
                "evaluated as True")
        if require_one and not any(held):
            from ..framework import errors
            raise errors.InvalidArgumentError(None, None, "Input error: None of conditions evaluated as True: "
                                                          f"[{' '.join(map(str, held))}]")
        return preds[0]
