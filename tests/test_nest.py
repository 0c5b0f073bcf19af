"""tf.nest (neuroflow/util/nest.py): flattening and packing lists, tuples, namedtuples and dicts, as TensorFlow."""
import collections

import pytest

import neuroflow as tf

Pair = collections.namedtuple("Pair", "c h")


def test_flatten_orders_dicts_by_key_and_keeps_leaves():
    structure = {"b": [1, (2, 3)], "a": Pair(4, {"y": 5, "x": 6})}
    assert tf.nest.flatten(structure) == [4, 6, 5, 1, 2, 3]
    assert tf.nest.flatten(7) == [7] and tf.nest.flatten(None) == [None] and tf.nest.flatten([]) == []
    assert tf.nest.is_nested((1,)) and tf.nest.is_nested({}) and not tf.nest.is_nested("ab")


def test_pack_sequence_as_rebuilds_types_and_key_order():
    structure = {"b": [1, (2, 3)], "a": Pair(4, {"y": 5, "x": 6})}
    packed = tf.nest.pack_sequence_as(structure, "ABCDEF")
    assert packed == {"b": ["D", ("E", "F")], "a": Pair("A", {"y": "C", "x": "B"})}
    assert list(packed) == ["b", "a"] and isinstance(packed["a"], Pair)
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    assert tf.nest.pack_sequence_as(od, [10, 20]) == collections.OrderedDict([("z", 20), ("a", 10)])
    with pytest.raises(ValueError, match="Structure had 2 elements, but flat_sequence had 3 elements"):
        tf.nest.pack_sequence_as([1, 2], [1, 2, 3])


def test_map_structure_over_several_structures():
    assert tf.nest.map_structure(lambda a, b: a + b, Pair(1, [2]), Pair(10, [20])) == Pair(11, [22])
    with pytest.raises(ValueError, match="same number of elements"):
        tf.nest.map_structure(lambda a, b: a, [1, 2], [1])
