"""tf.saved_model (TF1's API) on TensorFlow's directory layout: the SavedModels TensorFlow 2.21 wrote for a small
MLP and CNN (tests/data/tf_models) load and predict what TensorFlow predicted; tags, missing and corrupt files fail
as TensorFlow fails; the builder refuses a filled export directory, writes nothing there before save() and
renames a finished SavedModel into place; neuroflow's SavedModels load back in neuroflow."""
import os
import shutil

import numpy as np
import pytest

import neuroflow as tf
from graph_export_helpers import linear_model, linear_model_builder, simple_save_with_asset
from neuroflow.framework.tf_protos import DT_FLOAT, SavedModel, TensorInfo

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_models")
SIGNATURE_INPUT = {"mlp": "x", "cnn": "images"}


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_tensorflows_saved_model_predicts_what_tensorflow_predicted(kind):
    inputs = np.load(os.path.join(DATA, kind, "inputs.npy"))
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                          os.path.join(DATA, kind, "saved_model"))
        signature = meta.signature_def[tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert signature.method_name == tf.saved_model.signature_constants.PREDICT_METHOD_NAME
        x = tf.saved_model.utils.get_tensor_from_tensor_info(signature.inputs[SIGNATURE_INPUT[kind]], sess.graph)
        probs = sess.run(signature.outputs["probs"].name, {x: inputs})
        assert [v.op.name for v in tf.global_variables()][-1] == "global_step"
    np.testing.assert_allclose(probs, np.load(os.path.join(DATA, kind, "probs.npy")), rtol=1e-5, atol=1e-6)


def test_tags_are_matched_as_a_set_and_a_missing_set_lists_the_available_ones():
    export_dir = os.path.join(DATA, "mlp", "saved_model")
    assert tf.saved_model.maybe_saved_model_directory(export_dir)
    assert not tf.saved_model.maybe_saved_model_directory(DATA)
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(RuntimeError, match=r"MetaGraphDef associated with tags 'serve', 'gpu' could not be "
                                               r"found in SavedModel, with available tags '\[\{'serve'\}\]'"):
            tf.saved_model.loader.load(sess, ["serve", "gpu"], export_dir)
        assert sess.graph.get_operations() == []


def test_missing_and_corrupt_saved_models_fail_naming_the_file(tmp_path):
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(OSError, match="SavedModel file does not exist at: .*nowhere"):
            tf.saved_model.loader.load(sess, ["serve"], str(tmp_path / "nowhere"))
        broken = tmp_path / "broken"
        shutil.copytree(os.path.join(DATA, "mlp", "saved_model"), broken)
        data = (broken / "saved_model.pb").read_bytes()
        (broken / "saved_model.pb").write_bytes(data[: len(data) // 3])
        with pytest.raises(OSError, match="Cannot parse file .*broken.saved_model.pb"):
            tf.saved_model.loader.load(sess, ["serve"], str(broken))
        assert sess.graph.get_operations() == []


def test_neuroflows_saved_model_loads_back_with_its_init_op_and_a_second_tag_set(tmp_path):
    x, y = linear_model()
    counter = tf.Variable(0, name="counter", trainable=False)
    export_dir = str(tmp_path / "export")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(tf.get_default_graph().get_tensor_by_name("w:0").op.outputs[0], [[3.0], [4.0]]))
        builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
        signature = tf.saved_model.predict_signature_def({"x": x}, {"y": y})
        builder.add_meta_graph_and_variables(sess, ["serve"], {"serving_default": signature},
                                             main_op=tf.assign_add(counter, 10).op)
        builder.add_meta_graph(["serve", "gpu"], {"serving_default": signature})
        builder.save()
    batch = np.array([[1.0, 1.0], [2.0, 0.0]], np.float32)
    for tags in (["serve"], ["gpu", "serve"]):
        with tf.Session(graph=tf.Graph()) as sess:
            meta = tf.saved_model.load(sess, tags, export_dir)
            sig = meta.signature_def["serving_default"]
            np.testing.assert_allclose(sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: batch}),
                                       [[7.5], [6.5]])
            assert sess.run("counter:0") == 10   # restored 0, then the main op ran once
            assert sorted(v.op.name for v in tf.trainable_variables()) == ["b", "w"]


