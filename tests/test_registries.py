"""The registries kept out of the op files (ONNX exporters, fast kernels) are keyed by the registered OpDef: every
OpDef states its ONNX fate (an exporter, a reason it has none, or handling by the exporter itself), an OpDef
registered only in a test is named until it does, and a registration naming no registered OpDef fails."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.onnx import registry
from neuroflow.ops import nn_ops
from neuroflow.runtime import accel

import toy_opdef
from neuroflow.framework.graph_io_import import _LAZY_OP_PACKAGES

# Every package that registers OpDefs, also those `import neuroflow` leaves for later: the coverage below must not
# depend on which other test modules happened to be imported first.
for _package in _LAZY_OP_PACKAGES:
    __import__(_package)


def test_every_opdef_states_its_onnx_fate():
    assert registry.unexportable_without_reason() == []


def test_an_opdef_registered_in_a_test_is_named_until_it_states_its_fate(monkeypatch):
    with toy_opdef.registered() as toy:
        assert registry.unexportable_without_reason() == [toy_opdef.TYPE_NAME]
        monkeypatch.setitem(registry._NOT_EXPORTABLE, toy, "a toy")
        assert registry.unexportable_without_reason() == []
        assert registry.why_not_exportable(toy) == "a toy"
    assert registry.unexportable_without_reason() == []


def test_an_op_without_exporter_fails_export_with_its_reason_or_the_general_one(monkeypatch):
    with toy_opdef.registered() as toy:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = toy_opdef.toy_scale(x, 2.0, name="scaled")
        with tf.Session() as sess:
            with pytest.raises(tf.onnx.ExportError, match=r"'scaled' \(op: 'ToyScale'\) to ONNX: there is no ONNX "
                                                          r"exporter for this op type"):
                tf.onnx.export(sess, [x], [y])
            monkeypatch.setitem(registry._NOT_EXPORTABLE, toy, "toys stay home")
            with pytest.raises(tf.onnx.ExportError, match=r"\(op: 'ToyScale'\) to ONNX: toys stay home\."):
                tf.onnx.export(sess, [x], [y])


@pytest.mark.parametrize("declare", [
    lambda opdef: registry.exporter(opdef)(lambda ctx, op: None),
    lambda opdef: registry.not_exportable("a reason", opdef),
    lambda opdef: registry.handled_by_exporter("somehow", opdef),
    lambda opdef: accel.register_fast_kernel(opdef)(lambda op, ctx: None),
], ids=["exporter", "not_exportable", "handled_by_exporter", "fast_kernel"])
def test_registrations_take_only_registered_opdefs_once(declare):
    with pytest.raises(TypeError, match="nn_ops.Relu"):
        declare("Relu")   # a type name: a renamed op would silently lose its entry
    with pytest.raises(ValueError, match="is not the registered OpDef of 'ToyScale'"):
        declare(toy_opdef.ToyScaleOp())   # an OpDef the registry does not know
    with pytest.raises(ValueError, match="Relu.*twice"):
        declare(nn_ops.Relu)   # Relu already has an exporter and a fast kernel



def test_an_op_defined_outside_the_package_exports_through_its_registered_exporter():
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")

    def export_scale(ctx, op):
        alpha = np.asarray(op.get_attr("alpha"), ctx.dtype(op, 0).as_numpy_dtype)
        ctx.node("Mul", [ctx.input(op, 0), ctx.const(alpha, "alpha")], [ctx.out(op)])
    with toy_opdef.registered() as toy:
        tf.onnx.register_exporter(toy)(export_scale)
        try:
            assert registry.unexportable_without_reason() == []
            x = tf.placeholder(tf.float32, [None, 3], name="x")
            y = toy_opdef.toy_scale(x, 2.5)
            with tf.Session() as sess:
                model = tf.onnx.export(sess, [x], [y])
                value = np.arange(6, dtype=np.float32).reshape(2, 3)
                expected = sess.run(y, {x: value})
        finally:
            del registry._EXPORTERS[toy]
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": value})
    np.testing.assert_array_equal(got[0], expected)
    np.testing.assert_array_equal(expected, value * np.float32(2.5))
