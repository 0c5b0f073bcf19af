"""`tf.data.Iterator`: one-shot, initializable, reinitializable (`from_structure`) and feedable
(`from_string_handle`) iterators whose `get_next()` feeds the graph, and the eager iterator behind
`for x in dataset`.

In a graph, an iterator is a handle op (`OneShotIterator` / `IteratorV2`); `MakeIterator` (the initializer)
starts a pass over a dataset, reading the values of the graph tensors the dataset captured; `IteratorGetNext`
advances it by one element per Session.run. The iterator's position is per-session state, kept in the session
context's `resources` under the handle (the iterator op's name), so each Session starts over.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import apply_op
from ..framework import context as mode
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import structure as nest
from .dataset_ops import _Run

__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator", "get_output_types",
           "get_output_shapes", "get_output_classes"]

_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure that you have run the "
                    "initializer operation for this iterator before getting the next element.")


class IteratorResource:
    """One pass of a dataset in one session: its element generator and the run state behind it."""

    def __init__(self, dataset, ctx, env):
        flat = dataset._flat_spec
        self.types = [dtype for dtype, _ in nest.wire_specs(flat)]
        self.elements = dataset._elements(_Run(ctx, env))
        if any(map(nest.is_sparse_spec, flat)):   # the outputs carry each SparseTensorValue as its three arrays
            self.elements = (nest.to_wire(flat, e) for e in self.elements)


def _key(handle):
    value = handle.item() if isinstance(handle, np.ndarray) else handle
    return value.encode() if isinstance(value, str) else value


class _HandleOp(OpDef):
    """An op whose output is an iterator handle (a string scalar naming the iterator's session state)."""

    input_names = ()
    stateful = True   # never folded or merged with another iterator's handle
    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.string)]


@register
class IteratorV2(_HandleOp):
    """The handle of an iterator initialized by running a `MakeIterator` op."""

    type_name = "IteratorV2"

    def kernel(self, op, ctx):
        handle = np.array(op.name.encode(), dtype=object)
        return lambda: handle


@register
class OneShotIterator(_HandleOp):
    """The handle of an iterator that starts its dataset on first use in each session (attr `dataset`)."""

    type_name = "OneShotIterator"

    def kernel(self, op, ctx):
        key = op.name.encode()
        handle = np.array(key, dtype=object)
        dataset = op.get_attr("dataset")
        resources = ctx.resources

        def run():
            if key not in resources:
                resources[key] = IteratorResource(dataset, ctx, _evaluate(dataset._all_captures(), ctx))
            return handle
        return run


def _evaluate(tensors, ctx):
    """Values of captured tensors with no placeholders behind them (a one-shot iterator's), in this session."""
    if not tensors:
        return {}
    from ..runtime.plan import Plan
    values = Plan(list(tensors), [], [], ctx).run([])
    return {id(t): np.asarray(v) for t, v in zip(tensors, values)}


@register
class MakeIterator(OpDef):
    """Starts a pass of `dataset` (attr) for the iterator `inputs[0]`; the other inputs are the graph tensors
    the dataset captured, in `dataset._all_captures()` order."""

    type_name = "MakeIterator"
    input_names = ("inputs",)
    variadic = True
    stateful = True
    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return []

    def kernel(self, op, ctx):
        dataset = op.get_attr("dataset")
        captures = dataset._all_captures()
        resources = ctx.resources

        def run(handle, *values):
            env = {id(t): v for t, v in zip(captures, values)}
            resources[_key(handle)] = IteratorResource(dataset, ctx, env)
        return run


@register
class IteratorGetNext(OpDef):
    """The next element of the iterator `iterator` (attrs `output_types`, `output_shapes`: one per component).
    One run advances the iterator once, however many of the outputs are fetched."""

    type_name = "IteratorGetNext"
    data_dependent_shape = True
    input_names = ("iterator",)
    stateful = True
    foldable = False
    output_is_shared = True  # elements may be views of the dataset's arrays: fetches copy them
    grad = None

    def infer(self, inputs, attrs):
        return [(shape, dtype) for dtype, shape in zip(attrs["output_types"], attrs["output_shapes"])]

    def kernel(self, op, ctx):
        resources = ctx.resources
        types = list(op.get_attr("output_types"))
        single = len(types) == 1

        def run(handle):
            state = resources.get(_key(handle))
            if state is None:
                raise errors.FailedPreconditionError(None, None, _NOT_INITIALIZED)
            if state.types != types:
                raise errors.InvalidArgumentError(None, None, _type_mismatch(types, state.types))
            element = next(state.elements, None)
            if element is None:
                raise errors.OutOfRangeError(None, None, "End of sequence")
            return element[0] if single else element
        return run


