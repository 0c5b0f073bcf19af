"""`Network`, the structure of a Keras model (the base of `Model` and `Sequential`): a functional graph of layer
calls from `Input`s to outputs, or a subclassed model whose `call` uses layers assigned as attributes. It gives
the model's layers, weights, updates and losses, `get_layer`, `summary()` and calling the model on new tensors;
training (compile/fit) is added by `Model` in training.py."""
import json

from ...framework.tensor import Tensor
from .base_layer import Layer, Node, flatten, keras_history, map_structure, pack_as
from .input_layer import InputLayer

__all__ = ["Network"]


class Network(Layer):
    """A model's structure. `Network(inputs, outputs)` makes a functional (graph) network from Keras tensors;
    `Network()` in a subclass's `__init__` makes a subclassed one whose `call(inputs)` is written by the user.

    Attributes:
        inputs, outputs: lists of the model's input placeholders and output tensors (graph networks; a subclassed
            model gets them from its first call).
        layers: the layers, inputs first (a functional model's InputLayers included).
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError(f"Model takes at most 2 positional arguments (inputs, outputs), got {len(args)}")
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional model needs both `inputs` and `outputs`.")
            self._init_graph_network(inputs, outputs, **kwargs)
        else:
            self._init_subclassed_network(**kwargs)

    # --- construction ----------------------------------------------------------------------------------------------
    def _base_init(self, name=None, trainable=True, dtype=None):
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype)
        self.__dict__["_layers"] = []
        self.inputs = None
        self.outputs = None
        self._is_graph_network = False
        self._nodes_by_depth = {}
        self._network_nodes = set()

    def _init_subclassed_network(self, name=None, **kwargs):
        self._base_init(name=name, **kwargs)

    def _init_graph_network(self, inputs, outputs, name=None, **kwargs):
        if "_layers" not in self.__dict__:
            self._base_init(name=name, **kwargs)
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self.inputs, self.outputs = flatten(inputs), flatten(outputs)
        for x in self.inputs:
            if keras_history(x) is None:
                raise ValueError("Input tensors to a Model must come from `tf.keras.Input`. Received: "
                                 f"{x} (missing previous layer metadata).")
        for x in self.outputs:
            if keras_history(x) is None:
                raise ValueError("Output tensors to a Model must be the output of a TensorFlow `Layer` (thus holding "
                                 f"past layer metadata). Found: {x}")
        layers, nodes_by_depth, network_nodes = _map_graph_network(self.inputs, self.outputs)
        self.__dict__["_layers"] = layers
        self._nodes_by_depth = nodes_by_depth
        self._network_nodes = network_nodes
        self._is_graph_network = True
        self.input_names = [keras_history(x)[0].name for x in self.inputs]
        self.output_names = [keras_history(x)[0].name for x in self.outputs]
        self.built = True
        # The network's own node: its inputs map to its outputs (so it can be nested in another functional model).
        self._inbound_nodes = [_own_node(self, inputs, outputs)]

    # --- layers and weights -------------------------------------------------------------------------------------
    @property
    def layers(self):
        """The model's layers, in the order they are applied."""
        return [layer for layer in self.__dict__.get("_layers", []) if isinstance(layer, Layer)]

    def _sublayers(self):
        return self.layers

    @property
    def weights(self):
        """All weights, layer by layer (the order of `get_weights()`)."""
        weights = []
        for layer in self.layers:
            weights += layer.weights
        own = list(self._trainable_weights) + list(self._non_trainable_weights)
        return _dedup(weights + own)

    variables = weights

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `layers`.

        Raises:
            ValueError: both or neither given, an index out of range, or no layer of that name.
        """
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if not name:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}")

    @property
    def updates(self):
        """The update ops training must run (e.g. batch-norm moving averages): those of the trainable layers'
        calls that the model's outputs depend on, plus those tied to no call."""
        if not self.trainable:
            return []
        return self._relevant(_gather(self, "_updates", trainable_only=True))

    @property
    def losses(self):
        """The losses to add to the model's loss: weight regularization penalties, and activity penalties of the
        calls that the model's outputs depend on."""
        return self._relevant(_gather(self, "_losses"))

    def _relevant(self, entries):
        """The items of (item, call inputs) entries tied to no call or to a call inside this model's
        computation (its outputs depend on the call's inputs); all of them before the model has outputs."""
        if not self.outputs:
            return _dedup([item for item, _ in entries])
        inside = _tensors_between(self.inputs, self.outputs)
        return _dedup([item for item, key in entries if key is None or any(id(t) in inside for t in key)])

    def count_params(self):
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                             "calling `fit()` with some data, or specify an `input_shape` argument in the first "
                             "layer(s) for automatic build.")
        return super().count_params()

    # --- building and calling -------------------------------------------------------------------------------------
    def build(self, input_shape):
        """Builds a subclassed model by calling it on placeholders of `input_shape` (a tuple with the batch
        dimension, or a list of them)."""
        if self._is_graph_network:
            self.built = True
            return
        from .. import backend
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling build on a model subclass network.")
        several = isinstance(input_shape, (list, tuple)) and bool(input_shape) and (
            isinstance(input_shape[0], (list, tuple)) or hasattr(input_shape[0], "as_list"))
        shapes = list(input_shape) if several else [input_shape]
        placeholders = [backend.placeholder(shape=tuple(_as_list(s))) for s in shapes]
        self(placeholders if several else placeholders[0])

    def _maybe_build(self, inputs):
        # A subclassed model's weights are made by its layers during `call`.
        if self.dtype is None:
            first = flatten(inputs)[0]
            self.dtype = first.dtype.base_dtype if isinstance(first, Tensor) else None

    def __call__(self, inputs, *args, **kwargs):
        outputs = super().__call__(inputs, *args, **kwargs)
        if not self._is_graph_network:
            self.built = True
            if self.inputs is None:   # the first call defines a subclassed model's inputs and outputs
                self.inputs, self.outputs = flatten(inputs), flatten(outputs)
                self._nested_inputs, self._nested_outputs = inputs, outputs
        return outputs

    def call(self, inputs, training=None, mask=None):
        """Runs the network's layers on `inputs` (a graph network; subclasses override this)."""
        if not self._is_graph_network:
            raise NotImplementedError("When subclassing the `Model` class, you should implement a `call` method.")
        return self._run_internal_graph(inputs, training)

    def _run_internal_graph(self, inputs, training):
        from .. import backend
        new_inputs = flatten(inputs)
        if len(new_inputs) != len(self.inputs):
            raise ValueError(f"Layer {self.name} expects {len(self.inputs)} inputs, but it received "
                             f"{len(new_inputs)} input tensors.")
        if all(a is b for a, b in zip(new_inputs, self.inputs)) and training is backend.learning_phase():
            # The model's own inputs with the default training flag: its outputs already compute this.
            return self._nested_outputs
        tensor_map = {id(x): y for x, y in zip(self.inputs, new_inputs)}
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                if isinstance(layer, InputLayer) or all(id(t) in tensor_map for t in node.output_tensors):
                    continue
                call_inputs = map_structure(lambda t: _lookup(tensor_map, t), node.call_inputs)
                call_kwargs = map_structure(lambda t: _lookup(tensor_map, t), node.call_kwargs)
                if layer._expects_training_arg:
                    call_kwargs["training"] = training
                outputs = layer(call_inputs, **call_kwargs)
                for old, new in zip(node.output_tensors, flatten(outputs)):
                    tensor_map[id(old)] = new
        return pack_as(self._nested_outputs, [tensor_map[id(t)] for t in self.outputs])

    def compute_output_shape(self, input_shape):
        if self._is_graph_network and len(self.outputs) == 1:
            return self.outputs[0].shape
        raise NotImplementedError

    # --- display and configuration ----------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints the table of layers (Layer (type), Output Shape, Param #; functional models with several
        branches add "Connected to") and the counts of total, trainable and non-trainable parameters.

        Args:
            line_length: the table's width (default 65, or 98 with connections).
            positions: where the columns end, as fractions of line_length or absolute positions.
            print_fn: called with each line (default print).
        """
        from .summary import print_summary
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                             "calling `fit()` with some data, or specify an `input_shape` argument in the first "
                             "layer(s) for automatic build.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def get_config(self):
        from .serialization import network_config
        return network_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .serialization import network_from_config
        return network_from_config(cls, config, custom_objects)

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (rebuild it with `tf.keras.models.model_from_json`)."""
        from .serialization import serialize_layer
        try:
            return json.dumps(serialize_layer(self), **kwargs)
        except TypeError as e:
            raise ValueError(f"Model {self.name} cannot be written as JSON: {e}. Python functions (Lambda layers, "
                             "custom activations or initializers) have no safe serialized form; save the weights "
                             "and rebuild the model in code instead.") from None


