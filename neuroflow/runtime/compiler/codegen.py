"""Generates one Python function per program: locals for values, the kernels and constants as closure
variables, one line per step. A warm `Session.run` then costs one call with no interpreter loop; an error's
traceback line tells which step (and so which node) failed."""
import linecache

import numpy as np

from .. import float_errors
from .program import Program

__all__ = ["generate"]

_FILENAME_PREFIX = "<neuroflow plan "
_counter = [0]


def _name(program, v):
    if v < program.num_feeds:
        return f"f{v}"
    if v in program.consts:
        return f"c{v}"
    return f"v{v}"


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


def generate(program: Program):
    """Returns (run, line_to_step): `run(feeds)` computes the fetches as user values."""
    _counter[0] += 1
    filename = f"{_FILENAME_PREFIX}{_counter[0]}>"
    env = {"_to_user": _to_user, "_to_user_copy": _to_user_copy, "_silence": float_errors.silence,
           "_restore": float_errors.restore}
    params = []
    for i, step in enumerate(program.steps):
        env[f"k{i}"] = step.kernel
        params.append(f"k{i}")
    used_consts = sorted({v for s in program.steps for v in s.ins if v in program.consts} |
                         {v for v in program.fetches if v in program.consts})
    for v in used_consts:
        env[f"c{v}"] = program.consts[v]
        params.append(f"c{v}")
    lines = [f"def _make({', '.join(params + ['_to_user', '_to_user_copy', '_silence', '_restore'])}):",
             "  def run(feeds):"]
    if program.num_feeds:
        names = ", ".join(f"f{i}" for i in range(program.num_feeds))
        lines.append(f"    {names}{',' if program.num_feeds == 1 else ''} = feeds")
    lines.append("    _token = _silence()  # TensorFlow computes inf/nan silently")
    lines.append("    try:")
    line_to_step = {}
    # Free each computed value right after its last use, so large temporaries return to the allocator while
    # the run goes on and the next ones reuse that memory (fetched values live to the end).
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
    for i, step in enumerate(program.steps):
        args = ", ".join(_name(program, v) for v in step.ins)
        target = ", ".join(_name(program, v) for v in step.outs) + " = " if step.outs else ""
        lines.append(f"      {target}k{i}({args})")
        line_to_step[len(lines)] = i
        dead = sorted({_name(program, v) for v in frees.get(i, ())})
        if dead:
            lines.append(f"      del {', '.join(dead)}")
    if not program.steps:
        lines.append("      pass")
    results = []
    for v in program.fetches:
        convert = "_to_user_copy" if v in program.shared else "_to_user"
        results.append(f"{convert}({_name(program, v)})")
    lines.append("    finally:")
    lines.append("      _restore(_token)")
    lines.append(f"    return [{', '.join(results)}]")
    lines.append("  return run")
    source = "\n".join(lines) + "\n"
    # Registered with linecache so tracebacks through generated code show its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated source
    run = namespace["_make"](*[env[p] for p in params], _to_user, _to_user_copy, float_errors.silence,
                             float_errors.restore)
    return run, line_to_step, filename
