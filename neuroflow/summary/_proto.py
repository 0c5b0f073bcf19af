"""The protocol buffers TensorBoard reads (Event, Summary, GraphDef, ...), borrowed from the optional `tensorboard`
package and imported on first use, with a clear message when it is not installed."""
import types

__all__ = ["protos", "require"]

_INSTALL_HINT = ("neuroflow's tf.summary writes TensorBoard files with the protocol buffers of the `tensorboard` "
                 "package, which is not installed. Install it with: pip install neuroflow[tensorboard]")
_cache = []


def protos():
    """A namespace of the proto modules: `event_pb2`, `summary_pb2`, `graph_pb2`, `node_def_pb2`,
    `attr_value_pb2`, `tensor_pb2`, `tensor_shape_pb2`, `types_pb2`, `versions_pb2`.

    Raises:
        ImportError: `tensorboard` is not installed (the message says how to install it).
    """
    if _cache:
        return _cache[0]
    try:
        from tensorboard.compat.proto import (attr_value_pb2, event_pb2, graph_pb2, node_def_pb2, summary_pb2,
                                              tensor_pb2, tensor_shape_pb2, types_pb2, versions_pb2)
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    ns = types.SimpleNamespace(attr_value_pb2=attr_value_pb2, event_pb2=event_pb2, graph_pb2=graph_pb2,
                               node_def_pb2=node_def_pb2, summary_pb2=summary_pb2, tensor_pb2=tensor_pb2,
                               tensor_shape_pb2=tensor_shape_pb2, types_pb2=types_pb2, versions_pb2=versions_pb2)
    _cache.append(ns)
    return ns


def require():
    """Fails early (at graph-build time or when a writer opens) if the protos are unavailable."""
    protos()
