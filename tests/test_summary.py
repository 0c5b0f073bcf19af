"""tf.summary ops and FileWriter, read back with TensorBoard's own EventAccumulator: scalars, histograms,
images, audio, text, merged summaries, the graph (node names, ops, inputs, control edges, shapes, attrs),
TF1 tag naming, collections, and TensorFlow's errors."""
import bisect
import io
import os

import numpy as np
import pytest

import neuroflow as tf

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def _read(logdir):
    ea = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0,
                                                       "audio": 0})
    ea.Reload()
    return ea


def _write(logdir, runs, graph=None):
    """Writes each (summary_bytes, step) with a FileWriter and closes it."""
    writer = tf.summary.FileWriter(str(logdir), graph)
    for summary, step in runs:
        writer.add_summary(summary, step)
    writer.close()


def test_scalars_read_back_with_steps(tmp_path, sess):
    v = tf.placeholder(tf.float32, [], name="v")
    s = tf.summary.scalar("loss", v)
    values = [2.5, 1.25, 0.5]
    _write(tmp_path, [(sess.run(s, {v: x}), i * 10) for i, x in enumerate(values)])
    events = _read(tmp_path).Scalars("loss")
    assert [e.step for e in events] == [0, 10, 20]
    assert [e.value for e in events] == pytest.approx(values)


def test_tags_follow_name_scopes_and_stay_unique():
    x = tf.constant(1.0)
    with tf.name_scope("train"):
        a = tf.summary.scalar("loss", x)
    b = tf.summary.scalar("loss", x)
    c = tf.summary.scalar("loss", x)
    d = tf.summary.scalar("acc", x, family="eval")
    e = tf.summary.scalar("bad name!", x)
    assert [t.op.name for t in (a, b, c, d, e)] == ["train/loss", "loss", "loss_1", "eval/acc", "bad_name_"]
    assert [t.op.type for t in (a, b)] == ["ScalarSummary", "ScalarSummary"]
    assert a.op.inputs[0].op.name == "train/loss/tags"
    assert a.dtype == tf.string and a.shape.as_list() == []
    with tf.Session() as sess:
        tags = [tf.summary.Summary.FromString(sess.run(t)).value[0].tag for t in (a, b, c, d, e)]
    assert tags == ["train/loss", "loss", "loss_1", "eval/eval/acc", "bad_name_"]  # TF1's family/scope tag


def test_histogram_buckets_match_tensorflow_defaults(tmp_path, sess):
    values = np.array([0.5, 1.0, 1.0, -2.0, 0.0, 3e-13, 7.0], np.float64)
    s = tf.summary.histogram("w", tf.constant(values))
    _write(tmp_path, [(sess.run(s), 3)])
    ea = _read(tmp_path)
    assert "w" in ea.Tags()["histograms"] and "w" in ea.Tags()["distributions"]
    h = ea.Histograms("w")[0]
    assert h.step == 3
    hv = h.histogram_value
    assert (hv.min, hv.max, hv.num) == (-2.0, 7.0, 7)
    assert hv.sum == pytest.approx(values.sum()) and hv.sum_squares == pytest.approx((values ** 2).sum())
    # TensorFlow's default limits, rebuilt here: +-1e-12 * 1.1^k up to 1e20, 0 and +-DBL_MAX.
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    pos.append(np.finfo(np.float64).max)
    limits = [-p for p in reversed(pos)] + [0.0] + pos
    expected = {}
    for x in values:  # each value falls in the bucket of the first limit above it
        lim = limits[bisect.bisect_right(limits, x)]
        expected[lim] = expected.get(lim, 0) + 1
    got = {lim: c for lim, c in zip(hv.bucket_limit, hv.bucket) if c}
    assert got == pytest.approx(expected)
    counts = list(hv.bucket)
    assert all(counts[i] or counts[i + 1] for i in range(len(counts) - 1)), "runs of empty buckets are merged"
    assert hv.bucket_limit[-1] == np.finfo(np.float64).max


