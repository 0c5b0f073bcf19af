"""`tf.keras.models`: Model, Sequential, save/load, and rebuilding a model from its config or JSON."""
import json

from .engine.sequential import Sequential  # noqa: F401
from .engine.training import Model  # noqa: F401
from .saving import load_model, save_model  # noqa: F401

__all__ = ["Model", "Sequential", "load_model", "save_model", "model_from_config", "model_from_json", "clone_model"]


def model_from_config(config, custom_objects=None):
    """A new model (new weights) from `{"class_name": ..., "config": ...}`.

    Example:
        >>> copy = tf.keras.models.model_from_config({"class_name": "Sequential", "config": model.get_config()})
    """
    from .engine.serialization import deserialize_layer
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant to use "
                        "`Sequential.from_config(config)`?")
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A new model (new weights) from `model.to_json()`.

    Example:
        >>> copy = tf.keras.models.model_from_json(model.to_json())
    """
    return model_from_config(json.loads(json_string), custom_objects)


def clone_model(model, input_tensors=None):
    """A new model with the same architecture and new weights (Sequential or functional models)."""
    if input_tensors is not None:
        raise NotImplementedError("clone_model(input_tensors=...) is not supported")
    return model_from_config({"class_name": type(model).__name__, "config": model.get_config()})
