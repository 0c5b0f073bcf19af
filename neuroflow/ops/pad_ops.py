"""Padding: `tf.pad` in CONSTANT, REFLECT and SYMMETRIC modes (Pad, PadV2, MirrorPad and its gradient)."""
import numpy as np

from ..framework import errors
from ..framework.apply import _is_tensor_like, apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .manip_ops import Slice
from .op_util import check_index_dtype, check_rank, dims_or_none, index_shape, invalid_argument

__all__ = ["pad"]


def _pad_infer(x, pad_t, sign=1, mode=None):
    """Output spec of padding `x` by `pad_t` (shape [rank, 2]); `sign` -1 for removing the padding."""
    check_index_dtype(pad_t, "paddings")
    check_rank(pad_t, 2)
    rank = x.shape.ndims
    n = pad_t.shape[0].value if pad_t.shape.ndims == 2 else None
    if pad_t.shape.ndims == 2 and pad_t.shape[1].value not in (None, 2):
        raise InferenceError(f"Dimension must be 2 but is {pad_t.shape[1].value}")
    if rank is not None and n is not None and n != rank:
        raise InferenceError(f"The first dimension of paddings must be the rank of inputs{pad_t.shape.bracket_str()}"
                             f", {x.shape.bracket_str()}")
    rank = rank if rank is not None else n
    if rank is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    p = constant_value(pad_t)
    dims = dims_or_none(x.shape, rank)
    if p is None:
        return [(TensorShape([None] * rank), x.dtype.base_dtype)]
    try:
        _check_paddings(p, dims, mode)
    except errors.InvalidArgumentError as e:
        raise InferenceError(e.message) from None
    return [(TensorShape([None if d is None else d + sign * int(a + b) for d, (a, b) in zip(dims, p.tolist())]),
             x.dtype.base_dtype)]


def _check_paddings(p, dims, mode):
    """TensorFlow's checks on paddings for input dims `dims` (None: unknown): raises InvalidArgumentError."""
    for (a, b), d in zip(p.tolist(), dims):  # `p`: a constant's ndarray, or a backend array
        if a < 0 or b < 0:
            raise invalid_argument(f"Paddings must be non-negative: {a} {b}")
        if d is None or mode is None:
            continue
        if mode == "REFLECT" and (a >= d or b >= d):
            raise invalid_argument(f"paddings must be less than the dimension size: {a}, {b} not less than {d}")
        if mode == "SYMMETRIC" and (a > d or b > d):
            raise invalid_argument(f"paddings must be no greater than the dimension size: {a}, {b} greater than {d}")


def _check_pad_rank(x, p):
    if np.shape(p) != (x.ndim, 2):
        raise invalid_argument("The first dimension of paddings must be the rank of "
                               f"inputs[{','.join(map(str, np.shape(p)))}], [{','.join(map(str, x.shape))}]")


class _ConstantPad(OpDef):
    """`input` with zeros added before and after each axis (`paddings`: [rank, 2])."""

    input_names = ("input", "paddings")

    def infer(self, inputs, attrs):
        return _pad_infer(inputs[0], inputs[1])

    def forward(self, xp, x, paddings, constant_values=None):
        _check_pad_rank(x, paddings)
        _check_paddings(paddings, x.shape, None)
        out = xp.pad(x, paddings.tolist(), mode="constant",
                     constant_values=0 if constant_values is None else constant_values)
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    def grad(self, op, g):
        x, paddings = op.inputs[0], op.inputs[1]
        x_grad = apply_op(Slice, [g, paddings[:, 0], index_shape(x, paddings.dtype.base_dtype)], name="Slice")
        return [x_grad] + [None] * (len(op.inputs) - 1)


@register
class Pad(_ConstantPad):
    """`input` with zeros added before and after each axis (`paddings`: [rank, 2])."""

    type_name = "Pad"
    shape_arg_inputs = (1,)


@register
class PadV2(_ConstantPad):
    """`Pad` with the scalar `constant_values` instead of zeros."""

    type_name = "PadV2"
    shape_arg_inputs = (1,)
    input_names = ("input", "paddings", "constant_values")
    same_dtype = ("input", "constant_values")

    def infer(self, inputs, attrs):
        check_rank(inputs[2], 0)
        return _pad_infer(inputs[0], inputs[1])


@register
class MirrorPad(OpDef):
    """`input` padded with its own values mirrored at the edges (attr `mode`: REFLECT or SYMMETRIC)."""

    type_name = "MirrorPad"
    shape_arg_inputs = (1,)
    input_names = ("input", "paddings")

    def infer(self, inputs, attrs):
        return _pad_infer(inputs[0], inputs[1], mode=attrs["mode"])

    def forward(self, xp, x, paddings, mode):
        _check_pad_rank(x, paddings)
        _check_paddings(paddings, x.shape, mode)
        return xp.pad(x, paddings.tolist(), mode=mode.lower())

    def grad(self, op, g):
        return [apply_op(MirrorPadGrad, [g, op.inputs[1]], {"mode": op.get_attr("mode")}, name="MirrorPadGrad"),
                None]


@register
class MirrorPadGrad(OpDef):
    """The gradient of MirrorPad: the padded borders folded back onto the values they mirrored, and added."""

    type_name = "MirrorPadGrad"
    shape_arg_inputs = (1,)
    input_names = ("input", "paddings")

    def infer(self, inputs, attrs):
        return _pad_infer(inputs[0], inputs[1], sign=-1)

    def forward(self, xp, g, paddings, mode):
        _check_pad_rank(g, paddings)
        offset = 1 if mode == "REFLECT" else 0  # REFLECT skips the edge value itself
        out = g
        for axis, (a, b) in enumerate(paddings.tolist()):
            if not a and not b:
                continue
            moved = xp.moveaxis(out, axis, 0)
            n = moved.shape[0] - a - b
            core = moved[a:a + n].copy()
            core[offset:offset + a] += moved[:a][::-1]
            core[n - offset - b:n - offset] += moved[a + n:][::-1]
            out = xp.moveaxis(core, 0, axis)
        return xp.ascontiguousarray(out) if out is not g else xp.array(g, copy=True)

    def grad(self, op, g):
        return [apply_op(MirrorPad, [g, op.inputs[1]], {"mode": op.get_attr("mode")}, name="MirrorPad"), None]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):  # noqa: A002
    """`tensor` padded: `paddings[i] = [before, after]` values added along axis i.

    Args:
        mode: "CONSTANT" (fill with `constant_values`), "REFLECT" (mirror without the edge value) or
            "SYMMETRIC" (mirror including it); case-insensitive.

    Raises:
        ValueError: an unknown mode, or paddings too large for a mirror mode.

    Example:
        >>> tf.pad([[1, 2, 3]], [[1, 1], [2, 2]], "REFLECT")   # [[3, 2, 1, 2, 3, 2, 1], ...] x3
    """
    mode = str(mode).upper()
    if mode == "CONSTANT":
        if not _is_tensor_like(constant_values) and np.all(np.asarray(constant_values) == 0):
            return apply_op(Pad, [tensor, paddings], name=name or "Pad")
        return apply_op(PadV2, [tensor, paddings, constant_values], name=name or "PadV2")
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op(MirrorPad, [tensor, paddings], {"mode": mode}, name=name or "MirrorPad")
    raise ValueError(f"Unknown padding mode: {mode}")
