"""Module-level conveniences over the default graph: `tf.device`, `tf.add_to_collection`, `tf.get_collection`."""
from .graph import get_default_graph

__all__ = ["device", "add_to_collection", "add_to_collections", "get_collection", "get_collection_ref"]


def device(device_name_or_function):
    """`with tf.device("/cpu:0"):` records a device on the ops created inside (see `Operation.device`)."""
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value):
    """Adds `value` to the default graph's collection `name`."""
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    """A copy of the default graph's collection `key` (optionally filtered by name regex `scope`)."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    """The default graph's collection `key` itself (a list you may change)."""
    return get_default_graph().get_collection_ref(key)
