"""Plan: the compiled execution of one (fetches, feeds, targets) signature of a Session.

Compiling lowers the needed ops to the compiler's IR and optimizes it (`compiler.passes`). The first run for
each set of feed shapes is interpreted step by step, recording every value's shape; the program is then
specialized to those shapes (shape functions fold, shape no-ops vanish) and turned into generated Python code
(`compiler.codegen`: one function, or a chain of bounded parts for a long program). Later runs with the same
feed shapes call that code and nothing else. A run can be cancelled by its context (its session closing)
between interpreted steps and between generated parts. `Plan.source()` shows the generated code.
"""
import numpy as np

from ..framework import errors
from .compiler.codegen import _to_user, _to_user_copy, generate
from .compiler.passes import optimize
from .compiler.program import _needed_ops, lower
from .compiler import tiny_plan
from .compiler.specialize import specialize
from .placement import placer_for

__all__ = ["Plan"]

MAX_SPECIALIZATIONS = 8  # feed-shape variants compiled per plan; beyond, the generic program serves


class Plan:
    """Compiled execution of one signature. `run(feed_arrays)` returns the fetch values for the user."""

    def __init__(self, fetch_tensors, target_ops, feed_tensors, ctx, raw_fetches=False, feeds_are_arrays=False):
        self.program = optimize(lower(fetch_tensors, target_ops, feed_tensors, ctx))
        # Devices (runtime/placement.py): None when all runs on the CPU; else its `place` is the last compile step.
        self._placer = placer_for(ctx, lambda: needed_ops(fetch_tensors, target_ops, feed_tensors))
        # A sub-plan (runtime/subplan.py) hands back values as its kernels made them, not as user values.
        self._raw = raw_fetches
        # A Session feeds NumPy arrays of the fed tensors' dtypes (its converter's work): generated code may
        # rely on that (compiler.codegen.scalar_feeds), where all runs on the host (a placed plan's feeds go
        # to a device, where host scalar arithmetic gains nothing).
        self._feeds_are_arrays = feeds_are_arrays and self._placer is None
        # A session's context can cancel its runs (when the session closes); other contexts cannot.
        self._check_cancelled = getattr(ctx, "check_cancelled", None)
        self._compiled = {}   # tuple of feed shapes -> compiler.codegen.Generated (its specialized code)
        self._generic = None  # the Generated of the unspecialized program, made when first needed
        self._feed_shapes = _feed_shapes_function(len(feed_tensors))
        # A session's plan of small float values may tier up to the tiny VM (compiler/tiny_plan.py): it needs
        # the context's variable storage, and feeds converted by the session.
        self._tiny_ctx = ctx if self._feeds_are_arrays and not raw_fetches else None

    def run(self, feed_arrays):
        key = self._feed_shapes(feed_arrays)
        compiled = self._compiled.get(key)
        if compiled is None:
            return self._first_run(key, feed_arrays)
        try:
            return compiled.run(feed_arrays)
        except Exception as exc:  # noqa: BLE001 - every kernel failure becomes an OpError naming the node
            raise _error_from_generated(exc, compiled) from None

    def _first_run(self, key, feed_arrays):
        if len(self._compiled) >= MAX_SPECIALIZATIONS:
            generic = self._generic_code()
            try:
                return generic.run(feed_arrays)
            except Exception as exc:  # noqa: BLE001
                raise _error_from_generated(exc, generic) from None
        results, observed = interpret(self._placed(self.program), feed_arrays, self._check_cancelled, self._raw)
        special = optimize(specialize(self.program, observed))
        generated = self._compiled[key] = generate(self._placed(special), self._check_cancelled, self._raw,
                                                   self._feeds_are_arrays)
        if self._tiny_ctx is not None:
            tiny_plan.attach(generated, special, self._tiny_ctx)
        return results

    def _generic_code(self):
        if self._generic is None:
            self._generic = generate(self._placed(self.program), self._check_cancelled, self._raw,
                                     self._feeds_are_arrays)
        return self._generic

    def _placed(self, program):
        return program if self._placer is None else self._placer.place(program)

    def source(self):
        """The Python code generated for this plan: one section per feed shapes it has run with, or, before
        its first run, the code of the program not yet specialized to feed shapes."""
        variants = [(f"feed shapes {list(key)}", code) for key, code in list(self._compiled.items())]
        if self._generic is not None or not variants:
            variants.append(("any feed shapes (not specialized)", self._generic_code()))
        return "\n".join(f"# ==== {label}\n{code.source}{_now_running(code)}" for label, code in variants)


