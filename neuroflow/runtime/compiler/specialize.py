"""Shape specialization: after a first run with given feed shapes, every value whose shape is a function of
those feed shapes gets that shape as known, so shape functions fold to constants and shape no-ops disappear.
The result is valid for any later run with the same feed shapes (the Plan guards on them)."""
import numpy as np

from . import rules
from .folding import Folder
from .program import READ

__all__ = ["specialize", "shape_args"]

# Inputs whose *values* set the output's shape (they must be constant for the output shape to be known).
SHAPE_ARGS = {
    "Reshape": (1,), "Fill": (0,), "BroadcastTo": (1,), "SumToShape": (1,), "Range": (0, 1, 2),
    "RandomUniform": (0,), "RandomNormal": (0,), "TruncatedNormal": (0,), "Slice": (1, 2),
    "StridedSlice": (1, 2, 3), "StridedSliceGrad": (0, 1, 2, 3), "Tile": (1,), "Pad": (1,), "PadV2": (1,),
    "MirrorPad": (1,), "MirrorPadGrad": (1,), "OneHot": (1,), "Multinomial": (1,), "LinSpace": (2,),
    "SplitV": (1,), "Transpose": (1,), "ConjugateTranspose": (1,), "GatherV2Grad": (2,), "ReverseV2": (),
    "Conv2DBackpropInput": (0,), "Conv2DBackpropFilter": (1,), "DepthwiseConv2dNativeBackpropInput": (0,),
    "DepthwiseConv2dNativeBackpropFilter": (1,),
}
# Integer inputs that index or label data without setting the output's shape.
NOT_SHAPE_ARGS = {"GatherV2", "SparseSoftmaxCrossEntropyWithLogits", "Cast", "ArgMax", "ArgMin",
                  "InTopK", "InTopKV2", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
                  "SelectV2"}


def shape_args(program, step):
    """Positions of the inputs whose values determine the output shape (conservative for unknown ops: every
    integer input but the first)."""
    t = step.opdef.type_name
    if t in SHAPE_ARGS:
        return SHAPE_ARGS[t]
    if t in NOT_SHAPE_ARGS:
        return ()
    return tuple(i for i, v in enumerate(step.ins) if i > 0 and program.dtypes.get(v, np.dtype(float)).kind in "iub")


def specialize(program, observed):
    """A copy of `program` for the feed shapes of one run (`observed`: value id -> shape seen in that run).

    Walking the steps in order, a value's shape counts as known when it follows from the feed shapes alone:
    its step has known-shape inputs, its shape-setting inputs are constants, and it is neither a variable read
    (a variable's shape may change) nor an op whose output shape depends on data. Shape functions of known
    shapes fold to constants on the way, so later shape-setting inputs become constant too.
    """
    p = program.copy()
    for i in range(p.num_feeds):
        p.shapes[i] = observed[i]
    known = set(range(p.num_feeds)) | set(p.shapes) | set(p.consts)
    folder = Folder(p)
    keep = []
    for step in p.steps:
        t = step.opdef.type_name
        if t in rules.FROM_SHAPE and step.ins and step.ins[0] in known and \
                folder.fold_shape_function(step, p.shapes.get(step.ins[0], observed.get(step.ins[0]))) or \
                step.ins and folder.fold(step):
            known.update(step.outs)
            continue
        keep.append(step)
        if step.kind == READ or t in rules.DATA_DEPENDENT_SHAPE:
            continue
        if all(v in known for v in step.ins) and all(step.ins[i] in p.consts for i in shape_args(p, step)
                                                     if i < len(step.ins)):
            for out in step.outs:
                if out in observed:
                    p.shapes.setdefault(out, observed[out])
                    known.add(out)
    p.steps = folder.finish(keep)
    return p
