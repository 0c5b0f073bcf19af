"""tf.test: TestCase's sessions, evaluate and assertions (each must pass on equal values and fail on unequal
ones), tf.test.main running a script's tests, and the truthful device answers."""
import subprocess
import sys
import textwrap
import unittest

import numpy as np
import pytest

import neuroflow as tf


def _outcome(test_body):
    """Runs `test_body(self)` as a tf.test.TestCase test; returns the unittest result."""
    case = type("Case", (tf.test.TestCase,), {"test_it": test_body})("test_it")
    result = unittest.TestResult()
    case.run(result)
    return result


def _passes(body):
    result = _outcome(body)
    return result.wasSuccessful(), [text for _, text in result.failures + result.errors]


def test_sessions_run_the_default_graph_and_evaluate_fetches():
    def body(self):
        x = tf.constant([1.0, 2.0])
        with self.cached_session() as sess:
            assert sess is tf.get_default_session() and sess.graph is tf.get_default_graph()
            self.assertAllClose(tf.square(x).eval(), [1.0, 4.0])
            same = sess
        with self.test_session() as again:
            assert again is same
        with self.session() as fresh:
            assert fresh is not same
        self.assertAllEqual(self.evaluate({"a": x * 2, "b": [x]})["a"], [2.0, 4.0])
    ok, problems = _passes(body)
    assert ok, problems


def test_each_test_gets_a_fresh_graph():
    graphs = []

    def body(self):
        graphs.append(tf.get_default_graph())
        tf.constant(1.0)
        assert len(tf.get_default_graph().get_operations()) == 1
    for _ in range(2):
        assert _passes(body)[0]
    assert graphs[0] is not graphs[1]


@pytest.mark.parametrize("check, good, bad", [
    ("assertAllClose", ([1.0, 2.0], [1.0, 2.0 + 1e-7]), ([1.0, 2.0], [1.0, 2.1])),
    ("assertAllClose", ({"a": [1.0], "b": ([1.0, 2.0], 3.0)}, {"a": [1.0], "b": ([1.0, 2.0], 3.0)}),
     ({"a": [1.0], "b": ([1.0, 2.0], 3.0)}, {"a": [1.0], "b": ([1.0, 2.5], 3.0)})),
    ("assertAllClose", ([np.nan, 1.0], [np.nan, 1.0]), ([1.0, 2.0], [1.0, 2.0, 3.0])),
    ("assertAllEqual", ([[1, 2]], np.array([[1, 2]])), ([[1, 2]], [[1, 3]])),
    ("assertAllEqual", ([np.nan], [np.nan]), ([1, 2], [[1, 2]])),
    ("assertNotAllClose", ([1.0], [2.0]), ([1.0], [1.0])),
    ("assertArrayNear", ([1.0, 2.0], [1.05, 2.0], 0.1), ([1.0, 2.0], [1.2, 2.0], 0.1)),
    ("assertAllInRange", ([0.0, 0.5, 1.0], 0.0, 1.0), ([0.0, 1.5], 0.0, 1.0)),
    ("assertAllGreater", ([2, 3], 1), ([1, 3], 1)),
    ("assertAllLessEqual", ([2, 3], 3), ([2, 4], 3)),
])
def test_assertions_pass_on_good_values_and_fail_on_bad(check, good, bad):
    assert _passes(lambda self: getattr(self, check)(*good)) == (True, [])
    ok, problems = _passes(lambda self: getattr(self, check)(*bad))
    assert not ok and "AssertionError" in problems[0]


def test_assert_all_close_on_tensors_and_its_tolerances():
    def body(self):
        self.assertAllClose(tf.constant([1.0, 2.0]), np.array([1.0, 2.0]))
        self.assertAllClose([1.0], [1.0 + 5e-7])           # default rtol = atol = 1e-6
        self.assertAllClose([1.0], [1.05], atol=0.1)
        self.assertAllClose(np.float16([1.0]), [1.0005])   # half precision loosens to 1e-3
        self.assertAllCloseAccordingToType(np.float32([1.0]), np.float32([1.0 + 5e-7]))
    assert _passes(body) == (True, [])
    assert not _passes(lambda self: self.assertAllClose([1.0], [1.0 + 1e-5]))[0]


