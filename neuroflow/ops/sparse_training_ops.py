"""The row-sparse optimizer updates (SparseApplyMomentum, SparseApplyAdagrad, SparseApplyAdadelta,
SparseApplyRMSProp, SparseApplyCenteredRMSProp): TensorFlow's rule for an IndexedSlices gradient, which updates only
the rows it names (repeated rows summed first) and leaves every other row of the variable and its slots alone. Each
is its dense twin's update (ops/training_ops.py) applied to the gathered rows."""
from ..framework import errors
from ..framework.op_def import InferenceError, register
from . import training_ops
from .op_util import check_index_dtype, invalid_argument

__all__ = ["sparse_twin"]


def _make_twin(dense):
    dense_cls = type(dense)

    class SparseApply(dense_cls):
        __doc__ = f"{dense_cls.__doc__} Only the rows in `indices` (the last input), with `grad` one slice per index."
        type_name = "Sparse" + dense.type_name
        input_names = dense.input_names + ("indices",)

        @property
        def same_dtype(self):
            return dense.input_names

        def infer(self, inputs, attrs):
            var, grad, indices = inputs[0], inputs[-2], inputs[-1]
            check_index_dtype(indices, "indices")
            if var.shape.ndims is not None and grad.shape.ndims is not None and \
                    not var.shape[1:].is_compatible_with(grad.shape[1:]):
                raise InferenceError(f"var and grad do not have the same shape after the first dimension: "
                                     f"{var.shape.bracket_str()} {grad.shape.bracket_str()}")
            return [(var.shape, var.dtype.base_dtype._as_ref)]

        def kernel(self, op, ctx):
            store, xp = ctx.variables, ctx.xp
            names = tuple(ctx.variable_name(t) for t in op.inputs[:len(self.ref_names)])
            update, attrs = dense_cls.update, op.attrs

            def apply(*values):
                *values, indices = values
                try:
                    refs = [store[n] for n in names]
                except KeyError as e:
                    raise errors.FailedPreconditionError(
                        None, None, f"Attempting to use uninitialized value {e.args[0]}") from None
                grad, n = values[-1], refs[0].shape[0]
                if indices.size and (indices.min() < 0 or indices.max() >= n):
                    bad = int(xp.argwhere((indices < 0) | (indices >= n))[0, 0])
                    raise invalid_argument(f"Index {int(indices[bad])} at offset {bad} in indices is out of range")
                rows, inverse = xp.unique(indices, return_inverse=True)
                summed = xp.zeros((rows.shape[0],) + tuple(grad.shape[1:]), dtype=grad.dtype)
                xp.add.at(summed, inverse.reshape(-1), grad)
                parts = [r[rows] for r in refs]  # copies of the touched rows, updated by the dense rule
                update(xp, *parts, *values[:-1], summed, **attrs)
                for r, p in zip(refs, parts):
                    r[rows] = p
                return refs[0]
            return apply

    SparseApply.__name__ = SparseApply.__qualname__ = "Sparse" + dense.type_name
    return register(SparseApply)


SparseApplyMomentum = _make_twin(training_ops.ApplyMomentum)
SparseApplyAdagrad = _make_twin(training_ops.ApplyAdagrad)
SparseApplyAdadelta = _make_twin(training_ops.ApplyAdadelta)
SparseApplyRMSProp = _make_twin(training_ops.ApplyRMSProp)
SparseApplyCenteredRMSProp = _make_twin(training_ops.ApplyCenteredRMSProp)
_TWINS = {training_ops.ApplyMomentum: SparseApplyMomentum, training_ops.ApplyAdagrad: SparseApplyAdagrad,
          training_ops.ApplyAdadelta: SparseApplyAdadelta, training_ops.ApplyRMSProp: SparseApplyRMSProp,
          training_ops.ApplyCenteredRMSProp: SparseApplyCenteredRMSProp}


def sparse_twin(dense):
    """The row-sparse update of dense update `dense` (KeyError if TensorFlow has none)."""
    return _TWINS[dense]
