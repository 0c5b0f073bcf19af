"""The elementwise math TF1 programs reach for beyond the basics: inverse and hyperbolic trigonometry, atan2, the
error function (BERT's gelu) and its complement, lgamma and digamma, and the IEEE tests is_nan / is_inf /
is_finite; the special functions are computed with the array module alone (no SciPy)."""
import math

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import register
from .binary_ops import BinaryElementwise
from .op_util import constant_like
from .unary_ops import UnaryElementwise, _add, _div, _mul, _neg, _sub, _unary

__all__ = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "atan2", "erf", "erfc", "lgamma",
           "digamma", "is_nan", "is_inf", "is_finite"]

_FLOAT_LIKE = dtypes.FLOATING + dtypes.COMPLEX


def _square(x):
    return _mul(x, x, "mul_1")


def _sqrt(x):
    from .unary_ops import Sqrt
    return apply_op(Sqrt, [x], name="Sqrt")


def _one(g):
    return constant_like(1, g)


def _x(op):
    return op.inputs[0]


Asin = register(_unary("Asin", "arcsin", _FLOAT_LIKE, lambda op, g: [  # 1 / sqrt(1 - x^2)
    _div(g, _sqrt(_sub(_one(g), _square(_x(op)))))]))
Acos = register(_unary("Acos", "arccos", _FLOAT_LIKE, lambda op, g: [
    _neg(_div(g, _sqrt(_sub(_one(g), _square(_x(op))))))]))
Atan = register(_unary("Atan", "arctan", _FLOAT_LIKE, lambda op, g: [_div(g, _add(_one(g), _square(_x(op))))]))
Sinh = register(_unary("Sinh", "sinh", _FLOAT_LIKE, lambda op, g: [
    _mul(g, apply_op(Cosh, [_x(op)], name="Cosh"))]))
Cosh = register(_unary("Cosh", "cosh", _FLOAT_LIKE, lambda op, g: [
    _mul(g, apply_op(Sinh, [_x(op)], name="Sinh"))]))
Asinh = register(_unary("Asinh", "arcsinh", _FLOAT_LIKE, lambda op, g: [
    _div(g, _sqrt(_add(_square(_x(op)), _one(g))))]))
Acosh = register(_unary("Acosh", "arccosh", _FLOAT_LIKE, lambda op, g: [
    _div(g, _sqrt(_sub(_square(_x(op)), _one(g))))]))
Atanh = register(_unary("Atanh", "arctanh", _FLOAT_LIKE, lambda op, g: [_div(g, _sub(_one(g), _square(_x(op))))]))


# --- the error function ----------------------------------------------------------------------------------------
_SERIES_TERMS = 60  # Maclaurin terms for |x| < 2.5: the last is below 1e-17 of the sum
_FRACTION_DEPTH = 60  # continued-fraction depth for erfc at |x| >= 2.5


def _erf_series(xp, x):
    """erf by its Maclaurin series 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)), for |x| < 2.5."""
    x2 = x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, _SERIES_TERMS):
        term = term * (-x2) / n
        total = total + term / (2 * n + 1)
    return total * (2 / math.sqrt(math.pi))


def _erfc_fraction(xp, x):
    """erfc(x) for x >= 2.5 by the continued fraction exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))),
    evaluated from the tail."""
    tail = xp.zeros_like(x)
    for k in range(_FRACTION_DEPTH, 0, -1):
        tail = (k / 2) / (x + tail)
    return xp.exp(-x * x) / (math.sqrt(math.pi) * (x + tail))


def _erf_parts(xp, x):
    """(erf(x), erfc(x)), each computed where it is accurate: the series near 0, the fraction in the tails."""
    ax = xp.abs(x)
    near = ax < 2.5
    series = _erf_series(xp, xp.where(near, x, xp.zeros_like(x)))
    tail_c = _erfc_fraction(xp, xp.where(near, xp.full_like(x, 2.5), ax))   # erfc(|x|) in the tails
    sign = xp.where(x < 0, -xp.ones_like(x), xp.ones_like(x))
    erf = xp.where(near, series, sign * (1 - tail_c))
    erfc = xp.where(near, 1 - series, xp.where(x < 0, 2 - tail_c, tail_c))
    return erf, erfc


