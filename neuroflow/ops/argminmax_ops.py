"""The index of the largest or smallest entry along an axis: `tf.argmax`/`tf.argmin` (ArgMax, ArgMin) and TF1's
deprecated `tf.arg_max`/`tf.arg_min`."""

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.deprecation import deprecated_argument_lookup
from .op_util import static_int

__all__ = ["argmax", "argmin", "arg_max", "arg_min"]


# --- argmax / argmin -----------------------------------------------------------------------------------------
class _ArgExtremum(OpDef):
    """The index of the largest (smallest) entry along attr `axis`, as `output_type`; the first one on ties."""

    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.REAL
    reducer = None

    def canonicalize_attrs(self, inputs, attrs):
        rank, axis = inputs[0].shape.ndims, attrs["axis"]
        if rank is None:
            return attrs
        if not -rank <= axis < rank:
            raise InferenceError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
        return {**attrs, "axis": axis % rank}

    def infer(self, inputs, attrs):
        x = inputs[0]
        out_type = attrs["output_type"]
        if out_type not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'output_type' has DataType {out_type.name} not in list of "
                            "allowed values: int32, int64")
        rank = x.shape.ndims
        if rank is None:
            return [(TensorShape(None), out_type)]
        axis = attrs["axis"]
        dims = x.shape.as_list()
        if dims[axis] == 0:
            raise InferenceError(f"Reduction axis {axis} is empty in shape {x.shape.bracket_str()}")
        return [(TensorShape(dims[:axis] + dims[axis + 1:]), out_type)]

    def forward(self, xp, x, axis, output_type):
        return getattr(xp, self.reducer)(x, axis=axis).astype(output_type.as_numpy_dtype)

    def explain_failure(self, arrays, attrs, exc):
        shape = np.shape(arrays[0]) if arrays else ()
        if -len(shape) <= attrs["axis"] < len(shape) and shape[attrs["axis"]] == 0:
            dims = "[" + ",".join(str(d) for d in shape) + "]"
            return f"Reduction axis {attrs['axis']} is empty in shape {dims}"
        return super().explain_failure(arrays, attrs, exc)


@register
class ArgMax(_ArgExtremum):
    type_name = "ArgMax"
    reducer = "argmax"


@register
class ArgMin(_ArgExtremum):
    type_name = "ArgMin"
    reducer = "argmin"


def _arg(opdef, default_name, input, axis, name, dimension, output_type):  # noqa: A002
    axis = deprecated_argument_lookup("axis", axis, "dimension", dimension)
    axis = 0 if axis is None else static_int(axis, "the argmax/argmin axis")
    attrs = {"axis": axis, "output_type": dtypes.as_dtype(output_type).base_dtype}
    return apply_op(opdef, [input], attrs, name=name or default_name)


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """The index of the largest entry along `axis` (the first one when several are equal). Not differentiable.

    Args:
        input: a real tensor.
        axis: the axis to reduce; 0 when neither `axis` nor `dimension` (its deprecated name) is given.
        name: the node's name (default "ArgMax").
        output_type: `tf.int64` (default) or `tf.int32`.

    Raises:
        ValueError: both `axis` and `dimension` are given, or `axis` is out of range.

    Example: `tf.argmax([[1, 9], [8, 2]], axis=1)` evaluates to `[1, 0]` (int64).
    """
    return _arg(ArgMax, "ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """The index of the smallest entry along `axis`; like `tf.argmax`. Node name "ArgMin"."""
    return _arg(ArgMin, "ArgMin", input, axis, name, dimension, output_type)


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """The deprecated TF1 spelling of `tf.argmax(input, axis=dimension)`: `dimension` is required."""
    return _arg(ArgMax, "ArgMax", input, None, name, dimension, output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """The deprecated TF1 spelling of `tf.argmin(input, axis=dimension)`: `dimension` is required."""
    return _arg(ArgMin, "ArgMin", input, None, name, dimension, output_type)
