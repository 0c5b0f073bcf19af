"""Cumulative sums and products along an axis: `tf.cumsum`/`tf.cumprod` (the Cumsum and Cumprod scans, with
`exclusive` and `reverse`)."""


from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from .op_util import static_int

__all__ = ["cumsum", "cumprod"]


# --- scans ---------------------------------------------------------------------------------------------------
class _Scan(OpDef):
    """A cumulative reduction along attr `axis` (`exclusive`: leave out the entry itself; `reverse`: scan from
    the end)."""

    input_names = ("x",)
    same_dtype = ("x",)
    allowed_dtypes = dtypes.NUMBER
    ufunc = None
    identity = None

    def infer(self, inputs, attrs):
        x = inputs[0]
        rank = x.shape.ndims
        axis = attrs["axis"]
        if rank is not None:
            if rank == 0:
                raise InferenceError("Shape must be at least rank 1 but is rank 0")
            if not -rank <= axis < rank:
                raise InferenceError(f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, axis, exclusive, reverse):
        if reverse:
            x = xp.flip(x, axis)
        # dtype= keeps int32 scans int32 (NumPy would widen them to int64).
        out = getattr(xp, self.ufunc)(x, axis=axis, dtype=x.dtype)
        if exclusive:
            # Shift by one along the axis rather than undoing the entry (x - x would turn inf into nan).
            shifted = xp.empty_like(out)
            axis %= out.ndim
            head = (slice(None),) * axis
            shifted[head + (slice(0, 1),)] = self.identity
            shifted[head + (slice(1, None),)] = out[head + (slice(None, -1),)]
            out = shifted
        return xp.flip(out, axis) if reverse else out

    def _attrs_like(self, op, **changes):
        attrs = op.attrs
        attrs.update(changes)
        return attrs


@register
class Cumsum(_Scan):
    type_name = "Cumsum"
    ufunc = "cumsum"
    identity = 0

    def grad(self, op, g):
        # Each x_i feeds the outputs after it (in scan order): the adjoint is the same scan run the other way.
        return [apply_op(Cumsum, [g], self._attrs_like(op, reverse=not op.get_attr("reverse")), name="Cumsum")]


@register
class Cumprod(_Scan):
    type_name = "Cumprod"
    ufunc = "cumprod"
    identity = 1

    def grad(self, op, g):
        # TensorFlow's formula: reverse-cumsum(y * g) / x. It divides by x, so it is not finite where x has zeros
        # (as in TensorFlow); reduce_prod's gradient avoids this path for first derivatives.
        from .math_ops import multiply, truediv
        x, y = op.inputs[0], op.outputs[0]
        attrs = self._attrs_like(op, reverse=not op.get_attr("reverse"))
        return [truediv(apply_op(Cumsum, [multiply(y, g)], attrs, name="Cumsum"), x)]


def _scan(opdef, default_name, x, axis, exclusive, reverse, name):
    with name_scope(name, default_name, [x]) as scope:
        x = convert_to_tensor(x, name="x")
        attrs = {"axis": static_int(axis, "the scan axis"), "exclusive": bool(exclusive), "reverse": bool(reverse)}
        return apply_op(opdef, [x], attrs, name=scope)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative sum of `x` along `axis`.

    Args:
        x: a numeric tensor (rank 1 or more).
        axis: the axis to scan (an int, or a tensor known at graph-building time).
        exclusive: leave each entry out of its own sum (the first output is 0).
        reverse: sum from the end of the axis.
        name: the node's name (default "Cumsum").

    Returns:
        A tensor of the shape and dtype of `x`.

    Raises:
        ValueError: `axis` is out of range, or `x` is a scalar.

    Example: `tf.cumsum([1, 2, 3], exclusive=True, reverse=True)` evaluates to `[5, 3, 0]`.
    """
    return _scan(Cumsum, "Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative product of `x` along `axis`; arguments as `tf.cumsum` (the exclusive first output is 1).

    Example: `tf.cumprod([1., 2., 3.])` evaluates to `[1., 2., 6.]`.
    """
    return _scan(Cumprod, "Cumprod", x, axis, exclusive, reverse, name)
