"""tf.RunOptions / tf.RunMetadata: a traced run fills step_stats with each node's real timings and outputs, runs
exactly what the untraced run runs, and FileWriter.add_run_metadata writes what TensorBoard reads; Timeline."""
import json
import time

import numpy as np
import pytest

import neuroflow as tf

FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


@pytest.fixture
def model():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        y = tf.layers.dense(x, 3, name="dense")
        loss = tf.reduce_mean(tf.square(y - 1.0), name="loss")
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            yield graph, sess, x, loss, train


def test_trace_levels_are_tensorflows():
    assert (tf.RunOptions.NO_TRACE, tf.RunOptions.SOFTWARE_TRACE, tf.RunOptions.HARDWARE_TRACE,
            tf.RunOptions.FULL_TRACE) == (0, 1, 2, 3)
    assert tf.RunOptions().trace_level == 0
    assert tf.RunMetadata().step_stats.dev_stats == []


def test_untraced_run_leaves_step_stats_empty(model):
    _, sess, x, loss, _ = model
    metadata = tf.RunMetadata()
    sess.run(loss, {x: np.ones((2, 4))}, options=tf.RunOptions(), run_metadata=metadata)
    assert metadata.step_stats.dev_stats == []


def test_traced_run_times_every_node_it_runs(model):
    graph, sess, x, loss, train = model
    feed = {x: np.ones((2, 4), np.float32)}
    expected = sess.run(loss, feed)
    metadata = tf.RunMetadata()
    before = time.time() * 1e6
    got, _ = sess.run([loss, train], feed, options=FULL, run_metadata=metadata)
    after = time.time() * 1e6
    assert got == expected  # the traced run computes what the untraced one does
    assert sess.run(loss, feed) < expected  # and its train op ran
    (device,) = metadata.step_stats.dev_stats
    assert device.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    names = [n.node_name for n in device.node_stats]
    graph_names = {op.name for op in graph.get_operations()}
    assert set(names) <= graph_names
    assert {"dense/MatMul", "dense/BiasAdd", "loss"} <= set(names)
    assert any(n.endswith("ApplyGradientDescent") for n in names)
    starts = [n.all_start_micros for n in device.node_stats]
    assert starts == sorted(starts)  # one kernel after another
    assert before - 1e6 <= starts[0] and starts[-1] <= after + 1e6  # wall-clock microseconds of this run
    for node in device.node_stats:
        assert 0 <= node.op_start_rel_micros <= node.op_end_rel_micros == node.all_end_rel_micros
    assert sum(n.all_end_rel_micros for n in device.node_stats) <= after - before
    matmul = device.node_stats[names.index("dense/MatMul")]
    assert matmul.timeline_label == "dense/MatMul = MatMul(x:0, dense/kernel/read:0)"
    assert matmul.outputs == [(0, np.dtype(np.float32), (2, 3), 24)]


def test_each_traced_run_replaces_the_stats(model):
    _, sess, x, loss, _ = model
    metadata = tf.RunMetadata()
    sess.run(loss, {x: np.ones((1, 4))}, options=FULL, run_metadata=metadata)
    sess.run(loss, {x: np.ones((5, 4))}, options=FULL, run_metadata=metadata)
    (device,) = metadata.step_stats.dev_stats
    matmul = [n for n in device.node_stats if n.node_name == "dense/MatMul"]
    assert len(matmul) == 1 and matmul[0].outputs[0][2] == (5, 3)


def test_traced_run_failures_are_the_untraced_errors(model):
    _, sess, x, loss, _ = model
    bad = tf.reshape(x, [3, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input to reshape is a tensor with 8 values"):
        sess.run(bad, {x: np.ones((2, 4))}, options=FULL, run_metadata=tf.RunMetadata())
    with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder tensor 'x'"):
        sess.run(loss, options=FULL, run_metadata=tf.RunMetadata())


def test_callable_with_options_traces(model):
    _, sess, x, loss, _ = model
    run = sess.make_callable(loss, [x], accept_options=True)
    metadata = tf.RunMetadata()
    assert run(np.ones((2, 4)), options=FULL, run_metadata=metadata) == run(np.ones((2, 4)))
    assert any(n.node_name == "dense/MatMul" for n in metadata.step_stats.dev_stats[0].node_stats)


def test_file_writer_writes_run_metadata_tensorboard_reads(model, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator
    graph, sess, x, loss, train = model
    metadata = tf.RunMetadata()
    sess.run(train, {x: np.ones((2, 4))}, options=FULL, run_metadata=metadata)
    writer = tf.summary.FileWriter(str(tmp_path), graph)
    writer.add_run_metadata(metadata, "step1", global_step=1)
    writer.close()
    events = event_accumulator.EventAccumulator(str(tmp_path))
    events.Reload()
    assert events.Tags()["run_metadata"] == ["step1"]
    proto = events.RunMetadata("step1")
    written = {n.node_name: n for n in proto.step_stats.dev_stats[0].node_stats}
    ours = {n.node_name: n for n in metadata.step_stats.dev_stats[0].node_stats}
    assert written.keys() == ours.keys()
    matmul = written["dense/MatMul"]
    assert matmul.all_start_micros == ours["dense/MatMul"].all_start_micros
    assert [d.size for d in matmul.output[0].tensor_description.shape.dim] == [2, 3]
    assert matmul.output[0].tensor_description.dtype == tf.float32.as_datatype_enum
    assert matmul.memory[0].total_bytes == 24


def test_timeline_gives_a_chrome_trace(model):
    from neuroflow.python.client import timeline
    _, sess, x, loss, _ = model
    metadata = tf.RunMetadata()
    sess.run(loss, {x: np.ones((2, 4))}, options=FULL, run_metadata=metadata)
    trace = json.loads(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format())
    ops = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    matmul = next(e for e in ops if e["args"]["name"] == "dense/MatMul")
    assert matmul["name"] == "MatMul" and matmul["args"]["input0"] == "x:0"
    assert len(ops) == len(metadata.step_stats.dev_stats[0].node_stats)
