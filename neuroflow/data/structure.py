"""Element structures of `tf.data`: nesting (tuples, namedtuples and dicts are structure; lists are values, as in
TF1's `tf.data` nest), flattening and packing, and turning user values into captured tensors or NumPy arrays."""
import collections.abc

import numpy as np

from ..framework import dtypes
from ..framework.apply import _contains_tensor, _is_tensor_like, convert_to_tensor
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..framework.tensor_util import make_ndarray

__all__ = []


def is_nested(x):
    """Tuples (including namedtuples) and mappings nest; everything else, lists included, is one component."""
    return isinstance(x, (tuple, collections.abc.Mapping))


def flatten(structure):
    """The leaves of `structure` in TF's order (mapping entries by sorted key)."""
    if isinstance(structure, collections.abc.Mapping):
        return [x for k in sorted(structure) for x in flatten(structure[k])]
    if isinstance(structure, tuple):
        return [x for s in structure for x in flatten(s)]
    return [structure]


def pack(template, flat):
    """`flat` leaves arranged like `template` (the inverse of `flatten`)."""
    it = iter(flat)

    def build(s):
        if isinstance(s, collections.abc.Mapping):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s) if type(s) is not dict else {k: built[k] for k in s}
        if isinstance(s, tuple):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
        return next(it)
    return build(template)


def map_structure(fn, structure):
    return pack(structure, [fn(x) for x in flatten(structure)])


def assert_same_structure(a, b):
    """TF's check that two structures nest the same way (leaves may differ)."""
    if not _same(a, b):
        _mismatch(a, b)


def _mismatch(a, b):
    raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: {a!r}\n\n"
                     f"Second structure: {b!r}")


def _same(a, b):
    if isinstance(a, collections.abc.Mapping) or isinstance(b, collections.abc.Mapping):
        return (isinstance(a, collections.abc.Mapping) and isinstance(b, collections.abc.Mapping) and
                sorted(a) == sorted(b) and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    return True


def flatten_up_to(template, structure):
    """The parts of `structure` at the leaves of `template`, in flattening order (a shape such as `[None, 3]`
    or `(None,)` stays one part where `template` has a dtype)."""
    if isinstance(template, collections.abc.Mapping):
        if not isinstance(structure, collections.abc.Mapping) or sorted(structure) != sorted(template):
            _mismatch(template, structure)
        return [x for k in sorted(template) for x in flatten_up_to(template[k], structure[k])]
    if isinstance(template, tuple):
        if not isinstance(structure, tuple) or len(structure) != len(template):
            _mismatch(template, structure)
        return [x for t, s in zip(template, structure) for x in flatten_up_to(t, s)]
    return [structure]


def map_up_to(template, fn, structure):
    """`fn(template_leaf, part)` for the parts of `structure` at `template`'s leaves, arranged like `template`."""
    return pack(template, [fn(t, s) for t, s in zip(flatten(template), flatten_up_to(template, structure))])


class Spec:
    """The static description of one component of an element: dtype and shape."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype, shape):
        self.dtype = dtypes.as_dtype(dtype).base_dtype
        self.shape = as_shape(shape)

    def __repr__(self):
        return f"Spec({self.dtype.name}, {self.shape})"


def value_of(leaf, what="component"):
    """A component given by the user: a graph Tensor stays (the dataset captures it; its value comes when the
    iterator is initialized), anything else becomes a NumPy array with TensorFlow's conversion rules (Python
    floats -> float32, ints -> int32; NumPy arrays keep their dtype)."""
    if isinstance(leaf, Tensor):
        return leaf
    if hasattr(leaf, "_value") and hasattr(leaf, "numpy"):  # an EagerTensor: its value now
        return np.asarray(leaf._value)
    if _is_tensor_like(leaf) or (isinstance(leaf, (list, tuple)) and _contains_tensor(leaf)):
        leaf = convert_to_tensor(leaf)  # a variable's value, or a list of tensors packed into one
        return leaf if isinstance(leaf, Tensor) else np.asarray(leaf._value)
    if leaf is None:
        raise TypeError(f"Cannot convert None to a tf.data {what}: None values not supported.")
    return make_ndarray(leaf)


def spec_of(value):
    """The Spec of a component made by `value_of`."""
    if isinstance(value, Tensor):
        return Spec(value.dtype, value.shape)
    return Spec(dtypes.as_dtype(value.dtype), value.shape)


def normalize_element(element):
    """A user element (nested structure of values) -> (structure with Specs at the leaves, flat components)."""
    flat = [value_of(x) for x in flatten(element)]
    return pack(element, [spec_of(v) for v in flat]), flat


def types_of(spec_structure):
    return map_structure(lambda s: s.dtype, spec_structure)


def shapes_of(spec_structure):
    return map_structure(lambda s: s.shape, spec_structure)


def classes_of(spec_structure):
    return map_structure(lambda s: Tensor, spec_structure)


def specs_from(output_types, output_shapes=None):
    """The Spec structure for user-given `output_types` and optional `output_shapes` (shapes nest like types)."""
    types = map_structure(dtypes.as_dtype, output_types)
    if output_shapes is None:
        return map_structure(lambda t: Spec(t, TensorShape(None)), types)
    return map_up_to(types, lambda t, s: Spec(t, TensorShape(None) if s is None else as_shape(s)), output_shapes)


def structure_repr(structure):
    return repr(structure)