def _erf_grad(op, g):
    # d erf(x) = 2/sqrt(pi) exp(-x^2)
    from .unary_ops import Exp
    density = apply_op(Exp, [_neg(_square(_x(op)))], name="Exp")
    return _mul(g, _mul(constant_like(2 / math.sqrt(math.pi), g), density, "mul_2"))


@register
class Erf(UnaryElementwise):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt (float64-accurate without SciPy)."""

    type_name = "Erf"
    allowed_dtypes = dtypes.FLOATING

    def forward(self, xp, x):
        wide = xp.asarray(x, dtype=xp.float64) if x.dtype.itemsize < 8 else x
        return _erf_parts(xp, wide)[0].astype(x.dtype, copy=False)

    def grad(self, op, g):
        return [_erf_grad(op, g)]


@register
class Erfc(UnaryElementwise):
    """1 - erf(x), accurate in the tails where 1 - erf(x) would cancel to 0."""

    type_name = "Erfc"
    allowed_dtypes = dtypes.FLOATING

    def forward(self, xp, x):
        wide = xp.asarray(x, dtype=xp.float64) if x.dtype.itemsize < 8 else x
        return _erf_parts(xp, wide)[1].astype(x.dtype, copy=False)

    def grad(self, op, g):
        return [_neg(_erf_grad(op, g))]


# --- log-gamma and digamma ------------------------------------------------------------------------------------
# Lanczos's approximation (g = 7, nine terms): Gamma(z + 1) = sqrt(2 pi) t^(z + 1/2) e^-t A(z), t = z + 7.5.
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def _lgamma_right(xp, x):
    """log Gamma(x) for x >= 0.5."""
    z = x - 1
    series = xp.full_like(z, _LANCZOS[0])
    for k, c in enumerate(_LANCZOS[1:], start=1):
        series = series + c / (z + k)
    t = z + 7.5
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(series)


def _lgamma(xp, x):
    """log |Gamma(x)| everywhere: reflection Gamma(x) Gamma(1 - x) = pi / sin(pi x) below 0.5 (+inf at the poles)."""
    left = x < 0.5
    right_part = _lgamma_right(xp, xp.where(left, 1 - x, x))
    reflected = math.log(math.pi) - xp.log(xp.abs(xp.sin(math.pi * x))) - right_part
    pole = left & (x == xp.floor(x))  # sin(pi x) is not exactly 0 there in floating point
    return xp.where(pole, xp.full_like(x, math.inf), xp.where(left, reflected, right_part))


_SHIFT_TO = 10.0  # the asymptotic series is used from here: its first omitted term is below 1e-13 there


def _digamma(xp, x):
    """d/dx log Gamma(x): recurrence psi(x) = psi(x + 1) - 1/x up to 10, then the asymptotic series; reflection
    psi(1 - x) - pi / tan(pi x) below 0.5."""
    left = x < 0.5
    y = xp.where(left, 1 - x, x)
    shift = xp.zeros_like(y)
    for _ in range(int(_SHIFT_TO)):
        below = y < _SHIFT_TO
        shift = shift - xp.where(below, 1 / y, xp.zeros_like(y))
        y = xp.where(below, y + 1, y)
    inv2 = 1 / (y * y)
    tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
    right = xp.log(y) - 0.5 / y - tail + shift
    return xp.where(left, right - math.pi / xp.tan(math.pi * x), right)


class _WideUnary(UnaryElementwise):
    """A float function evaluated in float64 (`compute`) and returned in the input's dtype."""

    allowed_dtypes = dtypes.FLOATING
    compute = None

    def forward(self, xp, x):
        wide = xp.asarray(x, dtype=xp.float64) if x.dtype.itemsize < 8 else x
        return type(self).compute(xp, wide).astype(x.dtype, copy=False)


