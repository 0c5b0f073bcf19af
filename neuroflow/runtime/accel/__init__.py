"""Fast kernels for ops where NumPy's own kernel leaves speed on the table: a registry keyed by the OpDef (the
instance `@register` made, so a kernel for an op that no longer exists fails when this package is imported). The
plan compiler asks `fast_kernel(op, ctx)` first and falls back to the OpDef's own kernel.

Two kinds: compiled kernels (numba, `pip install neuroflow[fast]`: optimizer updates, convolution, pooling, LSTM,
MatMul in plans on the BLAS pool), used when numba is installed and not turned off (NEUROFLOW_NUMBA=0), numba being
imported only when a plan has an op large enough to profit, so small programs never pay its import; and pooled
kernels (`elementwise.py`: NumPy's own loops split over the thread pool of runtime/blas_threads.py), used whenever
that pool is on, numba or not.
"""
import importlib.util
import os

import numpy as _numpy

from ...framework.op_def import OpDef, registered_opdefs

__all__ = ["fast_kernel", "fast_kernel_opdefs", "numba_available", "register_fast_kernel"]

_FACTORIES = {}  # OpDef instance -> (factory, needs_numba)
_available = [None]


def numba_available():
    """True when numba is installed and not disabled (NEUROFLOW_NUMBA=0); imports nothing."""
    if os.environ.get("NEUROFLOW_NUMBA", "1") == "0":
        return False
    if _available[0] is None:
        _available[0] = importlib.util.find_spec("numba") is not None
    return _available[0]


def register_fast_kernel(opdef, needs_numba=True):
    """Decorator: `factory(op, ctx) -> kernel or None` for the nodes of `opdef` (a registered OpDef).

    Args:
        opdef: the OpDef instance, as its op module names it (`nn_ops.Relu`).
        needs_numba: the factory compiles with numba, so it is skipped when numba is unavailable.
    Raises:
        TypeError: `opdef` is not an OpDef (a type name, say). ValueError: it is not the registered one, or
        it already has a fast kernel.
    Example:
        @register_fast_kernel(nn_ops.Relu, needs_numba=False)
        def _relu(op, ctx): ...
    """
    if not isinstance(opdef, OpDef):
        raise TypeError(f"register_fast_kernel takes a registered OpDef (e.g. nn_ops.Relu), not {opdef!r}")
    if registered_opdefs().get(opdef.type_name) is not opdef:
        raise ValueError(f"{opdef!r} is not the registered OpDef of {opdef.type_name!r}")
    if opdef in _FACTORIES:
        raise ValueError(f"fast kernel for {opdef.type_name} registered twice")

    def decorate(factory):
        _FACTORIES[opdef] = (factory, needs_numba)
        return factory
    return decorate


def fast_kernel(op, ctx):
    """A fast kernel for `op` in this session, or None (then the OpDef's own kernel runs)."""
    entry = _FACTORIES.get(op.opdef)
    if entry is None or ctx.xp is not _numpy:   # every fast kernel computes on NumPy arrays in host memory
        return None
    factory, needs_numba = entry
    if needs_numba and not numba_available():
        return None
    return factory(op, ctx)


def fast_kernel_opdefs():
    """The OpDefs that have a fast kernel, with whether it needs numba: {OpDef: needs_numba}."""
    return {opdef: needs_numba for opdef, (_, needs_numba) in _FACTORIES.items()}


from . import optimizers  # noqa: E402,F401 - registers the optimizer kernels
from . import conv  # noqa: E402,F401 - registers the convolution kernels
from . import matmul  # noqa: E402,F401 - registers the matrix product kernel (plans on the BLAS pool)
from . import rnn  # noqa: E402,F401 - registers the recurrent kernels
from . import elementwise  # noqa: E402,F401 - registers the pooled elementwise kernels
