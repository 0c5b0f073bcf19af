"""TensorFlow's seed rule: graph seed (`tf.set_random_seed`) + op seed (`seed=`) -> the pair a random op uses."""
import random
import weakref

from .graph import get_default_graph

__all__ = ["set_random_seed", "get_seed", "DEFAULT_GRAPH_SEED"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1
# Per graph, the next op seed for random ops made without one while the graph has a seed (TF 2.x's counter:
# 0, 1, 2, ... in creation order, counting only such ops).
_graph_op_seeds = weakref.WeakKeyDictionary()
# Eagerly, op seeds without an op seed come from Python's Mersenne Twister seeded with the global seed
# (TensorFlow's context._rng = random.Random(seed); randint(0, 2**31 - 1) per op).
_eager_op_seeds = [None]


def _truncate(seed):
    return seed % _MAXINT32


def set_random_seed(seed):
    """Sets the graph-level seed of the default graph (in eager mode, the global seed): the same program then
    draws the same numbers."""
    from .context import executing_eagerly
    if executing_eagerly():
        from ..eager.state import context
        context.reset_seed(seed)
        _eager_op_seeds[0] = None if seed is None else random.Random(int(seed))
        # TensorFlow clears its kernel cache: eager random ops start their streams again.
        for key in [k for k in context.resources if isinstance(k, tuple) and k[:1] == ("philox",)]:
            del context.resources[key]
        return
    get_default_graph().seed = seed


def get_seed(op_seed):
    """The (graph seed, op seed) pair for a new random op, by TensorFlow 2.x's rule.

    Neither set: (None, None) - nondeterministic. Graph seed only: the op seed is the graph's counter of such
    ops (0, 1, 2, ...; eagerly, the next draw of a Python `random.Random(global seed)`). Op seed only: the graph
    seed is 87654321. Both: both. (0, 0) becomes (0, 2**31 - 1), as 0 and 0 would mean "unseeded".
    """
    from .context import executing_eagerly
    eager = executing_eagerly()
    if eager:
        from ..eager.state import context
        global_seed = context.seed
    else:
        graph = get_default_graph()
        global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            if eager:
                if _eager_op_seeds[0] is None:
                    _eager_op_seeds[0] = random.Random(int(global_seed))
                op_seed = _eager_op_seeds[0].randint(0, _MAXINT32)
            else:
                op_seed = _graph_op_seeds.get(graph, 0)
                _graph_op_seeds[graph] = op_seed + 1
        seeds = _truncate(global_seed), _truncate(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds
