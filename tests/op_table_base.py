"""The op-table building blocks: the Row record and sample-input generators (scalars, empty arrays,
broadcasting pairs, rank 4, non-contiguous views)."""
import numpy as np

_rng = np.random.default_rng(0)


def _values(shape, domain, dtype):
    lo, hi = domain
    if np.issubdtype(dtype, np.integer):
        return _rng.integers(int(lo), int(hi) + 1, size=shape).astype(dtype)
    if dtype == np.bool_:
        return _rng.random(shape) > 0.5
    return _rng.uniform(lo, hi, size=shape).astype(dtype)


def _noncontiguous(shape, domain, dtype):
    return _values(shape[::-1], domain, dtype).T  # a transposed view: strides not C-order


def unary_samples(domain=(-2.0, 2.0), dtype=np.float64):
    return [(_values(s, domain, dtype),) for s in [(), (5,), (3, 4), (2, 3, 1, 2), (0, 3)]] + [
        (_noncontiguous((3, 4), domain, dtype),)]


def binary_samples(domain=(-2.0, 2.0), dtype=np.float64, domain_y=None):
    domain_y = domain_y or domain
    pairs = [((), ()), ((4,), (4,)), ((), (3,)), ((3, 1), (1, 4)), ((2, 1, 3, 1), (4, 1, 1)), ((0, 3), (1, 3))]
    out = [(_values(a, domain, dtype), _values(b, domain_y, dtype)) for a, b in pairs]
    out.append((_noncontiguous((3, 4), domain, dtype), _values((4,), domain_y, dtype)))
    return out


class Row:
    """One public op: `fn(*tensors)` builds it; `ref(*arrays)` computes the expected value with NumPy."""

    def __init__(self, name, fn, ref, samples, grad=True, rtol=1e-6, atol=1e-7, exact_dtype=True,
                 data_dependent_shape=False, graph_only=False, foldable=True):
        self.name, self.fn, self.ref, self.samples = name, fn, ref, samples
        self.grad, self.rtol, self.atol, self.exact_dtype = grad, rtol, atol, exact_dtype
        self.data_dependent_shape = data_dependent_shape  # output shape depends on values, not input shapes
        # Declared exceptions, each asserted where it applies (a stale declaration fails, nothing is skipped):
        self.graph_only = graph_only  # `fn` builds tf.gradients, which eager execution refuses
        self.foldable = foldable  # build-time constant folding gives its value (False: data-dependent, stateful)

    def __repr__(self):
        return self.name
