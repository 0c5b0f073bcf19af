"""Variables: tf.Variable, get_variable and variable scopes (with TF's reuse errors), initializers, collections,
assignment, the global step."""
import numpy as np
import pytest

import neuroflow as tf
from statistical_bounds import std_tolerance


def test_variable_nodes_and_repr(sess):
    W = tf.Variable([0.2, 0.7], name="W")
    assert repr(W) == "<tf.Variable 'W:0' shape=(2,) dtype=float32_ref>"
    assert W.op.type == "VariableV2" and W.initializer.name == "W/Assign"
    assert W.value().name == "W/read:0" and W.initial_value.name == "W/initial_value:0"
    assert W.shape.as_list() == [2] and W.dtype.base_dtype == tf.float32 and W.trainable
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(W), [0.2, 0.7])
    assert W.eval(session=sess).tolist() == pytest.approx([0.2, 0.7])
    assert tf.Variable(1.0).name == "Variable:0" and tf.Variable(2.0).name == "Variable_1:0"


def test_variable_from_tensor_and_callable_and_dtype(sess):
    a = tf.Variable(tf.zeros([2, 3]), name="a")
    b = tf.Variable(lambda: tf.ones([3]), name="b")
    c = tf.Variable([1, 2], dtype=tf.float64, name="c")
    assert b.initial_value.op.name.startswith("b/Initializer/")
    assert c.dtype.base_dtype == tf.float64
    sess.run(tf.global_variables_initializer())
    assert sess.run(a).shape == (2, 3) and sess.run(b).tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()


def test_variables_are_used_like_tensors(sess):
    W = tf.Variable([[1.0, 2.0]])
    x = tf.constant([[3.0], [4.0]])
    y = tf.matmul(W, x)
    z = W * 2 + 1
    r = 2 - W
    sess.run(W.initializer)
    assert sess.run(y).tolist() == [[11.0]] and sess.run(z).tolist() == [[3.0, 5.0]]
    assert sess.run(r).tolist() == [[1.0, 0.0]] and sess.run(W[0, 1]) == 2.0


def test_assign_ops(sess):
    v = tf.Variable([1.0, 2.0], name="v")
    sess.run(v.initializer)
    assert sess.run(v.assign([5.0, 6.0])).tolist() == [5.0, 6.0]
    assert sess.run(tf.assign_add(v, [1.0, 1.0])).tolist() == [6.0, 7.0]
    assert sess.run(v.assign_sub([6.0, 7.0])).tolist() == [0.0, 0.0]
    assert v.assign(1.0 * np.ones(2)).op.type == "Assign"
    with pytest.raises(ValueError, match="Shapes .* are incompatible|Shapes must be equal rank"):
        v.assign([1.0, 2.0, 3.0])
    v.load([9.0, 8.0], sess)
    assert sess.run(v).tolist() == [9.0, 8.0]


def test_assigned_value_is_a_copy(sess):
    v = tf.Variable([0.0, 0.0])
    src = tf.placeholder(tf.float32, [2])
    assign = v.assign(src)
    fed = np.array([1.0, 2.0], np.float32)
    sess.run(assign, {src: fed})
    fed[0] = 100.0
    assert sess.run(v).tolist() == [1.0, 2.0]


def test_uninitialized_variable_error_names_it_and_the_users_line(sess):
    v = tf.Variable([1.0], name="weights")
    y = v * 2.0
    with pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(y)
    message = str(info.value)
    assert message.startswith("Attempting to use uninitialized value weights")
    assert "test_variables.py" in message and 'v = tf.Variable([1.0], name="weights")' in message
    assert info.value.op.name == "weights" and info.value.error_code == 9
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value weights"):
        sess.run(v.assign_add([1.0]))


def test_is_initialized_and_report(sess):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    report = tf.report_uninitialized_variables()
    assert sorted(sess.run(report).tolist()) == [b"a", b"b"]
    sess.run(a.initializer)
    assert sess.run(tf.is_variable_initialized(a)) and not sess.run(tf.is_variable_initialized(b))
    assert sess.run(report).tolist() == [b"b"]


