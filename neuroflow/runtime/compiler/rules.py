"""Rewrite knowledge about particular OpDefs, kept out of the op files (DESIGN: fast paths are registries keyed
by OpDef): which ops are the identity, which are the identity when shapes match, which depend only on their
input's shape, which have data-dependent output shapes, and algebraic identities with scalar constants."""
import numpy as np

__all__ = ["IDENTITY", "NOOP_IF_SAME_SHAPE", "FROM_SHAPE", "DATA_DEPENDENT_SHAPE", "scalar_rewrite"]

# Output is the input, always.
IDENTITY = {"Identity", "StopGradient", "PlaceholderWithDefault", "Snapshot"}

# Output is the input when the input already has the output's shape.
NOOP_IF_SAME_SHAPE = {"SumToShape", "BroadcastTo", "Reshape", "ExpandDims", "Squeeze", "Tile"}

# Output depends only on the input's shape (and dtype), not its values.
FROM_SHAPE = {"OnesLike", "ZerosLike", "Shape", "Size", "Rank"}

# Output shape depends on input values: shapes observed on one run do not hold on the next.
DATA_DEPENDENT_SHAPE = {"Where", "Unique", "BooleanMask", "DynamicPartition", "Multinomial",
                        "IteratorGetNext"}  # a dataset's last batch may be smaller


# The op types `scalar_rewrite` knows identities for.
_SCALAR_REWRITTEN = {"Pow", "Mul", "AddV2", "Sub", "RealDiv"}


def _is_scalar_const(program, v, value):
    c = program.consts.get(v)
    return c is not None and np.ndim(c) == 0 and c == value


def scalar_rewrite(program, step):
    """An equivalent cheaper form of `step` when an input is a 0-d constant: ("alias", value id) or
    ("op", unary OpDef, [ins]), or None. 0-d constants never change the other operand's shape or dtype."""
    t = step.opdef.type_name
    ins = step.ins
    if len(ins) != 2 or t not in _SCALAR_REWRITTEN:
        return None
    from ...ops import unary_ops  # here, not at import: the ops import the runtime
    x, y = ins
    floating = program.dtypes.get(step.outs[0], np.dtype(np.int8)).kind in "fc"
    if t == "Pow" and floating:
        if _is_scalar_const(program, y, 1):
            return ("alias", x)
        if _is_scalar_const(program, y, 2):
            return ("op", unary_ops.Square, [x])
        if _is_scalar_const(program, y, 0.5):
            return ("op", unary_ops.Sqrt, [x])
    if t == "Mul":
        for a, b in ((x, y), (y, x)):
            if _is_scalar_const(program, b, 1) and a not in program.consts:
                return ("alias", a)
            if _is_scalar_const(program, b, -1) and a not in program.consts:
                return ("op", unary_ops.Neg, [a])
    if t == "AddV2":
        for a, b in ((x, y), (y, x)):
            if _is_scalar_const(program, b, 0) and a not in program.consts:
                return ("alias", a)
    if t == "Sub" and _is_scalar_const(program, y, 0):
        return ("alias", x)
    if t == "RealDiv" and _is_scalar_const(program, y, 1):
        return ("alias", x)
    return None
