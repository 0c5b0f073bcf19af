"""Generates Python code per program: locals for values, the kernels and constants as closure variables, one
line per step. A warm `Session.run` then costs one call with no interpreter loop; an error's traceback line
tells which step (and so which node) failed.

CPython compiles a function in time that grows faster than linearly with its number of locals and closure
cells (measured on 3.11: twice the steps took 3-4 times as long), so a long program becomes several part
functions of at most `PART_STEPS` steps: values that live across parts sit in one list of slots, the rest are
locals. The generated source is registered with `linecache` (tracebacks show its lines) only while the
generated function lives. `ValueNames` is the one naming scheme of values in generated code.

Each step's line ends with a comment naming its node and op type, `v16 = k5(c15, v4)  # dense/MatMul (MatMul)`
(`compiler.listing` makes node names safe there and shows the code when `NEUROFLOW_PRINT_PLANS` is set);
`Generated.source` is the whole text.
"""
import linecache
import weakref
from typing import Callable, NamedTuple, Optional

import numpy as np

from .. import float_errors
from .listing import show, step_comment
from .program import Program

__all__ = ["generate", "Generated", "ValueNames", "PART_STEPS"]

PART_STEPS = 500      # steps per generated function: compile time stays linear in program size
_FILENAME_PREFIX = "<neuroflow plan "
_counter = [0]


def _to_user(value):
    """What `Session.run` hands back: NumPy scalars for 0-d values, arrays otherwise (as TensorFlow)."""
    if value.__class__ is np.ndarray:
        return value[()] if value.ndim == 0 else value
    if isinstance(value, np.generic):
        return value
    return np.asarray(value)[()] if np.ndim(value) == 0 else np.array(value)


def _to_user_copy(value):
    """As `_to_user`, with a fresh array: the value may be storage the user must not be able to mutate."""
    if value.__class__ is np.ndarray:
        return value[()] if value.ndim == 0 else value.copy()
    return _to_user(value)


class ValueNames:
    """How generated code names a program's values: `c<id>` constants (closure variables), `s[<k>]` values
    that live across the parts of a long program (slot k of the list `s`), `f<id>` feeds and `v<id>` step
    outputs (locals). Kernels are `k<step index>`. Calling it gives a value's name."""

    __slots__ = ("consts", "num_feeds", "slots")

    def __init__(self, program, slots):
        self.consts, self.num_feeds, self.slots = program.consts, program.num_feeds, slots

    def __call__(self, v):
        if v in self.consts:
            return f"c{v}"
        if v in self.slots:
            return f"s[{self.slots[v]}]"
        return f"f{v}" if v < self.num_feeds else f"v{v}"

    def is_local(self, v):
        return v not in self.consts and v not in self.slots

    def value_in_frame(self, v, frame_locals):
        """The value `v` holds in a frame of generated code (None where it is gone)."""
        if v in self.consts:
            return self.consts[v]
        if v in self.slots:
            slot_list = frame_locals.get("s")
            return slot_list[self.slots[v]] if slot_list is not None else None
        return frame_locals.get(self(v))


class FailedStep(NamedTuple):
    """The step whose kernel raised, and the values it was called with."""
    step: object
    args: list


