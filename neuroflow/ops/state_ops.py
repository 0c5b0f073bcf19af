"""Variable state primitives: VariableV2 (the storage, read by reference), Assign, AssignAdd, AssignSub and
IsVariableInitialized. Values live in the Session's RunContext, so each Session has its own."""
import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


def _uninitialized(name):
    return errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {name}")


@register
class VariableV2(OpDef):
    """A variable's storage; its output is a reference (dtype `float32_ref`), read when a value is needed."""

    type_name = "VariableV2"
    input_names = ()
    read_at_use = True
    stateful = True
    foldable = False
    output_is_shared = True

    def infer(self, inputs, attrs):
        return [(attrs["shape"], attrs["dtype"]._as_ref)]

    def kernel(self, op, ctx):
        store, name = ctx.variables, op.name

        def read():
            try:
                return store[name]
            except KeyError:
                raise _uninitialized(name) from None
        return read


class _Update(OpDef):
    """Base of the ops that write a variable through its reference input."""

    input_names = ("ref", "value")
    same_dtype = ("ref", "value")
    ref_inputs = (0,)
    stateful = True
    foldable = False
    output_is_shared = True

    def infer(self, inputs, attrs):
        ref, value = inputs
        if attrs.get("validate_shape", True) and not ref.shape.is_compatible_with(value.shape):
            if ref.shape.ndims != value.shape.ndims:
                raise InferenceError(f"Shapes must be equal rank, but are {ref.shape.ndims} and {value.shape.ndims}")
            raise InferenceError(f"Shapes {ref.shape.bracket_str()} and {value.shape.bracket_str()} are "
                                 "incompatible")
        shape = ref.shape.merge_with(value.shape) if attrs.get("validate_shape", True) else value.shape
        return [(shape, ref.dtype.base_dtype._as_ref)]


@register
class Assign(_Update):
    """ref = value (a copy: later changes to the source never leak into the variable)."""

    type_name = "Assign"

    def kernel(self, op, ctx):
        store, name = ctx.variables, ctx.variable_name(op.inputs[0])
        np_dtype, array = op.inputs[0].dtype.as_numpy_dtype, ctx.xp.array
        validate = op.attrs.get("validate_shape", True)
        current_shape = op.inputs[0].shape

        def assign(value):
            new = array(value, dtype=np_dtype, copy=True)
            if validate:
                old = store.get(name)
                expected = old.shape if old is not None else None
                if expected is not None and new.shape != expected or not current_shape.is_compatible_with(new.shape):
                    lhs = list(expected) if expected is not None else current_shape.bracket_str()
                    raise errors.InvalidArgumentError(
                        None, None, f"Assign requires shapes of both tensors to match. lhs shape= {lhs} rhs shape= "
                                    f"{list(new.shape)}")
            store[name] = new
            return new
        return assign


class _ReadModifyWrite(_Update):
    def kernel(self, op, ctx):
        store, name = ctx.variables, ctx.variable_name(op.inputs[0])
        combine = getattr(ctx.xp, self.combine)

        def update(value):
            try:
                old = store[name]
            except KeyError:
                raise _uninitialized(name) from None
            new = combine(old, value)
            if not new.shape:  # a 0-d result comes back as a NumPy scalar: the storage keeps arrays
                new = ctx.xp.asarray(new)
            if new.shape != old.shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot update variable with shape {list(old.shape)} using a Tensor with shape "
                                f"{list(value.shape)}, shapes must be equal.")
            store[name] = new
            return new
        return update


@register
class AssignAdd(_ReadModifyWrite):
    """ref += value."""

    type_name = "AssignAdd"
    combine = "add"  # the array-module function


@register
class AssignSub(_ReadModifyWrite):
    """ref -= value."""

    type_name = "AssignSub"
    combine = "subtract"


@register
class IsVariableInitialized(OpDef):
    """True once the variable has a value in this session."""

    type_name = "IsVariableInitialized"
    input_names = ("ref",)
    ref_inputs = (0,)
    stateful = True
    foldable = False

    def infer(self, inputs, attrs):
        return [(TensorShape(()), dtypes.bool)]

    def kernel(self, op, ctx):
        store, name = ctx.variables, ctx.variable_name(op.inputs[0])
        asarray = ctx.xp.asarray
        return lambda: asarray(name in store)


@register
class ReportUninitializedVariables(OpDef):
    """The names (bytes) of the given variables that have no value yet in this session."""

    type_name = "ReportUninitializedVariables"
    input_names = ("refs",)
    variadic = True
    stateful = True
    foldable = False

    @property
    def ref_inputs(self):
        return _ALL

    def infer(self, inputs, attrs):
        return [(TensorShape([None]), dtypes.string)]

    def kernel(self, op, ctx):
        store = ctx.variables
        names = [ctx.variable_name(t) for t in op.inputs]

        def report():
            missing = [n.encode() for n in names if n not in store]
            out = np.empty(len(missing), dtype=object)
            out[:] = missing
            return out
        return report


class _AllIndices:
    def __contains__(self, index):
        return True

    def __iter__(self):
        return iter(())


_ALL = _AllIndices()


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Writes `value` into variable `ref` when run; returns the new value.

    Example: `sess.run(tf.assign(W, [1.0, 2.0]))`.
    """
    attrs = {"validate_shape": True if validate_shape is None else bool(validate_shape),
             "use_locking": bool(use_locking)}
    return apply_op(Assign, [ref, value], attrs, name=name or "Assign")


def assign_add(ref, value, use_locking=None, name=None):
    """ref += value when run; returns the new value."""
    return apply_op(AssignAdd, [ref, value], {"use_locking": bool(use_locking)}, name=name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """ref -= value when run; returns the new value."""
    return apply_op(AssignSub, [ref, value], {"use_locking": bool(use_locking)}, name=name or "AssignSub")


def is_variable_initialized(variable):
    """A bool tensor: whether `variable` has a value in the session that runs it."""
    return apply_op(IsVariableInitialized, [variable], name="IsVariableInitialized")
