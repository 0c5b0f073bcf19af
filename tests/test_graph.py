"""Graphs: naming as TensorFlow names nodes, name scopes, lookups, collections, control deps, devices."""
import pytest

import neuroflow as tf


def test_default_names_and_uniquifying():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    assert (a.name, b.name) == ("Const:0", "Const_1:0")
    assert (a + b).name == "add:0"
    assert (a + b).name == "add_1:0"
    assert tf.add(a, b).name == "Add_2:0"  # names are unique ignoring case, as in TensorFlow
    assert tf.multiply(a, b).op.name == "Mul" and (a * b).op.name == "mul_1"
    assert (a - b).op.name == "sub" and (a / b).op.name == "truediv" and (a ** b).op.name == "pow"
    assert tf.matmul([[1.0]], [[2.0]]).op.name == "MatMul"


def test_tensor_str_and_repr():
    m = tf.matmul(tf.constant([[3, 3]]), tf.constant([[2], [2]]))
    assert str(m) == 'Tensor("MatMul:0", shape=(1, 1), dtype=int32)'
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 3) dtype=float32>"
    assert str(tf.placeholder(tf.float32)) == 'Tensor("Placeholder:0", dtype=float32)'
    assert repr(m.op) == "<tf.Operation 'MatMul' type=MatMul>"


def test_python_constants_in_ops_are_named_after_the_input():
    x = tf.placeholder(tf.float32)
    assert (x * 2).op.inputs[1].op.name == "mul/y"
    assert (2 * x).op.inputs[0].op.name == "mul_1/x"


def test_name_scopes():
    with tf.name_scope("layer") as scope:
        assert scope == "layer/"
        c = tf.constant(1.0, name="c")
        m = tf.matmul([[1.0]], [[1.0]])
    assert c.name == "layer/c:0" and m.name == "layer/MatMul:0"
    with tf.name_scope("layer") as scope2:
        assert scope2 == "layer_1/"
    with tf.name_scope("layer/"):  # re-entry by full name
        assert tf.constant(0).name == "layer/Const:0"
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            assert tf.constant(0).name == "outer/inner/Const:0"
        with tf.name_scope(None):
            assert tf.constant(0).name == "Const:0"
    with tf.name_scope(None, "default") as s:
        assert s == "default/"
    with pytest.raises(ValueError, match="not a valid scope name"):
        with tf.name_scope("bad name"):
            pass


def test_explicit_name_collisions_are_case_insensitive():
    assert tf.constant(1, name="w").op.name == "w"
    assert tf.constant(1, name="W").op.name == "W_1"


def test_graph_lookups_and_errors():
    c = tf.constant(3.0, name="c")
    g = tf.get_default_graph()
    assert g.get_tensor_by_name("c:0") is c
    assert g.get_operation_by_name("c") is c.op
    assert g.get_operations() == [c.op]
    with pytest.raises(KeyError, match="The name 'nope:0' refers to a Tensor which does not exist. The operation, "
                                       "'nope', does not exist in the graph."):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="looks like an \\(invalid\\) Operation name"):
        g.get_tensor_by_name("nope")
    with pytest.raises(KeyError, match="refers to an Operation not in the graph"):
        g.get_operation_by_name("nope")
    with pytest.raises(ValueError, match="appears to refer to a Tensor, not a Operation"):
        g.get_operation_by_name("c:0")
    with pytest.raises(KeyError, match="exists but only has 1 outputs"):
        g.get_tensor_by_name("c:1")


def test_graph_as_default_and_reset():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1)
        assert tf.get_default_graph() is g
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            tf.reset_default_graph()
    assert c.graph is g
    assert tf.get_default_graph() is not g
    before = tf.get_default_graph()
    tf.reset_default_graph()
    assert tf.get_default_graph() is not before