class Generated:
    """The generated code of one program.

    Attributes:
        run: `run(feeds)` computes the fetches as user values.
        line_to_step: (generated file name, line) -> index of the step in `program.steps`.
        program: the program it was generated from.
        names: its `ValueNames`.
        source_lines: {generated file name: its lines}, one per part function (the very lists `linecache`
            holds, so the text is kept once).
    """

    __slots__ = ("run", "line_to_step", "program", "names", "source_lines", "__weakref__")

    def __init__(self, run, line_to_step, program, names, source_lines):
        self.run, self.line_to_step, self.program, self.names, self.source_lines = (
            run, line_to_step, program, names, source_lines)

    @property
    def source(self):
        """The generated Python source, each part under a `# <file name>` heading."""
        return "".join(f"# {filename}\n{''.join(lines)}" for filename, lines in self.source_lines.items())

    def failed_step(self, exc):
        """The `FailedStep` (step, its input values) of an exception raised by a kernel called from this code,
        else None."""
        tb = exc.__traceback__
        while tb is not None:
            i = self.line_to_step.get((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
            if i is not None:
                step = self.program.steps[i]
                frame_locals = tb.tb_frame.f_locals
                return FailedStep(step, [self.names.value_in_frame(v, frame_locals) for v in step.ins])
            tb = tb.tb_next
        return None


def _free_points(program):
    """{step index: value ids to release after that step}: each computed value right after its last use, so
    large temporaries return to the allocator while the run goes on (fetches, feeds, constants stay)."""
    last_use = {}
    for i, step in enumerate(program.steps):
        for v in step.ins:
            last_use[v] = i
    keep = set(program.fetches) | set(program.consts) | set(range(program.num_feeds))
    frees = {}
    for v, i in last_use.items():
        if v not in keep:
            frees.setdefault(i, []).append(v)
    for i, step in enumerate(program.steps):
        for v in step.outs:
            if v not in keep and v not in last_use:
                frees.setdefault(i, []).append(v)  # produced but never used (a side-effecting op's output)
    return frees


def _slotted_values(program, parts):
    """Value ids that must live in the slot list: used or defined in more than one part, fetched, or fed
    (when there are several parts). Constants never need a slot."""
    if len(parts) == 1:
        return {}
    part_of = {}
    crossing = set(range(program.num_feeds)) | {v for v in program.fetches if v not in program.consts}
    for p, (start, stop) in enumerate(parts):
        for step in program.steps[start:stop]:
            for v in list(step.ins) + list(step.outs):
                if v in program.consts:
                    continue
                if part_of.setdefault(v, p) != p:
                    crossing.add(v)
    return {v: k for k, v in enumerate(sorted(crossing))}


_SCALAR_MATH_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def scalar_feeds(program):
    """The 0-d float32/float64 feeds whose every consumer takes only 0-d inputs. Generated code hands them to
    their kernels as NumPy scalars (`f[()]`, ~0.03 us): NumPy computes the same bits on scalars as on 0-d arrays,
    ~0.05 against ~0.5 us an op (the lecture's `target - y`). A 0-d array stays one where it meets a larger
    array: an array op with a 0-d array costs less than with a scalar (~0.3 against ~0.5 us)."""
    if program.xp is not np:
        return []
    zero_d = {v for v, shape in program.shapes.items() if shape == ()}
    zero_d.update(v for v, c in program.consts.items() if np.ndim(c) == 0)
    candidates = {v for v in range(program.num_feeds) if v in zero_d and program.dtypes.get(v) in _SCALAR_MATH_DTYPES}
    for step in program.steps:
        if candidates.isdisjoint(step.ins):
            continue
        if not all(v in zero_d for v in step.ins):
            candidates.difference_update(step.ins)
    used = {v for step in program.steps for v in step.ins}
    return sorted(candidates & used)


def _same(value):
    return value


def _already_silenced():
    return None


def _nothing_to_restore(token):
    return None


def generate(program: Program, check_cancelled=None, raw_fetches=False, feeds_are_arrays=False):
    """Returns a `Generated` for `program`. `check_cancelled()`, when given, is called between the parts of
    a long program (it raises to stop the run). `raw_fetches`: the program is a sub-plan a control-flow kernel
    runs inside an outer run (which silenced float warnings already): fetches are handed back as the kernels made
    them (backend arrays) rather than as user values. `feeds_are_arrays`: every feed is a NumPy array of its
    tensor's dtype (a Session's converted feeds), so 0-d float ones may become scalars (`scalar_feeds`); other
    callers may feed what a tensor's dtype does not describe (a sub-plan's TensorList for a float32 flow)."""
    _counter[0] += 1
    parts = [(start, min(start + PART_STEPS, len(program.steps)))
             for start in range(0, len(program.steps), PART_STEPS)] or [(0, 0)]
    name = ValueNames(program, _slotted_values(program, parts))
    frees = _free_points(program)
    functions, line_to_step, sources = [], {}, {}
    for p, (start, stop) in enumerate(parts):
        # Each part is compiled on its own, so the compiler's memory peaks at one part's size.
        filename = f"{_FILENAME_PREFIX}{_counter[0]}{'' if len(parts) == 1 else f'.{p}'}>"
        lines, values, part_lines = _emit_part(program, start, stop, name, frees, single=len(parts) == 1,
                                               raw_fetches=raw_fetches, feeds_are_arrays=feeds_are_arrays)
        sources[filename] = "\n".join(lines) + "\n"
        line_to_step.update(((filename, line), i) for line, i in part_lines.items())
        namespace = {}
        exec(compile(sources[filename], filename, "exec"), namespace)  # noqa: S102 - our own generated source
        functions.append(namespace.pop("_make")(*values))  # popped: no cycle keeps it for the collector
    run = functions[0] if len(parts) == 1 else _chained_run(program, functions, name, check_cancelled,
                                                            raw_fetches)
    show(sources)
    # Tracebacks through generated code show its lines while it lives; then the entries go with it.
    source_lines = {}
    for filename, source in sources.items():
        source_lines[filename] = source.splitlines(True)
        linecache.cache[filename] = (len(source), None, source_lines[filename], filename)
    weakref.finalize(run, _forget_sources, tuple(sources))
    return Generated(run, line_to_step, program, name, source_lines)


def _forget_sources(filenames):
    for filename in filenames:
        linecache.cache.pop(filename, None)


def _emit_part(program, start, stop, name, frees, single, raw_fetches=False, feeds_are_arrays=False):
    """The source of `_make`, whose result runs steps [start, stop) (the whole run when `single`): (lines,
    the closure values `_make` takes, {line number: step index})."""
    steps = program.steps[start:stop]
    env = {}
    for i, step in enumerate(steps, start):
        env[f"k{i}"] = step.kernel
    used_consts = sorted({v for s in steps for v in s.ins if v in program.consts} |
                         ({v for v in program.fetches if v in program.consts} if single else set()))
    for v in used_consts:
        env[f"c{v}"] = program.consts[v]
    helpers = ["_to_user", "_to_user_copy", "_silence", "_restore"] if single else []
    lines, line_to_step = [f"def _make({', '.join(list(env) + helpers)}):"], {}
    if single:
        lines.append("  def run(feeds):")
        if program.num_feeds:
            names = ", ".join(f"f{i}" for i in range(program.num_feeds))
            lines.append(f"    {names}{',' if program.num_feeds == 1 else ''} = feeds")
            for v in scalar_feeds(program) if feeds_are_arrays else ():
                lines.append(f"    {name(v)} = {name(v)}[()]  # 0-d feed used only with 0-d values: a NumPy scalar")
        lines.append("    _token = _silence()  # TensorFlow computes inf/nan silently")
        lines.append("    try:")
    else:
        lines.append("  def run(s):")  # s: the slots of values that live across parts
    indent = " " * (6 if single else 4)
    for i, step in enumerate(steps, start):
        args = ", ".join(name(v) for v in step.ins)
        target = ", ".join(name(v) for v in step.outs) + " = " if step.outs else ""
        lines.append(f"{indent}{target}k{i}({args}){step_comment(step)}")
        line_to_step[len(lines)] = i
        dead = sorted(set(frees.get(i, ())))
        local_dead = [name(v) for v in dead if name.is_local(v)]
        slot_dead = [name(v) for v in dead if not name.is_local(v)]
        if local_dead:
            lines.append(f"{indent}del {', '.join(local_dead)}")
        if slot_dead:
            lines.append(f"{indent}{' = '.join(slot_dead)} = None")
    if not steps:
        lines.append(f"{indent}pass")
    if single:
        results = [name(v) if raw_fetches else f"{'_to_user_copy' if v in program.shared else '_to_user'}({name(v)})"
                   for v in program.fetches]
        lines.append("    finally:")
        lines.append("      _restore(_token)")
        lines.append(f"    return [{', '.join(results)}]")
    lines.append("  return run")
    values = list(env.values())
    if single:
        values += [_same, _same] if raw_fetches else [_to_user, _to_user_copy]
        values += ([_already_silenced, _nothing_to_restore] if raw_fetches else
                   [float_errors.silence, float_errors.restore])
    return lines, values, line_to_step


class _FetchOut(NamedTuple):
    """Where a many-part run finds one fetch: slot `slot` of the slot list, or the constant `const`."""
    convert: Callable
    slot: Optional[int]
    const: object


def _chained_run(program, functions, name, check_cancelled, raw_fetches=False):
    """The run of a many-part program: feeds into slots, each part in turn, fetches out of slots."""
    num_feeds, num_slots = program.num_feeds, len(name.slots)
    outputs = []
    for v in program.fetches:
        convert = _same if raw_fetches else _to_user_copy if v in program.shared else _to_user
        if v in program.consts:
            outputs.append(_FetchOut(convert, None, program.consts[v]))
        else:
            outputs.append(_FetchOut(convert, name.slots[v], None))

    def run(feeds):
        s = [None] * num_slots
        s[:num_feeds] = feeds  # feeds hold the first slots: they are values 0..num_feeds-1
        token = None if raw_fetches else float_errors.silence()  # TensorFlow computes inf/nan silently
        try:
            for part in functions:
                if check_cancelled is not None:
                    check_cancelled()
                part(s)
        finally:
            if not raw_fetches:
                float_errors.restore(token)
        return [convert(s[k] if k is not None else const) for convert, k, const in outputs]
    return run
