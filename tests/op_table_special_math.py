"""Op-table rows for inverse and hyperbolic trigonometry, atan2, erf/erfc and the IEEE tests, against NumPy and
Python's math module."""
import math

import numpy as np

import neuroflow as tf
from op_table_base import Row, _values, binary_samples, unary_samples

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _ieee_samples():
    x = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 3e38, -0.0])
    return [(x,), (x.astype(np.float32).reshape(7, 1),), (_values((0, 2), (-1, 1), np.float64),)]


def _erf_samples():
    tails = np.array([-6.0, -3.2, -2.5, -2.4999, 0.0, 1e-8, 2.4999, 2.5, 3.7, 5.5, 9.0, 27.0])
    return unary_samples((-3.0, 3.0)) + [(tails,)]


ROWS = [
    Row("asin", tf.asin, np.arcsin, unary_samples((-0.9, 0.9))),
    Row("acos", tf.acos, np.arccos, unary_samples((-0.9, 0.9))),
    Row("atan", tf.atan, np.arctan, unary_samples((-3.0, 3.0))),
    Row("sinh", tf.sinh, np.sinh, unary_samples((-3.0, 3.0))),
    Row("cosh", tf.cosh, np.cosh, unary_samples((-3.0, 3.0))),
    Row("asinh", tf.asinh, np.arcsinh, unary_samples((-3.0, 3.0))),
    Row("acosh", tf.acosh, np.arccosh, unary_samples((1.2, 4.0))),
    Row("atanh", tf.atanh, np.arctanh, unary_samples((-0.9, 0.9))),
    Row("erf", tf.erf, _erf, _erf_samples(), rtol=1e-12, atol=1e-15),
    Row("erfc", tf.erfc, _erfc, _erf_samples(), rtol=1e-10, atol=1e-300),
    Row("erf_float32", tf.erf, lambda x: _erf(x).astype(np.float32), [(_values((4, 3), (-4, 4), np.float32),)],
        grad=False),
    Row("atan2", tf.atan2, np.arctan2, binary_samples()),
    Row("is_nan", tf.is_nan, np.isnan, _ieee_samples(), grad=False),
    Row("is_inf", tf.is_inf, np.isinf, _ieee_samples(), grad=False),
    Row("is_finite", tf.is_finite, np.isfinite, _ieee_samples(), grad=False),
]
COVERED_ELSEWHERE = set()


def _lgamma_ref(x):
    return np.vectorize(lambda v: math.inf if v <= 0 and v == int(v) else math.lgamma(v), otypes=[np.float64])(x)


def _digamma_ref(x):
    """Richardson-extrapolated central differences of math.lgamma (accurate to about 1e-10)."""
    def one(v, h=1e-3):
        def central(h):
            return (math.lgamma(v + h) - math.lgamma(v - h)) / (2 * h)
        return (4 * central(h / 2) - central(h)) / 3
    return np.vectorize(one, otypes=[np.float64])(x)


_GAMMA_POINTS = np.array([0.3, 0.5, 1.0, 1.5, 2.0, 2.7, 9.99, 10.0, 12.3, 50.0, 170.5, -0.3, -2.6, -5.5])
ROWS += [
    Row("lgamma", tf.lgamma, _lgamma_ref,
        unary_samples((0.2, 6.0)) + [(_GAMMA_POINTS,), (_values((3, 4), (-4.9, -4.1), np.float64),)],
        rtol=1e-12, atol=1e-13),
    Row("lgamma_poles", tf.lgamma, _lgamma_ref, [(np.array([0.0, -1.0, -7.0, 3.0]),)], grad=False),
    Row("digamma", tf.digamma, _digamma_ref, [(_GAMMA_POINTS,), (_values((3, 4), (0.2, 30.0), np.float64),)],
        rtol=1e-8, atol=1e-9, grad=False),  # its gradient (trigamma) is not implemented
]
