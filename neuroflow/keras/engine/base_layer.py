"""`tf.keras.layers.Layer`: the base class of Keras layers — Keras names (`dense`, `dense_1`, unique per graph),
weights created on first call as `tf.Variable`s in the call's name scope (`dense/kernel:0`), the training flag
filled in from the learning phase, weights read and written through the Keras session, and the call history
(nodes) that functional models are made of.

It extends `tf.layers.Layer` so the tf.layers implementations (Dense, Conv, BatchNormalization, ...) can be
reused by Keras classes that put this class first in their bases: its `__call__`, `add_weight`, `add_update`,
`add_loss` and properties replace the tf.layers versions, while `build`/`call` come from the tf.layers class.
"""
import inspect
import weakref

import numpy as np

from ...framework import dtypes
from ...framework.apply import convert_to_tensor
from ...framework.graph import get_default_graph, name_scope
from ...framework.tensor import Tensor
from ...layers.base import Layer as _TFLayer
from ...layers.base import _snake_case
from ...util.nest import flatten, map_structure, pack_sequence_as as pack_as  # noqa: F401 - used by the engine
from .. import backend

__all__ = ["Layer", "Node", "keras_history", "flatten", "pack_as", "map_structure"]

_ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights", "activity_regularizer", "dtype",
                   "name", "trainable", "input_dim", "autocast"}

# tensor -> (layer, node_index, tensor_index): the layer call that made a tensor (Tensor has __slots__, so the
# history lives beside it rather than on it).
_HISTORY = weakref.WeakKeyDictionary()


def keras_history(x):
    """(layer, node_index, tensor_index) of a tensor made by a Keras layer or `Input`, else None."""
    return _HISTORY.get(x) if isinstance(x, Tensor) else None


def _shape_tuple(t):
    return None if t.shape.ndims is None else tuple(t.shape.as_list())