def _own_node(network, inputs, outputs):
    """A functional network's node 0: from its inputs to its outputs, with no inbound layers."""
    node = Node.__new__(Node)
    node.outbound_layer = network
    node.call_inputs, node.call_kwargs = inputs, {}
    node.input_tensors = flatten(inputs)
    node.outputs, node.output_tensors = outputs, flatten(outputs)
    node.inbound_layers, node.node_indices, node.tensor_indices = [], [], []
    return node


def _gather(layer, attr, trainable_only=False, seen=None):
    """The (item, call inputs) entries of `layer` and of all the layers nested in it."""
    seen = set() if seen is None else seen
    if id(layer) in seen or (trainable_only and not layer.trainable):
        return []
    seen.add(id(layer))
    entries = list(layer.__dict__.get(attr, []))
    for sub in layer._sublayers():
        entries += _gather(sub, attr, trainable_only, seen)
    return entries


def _tensors_between(inputs, outputs):
    """The ids of the tensors the outputs are computed from, back to (and including) the inputs."""
    stop = {id(x) for x in inputs}
    seen_ops, ids = set(), set(stop)
    stack = [t for t in outputs if id(t) not in stop]
    ids.update(id(t) for t in stack)
    stack = [t.op for t in stack]
    while stack:
        op = stack.pop()
        if id(op) in seen_ops:
            continue
        seen_ops.add(id(op))
        for t in op.outputs:
            ids.add(id(t))
        for t in op.inputs:
            if id(t) not in stop:
                stack.append(t.op)
    return ids


