"""In-place row updates of a variable: tf.scatter_add / tf.scatter_sub (ScatterAdd, ScatterSub: repeated indices
accumulate) and tf.scatter_update (ScatterUpdate). Optimizers apply IndexedSlices gradients through them, touching
only the rows a gather read."""
from ..framework import errors
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from .op_util import check_index_dtype, invalid_argument

__all__ = ["scatter_add", "scatter_sub", "scatter_update"]


class _Scatter(OpDef):
    """ref[indices[i], ...] (op)= updates[i, ...]; the output is the updated variable."""

    input_names = ("ref", "indices", "updates")
    ref_inputs = (0,)
    stateful = True
    foldable = False
    output_is_shared = True

    def infer(self, inputs, attrs):
        ref, indices, updates = inputs
        check_index_dtype(indices, "indices")
        if ref.dtype.base_dtype is not updates.dtype.base_dtype:
            raise TypeError(f"Input 'updates' of '{self.type_name}' Op has type {updates.dtype.base_dtype.name} that "
                            f"does not match type {ref.dtype.base_dtype.name} of argument 'ref'.")
        if ref.shape.ndims is not None and indices.shape.ndims is not None and updates.shape.ndims is not None:
            expected = indices.shape.concatenate(ref.shape[1:])
            if not updates.shape.is_compatible_with(expected):
                raise InferenceError(f"Shapes must be equal rank, but are {updates.shape.ndims} and "
                                     f"{expected.ndims}" if updates.shape.ndims != expected.ndims else
                                     f"Dimensions must be equal for updates {updates.shape.bracket_str()} and "
                                     f"indices.shape + ref.shape[1:] {expected.bracket_str()}")
        return [(ref.shape, ref.dtype.base_dtype._as_ref)]

    def kernel(self, op, ctx):
        store, name, xp = ctx.variables, ctx.variable_name(op.inputs[0]), ctx.xp
        combine = self.combine

        def scatter(indices, updates):
            try:
                var = store[name]
            except KeyError:
                raise errors.FailedPreconditionError(None, None,
                                                     f"Attempting to use uninitialized value {name}") from None
            n = var.shape[0]
            if indices.size and (indices.min() < 0 or indices.max() >= n):
                bad = xp.argwhere((indices < 0) | (indices >= n))[0]
                where = ",".join(str(int(i)) for i in bad)
                raise invalid_argument(f"indices[{where}] = {int(indices[tuple(int(i) for i in bad)])} is not in "
                                       f"[0, {n})")
            combine(xp, var, indices, updates.astype(var.dtype, copy=False))
            return var
        return scatter


@register
class ScatterAdd(_Scatter):
    type_name = "ScatterAdd"

    @staticmethod
    def combine(xp, var, indices, updates):
        xp.add.at(var, indices, updates)


@register
class ScatterSub(_Scatter):
    type_name = "ScatterSub"

    @staticmethod
    def combine(xp, var, indices, updates):
        xp.add.at(var, indices, -updates)


@register
class ScatterUpdate(_Scatter):
    type_name = "ScatterUpdate"

    @staticmethod
    def combine(xp, var, indices, updates):
        var[indices] = updates


def _scatter(opdef, ref, indices, updates, use_locking, name):
    target = ref._ref() if hasattr(ref, "_ref") else ref
    return apply_op(opdef, [target, indices, updates], {"use_locking": bool(use_locking)},
                    name=name or opdef.type_name)


def scatter_add(ref, indices, updates, use_locking=False, name=None):
    """Adds `updates[i]` to row `indices[i]` of variable `ref` (repeated rows add up); returns `ref` updated.

    Example:
        >>> tf.scatter_add(v, [0, 0, 2], [1.0, 1.0, 5.0])   # v[0] += 2, v[2] += 5
    """
    return _scatter(ScatterAdd, ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    """Subtracts `updates[i]` from row `indices[i]` of variable `ref` (repeated rows add up)."""
    return _scatter(ScatterSub, ref, indices, updates, use_locking, name)


def scatter_update(ref, indices, updates, use_locking=False, name=None):
    """Sets row `indices[i]` of variable `ref` to `updates[i]`."""
    return _scatter(ScatterUpdate, ref, indices, updates, use_locking, name)
