"""runtime/accel/activations.py: the compiled Relu, ReluGrad and BiasAdd (and BiasAdd taking in its Relu) that
plans on OpenBLAS's own threads get give bitwise the plain kernels' results (NaN, infinities and signed zeros
included), in both float dtypes, fall back to them for what they do not take (and raise their errors), and leave
small arrays to NumPy without importing numba."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops import nn_ops
from neuroflow.runtime import accel, blas_threads
from neuroflow.runtime.accel import activations

pytest.importorskip("numba")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def pool_off(monkeypatch):
    """The kernels are bound in plans compiled while the BLAS pool is off (a process that built no compiled
    convolution); another test may have turned it on in this process."""
    monkeypatch.setitem(blas_threads._state, "threads", 1)
    monkeypatch.setitem(blas_threads._state, "pool", None)


def _values(shape, dtype, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:6] = [np.nan, np.inf, -np.inf, -0.0, 0.0, -np.nan]
    flat[6:40:3] = -0.0
    return x


def _run(build, arrays, fast):
    """(fetched values of build(*placeholders), op types of the steps its plan ran), with the fast kernels on or
    off."""
    tf.reset_default_graph()
    phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in arrays]
    out = build(*phs)
    saved = accel._FACTORIES
    accel._FACTORIES = saved if fast else {}
    try:
        with tf.Session() as sess:
            feed = dict(zip(phs, arrays))
            sess.run(out, feed)
            values = sess.run(out, feed)
            plan = [p for p in sess._plans.values() if p._compiled][-1]
            types = [s.op.type for code in plan._compiled.values() for s in code.program.steps]
    finally:
        accel._FACTORIES = saved
    return values, types


def _same_bits(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def _dense(x, g):
    bias = tf.constant(np.linspace(-1, 1, x.shape[-1]).astype(x.dtype.as_numpy_dtype))
    y = tf.nn.relu(tf.nn.bias_add(x, bias))
    alone = tf.nn.bias_add(x, -bias)   # fetched: its Relu below cannot take it in
    return [y, tf.nn.relu(x), alone, tf.nn.relu(alone)] + tf.gradients(y, [x], grad_ys=g)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(128, 160), (4, 8, 8, 80)], ids=["dense", "nhwc"])
def test_bitwise_the_plain_kernels_and_bias_add_takes_in_its_relu(dtype, shape):
    arrays = [_values(shape, dtype), _values(shape, dtype, seed=1)]
    assert arrays[0].size >= activations.MIN_ELEMENTS
    fast, fast_types = _run(_dense, arrays, True)
    plain, plain_types = _run(_dense, arrays, False)
    _same_bits(fast, plain)
    assert plain_types.count("Relu") == 3 and fast_types.count("Relu") == 2   # one Relu went into its BiasAdd
    relu = fast[1]
    assert not np.signbit(relu[arrays[0] == 0]).any() and np.isnan(relu).sum() == 2


def test_small_arrays_stay_with_numpy_without_importing_numba():
    child = ("import sys, numpy as np, neuroflow as tf\n"
             "x = tf.placeholder(tf.float32, [None, 16])\n"
             "y = tf.nn.relu(tf.nn.bias_add(x, tf.ones([16])))\n"
             "g = tf.gradients(tf.reduce_sum(y * y), x)\n"
             "with tf.Session() as sess:\n"
             "    for _ in range(3): sess.run([y, g], {x: np.ones((8, 16), np.float32)})\n"
             "assert 'numba' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert done.returncode == 0, done.stderr


def test_what_they_do_not_take_goes_to_the_plain_kernels():
    relu = activations.relu(lambda x: "plain")
    grad = activations.relu_grad(lambda g, x: "plain")
    big = np.ones(activations.MIN_ELEMENTS, np.float32)
    assert relu(-big).tobytes() == np.zeros_like(big).tobytes()   # contiguous, large enough: compiled
    assert relu(np.ones((2, activations.MIN_ELEMENTS), np.float32)[:, ::2]) == "plain"   # strided
    assert relu(big.astype(np.int32)) == "plain"
    assert relu(np.ones(8, np.float32)) == "plain"
    assert grad(big, big.astype(np.float64)) == "plain" and grad(big, big[:-1]) == "plain"


def test_bias_errors_are_tensorflows():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None])
        b = tf.placeholder(tf.float32, [None])
        y = tf.nn.relu(tf.nn.bias_add(x, b))
        with tf.Session() as sess:
            big = np.ones((128, 160), np.float32)
            assert sess.run(y, {x: big, b: np.ones(160, np.float32)}).sum() == 2 * big.size
            with pytest.raises(tf.errors.InvalidArgumentError, match="Must provide as many biases"):
                sess.run(y, {x: big, b: np.ones(7, np.float32)})
