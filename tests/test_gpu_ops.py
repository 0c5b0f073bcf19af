"""The op table on a real GPU (CuPy): every forward row through a Session that places its ops on `/device:GPU:0`
against the row's NumPy reference, every gradient case and the optimizer updates against a CPU session, and the
copy counts of a training loop; then eager mode on the GPU (the eager forward rows, GradientTape training, the
tensors' devices and copies). Marked `gpu`; the whole module skips cleanly where no GPU is visible
(benchmarks/gpu_check.sh runs it on a GPU machine)."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import backend_gpu, placement

from op_table_cases import FORWARD_CASES, GRADIENT_CASES

pytestmark = pytest.mark.gpu

if not backend_gpu.gpu_devices():
    pytest.skip("no GPU visible (needs `pip install \"neuroflow[gpu]\"` and an NVIDIA GPU)", allow_module_level=True)

import cupy  # noqa: E402 - only where a GPU is visible

GPUS = backend_gpu.gpu_devices()


def _tolerances(row, dtype):
    """The row's tolerances, widened to what a GPU's float arithmetic may differ by from NumPy's (its own
    transcendental functions and summation orders; TF32 is off in CuPy by default)."""
    if dtype == np.float16:
        return max(row.rtol, 1e-3), max(row.atol, 1e-3)
    if dtype == np.float32 or dtype == np.complex64:
        return max(row.rtol, 2e-5), max(row.atol, 1e-6)
    return max(row.rtol, 1e-12), row.atol


def _on_cpu():
    """A context where the session sees no GPU (the CPU reference run)."""
    class _Cpu:
        def __enter__(self):
            backend_gpu.set_devices_for_testing([])

        def __exit__(self, *exc):
            backend_gpu.set_devices_for_testing(None)
    return _Cpu()


def _placeholders(sample, unknown=False):
    return [tf.placeholder(tf.as_dtype(a.dtype), [None] * a.ndim if unknown else a.shape) for a in sample]


@pytest.mark.parametrize("row, index", FORWARD_CASES, ids=[f"{r.name}-{i}" for r, i in FORWARD_CASES])
@pytest.mark.parametrize("unknown", [False, True], ids=["known", "unknown"])
def test_forward_on_gpu_matches_numpy(row, index, unknown):
    sample = row.samples[index]
    expected = np.asarray(row.ref(*sample))
    with tf.Graph().as_default():
        placeholders = _placeholders(sample, unknown)
        out = row.fn(*placeholders)
        with tf.Session() as sess:
            got = np.asarray(sess.run(out, dict(zip(placeholders, sample))))
            placer = placement.placer_for(sess._ctx)
            # Every op with a GPU kernel ran on the GPU (an op on a CPU variable would follow it; rows have none).
            stayed = [op.name for op in tf.get_default_graph().get_operations()
                      if placement.has_gpu_kernel(op) and placer.device_of(op) == "/device:CPU:0"]
    assert got.shape == expected.shape
    if row.exact_dtype:
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    rtol, atol = _tolerances(row, expected.dtype)
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, expected)
    assert stayed == []


def _gradients(row, xs):
    grads = tf.gradients(tf.reduce_sum(row.fn(*xs)), [x for x in xs if x.dtype.is_floating])
    return [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads if g is not None]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[c.id for c in GRADIENT_CASES])
def test_gradient_graph_on_gpu_matches_the_cpu(case):
    with tf.Graph().as_default():
        placeholders = _placeholders(case.sample)
        grads = _gradients(case.row, placeholders)
        feed = dict(zip(placeholders, case.sample))
        with _on_cpu(), tf.Session() as sess:
            expected = sess.run(grads, feed)
        with tf.Session() as sess:
            got = sess.run(grads, feed)
    for g, e in zip(got, expected):
        rtol, atol = _tolerances(case.row, np.asarray(e).dtype)
        np.testing.assert_allclose(g, e, rtol=rtol * 10, atol=atol * 10)


OPTIMIZERS = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1),
}


def _train(name, steps=3):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 2])
        w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]), name="w")
        loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0))
        train = OPTIMIZERS[name]().minimize(loss)
        data = np.array([[1.0, 2.0], [-3.0, 0.5]])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            backend_gpu.reset_copy_counts()
            losses = [sess.run([loss, train], {x: data})[0] for _ in range(steps)]
            counts = backend_gpu.copy_counts()
            return losses, sess.run(w), type(sess._ctx.variables[w.op.name]), counts


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_on_gpu_matches_the_cpu_and_keeps_variables_on_the_device(name):
    losses, w, storage, counts = _train(name)
    with _on_cpu():
        cpu_losses, cpu_w, cpu_storage, _ = _train(name)
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-10)
    np.testing.assert_allclose(w, cpu_w, rtol=1e-10)
    assert storage is cupy.ndarray and cpu_storage is np.ndarray
    assert counts == {"host_to_device": 3, "device_to_host": 3}  # one feed up, one fetch down per step


def test_device_queries_name_the_real_card():
    assert tf.test.is_gpu_available() and tf.test.gpu_device_name() == "/device:GPU:0"
    from neuroflow.python.client import device_lib
    gpu = [d for d in device_lib.list_local_devices() if d.device_type == "GPU"]
    assert len(gpu) == len(GPUS) and gpu[0].memory_limit > 0 and "compute capability" in gpu[0].physical_device_desc


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_updates_build_and_run_on_cupy(name):
    """The fused optimizer updates (runtime/accel_gpu.py) compile on this CuPy: no fallback warning."""
    import warnings

    from neuroflow.runtime import accel_gpu
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _train(name)
    assert any(key[0].startswith("Apply") for key in accel_gpu._built)


# --- eager mode on the GPU ----------------------------------------------------------------------------------------
GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
EAGER_CASES = [pytest.param(row, i, id=f"{row.name}-{i}") for row, i in FORWARD_CASES if not row.graph_only]


@pytest.mark.parametrize("row, index", EAGER_CASES)
def test_eager_forward_on_gpu_matches_numpy(row, index):
    from neuroflow.eager import EagerTensor
    sample = row.samples[index]
    expected = np.asarray(row.ref(*sample))
    with tf.eager_mode():
        got = np.asarray(row.fn(*[EagerTensor(np.asarray(a)) for a in sample]).numpy())
    assert got.shape == expected.shape
    rtol, atol = _tolerances(row, expected.dtype)
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, expected)


def _eager_train(steps=3):
    with tf.eager_mode():
        w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]))
        x = tf.constant(np.array([[1.0, 2.0], [-3.0, 0.5]]))
        opt = tf.train.AdamOptimizer(0.1)
        losses = []
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0))
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
            losses.append(loss.numpy())
        from neuroflow.eager.state import context
        return losses, w.numpy(), w.device, type(context.variables[w._key]), loss.device


def test_eager_training_on_gpu_matches_the_cpu_and_keeps_variables_there():
    backend_gpu.reset_copy_counts()
    losses, w, device, storage, loss_device = _eager_train()
    with _on_cpu():
        cpu_losses, cpu_w, cpu_device, cpu_storage, _ = _eager_train()
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-10)
    np.testing.assert_allclose(w, cpu_w, rtol=1e-10)
    assert device == loss_device == GPU0 and storage is cupy.ndarray and cpu_storage is np.ndarray
    assert cpu_device.endswith("CPU:0")


def test_eager_tensors_report_their_device_and_copy_back_on_numpy():
    with tf.eager_mode():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        b = tf.matmul(a, a)
        assert b.device == GPU0 and isinstance(b._value, cupy.ndarray)
        backend_gpu.reset_copy_counts()
        value = b.numpy()
        assert type(value) is np.ndarray and backend_gpu.copy_counts()["device_to_host"] == 1
        with tf.device("/cpu:0"):
            c = tf.identity(b)
        assert c.device.endswith("CPU:0") and type(c._value) is np.ndarray
    np.testing.assert_allclose(value, [[7.0, 10.0], [15.0, 22.0]])
