"""What is known of a shape tensor's elements while building the graph, and Reshape's static output from it: each
element is a constant, a reference to a dimension of some tensor (`tf.shape(x)[0]`), or unknown. TensorFlow's
shape functions track such dimensions by identity, so `tf.reshape(x, [tf.shape(x)[0], -1])` of an [?, 7, 7, 16]
`x` is [?, 784] there; this module gives neuroflow the same answer."""
import math

import numpy as np

from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value

__all__ = ["shape_elements", "known_elements", "reshape_shape"]


class DimOf:
    """Element `index` of `tf.shape(tensor)`: equal to that dimension whether or not its size is known."""

    __slots__ = ("tensor", "index")

    def __init__(self, tensor, index):
        self.tensor, self.index = tensor, index

    def same_as(self, tensor, index):
        return self.tensor is tensor and self.index == index

    def static(self):
        dims = self.tensor.shape.as_list()
        return dims[self.index]


def shape_elements(shape_t):
    """The elements of a 1-D int tensor as a list of ints, `DimOf`s or None (unknown), or None when even their
    number is unknown. Follows constants, Shape, Pack, ConcatV2 and constant slices of those."""
    value = constant_value(shape_t)
    if value is not None:
        return [int(v) for v in np.asarray(value).reshape(-1).tolist()]
    op = shape_t.op
    kind = op.type
    if kind == "Shape":
        rank = op.inputs[0].shape.ndims
        return None if rank is None else [DimOf(op.inputs[0], i) for i in range(rank)]
    if kind == "Pack" and op.get_attr("axis") == 0:
        return [_scalar_element(t) for t in op.inputs]
    if kind == "ConcatV2":
        parts = [shape_elements(t) for t in op.inputs]
        return None if any(p is None for p in parts) else [e for p in parts for e in p]
    if kind == "StridedSlice":
        sliced = _constant_slice(op)
        if sliced is not None:
            return sliced
    n = shape_t.shape.as_list()[0] if shape_t.shape.ndims == 1 else None
    return None if n is None else [None] * n


def known_elements(shape_t, length):
    """The elements of a 1-D int tensor of `length` elements as ints where known while building (constants, and
    dimensions of known size), None elsewhere."""
    elements = shape_elements(shape_t)
    if elements is None or len(elements) != length:
        return [None] * length
    return [e.static() if isinstance(e, DimOf) else e for e in elements]


def _scalar_element(t):
    value = constant_value(t)
    if value is not None:
        return int(value)
    if t.op.type == "StridedSlice":
        sliced = _constant_slice(t.op)
        if sliced is not None and len(sliced) == 1:
            return sliced[0]
    return None


def _constant_slice(op):
    """The elements of a strided slice of a shape vector with constant begin/end/strides and no ellipsis or
    new axis (`tf.shape(x)[0]`, `tf.shape(x)[:-1]`), or None."""
    source, begin, end, strides = op.inputs
    attrs = op.attrs
    if attrs.get("ellipsis_mask") or attrs.get("new_axis_mask") or source.shape.ndims != 1:
        return None
    b, e, s = (constant_value(t) for t in (begin, end, strides))
    if b is None or e is None or s is None or np.size(b) != 1:
        return None
    elements = shape_elements(source)
    if elements is None:
        return None
    b, e, s = int(np.reshape(b, -1)[0]), int(np.reshape(e, -1)[0]), int(np.reshape(s, -1)[0])
    if attrs.get("shrink_axis_mask", 0) & 1:
        if not -len(elements) <= b < len(elements):
            return None
        return [elements[b]]
    start = None if attrs.get("begin_mask", 0) & 1 else b
    stop = None if attrs.get("end_mask", 0) & 1 else e
    return elements[slice(start, stop, s)]


def reshape_shape(x, shape_t):
    """The static shape of `tf.reshape(x, shape_t)` when `shape_t` is not wholly constant: known elements kept,
    dimensions of `x` taken from it, and the -1 element solved when every unknown dimension of `x` reappears
    in the target as itself (so it cancels from both sizes)."""
    elements = shape_elements(shape_t)
    if elements is None:
        return None
    out = []
    for e in elements:
        if isinstance(e, DimOf):
            out.append(e.static())
        elif e is None or e < 0:
            out.append(None)
        else:
            out.append(e)
    holes = [i for i, e in enumerate(elements) if isinstance(e, int) and e == -1]
    if len(holes) != 1 or x.shape.ndims is None:
        return TensorShape(out)
    cancelled, known_out = set(), []
    for e in elements:
        if isinstance(e, DimOf) and e.tensor is x and e.index not in cancelled:
            cancelled.add(e.index)  # the same dimension on both sides, known or not
        elif isinstance(e, DimOf) and e.static() is not None:
            known_out.append(e.static())
        elif isinstance(e, int) and e >= 0:
            known_out.append(e)
        elif not (isinstance(e, int) and e == -1):
            return TensorShape(out)  # an unknown size nothing cancels
    remaining_in = [d for i, d in enumerate(x.shape.as_list()) if i not in cancelled]
    if any(d is None for d in remaining_in):
        return TensorShape(out)
    numerator, denominator = math.prod(remaining_in), math.prod(known_out)
    if denominator and numerator % denominator == 0:
        out[holes[0]] = numerator // denominator
    return TensorShape(out)
