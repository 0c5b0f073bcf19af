"""Scalar code for the narrowest tiny plans: a `TinyProgram` (compiler/tiny_plan.py's lowering of a plan whose
values are all small float arrays) whose every instruction touches at most MAX_ELEMENT_OPS elements becomes
generated Python holding each arena element in a local, as a NumPy scalar of the plan's dtype, with one scalar
operation per element operation. It needs nothing but NumPy and is made at once (no tier-up to pay for).

Why: one NumPy call on a 2-element array costs ~0.35-0.9 us, one operation on two NumPy scalars ~0.04 us, so up to
about eight element operations per instruction, scalar code wins. The lecture's plan (8 kernel calls, ~2.7-4 us)
runs as 11 scalar operations plus the reads and write-back of its variable (~1.1 us); its whole `sess.run` goes
from ~5.6 to ~2.8 us.

Exactness: NumPy's float32 and float64 scalar arithmetic is IEEE arithmetic in that dtype, one rounding per
operation, as its array loops are; every instruction is emitted in the VM's order (runtime/accel/tiny_vm.py:
sums in NumPy's pairwise order), so results are bit for bit the plain plan's (tests/test_tiny_scalar.py).
Square roots go through the double-precision `math.sqrt` and one rounding to float32, which is the correctly
rounded float32 root (double carries more than 2 * 24 + 2 bits); negative and NaN inputs go to `np.sqrt`.

`NEUROFLOW_SCALAR_CODE=0` keeps such plans on their plain code (or the VM's tier-up).
"""
import math
import os

import numpy as np

from .tiny_plan import HEADER, OPCODES, WIDTH, _elements
from .. import float_errors

__all__ = ["enabled", "runner", "uses_scalar_code", "MAX_ELEMENT_OPS"]

MAX_ELEMENT_OPS = 8      # per instruction: beyond, one NumPy call costs less than the scalar operations
MAX_STATEMENTS = 512     # per plan: a longer function costs more to make than a tiny plan's runs save
_FILE = "<neuroflow tiny plan, scalar code>"
_BINARY = {OPCODES["add"]: "+", OPCODES["sub"]: "-", OPCODES["mul"]: "*", OPCODES["div"]: "/"}
_UNARY = {OPCODES["neg"]: "-{0}", OPCODES["square"]: "{0} * {0}", OPCODES["sqrt"]: "_sqrt({0})",
          OPCODES["copy"]: "{0}"}


def enabled():
    """Whether tiny plans may get scalar code (not NEUROFLOW_SCALAR_CODE=0)."""
    return os.environ.get("NEUROFLOW_SCALAR_CODE", "1") != "0"


def uses_scalar_code(generated):
    """Whether the runs of `generated` (a `codegen.Generated`) now go through scalar code."""
    code = getattr(generated.run, "__code__", None)
    return code is not None and code.co_filename == _FILE


class _TooWide(Exception):
    """An instruction touches more elements than scalar code handles well."""


def runner(tiny, num_feeds, store, plain):
    """`run(feeds)` computing `tiny` (a `TinyProgram`) in scalar code, or None when some instruction is too wide.
    `store`: the context's variable storage, read every run; `plain(feeds)`: the plain code, which serves a run
    whose variable is missing (it raises TensorFlow's error) or re-bound to another shape."""
    try:
        emitter = _Emitter(tiny)
        body = emitter.body()
    except _TooWide:
        return None
    dtype = tiny.template.dtype
    variables = [(k, key, shape) for k, (kind, key, shape) in enumerate(tiny.inputs) if kind == "variable"]
    constants = sorted(emitter.constants)
    # Storage names, shapes and constants are closure values of the generated function, never text in it.
    params = ([f"n{k}" for k, _, _ in variables] + [f"s{k}" for k, _, _ in variables] +
              [f"t{k}" for k in constants])
    values = ([key for _, key, _ in variables] + [shape for _, _, shape in variables] +
              [tiny.template[k] for k in constants])
    lines = [f"def make(store, plain, _silence, _restore, _sqrt, _array, _dtype, _ndarray"
             f"{''.join(', ' + p for p in params)}):",
             "  def run(feeds):"]
    if num_feeds:
        lines.append(f"    {', '.join(f'f{i}' for i in range(num_feeds))}{',' if num_feeds == 1 else ''} = feeds")
    if variables:
        lines.append("    try:")
        lines += [f"      w{k} = store[n{k}]" for k, _, _ in variables]
        lines.append("    except KeyError:")
        lines.append("      return plain(feeds)  # it raises, naming the uninitialized variable")
        # A 0-d variable's storage may be a NumPy scalar (what a NumPy operation gives for a 0-d result): it
        # cannot be written in place, so the plain code serves that run.
        checks = [f"w{k}.shape != s{k}" + (f" or w{k}.__class__ is not _ndarray" if shape == () else "")
                  for k, _, shape in variables]
        lines.append(f"    if {' or '.join(checks)}:")
        lines.append("      return plain(feeds)  # re-bound to another shape since the code was made")
    lines += ["    _token = _silence()  # TensorFlow computes inf/nan silently", "    try:"]
    lines += ["      " + line for line in body]
    lines += ["    finally:", "      _restore(_token)", f"    return [{', '.join(emitter.fetches())}]", "  return run"]
    source = "\n".join(lines) + "\n"
    namespace = {}
    exec(compile(source, _FILE, "exec"), namespace)  # noqa: S102 - built from integers only
    run = namespace["make"](store, plain, float_errors.silence, float_errors.restore, _sqrt_function(dtype),
                            np.array, dtype, np.ndarray, *values)
    run.source = source  # what Plan.source() shows
    return run


