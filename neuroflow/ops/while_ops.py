"""`tf.while_loop` as functional control flow: the While op (StatelessWhile when the loop touches no state) holds
the condition and the body as sub-graphs, each compiled once into its own plan and run per iteration with the
loop variables fed. Loop vars are any nest of tensors and composites (objects with `_to_components()` /
`_from_components()`, see ops/subgraph.py), so a TensorArray flows through a loop as its components.

For gradients the forward op can be asked (ops/while_grad.py) to stack body values per iteration: attribute
`accumulate` lists body tensors whose per-iteration values become extra outputs (after the loop vars: the
iteration count, then one stack each); the backward loop reads them in reverse."""
import numpy as np

from ..framework import context as mode
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import get_default_graph, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape
from ..util import nest
from . import subgraph
from .cond_ops import Branch

__all__ = ["while_loop", "While", "StatelessWhile"]


CANCEL_CHECK_ITERATIONS = 1024  # iterations between checks that the run was not cancelled


class _LoopRunner:
    """The kernel of one While node in one run context: the condition's and the body's compiled plans.
    `drop_outputs(indices)` gives a variant that does not stack the values of those outputs (the plan compiler
    asks for it when no step reads them: a run that computes the loss but not its gradient)."""

    def __init__(self, op, ctx, dropped=frozenset(), variants=None):
        from ..runtime.subplan import SubPlan
        cond_b, body_b = op.get_attr("cond"), op.get_attr("body")
        self.num_vars = n = len(op.get_attr("T"))
        stacked = list(op.get_attr("accumulate"))
        self.stack_outputs = [n + 1 + a for a in range(len(stacked)) if n + 1 + a not in dropped]
        self.accumulate = [stacked[k - n - 1] for k in self.stack_outputs]
        self.num_outputs = len(op.outputs)
        self._variant = (op, ctx, dropped, {dropped: self} if variants is None else variants)
        self.cond_plan = SubPlan(cond_b.placeholders, cond_b.outputs, [], ctx)
        self.body_plan = SubPlan(body_b.placeholders, list(body_b.outputs) + self.accumulate, [], ctx)
        self.cond_captures = cond_b.positions[self.num_vars:]
        self.body_captures = body_b.positions[self.num_vars:]
        self.single = len(op.outputs) == 1
        self.counts = len(op.outputs) > self.num_vars  # a gradient asked for the count and stacks
        self.xp = ctx.xp
        self.check_cancelled = getattr(ctx, "check_cancelled", None)

    def drop_outputs(self, indices):
        op, ctx, dropped, variants = self._variant
        dropped = frozenset(dropped | {k for k in indices if k > self.num_vars})  # only stacks can be skipped
        if dropped not in variants:
            variants[dropped] = _LoopRunner(op, ctx, dropped, variants)
        return variants[dropped]

    def __call__(self, *args):
        n = self.num_vars
        loop_vars = list(args[:n])
        cond_caps = [args[p] for p in self.cond_captures]
        body_caps = [args[p] for p in self.body_captures]
        cond_run, body_run = self.cond_plan.runner(), self.body_plan.runner()
        if self.accumulate:
            return self._accumulating(loop_vars, cond_caps, body_caps, cond_run, body_run)
        check_cancelled = self.check_cancelled
        iterations = 0
        while cond_run(loop_vars + cond_caps if cond_caps else loop_vars)[0]:
            loop_vars = body_run(loop_vars + body_caps if body_caps else loop_vars)
            iterations += 1
            if iterations % CANCEL_CHECK_ITERATIONS == 0 and check_cancelled is not None:
                check_cancelled()  # the session closing stops a long loop too
        if self.counts:  # stacks nobody reads in this plan (see drop_outputs) are None
            return (tuple(loop_vars) + (self.xp.asarray(iterations, np.int32),) +
                    (None,) * (self.num_outputs - self.num_vars - 1))
        return loop_vars[0] if self.single else tuple(loop_vars)

    def _accumulating(self, loop_vars, cond_caps, body_caps, cond_run, body_run):
        """The loop that also stacks, per iteration, the body values a gradient reads back."""
        n = self.num_vars
        stacks = [[] for _ in self.accumulate]
        iterations = 0
        while cond_run(loop_vars + cond_caps)[0]:
            values = body_run(loop_vars + body_caps)
            loop_vars = values[:n]
            for stack, value in zip(stacks, values[n:]):
                stack.append(value)
            iterations += 1
            if iterations % CANCEL_CHECK_ITERATIONS == 0 and self.check_cancelled is not None:
                self.check_cancelled()
        xp = self.xp
        outputs = list(loop_vars) + [xp.asarray(iterations, np.int32)] + [None] * (self.num_outputs - n - 1)
        for k, stack in zip(self.stack_outputs, stacks):
            outputs[k] = _as_stack(xp, stack)
        return tuple(outputs)


