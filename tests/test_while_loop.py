"""tf.while_loop: nested loop vars, maximum_iterations, shape invariants and TensorFlow's errors, variables inside
the body, the body traced and compiled once, gradients against float64 central differences and the unrolled
graph, loops inside conds and conds inside loops, eager mode, tf.function, run-time errors."""
import collections

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import subplan


def _central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_counting_loop_and_single_loop_var_returned_bare():
    i, total = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + i), [0, 0])
    single = tf.while_loop(lambda k: k < 5, lambda k: k + 2, [tf.constant(0)])
    same = tf.while_loop(lambda k: k < 5, lambda k: [k + 2], [tf.constant(0)], return_same_structure=True)
    with tf.Session() as sess:
        assert sess.run([i, total, single]) == [10, 45, 6]
        assert sess.run(same) == [6]


def test_nested_loop_vars_keep_their_structure():
    State = collections.namedtuple("State", "h c")
    x = tf.placeholder(tf.float32, [None])
    out = tf.while_loop(lambda n, s, d: n < 3,
                        lambda n, s, d: (n + 1, State(s.h + s.c, s.c * 2.0), {"sum": d["sum"] + s.h}),
                        (0, State(x, tf.ones_like(x)), {"sum": tf.zeros_like(x)}))
    assert isinstance(out[1], State)
    with tf.Session() as sess:
        n, s, d = sess.run(out, {x: [1.0, 2.0]})
    # h: 1 -> 2 -> 4 -> 8 (c: 1, 2, 4); sum of h before each step: 1 + 2 + 4
    assert n == 3
    np.testing.assert_allclose(s.h, [8.0, 9.0])
    np.testing.assert_allclose(d["sum"], [7.0, 10.0])


def test_maximum_iterations_caps_the_loop():
    x = tf.placeholder(tf.int32, [])
    r = tf.while_loop(lambda k: k < 100, lambda k: k + 1, [x], maximum_iterations=tf.constant(7))
    with tf.Session() as sess:
        assert sess.run(r, {x: 0}) == 7
        assert sess.run(r, {x: 98}) == 100


def test_shape_change_needs_a_shape_invariant():
    start = tf.ones([1], name="start")
    with pytest.raises(ValueError, match=r"Input tensor 'start:0' enters the loop with shape \(1,\), but has shape "
                                         r"\(2,\) after one iteration\. To allow the shape to vary across iterations, "
                                         r"use the `shape_invariants` argument of tf.while_loop"):
        tf.while_loop(lambda t: tf.size(t) < 5, lambda t: tf.concat([t, t[:1]], 0), [start])
    grown = tf.while_loop(lambda t: tf.size(t) < 5, lambda t: tf.concat([t, t[:1] * 2.0], 0), [start],
                          shape_invariants=[tf.TensorShape([None])])
    assert grown.shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grown), [1, 2, 2, 2, 2])


def test_output_shape_follows_the_number_of_iterations_on_each_run():
    x = tf.placeholder(tf.float32, [None])
    grown = tf.while_loop(lambda t: tf.reduce_sum(t) < 10.0, lambda t: tf.concat([t, t[:1]], 0), [x],
                          shape_invariants=[tf.TensorShape([None])])
    size = tf.size(grown) + 0
    with tf.Session() as sess:  # the same feed shapes each run: a shape seen once must not be assumed later
        assert [sess.run(size, {x: v}) for v in ([1.0, 1.0], [5.0, 1.0], [1.0, 1.0], [2.0, 2.0])] == [10, 3, 10, 5]


def test_dtype_change_and_bad_arguments_raise():
    with pytest.raises(TypeError, match="enters the loop with type int32, but has type float32"):
        tf.while_loop(lambda k: k < 3, lambda k: tf.cast(k, tf.float32), [tf.constant(0)])
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(1, lambda k: k, [tf.constant(0)])
    with pytest.raises(ValueError, match="No loop variables provided"):
        tf.while_loop(lambda: True, lambda: (), [])


def test_variables_read_and_updated_inside_the_body_share_the_session_storage():
    scale = tf.Variable(2.0)
    counter = tf.Variable(0)
    x = tf.placeholder(tf.float32, [])

    def body(k, y):
        with tf.control_dependencies([tf.assign_add(counter, 1)]):
            return k + 1, y * scale
    _, y = tf.while_loop(lambda k, y: k < 4, body, [0, x])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y, {x: 1.5}) == 24.0
        assert sess.run(counter) == 4
        sess.run(scale.assign(3.0))
        assert sess.run(y, {x: 1.0}) == 81.0
        assert sess.run(counter) == 8