def test_builder_refuses_a_filled_export_dir_and_misordered_calls(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(AssertionError, match="Export directory .*full already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "full"))
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "new"))
    with pytest.raises(AssertionError, match="has not been saved yet"):
        builder.add_meta_graph(["serve"])
    x = tf.placeholder(tf.float32, [None], name="x")
    with pytest.raises(AssertionError, match="must have the dtype field set"):
        builder.add_meta_graph_and_variables(None, ["serve"], {"s": tf.saved_model.build_signature_def(
            {"x": TensorInfo(name="x:0")}, {}, "m")})
    with pytest.raises(AssertionError, match="one of the 'encoding' fields"):
        builder.add_meta_graph_and_variables(None, ["serve"], {"s": tf.saved_model.build_signature_def(
            {"x": TensorInfo(dtype=DT_FLOAT)}, {}, "m")})
    with pytest.raises(KeyError, match="__saved_model_init_op"):
        builder.add_meta_graph_and_variables(None, ["serve"], {"__saved_model_init_op": tf.saved_model.
                                                               predict_signature_def({"x": x}, {"x": x})})
    with pytest.raises(TypeError, match="to be an Operation"):
        builder.add_meta_graph_and_variables(None, ["serve"], main_op=x)
    assert not os.path.exists(tmp_path / "new") and os.listdir(tmp_path) == ["full"]


def test_nothing_appears_at_export_dir_before_save_and_no_staging_is_left(tmp_path):
    export_dir = str(tmp_path / "export")
    with linear_model_builder(export_dir) as (sess, builder, _, _):
        assert not os.path.exists(export_dir)   # a crash now leaves no half-written SavedModel there
        with pytest.raises(AssertionError, match="already been saved"):
            builder.add_meta_graph_and_variables(sess, ["serve"])
        os.mkdir(export_dir)   # an empty folder is allowed, as in TensorFlow
        path = builder.save()
    assert path == os.path.join(export_dir, "saved_model.pb")
    assert sorted(os.listdir(export_dir)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(os.path.join(export_dir, "variables"))) == ["variables.data-00000-of-00001",
                                                                         "variables.index"]
    assert os.listdir(tmp_path) == ["export"]   # the staging folder was renamed, nothing else is left
    meta = SavedModel.FromString(open(path, "rb").read()).meta_graphs[0]
    assert list(meta.meta_info_def.tags) == ["serve"]
    assert meta.signature_def["serving_default"].inputs["x"].name == "x:0"
    assert meta.saver_def.restore_op_name and meta.collection_def["variables"].bytes_list.value


def test_an_export_dir_filled_before_save_is_left_alone_and_simple_save_refuses_it(tmp_path):
    export_dir = str(tmp_path / "export")
    with linear_model_builder(export_dir, with_signature=False) as (sess, builder, x, y):
        os.mkdir(export_dir)
        (tmp_path / "export" / "other.txt").write_text("someone else's")
        with pytest.raises(AssertionError, match="already exists, and isn't empty"):
            builder.save()
        with pytest.raises(AssertionError, match="already exists, and isn't empty"):
            tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    assert os.listdir(export_dir) == ["other.txt"]
    del builder
    assert sorted(os.listdir(tmp_path)) == ["export"]   # the abandoned staging folder is removed


def test_text_form_saved_model_round_trips(tmp_path):
    export_dir = str(tmp_path / "export")
    with linear_model_builder(export_dir) as (_, builder, _, _):
        assert builder.save(as_text=True) == os.path.join(export_dir, "saved_model.pbtxt")
    text = open(os.path.join(export_dir, "saved_model.pbtxt")).read()
    assert text.startswith("saved_model_schema_version: 1\nmeta_graphs {") and 'tags: "serve"' in text
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        np.testing.assert_allclose(sess.run(meta.signature_def["serving_default"].outputs["y"].name,
                                            {"x:0": [[1.0, 1.0]]}), [[-0.5]])


def test_assets_are_copied_and_the_init_op_sees_their_new_path(tmp_path):
    source = tmp_path / "src" / "vocab.txt"
    source.parent.mkdir()
    source.write_text("cat\ndog\n")
    export_dir = str(tmp_path / "export")
    asset = simple_save_with_asset(source, export_dir)
    source.unlink()   # the SavedModel holds its own copy
    assert open(os.path.join(export_dir, "assets", "vocab.txt")).read() == "cat\ndog\n"
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        assert [a.filename for a in meta.asset_file_def] == ["vocab.txt"]
        path = sess.run("remembered:0").decode()
        assert path == os.path.join(export_dir, "assets", "vocab.txt")
        assert sess.run(tf.read_file(path)) == b"cat\ndog\n"
    with pytest.raises(TypeError, match="must be of type constant"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "other")).add_meta_graph_and_variables(
            None, ["serve"], assets_collection=[tf.identity(asset)])


def test_tensorflow_2s_object_based_saved_model_is_refused_clearly():
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(ValueError, match=r"StatefulPartitionedCall.*written by TensorFlow 2's "
                                             r"tf.saved_model.save"):
            tf.saved_model.loader.load(sess, ["serve"], os.path.join(DATA, "tf2_saved_model"))
        assert sess.graph.get_operations() == []
