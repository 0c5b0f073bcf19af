"""Eager execution on a GPU, without a GPU: a fake device whose array module is the strict backend (arrays that
refuse every silent trip to NumPy) stands for CuPy. Checks where eager tensors and variables live, the device
names they report, the copies (counted) TensorFlow would make, and that values and gradients equal the CPU's."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.eager.state import context as eager_context
from neuroflow.runtime import backend_gpu

import strict_backend
from neuroflow.eager import EagerTensor
from op_table_cases import FORWARD_CASES, GRADIENT_CASES
from strict_backend import StrictArray, backend

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


def _fake_gpu(index=0):
    return backend_gpu.GpuDevice(index, backend, backend.asarray, strict_backend.asnumpy, "Fake GPU", 1 << 30,
                                 "0000:00:00.0", "9.0")


@pytest.fixture
def gpu():
    backend_gpu.set_devices_for_testing([_fake_gpu(0), _fake_gpu(1)])
    backend_gpu.reset_copy_counts()
    strict_backend.escapes.clear()
    with tf.eager_mode():
        yield
    backend_gpu.set_devices_for_testing(None)
    assert strict_backend.escapes == []


def _counts():
    return backend_gpu.copy_counts()


def test_tensors_live_on_the_gpu_and_numpy_copies_back_once(gpu):
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert _counts() == {"host_to_device": 1, "device_to_host": 0}  # the constant goes up once
    b = tf.matmul(a, a) + 1.0
    assert type(b._value) is StrictArray and b.device == GPU0 and a.device == GPU0
    assert _counts() == {"host_to_device": 2, "device_to_host": 0}  # the Python 1.0 became a constant too
    value = b.numpy()
    assert type(value) is np.ndarray and _counts()["device_to_host"] == 1
    np.testing.assert_allclose(value, np.array([[7.0, 10.0], [15.0, 22.0]], np.float32) + 1.0)
    assert float(tf.reduce_sum(b)) == float(np.sum(value))


def test_a_cpu_pin_runs_there_and_inputs_are_copied_to_the_ops_device(gpu):
    a = tf.constant([1.0, 4.0, 9.0])
    with tf.device("/cpu:0"):
        c = tf.constant([1.0, 1.0, 1.0])
        s = tf.sqrt(a)  # a comes down to the CPU op
    assert c.device == CPU0 and s.device == CPU0 and type(s._value) is np.ndarray
    backend_gpu.reset_copy_counts()
    d = s * a  # on the GPU: s goes up, a is already there
    assert d.device == GPU0 and _counts() == {"host_to_device": 1, "device_to_host": 0}
    with tf.device("/gpu:1"):
        e = tf.identity(d)
    assert e.device == GPU0.replace("GPU:0", "GPU:1") and type(e._value) is StrictArray
    assert _counts() == {"host_to_device": 2, "device_to_host": 1}  # GPU:0 -> host -> GPU:1
    np.testing.assert_allclose(e.numpy(), [1.0, 8.0, 27.0])


def test_int32_shape_arithmetic_stays_in_host_memory(gpu):
    x = tf.ones([2, 3])
    shape = tf.shape(x)
    assert x.device == GPU0 and shape.device == CPU0 and type(shape._value) is np.ndarray
    y = tf.reshape(x, shape * tf.constant([3, 1]) // tf.constant([3, 1]))
    assert y.device == GPU0 and y.shape.as_list() == [2, 3]


def test_variables_live_on_their_device_and_gradient_tape_matches_the_cpu(gpu):
    def train(steps=3):
        w = tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2))
        step = tf.Variable(0)
        x = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3) / 10)
        opt = tf.train.AdamOptimizer(0.1)
        losses = []
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.nn.relu(tf.matmul(x, w)) - 1.0))
            grads = tape.gradient(loss, [w])
            opt.apply_gradients(zip(grads, [w]))
            step.assign_add(1)
            losses.append(loss.numpy())
        return w, step, losses, grads[0]

    w, step, losses, grad = train()
    assert w.device == GPU0 and step.device == CPU0  # int32 variables stay in host memory
    assert type(eager_context.variables[w._key]) is StrictArray
    assert grad.device == GPU0
    backend_gpu.reset_copy_counts()
    final = w.numpy()
    assert type(final) is np.ndarray and _counts() == {"host_to_device": 0, "device_to_host": 1}
    backend_gpu.set_devices_for_testing([])
    cpu_w, cpu_step, cpu_losses, _ = train()
    assert cpu_w.device == CPU0
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-6)
    np.testing.assert_allclose(final, cpu_w.numpy(), rtol=1e-6)
    assert int(step.numpy()) == int(cpu_step.numpy()) == 3


def test_without_a_gpu_eager_tensors_stay_numpy_and_nothing_is_copied():
    backend_gpu.set_devices_for_testing([])
    backend_gpu.reset_copy_counts()
    try:
        with tf.eager_mode():
            with tf.device("/gpu:0"):  # TF2 eager's soft placement: a pin to a missing GPU falls back
                t = tf.constant([1.0, 2.0]) * 2.0
            v = tf.Variable([1.0])
        assert type(t._value) is np.ndarray and t.device == CPU0 and v.device == CPU0
        assert _counts() == {"host_to_device": 0, "device_to_host": 0}
    finally:
        backend_gpu.set_devices_for_testing(None)


EAGER_CASES = [pytest.param(row, i, id=f"{row.name}-{i}") for row, i in FORWARD_CASES if not row.graph_only]


@pytest.mark.parametrize("row, index", EAGER_CASES)
def test_eager_op_table_on_the_fake_gpu_equals_the_cpu(row, index):
    """Every eager op-table case with its ops on the strict fake GPU (host inputs copied to the ops' device):
    no kernel touches NumPy, and the values equal the CPU's bit for bit (the same NumPy underneath)."""
    sample = row.samples[index]
    backend_gpu.set_devices_for_testing([])
    try:
        with tf.eager_mode():
            cpu = row.fn(*[EagerTensor(np.asarray(a)) for a in sample]).numpy()
            backend_gpu.set_devices_for_testing([_fake_gpu()])
            strict_backend.escapes.clear()
            out = row.fn(*[EagerTensor(np.asarray(a)) for a in sample])
            got = out.numpy()
    finally:
        backend_gpu.set_devices_for_testing(None)
    assert strict_backend.escapes == []
    assert np.shape(got) == np.shape(cpu) and np.asarray(got).dtype == np.asarray(cpu).dtype
    np.testing.assert_array_equal(got, cpu)


TAPE_CASES = [pytest.param(case, id=case.id) for case in GRADIENT_CASES if not case.row.graph_only]


def _tape_gradients(case):
    weights = np.random.default_rng(case.index).standard_normal(case.output_shape)
    with tf.eager_mode():
        inputs = [EagerTensor(np.asarray(a)) for a in case.sample]
        watched = [t for t, moved in zip(inputs, case.perturbed) if moved]
        with tf.GradientTape() as tape:
            tape.watch(watched)
            loss = tf.reduce_sum(case.row.fn(*inputs) * weights)
        return [None if g is None else tf.convert_to_tensor(g).numpy() for g in tape.gradient(loss, watched)]


@pytest.mark.parametrize("case", TAPE_CASES)
def test_tape_gradients_on_the_fake_gpu_equal_the_cpu(case):
    """Every op-table gradient case through GradientTape with its ops on the strict fake GPU."""
    backend_gpu.set_devices_for_testing([])
    try:
        expected = _tape_gradients(case)
        backend_gpu.set_devices_for_testing([_fake_gpu()])
        strict_backend.escapes.clear()
        got = _tape_gradients(case)
    finally:
        backend_gpu.set_devices_for_testing(None)
    assert strict_backend.escapes == []
    assert [g is None for g in got] == [e is None for e in expected]
    for g, e in zip(got, expected):
        if g is not None:
            np.testing.assert_array_equal(g, e)