def test_histogram_of_nan_fails_naming_the_node(sess):
    x = tf.placeholder(tf.float32, [None])
    with tf.name_scope("layer1"):
        h = tf.summary.histogram("activations", x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram for: layer1/activations"):
        sess.run(h, {x: [1.0, np.nan]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in summary histogram for"):
        sess.run(h, {x: [np.inf]})


def _png_pixels(encoded):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(encoded)))


def test_images_are_pngs_with_tensorflow_normalization(tmp_path, sess):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (3, 5, 4, 3)).astype(np.uint8)
    gray = np.array([[[0.0], [1.0]], [[2.0], [4.0]]], np.float32)[None]     # all >= 0: max -> 255
    signed = np.array([[[-2.0], [0.0]], [[1.0], [2.0]]], np.float32)[None]  # negative: 0 -> 128
    s1 = tf.summary.image("rgb", tf.constant(rgb), max_outputs=2)
    s2 = tf.summary.image("gray", tf.constant(gray), max_outputs=1)
    s3 = tf.summary.image("signed", tf.constant(signed), max_outputs=1)
    _write(tmp_path, [(sess.run(tf.summary.merge([s1, s2, s3])), 1)])
    ea = _read(tmp_path)
    assert sorted(ea.Tags()["images"]) == ["gray/image", "rgb/image/0", "rgb/image/1", "signed/image"]
    img = ea.Images("rgb/image/1")[0]
    assert (img.height, img.width) == (5, 4)
    np.testing.assert_array_equal(_png_pixels(img.encoded_image_string), rgb[1])
    np.testing.assert_array_equal(_png_pixels(ea.Images("gray/image")[0].encoded_image_string),
                                  [[0, 63], [127, 255]])
    np.testing.assert_array_equal(_png_pixels(ea.Images("signed/image")[0].encoded_image_string),
                                  [[1, 128], [191, 255]])


