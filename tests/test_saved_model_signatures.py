"""SavedModel building blocks that need no graph import: TensorInfo and SignatureDef helpers (checked against the
SignatureDefs inside TensorFlow's own SavedModels in tests/data/tf_models)."""
import os

import pytest

import neuroflow as tf
from neuroflow.framework.tf_protos import DT_FLOAT, DT_INT64, DT_STRING, SavedModel, TensorInfo

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_models")


def _tf_signature(kind):
    with open(os.path.join(DATA, kind, "saved_model", "saved_model.pb"), "rb") as f:
        return SavedModel.FromString(f.read()).meta_graphs[0].signature_def["serving_default"]


def test_predict_signature_equals_the_one_tensorflow_wrote():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    logits = tf.identity(tf.reduce_sum(x, [1, 2]) * tf.ones([3]), name="logits/BiasAdd")
    probs = tf.nn.softmax(logits, name="probs")
    signature = tf.saved_model.signature_def_utils.predict_signature_def({"images": x},
                                                                         {"probs": probs, "logits": logits})
    assert signature == _tf_signature("cnn")
    assert tf.saved_model.is_valid_signature(signature)


def test_tensor_info_names_dtype_and_shape_and_finds_the_tensor_again():
    x = tf.placeholder(tf.int64, [None, 3], name="ids")
    unknown = tf.placeholder(tf.float32, name="anything")
    info = tf.saved_model.utils.build_tensor_info(x)
    assert (info.name, info.dtype, [d.size for d in info.tensor_shape.dim]) == ("ids:0", DT_INT64, [-1, 3])
    assert tf.saved_model.utils.build_tensor_info(unknown).tensor_shape.unknown_rank
    assert tf.saved_model.utils.get_tensor_from_tensor_info(info) is x
    sparse = tf.SparseTensor(tf.constant([[0, 1]], tf.int64), tf.constant([2.0]), tf.constant([2, 3], tf.int64))
    sparse_info = tf.saved_model.build_tensor_info(sparse)
    assert sparse_info.WhichOneof("encoding") == "coo_sparse" and sparse_info.dtype == DT_FLOAT
    back = tf.saved_model.get_tensor_from_tensor_info(sparse_info)
    assert (back.indices, back.values, back.dense_shape) == (sparse.indices, sparse.values, sparse.dense_shape)
    with pytest.raises(ValueError, match="Invalid TensorInfo.encoding: None"):
        tf.saved_model.get_tensor_from_tensor_info(TensorInfo(dtype=DT_FLOAT))
    with tf.Graph().as_default() as other, tf.name_scope("imported"):
        y = tf.placeholder(tf.int64, [None, 3], name="ids")
    assert tf.saved_model.utils.get_tensor_from_tensor_info(info, graph=other, import_scope="imported") is y


def test_classification_and_regression_signatures_check_dtypes():
    examples = tf.placeholder(tf.string, [None], name="examples")
    scores = tf.placeholder(tf.float32, [None, 2], name="scores")
    classes = tf.placeholder(tf.string, [None, 2], name="classes")
    utils = tf.saved_model.signature_def_utils
    classify = utils.classification_signature_def(examples, classes, scores)
    assert classify.method_name == "tensorflow/serving/classify" and sorted(classify.outputs) == ["classes", "scores"]
    assert classify.inputs["inputs"].dtype == DT_STRING and utils.is_valid_signature(classify)
    regress = utils.regression_signature_def(examples, tf.placeholder(tf.float32, [None], name="value"))
    assert regress.method_name == "tensorflow/serving/regress" and utils.is_valid_signature(regress)
    with pytest.raises(ValueError, match="Regression input tensors must be of type string"):
        utils.regression_signature_def(scores, scores)
    with pytest.raises(ValueError, match="Classification `classes` and `scores` cannot both be None"):
        utils.classification_signature_def(examples, None, None)
    with pytest.raises(ValueError, match="Classification scores must be a float Tensor"):
        utils.classification_signature_def(examples, None, classes)
    with pytest.raises(ValueError, match="Prediction `inputs` cannot be None or empty"):
        utils.predict_signature_def({}, {"s": scores})
    bare = utils.build_signature_def({"x": tf.saved_model.build_tensor_info(scores)}, {}, "tensorflow/serving/predict")
    assert not utils.is_valid_signature(bare) and not utils.is_valid_signature(None)


def test_constants_are_tensorflows():
    sm = tf.compat.v1.saved_model
    assert (sm.tag_constants.SERVING, sm.tag_constants.TRAINING, sm.SERVING) == ("serve", "train", "serve")
    assert sm.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY == "serving_default"
    assert sm.signature_constants.PREDICT_METHOD_NAME == "tensorflow/serving/predict"
    assert (sm.constants.SAVED_MODEL_FILENAME_PB, sm.constants.VARIABLES_DIRECTORY) == ("saved_model.pb", "variables")


def test_tensorflows_internal_module_paths_name_the_same_modules():
    import importlib
    for name in ("builder", "loader", "tag_constants", "signature_constants", "signature_def_utils", "utils",
                 "simple_save", "constants"):
        assert importlib.import_module(f"neuroflow.python.saved_model.{name}") is \
            importlib.import_module(f"neuroflow.saved_model.{name}")
    from neuroflow.python.saved_model import loader, tag_constants
    assert loader.load is tf.saved_model.load and tag_constants.SERVING == "serve"