def _as_stack(xp, values):
    """Per-iteration values as one array indexed by iteration: stacked when their shapes agree, else a NumPy
    object array of them (a shape invariant let them vary)."""
    shapes = {np.shape(v) for v in values}
    if not values:
        return xp.zeros((0,))
    if len(shapes) == 1:
        return xp.stack(values)
    stack = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        stack[i] = v
    return stack


class _WhileBase(OpDef):
    input_names = ("input",)
    variadic = True
    foldable = False
    data_dependent_shape = True  # which branch runs, or how many iterations, depends on values
    output_is_shared = True  # a loop may hand back an input or a constant as it is

    def infer(self, inputs, attrs):
        return list(zip(attrs["output_shapes"], attrs["T"]))  # while_grad.py adds the count and stacks

    def kernel(self, op, ctx):
        return _LoopRunner(op, ctx)

    def grad(self, op, *grads):
        from .while_grad import while_grad
        return while_grad(op, grads)


@register
class While(_WhileBase):
    """Runs `body` on the loop variables (the first `len(T)` inputs; the rest are captured values) while `cond`
    holds; the loop reads or writes state, so it is never folded or deduplicated."""

    type_name = "While"
    stateful = True


@register
class StatelessWhile(_WhileBase):
    """While whose condition and body are pure functions of their inputs."""

    type_name = "StatelessWhile"


def _shape_less_or_equal(shape, invariant):
    """True when `shape` is at least as specific as `invariant` (TensorFlow's _ShapeLessThanOrEqual)."""
    if invariant.dims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(d2.value is None or d1.value == d2.value for d1, d2 in zip(shape.dims, invariant.dims))


def build_while(cond_graph, cond_out, body_graph, body_outputs, loop_inputs, invariants, name, accumulate=()):
    """Adds a While (or StatelessWhile) node: `loop_inputs` (outer tensors) enter the loop, `cond_graph` /
    `body_graph` take the loop vars first, then their captures. Returns the node."""
    n = len(loop_inputs)
    inputs = list(loop_inputs)
    position = {}
    branches = []
    for graph, outputs in ((cond_graph, [cond_out]), (body_graph, body_outputs)):
        positions = list(range(n))
        for outer, _ in graph.captures:
            if outer not in position:
                position[outer] = len(inputs)
                inputs.append(outer)
            positions.append(position[outer])
        branches.append(Branch(graph, list(graph.inputs) + [ph for _, ph in graph.captures], positions, outputs))
    stateful = any(op.opdef.stateful for g in (cond_graph, body_graph) for op in g.get_operations())
    attrs = {"cond": branches[0], "body": branches[1], "T": [t.dtype.base_dtype for t in loop_inputs],
             "output_shapes": list(invariants), "accumulate": list(accumulate)}
    result = apply_op(While if stateful else StatelessWhile, inputs, attrs, name=name)
    op = result.op if not isinstance(result, (list, tuple)) else result[0].op
    subgraph.add_outer_control_inputs(op, (cond_graph, body_graph))
    return op