def test_variables_made_inside_a_body_or_branch_live_in_the_graph_and_train():
    x = tf.placeholder(tf.float64, [None, 3])
    target = tf.placeholder(tf.float64, [None, 2])

    def body(k, h):
        with tf.variable_scope("step", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("w", [3, 3], tf.float64, initializer=tf.constant_initializer(0.1))
        return k + 1, tf.tanh(tf.matmul(h, w) + x)
    _, h = tf.while_loop(lambda k, h: k < 3, body, [0, x])
    out = tf.cond(tf.reduce_sum(x) > -1e9, lambda: tf.layers.dense(h, 2, name="head"), lambda: h[:, :2])
    loss = tf.reduce_mean(tf.square(out - target))
    names = sorted(v.op.name for v in tf.trainable_variables())
    assert names == ["head/bias", "head/kernel", "step/w"]
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    rng = np.random.default_rng(0)
    feed = {x: rng.normal(size=(16, 3)), target: rng.normal(size=(16, 2)) * 0.5}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, feed)
        for _ in range(50):
            sess.run(train, feed)
        assert sess.run(loss, feed) < 0.5 * before


def test_the_body_is_traced_once_and_its_plan_compiled_once(monkeypatch):
    calls = []
    plans = []
    original = subplan.Plan

    def counting_plan(*args, **kwargs):
        plans.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(subplan, "Plan", counting_plan)

    def body(k, s):
        calls.append(1)
        return k + 1, s + tf.cast(k, tf.float32)
    _, s = tf.while_loop(lambda k, s: k < 1000, body, [0, 0.0])
    with tf.Session() as sess:
        assert sess.run(s) == sum(range(1000))
        assert sess.run(s) == sum(range(1000))
    assert len(calls) == 1
    assert len(plans) == 2  # the condition's plan and the body's, for 2,000 iterations over two runs


def _unrolled(x, c, steps):
    y, z = x, x * 2.0
    for _ in range(steps):
        y, z = tf.sin(y) * c + z, z * 1.1
    return tf.reduce_sum(y * y)


def test_gradient_matches_central_differences_and_the_unrolled_graph():
    x = tf.placeholder(tf.float64, [3])
    c = tf.placeholder(tf.float64, [])
    _, y, _ = tf.while_loop(lambda i, y, z: i < 4, lambda i, y, z: (i + 1, tf.sin(y) * c + z, z * 1.1),
                            [0, x, x * 2.0])
    loss = tf.reduce_sum(y * y)
    gx, gc = tf.gradients(loss, [x, c])
    ux, uc = tf.gradients(_unrolled(x, c, 4), [x, c])

    def f(xv, cv):
        y, z = xv, xv * 2.0
        for _ in range(4):
            y, z = np.sin(y) * cv + z, z * 1.1
        return np.sum(y * y)
    xv, cv = np.array([0.3, -0.8, 1.2]), 0.7
    with tf.Session() as sess:
        got_x, got_c, un_x, un_c = sess.run([gx, gc, ux, uc], {x: xv, c: cv})
    np.testing.assert_allclose(got_x, _central_difference(lambda a: f(a, cv), xv), rtol=1e-6)
    np.testing.assert_allclose(got_c, _central_difference(lambda a: f(xv, a), np.array(cv)), rtol=1e-6)
    np.testing.assert_allclose(got_x, un_x, rtol=1e-12)
    np.testing.assert_allclose(got_c, un_c, rtol=1e-12)


def test_a_run_that_needs_no_gradient_stacks_nothing(monkeypatch):
    from neuroflow.ops import while_ops
    stacked = []
    original = while_ops._as_stack
    monkeypatch.setattr(while_ops, "_as_stack", lambda xp, values: stacked.append(len(values)) or original(xp, values))
    x = tf.placeholder(tf.float64, [3])
    _, y = tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, tf.sin(y) * y), [0, x])
    loss = tf.reduce_sum(y)
    g, = tf.gradients(loss, x)
    xv = np.array([0.5, 1.0, 1.5])
    with tf.Session() as sess:
        sess.run(loss, {x: xv})
        assert stacked == []
        got = sess.run(g, {x: xv})
        assert stacked and set(stacked) == {4}

    def f(a):
        for _ in range(4):
            a = np.sin(a) * a
        return a.sum()
    np.testing.assert_allclose(got, _central_difference(f, xv), rtol=1e-6)


