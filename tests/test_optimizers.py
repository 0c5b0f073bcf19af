"""Optimizers: each checked step by step against a NumPy implementation of TensorFlow 1.x's rule (REFERENCE.md),
convergence on a small regression, the Optimizer API (slots, variables, global step), and lr schedules."""
import numpy as np
import pytest

import neuroflow as tf


def _numpy_steps(name, kwargs, w0, grads_fn, steps):
    """Reference implementations of the update rules, in float64."""
    w = w0.astype(np.float64).copy()
    # Python hyperparameters become float32 tensors (then cast to the variable's dtype), as in TensorFlow.
    kwargs = {k: float(np.float32(v)) if isinstance(v, float) else v for k, v in kwargs.items()}
    lr = kwargs.get("learning_rate", float(np.float32(0.001)))
    state = {}
    out = []
    for t in range(1, steps + 1):
        g = grads_fn(w)
        if name == "GradientDescent":
            w = w - lr * g
        elif name == "Momentum":
            mom, nesterov = kwargs["momentum"], kwargs.get("use_nesterov", False)
            acc = state.get("acc", np.zeros_like(w)) * mom + g
            state["acc"] = acc
            w = w - lr * (g + mom * acc) if nesterov else w - lr * acc
        elif name == "Adagrad":
            acc = state.get("acc", np.full_like(w, kwargs.get("initial_accumulator_value", 0.1))) + g * g
            state["acc"] = acc
            w = w - lr * g / np.sqrt(acc)
        elif name == "Adadelta":
            rho, eps = kwargs.get("rho", float(np.float32(0.95))), kwargs.get("epsilon", float(np.float32(1e-8)))
            acc = rho * state.get("acc", np.zeros_like(w)) + (1 - rho) * g * g
            au = state.get("au", np.zeros_like(w))
            upd = np.sqrt(au + eps) / np.sqrt(acc + eps) * g
            state["au"] = rho * au + (1 - rho) * upd * upd
            state["acc"] = acc
            w = w - lr * upd
        elif name == "RMSProp":
            decay, mom, eps = kwargs.get("decay", float(np.float32(0.9))), kwargs.get("momentum", 0.0), kwargs.get("epsilon", float(np.float32(1e-10)))
            ms = decay * state.get("ms", np.ones_like(w)) + (1 - decay) * g * g
            state["ms"] = ms
            if kwargs.get("centered"):
                mg = decay * state.get("mg", np.zeros_like(w)) + (1 - decay) * g
                state["mg"] = mg
                denom = np.sqrt(ms - mg * mg + eps)
            else:
                denom = np.sqrt(ms + eps)
            m = mom * state.get("mom", np.zeros_like(w)) + lr * g / denom
            state["mom"] = m
            w = w - m
        elif name == "Adam":
            b1, b2, eps = kwargs.get("beta1", float(np.float32(0.9))), kwargs.get("beta2", float(np.float32(0.999))), kwargs.get("epsilon", float(np.float32(1e-8)))
            # beta1_power and beta2_power are float32 variables multiplied by float32 betas each step.
            state["p1"] = np.float32(state.get("p1", np.float32(1.0)) * np.float32(b1))
            state["p2"] = np.float32(state.get("p2", np.float32(1.0)) * np.float32(b2))
            lr_t = lr * np.sqrt(1 - float(state["p2"])) / (1 - float(state["p1"]))
            m = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * g
            v = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * g * g
            state["m"], state["v"] = m, v
            w = w - lr_t * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return out


OPTIMIZERS = [
    ("GradientDescent", tf.train.GradientDescentOptimizer, {"learning_rate": 0.1}),
    ("Momentum", tf.train.MomentumOptimizer, {"learning_rate": 0.05, "momentum": 0.9}),
    ("Momentum", tf.train.MomentumOptimizer, {"learning_rate": 0.05, "momentum": 0.9, "use_nesterov": True}),
    ("Adagrad", tf.train.AdagradOptimizer, {"learning_rate": 0.3}),
    ("Adadelta", tf.train.AdadeltaOptimizer, {"learning_rate": 1.0}),
    ("Adadelta", tf.train.AdadeltaOptimizer, {}),
    ("RMSProp", tf.train.RMSPropOptimizer, {"learning_rate": 0.01}),
    ("RMSProp", tf.train.RMSPropOptimizer, {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", tf.train.AdamOptimizer, {"learning_rate": 0.1}),
    ("Adam", tf.train.AdamOptimizer, {}),
]
IDS = [f"{n}-{i}" for i, (n, _, _) in enumerate(OPTIMIZERS)]
# Final / first loss that each seeded regression run reaches, with a margin of a few times: most reach float32's
# floor (at most 1.4e-13); Adadelta (slow by design) reaches 5.9e-5 and RMSProp at a constant rate 5.4e-4.
CONVERGED_RATIO = {"Adadelta-4": 2e-4, "Adadelta-5": 2e-4, "RMSProp-6": 2e-3}


@pytest.mark.parametrize("name, cls, kwargs", OPTIMIZERS, ids=IDS)
def test_steps_match_the_numpy_rule(name, cls, kwargs):
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    target = np.array([1.0, 2.0])
    w0 = np.array([0.3, -0.4])
    w = tf.Variable(w0, dtype=tf.float64)
    loss = tf.reduce_sum(tf.square(tf.matmul(a, tf.reshape(w, [2, 1]))[:, 0] - target))
    train = cls(**kwargs).minimize(loss)
    expected = _numpy_steps(name, kwargs, w0, lambda v: 2 * a.T @ (a @ v - target), 8)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for want in expected:
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name, cls, kwargs", OPTIMIZERS, ids=IDS)
def test_converges_on_a_small_regression(name, cls, kwargs):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 3)).astype(np.float32)
    true_w = np.array([[1.5], [-2.0], [0.5]], np.float32)
    ys = xs @ true_w + 0.3
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    settings = dict(kwargs)
    steps = 400
    if name == "Adadelta":  # slow to start by design (its first steps are about sqrt(epsilon) in size)
        settings.update(learning_rate=1.0, epsilon=1e-6)
        steps = 1500
    elif name in ("Adam", "RMSProp") and "learning_rate" not in kwargs or name == "RMSProp":
        settings["learning_rate"] = 0.05
    train = cls(**settings).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: xs, y: ys})
        for _ in range(steps):
            sess.run(train, {x: xs, y: ys})
        last = sess.run(loss, {x: xs, y: ys})
    assert last < CONVERGED_RATIO.get(IDS[OPTIMIZERS.index((name, cls, kwargs))], 1e-12) * first, (first, last)