def _check_body_result(inputs, outputs, invariants):
    for x, y, inv in zip(inputs, outputs, invariants):
        if x.dtype.base_dtype is not y.dtype.base_dtype:
            raise TypeError(f"Loop var {x.name} enters the loop with type {x.dtype.base_dtype.name}, but has type "
                            f"{y.dtype.base_dtype.name} after 1 iteration.")
        if not _shape_less_or_equal(y.shape, inv):
            raise ValueError(f"Input tensor '{x.name}' enters the loop with shape {inv}, but has shape "
                             f"{y.shape} after one iteration. To allow the shape to vary across "
                             "iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
                             "less-specific shape.")


def _eager_while(cond, body, loop_vars, maximum_iterations, return_same_structure):
    """Python iteration on eager tensors (TensorFlow's eager while_loop): the tape records each op."""
    single = len(nest.flatten(loop_vars)) == 1 and not return_same_structure
    limit = None if maximum_iterations is None else int(np.asarray(maximum_iterations))
    i = 0
    while (limit is None or i < limit) and bool(np.asarray(cond(*loop_vars))):
        result = body(*loop_vars)
        if len(loop_vars) == 1 and not nest.is_nested(result):
            result = (result,)
        _check_same_nest(loop_vars, result)
        loop_vars = result
        i += 1
    return nest.flatten(loop_vars)[0] if single else loop_vars


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None, return_same_structure=False):
    """Repeats `body` while `cond` is true (TensorFlow's `tf.while_loop`).

    Args:
        cond: a callable of the loop vars returning a scalar bool tensor.
        body: a callable of the loop vars returning new loop vars (same structure and dtypes).
        loop_vars: a (nested) tuple, namedtuple or list of tensors (and composites such as TensorArray).
        shape_invariants: per loop var, the shape it keeps across iterations (default: its initial shape).
        maximum_iterations: at most this many iterations (a scalar int).
        back_prop: whether `tf.gradients` may differentiate through the loop.
        parallel_iterations, swap_memory: accepted for TensorFlow compatibility (iterations run in order).
        return_same_structure: if False, a single loop var is returned bare (TF1's default).

    Returns:
        The loop vars after the last iteration, in `loop_vars`' structure.

    Raises:
        TypeError: `cond` or `body` is not callable; a loop var changes dtype.
        ValueError: no loop vars; a loop var's shape leaves its invariant.

    Example:
        >>> i, total = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + i), [0, 0])
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if loop_vars is None or (nest.is_nested(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError("No loop variables provided")
    if mode.executing_eagerly():
        return _eager_while(cond, body, loop_vars, maximum_iterations, return_same_structure)
    if not isinstance(loop_vars, (list, tuple)):
        loop_vars = (loop_vars,)
    with name_scope(name, "while", nest.flatten(loop_vars)) as scope:
        structure = loop_vars
        single = len(nest.flatten(loop_vars)) == 1
        leaves = [leaf if subgraph.is_composite(leaf) else convert_to_tensor(leaf) for leaf in nest.flatten(structure)]
        structure = nest.pack_sequence_as(structure, leaves)
        flat = subgraph.flatten_composites(structure)
        if shape_invariants is None:
            invariants = [t.shape for t in flat]
        else:
            invariants = _invariants(structure, shape_invariants)
            for t, inv in zip(flat, invariants):
                if not _shape_less_or_equal(t.shape, inv):
                    raise ValueError(f"The shape invariant specified for {t.name} is not compatible with the initial "
                                     f"shape of the loop variable. It enters the loop with shape {t.shape}, but "
                                     f"the specified shape invariant is {inv}.")
        counter = None
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if maximum_iterations.shape.ndims not in (None, 0):
                raise ValueError(f"maximum_iterations must be a scalar, saw shape: {maximum_iterations.shape}")
            from .array_ops import zeros
            counter = zeros([], maximum_iterations.dtype.base_dtype, name="loop_counter")
        op, out_structure = _build(cond, body, structure, flat, invariants, counter, maximum_iterations, scope)
    outputs = list(op.outputs[:len(flat) + (counter is not None)])
    if counter is not None:
        outputs = outputs[1:]
    if not back_prop:  # TensorFlow's back_prop=False: gradients stop at the loop
        from ..autodiff.gradients import stop_gradient
        with name_scope(scope):
            outputs = [stop_gradient(t) for t in outputs]
    result = subgraph.pack_composites(out_structure, outputs)
    if single and not return_same_structure:
        return nest.flatten(result)[0]
    return result


def _invariants(structure, shape_invariants):
    """One invariant per component: the user's shape for a tensor (given in loop_vars' structure); a
    composite's components keep their own shapes."""
    out = []
    for leaf, inv in zip(nest.flatten(structure), _flatten_up_to(structure, shape_invariants)):
        if subgraph.is_composite(leaf):
            out.extend(c.shape for c in leaf._to_components())
        else:
            out.append(as_shape(inv))
    return out