def test_gradient_with_a_run_time_number_of_iterations_and_zero_iterations():
    x = tf.placeholder(tf.float64, [2])
    n = tf.placeholder(tf.int32, [])
    _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * y * 0.5 + 1.0), [0, x])
    g, = tf.gradients(tf.reduce_sum(y), x)

    def f(a, steps):
        for _ in range(steps):
            a = a * a * 0.5 + 1.0
        return np.sum(a)
    xv = np.array([0.4, -0.9])
    with tf.Session() as sess:
        for steps in (0, 1, 3):
            np.testing.assert_allclose(sess.run(g, {x: xv, n: steps}),
                                       _central_difference(lambda a: f(a, steps), xv), rtol=1e-6)


def test_second_order_gradient_through_a_loop():
    x = tf.placeholder(tf.float64, [2])
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, tf.sin(y) * y), [0, x])
    g, = tf.gradients(tf.reduce_sum(y), x)
    h, = tf.gradients(tf.reduce_sum(g * g), x)
    ug, = tf.gradients(tf.reduce_sum(_unrolled_sin(x, 3)), x)
    uh, = tf.gradients(tf.reduce_sum(ug * ug), x)

    def f(a):
        for _ in range(3):
            a = np.sin(a) * a
        return a.sum()
    xv = np.array([0.7, -1.2])
    with tf.Session() as sess:
        got_g, got_h, un_h = sess.run([g, h, uh], {x: xv})
    np.testing.assert_allclose(got_g, _central_difference(f, xv), rtol=1e-6)
    np.testing.assert_allclose(got_h, _central_difference(lambda a: np.sum(_central_difference(f, a, 1e-5) ** 2), xv,
                                                          1e-4), rtol=1e-5)
    np.testing.assert_allclose(got_h, un_h, rtol=1e-12)


def _unrolled_sin(y, steps):
    for _ in range(steps):
        y = tf.sin(y) * y
    return y


def test_gradient_through_shapes_that_change_across_iterations():
    x = tf.placeholder(tf.float64, [1])
    grown = tf.while_loop(lambda t: tf.size(t) < 4, lambda t: tf.concat([t, tf.sin(t[-1:]) * 2.0], 0), [x],
                          shape_invariants=[tf.TensorShape([None])])
    g, = tf.gradients(tf.reduce_sum(grown), x)

    def f(a):
        t = list(a)
        while len(t) < 4:
            t.append(np.sin(t[-1]) * 2.0)
        return np.sum(t)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [0.3]}), _central_difference(f, np.array([0.3])), rtol=1e-6)


def test_back_prop_false_stops_gradients_at_the_loop():
    x = tf.placeholder(tf.float64, [])
    _, y = tf.while_loop(lambda i, y: i < 2, lambda i, y: (i + 1, y * x), [0, x], back_prop=False)
    assert tf.gradients(y, x) == [None]
    with tf.Session() as sess:
        assert sess.run(y, {x: 3.0}) == 27.0


def test_optimizer_trains_a_variable_used_in_the_loop():
    w = tf.Variable(0.5, dtype=tf.float64)
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w), [0, tf.constant(1.0, tf.float64)])
    loss = tf.square(y - 8.0)  # w ** 3 = 8 at w = 2
    train = tf.train.GradientDescentOptimizer(0.002).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train)
        assert abs(sess.run(w) - 2.0) < 1e-4


def test_loops_inside_conds_and_conds_inside_loops():
    x = tf.placeholder(tf.float64, [])
    r = tf.cond(x > 0, lambda: tf.while_loop(lambda k, y: k < 3, lambda k, y: (k + 1, y * x), [0, x])[1],
                lambda: -x)
    s = tf.while_loop(lambda k, y: k < 4,
                      lambda k, y: (k + 1, tf.cond(tf.equal(k % 2, 0), lambda: y + x, lambda: y * x)),
                      [0, tf.constant(0.0, tf.float64)])[1]
    g, = tf.gradients(s, x)
    with tf.Session() as sess:
        assert sess.run(r, {x: 2.0}) == 16.0 and sess.run(r, {x: -2.0}) == 2.0
        # s = ((0 + x) * x + x) * x = x^3 + x^2
        assert sess.run(s, {x: 2.0}) == 12.0
        np.testing.assert_allclose(sess.run(g, {x: 2.0}), 3 * 4 + 2 * 2)


