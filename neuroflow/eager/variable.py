"""Variables in eager mode: storage in the eager context, read through a recorded ReadVariableOp (so tapes see
reads), written by the same Assign and optimizer-update kernels as in graph mode."""
import numpy as np

from ..framework.apply import apply_op, convert_to_tensor, register_tensor_conversion_function
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..ops import state_ops
from ..runtime.backend_gpu import gpu_devices
from .state import context
from .tensor import EagerTensor

__all__ = ["EagerVariable", "ReadVariableOp"]


@register
class ReadVariableOp(OpDef):
    """The current value of a variable (its input is the variable's handle, a reference)."""

    type_name = "ReadVariableOp"
    input_names = ("resource",)
    ref_inputs = (0,)
    read_at_use = True
    foldable = False
    output_is_shared = True

    def infer(self, inputs, attrs):
        handle = inputs[0]
        return [(handle.shape, handle.dtype.base_dtype)]

    def kernel(self, op, ctx):
        store, key = ctx.variables, ctx.variable_name(op.inputs[0])
        return lambda: store[key]

    def grad(self, op, g):
        return [g]


class EagerVariable:
    """`tf.Variable` when executing eagerly: holds its value; operators and ops act on the current value.

    Example:
        >>> v = tf.Variable([1.0, 2.0]); v.assign_add([1.0, 1.0]); v.numpy()
        array([2., 3.], dtype=float32)
    """

    __array_priority__ = 100
    _counter = [0]
    _device = None  # the GpuDevice its value lives on; None: the host

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None, aggregation=None,
                 shape=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        value = convert_to_tensor(initial_value, dtype=dtype)
        self._name = (name or "Variable").rstrip("/")
        EagerVariable._counter[0] += 1
        # A unique storage key (eager names repeat); also a valid node name for tf.function graphs.
        self._key = f"{self._name}/_{EagerVariable._counter[0]}"
        self._dtype = value.dtype.base_dtype
        self._shape = TensorShape(shape) if shape is not None else value.shape
        self.trainable = trainable
        self._constraint = constraint
        gpus = gpu_devices()
        if gpus:
            from .device_execute import to_device, variable_device
            self._device = variable_device(self._dtype, gpus)
        if self._device is None:
            context.variables[self._key] = np.array(value._host(), dtype=self._dtype.as_numpy_dtype, copy=True)
        else:  # it lives on its GPU for its whole life; its own storage, not the initial value's
            context.variables[self._key] = self._device.xp.array(to_device(value, self._device),
                                                                 dtype=self._dtype.as_numpy_dtype, copy=True)
        # The handle stands for the variable itself: a zero-stride array gives it the variable's shape for free.
        self._handle = EagerTensor(np.broadcast_to(np.zeros((), self._dtype.as_numpy_dtype), tuple(self._shape.as_list())),
                                   self._dtype._as_ref)
        self._handle._variable = self

    # --- identity ---------------------------------------------------------------------------------
    name = property(lambda self: f"{self._name}:0")
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: TensorShape(np.shape(context.variables[self._key])))
    constraint = property(lambda self: self._constraint)
    @property
    def device(self):
        if self._device is None:
            return "/job:localhost/replica:0/task:0/device:CPU:0"
        from .device_execute import full_device_name
        return full_device_name(self._device)

    def get_shape(self):
        return self.shape

    @property
    def op(self):
        raise AttributeError("Variable.op is meaningless when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Variable.graph is meaningless when eager execution is enabled.")

    # --- values -----------------------------------------------------------------------------------
    def value(self):
        """The current value, read through an op that gradient tapes record."""
        return apply_op(ReadVariableOp, [self], name="ReadVariableOp")

    read_value = value

    def numpy(self):
        if self._device is not None:
            return self._device.to_host(context.variables[self._key])  # a fresh host copy (counted)
        return np.array(context.variables[self._key], copy=True)

    def _ref(self):
        from ..framework.context import executing_eagerly
        if executing_eagerly():
            return self._handle
        from .function import capture_variable
        return capture_variable(self, as_ref=True)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.numpy(), dtype=dtype)

    # --- updates ----------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        out = state_ops.assign(self, value, name=name)
        return out if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_add(self, delta, name=name)
        return out if read_value else None

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_sub(self, delta, name=name)
        return out if read_value else None

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={np.array_repr(self.numpy())}>")

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        return bool(self.numpy())

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    @classmethod
    def _override_operator(cls, operator, func):
        def on_value(self, *args):
            return func(self.value(), *args)
        on_value.__name__ = operator
        setattr(cls, operator, on_value)


def _convert_eager_variable(var, dtype=None, name=None, as_ref=False):
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        return var._handle if as_ref else var.value()
    from .function import capture_variable
    return capture_variable(var, as_ref)


def _convert_eager_tensor(t, dtype=None, name=None, as_ref=False):
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        return t
    from ..framework.constant_op import constant
    return constant(np.asarray(t._value), dtype=t.dtype, name=name or "Const")


register_tensor_conversion_function(EagerTensor, _convert_eager_tensor)
register_tensor_conversion_function(EagerVariable, _convert_eager_variable)
