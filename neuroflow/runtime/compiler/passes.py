"""Program rewrites, each small and independent: constant folding, shape-function folding, alias
elimination, scalar algebra, common-subexpression elimination, dead-code elimination, absorbing a consumer into
its producer's kernel, dropping unused outputs, scalar operators, sharing analysis.

Every pass keeps the meaning of the program: the same values for the fetches and the same effects, in order.
"""
import numpy as np

from . import rules
from .folding import Folder
from .program import EFFECT, PURE, READ, Step

__all__ = ["fold_constants", "fold_shape_functions", "eliminate_aliases", "simplify_scalars", "absorb_broadcasts",
           "eliminate_common", "eliminate_dead", "absorb_consumers", "drop_unused_outputs", "use_scalar_operators",
           "propagate_sharing", "optimize"]

def fold_constants(program):
    """Evaluates pure steps whose inputs are all constants, once, now (`folding` decides what is kept)."""
    folder = Folder(program)
    program.steps = folder.finish([step for step in program.steps if not folder.fold(step)])


def fold_shape_functions(program):
    """Steps whose result depends only on an input's shape (OnesLike, Shape, Size, ...) become constants
    when that shape is known."""
    folder = Folder(program)
    keep = []
    for step in program.steps:
        if not (step.opdef.depends_only_on_input_shape and step.ins and step.ins[0] in program.shapes and
                folder.fold_shape_function(step, program.shapes[step.ins[0]])):
            keep.append(step)
    program.steps = folder.finish(keep)


def eliminate_aliases(program):
    """Removes steps whose output is exactly an input: identities, and reshapes/broadcasts/sums-to-shape
    that do not change a known shape."""
    mapping = {}
    keep = []
    for step in program.steps:
        if step.kind == PURE and len(step.outs) == 1 and step.ins:
            src, out = step.ins[0], step.outs[0]
            if step.opdef.is_identity:
                mapping[out] = src
                continue
            if step.opdef.identity_if_same_shape and src in program.shapes and out in program.shapes and \
                    tuple(program.shapes[src]) == tuple(program.shapes[out]):
                mapping[out] = src
                continue
        keep.append(step)
    program.steps = keep
    program.substitute(mapping)
    return mapping


def simplify_scalars(program):
    """x ** 1 -> x, x ** 2 -> square(x), x * 1 -> x, x * -1 -> -x, x + 0 -> x, ... (0-d constants only); x * 1 and
    x + 0 are kept where x is a variable's value (or a view of one), which an update later in the run may change in
    place."""
    mapping = {}
    volatile = _volatile_values(program)
    for i, step in enumerate(program.steps):
        if step.kind != PURE:
            continue
        step.ins = [mapping.get(v, v) for v in step.ins]
        rewrite = rules.scalar_rewrite(program, step)
        if rewrite is None:
            continue
        if rewrite[0] == "alias":
            if rewrite[1] in volatile:
                continue  # `w * 1.0` before an optimizer's in-place step keeps w's old value, as in TensorFlow
            mapping[step.outs[0]] = rewrite[1]
            program.steps[i] = None
        else:
            _, opdef, ins = rewrite
            kernel = getattr(program.xp, opdef.ufunc)  # a unary elementwise OpDef's kernel: its xp function
            program.steps[i] = Step(kernel, ins, step.outs, step.op, opdef, PURE, (opdef.type_name, ()))
    program.steps = [s for s in program.steps if s is not None]
    program.substitute(mapping)


def absorb_broadcasts(program):
    """Feeds a BroadcastTo's source straight to a broadcasting elementwise consumer when the consumer's other
    operand already has the broadcast shape: the consumer broadcasts the same way for free."""
    producer = {}
    for step in program.steps:
        for out in step.outs:
            producer[out] = step
    for step in program.steps:
        if not step.opdef.broadcasts_inputs or step.kind != PURE or len(step.ins) != 2:
            continue
        for i in (0, 1):
            source = producer.get(step.ins[i])
            other = step.ins[1 - i]
            if source is None or not source.opdef.is_broadcast or source.kind != PURE:
                continue
            target = program.shapes.get(source.outs[0])
            if target is not None and tuple(program.shapes.get(other, ())) == tuple(target) and other in \
                    program.shapes:
                step.ins = list(step.ins)
                step.ins[i] = source.ins[0]


