"""The GPU's fused optimizer updates (runtime/accel_gpu.py) without a GPU: each C source, read as the statements
it is, computes what its OpDef's `update` computes (bit for bit on NumPy), and the placement uses them through a
fake CuPy whose ElementwiseKernel runs those statements on the strict backend's arrays; a kernel CuPy cannot
build falls back to the OpDef's own kernel."""
import re
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel_gpu, backend_gpu

import strict_backend
from strict_backend import StrictArray, backend

CASES = [(opdef, nesterov) for opdef, sources in accel_gpu.FUSED_UPDATES.items() for nesterov in sources]
IDS = [f"{opdef.type_name}{'-nesterov' if nesterov else ''}" for opdef, nesterov in CASES]


def _as_python(source):
    """The C statements of a fused source as Python statements over NumPy arrays (same operations, same order)."""
    text = source.replace("(T)1", "one").replace("sqrt(", "np.sqrt(")
    text = re.sub(r"\bT (\w+) =", r"\1 =", text)
    return "\n".join(s.strip() for s in text.split(";") if s.strip())


def _run_source(source, dtype, values, refs):
    scope = dict(values, **refs, np=np, one=np.ones((), dtype))
    exec(_as_python(source), scope)  # noqa: S102 - our own kernel sources, read as Python for the check
    return scope


def _inputs(opdef, dtype, rng):
    values = {}
    for name in opdef.input_names:
        if name in opdef.ref_names or name in ("grad", "delta"):
            values[name] = rng.uniform(0.1, 1.0, (3, 4)).astype(dtype)
        else:
            values[name] = np.asarray(rng.uniform(0.05, 0.9), dtype)
    return values


@pytest.mark.parametrize("opdef, nesterov", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_each_fused_source_is_its_opdefs_update(opdef, nesterov, dtype):
    inputs = _inputs(opdef, dtype, np.random.default_rng(7))
    refs = {n: inputs[n].copy() for n in opdef.ref_names}
    values = {n: v for n, v in inputs.items() if n not in opdef.ref_names}
    _run_source(accel_gpu.FUSED_UPDATES[opdef][nesterov], dtype, values, refs)
    expected = {n: inputs[n].copy() for n in opdef.ref_names}
    attrs = {"use_nesterov": True} if nesterov else {}
    opdef.update(np, *expected.values(), *values.values(), **attrs)
    for name in opdef.ref_names:
        np.testing.assert_array_equal(refs[name], expected[name], err_msg=name)


class _FakeElementwiseKernel:
    """CuPy's ElementwiseKernel as the tests need it: in params, out params (updated in place), C statements."""
    built = []
    refuse = False

    def __init__(self, in_params, out_params, operation, name, options=()):
        if _FakeElementwiseKernel.refuse:
            raise RuntimeError("nvrtc: compilation failed")
        self.ins = [p.split()[1] for p in in_params.split(", ")]
        self.outs = [p.split()[1] for p in out_params.split(", ")]
        self.operation, self.name = operation, name
        _FakeElementwiseKernel.built.append(name)

    def __call__(self, *args):
        arrays = [a._a if type(a) is StrictArray else a for a in args]
        values, refs = dict(zip(self.ins, arrays)), dict(zip(self.outs, arrays[len(self.ins):]))
        _run_source(self.operation, refs[self.outs[0]].dtype, values, refs)


@pytest.fixture
def fake_cupy_gpu():
    xp = type(sys)("fake_cupy_with_kernels")
    xp.__getattr__ = lambda name: getattr(backend, name)  # the strict backend, plus ElementwiseKernel
    xp.ElementwiseKernel = _FakeElementwiseKernel
    backend_gpu.set_devices_for_testing([backend_gpu.GpuDevice(0, xp, backend.asarray, strict_backend.asnumpy)])
    accel_gpu._built.clear()
    _FakeElementwiseKernel.built.clear()
    strict_backend.escapes.clear()
    yield
    _FakeElementwiseKernel.refuse = False
    accel_gpu._built.clear()
    backend_gpu.set_devices_for_testing(None)
    assert strict_backend.escapes == []


def _train(optimizer):
    tf.reset_default_graph()
    x = tf.constant(np.array([[1.0, 2.0], [-3.0, 0.5]]))
    w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]), name="w")
    train = optimizer().minimize(tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        return sess.run(w)


OPTIMIZERS = [lambda: tf.train.AdamOptimizer(0.1), lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
              lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True)]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=["adam", "nesterov", "centered_rmsprop"])
def test_gpu_steps_use_the_fused_update_and_match_the_cpu(fake_cupy_gpu, optimizer):
    on_gpu = _train(optimizer)
    assert len(_FakeElementwiseKernel.built) == 1
    backend_gpu.set_devices_for_testing([])
    np.testing.assert_array_equal(on_gpu, _train(optimizer))


def test_a_fused_kernel_cupy_cannot_build_falls_back_to_the_opdefs(fake_cupy_gpu):
    _FakeElementwiseKernel.refuse = True
    with pytest.warns(RuntimeWarning, match="fused GPU ApplyAdam unavailable"):
        on_gpu = _train(OPTIMIZERS[0])
    backend_gpu.set_devices_for_testing([])
    np.testing.assert_array_equal(on_gpu, _train(OPTIMIZERS[0]))


def test_fused_updates_can_be_turned_off(fake_cupy_gpu, monkeypatch):
    monkeypatch.setenv(accel_gpu.FUSED_ENV, "0")
    _train(OPTIMIZERS[0])
    assert _FakeElementwiseKernel.built == []