def _lookup(tensor_map, t):
    if isinstance(t, Tensor):
        if id(t) not in tensor_map and keras_history(t) is not None:
            raise ValueError(f"Graph disconnected: cannot obtain value for tensor {t} when calling the model.")
        return tensor_map.get(id(t), t)
    return t


def _as_list(shape):
    return shape.as_list() if hasattr(shape, "as_list") else list(shape)


def _dedup(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _map_graph_network(inputs, outputs):
    """Keras's ordering of a functional network: the nodes reachable back from `outputs` (stopping at
    `inputs`), grouped by depth (outputs at depth 0), and the layers by decreasing depth (ties: the order in which
    a walk from the outputs meets them).

    Returns (layers, nodes_by_depth, set of nodes). Raises ValueError for a cycle or a disconnected graph.
    """
    input_ids = {id(x) for x in inputs}
    finished, in_progress = set(), set()
    ordered_nodes, layer_indices = [], {}

    def node_of(tensor):
        layer, node_index, _ = keras_history(tensor)
        return layer, layer._inbound_nodes[node_index]

    # Iterative post-order walk (deep networks would exceed Python's recursion limit).
    for out in outputs:
        stack = [(out, False)]
        while stack:
            tensor, expanded = stack.pop()
            layer, node = node_of(tensor)
            if expanded:
                if id(node) not in finished:
                    finished.add(id(node))
                    in_progress.discard(id(node))
                    ordered_nodes.append(node)
                continue
            if id(node) in finished:
                continue
            if id(node) in in_progress:
                raise ValueError(f'The tensor {tensor} at layer "{layer.name}" is part of a cycle.')
            in_progress.add(id(node))
            layer_indices.setdefault(id(layer), len(layer_indices))
            stack.append((tensor, True))
            if id(tensor) in input_ids:
                continue
            for x in reversed(node.input_tensors):
                stack.append((x, False))

    node_depth, layer_depth, layers_by_id = {}, {}, {}
    for node in reversed(ordered_nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.outbound_layer), 0))
        layer_depth[id(node.outbound_layer)] = depth
        layers_by_id[id(node.outbound_layer)] = node.outbound_layer
        node_depth[id(node)] = depth
        if any(node.output_tensors[i] is x for x in inputs for i in range(len(node.output_tensors))):
            continue
        for x in node.input_tensors:
            inbound = node_of(x)[1]
            node_depth[id(inbound)] = max(depth + 1, node_depth.get(id(inbound), 0))

    nodes_by_depth = {}
    for node in ordered_nodes:
        nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
    by_depth = {}
    for lid, depth in layer_depth.items():
        by_depth.setdefault(depth, []).append(layers_by_id[lid])
    layers = []
    for depth in sorted(by_depth, reverse=True):
        layers += sorted(by_depth[depth], key=lambda layer: layer_indices[id(layer)])

    # Every node's inputs must be computable from the network's inputs.
    computable = set(input_ids)
    done = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if not (set(id(o) for o in node.output_tensors) & input_ids):
                # An Input that is not one of the model's inputs cannot be computed either.
                needed = node.output_tensors if isinstance(node.outbound_layer, InputLayer) else node.input_tensors
                for x in needed:
                    if id(x) not in computable:
                        raise ValueError(f"Graph disconnected: cannot obtain value for tensor {x} at layer "
                                         f'"{node.outbound_layer.name}". The following previous layers were accessed '
                                         f"without issue: {done}")
            computable.update(id(o) for o in node.output_tensors)
            done.append(node.outbound_layer.name)
    names = [layer.name for layer in layers]
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. All layer names '
                             "should be unique.")
    return layers, nodes_by_depth, set(ordered_nodes)
