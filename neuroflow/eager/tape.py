"""`tf.GradientTape`: records ops run eagerly on watched tensors, then differentiates them with the same
gradient engine as `tf.gradients` (each OpDef's `grad`, run eagerly)."""
import contextlib

from ..autodiff.gradients import StopGradient, backprop
from ..framework.apply import convert_to_tensor
from ..framework.context import executing_eagerly
from ..util import nest
from .state import context
from .tensor import EagerTensor
from .variable import EagerVariable

__all__ = ["GradientTape"]


class GradientTape:
    """Records eager computations for automatic differentiation.

    Args:
        persistent: allow several `gradient` calls (the tape is otherwise released after one).
        watch_accessed_variables: watch trainable variables automatically when they are read.

    Example:
        >>> x = tf.constant(3.0)
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.gradient(y, x).numpy()
        6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._tracked = set()       # ids of tensors watched or computed from watched ones
        self._keep = []             # keeps tracked tensors alive so their ids stay unique
        self._consumers = {}        # id(tensor) -> recorded ops that use it
        self._variables = []
        self._recording = False
        self._used = False

    # --- recording -----------------------------------------------------------------------------------
    def __enter__(self):
        context.tapes.append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._recording = False
        if self in context.tapes:
            context.tapes.remove(self)
        return False

    def watch(self, tensor):
        """Records operations on `tensor` (a tensor, variable, or nested list/tuple/dict of them)."""
        for t in nest.flatten(tensor):
            if isinstance(t, EagerVariable):
                if t not in self._variables:
                    self._variables.append(t)
                t = t._handle
            elif not isinstance(t, EagerTensor):
                raise ValueError(f"Passed in object of type {type(t).__name__}, not tf.Tensor or tf.Variable: {t!r}")
            self._track(t)

    def _track(self, t):
        if id(t) not in self._tracked:
            self._tracked.add(id(t))
            self._keep.append(t)

    def _record(self, op):
        if not self._recording:
            return
        if op.type == "ReadVariableOp" and self._watch_accessed_variables:
            variable = op._inputs[0]._variable
            if variable.trainable:
                self.watch(variable)
        if not any(id(t) in self._tracked for t in op._inputs) or op.opdef is StopGradient:
            return
        for t in op._inputs:
            self._consumers.setdefault(id(t), []).append(op)
        for t in op._outputs:
            self._track(t)

    @contextlib.contextmanager
    def stop_recording(self):
        """Operations in this block are not recorded."""
        saved, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = saved

    def reset(self):
        """Forgets everything recorded so far."""
        self._tracked.clear()
        self._keep.clear()
        self._consumers.clear()
        self._variables.clear()

    def watched_variables(self):
        return list(self._variables)

    # --- differentiation ----------------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of target) / d(source) for each source (tensors or variables; nested structures allowed),
        returned in the structure of `sources` (None for a source the target does not depend on).

        Raises:
            RuntimeError: a non-persistent tape's gradient was already taken.
        """
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on non-persistent tapes.")
        self._used = True
        targets = nest.flatten(target)
        flat_sources = nest.flatten(sources)
        if not executing_eagerly():  # tracing a tf.function: differentiate the graph symbolically
            from ..autodiff.gradients import gradients
            xs = [s._ref() if isinstance(s, EagerVariable) else s for s in flat_sources]
            grads = gradients(targets, xs, grad_ys=output_gradients,
                              unconnected_gradients=getattr(unconnected_gradients, "value", unconnected_gradients))
            return nest.pack_sequence_as(sources, grads)
        xs = [s._handle if isinstance(s, EagerVariable) else s for s in flat_sources]
        ys = [convert_to_tensor(t) for t in targets]
        grad_ys = None if output_gradients is None else nest.flatten(output_gradients)
        unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
        with self.stop_recording():
            grads = backprop(ys, xs, grad_ys, set(), lambda t: self._consumers.get(id(t), ()), unconnected)
        if not self._persistent:
            self.reset()
        return nest.pack_sequence_as(sources, grads)
