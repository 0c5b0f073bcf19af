"""`tf.test`: TensorFlow's unit-test scaffolding — `TestCase` (sessions on a fresh graph per test, `evaluate`,
array assertions), `main`, `get_temp_dir`, and the truthful device questions (neuroflow runs on the CPU)."""
import atexit
import contextlib
import re
import shutil
import tempfile
import unittest

import numpy as np

from .framework import errors
from .framework.context import executing_eagerly
from .framework.graph import get_default_graph, reset_default_graph
from .framework.random_seed import set_random_seed
from .framework.tensor import Tensor
from .gradient_checker import compute_gradient, compute_gradient_error  # noqa: F401

__all__ = ["TestCase", "main", "get_temp_dir", "is_gpu_available", "gpu_device_name", "is_built_with_cuda",
           "is_built_with_gpu_support", "is_built_with_rocm", "compute_gradient", "compute_gradient_error"]

_DEFAULT_GRAPH_SEED = 87654321  # TensorFlow's TestCase seeds every test's graph with this
_temp_dir = []


def get_temp_dir():
    """A folder for this test process's files (removed when the process exits)."""
    if not _temp_dir:
        _temp_dir.append(tempfile.mkdtemp(prefix="neuroflow_test_"))
        atexit.register(shutil.rmtree, _temp_dir[0], ignore_errors=True)
    return _temp_dir[0]


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """True when a GPU is visible (CuPy installed, CUDA finds a device, CUDA_VISIBLE_DEVICES does not hide it)
    and, when `min_cuda_compute_capability` (major, minor) is given, one of them has at least that capability."""
    from .runtime.backend_gpu import gpu_devices
    for device in gpu_devices():
        if min_cuda_compute_capability is None:
            return True
        try:
            capability = tuple(int(p) for p in device.compute_capability.split("."))
        except ValueError:
            continue
        if capability >= tuple(min_cuda_compute_capability):
            return True
    return False


def gpu_device_name():
    """'/device:GPU:0' when a GPU is visible, else '' (TensorFlow's answers)."""
    from .runtime.backend_gpu import gpu_devices
    devices = gpu_devices()
    return devices[0].device_name if devices else ""


def is_built_with_cuda():
    """True when the GPU extra (CuPy) is installed, whether or not a GPU is present."""
    from .runtime.backend_gpu import cupy_installed
    return cupy_installed()


def is_built_with_gpu_support():
    return is_built_with_cuda()


def is_built_with_rocm():
    return False


def main(argv=None):
    """Runs the tests of the main module (`unittest.main`), after parsing the flags the program defines."""
    import sys

    from . import flags
    remaining = flags.FLAGS(sys.argv if argv is None else argv, known_only=True)
    return unittest.main(module="__main__", argv=remaining)


