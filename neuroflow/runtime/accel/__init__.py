"""Optional compiled kernels (numba, `pip install neuroflow[fast]`) for ops where NumPy makes many passes over
large arrays: a registry keyed by OpDef type name. The plan compiler asks `fast_kernel(op, ctx)` first and falls
back to the OpDef's own kernel. numba is imported only when a plan contains an op large enough to profit, so
small programs (the lecture's) never pay its import; NEUROFLOW_NUMBA=0 turns this off.
"""
import importlib.util
import os

__all__ = ["fast_kernel", "numba_available", "register_fast_kernel"]

_FACTORIES = {}
_available = [None]


def numba_available():
    """True when numba is installed and not disabled (NEUROFLOW_NUMBA=0); imports nothing."""
    if os.environ.get("NEUROFLOW_NUMBA", "1") == "0":
        return False
    if _available[0] is None:
        _available[0] = importlib.util.find_spec("numba") is not None
    return _available[0]


def register_fast_kernel(type_name):
    """Decorator: `factory(op, ctx) -> kernel or None` for ops of `type_name`."""
    def decorate(factory):
        _FACTORIES[type_name] = factory
        return factory
    return decorate


def fast_kernel(op, ctx):
    """A compiled kernel for `op` in this session, or None (then the OpDef's own kernel runs)."""
    factory = _FACTORIES.get(op.type)
    if factory is None or not numba_available():
        return None
    return factory(op, ctx)


from . import optimizers  # noqa: E402,F401 - registers the optimizer kernels
from . import conv  # noqa: E402,F401 - registers the convolution kernels
from . import rnn  # noqa: E402,F401 - registers the recurrent kernels
from . import elementwise  # noqa: E402,F401 - registers the two-thread elementwise kernels