def _type_mismatch(expected, got):
    if len(expected) != len(got):
        return f"Number of components does not match: expected {len(expected)} types but got {len(got)}."
    i = next(i for i, (a, b) in enumerate(zip(expected, got)) if a != b)
    return f"Data type mismatch at component {i}: expected {expected[i].name} but got {got[i].name}."


class _HandleConversion(OpDef):
    """Handle <-> string: the handle already is its string, so the kernel passes it on."""

    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.string)]

    def kernel(self, op, ctx):
        return lambda handle: handle


@register
class IteratorToStringHandle(_HandleConversion):
    """The iterator's handle as a string, to feed to a `from_string_handle` iterator."""

    type_name = "IteratorToStringHandle"
    input_names = ("resource_handle",)


@register
class IteratorFromStringHandleV2(_HandleConversion):
    """An iterator handle from its string form (fed at run time)."""

    type_name = "IteratorFromStringHandleV2"
    input_names = ("string_handle",)


class Iterator:
    """The state of iterating over a dataset; `get_next()` gives the tensors of the next element.

    Made by `dataset.make_one_shot_iterator()`, `dataset.make_initializable_iterator()`,
    `Iterator.from_structure(types, shapes)` (switch datasets with `make_initializer`) or
    `Iterator.from_string_handle(handle, types, shapes)` (choose the iterator by feeding a handle).

    Example:
        >>> iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
        >>> x, y = iterator.get_next()
        >>> train_init, valid_init = iterator.make_initializer(train), iterator.make_initializer(valid)
    """

    def __init__(self, iterator_resource, initializer, output_types, output_shapes, output_classes=None):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._spec = nest.specs_from(output_types, output_shapes, output_classes)

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """A reinitializable iterator for elements of this structure, not bound to any dataset yet.

        Args:
            output_types: the element's dtypes (nested structure).
            output_shapes: optional static shapes (nested like `output_types`).
            shared_name: accepted for compatibility.
        """
        spec = nest.specs_from(output_types, output_shapes, output_classes)
        handle = apply_op(IteratorV2, [], _handle_attrs(spec, shared_name), name="Iterator")
        return Iterator(handle, None, nest.types_of(spec), nest.shapes_of(spec), nest.classes_of(spec))

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """An iterator that reads from whichever iterator's `string_handle()` value is fed to `string_handle`
        (a string scalar placeholder)."""
        spec = nest.specs_from(output_types, output_shapes, output_classes)
        handle = apply_op(IteratorFromStringHandleV2, [string_handle], name="IteratorFromStringHandleV2")
        return Iterator(handle, None, nest.types_of(spec), nest.shapes_of(spec), nest.classes_of(spec))

    @property
    def initializer(self):
        """The op that starts this iterator over its dataset (run it before `get_next`)."""
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that (re)starts this iterator over `dataset`, which must have a compatible structure.

        Raises:
            TypeError: the dataset's types or shapes do not match the iterator's.
        """
        nest.assert_same_structure(self.output_types, dataset.output_types)
        for mine, theirs in zip(nest.flatten(self._spec), dataset._flat_spec):
            if mine.dtype != theirs.dtype or nest.is_sparse_spec(mine) != nest.is_sparse_spec(theirs):
                raise TypeError(f"Expected output types {self.output_types!r} but got dataset with output types "
                                f"{dataset.output_types!r}.")
        for mine, theirs in zip(nest.flatten(self._spec), dataset._flat_spec):
            if not mine.shape.is_compatible_with(theirs.shape):
                raise TypeError(f"Expected output shapes compatible with {self.output_shapes!r} but got dataset "
                                f"with output shapes {dataset.output_shapes!r}.")
        return apply_op(MakeIterator, [self._iterator_resource] + dataset._all_captures(), {"dataset": dataset},
                        name=name or "MakeIterator")

    def get_next(self, name=None):
        """The next element's tensors, in the element's structure. Running any of them advances the iterator
        once per Session.run; past the end, running raises `tf.errors.OutOfRangeError`."""
        flat = nest.flatten(self._spec)
        wire = nest.wire_specs(flat)
        attrs = {"output_types": [dtype for dtype, _ in wire], "output_shapes": [shape for _, shape in wire]}
        outputs = apply_op(IteratorGetNext, [self._iterator_resource], attrs, name=name or "IteratorGetNext")
        outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
        return nest.pack(self._spec, nest.tensors_from_wire(flat, outputs))

    def string_handle(self, name=None):
        """A string tensor naming this iterator, to feed to a `from_string_handle` iterator."""
        return apply_op(IteratorToStringHandle, [self._iterator_resource], name=name or "IteratorToStringHandle")

    @property
    def output_types(self):
        return nest.types_of(self._spec)

    @property
    def output_shapes(self):
        return nest.shapes_of(self._spec)

    @property
    def output_classes(self):
        return nest.classes_of(self._spec)


def _handle_attrs(spec, shared_name, dataset=None):
    wire = nest.wire_specs(nest.flatten(spec))
    attrs = {"shared_name": shared_name or "", "container": "", "output_types": [dtype for dtype, _ in wire],
             "output_shapes": [shape for _, shape in wire]}
    if dataset is not None:
        attrs["dataset"] = dataset
    return attrs


def _check_capturable(tensors):
    """A one-shot iterator takes its dataset's inputs by value: no placeholders, no stateful ops (TF's rule)."""
    seen, stack = set(), [t.op for t in tensors]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in ("Placeholder", "PlaceholderV2"):
            raise ValueError(f"Cannot capture a placeholder (name:{op.name}, type:{op.type}) by value.")
        if op.opdef.stateful or op.opdef.read_at_use:
            raise ValueError("Failed to create a one-shot iterator for a dataset. `Dataset.make_one_shot_iterator()` "
                             "does not support datasets that capture stateful objects, such as a `Variable` or "
                             "`LookupTable`. In these cases, use `Dataset.make_initializable_iterator()`. (Original "
                             f"error: Cannot capture a stateful node (name:{op.name}, type:{op.type}) by value.)")
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)


def make_one_shot_iterator(dataset):
    """An iterator over `dataset` that needs no initialization (`tf.data.make_one_shot_iterator`); in eager
    mode, a Python iterator of EagerTensors."""
    if mode.executing_eagerly():
        return EagerIterator(dataset)
    _check_capturable(dataset._all_captures())
    # TensorFlow asks for an op seed here (for the function that remakes the dataset), advancing the graph's
    # op-seed counter: the random ops and shuffles made after it get TensorFlow's seeds.
    from ..framework.random_seed import get_seed
    get_seed(None)
    spec = dataset._spec
    handle = apply_op(OneShotIterator, [], _handle_attrs(spec, None, dataset), name="OneShotIterator")
    return Iterator(handle, None, nest.types_of(spec), nest.shapes_of(spec), nest.classes_of(spec))


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator over `dataset` whose `initializer` must run first; rerunning it starts over, with new values
    for the placeholders the dataset uses (`tf.data.make_initializable_iterator`)."""
    if mode.executing_eagerly():
        raise RuntimeError("dataset.make_initializable_iterator is not supported when eager execution is enabled. "
                           "Use `for element in dataset` instead.")
    spec = dataset._spec
    handle = apply_op(IteratorV2, [], _handle_attrs(spec, shared_name), name="Iterator")
    initializer = apply_op(MakeIterator, [handle] + dataset._all_captures(), {"dataset": dataset},
                           name="MakeIterator")
    return Iterator(handle, initializer, nest.types_of(spec), nest.shapes_of(spec), nest.classes_of(spec))