def _now_running(code):
    """The scalar code (compiler/tiny_scalar.py) that runs `code`'s plan instead of it, as a section, or ""."""
    scalar = getattr(code.run, "source", None)
    return f"# ---- now run as scalar code (runtime/compiler/tiny_scalar.py):\n{scalar}" if scalar else ""


_FEED_SHAPES = {}
_WRITTEN_OUT_FEEDS = 16  # up to this many feeds, the shape key is a written-out tuple


def _feed_shapes_function(num_feeds):
    """`feed arrays -> the tuple of their shapes` (what picks a specialization). Written out as
    `(a[0].shape, a[1].shape)`, it costs half of a loop's `tuple([a.shape for a in arrays])` (~0.13 against
    ~0.25-0.35 us for three feeds): a warm run of a tiny graph pays it every time."""
    if num_feeds > _WRITTEN_OUT_FEEDS:
        return _feed_shapes_loop
    function = _FEED_SHAPES.get(num_feeds)
    if function is None:
        items = "".join(f"a[{i}].shape, " for i in range(num_feeds))
        function = _FEED_SHAPES[num_feeds] = eval(f"lambda a: ({items})")  # noqa: S307 - built from integers only
    return function


def _feed_shapes_loop(feed_arrays):
    return tuple([a.shape for a in feed_arrays])


def needed_ops(fetch_tensors, target_ops, feed_tensors):
    """The graph ops a plan runs, and the fed ones (what the placement log lists, as TensorFlow's)."""
    return _needed_ops(list(fetch_tensors), list(target_ops), set(feed_tensors)) | {t.op for t in feed_tensors}


CANCEL_CHECK_STEPS = 256  # interpreted steps between checks for cancellation


def interpret(program, feed_arrays, check_cancelled=None, raw_fetches=False):
    """Runs `program` one step at a time, recording each value's shape: (user results, {value id: shape}).
    `check_cancelled()`, when given, is called every `CANCEL_CHECK_STEPS` steps (it raises to stop)."""
    vals = dict(program.consts)
    vals.update(enumerate(feed_arrays))
    observed = {i: np.shape(a) for i, a in enumerate(feed_arrays)}
    with np.errstate(all="ignore"):  # TensorFlow computes inf/nan silently; so do we
        for n, step in enumerate(program.steps):
            if check_cancelled is not None and n % CANCEL_CHECK_STEPS == 0:
                check_cancelled()
            args = [vals[v] for v in step.ins]
            try:
                result = step.kernel(*args)
            except Exception as exc:  # noqa: BLE001
                raise op_error(step.op, exc, args) from None
            if len(step.outs) == 1:
                vals[step.outs[0]] = result
                observed[step.outs[0]] = np.shape(result)
            elif step.outs:
                for out, value in zip(step.outs, result):
                    vals[out] = value
                    observed[out] = np.shape(value)
    if raw_fetches:
        return [vals[v] for v in program.fetches], observed
    results = [(_to_user_copy if v in program.shared else _to_user)(vals[v]) for v in program.fetches]
    return results, observed


def _error_from_generated(exc, compiled):
    """The OpError for an exception raised inside generated plan code: its traceback line names the step,
    and the frame's locals hold the step's input arrays."""
    found = compiled.failed_step(exc)
    if found is None:
        return exc
    return op_error(found.step.op, exc, found.args)


def op_error(op, exc, arrays):
    """A `tf.errors` exception for a kernel failure: TensorFlow's wording plus the node and the user's line."""
    context = op.error_context()
    if isinstance(exc, errors.OpError):
        return type(exc)(op.node_def, op, exc.message + context)
    if isinstance(exc, MemoryError):
        return errors.ResourceExhaustedError(op.node_def, op, f"OOM when running {op.type}: {exc}" + context)
    message = op.opdef.explain_failure(arrays, op.attrs, exc)
    return errors.InvalidArgumentError(op.node_def, op, message + context)
