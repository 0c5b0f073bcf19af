"""TF1's queue-based input: `tf.train.input_producer`, `string_input_producer`, `range_input_producer`,
`slice_input_producer` (epochs counted in a local variable, optional shuffling) and the batchers `batch`,
`shuffle_batch`, `batch_join`, `shuffle_batch_join`, each a queue filled by a QueueRunner."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import GraphKeys, name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, grad_support_ops, index_ops, random_ops
from ..ops.control_flow_ops import control_dependencies
from ..ops.count_up_to_op import count_up_to
from ..ops.queue_ops import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from ..variables.variable import Variable
from .queue_runner import QueueRunner, add_queue_runner

__all__ = ["limit_epochs", "input_producer", "string_input_producer", "range_input_producer",
           "slice_input_producer", "batch", "shuffle_batch", "batch_join", "shuffle_batch_join", "maybe_batch",
           "maybe_shuffle_batch", "maybe_batch_join", "maybe_shuffle_batch_join"]


def limit_epochs(tensor, num_epochs=None, name=None):
    """`tensor`, which raises OutOfRangeError after `num_epochs` evaluations (counted in a local variable)."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs", [tensor]) as scope:
        zero = dtypes.int64.as_numpy_dtype(0)
        epochs = Variable(zero, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES], name="epochs")
        counter = count_up_to(epochs, num_epochs)
        with control_dependencies([counter]):
            return array_ops.identity(tensor, name=scope)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, capacity=32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """A queue filled with the rows of `input_tensor` (shuffled each epoch if `shuffle`) by a QueueRunner."""
    with name_scope(name, "input_producer", [input_tensor]):
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.shape[1:].merge_with(TensorShape(element_shape) if element_shape is not None
                                                          else TensorShape(None))
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` must be "
                             "specified")
        if shuffle:
            input_tensor = random_ops.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype], shapes=[element_shape],
                      shared_name=shared_name, name=name or "input_producer")
        enq = q.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(q, [enq], cancel_op=cancel_op))
        return q


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                          name=None, cancel_op=None):
    """A queue of the strings in `string_tensor` (file names), for a reader."""
    not_empty = "string_input_producer requires a non-null input tensor"
    if isinstance(string_tensor, (list, tuple)) and not string_tensor:
        raise ValueError(not_empty)
    with name_scope(name, "input_producer", [string_tensor]):
        string_tensor = convert_to_tensor(string_tensor, dtype=dtypes.string)
        if string_tensor.shape.num_elements() == 0:
            raise ValueError(not_empty)
        return input_producer(string_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              "fraction_of_%d_full" % capacity, name, cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None, name=None):
    """A queue of the integers 0 .. limit-1 (int32)."""
    with name_scope(name, "input_producer", [limit]):
        range_tensor = index_ops.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              "fraction_of_%d_full" % capacity, name)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """One row of each tensor in `tensor_list` at a time, the same row of each (rows in a shuffled order)."""
    with name_scope(name, "input_producer", tensor_list):
        tensor_list = [convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = array_ops.shape(tensor_list[0])[0] if tensor_list[0].shape[0] is None \
            else tensor_list[0].shape.as_list()[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                                     capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [index_ops.gather(t, index) for t in tensor_list]


# --- batching -------------------------------------------------------------------------------------------------
def _flatten(tensors):
    if isinstance(tensors, dict):
        keys = sorted(tensors)
        return keys, [convert_to_tensor(tensors[k]) for k in keys]
    if isinstance(tensors, (list, tuple)):
        return None, [convert_to_tensor(t) for t in tensors]
    return None, [convert_to_tensor(tensors)]


def _shapes(tensor_lists, shapes, enqueue_many, dynamic_pad):
    if shapes is not None:
        return [TensorShape(s) for s in shapes]
    out = []
    for parts in zip(*tensor_lists):
        shape = parts[0].shape
        for t in parts[1:]:
            shape = shape.merge_with(t.shape)
        if enqueue_many:
            shape = shape[1:]
        if not shape.is_fully_defined() and not dynamic_pad:
            raise ValueError(f"All shapes must be fully defined: {[t.shape for t in parts]}")
        out.append(shape)
    return out


def _masked(tensor_list, keep_input, enqueue_many):
    """The rows of `tensor_list` that `keep_input` keeps, for enqueue_many (TensorFlow's maybe_* batchers)."""
    keep = convert_to_tensor(keep_input, dtypes.bool)
    if keep.shape.ndims == 0:
        rows = [grad_support_ops.expand_dims(t, 0) for t in tensor_list] if not enqueue_many else tensor_list
        if enqueue_many:
            keep = array_ops.fill(array_ops.shape(tensor_list[0])[:1], keep)
        else:
            keep = grad_support_ops.expand_dims(keep, 0)
    elif not enqueue_many:
        raise ValueError("`keep_input` must be a scalar unless `enqueue_many` is True")
    else:
        rows = tensor_list
    return [index_ops.boolean_mask(t, keep) for t in rows]


def _batch(tensor_lists, keys, batch_size, queue, enqueue_many, num_threads, allow_smaller_final_batch, name,
           keep_input=True):
    if keep_input is True:
        enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
        ops_ = [enqueue(tl) for tl in tensor_lists for _ in range(num_threads)]
    else:
        ops_ = [queue.enqueue_many(_masked(tl, keep_input, enqueue_many))
                for tl in tensor_lists for _ in range(num_threads)]
    add_queue_runner(QueueRunner(queue, ops_))
    out = (queue.dequeue_up_to(batch_size, name=name) if allow_smaller_final_batch
           else queue.dequeue_many(batch_size, name=name))
    if keys is not None:
        out = out if isinstance(out, list) else [out]
        return dict(zip(keys, out))
    return out


def _prepare(tensors_list, shapes, enqueue_many, dynamic_pad):
    flat = [_flatten(t) for t in tensors_list]
    keys = flat[0][0]
    tensor_lists = [f[1] for f in flat]
    if len({len(t) for t in tensor_lists}) != 1:
        raise ValueError("Expecting all tensor lists to have the same number of tensors")
    return keys, tensor_lists, _shapes(tensor_lists, shapes, enqueue_many, dynamic_pad)


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
          allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of `batch_size` built by `num_threads` threads from `tensors` (a list or dict), in order."""
    return batch_join([tensors], batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                      allow_smaller_final_batch, shared_name, name, _threads=num_threads)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
               allow_smaller_final_batch=False, shared_name=None, name=None, _threads=1, _keep=True):
    """Batches from several lists of tensors, each enqueued by its own thread."""
    with name_scope(name, "batch_join" if _threads == 1 and len(tensors_list) > 1 else "batch"):
        keys, tensor_lists, shapes = _prepare(tensors_list, shapes, enqueue_many, dynamic_pad)
        types = [t.dtype.base_dtype for t in tensor_lists[0]]
        queue_class = PaddingFIFOQueue if dynamic_pad else FIFOQueue
        queue = queue_class(capacity=capacity, dtypes=types, shapes=shapes, shared_name=shared_name)
        return _batch(tensor_lists, keys, batch_size, queue, enqueue_many, _threads, allow_smaller_final_batch,
                      name, _keep)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None, enqueue_many=False,
                  shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches drawn at random from a RandomShuffleQueue kept at least `min_after_dequeue` full."""
    return shuffle_batch_join([tensors], batch_size, capacity, min_after_dequeue, seed, enqueue_many, shapes,
                              allow_smaller_final_batch, shared_name, name, _threads=num_threads)


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None, enqueue_many=False,
                       shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None, _threads=1,
                       _keep=True):
    """shuffle_batch over several lists of tensors, each enqueued by its own thread."""
    with name_scope(name, "shuffle_batch"):
        keys, tensor_lists, shapes = _prepare(tensors_list, shapes, enqueue_many, False)
        types = [t.dtype.base_dtype for t in tensor_lists[0]]
        queue = RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue, dtypes=types,
                                   shapes=shapes, seed=seed, shared_name=shared_name)
        return _batch(tensor_lists, keys, batch_size, queue, enqueue_many, _threads, allow_smaller_final_batch,
                      name, _keep)


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
                dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`batch` of only the examples for which `keep_input` (a bool scalar, or a vector with enqueue_many) holds."""
    return batch_join([tensors], batch_size, capacity, enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch,
                      shared_name, name, _threads=num_threads, _keep=keep_input)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False, shapes=None,
                     dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """`batch_join` of only the examples `keep_input` keeps."""
    return batch_join(tensors_list, batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                      allow_smaller_final_batch, shared_name, name, _keep=keep_input)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1, seed=None,
                        enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                        name=None):
    """`shuffle_batch` of only the examples `keep_input` keeps."""
    return shuffle_batch_join([tensors], batch_size, capacity, min_after_dequeue, seed, enqueue_many, shapes,
                              allow_smaller_final_batch, shared_name, name, _threads=num_threads, _keep=keep_input)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input, seed=None,
                             enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                             name=None):
    """`shuffle_batch_join` of only the examples `keep_input` keeps."""
    return shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed, enqueue_many, shapes,
                              allow_smaller_final_batch, shared_name, name, _keep=keep_input)