def test_assert_shape_equal_and_its_type_errors():
    def body(self):
        self.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
        with self.assertRaises(AssertionError):
            self.assertShapeEqual(np.zeros((2, 4)), tf.zeros([2, 3]))
        with self.assertRaisesRegex(TypeError, "np_array must be a Numpy ndarray or Numpy scalar"):
            self.assertShapeEqual([1], tf.zeros([1]))
        with self.assertRaisesRegex(TypeError, "tf_tensor must be a Tensor"):
            self.assertShapeEqual(np.zeros(1), np.zeros(1))
    assert _passes(body) == (True, [])


def test_assert_raises_op_error_matches_the_message():
    def body(self):
        x = tf.placeholder(tf.float32)
        with self.cached_session() as sess:
            with self.assertRaisesOpError("You must feed a value for placeholder tensor"):
                sess.run(x + 1)
    assert _passes(body) == (True, [])

    def wrong(self):
        with self.assertRaisesOpError("something else"):
            raise tf.errors.InvalidArgumentError(None, None, "a message")
    assert not _passes(wrong)[0]


def test_devices_are_reported_truthfully():
    # The answers follow the visible devices: none here (whatever this machine has), then one fake GPU.
    import importlib.util
    from neuroflow.runtime import backend_gpu
    backend_gpu.set_devices_for_testing([])
    try:
        assert tf.test.is_gpu_available() is False and tf.test.is_gpu_available(cuda_only=True) is False
        assert tf.test.gpu_device_name() == ""
        backend_gpu.set_devices_for_testing([backend_gpu.GpuDevice(0, np, np.asarray, np.asarray, "Fake", 1, "", "9.0")])
        assert tf.test.is_gpu_available() is True and tf.test.gpu_device_name() == "/device:GPU:0"
        assert tf.test.is_gpu_available(min_cuda_compute_capability=(10, 0)) is False
    finally:
        backend_gpu.set_devices_for_testing(None)
    assert tf.test.is_built_with_cuda() is (importlib.util.find_spec("cupy") is not None)
    assert tf.test.get_temp_dir() == tf.test.get_temp_dir()


def test_tf_test_main_runs_the_scripts_tests(tmp_path):
    script = tmp_path / "square_test.py"
    script.write_text(textwrap.dedent("""
        import neuroflow as tf

        class SquareTest(tf.test.TestCase):
            def testSquare(self):
                with self.test_session():
                    x = tf.square([2, 3])
                    self.assertAllEqual(x.eval(), [4, 9])

            def testWrong(self):
                self.assertAllEqual(self.evaluate(tf.constant([1])), [2])

        if __name__ == "__main__":
            tf.test.main()
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    # unittest also collects the inherited `test_session`, which skips itself as TensorFlow's does.
    assert "Ran 3 tests" in done.stderr and "FAILED (failures=1, skipped=1)" in done.stderr
    assert "FAIL: testWrong" in done.stderr and "testSquare" not in done.stderr


def test_compute_gradient_against_the_analytic_jacobian():
    rng = np.random.RandomState(0)
    x_value = rng.uniform(0.5, 1.5, (2, 3))
    with tf.Session().as_default():
        x = tf.placeholder(tf.float64, [2, 3])
        w = tf.constant(rng.randn(3, 4))
        y = tf.matmul(tf.square(x), w)                      # y[a, k] = sum_b x[a, b]^2 w[b, k]
        theoretical, numerical = tf.test.compute_gradient(x, [2, 3], y, [2, 4], x_init_value=x_value)
        expected = np.zeros((6, 8))
        for a in range(2):
            for b in range(3):
                expected[a * 3 + b, a * 4:(a + 1) * 4] = 2 * x_value[a, b] * w.eval()[b]
        np.testing.assert_allclose(theoretical, expected, rtol=1e-12)
        np.testing.assert_allclose(numerical, expected, rtol=1e-6)
        assert tf.test.compute_gradient_error(x, [2, 3], y, [2, 4], x_init_value=x_value) < 1e-6
        # A wrong gradient shows: stop_gradient hides the dependence from the engine, not from differences.
        wrong = tf.square(x) + tf.stop_gradient(x)
        assert tf.test.compute_gradient_error(x, [2, 3], wrong, [2, 3], x_init_value=x_value) > 0.5
    with pytest.raises(ValueError, match="Cannot compute gradients without a default session"):
        tf.test.compute_gradient(x, [2, 3], y, [2, 4])
