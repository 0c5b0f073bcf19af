"""Reads and updates of reference variables in one run happen in TensorFlow 1.x's order: a read that an update
precedes by data or control dependency sees the update (an Assign, AssignAdd/AssignSub, an optimizer's Apply*,
a scatter, a loop or a branch that writes the variable; an ExponentialMovingAverage after the train op), values
computed before it keep theirs, and a fetched variable (or identity of one, or an update's output) shows the
variable when the run ends. TensorFlow's answers for the graphs of tests/data/variable_ordering/cases.py are
stored in reference.json (make_reference.py); neuroflow must give them through its plain generated code,
through the tiny VM and through scalar code. The lowering's read placement is checked too: one read per variable
in a training step."""
import importlib.util
import json
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import tiny_plan, tiny_scalar
from neuroflow.runtime.compiler.program import READ, lower

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "variable_ordering")
_spec = importlib.util.spec_from_file_location("variable_ordering_cases", os.path.join(HERE, "cases.py"))
_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cases)
CASES, run_case = _cases.CASES, _cases.run_case

with open(os.path.join(HERE, "reference.json")) as _f:
    REFERENCE = json.load(_f)

# The cases whose plans are tiny enough for the VM (float32 elementwise work, Assign, plain/momentum/Adam updates).
VM_CASES = {"assign_then_identity", "chained_assigns", "fetch_snapshot_with_assign",
            "fetch_identity_read_before_assign", "gradient_descent_then_read", "momentum_then_read_slot",
            "adam_then_read", "loss_after_update", "reads_kept_across_an_in_place_update"}


def _assert_same_as_tensorflow(name, got):
    expected = REFERENCE["cases"][name]
    assert len(got) == len(expected)
    for run, (got_run, expected_run) in enumerate(zip(got, expected)):
        assert len(got_run) == len(expected_run)
        for k, (g, e) in enumerate(zip(got_run, expected_run)):
            where = f"{name}: run {run}, fetch {k}"
            if e is None:
                assert g is None, where
                continue
            assert g[0] == e[0], where
            np.testing.assert_allclose(np.array(g[1]), np.array(e[1]), rtol=2e-6, atol=1e-7, err_msg=where)


def test_reference_covers_every_case():
    assert set(REFERENCE["cases"]) == set(CASES)
    assert REFERENCE["runs"] >= 3


@pytest.mark.parametrize("name", sorted(CASES))
def test_plain_code_matches_tensorflow(name, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "0")
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "0")
    _assert_same_as_tensorflow(name, run_case(tf, CASES[name]))


def _uses_vm(sess):
    return any(tiny_plan.uses_vm(code) for plan in sess._plans.values() for code in plan._compiled.values())


@pytest.mark.skipif(not tiny_plan.enabled(), reason="the tiny VM needs numba (the [fast] extra)")
@pytest.mark.parametrize("name", sorted(VM_CASES))
def test_tiny_vm_matches_tensorflow(name, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "1")
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "0")
    monkeypatch.setenv("NEUROFLOW_TINY_VM_AFTER", "1")
    used = []
    original = tf.Session.close

    def close_noting_vm(sess):
        used.append(_uses_vm(sess))
        original(sess)
    monkeypatch.setattr(tf.Session, "close", close_noting_vm)
    _assert_same_as_tensorflow(name, run_case(tf, CASES[name]))
    assert used and used[-1], "the runs after the first warm one go through the VM"


@pytest.mark.parametrize("name", sorted(VM_CASES))
def test_scalar_code_matches_tensorflow(name, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "0")
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "1")
    used = []
    original = tf.Session.close

    def close_noting_scalar_code(sess):
        used.append(any(tiny_scalar.uses_scalar_code(code) for plan in sess._plans.values()
                        for code in plan._compiled.values()))
        original(sess)
    monkeypatch.setattr(tf.Session, "close", close_noting_scalar_code)
    _assert_same_as_tensorflow(name, run_case(tf, CASES[name]))
    assert used and used[-1], "the warm runs go through scalar code"


def test_a_training_step_reads_each_variable_once():
    """Reads that no update precedes (the forward pass, the gradients) share one read per variable: the
    cheapest placement."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3])
        w = tf.Variable([0.1, 0.2, 0.3])
        b = tf.Variable(0.5)
        loss = tf.square(tf.reduce_sum(x * w) + b - 1.0) + tf.reduce_sum(w * w)
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            program = lower([loss], [train], [x], sess._ctx)
            assert sorted(step.op.name for step in program.steps if step.kind == READ) == ["Variable", "Variable_1"]


def test_a_read_after_an_update_is_a_new_read_placed_after_it():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0])
        before = v * 2.0
        with tf.control_dependencies([before]):
            assigned = tf.assign(v, [5.0, 6.0])
        with tf.control_dependencies([assigned]):
            after = v * 3.0
        with tf.Session() as sess:
            program = lower([before, after], [], [], sess._ctx)
            kinds = [(step.kind, step.op.name) for step in program.steps]
            assign_at = kinds.index(("effect", assigned.op.name))
            reads = [k for k, (kind, _) in enumerate(kinds) if kind == READ]
            assert len(reads) == 2 and reads[0] < assign_at < reads[1]
