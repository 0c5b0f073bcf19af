"""tf.math, tf.linalg, tf.random, tf.sparse, tf.io, tf.initializers, tf.dtypes: every name is the one
implementation under its TF1 name (never a copy), names neuroflow lacks are plain AttributeErrors, and a few
aliases compute what NumPy does."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow import linalg, math, random, sparse


@pytest.mark.parametrize("namespace", [math, linalg, random, sparse])
def test_every_available_name_is_an_alias_of_its_tf1_name(namespace):
    from neuroflow.util.lazy_alias import _resolve
    names = namespace.__all__
    assert names, namespace.__name__
    for name in names:
        value = getattr(namespace, name)
        assert value is not None
        assert name in dir(namespace)
    # the aliases with another TF1 name
    expected = {"math": {"softmax": tf.nn.softmax, "add": tf.add, "reduce_sum": tf.reduce_sum,
                         "divide_no_nan": tf.div_no_nan, "top_k": tf.nn.top_k},
                "linalg": {"matmul": tf.matmul, "det": getattr(tf, "matrix_determinant", None),
                           "inv": getattr(tf, "matrix_inverse", None), "transpose": getattr(tf, "matrix_transpose",
                                                                                             None)},
                "random": {"normal": tf.random_normal, "uniform": tf.random_uniform, "shuffle": tf.random_shuffle,
                           "set_random_seed": tf.set_random_seed},
                "sparse": {"to_dense": getattr(tf, "sparse_tensor_to_dense", None),
                           "SparseTensor": getattr(tf, "SparseTensor", None)}}[namespace.__name__.split(".")[1]]
    for name, target in expected.items():
        if target is not None:
            assert getattr(namespace, name) is target, name
    assert _resolve("nn.softmax") is tf.nn.softmax


def test_missing_names_are_attribute_errors_naming_the_module():
    with pytest.raises(AttributeError, match="module 'neuroflow.math' has no attribute 'not_an_op'"):
        tf.math.not_an_op
    assert not hasattr(tf.linalg, "not_an_op")


def test_namespaces_are_reachable_from_tf():
    assert tf.math is math and tf.linalg is linalg and tf.random is random and tf.sparse is sparse
    assert tf.dtypes.float32 is tf.float32 and tf.dtypes.cast is tf.cast and tf.dtypes.DType is tf.DType
    assert tf.initializers.zeros is tf.zeros_initializer and tf.initializers.glorot_uniform is \
        tf.glorot_uniform_initializer
    assert tf.io.write_graph.__module__ == "neuroflow.io" and tf.io.gfile.exists is tf.gfile.Exists


def test_star_import_takes_the_available_names():
    # `from neuroflow.math import *` reads __all__, which lists what resolves now.
    assert {"reduce_mean", "softmax", "add"} <= set(math.__all__) and "not_an_op" not in math.__all__
    assert set(tf.dtypes.__all__) >= {"float32", "int64", "DType", "as_dtype", "cast"}


def test_aliases_compute_what_numpy_computes():
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    with tf.Session() as sess:
        got = sess.run([tf.math.reduce_logsumexp(x), tf.math.softmax(x), tf.linalg.matmul(x, x),
                        tf.linalg.norm(x), tf.math.squared_difference(x, 1.0)])
    e = np.exp(x - x.max(axis=1, keepdims=True))
    for value, want in zip(got, [np.log(np.exp(x).sum()), e / e.sum(axis=1, keepdims=True), x @ x,
                                 np.linalg.norm(x), (x - 1.0) ** 2]):
        np.testing.assert_allclose(value, want, rtol=1e-6)


def test_bitwise_on_integers_and_tfs_type_error_for_floats():
    with tf.Session() as sess:
        got = sess.run([tf.bitwise.invert(tf.constant(0, tf.uint8)),
                        tf.bitwise.bitwise_xor(tf.constant([5, -1]), tf.constant([3, 1])),
                        tf.bitwise.left_shift(tf.constant([1, 1], tf.int8), tf.constant([7, 9], tf.int8)),
                        tf.bitwise.right_shift(tf.constant([-8, 8], tf.int32), tf.constant([2, -1]))])
    assert got[0] == 255 and got[1].tolist() == [6, -2]
    assert got[2].tolist() == [-128, -128] and got[3].tolist() == [-2, 8]  # shift amounts clamped to [0, 7]
    with pytest.raises(TypeError, match="Value passed to parameter 'x' has DataType float32 not in list of allowed "
                                        "values: int8, int16, int32, int64, uint8"):
        tf.bitwise.bitwise_and(tf.constant(1.0), tf.constant(2.0))
