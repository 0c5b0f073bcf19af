"""Op-table tests: every public op against its NumPy reference, with static shapes checked against real
outputs, for exact and unknown (`None`) input shapes; a coverage check over all registered OpDefs; and a
consistency check of the Session's kernels against build-time folding."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.op_def import registered_opdefs

from op_table import COVERED_ELSEWHERE, ROWS
from op_table_cases import FORWARD_CASES as CASES

FOLDABLE_CASES = [(row, i) for row, i in CASES if row.foldable]
UNFOLDABLE_CASES = [(row, i) for row, i in CASES if not row.foldable]


def _feed(sample, unknown):
    placeholders = []
    for arr in sample:
        shape = [None] * arr.ndim if unknown else arr.shape
        placeholders.append(tf.placeholder(tf.as_dtype(arr.dtype), shape))
    return placeholders, dict(zip(placeholders, sample))


@pytest.mark.parametrize("row, index", CASES, ids=[f"{r.name}-{i}" for r, i in CASES])
@pytest.mark.parametrize("unknown", [False, True], ids=["known", "unknown"])
def test_forward_matches_numpy(row, index, unknown):
    sample = row.samples[index]
    placeholders, feed = _feed(sample, unknown)
    out = row.fn(*placeholders)
    expected = np.asarray(row.ref(*sample))
    with tf.Session() as sess:
        got = np.asarray(sess.run(out, feed))
    assert got.shape == expected.shape
    if row.exact_dtype:
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert out.dtype.as_numpy_dtype == got.dtype.type
    np.testing.assert_allclose(got, expected, rtol=row.rtol, atol=row.atol)
    assert out.shape.is_compatible_with(got.shape)
    if not unknown and not row.data_dependent_shape:
        assert out.shape.as_list() == list(got.shape), "static shape must be fully known from known inputs"


def test_every_opdef_has_a_row():
    seen = set()
    for row in ROWS:
        for sample in row.samples:
            for unknown in (False, True):
                tf.reset_default_graph()
                placeholders, _ = _feed(sample, unknown)
                row.fn(*placeholders)
                seen.update(op.type for op in tf.get_default_graph().get_operations())
    missing = set(registered_opdefs()) - seen - COVERED_ELSEWHERE
    assert not missing, f"OpDefs without an op-table row: {sorted(missing)}"


@pytest.mark.consistency
@pytest.mark.parametrize("row, index", FOLDABLE_CASES, ids=[f"{r.name}-{i}" for r, i in FOLDABLE_CASES])
def test_consistency_session_kernels_vs_folded_forward(row, index):
    """Consistency, not correctness: the kernels a Session binds (fast paths included) agree with each OpDef's
    `forward`, which build-time constant folding (and eager mode) use. A rule both share goes unnoticed here;
    test_forward_matches_numpy checks values against the independent reference."""
    from neuroflow.framework.tensor_util import constant_value
    sample = row.samples[index]
    folded = constant_value(row.fn(*[tf.constant(a) for a in sample]))
    assert folded is not None, "folding gave nothing: declare foldable=False on the row if that is intended"
    placeholders, feed = _feed(sample, False)
    with tf.Session() as sess:
        got = np.asarray(sess.run(row.fn(*placeholders), feed))
    assert got.dtype == np.asarray(folded).dtype
    np.testing.assert_allclose(got, folded, rtol=1e-12, atol=0)


@pytest.mark.parametrize("row, index", UNFOLDABLE_CASES, ids=[f"{r.name}-{i}" for r, i in UNFOLDABLE_CASES])
def test_rows_declared_unfoldable_do_not_fold(row, index):
    """foldable=False must stay true (data-dependent shapes, runtime checks, size limits): a stale declaration
    would hide the row from the folding consistency check."""
    from neuroflow.framework.tensor_util import constant_value
    assert constant_value(row.fn(*[tf.constant(a) for a in row.samples[index]])) is None