def _flatten_up_to(structure, shape_invariants):
    if nest.is_nested(structure) and not isinstance(shape_invariants, TensorShape):
        if isinstance(structure, dict):
            return [x for k in sorted(structure) for x in _flatten_up_to(structure[k], shape_invariants[k])]
        if len(structure) != len(shape_invariants):
            raise ValueError("The two structures don't have the same number of elements: shape_invariants and "
                             "loop_vars")
        return [x for s, i in zip(structure, shape_invariants) for x in _flatten_up_to(s, i)]
    return [shape_invariants]


def _build(cond, body, structure, flat, invariants, counter, maximum_iterations, scope):
    outer = get_default_graph()
    loop_inputs = ([counter] if counter is not None else []) + flat
    shapes = ([TensorShape([])] if counter is not None else []) + list(invariants)

    def split(args):
        return (args[0], args[1:]) if counter is not None else (None, args)

    def cond_fn(*args):
        i, rest = split(args)
        result = convert_to_tensor(cond(*_as_args(structure, rest)))
        if counter is None:
            return result
        from .math_ops import logical_and
        return logical_and(i < maximum_iterations, result)

    def body_fn(*args):
        i, rest = split(args)
        result = body(*_as_args(structure, rest))
        if not nest.is_nested(result):
            result = [result] if isinstance(structure, list) else (result,)
        _check_same_nest(structure, result)
        out = [convert_to_tensor(t) for t in subgraph.flatten_composites(result)]
        return ([i + 1] if counter is not None else []) + out, result

    cond_graph, cond_out = _trace(cond_fn, loop_inputs, shapes, outer, scope)
    body_graph, (body_out, out_structure) = _trace(body_fn, loop_inputs, shapes, outer, scope)
    with body_graph.as_default():
        body_out = [body_graph.capture(t) if t.graph is not body_graph else t for t in body_out]
    with cond_graph.as_default():
        cond_out = cond_graph.capture(cond_out) if cond_out.graph is not cond_graph else cond_out
    if cond_out.dtype.base_dtype is not dtypes.bool:
        raise TypeError(f"Input 'input' of 'LoopCond' Op has type {cond_out.dtype.base_dtype.name} that does not "
                        "match expected type of bool.")
    if cond_out.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {cond_out.shape.ndims} for the loop condition "
                         f"{cond_out.name}")
    _check_body_result(loop_inputs, body_out, shapes)
    op = build_while(cond_graph, cond_out, body_graph, body_out, loop_inputs, shapes, scope)
    return op, out_structure


def _as_args(structure, flat):
    return list(subgraph.pack_composites(structure, list(flat)))  # TF1 calls cond(*loop_vars), body(*loop_vars)


def _check_same_nest(a, b):
    sa = subgraph.flatten_composites(a)
    sb = subgraph.flatten_composites(b)
    if len(sa) != len(sb) or len(nest.flatten(a)) != len(nest.flatten(b)):
        raise ValueError(f"The two structures don't have the same number of elements.\n\nFirst structure "
                         f"(loop_vars): {a!r}\n\nSecond structure (body result): {b!r}")


def _trace(fn, loop_inputs, shapes, outer, scope):
    from ..framework import context as mode_ctx
    graph = subgraph.SubGraph(outer, scope)
    with graph.as_default(), mode_ctx.graph_mode():
        placeholders = [graph.add_input(t.dtype.base_dtype, s, "loop_var") for t, s in zip(loop_inputs, shapes)]
        result = fn(*placeholders)
    return graph, result

