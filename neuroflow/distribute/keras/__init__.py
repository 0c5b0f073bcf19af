"""`neuroflow.distribute.keras`: Horovod's `horovod.tensorflow.keras` for `tf.keras` models: a Keras optimizer whose
gradients are averaged across ranks, and the callbacks (`callbacks.BroadcastGlobalVariablesCallback`,
`MetricAverageCallback`, `LearningRateWarmupCallback`)."""
from .. import (Average, Compression, Sum, allgather, allreduce, broadcast, broadcast_global_variables, init,
                is_initialized, local_rank, local_size, rank, shutdown, size)
from ..training import _reduce_gradients
from . import callbacks

__all__ = ["DistributedOptimizer", "callbacks", "init", "shutdown", "is_initialized", "size", "rank", "local_rank",
           "local_size", "allreduce", "allgather", "broadcast", "broadcast_global_variables", "Compression",
           "Average", "Sum"]


def _distributed_class(base):
    """A subclass of the Keras optimizer class `base`, with the same name, whose `get_gradients` reduces the
    gradients across ranks."""
    def get_gradients(self, loss, params):
        grads = base.get_gradients(self, loss, params)
        compression, sparse_as_dense, op = self._hvd_settings
        return _reduce_gradients(grads, compression, sparse_as_dense, op, 0, "Distributed" + self._name)
    return type(base.__name__, (base,), {"get_gradients": get_gradients, "__module__": base.__module__})


def DistributedOptimizer(optimizer, name=None, device_dense="", device_sparse="",  # noqa: N802 - Horovod's name
                         compression=Compression.none, sparse_as_dense=False, op=Average):
    """A copy of the Keras `optimizer` (same class and configuration) whose gradients are reduced across ranks
    (averaged by default) before each update, for `model.compile(optimizer=...)`; a `tf.train` optimizer is
    wrapped by `neuroflow.distribute.DistributedOptimizer` instead.

    Example:
        >>> opt = hvd.DistributedOptimizer(tf.keras.optimizers.Adam(0.001 * hvd.size()))
        >>> model.compile(optimizer=opt, loss="mse")
    """
    from ...keras.optimizers import Optimizer as KerasOptimizer
    from ...train.optimizer import Optimizer as TrainOptimizer
    if isinstance(optimizer, TrainOptimizer):
        from .. import DistributedOptimizer as TrainDistributedOptimizer
        return TrainDistributedOptimizer(optimizer, name=name, compression=compression,
                                         sparse_as_dense=sparse_as_dense, op=op)
    if not isinstance(optimizer, KerasOptimizer):
        raise TypeError(f"DistributedOptimizer wraps a Keras or tf.train optimizer, got {type(optimizer).__name__}")
    cls = _distributed_class(optimizer.__class__)
    config = optimizer.get_config()
    if name is not None:
        config["name"] = name
    wrapped = cls.from_config(config)
    wrapped._hvd_settings = (compression, sparse_as_dense, op)
    return wrapped
