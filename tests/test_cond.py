"""tf.cond and tf.case: only the taken branch runs, nested structures, TensorFlow's errors, gradients against
float64 central differences (taken branch only, second order), eager mode, tf.function, run-time errors."""
import collections

import numpy as np
import pytest

import neuroflow as tf


def _central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_only_the_taken_branch_runs_its_ops_and_outside_ops_run_as_usual():
    v = tf.Variable(0.0)
    outside = tf.Variable(0.0)
    bump_outside = tf.assign_add(outside, 1.0)  # created outside: used by both branches, so it runs either way
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.assign_add(v, 10.0) + bump_outside, lambda: bump_outside * 2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(r, {p: False}) == 2.0
        assert sess.run([v, outside]) == [0.0, 1.0]
        assert sess.run(r, {p: True}) == 12.0
        assert sess.run([v, outside]) == [10.0, 2.0]
        sess.run(r, {p: False})
        assert sess.run(v) == 10.0


def test_a_py_func_in_the_untaken_branch_is_not_called():
    calls = {"true": 0, "false": 0}

    def counter(which):
        def count(v):
            calls[which] += 1
            return v
        return count
    x = tf.placeholder(tf.float32, [])
    r = tf.cond(x > 0, lambda: tf.py_func(counter("true"), [x], tf.float32),
                lambda: tf.py_func(counter("false"), [x], tf.float32))
    with tf.Session() as sess:
        for v in (1.0, 2.0, -1.0):
            assert sess.run(r, {x: v}) == v
    assert calls == {"true": 2, "false": 1}


def test_control_dependencies_on_outer_ops_inside_branches_and_bodies():
    v = tf.Variable(0.0)
    bump = tf.assign_add(v, 1.0)
    x = tf.placeholder(tf.float32, [])

    def read_after_bump():
        with tf.control_dependencies([bump]):
            return v.read_value() + x
    r = tf.cond(x > 0, read_after_bump, lambda: x)
    w = tf.while_loop(lambda k: k < 2.0, lambda k: tf.cond(k > -1.0, lambda: tf.identity(k) + 1.0,
                                                            read_after_bump), [x])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(r, {x: 1.0}) == 2.0   # the bump ran before the branch read the variable
        assert sess.run(w, {x: 0.0}) == 2.0 and sess.run(v) == 2.0


