"""TensorFlow's seed rule: graph seed (`tf.set_random_seed`) + op seed (`seed=`) -> the pair a random op uses."""
from .graph import get_default_graph

__all__ = ["set_random_seed", "get_seed", "DEFAULT_GRAPH_SEED"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1


def _truncate(seed):
    return seed % _MAXINT32


def set_random_seed(seed):
    """Sets the graph-level seed of the default graph (in eager mode, the global seed): the same program then
    draws the same numbers."""
    from .context import executing_eagerly
    if executing_eagerly():
        from ..eager.state import context
        context.reset_seed(seed)
        return
    get_default_graph().seed = seed


def get_seed(op_seed):
    """The (graph seed, op seed) pair for a new random op.

    Neither set: (None, None) - nondeterministic. Graph seed only: the op seed comes from the graph's op
    counter. Op seed only: the graph seed is 87654321. Both: both.
    """
    from .context import executing_eagerly
    if executing_eagerly():
        from ..eager.state import context
        graph_seed, counter = context.seed, context.op_counter
    else:
        graph = get_default_graph()
        graph_seed, counter = graph.seed, None
    if graph_seed is not None:
        if op_seed is None:
            op_seed = next(counter) if counter is not None else graph._last_id
        seeds = _truncate(graph_seed), _truncate(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds
