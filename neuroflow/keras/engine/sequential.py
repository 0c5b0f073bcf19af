"""`tf.keras.Sequential`: a linear stack of layers. Once the input shape is known (an `input_shape=` on the first
layer, an `InputLayer`, `build(shape)` or the first call) it is a functional network from an `Input` placeholder
(`<first layer>_input`) through each layer, so it has `inputs`/`outputs` for training."""
from ...framework.tensor import Tensor
from .base_layer import Layer, flatten
from .input_layer import Input, InputLayer
from .training import Model

__all__ = ["Sequential"]

_SINGLE_OUTPUT = ("All layers in a Sequential model should have a single output tensor. For multi-output layers, "
                  "use the functional API.")


def _input_shape_and_dtype(layer):
    """The batch input shape and dtype declared by `layer` (or, for a model, by its first layer)."""
    while isinstance(layer, Model) and layer.layers and getattr(layer, "_batch_input_shape", None) is None:
        layer = layer.layers[0]
    return getattr(layer, "_batch_input_shape", None), layer.dtype


class Sequential(Model):
    """A model that applies its layers one after the other.

    Args:
        layers: the layers, first to last (more can be added with `add`).
        name: the model's name (default "sequential", "sequential_1", ...).

    Example:
        >>> model = tf.keras.Sequential([
        ...     tf.keras.layers.Dense(64, activation="relu", input_shape=(784,)),
        ...     tf.keras.layers.Dense(10, activation="softmax")])
        >>> model.summary()
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        """The added layers (without the automatic InputLayer)."""
        layers = super().layers
        return layers[1:] if layers and isinstance(layers[0], InputLayer) else layers

    def add(self, layer):
        """Adds `layer` on top of the stack (and connects it, when the input shape is known).

        Raises:
            TypeError: not a Layer, or a layer with several outputs.
        """
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: {layer}")
        stack = self.__dict__["_layers"]
        if not stack:
            if isinstance(layer, InputLayer):
                outputs = layer._inbound_nodes[-1].output_tensors
                self._connect([outputs[0]], outputs)
                return
            batch_shape, dtype = _input_shape_and_dtype(layer)
            if batch_shape is not None:
                x = Input(batch_shape=batch_shape, dtype=dtype, name=f"{layer.name}_input")
                self._connect([x], flatten(layer(x)))
                return
        elif self.outputs:
            self._connect(self.inputs, flatten(layer(self.outputs[0])))
            return
        self.built = False
        stack.append(layer)

    def _connect(self, inputs, outputs):
        if len(outputs) != 1:
            raise TypeError(_SINGLE_OUTPUT)
        self._init_graph_network(inputs[0], outputs[0], name=self.name)

    def pop(self):
        """Removes the last layer.

        Raises:
            TypeError: the model has no layers.
        """
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        if not self._is_graph_network:
            self.__dict__["_layers"].pop()
            return
        remaining = layers[:-1]
        if not remaining:
            stack = self.__dict__["_layers"]
            self.__dict__["_layers"] = [stack[0]] if isinstance(stack[0], InputLayer) else []
            self.outputs = list(self.inputs)
            self._nodes_by_depth, self._network_nodes = {}, set()
            if not self.__dict__["_layers"]:
                self.inputs = self.outputs = None
                self._is_graph_network = False
                self.built = False
            return
        last = remaining[-1]
        node = next(n for n in reversed(last._inbound_nodes) if n in self._network_nodes)
        self._init_graph_network(self.inputs[0], node.output_tensors[0], name=self.name)

    def build(self, input_shape=None):
        """Connects the layers from an Input of `input_shape` (with the batch dimension, e.g. (None, 784))."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if isinstance(input_shape, list) and input_shape and not isinstance(input_shape[0], (int, type(None))):
            raise ValueError("A Sequential model has a single input: give one input shape.")
        shape = input_shape.as_list() if hasattr(input_shape, "as_list") else list(input_shape)
        layers = list(self.__dict__["_layers"])
        if not layers:
            raise ValueError("You must add layers to a Sequential model before building it.")
        dtype = layers[0].dtype
        x = Input(batch_shape=tuple(shape), dtype=dtype, name=f"{layers[0].name}_input")
        self.__dict__["_layers"] = []
        outputs = x
        for layer in layers:
            outputs = flatten(layer(outputs))
            if len(outputs) != 1:
                raise TypeError(_SINGLE_OUTPUT)
            outputs = outputs[0]
        self._connect([x], [outputs])

    def __call__(self, inputs, *args, **kwargs):
        if not self._is_graph_network and self.__dict__["_layers"]:
            first = flatten(inputs)[0]
            if isinstance(first, Tensor):
                self.build(first.shape.as_list() if first.shape.ndims is not None else None)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            return inputs   # no layers yet
        return super().call(inputs, training=training, mask=mask)