def _volatile_values(program):
    """Values that can change while a run goes on: variable reads and effect outputs (variable storage), and
    views of them."""
    volatile = set()
    for step in program.steps:
        if step.kind in (READ, EFFECT) or (step.opdef.may_alias_input and any(v in volatile for v in step.ins)):
            volatile.update(step.outs)
    return volatile


def eliminate_common(program):
    """Merges pure steps that compute the same thing from the same stable inputs."""
    volatile = _volatile_values(program)
    seen, mapping, keep = {}, {}, []
    for step in program.steps:
        step.ins = [mapping.get(v, v) for v in step.ins]
        if step.kind == PURE and step.key is not None and not any(v in volatile for v in step.ins):
            key = (step.key, tuple(step.ins))
            first = seen.get(key)
            if first is not None:
                mapping.update(zip(step.outs, first.outs))
                continue
            seen[key] = step
        keep.append(step)
    program.steps = keep
    program.substitute(mapping)


def eliminate_dead(program):
    """Drops pure and read steps whose outputs nothing uses (effects always stay)."""
    live = set(program.fetches)
    keep = []
    for step in reversed(program.steps):
        if step.kind == EFFECT or any(v in live for v in step.outs):
            keep.append(step)
            live.difference_update(step.outs)  # a read may redefine a value: earlier definitions serve earlier uses
            live.update(step.ins)
    keep.reverse()
    program.steps = keep
    used = set(program.fetches).union(*(step.ins for step in keep))
    for v in [v for v in program.consts if v not in used]:
        del program.consts[v]  # constants nothing reads any more (inputs of folded steps) free their memory


def drop_unused_outputs(program):
    """A kernel that can skip computing some of its outputs (it offers `kernel.drop_outputs(indices)`, which
    returns a variant giving None for those) gets that variant for the outputs no step reads and no fetch
    names: e.g. the fused LSTM gradient's input gradient when the input is a placeholder (~4% of an LSTM step)."""
    used = set(program.fetches)
    for step in program.steps:
        used.update(step.ins)
    for step in program.steps:
        drop = getattr(step.kernel, "drop_outputs", None)
        unused = [k for k, v in enumerate(step.outs) if v not in used]
        if drop is not None and unused:
            step.kernel = drop(unused)


def absorb_consumers(program):
    """A step whose kernel offers `kernel.absorb(consumer_op, same)` takes in the one step that reads its output,
    when nothing else reads it and no fetch names it: the kernel returns a variant that also does the consumer's
    work, or None. The merged step sits where the consumer was and reads the step's inputs, then the consumer's
    other inputs (`same[k]`: the position among the step's inputs of the consumer's input k + 1, or None; those
    found there are not read twice); it keeps the step's op, whose errors are the only ones the variants allow.
    What a kernel absorbs is its own knowledge (e.g. runtime/accel/conv.py: a convolution's bias and ReLU in its
    tile epilogue, the ReLU gradient in the max-pool gradient): one pass over the data instead of two or three.
    Merged kernels are host kernels of several ops: where GPUs are visible, the placer may rebind any step to a
    device's array module through its one op's OpDef, so nothing is merged there."""
    from ..backend_gpu import gpu_devices  # discovered once per process (a plan's placer asks for them anyway)
    if gpu_devices():
        return
    fetched, counts, steps = set(program.fetches), program.use_counts(), program.steps
    reader = {}
    for k, step in enumerate(steps):
        for v in step.ins:
            reader.setdefault(v, k)
    for i in range(len(steps)):
        step = steps[i]
        while step.kind == PURE and len(step.outs) == 1 and hasattr(step.kernel, "absorb"):
            out = step.outs[0]
            j = reader.get(out)
            if counts.get(out) != 1 or out in fetched or out in program.shared or j is None:
                break
            consumer = steps[j]
            # Not across a state change (an in-place variable update would reach the step's inputs late) nor a
            # redefinition of an input (a variable re-read).
            if consumer.kind != PURE or len(consumer.outs) != 1 or consumer.ins[0] != out or \
                    any(between.kind == EFFECT or any(v in between.outs for v in step.ins)
                        for between in steps[i + 1:j]):
                break
            same = [step.ins.index(v) if v in step.ins else None for v in consumer.ins[1:]]
            kernel = step.kernel.absorb(consumer.op, same)
            if kernel is None:
                break
            key = None if step.key is None or consumer.key is None else (step.key, consumer.key, tuple(same))
            ins = step.ins + [v for v, k in zip(consumer.ins[1:], same) if k is None]
            steps[j] = step = Step(kernel, ins, consumer.outs, step.op, step.opdef, PURE, key)
            steps[i] = Step(None, (), (), step.op, step.opdef, PURE)  # a placeholder, dropped below
            i = j
    program.steps = [s for s in steps if s.kernel is not None]
    _absorb_readers(program)


