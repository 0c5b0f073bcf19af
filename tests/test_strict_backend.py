"""The backend boundary: every op-table row's graph, run with a strict array module as the Session's `xp`
(tests/strict_backend.py), gives the NumPy reference's values; a kernel that computes with NumPy behind its
`xp`, or hands back a NumPy array, fails here. No row is exempt: every kernel runs on any array module
that offers NumPy's names (CuPy's way)."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import program as program_module
from neuroflow.runtime.context import RunContext

import strict_backend
from op_table_cases import FORWARD_CASES
from strict_backend import StrictArray, backend


@pytest.fixture(autouse=True)
def _no_host_fast_kernels(monkeypatch):
    """The accelerated kernels (runtime/accel) are numba code for NumPy arrays: a backend has its own."""
    monkeypatch.setattr(program_module, "fast_kernel", lambda op, ctx: None)


def _run_strict(row, sample):
    """Lowers the row's graph with a strict-backend context (the plan's kernels bound to it; no rewrites, so
    every kernel runs), places feeds and constants on the backend, runs the steps and returns the fetch."""
    with tf.Graph().as_default():
        placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in sample]
        out = row.fn(*placeholders)
        program = program_module.lower([out], [], placeholders, RunContext(xp=backend))
    values = {v: backend.asarray(c) for v, c in program.consts.items()}
    values.update((i, backend.asarray(a)) for i, a in enumerate(sample))
    strict_backend.escapes.clear()
    with np.errstate(all="ignore"):
        for step in program.steps:
            result = step.kernel(*[values[v] for v in step.ins])
            results = [result] if len(step.outs) == 1 else result
            for v, r in zip(step.outs, results):
                assert type(r) is StrictArray, f"{step}: returned {type(r).__name__}, not a backend array"
                values[v] = r
    assert not strict_backend.escapes, strict_backend.escapes
    return backend.asnumpy(values[program.fetches[0]])


@pytest.mark.parametrize("row, index", FORWARD_CASES, ids=[f"{r.name}-{i}" for r, i in FORWARD_CASES])
def test_forward_on_strict_backend_matches_numpy(row, index):
    sample = row.samples[index]
    expected = np.asarray(row.ref(*sample))
    got = _run_strict(row, sample)
    assert got.shape == expected.shape
    if row.exact_dtype:
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=row.rtol, atol=row.atol)


def test_strict_backend_refuses_numpy_on_its_arrays():
    x = backend.asarray(np.arange(6.0).reshape(2, 3))
    for escape in (lambda: np.exp(x), lambda: np.asarray(x), lambda: np.concatenate([x, x]),
                   lambda: backend.add(x, np.ones(3)), lambda: np.sum(x)):
        with pytest.raises(strict_backend.BackendEscape):
            escape()
    np.testing.assert_array_equal(backend.asnumpy(backend.exp(x) + 1), np.exp(np.arange(6.0).reshape(2, 3)) + 1)
    assert np.shape(x) == (2, 3) and float(x[1, 2]) == 5.0
