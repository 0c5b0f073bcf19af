"""Element structures of `tf.data`: nesting (tuples, namedtuples and dicts are structure; lists are values, as in
TF1's `tf.data` nest), flattening and packing, turning user values into captured tensors or NumPy arrays, and the
"wire" form of elements: a SparseTensor component travels inside a pipeline as one SparseTensorValue and between
graphs (iterator outputs, map function inputs and results) as its three tensors (indices, values, dense_shape)."""
import collections.abc

import numpy as np

from ..framework import dtypes
from ..framework.apply import _contains_tensor, _is_tensor_like, convert_to_tensor
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..framework.tensor_util import make_ndarray

__all__ = []


def _is_tuple(x):
    return isinstance(x, tuple) and not isinstance(x, SparseTensorValue)   # a sparse value is one component


def is_nested(x):
    """Tuples (including namedtuples, but a SparseTensorValue) and mappings nest; everything else, lists included,
    is one component."""
    return _is_tuple(x) or isinstance(x, collections.abc.Mapping)


def flatten(structure):
    """The leaves of `structure` in TF's order (mapping entries by sorted key)."""
    if isinstance(structure, collections.abc.Mapping):
        return [x for k in sorted(structure) for x in flatten(structure[k])]
    if _is_tuple(structure):
        return [x for s in structure for x in flatten(s)]
    return [structure]


def pack(template, flat):
    """`flat` leaves arranged like `template` (the inverse of `flatten`)."""
    it = iter(flat)

    def build(s):
        if isinstance(s, collections.abc.Mapping):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s) if type(s) is not dict else {k: built[k] for k in s}
        if _is_tuple(s):
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
    if _is_tuple(a) or _is_tuple(b):
        return _is_tuple(a) and _is_tuple(b) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    return True


def flatten_up_to(template, structure):
    """The parts of `structure` at the leaves of `template`, in flattening order (a shape such as `[None, 3]`
    or `(None,)` stays one part where `template` has a dtype)."""
    if isinstance(template, collections.abc.Mapping):
        if not isinstance(structure, collections.abc.Mapping) or sorted(structure) != sorted(template):
            _mismatch(template, structure)
        return [x for k in sorted(template) for x in flatten_up_to(template[k], structure[k])]
    if _is_tuple(template):
        if not _is_tuple(structure) or len(structure) != len(template):
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


class SparseSpec(Spec):
    """A SparseTensor component: the dtype of its values and the static shape of the dense tensor it stands for."""

    __slots__ = ()

    def __repr__(self):
        return f"SparseSpec({self.dtype.name}, {self.shape})"


def is_sparse_spec(spec):
    return isinstance(spec, SparseSpec)


def wire_specs(flat_spec):
    """[(dtype, shape)] of the tensors that carry the components of `flat_spec`: a dense component's own, and a
    sparse one's indices int64 [N, rank], values [N] and dense_shape int64 [rank]."""
    out = []
    for s in flat_spec:
        if isinstance(s, SparseSpec):
            rank = s.shape.ndims
            out += [(dtypes.int64, TensorShape([None, rank])), (s.dtype, TensorShape([None])),
                    (dtypes.int64, TensorShape([rank]))]
        else:
            out.append((s.dtype, s.shape))
    return out


def to_wire(flat_spec, element):
    """A flat element's arrays as the wire carries them (each SparseTensorValue as its three arrays)."""
    out = []
    for s, value in zip(flat_spec, element):
        if isinstance(s, SparseSpec):
            out += [value.indices, value.values, value.dense_shape]
        else:
            out.append(value)
    return out


def from_wire(flat_spec, values):
    """The inverse of `to_wire`: each sparse component's three arrays as one SparseTensorValue."""
    out, i = [], 0
    for s in flat_spec:
        if isinstance(s, SparseSpec):
            out.append(SparseTensorValue(*values[i:i + 3]))
            i += 3
        else:
            out.append(values[i])
            i += 1
    return tuple(out)


def tensors_from_wire(flat_spec, tensors):
    """Graph tensors of the wire as components: each sparse one's three tensors as a SparseTensor."""
    out, i = [], 0
    for s in flat_spec:
        if isinstance(s, SparseSpec):
            out.append(SparseTensor(*tensors[i:i + 3]))
            i += 3
        else:
            out.append(tensors[i])
            i += 1
    return out