def test_image_needs_4d_with_1_3_or_4_channels(sess):
    s = tf.summary.image("bad", tf.zeros([2, 3, 3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Tensor must be 4-D with last dim 1, 3, or 4, "
                                                             r"not \[2,3,3,2\]"):
        sess.run(s)


def test_audio_is_wav(tmp_path, sess):
    import wave
    t = np.arange(800) / 8000.0
    clip = np.sin(2 * np.pi * 440 * t).astype(np.float32)[None, :]
    s = tf.summary.audio("tone", tf.constant(clip), 8000, max_outputs=1)
    _write(tmp_path, [(sess.run(s), 0)])
    a = _read(tmp_path).Audio("tone/audio")[0]
    assert (a.sample_rate, a.length_frames, a.content_type) == (8000, 800, "audio/wav")
    with wave.open(io.BytesIO(a.encoded_audio_string)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (8000, 1, 2, 800)
        pcm = np.frombuffer(w.readframes(800), "<i2")
    np.testing.assert_allclose(pcm / 32767.0, clip[0], atol=1e-4)


def test_text_goes_to_the_text_plugin(tmp_path, sess):
    s = tf.summary.text("notes", tf.constant("learning rate **0.1**"))
    assert s.op.type == "TensorSummaryV2"
    _write(tmp_path, [(sess.run(s), 0), (sess.run(s), 1)])
    ea = _read(tmp_path)
    events = ea.Tensors("notes")
    assert [tensor_util.make_ndarray(e.tensor_proto).item() for e in events] == [b"learning rate **0.1**"] * 2
    assert ea.SummaryMetadata("notes").plugin_data.plugin_name == "text"
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("n", tf.constant(1.0))


def test_tensor_summary_keeps_the_values(tmp_path, sess):
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    s = tf.summary.tensor_summary("t", tf.constant(value))
    _write(tmp_path, [(sess.run(s), 0)])
    np.testing.assert_array_equal(tensor_util.make_ndarray(_read(tmp_path).Tensors("t")[0].tensor_proto), value)


def test_metadata_is_written_only_with_the_first_value_of_a_tag(tmp_path, sess):
    from neuroflow.summary.event_file import read_records
    s = tf.summary.text("notes", tf.constant("x"))
    _write(tmp_path, [(sess.run(s), 0), (sess.run(s), 1)])
    (path,) = [p for p in tmp_path.iterdir()]
    events = [tf.summary.Event.FromString(r) for r in read_records(path)]
    values = [e.summary.value[0] for e in events if e.HasField("summary")]
    assert [v.HasField("metadata") for v in values] == [True, False]


def test_merge_all_collects_summaries_and_rejects_duplicate_tags(sess):
    assert tf.summary.merge_all() is None
    x = tf.constant(2.0)
    a = tf.summary.scalar("a", x)
    b = tf.summary.histogram("b", x)
    tf.summary.scalar("hidden", x, collections=[])
    with tf.name_scope("sub"):
        c = tf.summary.scalar("c", x)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, b, c]
    merged = tf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and merged.op.type == "MergeSummary"
    assert [t.name for t in merged.op.inputs] == [a.name, b.name, c.name]
    tags = [v.tag for v in tf.summary.Summary.FromString(sess.run(merged)).value]
    assert tags == ["a", "b", "sub/c"]
    only_sub = tf.summary.merge_all(scope="sub")
    assert [t.name for t in only_sub.op.inputs] == [c.name]
    dup = tf.summary.merge([a, a])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found in summary inputs"):
        sess.run(dup)


def test_scalar_needs_a_matching_shape_and_real_dtype(sess):
    s = tf.summary.scalar("v", tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"tags and values not the same shape: \[\] != \[2\] \(tag 'v'\)"):
        sess.run(s)
    with pytest.raises(TypeError, match="DataType string not in list of allowed values"):
        tf.summary.scalar("s", tf.constant("text"))


def test_summaries_are_not_folded_and_have_no_gradient():
    x = tf.constant(3.0)
    s = tf.summary.scalar("x", x)
    from neuroflow.framework.tensor_util import constant_value
    assert constant_value(s) is None
    assert s.op.opdef.grad is None and not s.op.opdef.foldable


def _graph_for_test():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.name_scope("model"):
        w = tf.Variable(tf.ones([4, 2]), name="w")
        y = tf.matmul(x, w, name="y")
    with tf.control_dependencies([y]):
        done = tf.no_op(name="done")
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((4, 4), np.float32)).batch(2)
    ds.make_one_shot_iterator().get_next()
    return x, w, y, done


def test_graph_reads_back_with_names_ops_inputs_and_shapes(tmp_path):
    _graph_for_test()
    graph = tf.get_default_graph()
    _write(tmp_path, [], graph=graph)
    graph_def = _read(tmp_path).Graph()
    nodes = {n.name: n for n in graph_def.node}
    ops = graph.get_operations()
    assert [n.name for n in graph_def.node] == [op.name for op in ops]
    for op in ops:
        node = nodes[op.name]
        assert node.op == op.type
        expected = [t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}" for t in op.inputs]
        assert list(node.input) == expected + ["^" + c.name for c in op.control_inputs]
        shapes = [[d.size for d in s.dim] if not s.unknown_rank else None
                  for s in node.attr["_output_shapes"].list.shape]
        assert shapes == [[-1 if d is None else d for d in t.shape.as_list()] if t.shape.ndims is not None else None
                          for t in op.outputs]
    assert list(nodes["model/y"].input) == ["x", "model/w/read"]
    assert list(nodes["done"].input) == ["^model/y"]
    assert nodes["x"].attr["dtype"].type == 1 and [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 4]
    assert nodes["model/y"].attr["T"].type == 1  # added where neuroflow's attrs name no dtype
    assert nodes["model/y"].attr["transpose_a"].b is False
    const = next(op for op in ops if op.type == "Const" and op.outputs[0].shape.ndims)
    np.testing.assert_array_equal(tensor_util.make_ndarray(nodes[const.name].attr["value"].tensor),
                                  const.get_attr("value"))
    dataset_attrs = [a for n in graph_def.node for k, a in n.attr.items() if k == "dataset"]
    assert dataset_attrs and all(a.s for a in dataset_attrs)  # an arbitrary object: written as text


def test_output_of_a_second_output_is_named_with_its_index(tmp_path):
    values, indices = tf.nn.top_k(tf.constant([[1.0, 3.0, 2.0]]), 2)
    tf.identity(indices, name="idx")
    _write(tmp_path, [], graph=tf.get_default_graph())
    nodes = {n.name: n for n in _read(tmp_path).Graph().node}
    assert list(nodes["idx"].input) == [indices.op.name + ":1"]


def test_a_neuroflow_graph_def_is_converted(tmp_path):
    x, w, y, done = _graph_for_test()

    class FakeGraphDef:  # what `graph.as_graph_def()` returns: NodeDefs whose attrs are Python values
        node = [op.node_def for op in tf.get_default_graph().get_operations()]
    writer = tf.summary.FileWriter(str(tmp_path), graph_def=FakeGraphDef())
    writer.close()
    nodes = {n.name: n for n in _read(tmp_path).Graph().node}
    assert list(nodes["model/y"].input) == ["x", "model/w/read"] and nodes["model/y"].op == "MatMul"
    assert list(nodes["done"].input) == ["^model/y"]
    assert nodes["x"].attr["dtype"].type == 1


def test_add_graph_rejects_other_objects(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    with pytest.raises(TypeError, match="must be an instance of `Graph`"):
        writer.add_graph("not a graph")
    with pytest.raises(ValueError, match="only graph, or graph_def"):
        writer.add_graph(tf.get_default_graph(), graph_def=tf.get_default_graph())
    writer.close()


def test_graph_to_html_is_self_contained(tmp_path):
    _graph_for_test()
    page = tf.summary.graph_to_html(path=str(tmp_path / "g.html"))
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert '"n":"model/y","t":"MatMul"' in page
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert (tmp_path / "g.html").read_text(encoding="utf-8") == page
    assert len(page) < 20000


def test_missing_tensorboard_gives_the_install_hint(monkeypatch):
    import sys
    from neuroflow.summary import _proto
    monkeypatch.setattr(_proto, "_cache", [])
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    with pytest.raises(ImportError, match=r"pip install neuroflow\[tensorboard\]"):
        tf.summary.scalar("x", tf.constant(1.0))
    with pytest.raises(ImportError, match=r"pip install neuroflow\[tensorboard\]"):
        tf.summary.FileWriter(os.devnull + "_never_created")
