"""TensorFlow's import paths: `import neuroflow.compat.v1 as tf` is neuroflow itself, tf.compat.v2 keeps TF2's
names only, and the `tensorflow.python.*` modules tutorials import re-export the one implementation."""
import os
import subprocess
import sys
import textwrap

import pytest

import neuroflow as tf


def test_compat_v1_is_the_package_itself():
    import neuroflow.compat.v1 as tf1
    from neuroflow.compat import v1
    assert tf1 is tf and v1 is tf and tf.compat.v1 is tf and tf.compat.v1.compat.v1 is tf


def test_a_compat_v1_program_runs_after_the_usual_rewrite():
    code = textwrap.dedent("""
        import neuroflow.compat.v1 as tf
        tf.disable_v2_behavior()
        tf.disable_eager_execution()
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.reduce_sum(x * 2.0)
        with tf.Session() as sess:
            print(sess.run(y, {x: [[1.0, 2.0], [3.0, 4.0]]}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "20.0\n"), done.stderr


def test_enable_v2_behavior_turns_on_eager_execution():
    code = ("import neuroflow.compat.v1 as tf\ntf.enable_v2_behavior()\n"
            "print(tf.executing_eagerly(), tf.add(1, 2).numpy())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout == "True 3\n", done.stderr


def test_compat_v2_has_tf2s_names_but_not_the_tf1_only_ones():
    v2 = tf.compat.v2
    assert v2.constant is tf.constant and v2.GradientTape is tf.GradientTape and v2.nn is tf.nn
    for removed in ("placeholder", "Session", "get_variable", "app", "flags", "logging", "to_float"):
        assert hasattr(tf, removed) and not hasattr(v2, removed), removed
    with pytest.raises(AttributeError, match="module 'neuroflow.compat.v2' has no attribute 'placeholder'"):
        v2.placeholder


def test_version_names():
    assert tf.VERSION == tf.__version__ == tf.version.VERSION and isinstance(tf.GIT_VERSION, str)


def test_compat_text_helpers():
    assert tf.compat.as_bytes("é") == "é".encode("utf-8") and tf.compat.as_bytes(bytearray(b"a")) == b"a"
    assert tf.compat.as_text(b"\xc3\xa9") == tf.compat.as_str(b"\xc3\xa9") == "é"
    assert tf.compat.as_str_any(3) == "3" and tf.compat.path_to_str(__import__("pathlib").Path("/a")) == "/a"
    with pytest.raises(TypeError, match="Expected binary or unicode string, got 3"):
        tf.compat.as_bytes(3)
    assert isinstance(3, tf.compat.integral_types) and isinstance(b"x", tf.compat.bytes_or_text_types)


def test_python_framework_ops_and_dtypes():
    from neuroflow.python.framework import constant_op, dtypes, errors, ops, tensor_shape
    assert ops.reset_default_graph is tf.reset_default_graph and ops.Graph is tf.Graph
    assert ops.convert_to_tensor is tf.convert_to_tensor and ops.Tensor is tf.Tensor
    assert ops.get_default_graph is tf.get_default_graph and ops.name_scope is tf.name_scope
    assert ops.GraphKeys is tf.GraphKeys and ops.RegisterGradient is tf.RegisterGradient
    assert dtypes.float32 is tf.float32 and dtypes.as_dtype is tf.as_dtype and dtypes.DType is tf.DType
    assert tensor_shape.TensorShape is tf.TensorShape and constant_op.constant is tf.constant
    assert errors.NotFoundError is tf.errors.NotFoundError and errors.OpError is tf.errors.OpError
    with pytest.raises(AttributeError, match="module 'neuroflow.python.framework.ops' has no attribute 'nothing'"):
        ops.nothing


def test_the_tutorials_reset_default_graph_line():
    from neuroflow.python.framework import ops
    tf.constant(1.0)
    before = tf.get_default_graph()
    ops.reset_default_graph()
    assert tf.get_default_graph() is not before and not tf.get_default_graph().get_operations()


def test_python_ops_modules_find_names_in_the_public_namespaces():
    from neuroflow.python.ops import (array_ops, control_flow_ops, init_ops, math_ops, nn_ops, rnn_cell_impl,
                                      variable_scope, variables)
    assert array_ops.placeholder is tf.placeholder and array_ops.reshape is tf.reshape
    assert math_ops.reduce_sum is tf.reduce_sum and math_ops.matmul is tf.matmul
    assert nn_ops.relu is tf.nn.relu and nn_ops.softmax is tf.nn.softmax
    assert init_ops.zeros_initializer is tf.zeros_initializer and init_ops.Zeros.__name__ == "Zeros"
    assert init_ops.glorot_uniform_initializer is tf.glorot_uniform_initializer
    assert variable_scope.variable_scope is tf.variable_scope and variable_scope.get_variable is tf.get_variable
    assert variables.Variable is tf.Variable and variables.global_variables_initializer is \
        tf.global_variables_initializer
    assert control_flow_ops.cond is tf.cond and control_flow_ops.group is tf.group
    assert rnn_cell_impl.LSTMCell is tf.nn.rnn_cell.LSTMCell
    from neuroflow.python.ops.math_ops import add  # `from module import name` goes through the same lookup
    assert add is tf.add
    with pytest.raises(AttributeError, match="module 'neuroflow.python.ops.nn_ops' has no attribute 'nothing'"):
        nn_ops.nothing


def test_python_platform_modules_are_the_scaffolding():
    from neuroflow.python.platform import app, flags, gfile, googletest, test, tf_logging
    assert app.run is tf.app.run and flags.FLAGS is tf.flags.FLAGS and gfile.GFile is tf.gfile.GFile
    assert tf_logging.info is tf.logging.info and test.TestCase is googletest.TestCase is tf.test.TestCase


def test_device_lib_lists_the_cpu_only():
    # With no GPU visible (forced, so the answer does not depend on this machine's cards).
    from neuroflow.python.client import device_lib
    from neuroflow.runtime import backend_gpu
    backend_gpu.set_devices_for_testing([])
    try:
        devices = device_lib.list_local_devices()
    finally:
        backend_gpu.set_devices_for_testing(None)
    assert [(d.name, d.device_type) for d in devices] == [("/device:CPU:0", "CPU")]
    assert [d.name for d in devices if d.device_type == "GPU"] == []
    assert devices[0].incarnation > 0 and str(devices[0]).startswith('name: "/device:CPU:0"\ndevice_type: "CPU"\n')


def test_python_training_util_and_summary_paths():
    from neuroflow.python.summary import summary
    from neuroflow.python.training import adam, gradient_descent, saver, training_util
    from neuroflow.python.util import compat, nest
    assert saver.Saver is tf.train.Saver and gradient_descent.GradientDescentOptimizer is \
        tf.train.GradientDescentOptimizer and adam.AdamOptimizer is tf.train.AdamOptimizer
    assert training_util.get_or_create_global_step is tf.train.get_or_create_global_step
    assert compat.as_bytes is tf.compat.as_bytes and nest.flatten is tf.nest.flatten
    assert summary.FileWriter is tf.summary.FileWriter


def test_file_io_whole_file_helpers(tmp_path):
    from neuroflow.python.lib.io import file_io
    path = str(tmp_path / "f.txt")
    file_io.write_string_to_file(path, "héllo")
    assert file_io.read_file_to_string(path) == "héllo"
    assert file_io.read_file_to_string(path, binary_mode=True) == "héllo".encode()
    file_io.atomic_write_string_to_file(path, b"new")
    assert open(path, "rb").read() == b"new" and os.listdir(tmp_path) == ["f.txt"]
    assert file_io.file_exists(path) and file_io.get_matching_files(str(tmp_path / "*.txt")) == [path]
    assert file_io.get_matching_files([]) == [] and file_io.FileIO is tf.gfile.GFile
    file_io.delete_file(path)
    with pytest.raises(tf.errors.NotFoundError):
        file_io.read_file_to_string(path)


def test_inspect_checkpoint_prints_as_the_save_and_restore_guide_shows(tmp_path, capsys):
    from neuroflow.python.tools import inspect_checkpoint as chkp
    with tf.Graph().as_default():
        tf.get_variable("v1", shape=[3], initializer=tf.zeros_initializer)
        tf.get_variable("v2", shape=[5], initializer=tf.zeros_initializer)
        v1, v2 = tf.global_variables()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([v1.assign(v1 + 1), v2.assign(v2 - 1)])
            path = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="", all_tensors=True)
    assert capsys.readouterr().out == ("tensor_name:  v1\n[1. 1. 1.]\ntensor_name:  v2\n[-1. -1. -1. -1. -1.]\n"
                                       "# Total number of params: 8\n")
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="v1", all_tensors=False)
    assert capsys.readouterr().out == "tensor_name:  v1\n[1. 1. 1.]\n# Total number of params: 8\n"
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="", all_tensors=False)
    assert capsys.readouterr().out == "v1 (DT_FLOAT) [3]\nv2 (DT_FLOAT) [5]\n\n# Total number of params: 8\n"
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="v3", all_tensors=False)
    assert capsys.readouterr().out == "tensor_name:  v3\nKey v3 not found in checkpoint\n"


def test_test_util_decorators_run_the_body_in_the_modes_they_name():
    import unittest

    from neuroflow.python.framework import test_util
    from neuroflow.python.ops import bitwise_ops, io_ops, parsing_ops, string_ops
    assert string_ops.string_join is tf.string_join and parsing_ops.decode_csv is tf.decode_csv
    assert io_ops.read_file is tf.read_file and bitwise_ops.invert is tf.bitwise.invert
    modes = []

    class Case(test_util.TensorFlowTestCase):
        @test_util.run_in_graph_and_eager_modes
        def test_both(self):
            modes.append(tf.executing_eagerly())
            self.assertAllEqual(self.evaluate(tf.constant([1, 2]) * 2), [2, 4])

        @test_util.run_deprecated_v1
        def test_graph(self):
            modes.append(tf.executing_eagerly())

    result = unittest.TestResult()
    unittest.TestLoader().loadTestsFromTestCase(Case).run(result)
    assert result.wasSuccessful(), result.failures + result.errors
    assert modes == [False, True, False] and not tf.executing_eagerly()