def test_lecture_training_prints_tensorflows_numbers():
    x = tf.placeholder(tf.float32, [2])
    target = tf.placeholder(tf.float32)
    W = tf.Variable([0.2, 0.7])
    y = tf.reduce_sum(x * W)
    loss = tf.pow(target - y, 2)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    printed = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            result, none = sess.run([y, train_op], feed_dict={x: [1, 1], target: 20})
            assert none is None and isinstance(result, np.float32)
            printed.append(str(result))
    assert " ".join(printed) == ("0.9 8.54 13.124001 15.874401 17.52464 18.514786 19.108871 19.46532 19.679192 "
                                 "19.807514")


def test_optimizer_api_slots_variables_and_names():
    w = tf.Variable([1.0, 2.0], name="W")
    b = tf.Variable(0.5, name="b")
    loss = tf.reduce_sum(w * w) + b * b
    opt = tf.train.AdamOptimizer()
    grads_and_vars = opt.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [w, b] and all(g is not None for g, _ in grads_and_vars)
    step = tf.train.get_or_create_global_step()
    train = opt.apply_gradients(grads_and_vars, global_step=step)
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(w, "m").name == "W/Adam:0" and opt.get_slot(w, "v").name == "W/Adam_1:0"
    assert [v.name for v in opt.variables()] == ["W/Adam:0", "W/Adam_1:0", "b/Adam:0", "b/Adam_1:0",
                                                 "beta1_power:0", "beta2_power:0"]
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    assert not any(v.trainable for v in opt.variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        assert sess.run(step) == 3
        np.testing.assert_allclose(sess.run(opt._get_beta_accumulators()[0]), 0.9 ** 4, rtol=1e-6)


def test_minimize_options_and_errors():
    w = tf.Variable(1.0, name="w")
    frozen = tf.Variable(1.0, name="frozen")
    loss = w * w + frozen * frozen
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss, var_list=[w])
    assert train.name == "GradientDescent"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([w, frozen]) == [0.5, 1.0]
    unrelated = tf.Variable(1.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0, var_list=[unrelated])
    with pytest.raises(ValueError, match="Invalid type tf.int32"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1) * 2)


def test_variables_without_gradient_are_skipped(sess):
    a = tf.Variable(2.0)
    b = tf.Variable(3.0)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(a * a)  # b has no gradient: skipped
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    assert sess.run([a, b]) == [0.0, 3.0]


def test_learning_rate_as_placeholder_and_tensor(sess):
    w = tf.Variable(1.0)
    lr = tf.placeholder(tf.float32, [])
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * w)
    sess.run(w.initializer)
    sess.run(train, {lr: 0.25})
    assert sess.run(w) == 0.5
    sess.run(train, {lr: 0.0})
    assert sess.run(w) == 0.5


def test_exponential_decay_and_piecewise_constant(sess):
    step = tf.Variable(0, dtype=tf.int64)
    lr = tf.train.exponential_decay(0.1, step, 10, 0.5)
    stair = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    piece = tf.train.piecewise_constant(step, [5, 15], [1.0, 0.5, 0.1])
    sess.run(step.initializer)
    for s, want_lr, want_stair, want_piece in [(0, 0.1, 0.1, 1.0), (5, 0.1 * 0.5 ** 0.5, 0.1, 1.0),
                                                (15, 0.1 * 0.5 ** 1.5, 0.05, 0.5), (20, 0.025, 0.025, 0.1)]:
        sess.run(step.assign(s))
        got = sess.run([lr, stair, piece])
        np.testing.assert_allclose(got, [want_lr, want_stair, want_piece], rtol=1e-6)
