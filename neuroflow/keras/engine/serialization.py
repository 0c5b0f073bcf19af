"""Layer and model configurations: `get_config()` / `from_config()` / `to_json()` and
`tf.keras.models.model_from_json`.

A layer's config is the arguments it was constructed with (recorded when it is created), made JSON-friendly:
activations by name, initializers and regularizers as {"class_name", "config"}, nested layers likewise. A
functional model's config lists its layers with the calls that connect them; a Sequential's, its layers.
Python functions (a `Lambda`'s, custom activations) have no safe JSON form: `to_json` refuses them.
"""
import inspect

import numpy as np

from ...framework import dtypes
from ...framework.tensor import Tensor
from .base_layer import Layer, flatten, keras_history, map_structure

__all__ = ["layer_config", "deserialize_arguments", "serialize_layer", "deserialize_layer", "network_config",
           "network_from_config"]

_SKIPPED = {"weights", "input_tensor"}


def _serialize_value(value):
    from .. import activations, initializers, regularizers
    from ...variables.initializers import Initializer
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, dtypes.DType):
        return value.name
    if isinstance(value, (list, tuple)):
        return [_serialize_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_value(v) for k, v in value.items()}
    if isinstance(value, Layer):
        return serialize_layer(value)
    if isinstance(value, Initializer):
        return initializers.serialize(value)
    if isinstance(value, regularizers.L1L2):
        return regularizers.serialize(value)
    if callable(value) and getattr(activations, getattr(value, "__name__", ""), None) is value:
        return value.__name__
    return value   # kept as is: fine for from_config in memory, refused by to_json


def layer_config(layer):
    """The constructor arguments of `layer` (as given, defaults filled in) plus its name, trainable flag and
    dtype, JSON-friendly where possible."""
    args, kwargs = layer.__dict__.get("_init_arguments", ((), {}))
    signature = inspect.signature(type(layer).__init__)
    try:
        bound = signature.bind(layer, *args, **kwargs)
    except TypeError:
        bound = None
    config = {}
    if bound is not None:
        bound.apply_defaults()
        for key, value in list(bound.arguments.items())[1:]:
            if signature.parameters[key].kind is inspect.Parameter.VAR_KEYWORD:
                # Keras's own keywords: the input shape is recorded below as batch_input_shape.
                config.update({k: v for k, v in value.items()
                               if k not in ("input_shape", "input_dim", "batch_size")})
            elif signature.parameters[key].kind is not inspect.Parameter.VAR_POSITIONAL:
                config[key] = value
    for key in _SKIPPED:
        config.pop(key, None)
    config["name"] = layer.name
    config["trainable"] = layer.trainable
    if layer.dtype is not None:
        config["dtype"] = dtypes.as_dtype(layer.dtype).name
    if getattr(layer, "_batch_input_shape", None) is not None:
        config["batch_input_shape"] = list(layer._batch_input_shape)
    return {k: _serialize_value(v) for k, v in config.items()}


def _layer_classes(custom_objects=None):
    from .. import layers as layers_module
    from .input_layer import InputLayer
    classes = {name: obj for name, obj in vars(layers_module).items()
               if isinstance(obj, type) and issubclass(obj, Layer)}
    classes["InputLayer"] = InputLayer
    from ..models import Model, Sequential
    classes.update(Model=Model, Sequential=Sequential, Functional=Model)
    classes.update(custom_objects or {})
    return classes


def deserialize_arguments(config, custom_objects=None):
    """The constructor arguments from a config (the inverse of `layer_config`)."""
    from .. import initializers, regularizers
    classes = _layer_classes(custom_objects)

    def revive(value):
        if isinstance(value, dict) and set(value) >= {"class_name", "config"}:
            name = value["class_name"]
            if name in classes:
                return deserialize_layer(value, custom_objects)
            if name in ("L1L2",):
                return regularizers.deserialize(value, custom_objects)
            return initializers.deserialize(value, custom_objects)
        return value
    return {k: revive(v) for k, v in config.items()}