def test_collections_and_initializers(sess):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b", trainable=False)
    c = tf.Variable(3.0, name="c", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [a, b] and tf.trainable_variables() == [a]
    assert tf.local_variables() == [c]
    init = tf.global_variables_initializer()
    assert init.name == "init" and init.type == "NoOp"
    sess.run(init)
    sess.run(tf.local_variables_initializer())
    sess.run(tf.variables_initializer([b]))
    assert sess.run([a, b, c]) == [1.0, 2.0, 3.0]
    assert tf.variables_initializer([]).type == "NoOp"


def test_get_variable_names_ignore_name_scope():
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            w = tf.get_variable("w", [2])
            op = tf.constant(1.0)
    assert w.name == "vs/w:0" and op.name == "ns/vs/Const:0"


def test_reuse_rules():
    with tf.variable_scope("layer"):
        w = tf.get_variable("W", [3])
    with pytest.raises(ValueError, match="Variable layer/W already exists, disallowed. Did you mean to set "
                                         "reuse=True or reuse=tf.AUTO_REUSE in VarScope\\?") as info:
        with tf.variable_scope("layer"):
            tf.get_variable("W", [3])
    assert "test_variables.py" in str(info.value)  # where it was first defined
    with tf.variable_scope("layer", reuse=True):
        assert tf.get_variable("W") is w
        with tf.variable_scope("inner"):
            assert tf.get_variable_scope().reuse is True  # inherited
    with pytest.raises(ValueError, match="Variable layer/V does not exist, or was not created with "
                                         "tf.get_variable\\(\\). Did you mean to set reuse=tf.AUTO_REUSE"):
        with tf.variable_scope("layer", reuse=True):
            tf.get_variable("V", [3])
    with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("W", [3]) is w
        v = tf.get_variable("V", [3])
    assert v.name == "layer/V:0"
    with pytest.raises(ValueError, match="Trying to share variable layer/W, but specified shape \\(4,\\) and found "
                                         "shape \\(3,\\)"):
        with tf.variable_scope("layer", reuse=True):
            tf.get_variable("W", [4])
    with tf.variable_scope("layer") as scope:
        scope.reuse_variables()
        assert tf.get_variable("W") is w


def test_variable_scope_objects_and_default_names():
    with tf.variable_scope("outer") as outer:
        pass
    with tf.variable_scope(outer):
        assert tf.get_variable("x", [1]).name == "outer/x:0"
        assert tf.constant(0).name == "outer/Const:0"  # re-enters the original name scope
    with tf.variable_scope(None, default_name="dense"):
        a = tf.get_variable("k", [1])
    with tf.variable_scope(None, default_name="dense"):
        b = tf.get_variable("k", [1])
    assert (a.name, b.name) == ("dense/k:0", "dense_1/k:0")
    with tf.variable_scope("s1") as s:
        assert s.name == "s1" and s.original_name_scope == "s1/"
    with tf.variable_scope("s1") as s:
        assert s.name == "s1" and s.original_name_scope == "s1_1/"


def test_get_variable_initializers(sess):
    tf.set_random_seed(7)
    with tf.variable_scope("init", initializer=tf.constant_initializer(0.5)):
        half = tf.get_variable("half", [2])
    z = tf.get_variable("z", [2, 2], initializer=tf.zeros_initializer())
    o = tf.get_variable("o", [3], initializer=tf.ones_initializer)
    k = tf.get_variable("k", initializer=[[1.0, 2.0]])
    n = tf.get_variable("n", [2], dtype=tf.int32)
    g = tf.get_variable("g", [400, 600])
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("bad", [2], initializer=[1.0, 2.0])
    with pytest.raises(ValueError, match="Shape of a new variable \\(nos\\) must be fully defined"):
        tf.get_variable("nos", [None, 2])
    sess.run(tf.global_variables_initializer())
    assert sess.run(half).tolist() == [0.5, 0.5] and sess.run(z).sum() == 0 and sess.run(o).tolist() == [1, 1, 1]
    assert sess.run(k).tolist() == [[1.0, 2.0]] and sess.run(n).tolist() == [0, 0] and n.dtype.base_dtype == tf.int32
    limit = np.sqrt(6.0 / (400 + 600))  # Glorot uniform, the default
    gv = sess.run(g)
    edge = np.float32(limit)  # a float32 draw may round to the limit's float32 value
    assert gv.min() >= -edge and gv.max() <= edge
    assert gv.std() == pytest.approx(limit / np.sqrt(3), rel=std_tolerance(gv.size, kurtosis=1.8))  # uniform


@pytest.mark.parametrize("make, mean, std", [
    (lambda: tf.random_normal_initializer(1.0, 2.0), 1.0, 2.0),
    (lambda: tf.random_uniform_initializer(-1.0, 3.0), 1.0, 4.0 / np.sqrt(12)),
    (lambda: tf.truncated_normal_initializer(0.0, 1.0), 0.0, 0.8796),
    (lambda: tf.glorot_normal_initializer(), 0.0, np.sqrt(2.0 / (300 + 300))),
    (lambda: tf.variance_scaling_initializer(2.0, "fan_in", "uniform"), 0.0, np.sqrt(2.0 / 300)),
])
def test_initializer_distributions(sess, make, mean, std):
    v = tf.get_variable("v", [300, 300], initializer=make())
    sess.run(v.initializer)
    value = sess.run(v)
    # Six standard errors; kurtosis 3 (the normal's) bounds all five distributions' (uniform 1.8, truncated less)
    assert abs(value.mean() - mean) < 6 * std / np.sqrt(value.size)
    assert value.std() == pytest.approx(std, rel=std_tolerance(value.size, kurtosis=3.0))


def test_truncated_normal_stays_within_two_stddevs(sess):
    t = tf.truncated_normal([10000], stddev=3.0, seed=1)
    assert np.abs(sess.run(t)).max() <= 6.0


def test_seeds_follow_tensorflows_rule():
    def draw(graph_seed=None, op_seed=None):
        tf.reset_default_graph()
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        r = tf.random_uniform([4], seed=op_seed)
        with tf.Session() as s:
            return s.run(r), s.run(r)

    a1, a2 = draw(graph_seed=1)
    b1, b2 = draw(graph_seed=1)
    assert np.array_equal(a1, b1) and np.array_equal(a2, b2)  # same program, same numbers
    assert not np.array_equal(a1, a2)                          # a new draw on each run
    c1, _ = draw(op_seed=5)
    d1, _ = draw(op_seed=5)
    assert np.array_equal(c1, d1)
    e1, _ = draw()
    f1, _ = draw()
    assert not np.array_equal(e1, f1)                           # no seed: nondeterministic


def test_global_step(sess):
    step = tf.train.get_or_create_global_step()
    assert step.name == "global_step:0" and step.dtype.base_dtype == tf.int64 and not step.trainable
    assert tf.train.get_or_create_global_step() is step and tf.train.get_global_step() is step
    assert step in tf.get_collection(tf.GraphKeys.GLOBAL_STEP)
    with pytest.raises(ValueError, match='"global_step" already exists'):
        tf.train.create_global_step()
    sess.run(tf.global_variables_initializer())
    sess.run(tf.assign_add(step, 1))
    assert tf.train.global_step(sess, step) == 1


def test_leaving_a_scope_resets_its_default_names():
    with tf.variable_scope("model"):
        with tf.variable_scope(None, default_name="layer"):
            a = tf.get_variable("w", [1])
    with tf.variable_scope("model", reuse=True):
        with tf.variable_scope(None, default_name="layer"):
            b = tf.get_variable("w", [1])
    assert a is b and a.name == "model/layer/w:0"


def test_zeros_with_a_tensor_in_the_shape(sess):
    n = tf.placeholder(tf.int32, [])
    z = tf.zeros([n, 4])
    assert sess.run(z, {n: 3}).shape == (3, 4)
