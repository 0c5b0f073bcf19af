"""Horovod's Keras callbacks: broadcast the initial weights from one rank, average the epoch's metrics over
ranks, and warm the learning rate up from its single-rank value to its scaled value over the first epochs."""
import numpy as np

from ...keras.callbacks_base import Callback
from .. import collectives, world as world_module

__all__ = ["BroadcastGlobalVariablesCallback", "MetricAverageCallback", "LearningRateWarmupCallback"]


class BroadcastGlobalVariablesCallback(Callback):
    """Assigns rank `root_rank`'s value to every global variable on every rank when training begins, so all
    ranks start from the same weights (whatever their random initialization).

    Example:
        >>> model.fit(x, y, callbacks=[hvd.callbacks.BroadcastGlobalVariablesCallback(0)])
    """

    def __init__(self, root_rank, device=""):
        super().__init__()
        self.root_rank = root_rank
        self.broadcast_done = False

    def on_train_begin(self, logs=None):
        if self.broadcast_done:
            return
        from ...keras import backend
        from ..training import broadcast_global_variables
        session = backend.get_session()  # initializes the model's variables first
        with session.graph.as_default():
            session.run(broadcast_global_variables(self.root_rank))
        self.broadcast_done = True


class MetricAverageCallback(Callback):
    """Replaces each metric in the epoch's logs by its average over the ranks (put it before callbacks that read
    the metrics, such as ReduceLROnPlateau or ModelCheckpoint)."""

    def on_epoch_end(self, epoch, logs=None):
        world = world_module.current()
        if not logs or world is None or world.size == 1:
            return
        names = sorted(k for k, v in logs.items() if np.ndim(v) == 0 and isinstance(v, (int, float, np.number)))
        values = np.array([float(logs[k]) for k in names], np.float64)
        (averaged,) = collectives.allreduce_arrays(world, [values], "average", "MetricAverage:" + ",".join(names))
        for k, v in zip(names, averaged):
            logs[k] = float(v)


class LearningRateWarmupCallback(Callback):
    """Raises the learning rate linearly from `initial_lr / size()` to `initial_lr` over `warmup_epochs` epochs
    (Goyal et al.: large global batches need a gentle start), adjusting it before every batch.

    Args:
        warmup_epochs: epochs to reach `initial_lr`.
        momentum_correction: accepted for Horovod's signature (the momentum is not rescaled here).
        steps_per_epoch: batches per epoch (default: from fit's parameters).
        verbose: print the learning rate when the warmup ends.
        initial_lr: the learning rate after warmup (default: the optimizer's at the start of training).
    """

    def __init__(self, warmup_epochs=5, momentum_correction=True, steps_per_epoch=None, verbose=0,
                 initial_lr=None):
        super().__init__()
        self.warmup_epochs = warmup_epochs
        self.steps_per_epoch = steps_per_epoch
        self.verbose = verbose
        self.initial_lr = initial_lr
        self.current_epoch = 0

    def _size(self):
        world = world_module.current()
        return world.size if world else 1

    def on_train_begin(self, logs=None):
        if self.initial_lr is None:
            self.initial_lr = _get_lr(self.model)
        if self.steps_per_epoch is None:
            self.steps_per_epoch = (self.params or {}).get("steps")
            if not self.steps_per_epoch:
                raise ValueError("LearningRateWarmupCallback needs steps_per_epoch (fit did not report it)")

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch

    def on_batch_begin(self, batch, logs=None):
        if self.current_epoch >= self.warmup_epochs:
            return
        epoch = self.current_epoch + float(batch) / self.steps_per_epoch
        size = self._size()
        _set_lr(self.model, self.initial_lr / size * (epoch * (size - 1) / self.warmup_epochs + 1))

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.warmup_epochs - 1:
            _set_lr(self.model, self.initial_lr)
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: finished gradual learning rate warmup to {self.initial_lr:g}.")
        if logs is not None:
            logs["lr"] = _get_lr(self.model)


def _get_lr(model):
    from ...keras import backend
    lr = model.optimizer.lr
    return float(lr) if isinstance(lr, (int, float, np.number)) else float(backend.get_value(lr))


def _set_lr(model, value):
    model.optimizer.lr = float(value)