class Node:
    """One call of a layer on Keras tensors: which layers fed it (`inbound_layers`, with the node and tensor
    index of each input) and the tensors that went in and came out."""

    def __init__(self, outbound_layer, call_inputs, call_kwargs, outputs):
        self.outbound_layer = outbound_layer
        self.call_inputs = call_inputs
        self.call_kwargs = call_kwargs
        self.input_tensors = [t for t in flatten(call_inputs) + flatten(call_kwargs) if keras_history(t)]
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        histories = [keras_history(t) for t in self.input_tensors]
        self.inbound_layers = [h[0] for h in histories]
        self.node_indices = [h[1] for h in histories]
        self.tensor_indices = [h[2] for h in histories]

    def iterate_inbound(self):
        return zip(self.inbound_layers, self.node_indices, self.tensor_indices, self.input_tensors)

    @property
    def input_shapes(self):
        shapes = [_shape_tuple(t) for t in flatten(self.call_inputs)]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shapes(self):
        shapes = [_shape_tuple(t) for t in self.output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes


class Layer(_TFLayer):
    """Base class of Keras layers: subclasses create weights in `build(input_shape)` with `add_weight` and build
    the ops in `call(inputs, training=None)`. Layers assigned as attributes are tracked (their weights count).

    Args:
        trainable: whether the weights are trained.
        name: the layer's name (default: the class name in snake case, made unique in the graph: `dense_1`).
        dtype: the weights' dtype (default: the first input's).
        input_shape / batch_input_shape / batch_size / input_dim: the input of the first layer of a Sequential.
        weights: initial values of the weights (a list of arrays in `get_weights()` order).
        activity_regularizer: a function of the output adding a loss.

    Example:
        >>> class Scale(tf.keras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.s = self.add_weight("s", shape=[int(input_shape[-1])], initializer="ones")
        ...     def call(self, x):
        ...         return x * self.s
    """

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # The constructor's arguments, for get_config (see serialization.py).
        obj.__dict__["_init_arguments"] = (args, dict(kwargs))
        return obj

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        _TFLayer.__init__(self, trainable=trainable, name=name, dtype=None)
        self._keras_init(name=name, dtype=dtype, **kwargs)

    # --- construction ----------------------------------------------------------------------------------------------
    def _keras_init(self, name=None, dtype=None, input_shape=None, batch_input_shape=None, batch_size=None,
                    weights=None, activity_regularizer=None, input_dim=None, trainable=None, **kwargs):
        """The Keras part of construction, shared by layers that reuse a tf.layers class's `__init__`."""
        for key in kwargs:
            if key not in _ALLOWED_KWARGS:
                raise TypeError("Keyword argument not understood:", key)
        if trainable is not None:
            self.trainable = trainable
        if name is not None and not isinstance(name, str):
            raise TypeError(f"The layer name should be a string, got {name!r}")
        self._name = name or backend.unique_object_name(self._default_name())
        self.dtype = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        self._initial_weights = None if weights is None else [np.asarray(w) for w in weights]
        self._weights_made = 0
        self._activity_regularizer = None
        if activity_regularizer is not None:
            from .. import regularizers
            self._activity_regularizer = regularizers.get(activity_regularizer)
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._updates = []   # (op, inputs or None)
        self._losses = []    # (tensor, inputs or None)
        self.supports_masking = False
        self.input_spec = None
        params = inspect.signature(self.call).parameters
        self._expects_training_arg = "training" in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())

    def _default_name(self):
        return _snake_case(type(self).__name__)

    def __setattr__(self, key, value):
        # Layers (and lists of layers) assigned as attributes are tracked, so their weights are the owner's too.
        if not key.startswith("__"):
            items = value if isinstance(value, (list, tuple)) else [value]
            sublayers = [v for v in items if isinstance(v, Layer) and v is not self]
            if sublayers:
                if "_inbound_nodes" not in self.__dict__:
                    raise RuntimeError("It looks like you are subclassing `Model` and you forgot to call "
                                       "`super(YourClass, self).__init__()`. Always start with this line.")
                tracked = self.__dict__.setdefault("_layers", [])
                for layer in sublayers:
                    if not any(layer is t for t in tracked):
                        tracked.append(layer)
        object.__setattr__(self, key, value)

    # --- identity -------------------------------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def scope_name(self):
        return self._name

    def _name_scope(self):
        return self._name

    @property
    def activity_regularizer(self):
        # tf.layers classes apply `activity_regularizer` in their `call`; Keras applies it once, in __call__, so
        # during a call the attribute reads None.
        if "_call_inputs" in self.__dict__:
            return None
        return self.__dict__.get("_activity_regularizer")

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        if value is not None:
            self.__dict__["_activity_regularizer"] = value

    # --- weights ------------------------------------------------------------------------------------------------------
    def _sublayers(self):
        return list(self.__dict__.get("_layers", []))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._sublayers():
            weights += layer.trainable_weights
        return _dedup(weights)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            weights = list(self._trainable_weights) + list(self._non_trainable_weights)
            for layer in self._sublayers():
                weights += layer.weights
        else:
            weights = list(self._non_trainable_weights)
            for layer in self._sublayers():
                weights += layer.non_trainable_weights
        return _dedup(weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def add_weight(self, name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                   constraint=None, partitioner=None, use_resource=None, synchronization=None, aggregation=None,
                   **kwargs):
        """Creates a weight variable of this layer (`<layer name>/<name>:0`) and returns it.

        Args:
            name: the weight's name.
            shape: its shape (default scalar).
            dtype: default the layer's dtype, else floatx().
            initializer: an initializer or its name (default "glorot_uniform" for floats, "zeros" otherwise).
            regularizer: a function of the weight whose result is added to `losses`.
            trainable: whether it is trained (default True).
            constraint: a function applied to the weight after each optimizer update.
        """
        from ...variables.variable import Variable
        from .. import initializers, regularizers
        shape = tuple(int(d) for d in (shape or ()))
        dtype = dtypes.as_dtype(dtype or self.dtype or backend.floatx()).base_dtype
        trainable = True if trainable is None else bool(trainable)
        if self._initial_weights is not None and self._weights_made < len(self._initial_weights):
            value = self._initial_weights[self._weights_made]
            if tuple(value.shape) != shape:
                raise ValueError(f"Layer weight shape {shape} not compatible with provided weight shape "
                                 f"{tuple(value.shape)}")
            initializer = initializers.Constant(value.astype(dtype.as_numpy_dtype))
        initializer = initializers.get(initializer)
        if initializer is None:
            initializer = initializers.get("glorot_uniform" if dtype.is_floating else "zeros")
        self._weights_made += 1
        var = Variable(lambda: initializer(shape, dtype=dtype), name=name, dtype=dtype,
                       trainable=trainable and self.trainable, constraint=constraint)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            with name_scope(name + "/Regularizer"):
                loss = regularizer(var)
            if loss is not None:
                self._losses.append((loss, None))
        return var

    def get_weights(self):
        """The weights' values: a list of NumPy arrays (in `weights` order)."""
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Writes the weights from a list of arrays with the shapes of `get_weights()`."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a  weight list of length '
                             f"{len(weights)}, but the layer was expecting {len(params)} weights. Provided weights: "
                             f"{str(weights)[:50]}...")
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            ref = tuple(p.shape.as_list())
            if ref != tuple(w.shape):
                raise ValueError(f"Layer weight shape {ref} not compatible with provided weight shape {tuple(w.shape)}")
            pairs.append((p, w))
        backend.batch_set_value(pairs)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. You can "
                             f"build it manually via: `{self.name}.build(batch_input_shape)`.")
        return int(sum(backend.count_params(w) for w in self.weights))

    # --- updates and losses ------------------------------------------------------------------------------------------
    def add_update(self, updates, inputs=None):
        """Registers update ops (e.g. moving averages) that training runs with each step. Made during a call,
        they belong to that call's inputs (`get_updates_for`); `inputs=None` outside a call: unconditional."""
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        key = self.__dict__.get("_call_inputs")
        self._updates.extend((u, key) for u in updates)

    def add_loss(self, losses, inputs=None):
        """Registers loss tensors (e.g. activity regularization) added to the model's loss in training."""
        losses = losses if isinstance(losses, (list, tuple)) else [losses]
        key = self.__dict__.get("_call_inputs")
        for loss in losses:
            if callable(loss) and not isinstance(loss, Tensor):
                loss = loss()
            if loss is not None:
                self._losses.append((loss, key))

    @property
    def updates(self):
        if not self.trainable:
            return []
        ops = [u for u, _ in self._updates]
        for layer in self._sublayers():
            ops += layer.updates
        return _dedup(ops)

    @property
    def losses(self):
        losses = [loss for loss, _ in self._losses]
        for layer in self._sublayers():
            losses += layer.losses
        return _dedup(losses)

    def get_updates_for(self, inputs):
        """The updates made by calls on `inputs` (None: those that depend on no call)."""
        return _for_inputs(self._updates, inputs)

    def get_losses_for(self, inputs):
        """The losses made by calls on `inputs` (None: those that depend on no call, e.g. weight penalties)."""
        return _for_inputs(self._losses, inputs)

    # --- calling ------------------------------------------------------------------------------------------------------
    def _maybe_build(self, inputs):
        if self.built:
            return
        first = flatten(inputs)[0]
        if self.dtype is None and isinstance(first, Tensor):
            self.dtype = first.dtype.base_dtype
        shapes = map_structure(lambda t: t.shape if isinstance(t, Tensor) else None, inputs)
        self.build(shapes)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        """Builds the weights on first call, then the ops (in the name scope of the layer's name, made unique per
        call: `dense/`, `dense_1/`, ...). Returns the output tensor(s)."""
        from ...framework.context import executing_eagerly
        if executing_eagerly():
            raise NotImplementedError("neuroflow's tf.keras layers build graphs: call them in graph mode (outside "
                                      "tf.enable_eager_execution()).")
        inputs = map_structure(lambda x: x if isinstance(x, Tensor) else convert_to_tensor(x), inputs)
        if self._expects_training_arg:
            if kwargs.get("training") is None:
                kwargs["training"] = backend.learning_phase()
        else:
            kwargs.pop("training", None)
        graph = flatten(inputs)[0].graph if isinstance(flatten(inputs)[0], Tensor) else get_default_graph()
        with graph.as_default(), name_scope(self._name_scope()):
            self._maybe_build(inputs)
            self.__dict__["_call_inputs"] = tuple(flatten(inputs))
            try:
                outputs = self.call(inputs, *args, **kwargs)
            finally:
                del self.__dict__["_call_inputs"]
            if self._activity_regularizer is not None:
                with name_scope("ActivityRegularizer"):
                    self._losses.extend((self._activity_regularizer(o), tuple(flatten(inputs)))
                                        for o in flatten(outputs))
        return self._record_node(inputs, args, kwargs, outputs)

    def _record_node(self, inputs, args, kwargs, outputs):
        """Adds the call to the layer's history when all inputs are Keras tensors (functional models)."""
        from ...ops.array_ops import identity
        call_kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        flat_in = [t for t in flatten(inputs) if isinstance(t, Tensor)]
        if args or not flat_in or not all(keras_history(t) for t in flat_in):
            return outputs
        flat_out = flatten(outputs)
        if any(keras_history(t) is not None for t in flat_out):
            # A tensor passed through unchanged keeps its own history: the layer's output is a new tensor.
            with name_scope(self._name_scope()):
                flat_out = [identity(t) if keras_history(t) is not None else t for t in flat_out]
            outputs = pack_as(outputs, flat_out)
        node = Node(self, inputs, call_kwargs, outputs)
        index = len(self._inbound_nodes)
        self._inbound_nodes.append(node)
        for layer in node.inbound_layers:
            layer._outbound_nodes.append(node)
        for i, t in enumerate(flat_out):
            _HISTORY[t] = (self, index, i)
        return outputs

    # --- history -----------------------------------------------------------------------------------------------------
    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    def _node_attribute(self, node_index, attr, what):
        if not self._inbound_nodes:
            raise RuntimeError(f"The layer has never been called and thus has no defined {what}.")
        if len(self._inbound_nodes) <= node_index:
            raise ValueError(f"Asked to get {what} at node {node_index}, but the layer has only "
                             f"{len(self._inbound_nodes)} inbound nodes.")
        value = getattr(self._inbound_nodes[node_index], attr)
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    def get_input_at(self, node_index):
        return self._node_attribute(node_index, "call_inputs", "input")

    def get_output_at(self, node_index):
        return self._node_attribute(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index):
        return self._node_attribute(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index):
        return self._node_attribute(node_index, "output_shapes", "output shape")

    def _single_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no {what} to return.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer {self.name} has multiple inbound nodes, hence the notion of \"layer "
                                 f"{what}\" is ill-defined. Use `get_{what.replace(' ', '_')}_at(node_index)` instead.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The input tensor(s) of the layer's only call on Keras tensors."""
        return self._single_node("input").call_inputs

    @property
    def output(self):
        """The output tensor(s) of the layer's only call on Keras tensors."""
        outputs = self._single_node("output").output_tensors
        return outputs[0] if len(outputs) == 1 else outputs

    def _shapes(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer has never been called and thus has no defined {what}.")
        shapes = [getattr(node, attr) for node in self._inbound_nodes]
        if all(s == shapes[0] for s in shapes):
            return shapes[0]
        raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes, with different {what}s. Hence the '
                             f'notion of "{what}" is ill-defined for the layer. Use `get_{what.replace(" ", "_")}_at'
                             "(node_index)` instead.")

    @property
    def input_shape(self):
        return self._shapes("input_shapes", "input shape")

    @property
    def output_shape(self):
        return self._shapes("output_shapes", "output shape")

    # --- configuration --------------------------------------------------------------------------------------------
    def get_config(self):
        """The layer's constructor arguments as a JSON-friendly dict (see `neuroflow.keras.engine.serialization`)."""
        from .serialization import layer_config
        return layer_config(self)

    @classmethod
    def from_config(cls, config):
        from .serialization import deserialize_arguments
        return cls(**deserialize_arguments(config))

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object name={self.name!r}>"


def _dedup(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _for_inputs(entries, inputs):
    if inputs is None:
        return [item for item, key in entries if key is None]
    wanted = {id(t) for t in flatten(inputs)}
    return [item for item, key in entries if key is not None and wanted.intersection(id(t) for t in key)]
