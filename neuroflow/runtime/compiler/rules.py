"""Scalar algebra for the plan compiler: a binary step with a 0-d constant input is asked, through its OpDef's
`simplify_with_scalar`, for a cheaper equivalent. What each op allows is the OpDef's own knowledge; the other
passes read OpDef traits directly (framework/op_def.py), so no op type is named here."""
import numpy as np

__all__ = ["scalar_rewrite"]


def scalar_rewrite(program, step):
    """An equivalent cheaper form of `step` when one input is a 0-d constant and the other is not:
    ("alias", value id) or ("op", unary OpDef, [ins]), or None. 0-d constants never change the other
    operand's shape or dtype."""
    if len(step.ins) != 2:
        return None
    floating = program.dtypes.get(step.outs[0], np.dtype(np.int8)).kind in "fc"
    for position in (0, 1):
        scalar = program.consts.get(step.ins[position])
        if scalar is None or np.ndim(scalar) != 0 or step.ins[1 - position] in program.consts:
            continue
        rewrite = step.opdef.simplify_with_scalar(position, scalar, floating)
        if rewrite is None:
            continue
        target, k = rewrite
        if target == "input":
            return ("alias", step.ins[k])
        return ("op", target, [step.ins[k]])
    return None