class TestCase(unittest.TestCase):
    """`tf.test.TestCase`: each test starts on a fresh default graph seeded as TensorFlow seeds it.

    Example:
        >>> class SquareTest(tf.test.TestCase):
        ...     def testSquare(self):
        ...         with self.cached_session():
        ...             self.assertAllEqual(tf.square([2, 3]).eval(), [4, 9])
    """

    def __init__(self, methodName="runTest"):  # noqa: N803 - unittest's name
        super().__init__(methodName)
        self._cached = None
        self._tempdir = None

    def setUp(self):
        self._close_cached_session()
        np.random.seed(_DEFAULT_GRAPH_SEED)
        if not executing_eagerly():
            reset_default_graph()
        set_random_seed(_DEFAULT_GRAPH_SEED)

    def tearDown(self):
        self._close_cached_session()

    def _close_cached_session(self):
        if self._cached is not None:
            self._cached.close()
            self._cached = None

    def get_temp_dir(self):
        """A folder of this test's own, inside the process's temporary folder."""
        if not self._tempdir:
            self._tempdir = tempfile.mkdtemp(dir=get_temp_dir())
        return self._tempdir

    # --- sessions ---
    @contextlib.contextmanager
    def _as_default(self, sess):
        with sess.graph.as_default(), sess.as_default():
            yield sess

    def session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A new Session on `graph` (the default graph when None), made the default inside `with`."""
        from .runtime.session import Session
        if executing_eagerly():
            return contextlib.nullcontext(None)
        sess = Session(graph=graph if graph is not None else get_default_graph(), config=config)
        return self._closing(sess)

    @contextlib.contextmanager
    def _closing(self, sess):
        try:
            with self._as_default(sess):
                yield sess
        finally:
            sess.close()

    def cached_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """The same Session for the whole test (made again if `graph` changes), the default inside `with`."""
        from .runtime.session import Session
        if executing_eagerly():
            return contextlib.nullcontext(None)
        graph = graph if graph is not None else get_default_graph()
        if self._cached is None or self._cached.graph is not graph:
            self._close_cached_session()
            self._cached = Session(graph=graph, config=config)
        return self._as_default(self._cached)

    def test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """TF1's name for `cached_session`. unittest also collects it as a test (its name starts with "test"),
        where, as in TensorFlow, it skips itself."""
        if self.id().endswith(".test_session"):
            self.skipTest("Not a test.")
        return self.cached_session(graph, config, use_gpu, force_gpu)

    def evaluate(self, tensors):
        """The values of `tensors` (any nest): run in the default session, or a cached one; numpy() in eager."""
        from .util import nest
        if executing_eagerly():
            return nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, tensors)
        from .runtime.session import get_default_session
        sess = get_default_session()
        if sess is None:
            with self.cached_session() as sess:
                return sess.run(tensors)
        return sess.run(tensors)

    # --- assertions ---
    def _ndarray(self, a):
        if isinstance(a, Tensor) or hasattr(a, "numpy") and not isinstance(a, np.ndarray):
            a = self.evaluate(a)
        return a if isinstance(a, np.ndarray) else np.array(a)

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802 - TensorFlow's names
        """Same shape and equal elements (NaN equals NaN for floats)."""
        a, b = self._ndarray(a), self._ndarray(b)
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got {b.shape}. "
                                           f"Contents: {b!r}. \n{msg}.")
        same = a == b
        if a.dtype.kind == "f":
            same = np.logical_or(same, np.logical_and(np.isnan(a), np.isnan(b)))
        if not np.all(same):
            np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        """Equal within `atol + rtol * |b|`, for arrays or nests of them (dicts, lists, tuples)."""
        self._all_close(a, b, rtol, atol, msg, path="")

    def _all_close(self, a, b, rtol, atol, msg, path):
        if isinstance(a, dict) or isinstance(b, dict):
            self.assertIsInstance(a, dict, f"{path}: a is not a dict. {msg or ''}")
            self.assertIsInstance(b, dict, f"{path}: b is not a dict. {msg or ''}")
            self.assertEqual(set(a), set(b), f"mismatched keys at {path or 'the top'}: {sorted(map(str, a))} vs "
                                             f"{sorted(map(str, b))}. {msg or ''}")
            for key in a:
                self._all_close(a[key], b[key], rtol, atol, msg, f"{path}[{key!r}]")
            return
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and not self._is_array_like(a, b):
            self.assertEqual(len(a), len(b), f"Length of {path or 'the structure'} differs: {len(a)} vs "
                                             f"{len(b)}. {msg or ''}")
            for i, (x, y) in enumerate(zip(a, b)):
                self._all_close(x, y, rtol, atol, msg, f"{path}[{i}]")
            return
        a, b = self._ndarray(a), self._ndarray(b)
        if np.float16 in (a.dtype, b.dtype):
            rtol, atol = max(rtol, 1e-3), max(atol, 1e-3)
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got {b.shape}.")
        if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            detail = f"Mismatched value: a is different from b. {'at ' + path + ': ' if path else ''}{msg or ''}"
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=detail, equal_nan=True)

    @staticmethod
    def _is_array_like(a, b):
        try:
            return np.asarray(a).dtype != object and np.asarray(b).dtype != object
        except ValueError:  # ragged
            return False

    def assertNotAllClose(self, a, b, **kwargs):  # noqa: N802
        try:
            self.assertAllClose(a, b, **kwargs)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements")

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6, float_atol=1e-6,  # noqa: N802
                                      half_rtol=1e-3, half_atol=1e-3, msg=None):
        """assertAllClose with the tolerance of the least precise float type involved."""
        a, b = self._ndarray(a), self._ndarray(b)
        if np.float16 in (a.dtype, b.dtype):
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif np.float32 in (a.dtype, b.dtype):
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(f1 == f2 or abs(f1 - f2) <= err,
                        f"{f1:f} != {f2:f} +/- {err:f}{' (' + msg + ')' if msg is not None else ''}")

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg=msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg=msg)

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):  # noqa: N802
        self.assertTrue(np.linalg.norm(ndarray1 - ndarray2) <= err, msg=msg)

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        """The NumPy array's shape equals the tensor's static shape."""
        if not isinstance(np_array, (np.ndarray, np.generic)):
            raise TypeError("np_array must be a Numpy ndarray or Numpy scalar")
        if not isinstance(tf_tensor, Tensor):
            raise TypeError("tf_tensor must be a Tensor")
        self.assertAllEqual(np_array.shape, tf_tensor.get_shape().as_list(), msg=msg)

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        target = self._ndarray(target)
        self.assertEqual(target.dtype, np.dtype(getattr(expected_dtype, "as_numpy_dtype", expected_dtype)))

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        target = self._ndarray(target)
        low = target > lower_bound if open_lower_bound else target >= lower_bound
        high = target < upper_bound if open_upper_bound else target <= upper_bound
        if not np.all(low & high):
            raise AssertionError(f"{np.size(target) - np.count_nonzero(low & high)} of the {np.size(target)} "
                                 f"element(s) are outside the range {'(' if open_lower_bound else '['}"
                                 f"{lower_bound}, {upper_bound}{')' if open_upper_bound else ']'}")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self.assertGreater(np.min(self._ndarray(a)), comparison_target)

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self.assertLess(np.max(self._ndarray(a)), comparison_target)

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self.assertGreaterEqual(np.min(self._ndarray(a)), comparison_target)

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self.assertLessEqual(np.max(self._ndarray(a)), comparison_target)

    def assertItemsEqual(self, expected_seq, actual_seq, msg=None):  # noqa: N802
        self.assertCountEqual(expected_seq, actual_seq, msg=msg)

    def assertStartsWith(self, actual, expected_start, msg=None):  # noqa: N802
        if not actual.startswith(expected_start):
            self.fail(f"{actual!r} does not start with {expected_start!r}{' : ' + msg if msg else ''}")

    def assertDeviceEqual(self, device1, device2, msg=None):  # noqa: N802
        self.assertEqual(device1 or "", device2 or "", msg)

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type, expected_err_re_or_predicate):  # noqa: N802
        """`with` block must raise `exception_type` whose message matches the regex (or satisfies the predicate)."""
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e):
                text = e.message if isinstance(e, errors.OpError) else str(e)
                return re.search(expected_err_re_or_predicate, text)
        try:
            yield
            self.fail(exception_type.__name__ + " not raised")
        except Exception as e:  # noqa: BLE001 - any other exception is the failure reported
            if not isinstance(e, exception_type) or not predicate(e):
                raise AssertionError(f"Exception of type {type(e)}: {e}") from e

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        return self.assertRaisesWithPredicateMatch(errors.OpError, expected_err_re_or_predicate)
