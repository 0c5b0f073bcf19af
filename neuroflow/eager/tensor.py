"""EagerTensor: a value computed immediately (eager mode), with the Tensor interface users touch: `.numpy()`,
printing, NumPy interoperability, Python numbers and control flow on values, and the tensor operators."""
import numpy as np

from ..framework import dtypes
from ..framework.tensor_shape import TensorShape

__all__ = ["EagerTensor"]

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class EagerTensor:
    """A concrete tensor. Example: `tf.constant([1.0, 2.0]) * 2` prints `tf.Tensor([2. 4.], shape=(2,), ...)`.

    Attributes used by the gradient engine (`_consumers`, `_op`, `value_index`) mirror graph Tensors.
    """

    __slots__ = ("_value", "_dtype", "_shared", "_op", "value_index", "_consumers", "_variable", "_device",
                 "__weakref__")
    __array_priority__ = 100

    def __init__(self, value, dtype=None, shared=False, op=None, value_index=0, device=None):
        self._value = value
        self._device = device  # the GpuDevice holding the value (eager/device_execute.py); None: the host
        self._dtype = dtype if dtype is not None else dtypes.as_dtype(np.asarray(value).dtype)
        self._shared = shared  # the value is storage someone else owns (a constant, a variable): copy on numpy()
        self._op = op
        self.value_index = value_index
        self._consumers = []
        self._variable = None

    # --- the Tensor interface -------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return TensorShape(np.shape(self._value))

    def get_shape(self):
        return self.shape

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape {TensorShape(shape)}")

    @property
    def ndim(self):
        return np.ndim(self._value)

    @property
    def device(self):
        if self._device is None:
            return _DEVICE
        from .device_execute import full_device_name
        return full_device_name(self._device)

    def _host(self):
        """The value as a host array: a device value copied back (counted), a host one as it is."""
        return self._value if self._device is None else self._device.to_host(self._value)

    @property
    def op(self):
        raise AttributeError("Tensor.op is meaningless when eager execution is enabled.")

    @property
    def name(self):
        raise AttributeError("Tensor.name is meaningless when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is meaningless when eager execution is enabled.")

    def numpy(self):
        """The value as NumPy (a NumPy scalar for a 0-d tensor); a copy when the tensor shares storage."""
        if self._device is not None:
            value = self._device.to_host(self._value)  # a fresh host copy
            return value[()] if np.ndim(value) == 0 else value
        value = self._value
        if np.ndim(value) == 0:
            return np.asarray(value)[()]
        return np.array(value, copy=True) if self._shared else np.asarray(value)

    def eval(self, feed_dict=None, session=None):
        return self.numpy()

    def consumers(self):
        return list(self._consumers)

    # --- NumPy and Python protocol ---------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        arr = np.asarray(self._value if self._device is None else self._host())
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return np.array(arr, copy=True) if copy else arr

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __index__(self):
        return int(np.asarray(self._host()).__index__())

    def __len__(self):
        if np.ndim(self._value) == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return len(self._value)

    def __iter__(self):
        if np.ndim(self._value) == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return iter([self[i] for i in range(len(self._value))])

    def __str__(self):
        return f"tf.Tensor({self.numpy()}, shape={self.shape}, dtype={self._dtype.name})"

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, numpy={self.numpy()!r}>"

    def __format__(self, spec):
        return format(self.numpy(), spec) if np.ndim(self._value) == 0 else str(self)

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __reduce__(self):
        return EagerTensor, (self.numpy(), self._dtype)

    @classmethod
    def _override_operator(cls, operator, func):
        setattr(cls, operator, func)