def test_collections_inside_a_branch_are_the_graphs():
    a = tf.Variable(2.0)
    b = tf.Variable(3.0)
    p = tf.placeholder(tf.bool, [])
    penalty = tf.cond(p, lambda: tf.add_n([v * v for v in tf.trainable_variables()]), lambda: tf.constant(0.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(penalty, {p: True}) == 13.0


def test_a_branch_counts_its_op_seeds_from_zero_as_tensorflow_2_does():
    # TensorFlow 2.21 (tf.compat.v1, graph mode) builds a cond branch as a function graph that inherits the graph
    # seed and counts its own op seeds from 0: the branch's first unseeded op draws what the outer graph's first
    # one draws, while the outer graph's counter goes on (checked against TF 2.21: the outer ops get seed2 0, 1).
    tf.set_random_seed(1)
    outside = tf.random_uniform([1000])
    inside = tf.cond(tf.constant(True), lambda: tf.random_uniform([1000]), lambda: tf.zeros([1000]))
    after = tf.random_uniform([1000])
    with tf.Session() as sess:
        a, b, c = sess.run([outside, inside, after])
    with tf.Session() as sess:
        assert np.array_equal(sess.run(inside), b)  # seeded: the same draw in a new session
    assert np.array_equal(a, b) and not np.any(a == c)
    assert [outside.op.get_attr("seed2"), after.op.get_attr("seed2")] == [0, 1]


def test_nested_structures_and_computed_predicate():
    Pair = collections.namedtuple("Pair", "a b")
    x = tf.placeholder(tf.float32, [None])
    r = tf.cond(tf.reduce_sum(x) > 0, lambda: {"p": Pair(x + 1, x * 2), "q": [x]},
                lambda: {"p": Pair(x - 1, x / 2), "q": [-x]})
    assert isinstance(r["p"], Pair) and r["p"].a.shape.as_list() == [None]
    with tf.Session() as sess:
        got = sess.run(r, {x: [1.0, 2.0]})
        np.testing.assert_allclose(got["p"].b, [2.0, 4.0])
        got = sess.run(r, {x: [-1.0, -2.0]})
        np.testing.assert_allclose(got["p"].a, [-2.0, -3.0])
        np.testing.assert_allclose(got["q"][0], [1.0, 2.0])


def test_branches_use_outer_tensors_nested_conds_and_python_constants():
    x = tf.placeholder(tf.float64, [])
    y = x * 3.0
    r = tf.cond(x > 0, lambda: tf.cond(x > 10, lambda: y + 1.0, lambda: y - 1.0), lambda: 7.0 + 0 * x)
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (20.0, 2.0, -1.0)] == [61.0, 5.0, 7.0]


def test_output_shape_follows_the_branch_taken_on_each_run():
    x = tf.placeholder(tf.float32, [None])
    p = tf.placeholder(tf.bool, [])
    n = tf.shape(tf.cond(p, lambda: x[:2], lambda: x))[0] * 10
    with tf.Session() as sess:  # the same feed shapes each run: a shape seen once must not be assumed later
        assert [sess.run(n, {x: [1, 2, 3, 4], p: v}) for v in (True, False, True, False)] == [20, 40, 20, 40]


def test_python_bool_predicate_and_missing_functions_raise_as_tensorflow():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(x > 0, x, lambda: x)
    with pytest.raises(TypeError, match="true_fn and fn1 may not be set simultaneously"):
        tf.cond(x > 0, lambda: x, lambda: x, fn1=lambda: x)
    assert tf.Session().run(tf.cond(x > 0, fn1=lambda: x + 1, fn2=lambda: x)) == 2.0


def test_singleton_results_are_unpacked_unless_strict_and_a_non_bool_pred_raises():
    x = tf.constant(2.0)
    assert isinstance(tf.cond(x > 0, lambda: [x], lambda: [x * 2]), tf.Tensor)
    strict = tf.cond(x > 0, lambda: [x], lambda: [x * 2], strict=True)
    assert isinstance(strict, list) and len(strict) == 1
    assert tf.Session().run(strict) == [2.0]
    with pytest.raises(TypeError, match="Input 'pred' of 'If' Op has type int32 that does not match expected type "
                                        "of bool"):
        tf.cond(tf.constant(1), lambda: x, lambda: x)
    with tf.eager_mode():
        assert float(tf.cond(True, lambda: (tf.constant(3.0),), lambda: (tf.constant(4.0),))) == 3.0


def test_branches_of_different_structure_or_dtype_raise():
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="Incompatible return values of true_fn and false_fn"):
        tf.cond(x > 0, lambda: (x, x), lambda: x)
    with pytest.raises(TypeError, match="Incompatible return types of true_fn and false_fn"):
        tf.cond(x > 0, lambda: {"a": x}, lambda: [x])
    with pytest.raises(ValueError, match="Outputs of true_fn and false_fn must have the same type: int32, float32"):
        tf.cond(x > 0, lambda: x, lambda: tf.constant(1))


def test_gradient_of_each_branch_matches_central_differences_and_only_the_taken_one_counts():
    x = tf.placeholder(tf.float64, [3])
    w = tf.Variable(np.array([0.5, -1.0, 2.0]))
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.reduce_sum(tf.sin(x) * w), lambda: tf.reduce_sum(tf.exp(x)) * 3.0)
    gx, gw = tf.gradients(y, [x, w])
    xv = np.array([0.3, -0.7, 1.1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wv = sess.run(w)
        for taken, f in ((True, lambda a: np.sum(np.sin(a) * wv)), (False, lambda a: np.sum(np.exp(a)) * 3.0)):
            got_x, got_w = sess.run([gx, gw], {x: xv, p: taken})
            np.testing.assert_allclose(got_x, _central_difference(f, xv), rtol=1e-7, atol=1e-9)
            np.testing.assert_allclose(got_w, np.sin(xv) if taken else np.zeros(3), rtol=1e-12)


def test_second_order_gradient_through_cond():
    x = tf.placeholder(tf.float64, [2])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.reduce_sum(x ** 3), lambda: tf.reduce_sum(tf.sin(x)))
    g, = tf.gradients(y, x)
    h, = tf.gradients(tf.reduce_sum(g * g), x)
    xv = np.array([0.4, -1.3])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(h, {x: xv, p: True}),
                                   _central_difference(lambda a: np.sum((3 * a ** 2) ** 2), xv), rtol=1e-6)
        np.testing.assert_allclose(sess.run(h, {x: xv, p: False}),
                                   _central_difference(lambda a: np.sum(np.cos(a) ** 2), xv), rtol=1e-6)


