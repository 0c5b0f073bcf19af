"""Keras merge layers, combining a list of tensors: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, and their functional forms (`add([a, b])`, `concatenate([a, b], axis=-1)`)."""
from ...framework.tensor_shape import TensorShape
from ...ops import concat_ops, math_ops
from ..engine.base_layer import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "add", "subtract",
           "multiply", "average", "maximum", "minimum", "concatenate"]


def _shape_str(shape):
    return "(" + ", ".join(str(d) for d in shape.as_list()) + ("," if shape.ndims == 1 else "") + ")" \
        if shape.ndims is not None else "<unknown>"


class _Merge(Layer):
    """Checks that the input is a list of at least two tensors whose shapes can be combined elementwise."""

    _exact_inputs = None

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs.")
        if len(input_shape) < 2:
            raise ValueError(f"A merge layer should be called on a list of at least 2 inputs. Got "
                             f"{len(input_shape)} inputs.")
        if self._exact_inputs is not None and len(input_shape) != self._exact_inputs:
            raise ValueError(f"A `{type(self).__name__}` layer should be called on exactly {self._exact_inputs} "
                             "inputs")
        shapes = [TensorShape(s) for s in input_shape]
        merged = shapes[0]
        for s in shapes[1:]:
            if merged.ndims is not None and s.ndims is not None and merged.ndims == s.ndims:
                for a, b in zip(merged.as_list()[1:], s.as_list()[1:]):
                    if a is not None and b is not None and a != b and 1 not in (a, b):
                        raise ValueError("Operands could not be broadcast together with shapes "
                                         f"{_shape_str(merged)} {_shape_str(s)}")
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs.")
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        """The inputs' shapes broadcast together (rank from the longest; a 1 gives way to the other size); the
        batch size when all inputs that know it agree."""
        shapes = [TensorShape(s) for s in input_shape]
        if any(s.ndims is None for s in shapes):
            return TensorShape(None)
        batches = {s.as_list()[0] for s in shapes} - {None}
        rank = max(s.ndims for s in shapes)
        dims = [1] * (rank - 1)
        for s in shapes:
            rest = [1] * (rank - s.ndims) + s.as_list()[1:]
            for i, d in enumerate(rest):
                if dims[i] is None or d is None:
                    dims[i] = None if d != 1 and dims[i] != 1 else (dims[i] if d == 1 else d)
                elif dims[i] == 1:
                    dims[i] = d
        return TensorShape([batches.pop() if len(batches) == 1 else None] + dims)


class Add(_Merge):
    """The elementwise sum of the inputs: `Add()([a, b])`."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.add(out, x)
        return out


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs)."""

    _exact_inputs = 2

    def _merge(self, inputs):
        return math_ops.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.multiply(out, x)
        return out


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def _merge(self, inputs):
        return math_ops.multiply(Add._merge(self, inputs), 1.0 / len(inputs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.maximum(out, x)
        return out


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.minimum(out, x)
        return out


class Concatenate(Layer):
    """Joins the inputs along `axis` (default the last): `Concatenate()([a, b])`.

    Raises:
        ValueError: fewer than two inputs, or shapes that differ off the concat axis.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError("A `Concatenate` layer should be called on a list of at least 2 inputs")
        shapes = [TensorShape(s) for s in input_shape]
        if all(s.ndims is None for s in shapes):
            return
        ranks = {s.ndims for s in shapes if s.ndims is not None}
        dims = [s.as_list() for s in shapes if s.ndims is not None]
        ok = len(ranks) == 1
        if ok:
            rank = ranks.pop()
            axis = self.axis % rank if rank else 0
            for i in range(rank):
                known = {d[i] for d in dims if d[i] is not None}
                if i != axis and len(known) > 1:
                    ok = False
        if not ok:
            raise ValueError("A `Concatenate` layer requires inputs with matching shapes except for the concat axis. "
                             f"Got inputs shapes: {[tuple(d) for d in dims]}")
        self.built = True

    def call(self, inputs):
        return concat_ops.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [TensorShape(s) for s in input_shape]
        if any(s.ndims is None for s in shapes):
            return TensorShape(None)
        dims = [s.as_list() for s in shapes]
        axis = self.axis % len(dims[0])
        out = []
        for i in range(len(dims[0])):
            column = [d[i] for d in dims]
            if i == axis:
                out.append(None if None in column else sum(column))
            else:
                out.append(next((d for d in column if d is not None), None))
        return TensorShape(out)


def add(inputs, **kwargs):
    """`Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """`Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """`Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """`Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """`Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """`Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """`Concatenate(axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
