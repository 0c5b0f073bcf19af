"""Fetch structures: flattening any nesting of lists, tuples, dicts and namedtuples of fetches into a flat
list of graph elements, and rebuilding results in the same structure."""
import collections

__all__ = ["FetchStructure"]


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


class FetchStructure:
    """`leaves`: the flat fetch arguments in order; `rebuild(values)` puts results back in the user's shape."""

    __slots__ = ("leaves", "_builder")

    def __init__(self, fetches):
        leaves = []
        self._builder = self._walk(fetches, leaves)
        self.leaves = leaves

    def _walk(self, node, leaves):
        if isinstance(node, (list, tuple)) and not _is_namedtuple(node):
            parts = [self._walk(x, leaves) for x in node]
            kind = type(node)
            if kind is list:
                return lambda values: [p(values) for p in parts]
            if kind is tuple:
                return lambda values: tuple(p(values) for p in parts)
            return lambda values: kind(p(values) for p in parts)
        if _is_namedtuple(node):
            parts = [self._walk(x, leaves) for x in node]
            kind = type(node)
            return lambda values: kind(*[p(values) for p in parts])
        if isinstance(node, collections.abc.Mapping):
            keys = list(node.keys())
            parts = [self._walk(node[k], leaves) for k in keys]
            kind = type(node)
            if kind is dict:
                return lambda values: {k: p(values) for k, p in zip(keys, parts)}
            if isinstance(node, collections.defaultdict):
                factory = node.default_factory
                return lambda values: kind(factory, [(k, p(values)) for k, p in zip(keys, parts)])
            return lambda values: kind([(k, p(values)) for k, p in zip(keys, parts)])
        if hasattr(node, "_component_tensors"):  # SparseTensor, IndexedSlices: fetched as their tensors
            parts = [self._walk(x, leaves) for x in node._component_tensors()]
            make = node._value_from_components
            return lambda values: make([p(values) for p in parts])
        index = len(leaves)
        leaves.append(node)
        return lambda values: values[index]

    def rebuild(self, values):
        return self._builder(values)


def structure_key(fetches):
    """A hashable key for caching the structure of `fetches`, or None if it cannot be hashed cheaply."""
    kind = type(fetches)
    if kind is list or kind is tuple:
        try:
            key = (kind, tuple(fetches))
            hash(key)
            return key
        except TypeError:
            return None
    try:
        hash(fetches)
    except TypeError:
        return None
    if isinstance(fetches, collections.abc.Mapping) or _is_namedtuple(fetches):
        return None
    return fetches
