"""Nested structures, as `tf.nest`: lists, tuples, namedtuples and dicts nest (dict entries in sorted key order);
anything else is a leaf. Used wherever a nest of tensors goes in or comes out: tf.function arguments and
results, GradientTape targets and sources, RNN states, Keras layer inputs and outputs. (`tf.data` has its own
rules, where lists are values: data/structure.py.)"""
import collections.abc

__all__ = ["is_nested", "flatten", "pack_sequence_as", "map_structure"]


def is_nested(structure):
    """True for a list, tuple (namedtuples included) or mapping."""
    return isinstance(structure, (list, tuple, collections.abc.Mapping))


def flatten(structure):
    """The leaves of `structure`, depth first; mapping entries by sorted key. A leaf gives [leaf]."""
    if isinstance(structure, collections.abc.Mapping):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat_sequence):
    """The leaves `flat_sequence` arranged like `structure` (the inverse of `flatten`): same container types,
    namedtuples rebuilt field by field, mappings with their own key order.

    Raises:
        ValueError: `flat_sequence` has a different number of leaves than `structure`.
    """
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {expected} elements, but flat_sequence had "
                         f"{len(flat_sequence)} elements.  Structure: {structure!r}, flat_sequence: "
                         f"{flat_sequence!r}.")
    leaves = iter(flat_sequence)

    def build(s):
        if isinstance(s, collections.abc.Mapping):
            built = {key: build(s[key]) for key in sorted(s)}
            return type(s)((key, built[key]) for key in s)
        if isinstance(s, (list, tuple)):
            items = [build(item) for item in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(leaves)
    return build(structure)


def map_structure(func, *structures):
    """`func` applied leaf by leaf across structures of the same nesting, in the first one's shape.

    Raises:
        ValueError: the structures hold different numbers of leaves.
    """
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats[1:]):
        raise ValueError("The two structures don't have the same number of elements: "
                         + ", ".join(str(len(f)) for f in flats))
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])
