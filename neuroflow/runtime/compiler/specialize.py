"""Shape specialization: after a first run with given feed shapes, every value whose shape is a function of
those feed shapes gets that shape as known, so shape functions fold to constants and shape no-ops disappear.
The result is valid for any later run with the same feed shapes (the Plan guards on them)."""
from .folding import Folder
from .program import READ

__all__ = ["specialize"]


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
        opdef = step.opdef
        if opdef.depends_only_on_input_shape and step.ins and step.ins[0] in known and \
                folder.fold_shape_function(step, p.shapes.get(step.ins[0], observed.get(step.ins[0]))) or \
                step.ins and folder.fold(step):
            known.update(step.outs)
            continue
        keep.append(step)
        if step.kind == READ or opdef.data_dependent_shape:
            continue
        if all(v in known for v in step.ins) and all(step.ins[i] in p.consts for i in opdef.shape_arg_inputs
                                                     if i < len(step.ins)):
            for out in step.outs:
                if out in observed:
                    p.shapes.setdefault(out, observed[out])
                    known.add(out)
    p.steps = folder.finish(keep)
    return p
