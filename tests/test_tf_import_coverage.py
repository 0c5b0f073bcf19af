"""TensorFlow graphs that use what neuroflow's import once lacked run on neuroflow as they ran on TensorFlow: models
with resource variables (use_resource=True) trained by each TF1 optimizer (ResourceApply*, ResourceSparseApply*,
ResourceGather, ResourceScatterAdd) and resource-variable updates (AssignAdd/SubVariableOp, ResourceScatterUpdate),
against TensorFlow 2.21's own results (tests/data/tf_import_coverage, make_fixtures.py)."""
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.tf_protos import MetaGraphDef

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_import_coverage")
OPTIMIZERS = ["gradient_descent", "momentum", "nesterov", "adam", "adagrad", "rmsprop", "centered_rmsprop"]


def _written_types(path):
    with open(path, "rb") as f:
        return {n.op for n in MetaGraphDef.FromString(f.read()).graph_def.node}


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_resource_variable_model_trains_two_steps_as_tensorflow_did(kind):
    meta = os.path.join(DATA, kind, "model.ckpt.meta")
    written = _written_types(meta)
    assert "ResourceGather" in written and any(t.startswith("ResourceApply") for t in written)
    assert any(t.startswith("ResourceSparseApply") or t == "ResourceScatterAdd" for t in written)
    inputs, labels = np.load(os.path.join(DATA, "inputs.npy")), np.load(os.path.join(DATA, "labels.npy"))
    expected = np.load(os.path.join(DATA, kind, "probs_after_2_steps.npy"))
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(meta)
        types = {op.type for op in graph.get_operations()}
        assert not any(t.startswith("Resource") for t in types)
        train_op = tf.get_collection("train_op")[0]
        feed = {"ids:0": inputs, "y:0": labels}
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(DATA, kind, "model.ckpt"))
            before = sess.run("probs:0", feed)
            for _ in range(2):
                sess.run(train_op, feed)
            after = sess.run("probs:0", feed)
    assert np.abs(before - expected).max() > 1e-3   # the two steps changed the predictions
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6)


def test_resource_variable_updates_give_tensorflows_values():
    meta = os.path.join(DATA, "variable_updates", "graph.meta")
    assert {"AssignAddVariableOp", "AssignSubVariableOp", "ResourceScatterUpdate", "ResourceScatterAdd",
            "ResourceGather"} <= _written_types(meta)
    expected = np.load(os.path.join(DATA, "variable_updates", "values_after_2_runs.npz"))
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(meta)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(2):
                sess.run("update", {"delta:0": [0.5, -1.5]})
            got = sess.run({"counter": "v/counter:0", "table": "v/table:0", "other": "v/other:0",
                            "gathered": "gathered:0"})
    for name in ("counter", "table", "other", "gathered"):
        np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-6, err_msg=name)
