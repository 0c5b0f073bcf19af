"""`tensorflow.python.framework.test_util`: TensorFlowTestCase (`tf.test.TestCase`) and the decorators TF's own
tests put on test methods: run_deprecated_v1 (graph mode, neuroflow's default) and run_in_graph_and_eager_modes
(the test body runs once in graph mode, then again eagerly)."""
import functools

from ...framework.context import eager_mode, graph_mode
from ...framework.graph import Graph
from ...test import TestCase as TensorFlowTestCase  # noqa: F401

__all__ = ["TensorFlowTestCase", "run_deprecated_v1", "run_v1_only", "run_in_graph_and_eager_modes",
           "deprecated_graph_mode_only"]


def run_deprecated_v1(func=None):
    """Runs the test in graph mode (with or without parentheses)."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(self, *args, **kwargs):
            with graph_mode():
                return f(self, *args, **kwargs)
        return wrapper
    return decorate(func) if func is not None else decorate


def run_v1_only(reason, func=None):
    """Graph mode only, for a test that needs TF1 behaviour; `reason` says why."""
    if not reason:
        raise ValueError("Please provide a reason for the test being run in TF1 mode only.")
    return run_deprecated_v1(func)


deprecated_graph_mode_only = run_deprecated_v1


def run_in_graph_and_eager_modes(func=None, config=None, use_gpu=True, reset_test=True, assert_no_eager_garbage=False):
    """Runs the test body twice: in graph mode on a fresh graph, then eagerly (setUp runs again between, as TF's
    `reset_test` does)."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(self, *args, **kwargs):
            with graph_mode(), Graph().as_default():
                f(self, *args, **kwargs)
            if reset_test:
                self.tearDown()
                self.setUp()
            with eager_mode():
                f(self, *args, **kwargs)
        return wrapper
    return decorate(func) if func is not None else decorate