def serialize_layer(layer):
    """{"class_name": ..., "config": layer.get_config()}."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config, custom_objects=None):
    """A new layer (or model) from {"class_name", "config"}."""
    classes = _layer_classes(custom_objects)
    name = config["class_name"]
    if name not in classes:
        raise ValueError(f"Unknown layer: {name}")
    cls = classes[name]
    if issubclass(cls, _network_class()):
        return cls.from_config(config["config"], custom_objects=custom_objects)
    return cls.from_config(config["config"])


def _network_class():
    from .network import Network
    return Network


# --- models ------------------------------------------------------------------------------------------------------
def _tensor_ref(network, t, node_maps):
    layer, node_index, tensor_index = keras_history(t)
    return ["__keras_tensor__", layer.name, node_maps[id(layer)][node_index], tensor_index]


def network_config(network):
    """{"name", "layers", "input_layers", "output_layers"} for a functional model, {"name", "layers"} for a
    Sequential. Raises NotImplementedError for subclassed models (their structure is Python code)."""
    from .sequential import Sequential
    if isinstance(network, Sequential):
        return {"name": network.name, "layers": [serialize_layer(layer) for layer in network.layers]}
    if not network._is_graph_network:
        raise NotImplementedError("Subclassed models have no config: their structure is the Python code of `call`."
                                  " Save their weights instead (save_weights).")
    node_maps = {}
    for layer in network.layers:
        kept = [i for i, node in enumerate(layer._inbound_nodes) if node in network._network_nodes]
        node_maps[id(layer)] = {old: new for new, old in enumerate(kept)}
    layers = []
    for layer in network.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        nodes = []
        from .input_layer import InputLayer
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if node not in network._network_nodes:
                    continue

                def ref(t):
                    return _tensor_ref(network, t, node_maps) if isinstance(t, Tensor) else _serialize_value(t)
                nodes.append({"args": map_structure(ref, node.call_inputs),
                              "kwargs": map_structure(ref, node.call_kwargs)})
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {"name": network.name, "layers": layers,
            "input_layers": [_tensor_ref(network, t, node_maps)[1:] for t in network.inputs],
            "output_layers": [_tensor_ref(network, t, node_maps)[1:] for t in network.outputs]}


def network_from_config(cls, config, custom_objects=None):
    """Rebuilds a Sequential or functional model (new layers, new weights) from its config."""
    from .sequential import Sequential
    if issubclass(cls, Sequential) or "input_layers" not in config:
        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        return model
    created, outputs = {}, {}   # name -> layer; (name, node index) -> output tensors
    pending = list(config["layers"])
    while pending:
        progress = False
        for entry in list(pending):
            layer = created.get(entry["name"])
            if layer is None:
                layer = created[entry["name"]] = deserialize_layer(entry, custom_objects)
            if entry["class_name"] == "InputLayer":
                outputs[(layer.name, 0)] = layer._inbound_nodes[0].output_tensors
                pending.remove(entry)
                progress = True
                continue
            done = sum(1 for key in outputs if key[0] == layer.name)
            while done < len(entry["inbound_nodes"]):
                node = entry["inbound_nodes"][done]
                refs = [r for r in flatten(node["args"]) + flatten(node["kwargs"])
                        if isinstance(r, list) and r[:1] == ["__keras_tensor__"]]
                if not all((r[1], r[2]) in outputs for r in refs):
                    break

                def resolve(value):
                    if isinstance(value, list) and value[:1] == ["__keras_tensor__"]:
                        return outputs[(value[1], value[2])][value[3]]
                    if isinstance(value, list):
                        return [resolve(v) for v in value]
                    if isinstance(value, dict):
                        return {k: resolve(v) for k, v in value.items()}
                    return value
                result = layer(resolve(node["args"]), **resolve(node["kwargs"]))
                outputs[(layer.name, done)] = flatten(result)
                done += 1
                progress = True
            if done == len(entry["inbound_nodes"]):
                pending.remove(entry)
        if not progress:
            raise ValueError(f"Cannot rebuild the model: layers {[e['name'] for e in pending]} have inputs that no "
                             "layer provides.")
    inputs = [outputs[(name, node)][index] for name, node, index in config["input_layers"]]
    outs = [outputs[(name, node)][index] for name, node, index in config["output_layers"]]
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0], outputs=outs if len(outs) > 1 else outs[0],
               name=config.get("name"))
