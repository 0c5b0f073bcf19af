"""A toy OpDef defined outside the package, as someone adding an op would write it: `ToyScale(x) = alpha * x`
with its traits, attribute canonicalization, kernel and gradient. Tests register it only for a while
(`registered()`), so the package's own coverage tests never see it."""
import contextlib

from neuroflow.framework import dtypes
from neuroflow.framework.apply import apply_op
from neuroflow.framework.op_def import OpDef, get_opdef, register, unregister

__all__ = ["ToyScaleOp", "TYPE_NAME", "registered", "toy_scale"]

TYPE_NAME = "ToyScale"


class ToyScaleOp(OpDef):
    """`alpha * x` elementwise (attr `alpha`: a Python number, stored as a float; default 1.0)."""

    type_name = TYPE_NAME
    input_names = ("x",)
    same_dtype = ("x",)
    allowed_dtypes = dtypes.FLOATING

    # Traits, stated even where they equal the defaults: this is the op a reader copies.
    is_identity = False
    identity_if_same_shape = False
    depends_only_on_input_shape = False
    shape_arg_inputs = ()
    data_dependent_shape = False
    broadcasts_inputs = False
    output_is_shared = False

    def canonicalize_attrs(self, inputs, attrs):
        return {"alpha": float(attrs.get("alpha", 1.0))}

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, alpha):
        return xp.multiply(x, alpha)  # a Python float keeps x's dtype (NEP 50)

    def grad(self, op, g):
        return [apply_op(self, [g], {"alpha": op.get_attr("alpha")}, name="ToyScaleGrad")]


@contextlib.contextmanager
def registered():
    """Registers ToyScale for the duration of the block and yields its OpDef instance."""
    instance = register(ToyScaleOp)
    try:
        yield instance
    finally:
        unregister(TYPE_NAME)


def toy_scale(x, alpha=None, name=None):
    """`alpha * x` with the registered ToyScale (inside `registered()`)."""
    attrs = {} if alpha is None else {"alpha": alpha}
    return apply_op(get_opdef(TYPE_NAME), [x], attrs, name=name)
