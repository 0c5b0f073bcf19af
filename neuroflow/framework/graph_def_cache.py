"""Reuse of a graph's serialized forms — the bytes of `Graph.as_graph_def()`'s TensorFlow message, of the `.meta`
that `Saver.save` writes — while nothing they are built from has changed, so that a large graph is not converted
and serialized again on every call or every save.

What a graph's definition is built from, and so what a cached form is checked against on every use:
- its operations (`graph.version` counts them; operations are never removed);
- what can change on an operation after it was created: its device (`op._device`, set by imports and device
  functions), its control inputs (`op._add_control_input`, append-only), its outputs' static shapes
  (`Tensor.set_shape` replaces the immutable TensorShape);
- for a MetaGraphDef, also the collections: their keys and items, which programs change through
  `add_to_collection`, `clear_collection` and the list `get_collection_ref` returns.
Attributes, inputs, names and dtypes are fixed when an operation is created (no API edits them).

The check holds the objects it compares (device strings, shapes, collection items) and compares them by identity:
an object replaced by another, even an equal one, counts as a change (a rebuild, never a stale form), and an
object that is held cannot be freed and its id reused. What is cached is immutable bytes: every caller gets a
message of its own parsed from them, or writes them to a file.
"""
import operator

__all__ = ["GraphState", "lookup", "store", "graph_def_message", "graph_def_bytes"]

_CACHE_ATTRIBUTE = "_serialized_forms"   # on the Graph: {purpose: (key, GraphState, bytes)}, one entry a purpose


class GraphState:
    """What a graph's serialized forms depend on, at one moment (see the module's docstring)."""

    __slots__ = ("objects", "counts")

    def __init__(self, graph, with_collections=False):
        objects = []
        counts = [graph.version]
        for op in graph._ops:
            objects.append(op._device)
            objects.extend(t._shape for t in op._outputs)
            counts.append(len(op._control_inputs))
        if with_collections:
            for key in graph.get_all_collection_keys():
                items = graph.get_collection_ref(key)
                objects.append(key)
                objects.extend(items)
                counts.append(len(items))
        self.objects = objects
        self.counts = counts

    def same_as(self, other):
        """Whether nothing changed between `other` (earlier) and this state."""
        return (self.counts == other.counts and len(self.objects) == len(other.objects)
                and all(map(operator.is_, self.objects, other.objects)))


def lookup(graph, purpose, key, with_collections=False):
    """(the bytes cached for `purpose` under `key` while the graph is unchanged, or None; the graph's state now,
    to `store` with the bytes built from it).

    Args:
        graph: the Graph.
        purpose: which form ("graph_def", "saver_meta", ...): each keeps its latest bytes only.
        key: everything other than the graph that the bytes depend on (arguments, settings), compared with ==.
        with_collections: the form holds the graph's collections too.
    """
    state = GraphState(graph, with_collections)
    entry = graph.__dict__.get(_CACHE_ATTRIBUTE, {}).get(purpose)
    if entry is not None and entry[0] == key and state.same_as(entry[1]):
        return entry[2], state
    return None, state


def store(graph, purpose, key, state, data):
    """Caches `data` (bytes built from the graph in `state`, `lookup`'s) for `purpose` under `key`, replacing
    what was cached for `purpose`: a graph keeps one copy of each form, not one per version."""
    if not isinstance(data, bytes):
        raise TypeError(f"only immutable bytes are cached, not {type(data).__name__}")
    graph.__dict__.setdefault(_CACHE_ATTRIBUTE, {})[purpose] = (key, state, data)


# --- Graph.as_graph_def() ------------------------------------------------------------------------------------------
def _graph_def_form(graph, add_shapes):
    """(TensorFlow's GraphDef bytes of `graph`, or None for a graph kept in neuroflow's form; the message built on a
    miss, or None on a hit)."""
    from .tf_graph_export import graph_def_message
    key = bool(add_shapes)
    data, state = lookup(graph, "graph_def", key)
    if data is not None:
        return data, None
    message = graph_def_message(graph, add_shapes=key)
    form = message.__dict__.get("_neuroflow_form")
    if form is None or form[1] is None:   # neuroflow's own GraphDef: cheap to build, and it may hold sub-graphs
        return None, message
    store(graph, "graph_def", key, state, form[1])   # the bytes taken when it was built, before any caller had it
    return form[1], message


def graph_def_message(graph, add_shapes=False):
    """What `Graph.as_graph_def()` returns (see tf_graph_export.graph_def_message): a message of the caller's own,
    parsed from the cached bytes while the graph is unchanged, else built (and its bytes cached)."""
    data, message = _graph_def_form(graph, add_shapes)
    if message is not None:
        return message
    from .graph_def_files import GraphDef
    from .graph_io import as_graph_def
    message = GraphDef.FromString(data)
    # the exact form an import in this process rebuilds while the message's bytes are unchanged (as
    # tf_graph_export.message_with_exact_form records it, without serializing the message again)
    message.__dict__["_neuroflow_form"] = (as_graph_def(graph), data)
    return message


def graph_def_bytes(graph, add_shapes=False):
    """The bytes of `graph.as_graph_def(add_shapes).SerializeToString()` when that is TensorFlow's message (cached,
    no message parsed), else None (a graph kept in neuroflow's form)."""
    return _graph_def_form(graph, add_shapes)[0]
