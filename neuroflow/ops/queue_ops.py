"""TF1's queues: `tf.FIFOQueue`, `tf.RandomShuffleQueue`, `tf.PaddingFIFOQueue`.

A queue is a handle op (`FIFOQueueV2`, ...) whose per-session state, a `QueueResource`, lives in the session
context's `resources` under the handle (the op's name), so each Session has its own queue. Enqueue and dequeue ops
are stateful host-only kernels that block on the resource's condition variable; a blocked kernel holds no session
lock and polls the context's cancellation, so other threads' runs proceed and `Session.close()` ends it with
CancelledError. A closed queue raises OutOfRangeError once too few elements remain.
"""
import threading

import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.random_seed import get_seed
from ..framework.tensor_shape import TensorShape

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"]

_POLL = 0.05  # seconds between checks for a closed session while blocked


class QueueResource:
    """One queue's elements (tuples of arrays) in one session, with TensorFlow's blocking rules."""

    def __init__(self, op, ctx):
        self.kind = op.type[:-2]  # "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"
        self.name = op.get_attr("shared_name") or op.name
        self.capacity = op.get_attr("capacity")
        self.min_after = op.get_attr("min_after_dequeue") if self.kind == "RandomShuffleQueue" else 0
        self.rng = ctx.random_generator(op) if self.kind == "RandomShuffleQueue" else None
        self.ctx = ctx
        self.items = []
        self.closed = False
        self.cond = threading.Condition()

    def _wait(self):
        self.cond.wait(_POLL)
        self.ctx.check_cancelled()

    def _closed_error(self):
        return errors.CancelledError(None, None, f"{self.kind} '{self.name}' is closed.")

    def enqueue(self, elements):
        with self.cond:
            for element in elements:
                if self.closed:
                    raise self._closed_error()
                while self.capacity >= 0 and len(self.items) >= self.capacity:
                    self._wait()
                    if self.closed:
                        raise self._closed_error()
                self.items.append(element)
                self.cond.notify_all()

    def dequeue(self, n, up_to=False):
        with self.cond:
            while True:
                if self.closed:
                    if len(self.items) >= n or (up_to and self.items):
                        return self._take(min(n, len(self.items)))
                    raise errors.OutOfRangeError(
                        None, None, f"{self.kind} '{self.name}' is closed and has insufficient elements "
                                    f"(requested {n}, current size {len(self.items)})")
                if len(self.items) - self.min_after >= n:
                    return self._take(n)
                self._wait()

    def _take(self, n):
        if self.rng is None:
            taken, self.items = self.items[:n], self.items[n:]
        else:
            taken = [self.items.pop(int(self.rng.integers(len(self.items)))) for _ in range(n)]
        self.cond.notify_all()
        return taken

    def close(self, cancel_pending_enqueues):
        with self.cond:
            self.closed = True
            self.cond.notify_all()


def _key(handle):
    value = handle.item() if isinstance(handle, np.ndarray) else handle
    return value.encode() if isinstance(value, str) else value


class _QueueHandle(OpDef):
    """A queue's handle; running it creates the queue's state in the session on first use."""

    input_names = ()
    stateful = True
    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.resource if hasattr(dtypes, "resource") else dtypes.string)]

    def kernel(self, op, ctx):
        key = op.name.encode()
        handle = np.array(key, dtype=object)
        resources = ctx.resources

        def run():
            if key not in resources:
                resources[key] = QueueResource(op, ctx)
            return handle
        return run


@register
class FIFOQueueV2(_QueueHandle):
    type_name = "FIFOQueueV2"


@register
class RandomShuffleQueueV2(_QueueHandle):
    type_name = "RandomShuffleQueueV2"


@register
class PaddingFIFOQueueV2(_QueueHandle):
    type_name = "PaddingFIFOQueueV2"


class _QueueOp(OpDef):
    stateful = True
    foldable = False
    grad = None

    def _queue(self, ctx):
        resources = ctx.resources
        return lambda handle: resources[_key(handle)]


class _Enqueue(_QueueOp):
    """Enqueues one element (inputs[1:], one per component)."""

    input_names = ("inputs",)
    variadic = True
    many = False

    def infer(self, inputs, attrs):
        return []

    def kernel(self, op, ctx):
        queue = self._queue(ctx)
        types = [t.as_numpy_dtype for t in op.get_attr("Tcomponents")]
        many = self.many

        def run(handle, *values):
            values = [np.asarray(v, t) for v, t in zip(values, types)]
            if many:
                sizes = {len(v) for v in values}
                if len(sizes) > 1:
                    raise errors.InvalidArgumentError(None, None, "Shape mismatch in tuple component 1. "
                                                      "Expected first dimension to agree across components")
                elements = [tuple(v[i] for v in values) for i in range(sizes.pop())]
            else:
                elements = [tuple(values)]
            queue(handle).enqueue(elements)
        return run