def wire_tensors(components):
    """The tensors carrying graph components (a SparseTensor's three)."""
    out = []
    for c in components:
        out += [c.indices, c.values, c.dense_shape] if isinstance(c, SparseTensor) else [c]
    return out


def spec_of_tensor(t):
    """The Spec of a graph component (a Tensor or SparseTensor)."""
    return SparseSpec(t.dtype, t.shape) if isinstance(t, SparseTensor) else Spec(t.dtype, t.shape)


def value_of(leaf, what="component"):
    """A component given by the user: a graph Tensor stays (the dataset captures it; its value comes when the
    iterator is initialized), anything else becomes a NumPy array with TensorFlow's conversion rules (Python
    floats -> float32, ints -> int32; NumPy arrays keep their dtype)."""
    if isinstance(leaf, Tensor):
        return leaf
    if isinstance(leaf, SparseTensor):   # a graph one is captured; an eager one's value is taken now
        if hasattr(leaf.values, "numpy"):
            return SparseTensorValue(leaf.indices.numpy(), leaf.values.numpy(), leaf.dense_shape.numpy())
        return leaf
    if isinstance(leaf, SparseTensorValue):
        return SparseTensorValue(np.asarray(leaf.indices, np.int64).reshape(len(np.ravel(leaf.values)), -1),
                                 make_ndarray(leaf.values).reshape(-1), np.asarray(leaf.dense_shape, np.int64))
    if hasattr(leaf, "_value") and hasattr(leaf, "numpy"):  # an EagerTensor: its value now (from a GPU too)
        return np.asarray(leaf)
    if _is_tensor_like(leaf) or (isinstance(leaf, (list, tuple)) and _contains_tensor(leaf)):
        leaf = convert_to_tensor(leaf)  # a variable's value, or a list of tensors packed into one
        return leaf if isinstance(leaf, Tensor) else np.asarray(leaf)
    if leaf is None:
        raise TypeError(f"Cannot convert None to a tf.data {what}: None values not supported.")
    return make_ndarray(leaf)


def spec_of(value):
    """The Spec of a component made by `value_of`."""
    if isinstance(value, Tensor):
        return Spec(value.dtype, value.shape)
    if isinstance(value, SparseTensor):
        return SparseSpec(value.dtype, value.shape)
    if isinstance(value, SparseTensorValue):
        return SparseSpec(dtypes.as_dtype(value.values.dtype), TensorShape([int(d) for d in value.dense_shape]))
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
    return map_structure(lambda s: SparseTensor if isinstance(s, SparseSpec) else Tensor, spec_structure)


def specs_from(output_types, output_shapes=None, output_classes=None):
    """The Spec structure for user-given `output_types` and optional `output_shapes` (shapes nest like types) and
    `output_classes` (tf.SparseTensor where a component is sparse)."""
    types = map_structure(dtypes.as_dtype, output_types)
    if output_shapes is None:
        specs = map_structure(lambda t: Spec(t, TensorShape(None)), types)
    else:
        specs = map_up_to(types, lambda t, s: Spec(t, TensorShape(None) if s is None else as_shape(s)),
                          output_shapes)
    if output_classes is None:
        return specs
    classes = flatten_up_to(types, output_classes)
    return pack(specs, [SparseSpec(s.dtype, s.shape) if c is SparseTensor else s
                        for s, c in zip(flatten(specs), classes)])


def structure_repr(structure):
    return repr(structure)


def sparse_rows(value):
    """A batched SparseTensorValue as the list of its rows' SparseTensorValues (each row's entries, in their order,
    without the first coordinate; the dense shape after the first dimension)."""
    indices = np.asarray(value.indices, np.int64)
    values, dense_shape = np.asarray(value.values), np.asarray(value.dense_shape, np.int64)
    rows = []
    for i in range(int(dense_shape[0])):
        mine = indices[:, 0] == i
        rows.append(SparseTensorValue(indices[mine, 1:], values[mine], dense_shape[1:]))
    return rows
