"""The global step: an int64 scalar variable counting training steps, kept in the GLOBAL_STEP collection."""
from ..framework import dtypes
from ..framework.graph import GraphKeys, get_default_graph
from ..variables import initializers
from ..variables.scope import get_variable

__all__ = ["get_global_step", "create_global_step", "get_or_create_global_step", "global_step",
           "assert_global_step"]

GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"  # TensorFlow's collection of the hooks' read of the step


def get_global_step(graph=None):
    """The global step variable of `graph` (default graph), or None if there is none."""
    graph = graph or get_default_graph()
    steps = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(steps) > 1:
        raise TypeError("There is more than one global step.")
    if steps:
        return steps[0]
    try:
        return graph.get_tensor_by_name("global_step:0")
    except KeyError:
        return None


def create_global_step(graph=None):
    """Creates the global step variable ("global_step", int64, starts at 0, not trainable).

    Raises:
        ValueError: one exists already.
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                            initializer=initializers.Zeros(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step variable, created on first use. Example: `step = tf.train.get_or_create_global_step()`."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def _get_or_create_global_step_read(graph=None):
    """`global_step + 0`, made once per graph (None without a global step): what session hooks fetch along with
    the train op. It depends on nothing, so it shows the step from before the train op's increment, where a fetch
    of the variable itself shows it at the end of the run (TensorFlow's hooks fetch the same read)."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GLOBAL_STEP_READ_KEY)
    if found:
        return found[0]
    step = get_global_step(graph)
    if step is None:
        return None
    with graph.as_default(), graph.control_dependencies(None), graph.name_scope(None):
        with graph.name_scope(step.op.name + "/"):
            read = step + 0
    graph.add_to_collection(GLOBAL_STEP_READ_KEY, read)
    return read


def global_step(sess, global_step_tensor):
    """The current value of the global step as a Python int."""
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor):
    base = global_step_tensor.dtype.base_dtype
    if not base.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {global_step_tensor.dtype}")
    if global_step_tensor.shape.ndims not in (0, None):
        raise TypeError(f"Existing \"global_step\" is not scalar: {global_step_tensor.shape}")