@register
class Lgamma(_WideUnary):
    """log |Gamma(x)| elementwise (+inf at 0, -1, -2, ...)."""

    type_name = "Lgamma"
    compute = staticmethod(_lgamma)

    def grad(self, op, g):
        return [_mul(g, apply_op(Digamma, [_x(op)], name="Digamma"))]


@register
class Digamma(_WideUnary):
    """The digamma function psi(x) = d/dx log Gamma(x) elementwise. (Its own gradient, the trigamma function,
    is not implemented.)"""

    type_name = "Digamma"
    compute = staticmethod(_digamma)


# --- IEEE tests ------------------------------------------------------------------------------------------------
class _IeeeTest(UnaryElementwise):
    """A bool per element; not differentiable."""

    allowed_dtypes = dtypes.FLOATING

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, dtypes.bool)]


IsNan = register(type("IsNan", (_IeeeTest,), {"type_name": "IsNan", "ufunc": "isnan", "__module__": __name__}))
IsInf = register(type("IsInf", (_IeeeTest,), {"type_name": "IsInf", "ufunc": "isinf", "__module__": __name__}))
IsFinite = register(type("IsFinite", (_IeeeTest,), {"type_name": "IsFinite", "ufunc": "isfinite",
                                                      "__module__": __name__}))


@register
class Atan2(BinaryElementwise):
    """atan(y / x) in the right quadrant, elementwise with broadcasting (inputs `y`, then `x`)."""

    type_name = "Atan2"
    input_names = ("y", "x")
    same_dtype = ("y", "x")
    allowed_dtypes = dtypes.FLOATING
    ufunc = "arctan2"

    def grad(self, op, g):
        y, x = op.inputs
        scale = _div(g, _add(_mul(x, x, "mul"), _mul(y, y, "mul_1")))
        return [_mul(scale, x, "mul_2"), _neg(_mul(scale, y, "mul_3"))]


# --- public functions ------------------------------------------------------------------------------------------
def _public(opdef, default_name, doc, public_name):
    def fn(x, name=None):
        return apply_op(opdef, [x], name=name or default_name)
    fn.__name__ = fn.__qualname__ = public_name
    fn.__doc__ = doc
    return fn


asin = _public(Asin, "Asin", "Arcsine elementwise (radians in [-pi/2, pi/2]).", "asin")
acos = _public(Acos, "Acos", "Arccosine elementwise (radians in [0, pi]).", "acos")
atan = _public(Atan, "Atan", "Arctangent elementwise.", "atan")
sinh = _public(Sinh, "Sinh", "Hyperbolic sine elementwise.", "sinh")
cosh = _public(Cosh, "Cosh", "Hyperbolic cosine elementwise.", "cosh")
asinh = _public(Asinh, "Asinh", "Inverse hyperbolic sine elementwise.", "asinh")
acosh = _public(Acosh, "Acosh", "Inverse hyperbolic cosine elementwise (x >= 1).", "acosh")
atanh = _public(Atanh, "Atanh", "Inverse hyperbolic tangent elementwise (|x| < 1).", "atanh")
erf = _public(Erf, "Erf", "The Gauss error function elementwise, e.g. for gelu: 0.5 * x * (1 + erf(x / sqrt(2))).",
              "erf")
erfc = _public(Erfc, "Erfc", "The complementary error function 1 - erf(x), accurate for large x.", "erfc")
lgamma = _public(Lgamma, "Lgamma", "log |Gamma(x)| elementwise.", "lgamma")
digamma = _public(Digamma, "Digamma", "The digamma function (the derivative of lgamma) elementwise.", "digamma")
is_nan = _public(IsNan, "IsNan", "True where x is NaN.", "is_nan")
is_inf = _public(IsInf, "IsInf", "True where x is +inf or -inf.", "is_inf")
is_finite = _public(IsFinite, "IsFinite", "True where x is neither NaN nor infinite.", "is_finite")


def atan2(y, x, name=None):
    """The angle of the point (x, y) elementwise: atan(y / x) in the right quadrant, in [-pi, pi]."""
    return apply_op(Atan2, [y, x], name=name or "Atan2")