class _Emitter:
    """The statements of one TinyProgram: arena element k lives in the local `a<k>`; an element read before
    anything wrote it is a template constant, the closure value `t<k>`."""

    def __init__(self, tiny):
        self.tiny = tiny
        self.written = set()
        self.constants = set()
        self.lines = []

    def name(self, k):
        if k in self.written:
            return f"a{k}"
        self.constants.add(k)
        return f"t{k}"

    def assign(self, k, expression):
        self.lines.append(f"a{k} = {expression}")
        self.written.add(k)
        if len(self.lines) > MAX_STATEMENTS:
            raise _TooWide

    def body(self):
        code, tiny = self.tiny.code, self.tiny
        count = int(code[0])
        header = [[int(x) for x in code[1 + HEADER * k:1 + HEADER * (k + 1)]] for k in range(count)]
        for k, ((kind, key, shape), (offset_in, size, _, _)) in enumerate(zip(tiny.inputs, header)):
            source = f"f{key}" if kind == "feed" else f"w{k}"
            for i, index in enumerate(_indices(shape)):
                self.assign(offset_in + i, f"{source}[{index}]")
        for feed, offset in tiny.scalar_feeds:
            self.assign(offset, f"f{feed}[()]")
        for pc in range(1 + HEADER * count, code.size, WIDTH):
            self.instruction(*(int(x) for x in code[pc:pc + WIDTH]))
        for k, ((kind, _, shape), (_, _, offset_out, write_back)) in enumerate(zip(tiny.inputs, header)):
            if kind == "variable" and write_back:
                for i, index in enumerate(_indices(shape)):
                    self.lines.append(f"w{k}[{index}] = {self.name(offset_out + i)}")
        return self.lines

    def fetches(self):
        results = []
        for offset, shape in self.tiny.fetches:
            if shape == ():
                results.append(self.name(offset))
            else:
                names = [self.name(offset + i) for i in range(_elements(shape))]
                results.append(f"_array({_nested(names, shape)}, _dtype)")
        return results

    def instruction(self, op, n, o0, o1, o2, o3, o4, s1, s2, s3, s4):
        if op in (OPCODES["sum_rows"], OPCODES["mean_rows"]):
            if n * o2 > MAX_ELEMENT_OPS:
                raise _TooWide
            for r in range(n):  # o2 elements a row from o1; Mean divides by the count held at o3
                total = self.pairwise(o1 + r * o2, o2)
                self.assign(o0 + r, f"{total} / {self.name(o3)}" if op == OPCODES["mean_rows"] else total)
            return
        if n > MAX_ELEMENT_OPS:
            raise _TooWide
        name = self.name
        for i in range(n):
            if op in _BINARY:
                self.assign(o0 + i, f"{name(o1 + i * s1)} {_BINARY[op]} {name(o2 + i * s2)}")
            elif op in _UNARY:
                self.assign(o0 + i, _UNARY[op].format(name(o1 + i * s1)))
            elif op == OPCODES["gradient_descent"]:  # var -= delta * alpha
                self.assign(o0 + i, f"{name(o0 + i)} - {name(o2 + i * s2)} * {name(o1 + i * s1)}")
            elif op in (OPCODES["momentum"], OPCODES["momentum_nesterov"]):
                # accum = accum * momentum + grad; var -= accum * lr (Nesterov: var -= grad * lr + accum *
                # momentum * lr), the VM's operations in its order
                lr, mom, grad = name(o2 + i * s2), name(o3 + i * s3), name(o4 + i * s4)
                self.assign(o1 + i, f"{name(o1 + i)} * {mom} + {grad}")
                accum = name(o1 + i)
                step = (f"{accum} * {lr}" if op == OPCODES["momentum"] else
                        f"({grad} * {lr} + {accum} * {mom} * {lr})")
                self.assign(o0 + i, f"{name(o0 + i)} - {step}")
            else:
                raise _TooWide  # an opcode this emitter does not know: the plain code (or the VM) serves

    def pairwise(self, lo, n):
        """NumPy's pairwise sum of the n elements from `lo`, as one expression (the VM's `pairwise`): below 8
        a running sum; else 8 accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest."""
        names = [self.name(lo + i) for i in range(n)]
        if n < 8:
            total = names[0]
            for x in names[1:]:
                total = f"({total} + {x})"
            return total
        r = names[:8]
        whole = n - n % 8
        for i in range(8, whole):
            r[i % 8] = f"({r[i % 8]} + {names[i]})"
        total = f"((({r[0]} + {r[1]}) + ({r[2]} + {r[3]})) + (({r[4]} + {r[5]}) + ({r[6]} + {r[7]})))"
        for x in names[whole:]:
            total = f"({total} + {x})"
        return total


def _indices(shape):
    """The literal indices of a C-ordered array's elements: "0", "1" for 1-d, "0, 1" for 2-d, ..."""
    return [", ".join(str(i) for i in index) or "()" for index in np.ndindex(*shape)]


def _nested(names, shape):
    """The nested tuple literal of `names` in `shape` (C order)."""
    if len(shape) == 1:
        return f"({', '.join(names)},)"
    step = len(names) // shape[0]
    return f"({', '.join(_nested(names[i:i + step], shape[1:]) for i in range(0, len(names), step))},)"


def _sqrt_function(dtype):
    """`sqrt(x)` of a NumPy scalar of `dtype`, as `np.sqrt` gives it (module docstring)."""
    scalar, root, np_sqrt = dtype.type, math.sqrt, np.sqrt

    def sqrt(x):
        return scalar(root(x)) if x >= 0 else np_sqrt(x)
    return sqrt