def test_nested_loops_first_and_second_order_gradients():
    x = tf.placeholder(tf.float64, [])

    def outer_body(i, y):
        _, y = tf.while_loop(lambda j, z: j < 2, lambda j, z: (j + 1, tf.sin(z) * x + z), [0, y])
        return i + 1, y
    _, y = tf.while_loop(lambda i, y: i < 3, outer_body, [0, x])
    g, = tf.gradients(y, x)
    h, = tf.gradients(g, x)
    in_cond = tf.cond(x > 0, lambda: tf.while_loop(lambda i, y: i < 6, lambda i, y: (i + 1, tf.sin(y) * x + y),
                                                   [0, x])[1], lambda: x)
    g_cond, = tf.gradients(in_cond, x)

    def f(a):
        y = a
        for _ in range(6):
            y = np.sin(y) * a + y
        return y
    with tf.Session() as sess:
        got_y, got_g, got_h, got_gc = sess.run([y, g, h, g_cond], {x: 0.7})
    np.testing.assert_allclose(got_y, f(0.7), rtol=1e-12)
    np.testing.assert_allclose(got_g, _central_difference(f, np.array(0.7)), rtol=1e-7)
    np.testing.assert_allclose(got_h, (f(0.7 + 1e-4) - 2 * f(0.7) + f(0.7 - 1e-4)) / 1e-8, rtol=1e-5)
    np.testing.assert_allclose(got_gc, got_g, rtol=1e-12)


def test_eager_while_loop_and_the_tape():
    with tf.eager_mode():
        x = tf.constant(1.5)
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, tf.constant(1.0)])
        assert float(y) == pytest.approx(1.5 ** 3)
        assert float(tape.gradient(y, x)) == pytest.approx(3 * 1.5 ** 2)
        assert int(tf.while_loop(lambda k: k < 100, lambda k: k + 1, [0], maximum_iterations=5)) == 5


def test_tf_function_traces_while_loop_into_graph_control_flow():
    with tf.eager_mode():
        @tf.function
        def f(x):
            return tf.while_loop(lambda k, y: k < 5, lambda k, y: (k + 1, y * 2.0), [0, x])[1]
        np.testing.assert_allclose(f(np.array([1.0, 3.0])), [32.0, 96.0])
        concrete = next(iter(f._traces.values()))
        assert "StatelessWhile" in {op.type for op in concrete.graph.get_operations()}


def test_tape_inside_tf_function_differentiates_eager_variables_through_loops_and_conds():
    with tf.eager_mode():
        w = tf.Variable(0.5, dtype=tf.float64)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w), [0, x])
                z = tf.cond(y > 0.1, lambda: y * 2.0, lambda: y * w)
            return z, tape.gradient(z, w)
        z, g = step(tf.constant(1.0, tf.float64))   # y = w^3 = 0.125 > 0.1: z = 2 w^3
        assert float(z) == 0.25 and float(g) == pytest.approx(6 * 0.25)
        z, g = step(tf.constant(0.5, tf.float64))   # y = 0.0625: z = 0.5 w^4
        assert float(z) == pytest.approx(0.5 * 0.5 ** 4) and float(g) == pytest.approx(2 * 0.5 ** 3)


def test_closing_the_session_cancels_an_endless_loop():
    import threading
    started = threading.Event()

    def signal(k):
        started.set()
        return k
    x = tf.placeholder(tf.int64, [])
    k = tf.cond(tf.equal(x, 0), lambda: tf.py_func(signal, [x], tf.int64, stateful=True), lambda: x)
    endless = tf.while_loop(lambda k: k >= 0, lambda k: k + 1, [k])
    sess = tf.Session()
    outcome = []

    def run():
        try:
            sess.run(endless, {x: 0})
        except tf.errors.CancelledError as exc:
            outcome.append(exc)
    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60)
    sess.close()  # returns once the run has ended
    thread.join(60)
    assert not thread.is_alive() and len(outcome) == 1


def test_run_time_error_inside_the_body_names_the_node_and_the_users_line():
    x = tf.placeholder(tf.float32, [None])
    r = tf.while_loop(lambda k, y: k < 3, lambda k, y: (k + 1, tf.reshape(y, [2, -1])[0]), [0, x],
                      shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(r, {x: [1.0, 2.0, 3.0, 4.0]})
    message = str(info.value)
    assert "while/Reshape" in message and "test_while_loop.py" in message
    assert "tf.reshape(y, [2, -1])" in message
