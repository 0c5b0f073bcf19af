"""`Dataset.prefetch`'s background producer: one thread runs the upstream pipeline (reading, `map`, `batch`, ...)
into a bounded buffer while the consumer (`get_next`, the training step) works on earlier elements.

One producer per pass keeps the order deterministic; an upstream error reaches the consumer after the elements
made before it; closing the consumer (the iterator reinitialized, its session closed, an eager loop left) stops
the producer after its current element and closes the upstream generators in the producer's thread.
"""
import collections
import threading

from ..framework import context as mode

__all__ = []

AUTOTUNE_BUFFER = 2  # elements buffered for `tf.data.experimental.AUTOTUNE` (-1): enough to ride out jitter


class _Buffer:
    """The bounded queue between the producer and the consumer, with the producer's outcome."""

    __slots__ = ("items", "size", "cond", "stopped", "finished", "error")

    def __init__(self, size):
        self.items = collections.deque()
        self.size = size
        self.cond = threading.Condition()
        self.stopped = False   # set by the consumer: produce nothing more
        self.finished = False  # set by the producer: upstream ended, failed or was stopped
        self.error = None      # the exception upstream raised, handed to the consumer in its place


def _produce(elements, buffer, eager):
    # The mode is per thread: run the upstream in the consumer's mode (py_func's arguments, eager tensors).
    scope = mode.eager_mode() if eager else mode.graph_mode()
    cond = buffer.cond
    try:
        with scope:
            for element in elements:
                with cond:
                    while len(buffer.items) >= buffer.size and not buffer.stopped:
                        cond.wait()
                    if buffer.stopped:
                        return
                    buffer.items.append(element)
                    cond.notify_all()
    except BaseException as exc:  # noqa: BLE001 - every upstream failure goes to the consumer
        buffer.error = exc
    finally:
        close = getattr(elements, "close", None)
        if close is not None:
            close()  # the upstream generators' own cleanup (from_generator's `finally`) runs here, now
        with cond:
            buffer.finished = True
            cond.notify_all()


def prefetched(elements, size):
    """The elements of the iterator `elements`, produced up to `size` ahead by a background thread (started on
    the first `next`). Upstream errors are raised here, in order; afterwards the sequence ends."""
    buffer = _Buffer(size)
    producer = threading.Thread(target=_produce, args=(elements, buffer, mode.executing_eagerly()),
                                name="neuroflow-prefetch", daemon=True)
    producer.start()
    cond = buffer.cond
    try:
        while True:
            with cond:
                while not buffer.items and not buffer.finished:
                    cond.wait()
                if buffer.items:
                    element = buffer.items.popleft()
                    cond.notify_all()
                elif buffer.error is not None:
                    error, buffer.error = buffer.error, None
                    raise error
                else:
                    return
            yield element
    finally:
        with cond:
            buffer.stopped = True
            buffer.items.clear()
            cond.notify_all()
        if producer is not threading.current_thread():
            producer.join()  # the producer stops after its current element; its upstream is closed by then