def test_gradient_reuses_the_forward_random_draw_of_the_taken_branch():
    x = tf.placeholder(tf.float64, [1000])
    training = tf.placeholder(tf.bool, [])
    y = tf.cond(training, lambda: tf.nn.dropout(x, keep_prob=0.5), lambda: x)
    g, = tf.gradients(tf.reduce_sum(y), x)
    with tf.Session() as sess:
        yv, gv = sess.run([y, g], {x: np.ones(1000), training: True})
        np.testing.assert_array_equal(gv, yv)  # d(mask * x / keep)/dx = mask / keep = y at x = 1
        assert 0 < np.count_nonzero(yv) < 1000


def test_optimizer_trains_through_cond():
    w = tf.Variable(3.0)
    p = tf.placeholder(tf.bool, [])
    loss = tf.cond(p, lambda: tf.square(w - 1.0), lambda: tf.square(w + 1.0))
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(30):
            sess.run(train, {p: True})
        assert abs(sess.run(w) - 1.0) < 1e-6


def test_case_with_list_dict_default_and_exclusive():
    x = tf.placeholder(tf.float32, [])
    r = tf.case([(x < 0, lambda: -x), (x > 10, lambda: x - 10)], default=lambda: x * 100)
    d = tf.case({x < 0: lambda: tf.constant(1.0)}, default=lambda: tf.constant(2.0))
    e = tf.case([(x > 0, lambda: x), (x > 1, lambda: x * 2)], default=lambda: x, exclusive=True)
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-2.0, 12.0, 0.5)] == [2.0, 2.0, 50.0]
        assert [sess.run(d, {x: v}) for v in (-1.0, 1.0)] == [1.0, 2.0]
        assert sess.run(e, {x: 0.5}) == 0.5
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than 1 conditions"):
            sess.run(e, {x: 3.0})


def test_case_without_default_runs_the_last_function_only_when_some_predicate_holds():
    x = tf.placeholder(tf.float32, [])
    r = tf.case([(x < 0, lambda: -x), (x > 10, lambda: x - 10)])
    single = tf.case([(x > 0, lambda: x * 2)])
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-2.0, 12.0)] == [2.0, 2.0]
        assert sess.run(single, {x: 1.5}) == 3.0
        for case in (r, single):
            with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
                sess.run(case, {x: 0.0 if case is r else -1.0})


def test_eager_cond_runs_python_branches_and_the_tape_sees_them():
    with tf.eager_mode():
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cond(x > 1.0, lambda: x * x * x, lambda: x)
        assert float(y) == 8.0
        assert float(tape.gradient(y, x)) == 12.0


def test_tf_function_traces_cond_into_graph_control_flow():
    with tf.eager_mode():
        @tf.function
        def f(x):
            return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: -x)
        np.testing.assert_allclose(f(np.array([1.0, 2.0])), [2.0, 4.0])
        np.testing.assert_allclose(f(np.array([-1.0, -2.0])), [1.0, 2.0])
        concrete = next(iter(f._traces.values()))
        assert {"StatelessIf"} <= {op.type for op in concrete.graph.get_operations()}


def test_run_time_error_inside_a_branch_names_the_node_and_the_users_line():
    x = tf.placeholder(tf.float32, [None])
    r = tf.cond(tf.size(x) > 2, lambda: tf.reshape(x, [2, 2]), lambda: tf.reshape(x, [1, -1]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(r, {x: [1.0, 2.0, 3.0]})
    message = str(info.value)
    assert "cond/Reshape" in message and "test_cond.py" in message
    assert "tf.reshape(x, [2, 2])" in message


def test_an_optimizer_step_inside_a_branch_runs_only_when_taken():
    """minimize() inside a branch: the optimizer's variables (slots, Adam's beta powers) live in the outer graph
    and are found from inside the branch; the untaken branch leaves the variable alone."""
    x = tf.placeholder(tf.float32, [None, 2])
    flag = tf.placeholder(tf.bool, [])
    w = tf.Variable([[1.0], [2.0]])
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    opt = tf.train.AdamOptimizer(0.1)
    step = tf.cond(flag, lambda: opt.minimize(loss), tf.no_op)
    feed = {x: np.ones((3, 2), np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step, {**feed, flag: False})
        np.testing.assert_array_equal(sess.run(w), [[1.0], [2.0]])
        sess.run(step, {**feed, flag: True})
        # Adam's first step moves each weight by lr against the sign of its gradient (both gradients positive).
        np.testing.assert_allclose(sess.run(w), [[0.9], [1.9]], rtol=1e-6)
    assert sorted(v.op.name for v in opt.variables()) == ["Variable/Adam", "Variable/Adam_1", "beta1_power",
                                                          "beta2_power"]
