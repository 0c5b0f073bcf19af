"""Compiled (numba) fast kernels agree with the NumPy kernels they replace, and stay out of small programs."""
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel

pytest.importorskip("numba")


def _train(optimizer, use_numba, steps=4):
    tf.reset_default_graph()
    rng = np.random.default_rng(0)
    w = tf.Variable(rng.standard_normal((200, 200)).astype(np.float32))
    x = tf.constant(rng.standard_normal((16, 200)).astype(np.float32))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    train = optimizer().minimize(loss)
    saved = accel._available[0]
    accel._available[0] = use_numba
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            plan = list(sess._plans.values())[-1]
            used = any(getattr(s.kernel, "__module__", "").endswith("accel.optimizers")
                       for s in plan.program.steps)
            return sess.run(w), used
    finally:
        accel._available[0] = saved


@pytest.mark.parametrize("optimizer", [
    lambda: tf.train.AdamOptimizer(0.01),
    lambda: tf.train.MomentumOptimizer(0.01, 0.9),
    lambda: tf.train.GradientDescentOptimizer(0.1),
], ids=["adam", "momentum", "sgd"])
def test_fused_updates_match_numpy(optimizer):
    fast, used_fast = _train(optimizer, True)
    plain, used_plain = _train(optimizer, False)
    assert used_fast and not used_plain
    np.testing.assert_array_equal(fast, plain)  # same float32 operations in the same order: bitwise equal


def test_small_programs_never_import_numba():
    code = ("import sys, neuroflow as tf\n"
            "x = tf.placeholder(tf.float32, [2]); W = tf.Variable([0.2, 0.7])\n"
            "op = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(x * W))\n"
            "s = tf.Session(); s.run(tf.global_variables_initializer()); s.run(op, {x: [1.0, 1.0]})\n"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
