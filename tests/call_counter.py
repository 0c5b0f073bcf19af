"""A py_func that counts its calls: tests use it to check that an op runs exactly as often as the graph says
(once per Session.run that needs it, never at graph-build time, not at all in an untaken tf.cond branch)."""
import neuroflow as tf


class CallCounter:
    """`counter(x)` is `x` passed through a py_func that adds one to `counter.calls` each time it runs.

    Example:
        >>> counter = CallCounter()
        >>> y = tf.cond(pred, lambda: counter(x), lambda: x)
        >>> sess.run(y, {pred: False}); assert counter.calls == 0
    """

    def __init__(self):
        self.calls = 0

    def _count(self, value):
        self.calls += 1
        return value

    def __call__(self, x, stateful=True):
        x = tf.convert_to_tensor(x)
        out = tf.py_func(self._count, [x], x.dtype, stateful=stateful, name="call_counter")
        if not tf.executing_eagerly():
            out.set_shape(x.shape)
        return out