def test_ops_go_to_their_inputs_graph_and_graphs_do_not_mix():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    b = a * 2.0  # built outside `as_default`, lands in a's graph (as in TF 1.x)
    assert b.graph is g
    other = tf.constant(1.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(a, other)


def test_finalize():
    g = tf.get_default_graph()
    tf.constant(1)
    g.finalize()
    assert g.finalized
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        tf.constant(2)


def test_collections():
    tf.add_to_collection("losses", 1)
    tf.add_to_collections(["a", "b"], 2)
    assert tf.get_collection("losses") == [1]
    assert tf.get_collection("a") == [2] and tf.get_collection("b") == [2]
    ref = tf.get_collection_ref("losses")
    ref.append(3)
    assert tf.get_collection("losses") == [1, 3]
    copy = tf.get_collection("losses")
    copy.append(4)
    assert tf.get_collection("losses") == [1, 3]
    v = tf.Variable(1.0, name="alpha")
    w = tf.Variable(1.0, name="beta")
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="be") == [w]
    assert tf.GraphKeys.TRAINABLE_VARIABLES in tf.get_default_graph().get_all_collection_keys()
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [v, w]


def test_control_dependencies(sess):
    v = tf.Variable(0, name="v")
    inc = tf.assign_add(v, 1)
    with tf.control_dependencies([inc]):
        read = v.read_value()
        c = tf.constant(5)  # no inputs: still gets the control input
    assert inc.op in read.op.control_inputs and inc.op in c.op.control_inputs
    with tf.control_dependencies([inc]):
        with tf.control_dependencies(None):
            free = tf.constant(1)
    assert free.op.control_inputs == []
    sess.run(v.initializer)
    assert sess.run(read) == 1
    assert sess.run(read) == 2
    sess.run(c)
    assert sess.run(v) == 3


def test_group_and_no_op(sess):
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    g = tf.group(a.initializer, [b.initializer])
    assert g.type == "NoOp" and g.name == "group_deps"
    assert set(g.control_inputs) == {a.initializer, b.initializer}
    assert sess.run(g) is None
    assert sess.run([a, b]) == [1.0, 2.0]
    assert tf.no_op().name == "NoOp"


def test_identity_and_tuple(sess):
    x = tf.constant([1, 2])
    i = tf.identity(x, name="same")
    assert i.op.type == "Identity" and i.name == "same:0"
    t1, t2 = tf.tuple([x, i])
    assert sess.run(t2).tolist() == [1, 2]


def test_device_is_recorded():
    with tf.device("/cpu:0"):
        a = tf.constant(1)
        with tf.device("/device:GPU:1"):
            b = tf.constant(2)
        with tf.device(None):
            c = tf.constant(3)
    assert a.op.device == "/device:CPU:0" and a.device == "/device:CPU:0"
    assert b.op.device == "/device:GPU:1"
    assert c.op.device == ""
    with tf.device(lambda op: "/cpu:0" if op.type == "Const" else None):
        d = tf.constant(1)
    assert d.device == "/device:CPU:0"


def test_operation_properties():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.add(a, a, name="b")
    op = b.op
    assert op.type == "AddV2" and op.inputs == (a, a) and op.outputs == (b,)
    assert op.values() == (b,) and a.consumers() == [op, op]
    assert op.node_def.input == ["a", "a"]
    assert "name: \"b\"" in str(op)
    assert tf.cast(a, tf.int32).op.get_attr("DstT") == tf.int32
    with pytest.raises(ValueError, match="has no attr named 'nope'"):
        op.get_attr("nope")
    assert op.location is not None and op.location.filename == __file__


def test_tensor_is_not_bool_iterable_or_array():
    x = tf.constant([1, 2])
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(x)
    with pytest.raises(TypeError, match="only iterable when eager execution"):
        iter(x)
    with pytest.raises(NotImplementedError, match="Cannot convert a symbolic Tensor"):
        import numpy as np
        np.asarray(x)
    assert (x == x) is True and (x != tf.constant([1, 2])) is True
    assert len({x: 1, tf.constant(1): 2}) == 2