@register
class QueueEnqueueV2(_Enqueue):
    """Enqueues one element (inputs[1:], one per component)."""

    type_name = "QueueEnqueueV2"


@register
class QueueEnqueueManyV2(_Enqueue):
    """Enqueues the slices along dimension 0 of the inputs, one element each."""

    type_name = "QueueEnqueueManyV2"
    many = True


class _Dequeue(_QueueOp):
    """Dequeues one element (attrs `component_types`, `shapes`)."""

    input_names = ("handle",)
    data_dependent_shape = True
    batch = None  # None: one element; "many": exactly n; "up_to": at most n

    def infer(self, inputs, attrs):
        shapes = attrs["shapes"]
        out = []
        for dtype, shape in zip(attrs["component_types"], shapes):
            shape = TensorShape(shape)
            if self.batch is not None:
                shape = TensorShape([attrs.get("n") if self.batch == "many" else None]).concatenate(shape)
            out.append((shape, dtype))
        return out

    def kernel(self, op, ctx):
        queue = self._queue(ctx)
        types = [t.as_numpy_dtype for t in op.get_attr("component_types")]
        padding = op.get_attr("padding")
        batch = self.batch

        def run(handle, n=None):
            q = queue(handle)
            if batch is None:
                out = tuple(np.asarray(c, t) for c, t in zip(q.dequeue(1)[0], types))
            else:
                n = int(n)
                taken = q.dequeue(n, up_to=batch == "up_to") if n > 0 else []
                out = tuple(_stack([e[i] for e in taken], t, padding) for i, t in enumerate(types))
            return out[0] if len(out) == 1 else tuple(out)
        return run


def _stack(parts, dtype, padding):
    if not parts:
        return np.zeros((0,), dtype)
    if padding:
        shape = tuple(max(s) for s in zip(*(np.shape(p) for p in parts)))
        out = np.zeros((len(parts),) + shape, dtype)
        for i, p in enumerate(parts):
            out[(i,) + tuple(slice(0, s) for s in np.shape(p))] = p
        return out
    return np.stack(parts).astype(dtype, copy=False)


@register
class QueueDequeueV2(_Dequeue):
    """Dequeues one element (attrs `component_types`, `shapes`)."""

    type_name = "QueueDequeueV2"


@register
class QueueDequeueManyV2(_Dequeue):
    type_name = "QueueDequeueManyV2"
    input_names = ("handle", "n")
    batch = "many"


@register
class QueueDequeueUpToV2(_Dequeue):
    type_name = "QueueDequeueUpToV2"
    input_names = ("handle", "n")
    batch = "up_to"


@register
class QueueCloseV2(_QueueOp):
    type_name = "QueueCloseV2"
    input_names = ("handle",)

    def infer(self, inputs, attrs):
        return []

    def kernel(self, op, ctx):
        queue = self._queue(ctx)
        cancel = op.get_attr("cancel_pending_enqueues")
        return lambda handle: queue(handle).close(cancel)


@register
class QueueSizeV2(_QueueOp):
    type_name = "QueueSizeV2"
    input_names = ("handle",)

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.int32)]

    def kernel(self, op, ctx):
        queue = self._queue(ctx)

        def run(handle):
            q = queue(handle)
            with q.cond:
                return np.int32(len(q.items))
        return run


