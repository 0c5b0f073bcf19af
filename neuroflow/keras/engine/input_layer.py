"""`tf.keras.Input` / `InputLayer`: the entry points of functional and Sequential models — a placeholder (named
after the layer: `input_1`) carrying Keras history, from which layers are connected."""
from ...framework import dtypes
from .. import backend
from .base_layer import _HISTORY, Layer, Node, keras_history

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """The layer an `Input` tensor comes from: it holds the model's placeholder (or a given tensor).

    Args:
        input_shape: the shape of one example (no batch dimension).
        batch_size: a fixed batch size (default None: any).
        dtype: default floatx() ("float32").
        input_tensor: use this tensor instead of creating a placeholder.
        name: default "input_1", "input_2", ...
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=False, name=None,
                 **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if sparse:
            raise NotImplementedError("neuroflow has no sparse inputs")
        if input_shape is not None and batch_input_shape is not None:
            raise ValueError("Only provide the input_shape OR batch_input_shape argument to InputLayer, not both "
                             "at the same time.")
        if input_tensor is not None and batch_input_shape is None:
            batch_input_shape = tuple(input_tensor.shape.as_list()) if input_tensor.shape.ndims is not None else None
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        if dtype is None:
            dtype = input_tensor.dtype.base_dtype if input_tensor is not None else backend.floatx()
        name = name or f"input_{backend.get_uid('input')}"
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.trainable = False
        self.built = True
        self.sparse = False
        self.is_placeholder = input_tensor is None
        if input_tensor is None:
            input_tensor = backend.placeholder(shape=batch_input_shape, dtype=self.dtype, name=self.name)
        elif keras_history(input_tensor) is not None:
            from ...ops.array_ops import identity
            input_tensor = identity(input_tensor, name=self.name)
        self._batch_input_shape = batch_input_shape
        # The layer's one node: no inbound layers; its output is the placeholder.
        self._inbound_nodes.append(Node(self, input_tensor, {}, [input_tensor]))
        _HISTORY[input_tensor] = (self, 0, 0)

    def _default_name(self):
        return "input"

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": dtypes.as_dtype(self.dtype).name,
                "sparse": False, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None, **kwargs):  # noqa: N802
    """A Keras tensor: the placeholder a functional model starts from.

    Args:
        shape: the shape of one example, without the batch dimension, e.g. (784,) or (28, 28, 1).
        batch_size: a fixed batch size (default None).
        name: the placeholder's name (default "input_1", "input_2", ...).
        dtype: default "float32".
        tensor: wrap this tensor instead of creating a placeholder.
        batch_shape: the full shape including the batch dimension (instead of shape).

    Example:
        >>> inputs = tf.keras.Input(shape=(784,))
        >>> outputs = tf.keras.layers.Dense(10, activation="softmax")(inputs)
        >>> model = tf.keras.Model(inputs=inputs, outputs=outputs)
    """
    batch_shape = kwargs.pop("batch_shape", None)
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {list(kwargs)}")
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. Note that `shape` does "
                         "not include the batch dimension.")
    if batch_shape is not None:
        layer = InputLayer(batch_input_shape=tuple(batch_shape), name=name, dtype=dtype, input_tensor=tensor)
    else:
        if isinstance(shape, int):
            shape = (shape,)
        layer = InputLayer(input_shape=None if shape is None else tuple(shape), batch_size=batch_size, name=name,
                           dtype=dtype, input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]
