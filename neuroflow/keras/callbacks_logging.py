"""Callbacks that record training outside the process: CSVLogger (one CSV row per epoch), TensorBoard (event
files through tf.summary.FileWriter), and LambdaCallback (plain functions as hooks)."""
import collections
import csv
import io
import os

import numpy as np

from .callbacks_base import Callback

__all__ = ["CSVLogger", "LambdaCallback", "TensorBoard"]


class CSVLogger(Callback):
    """Writes one CSV row per epoch: 'epoch' and the logs' values (columns sorted by name).

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: append to an existing file (no second header) instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = io.open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle_value(k):
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return f"\"[{', '.join(map(str, k))}]\""
            return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model is not None and getattr(self.model, "stop_training", False):
            logs = dict((k, logs[k]) if k in logs else (k, "NA") for k in self.keys)
        if not self.writer:
            class CustomDialect(csv.excel):
                delimiter = self.sep
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback from plain functions: on_epoch_begin/on_epoch_end(epoch, logs), on_batch_begin/on_batch_end(batch,
    logs), on_train_begin/on_train_end(logs).

    Example:
        >>> log = tf.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


class TensorBoard(Callback):
    """Writes the epoch logs (and the model's graph) as TensorBoard event files in `log_dir` through
    `tf.summary.FileWriter`: one scalar per log name ('loss', 'val_acc', ...) at step = epoch. Needs the
    `tensorboard` package (`pip install neuroflow[tensorboard]`).

    Args:
        log_dir: the folder of the event files (`tensorboard --logdir <log_dir>`).
        write_graph: also write the model's graph (the Graphs dashboard).
        update_freq: 'epoch'; or 'batch' / an int (every that many samples) to also write per-batch values
            as 'batch_<name>' (the epoch values then become 'epoch_<name>').
        histogram_freq, batch_size, write_grads, write_images, embeddings_*, profile_batch: accepted for
            Keras's signature; only histogram_freq=0 and write_images=False are supported.

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[tf.keras.callbacks.TensorBoard("runs/keras")])
    """

    def __init__(self, log_dir="./logs", histogram_freq=0, batch_size=32, write_graph=True, write_grads=False,
                 write_images=False, embeddings_freq=0, embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, update_freq="epoch", profile_batch=2):
        super().__init__()
        if histogram_freq or write_images or embeddings_freq:
            raise NotImplementedError("TensorBoard(histogram_freq, write_images, embeddings_freq) are not supported "
                                      "yet: only scalars and the graph are written.")
        self.log_dir = os.fspath(log_dir)
        self.write_graph = write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.writer = None
        self._samples_seen = 0
        self._last_batch_write = 0

    def set_model(self, model):
        from ..summary import FileWriter
        from ..summary._proto import protos
        super().set_model(model)
        self._summary_class = protos().summary_pb2.Summary   # ImportError naming the pip extra if missing
        graph = model.outputs[0].graph if self.write_graph and getattr(model, "outputs", None) else None
        if self.writer is not None:
            self.writer.close()
        self.writer = FileWriter(self.log_dir, graph)

    def _write(self, logs, step):
        values = [self._summary_class.Value(tag=name, simple_value=float(value)) for name, value in logs.items()
                  if name not in ("batch", "size", "num_steps") and np.ndim(value) == 0]
        if values:
            self.writer.add_summary(self._summary_class(value=values), step)

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self.writer is None:
            return
        logs = logs or {}
        self._samples_seen += logs.get("size", 1)
        if self._samples_seen - self._last_batch_write >= self.update_freq:
            self._write({"batch_" + k: v for k, v in logs.items()}, self._samples_seen)
            self._last_batch_write = self._samples_seen

    def on_epoch_end(self, epoch, logs=None):
        if self.writer is not None:
            prefix = "" if self.update_freq == "epoch" else "epoch_"
            self._write({prefix + k: v for k, v in (logs or {}).items()}, epoch)
            self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