class EagerIterator:
    """Eager iteration over a dataset: each step yields the next element as EagerTensors."""

    def __init__(self, dataset):
        from ..eager.state import context
        self._spec = dataset._spec
        self._flat_spec = dataset._flat_spec
        self._elements = dataset._elements(_Run(context, {}))

    def __iter__(self):
        return self

    def __next__(self):
        from ..eager.tensor import EagerTensor
        element = next(self._elements)
        out = []
        for spec, value in zip(self._flat_spec, element):
            if nest.is_sparse_spec(spec):
                out.append(SparseTensor(EagerTensor(np.asarray(value.indices, np.int64), dtypes.int64, True),
                                        EagerTensor(np.asarray(value.values), spec.dtype, True),
                                        EagerTensor(np.asarray(value.dense_shape, np.int64), dtypes.int64, True)))
            else:
                out.append(EagerTensor(np.asarray(value), spec.dtype, True))
        return nest.pack(self._spec, out)

    next = __next__

    def get_next(self, name=None):
        """The next element; `tf.errors.OutOfRangeError` at the end."""
        try:
            return self.__next__()
        except StopIteration:
            raise errors.OutOfRangeError(None, None, "End of sequence") from None

    output_types = property(lambda self: nest.types_of(self._spec))
    output_shapes = property(lambda self: nest.shapes_of(self._spec))
    output_classes = property(lambda self: nest.classes_of(self._spec))


def get_output_types(dataset_or_iterator):
    """`tf.data.get_output_types`: the element dtypes of a dataset or iterator."""
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    """`tf.data.get_output_shapes`: the element static shapes of a dataset or iterator."""
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    """`tf.data.get_output_classes`: the element classes of a dataset or iterator."""
    return dataset_or_iterator.output_classes

