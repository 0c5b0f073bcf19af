"""Python operators on tensors (`+ - * / // % ** @`, unary `-`, `abs`, `~ & | ^`, `< <= > >=`, `[...]`),
building the same nodes TensorFlow 1.x builds (`a + b` is the node "add"). `==` stays identity, as in TF 1.x."""
from ..framework.apply import apply_op
from ..framework.tensor import Tensor
from . import binary_ops as _b
from . import linalg_ops, math_ops, slicing
from . import unary_ops as _u

__all__ = ["install"]


def _binary(opdef, name):
    def forward_op(x, y):
        return apply_op(opdef, [x, y], name=name)

    def reflected_op(y, x):
        return apply_op(opdef, [x, y], name=name)
    return forward_op, reflected_op


def _via(fn, name):
    def forward_op(x, y):
        return fn(x, y, name=name)

    def reflected_op(y, x):
        return fn(x, y, name=name)
    return forward_op, reflected_op


def _reflected_truediv(y, x):
    # Convert the Python operand with the tensor's dtype first, as TensorFlow's reflected wrapper does.
    from ..framework.apply import convert_to_tensor
    from ..framework.graph import name_scope
    with name_scope(None, "truediv", [y]) as scope:
        x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
        return math_ops.truediv(x, y, name=scope)


_OPERATORS = {
    "add": _binary(_b.AddV2, "add"),
    "sub": _binary(_b.Sub, "sub"),
    "mul": _binary(_b.Mul, "mul"),
    "floordiv": _binary(_b.FloorDiv, "floordiv"),
    "mod": _binary(_b.FloorMod, "mod"),
    "pow": _binary(_b.Pow, "pow"),
    "and": _binary(_b.LogicalAnd, "and"),
    "or": _binary(_b.LogicalOr, "or"),
    "xor": _via(math_ops.logical_xor, "xor"),
    "matmul": _via(linalg_ops.matmul, "matmul"),
}


def install(cls):
    """Attaches the operators to `cls` (Tensor; Variable delegates to its value)."""
    for py_name, (fwd, rev) in _OPERATORS.items():
        cls._override_operator(f"__{py_name}__", fwd)
        cls._override_operator(f"__r{py_name}__", rev)
    cls._override_operator("__truediv__", lambda x, y: math_ops.truediv(x, y, name="truediv"))
    cls._override_operator("__rtruediv__", _reflected_truediv)
    cls._override_operator("__neg__", lambda x: apply_op(_u.Neg, [x], name="Neg"))
    cls._override_operator("__abs__", lambda x: apply_op(_u.Abs, [x], name="Abs"))
    cls._override_operator("__invert__", lambda x: apply_op(_u.LogicalNot, [x], name="LogicalNot"))
    cls._override_operator("__lt__", lambda x, y: apply_op(_b.Less, [x, y], name="Less"))
    cls._override_operator("__le__", lambda x, y: apply_op(_b.LessEqual, [x, y], name="LessEqual"))
    cls._override_operator("__gt__", lambda x, y: apply_op(_b.Greater, [x, y], name="Greater"))
    cls._override_operator("__ge__", lambda x, y: apply_op(_b.GreaterEqual, [x, y], name="GreaterEqual"))
    cls._override_operator("__getitem__", slicing.slice_helper)


install(Tensor)
