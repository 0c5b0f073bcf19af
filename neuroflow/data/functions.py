"""User functions of `tf.data` transformations (`map`, `filter`, `flat_map`, ...): traced once into a private
graph on placeholders shaped like one element, then run per element (or per batch) as a compiled Plan."""
import weakref

import numpy as np

from ..framework import context as mode
from ..framework.apply import convert_to_tensor
from ..framework.graph import Graph, get_default_graph
from ..framework.sparse_tensor import SparseTensor
from ..ops.array_ops import placeholder
from ..runtime.context import RunContext
from ..runtime.plan import Plan
from . import structure as nest

__all__ = []


class DatasetFunction:
    """`func` traced on one element of `input_spec` (a structure of Specs).

    Attributes:
        output: what `func` returned, with lists turned into tuples (TF1's rule) and leaves converted to
            tensors of the private graph (or kept as they are, with `keep_datasets`, for Dataset results).
        output_spec: the Spec structure of the returned tensors.
    """

    def __init__(self, func, input_spec, what, keep_datasets=False):
        self._plans = weakref.WeakKeyDictionary()  # session context -> {fetches: Plan}
        self.graph = graph = Graph()
        graph.seed = _outer_seed()
        self._flat_in = flat_in = nest.flatten(input_spec)
        with graph.as_default(), mode.graph_mode():
            self.placeholders = [placeholder(dtype, shape, name=f"args_{i}")
                                 for i, (dtype, shape) in enumerate(nest.wire_specs(flat_in))]
            args = nest.pack(input_spec, nest.tensors_from_wire(flat_in, self.placeholders))
            # TF1 unpacks a tuple element into positional arguments; anything else is one argument.
            try:
                ret = func(*args) if type(args) is tuple else func(args)
            except ValueError as e:
                if "must be from the same graph" in str(e):
                    raise ValueError(f"The function passed to `{what}` uses a tensor of the outer graph; build "
                                     f"the value inside the function or pass it in the dataset instead. ({e})") \
                        from None
                raise
            if isinstance(ret, list):
                ret = tuple(ret)
            if keep_datasets:
                self.output = ret
                self.outputs = []
                self._flat_out = []
            else:
                flat = [x if isinstance(x, SparseTensor) else convert_to_tensor(x) for x in nest.flatten(ret)]
                self.output = nest.pack(ret, flat)
                self.outputs = nest.wire_tensors(flat)
                self.output_spec = nest.pack(ret, [nest.spec_of_tensor(t) for t in flat])
                self._flat_out = nest.flatten(self.output_spec)
        # Stateful ops (random augmentation) run on every call even when no output depends on them.
        self.effects = [op for op in graph.get_operations()
                        if op.opdef.stateful and op.type not in ("Placeholder", "VariableV2")]
        graph.finalize()

    def plan(self, ctx, fetches=None):
        """The compiled plan of this function for one session (`ctx`: its RunContext, or the eager context),
        made on first use and kept while both live; the function's random ops draw from generators of their
        own, so each session starts their sequences over."""
        plans = self._plans.get(ctx)
        if plans is None:
            plans = self._plans[ctx] = {}
        key = None if fetches is None else tuple(fetches)
        plan = plans.get(key)
        if plan is None:
            fetches = self.outputs if fetches is None else fetches
            plan = plans[key] = Plan(list(fetches), self.effects, self.placeholders, RunContext())
        return plan

    def caller(self, ctx):
        """A function: flat element (tuple of arrays) -> flat result (tuple of arrays)."""
        run = self.plan(ctx).run
        if not any(map(nest.is_sparse_spec, self._flat_in + self._flat_out)):
            def call(element):
                return tuple(run([_array(v) for v in element]))
            return call

        def call_sparse(element):   # SparseTensorValues travel as their three arrays
            results = run([_array(v) for v in nest.to_wire(self._flat_in, element)])
            return nest.from_wire(self._flat_out, results)
        return call_sparse

    def wire_input(self, element):
        """The arrays to feed this function's placeholders for one flat element."""
        return [_array(v) for v in nest.to_wire(self._flat_in, element)]


def _array(value):
    return value if value.__class__ is np.ndarray else np.asarray(value)


def _outer_seed():
    if mode.executing_eagerly():
        from ..eager.state import context
        return context.seed
    return get_default_graph().seed


def check_scalar_bool(fn):
    """`filter`'s rule: the predicate returns one scalar boolean."""
    flat = fn.outputs
    if len(flat) != 1 or flat[0].dtype.base_dtype.name != "bool" or not flat[0].shape.is_compatible_with([]):
        raise ValueError("`predicate` must return a scalar boolean tensor.")
