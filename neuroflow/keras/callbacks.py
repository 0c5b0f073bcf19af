"""`tf.keras.callbacks`: hooks that `fit`/`evaluate`/`predict` call around epochs and batches — History,
the progress bar (ProgbarLogger), EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler,
TerminateOnNaN, and (from callbacks_logging) CSVLogger, LambdaCallback and TensorBoard — with Keras's arguments,
defaults and printed messages."""
import logging
import os

import numpy as np

from .callbacks_base import Callback, CallbackList
from .callbacks_logging import CSVLogger, LambdaCallback, TensorBoard
from .progbar import Progbar

__all__ = ["Callback", "CallbackList", "BaseLogger", "History", "ProgbarLogger", "EarlyStopping", "ModelCheckpoint",
           "ReduceLROnPlateau", "CSVLogger", "LambdaCallback", "LearningRateScheduler", "TerminateOnNaN",
           "TensorBoard"]

_log = logging.getLogger("neuroflow")


class BaseLogger(Callback):
    """Turns per-batch values into epoch values: the average over the epoch's samples (weighted by batch size),
    except for `stateful_metrics`, whose last value is kept. `fit` adds it first."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size
        for k, v in logs.items():
            if k in ("batch", "size"):
                continue
            if k in self.stateful_metrics:
                self.totals[k] = v
            else:
                self.totals[k] = self.totals.get(k, 0.0) + v * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for k in self.params.get("metrics", []):
            if k in self.totals:
                logs[k] = self.totals[k] if k in self.stateful_metrics else float(self.totals[k] / max(self.seen, 1))


class History(Callback):
    """Records the epoch logs: `history.history` maps each name ('loss', 'acc', 'val_loss', ...) to one value
    per epoch, and `history.epoch` lists the epochs. `fit` returns it.

    Example:
        >>> history = model.fit(x, y, epochs=5, validation_split=0.2)
        >>> history.history["val_loss"]
    """

    def __init__(self):
        super().__init__()
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and the progress bar (verbose=1) or one line per epoch (verbose=2).

    Args:
        count_mode: "samples" (the bar counts samples) or "steps" (batches).
        stateful_metrics: names shown as their last value instead of an average.
    """

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError("Unknown `count_mode`: " + str(count_mode))
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or [])

    def on_train_begin(self, logs=None):
        self.verbose = self.params["verbose"]
        self.epochs = self.params["epochs"]

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.target = self.params["steps"] if self.use_steps else self.params["samples"]
        if self.verbose:
            if self.epochs > 1:
                print(f"Epoch {epoch + 1}/{self.epochs}")
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics,
                                   unit_name="step" if self.use_steps else "sample")

    def on_batch_begin(self, batch, logs=None):
        if self.seen < (self.target or 0) or self.target is None:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get("size", 0)
        self.log_values = [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        # The last batch's update waits for on_epoch_end, which adds the validation values to the same line.
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for k in self.params["metrics"]:
            if k in logs and k.startswith("val_"):
                self.log_values.append((k, logs[k]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values, finalize=True)


def _monitor_op(mode, monitor, name):
    """np.less or np.greater for `mode` ('auto' guesses from the name: accuracies are maximized)."""
    if mode not in ("auto", "min", "max"):
        _log.warning("%s mode %s is unknown, fallback to auto mode.", name, mode)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    return np.greater if "acc" in monitor or monitor.startswith("fmeasure") else np.less


class EarlyStopping(Callback):
    """Stops training when `monitor` has stopped improving.

    Args:
        monitor: the quantity to watch (e.g. 'val_loss', 'val_acc').
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: print a line when stopping.
        mode: 'min', 'max' or 'auto' (from the name: accuracies are maximized).
        baseline: training stops if the quantity does not beat it.
        restore_best_weights: on stopping, put back the weights of the best epoch (as Keras: only when it stops
            early, not when the epochs run out).

    Example:
        >>> stop = tf.keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        self.min_delta *= 1 if self.monitor_op == np.greater else -1

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs or {})
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")

    def get_monitor_value(self, logs):
        value = logs.get(self.monitor)
        if value is None:
            _log.warning("Early stopping conditioned on metric `%s` which is not available. Available metrics are: "
                         "%s", self.monitor, ",".join(logs))
        return value


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) after every `period` epochs.

    Args:
        filepath: where to save; may hold `{epoch:02d}` and log names, e.g.
            "weights.{epoch:02d}-{val_loss:.2f}.ckpt".
        monitor: the quantity compared with `save_best_only`.
        verbose: print a line per save.
        save_best_only: save only when `monitor` improved (the file is then overwritten by better models).
        save_weights_only: `model.save_weights(filepath)` instead of `model.save(filepath)`.
        mode: 'min', 'max' or 'auto'.
        period: epochs between checkpoints.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", period=1):
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        self.monitor_op = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.best = np.inf if self.monitor_op == np.less else -np.inf

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        try:
            filepath = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError(f"Failed to format this callback filepath: \"{self.filepath}\". Reason: {e}") from None
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: saving model to {filepath}")
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            _log.warning("Can save best model only with %s available, skipping.", self.monitor)
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from {self.best:0.5f} to {current:0.5f}, "
                      f"saving model to {filepath}")
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from {self.best:0.5f}")


def _lr_variable(model):
    optimizer = getattr(model, "optimizer", None)
    try:
        return optimizer.lr
    except AttributeError:
        raise ValueError('Optimizer must have a "lr" attribute.') from None


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` has not improved for `patience` epochs.

    Args:
        monitor: the quantity to watch.
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before reducing.
        verbose: print a line on each reduction.
        mode: 'min', 'max' or 'auto'.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:   # Keras's old name for min_delta
            min_delta = kwargs.pop("epsilon")
            _log.warning("`epsilon` argument is deprecated and will be removed, use `min_delta` instead.")
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments: {sorted(kwargs)}")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.mode = mode
        self._reset()

    def _reset(self):
        if self.mode not in ("auto", "min", "max"):
            _log.warning("Learning Rate Plateau Reducing mode %s is unknown, fallback to auto mode.", self.mode)
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        from . import backend
        logs = logs if logs is not None else {}
        lr = _lr_variable(self.model)
        logs["lr"] = float(backend.get_value(lr))
        current = logs.get(self.monitor)
        if current is None:
            _log.warning("Reduce LR on plateau conditioned on metric `%s` which is not available. Available metrics "
                         "are: %s", self.monitor, ",".join(logs))
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = logs["lr"]
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    backend.set_value(lr, new_lr)
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to `schedule(epoch)` (or `schedule(epoch, lr)`)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        from . import backend
        lr = _lr_variable(self.model)
        try:
            new_lr = self.schedule(epoch, float(backend.get_value(lr)))
        except TypeError:   # a schedule of the epoch only (Keras's older signature)
            new_lr = self.schedule(epoch)
        if not isinstance(new_lr, (float, np.floating, int, np.integer)):
            raise ValueError('The output of the "schedule" function should be float.')
        backend.set_value(lr, float(new_lr))
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler reducing learning rate to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        from . import backend
        if logs is not None:
            logs["lr"] = float(backend.get_value(_lr_variable(self.model)))


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