def _absorb_readers(program):
    """A one-output step whose kernel offers `kernel.absorb_reader(reader_op)` takes in a later pure step that
    reads only that output (however many other steps read it, fetches included): the kernel returns a variant
    giving (output, the reader's output), or None. The reader's work then happens while the output is written
    (e.g. runtime/accel/conv.py: BiasAddGrad summed inside the max-pool gradient that produces its input). Moving
    the reader up is safe: it is pure and its one input is ready there."""
    steps = program.steps
    readers = {}
    for k, step in enumerate(steps):
        if step.kind == PURE and len(step.outs) == 1 and len(step.ins) == 1:
            readers.setdefault(step.ins[0], []).append(k)
    for i, step in enumerate(steps):
        if step is None or step.kind != PURE or len(step.outs) != 1 or not hasattr(step.kernel, "absorb_reader"):
            continue
        for j in readers.get(step.outs[0], ()):
            if j <= i or steps[j] is None or any(s is not None and step.outs[0] in s.outs for s in steps[i + 1:j]):
                continue  # (a redefined value: the reader reads another one)
            kernel = step.kernel.absorb_reader(steps[j].op)
            if kernel is not None:
                steps[i] = Step(kernel, step.ins, step.outs + steps[j].outs, step.op, step.opdef, PURE)
                steps[j] = None
                break
    program.steps = [s for s in steps if s is not None]


def use_scalar_operators(program):
    """Steps of ops with a `python_operator` (AddV2, Sub, Mul, RealDiv, Neg) on values known to be 0-d
    numbers call that operator instead of the ufunc: on NumPy scalars (what a ufunc returns for 0-d results)
    that takes NumPy's scalar-math path, ~0.06 us against ~0.4-0.6 us a ufunc call, with the same value and
    dtype (IEEE arithmetic in the dtype, NEP 50 promotion, warnings silenced alike); a 0-d array operand
    still goes through the ufunc. 0-d constants they read are stored as NumPy scalars for this."""
    scalars = {}
    for step in program.steps:
        fn = step.opdef.python_operator
        if fn is None or step.kind != PURE or not all(program.shapes.get(v) == () and v in program.dtypes and
                                                      program.dtypes[v].kind in "fiuc" for v in step.ins):
            continue
        for k, v in enumerate(step.ins):
            const = program.consts.get(v)
            if isinstance(const, np.ndarray):
                if v not in scalars:
                    scalars[v] = program.add_const(const[()], program.dtypes[v])
                step.ins[k] = scalars[v]
        step.kernel = fn


def propagate_sharing(program):
    """Marks step outputs that may be views of storage the user must not mutate (then fetches copy them)."""
    for step in program.steps:
        if step.opdef.may_alias_input and any(v in program.shared for v in step.ins):
            program.shared.update(step.outs)


def optimize(program):
    """The standard pipeline, in an order where each pass feeds the next."""
    fold_shape_functions(program)
    fold_constants(program)
    eliminate_aliases(program)
    simplify_scalars(program)
    fold_constants(program)
    eliminate_aliases(program)
    absorb_broadcasts(program)
    eliminate_common(program)
    eliminate_dead(program)
    absorb_consumers(program)
    drop_unused_outputs(program)
    use_scalar_operators(program)
    propagate_sharing(program)
    return program
