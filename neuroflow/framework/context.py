"""Execution mode: graph mode (the default: ops build a graph) or eager mode (ops run immediately).

`apply_op` asks `executing_eagerly()` and, when true, hands the op to the eager executor registered here by
`neuroflow.eager` — the only place the two modes part.
"""
import contextlib
import threading

__all__ = ["executing_eagerly", "enable_eager_execution", "eager_mode", "graph_mode", "register_eager_executor",
           "eager_executor"]

_global_eager = [False]
_executor = [None]


class _ThreadMode(threading.local):
    def __init__(self):
        self.eager = None  # None: follow the process-wide mode


_thread = _ThreadMode()


def executing_eagerly():
    """True when ops run immediately (eager mode) in this thread."""
    mode = _thread.eager
    return _global_eager[0] if mode is None else mode


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Makes eager execution the default for the whole program (TF 1.x: call it at program start).

    Raises:
        ValueError: graph ops were already created in the default graph.
    """
    from ..runtime.cpu_share import apply_session_config
    from .graph import get_default_graph
    if not _global_eager[0] and get_default_graph().version > 0:
        raise ValueError("tf.enable_eager_execution must be called at program startup.")
    apply_session_config(config)  # thread counts, as for a Session: the config's, NEUROFLOW_NUM_THREADS or free cores
    _global_eager[0] = True


def disable_eager_execution():
    """Returns to graph mode as the default."""
    _global_eager[0] = False


@contextlib.contextmanager
def eager_mode():
    """`with tf.eager_mode():` runs the block eagerly (ops execute immediately), whatever the default."""
    saved = _thread.eager
    _thread.eager = True
    try:
        yield
    finally:
        _thread.eager = saved


@contextlib.contextmanager
def graph_mode():
    """`with tf.graph_mode():` builds graph ops in the block, whatever the default (used to trace functions)."""
    saved = _thread.eager
    _thread.eager = False
    try:
        yield
    finally:
        _thread.eager = saved


def register_eager_executor(fn):
    _executor[0] = fn


def eager_executor():
    return _executor[0]