class QueueBase:
    """A queue of tuples of tensors (`tf.QueueBase`): enqueue, dequeue, close and size build graph ops."""

    _handle_op = None

    def __init__(self, dtypes_, shapes, names, capacity, name, min_after_dequeue=0, seed=None, shared_name=None,
                 padding=False):
        single = not isinstance(dtypes_, (list, tuple))
        self._dtypes = [dtypes.as_dtype(t) for t in ([dtypes_] if single else dtypes_)]
        if shapes is None:
            self._shapes = [TensorShape(None) for _ in self._dtypes]
        else:  # TensorFlow's _as_shape_list: a list of ints (or []) is one shape
            if isinstance(shapes, TensorShape):
                shapes = [shapes]
            if all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
                shapes = [shapes]
            self._shapes = [TensorShape(s) for s in shapes]
            if len(self._shapes) != len(self._dtypes):
                raise ValueError(f"Queue shapes must have the same length as dtypes ({len(self._dtypes)}), "
                                 f"got {len(self._shapes)}")
        self._names = names
        self._padding = padding
        seed1, seed2 = get_seed(seed)
        attrs = {"component_types": self._dtypes, "shapes": [s.as_list() if s.dims is not None else None
                                                           for s in self._shapes],
                 "capacity": int(capacity), "min_after_dequeue": int(min_after_dequeue),
                 "seed": seed1 or 0, "seed2": seed2 or 0, "shared_name": shared_name or ""}
        self._queue_ref = apply_op(self._handle_op, [], attrs, name=name)
        self._name = self._queue_ref.op.name

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        return self._name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _components(self, vals):
        if isinstance(vals, dict):
            vals = [vals[n] for n in self._names]
        elif not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components, got {len(vals)}")
        return [convert_to_tensor(v, dtype=t) for v, t in zip(vals, self._dtypes)]

    def enqueue(self, vals, name=None):
        """Enqueues one element; blocks while the queue is full."""
        tensors = self._components(vals)
        for t, s in zip(tensors, self._shapes):
            if not t.shape.is_compatible_with(s):
                raise ValueError(f"Shapes {t.shape} and {s} are incompatible")
        return apply_op(QueueEnqueueV2, [self._queue_ref] + tensors,
                        {"Tcomponents": self._dtypes}, name=name or "QueueEnqueueV2")

    def enqueue_many(self, vals, name=None):
        """Enqueues each slice along dimension 0 of `vals` as an element."""
        tensors = self._components(vals)
        return apply_op(QueueEnqueueManyV2, [self._queue_ref] + tensors,
                        {"Tcomponents": self._dtypes}, name=name or "QueueEnqueueManyV2")

    def _attrs(self, n=None):
        attrs = {"component_types": self._dtypes, "padding": self._padding,
                 "shapes": [s for s in self._shapes]}
        if n is not None:
            attrs["n"] = n
        return attrs

    def _result(self, out):
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        if self._names is not None:
            return dict(zip(self._names, out))
        return out[0] if len(out) == 1 else out

    def dequeue(self, name=None):
        """Dequeues one element; blocks until one is available (OutOfRangeError once closed and empty)."""
        return self._result(apply_op(QueueDequeueV2, [self._queue_ref], self._attrs(), name=name or "QueueDequeueV2"))

    def dequeue_many(self, n, name=None):
        """Dequeues and stacks `n` elements; blocks until `n` are available."""
        static = n if isinstance(n, int) else None
        return self._result(apply_op(QueueDequeueManyV2, [self._queue_ref, convert_to_tensor(n, dtypes.int32)],
                                     self._attrs(static), name=name or "QueueDequeueManyV2"))

    def dequeue_up_to(self, n, name=None):
        """Like dequeue_many, but once the queue is closed returns the fewer than `n` elements left."""
        return self._result(apply_op(QueueDequeueUpToV2, [self._queue_ref, convert_to_tensor(n, dtypes.int32)],
                                     self._attrs(), name=name or "QueueDequeueUpToV2"))

    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes the queue: later enqueues fail; dequeues drain what is left, then raise OutOfRangeError."""
        return apply_op(QueueCloseV2, [self._queue_ref], {"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                        name=name or "QueueCloseV2")

    def size(self, name=None):
        """The number of elements in the queue (an int32 scalar)."""
        return apply_op(QueueSizeV2, [self._queue_ref], {}, name=name or "QueueSizeV2")


class FIFOQueue(QueueBase):
    """A queue that dequeues elements in first-in first-out order."""

    _handle_op = FIFOQueueV2

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue"):
        super().__init__(dtypes, shapes, names, capacity, name, shared_name=shared_name)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose dequeue_many pads components of unknown dimensions to the batch's largest."""

    _handle_op = PaddingFIFOQueueV2

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None, name="padding_fifo_queue"):
        super().__init__(dtypes, shapes, names, capacity, name, shared_name=shared_name, padding=True)


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues elements in random order, keeping at least `min_after_dequeue` until closed."""

    _handle_op = RandomShuffleQueueV2

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None, shared_name=None,
                 name="random_shuffle_queue"):
        super().__init__(dtypes, shapes, names, capacity, name, min_after_dequeue=min_after_dequeue, seed=seed,
                         shared_name=shared_name)
