"""Saving Keras models and weights in safe formats (no pickle: JSON and raw little-endian tensor bytes, each
tensor CRC32-checked), written crash-safely (temp file, fsync, atomic rename, folder fsync).

- `save_weights(path)`: a TensorFlow checkpoint (`path.index` + `path.data-00000-of-00001` in TensorFlow's V2
  bundle format, which `tf.train.Saver` and TensorFlow read, keyed by variable name, plus the weight order) and the
  `checkpoint` state file. Files in neuroflow's earlier JSON-indexed checkpoint format still load.
- `save(path)` and `save_weights(path ending in .h5/.keras)`: one file (neuroflow's own container — not HDF5):
  `b"NFKERAS\\0" | u32 version | u64 header length | u32 CRC32 of header | header JSON | tensor bytes`, the header
  holding the model config, the training config and, per tensor, name, layer, dtype, shape, offset, size, CRC32.
"""
import contextlib
import json
import logging
import os
import struct
import zlib

import numpy as np

from ..train.checkpoint_format import TENSORFLOW, CheckpointFile, atomic_file, fsync_directory, write_checkpoint
from ..train.checkpoint_management import update_checkpoint_state

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]

_log = logging.getLogger("neuroflow")

_MAGIC = b"NFKERAS\0"
_VERSION = 1
_FRAME = struct.Struct("<8sIQI")   # magic, version, header length, header crc32
_ORDER_KEY = "keras_weight_names"
_LAYERS_KEY = "keras_layer_names"


# --- which tensors --------------------------------------------------------------------------------------------
def _short(var):
    return var.op.name


def _model_weights(model):
    """[(layer name, variable)] in `model.weights` order (layer by layer)."""
    owner = {}
    for layer in getattr(model, "layers", []):
        for w in layer.weights:
            owner.setdefault(id(w), layer.name)
    return [(owner.get(id(w), model.name), w) for w in model.weights]


def _values(model, variables):
    from . import backend
    with model.outputs[0].graph.as_default() if model.outputs else contextlib.nullcontext():
        return backend.batch_get_value(variables)


def _assign(model, pairs):
    from . import backend
    with model.outputs[0].graph.as_default() if model.outputs else contextlib.nullcontext():
        backend.batch_set_value(pairs)


def _confirm_overwrite(filepath, overwrite):
    if overwrite or not os.path.exists(filepath):
        return True
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def _is_single_file(filepath, save_format):
    if save_format is not None:
        if save_format not in ("h5", "tf", "keras"):
            raise ValueError(f'Unknown format "{save_format}". Was expecting one of {{"tf", "h5"}}.')
        return save_format != "tf"
    return filepath.endswith((".h5", ".keras", ".hdf5"))


# --- the single-file container ----------------------------------------------------------------------------------
def _write_container(filepath, header, tensors):
    """Writes header JSON and the (name, layer, array) tensors as one file, atomically."""
    records, chunks, offset = [], [], 0
    for name, layer, array in tensors:
        array = np.asarray(array, order="C")   # (ascontiguousarray would make scalars 1-D)
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).reshape(-1).view(np.uint8)
        buf = memoryview(data)
        records.append({"name": name, "layer": layer, "dtype": array.dtype.name, "shape": list(array.shape),
                        "offset": offset, "nbytes": buf.nbytes, "crc32": zlib.crc32(buf)})
        chunks.append(buf)
        offset += buf.nbytes
    header = dict(header, format="neuroflow-keras", tensors=records, data_size=offset)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    with atomic_file(filepath) as f:
        f.write(_FRAME.pack(_MAGIC, _VERSION, len(raw), zlib.crc32(raw)) + raw)
        for buf in chunks:
            f.write(buf)
    fsync_directory(os.path.dirname(os.path.abspath(filepath)))


def _is_container(filepath):
    try:
        with open(filepath, "rb") as f:
            return f.read(8) == _MAGIC
    except (IsADirectoryError, FileNotFoundError, PermissionError):
        return False


def _read_container(filepath):
    """(header dict, {name: array}, [names in order], [layers in order]) with every byte verified.

    Raises:
        OSError: not a neuroflow Keras file, or a truncated / corrupted one (the message says which).
    """
    with open(filepath, "rb") as f:
        raw = f.read()
    if len(raw) < _FRAME.size or raw[:8] != _MAGIC:
        raise OSError(f"Unable to open file {filepath}: not a neuroflow Keras file (HDF5 files written by Keras or "
                      "TensorFlow cannot be read; save the model with neuroflow).")
    _, version, length, crc = _FRAME.unpack_from(raw)
    if version != _VERSION:
        raise OSError(f"{filepath} has format version {version}; this neuroflow reads version {_VERSION}.")
    header_bytes = raw[_FRAME.size:_FRAME.size + length]
    if len(header_bytes) != length or zlib.crc32(header_bytes) != crc:
        raise OSError(f"{filepath} is truncated or corrupted (its header does not match its checksum).")
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        data = memoryview(raw)[_FRAME.size + length:]
        if len(data) != int(header["data_size"]):
            raise OSError(f"{filepath} is truncated or has trailing bytes: {len(data)} bytes of tensor data, expected "
                          f"{header['data_size']}.")
        values, names, layers = {}, [], []
        for rec in header["tensors"]:
            dtype = np.dtype(str(rec["dtype"]))
            if dtype.kind not in "biuf":
                raise ValueError(rec["dtype"])
            shape = tuple(int(d) for d in rec["shape"])
            start, nbytes = int(rec["offset"]), int(rec["nbytes"])
            if start < 0 or start + nbytes > len(data) or nbytes != int(np.prod(shape)) * dtype.itemsize:
                raise ValueError("bad offset")
            chunk = data[start:start + nbytes]
            if zlib.crc32(chunk) != int(rec["crc32"]):
                raise OSError(f"{filepath} is corrupted: the checksum of tensor '{rec['name']}' does not match.")
            values[str(rec["name"])] = np.frombuffer(chunk, dtype.newbyteorder("<")).astype(dtype).reshape(shape)
            names.append(str(rec["name"]))
            layers.append(str(rec.get("layer", "")))
    except (KeyError, TypeError, ValueError, UnicodeDecodeError):
        raise OSError(f"{filepath} is not a valid neuroflow Keras file (malformed header).") from None
    return header, values, names, layers


# --- weights ------------------------------------------------------------------------------------------------------
def save_weights(model, filepath, overwrite=True, save_format=None):
    """`model.save_weights`: see the module docstring for the two formats.

    Raises:
        ValueError: the folder does not exist, or an unknown `save_format`.
    """
    filepath = os.fspath(filepath)
    single = _is_single_file(filepath, save_format)
    target = filepath if single else filepath + ".index"
    if not _confirm_overwrite(target, overwrite):
        return
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise ValueError(f"Parent directory of {filepath} doesn't exist, can't save.")
    pairs = _model_weights(model)
    values = _values(model, [w for _, w in pairs])
    if single:
        _write_container(filepath, {"kind": "weights"}, [(_short(w), layer, v) for (layer, w), v in
                                                         zip(pairs, values)])
        return
    from ..framework import dtypes
    entries = [(_short(w), w.dtype.base_dtype, v) for (_, w), v in zip(pairs, values)]
    entries.append((_ORDER_KEY, dtypes.string, np.array([_short(w) for _, w in pairs] or [""], dtype=object)))
    entries.append((_LAYERS_KEY, dtypes.string, np.array([layer for layer, _ in pairs] or [""], dtype=object)))
    write_checkpoint(filepath, entries, file_format=TENSORFLOW)   # TensorFlow's V2 bundle, as tf.keras writes
    update_checkpoint_state(os.path.dirname(filepath), filepath, [filepath])


def _read_weights(filepath):
    """(values by name, names in order, layer of each) from either format."""
    if _is_container(filepath):
        _, values, names, layers = _read_container(filepath)
        return values, names, layers
    if os.path.exists(filepath + ".index"):
        with CheckpointFile(filepath) as reader:   # one save throughout, even while another process saves
            if _ORDER_KEY not in reader.tensors:
                raise ValueError(f"{filepath} is a checkpoint without Keras weight order; restore it with "
                                 "tf.train.Saver instead.")
            meta = reader.read([_ORDER_KEY, _LAYERS_KEY])
            names = [n.decode("utf-8") for n in meta[_ORDER_KEY].tolist() if n]
            layers = [n.decode("utf-8") for n in meta[_LAYERS_KEY].tolist() if n]
            return reader.read(names), names, layers
    raise OSError(f"Unable to open file (unable to open file: name = '{filepath}', errno = 2, error message = 'No "
                  "such file or directory')")


def load_weights(model, filepath, by_name=False):
    """`model.load_weights`: in order (the model must have the same weights), or with `by_name` into the layers
    of the same names (layers absent from the file keep their values).

    Raises:
        ValueError: a different number of weights or a shape mismatch (naming the layer).
        OSError: no such file, or a damaged one.
    """
    filepath = os.fspath(filepath)
    values, names, layers = _read_weights(filepath)
    pairs = _model_weights(model)
    if not pairs and not model.built:
        raise ValueError("Unable to load weights saved in the neuroflow format into a subclassed Model which has "
                         "not created its variables yet. Call the Model first, then load the weights.")
    assignments = []
    if by_name:
        saved = {}
        for name, layer in zip(names, layers):
            saved.setdefault(layer, []).append(values[name])
        by_layer = {}
        for layer, w in pairs:
            by_layer.setdefault(layer, []).append(w)
        for k, (layer, weights) in enumerate(by_layer.items()):
            if layer not in saved:
                continue
            if len(saved[layer]) != len(weights):
                raise ValueError(f'Layer #{k} (named "{layer}") expects {len(weights)} weight(s), but the saved '
                                 f"weights have {len(saved[layer])} element(s).")
            assignments += list(zip(weights, saved[layer]))
    else:
        if len(names) != len(pairs):
            raise ValueError(f"You are trying to load a weight file containing {len(names)} weights into a model "
                             f"with {len(pairs)} weights.")
        assignments = [(w, values[n]) for (_, w), n in zip(pairs, names)]
    for w, value in assignments:
        ref = tuple(w.shape.as_list())
        if ref != tuple(value.shape):
            raise ValueError(f"Layer weight shape {ref} not compatible with provided weight shape "
                             f"{tuple(value.shape)} (weight {_short(w)})")
    _assign(model, assignments)


# --- whole models -----------------------------------------------------------------------------------------------
def _training_config(model):
    from . import losses, optimizers
    args = model._compile_args
    if args is None or model.optimizer is None:
        return None

    def names(value):
        if isinstance(value, dict):
            return {k: names(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [names(v) for v in value]
        return losses.serialize(value) if value is not None else None
    try:
        optimizer_config = optimizers.serialize(model.optimizer)
    except NotImplementedError:
        _log.warning("TensorFlow optimizers do not make it possible to access optimizer attributes or optimizer "
                     "state after instantiation. As a result, we cannot save the optimizer as part of the model save "
                     "file. You will have to compile your model again after loading it.")
        return None
    return {"optimizer_config": optimizer_config, "loss": names(args["loss"]), "metrics": names(args["metrics"]),
            "weighted_metrics": names(args["weighted_metrics"]), "loss_weights": args["loss_weights"]}


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Saves the architecture (`model.get_config()`), weights, training configuration and optimizer state in one
    file (see the module docstring). `tf.keras.models.load_model` rebuilds the model from it.

    Raises:
        NotImplementedError: a subclassed model (its `call` is code: save its weights instead).
    """
    from .. import __version__ as version
    filepath = os.fspath(filepath)
    if not model.built and not model.outputs:
        raise ValueError("This model has not yet been built: call it on data (or fit it) before saving it.")
    if not getattr(model, "_is_graph_network", False):
        raise NotImplementedError("The `save` method requires the model to be a Functional model or a Sequential "
                                  "model. It does not work for subclassed models, because such models are defined via "
                                  "the body of a Python method, which isn't safely serializable. Consider using "
                                  "`save_weights`, in order to save the weights of the model.")
    if not _confirm_overwrite(filepath, overwrite):
        return
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise ValueError(f"Parent directory of {filepath} doesn't exist, can't save.")
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    pairs = _model_weights(model)
    tensors = [(_short(w), layer, v) for (layer, w), v in zip(pairs, _values(model, [w for _, w in pairs]))]
    training = _training_config(model) if include_optimizer or model.optimizer is not None else None
    optimizer_names = []
    if include_optimizer and training is not None and model.optimizer.weights:
        opt_weights = model.optimizer.weights
        optimizer_names = [f"optimizer_weights/{_short(w)}" for w in opt_weights]
        tensors += [(n, "", v) for n, v in zip(optimizer_names, _values(model, opt_weights))]
    header = {"kind": "model", "neuroflow_version": version, "backend": "neuroflow", "model_config": config,
              "training_config": training, "optimizer_weights": optimizer_names}
    _write_container(filepath, header, tensors)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's argument name
    """Rebuilds a model saved with `model.save`: architecture, weights and, with `compile=True`, the compiled
    training configuration and optimizer state.

    Args:
        filepath: the file written by `model.save`.
        custom_objects: {name: class or function} for custom layers, losses and metrics.
        compile: compile the model as it was when saved.

    Raises:
        OSError: no such file, or a damaged or foreign file.
        ValueError: a weights file (no architecture), or an unknown custom object.
    """
    from . import optimizers
    from .engine.serialization import deserialize_layer
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError(f"Unable to open file (unable to open file: name = '{filepath}', errno = 2, error message = "
                      "'No such file or directory', flags = 0, o_flags = 0)")
    header, values, names, layers = _read_container(filepath)
    if header.get("kind") != "model" or not header.get("model_config"):
        raise ValueError("No model found in config file: the file holds weights only (use model.load_weights).")
    model = deserialize_layer(header["model_config"], custom_objects=custom_objects)
    optimizer_names = set(header.get("optimizer_weights") or [])
    weight_names = [n for n in names if n not in optimizer_names]
    pairs = _model_weights(model)
    if len(weight_names) != len(pairs):
        raise ValueError(f"The file holds {len(weight_names)} weights but the rebuilt model has {len(pairs)}.")
    _assign(model, [(w, values[n]) for (_, w), n in zip(pairs, weight_names)])
    training = header.get("training_config")
    if compile and training is not None:
        optimizer = optimizers.deserialize(training["optimizer_config"], custom_objects)
        model.compile(optimizer, loss=_lookup(training["loss"], custom_objects),
                      metrics=_lookup(training["metrics"], custom_objects),
                      loss_weights=training.get("loss_weights"),
                      weighted_metrics=_lookup(training.get("weighted_metrics"), custom_objects))
        opt_names = header.get("optimizer_weights") or []
        if opt_names and model._compiled is not None:
            model._compiled.train_op()   # makes the optimizer's slots, to receive their saved values
            state = model.optimizer.weights
            if len(state) == len(opt_names):
                _assign(model, [(w, values[n]) for w, n in zip(state, opt_names)])
            else:
                _log.warning("Error in loading the saved optimizer state. As a result, your model is starting with "
                             "a freshly initialized optimizer.")
    elif compile and training is None:
        _log.warning("No training configuration found in save file: the model was *not* compiled. Compile it "
                     "manually.")
    return model


def _lookup(value, custom_objects):
    """Names of losses/metrics in a training config, resolved to custom objects where the user gives them
    (built-in names stay strings: compile resolves them)."""
    from . import losses, metrics
    if value is None:
        return None
    if isinstance(value, dict) and "class_name" in value:
        return losses.deserialize(value, custom_objects)
    if isinstance(value, dict):
        return {k: _lookup(v, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_lookup(v, custom_objects) for v in value]
    if custom_objects and value in custom_objects:
        return custom_objects[value]
    if isinstance(value, str) and value not in ("accuracy", "acc", "crossentropy", "ce"):
        try:
            losses.deserialize(value)
        except ValueError:
            try:
                metrics.deserialize(value)
            except ValueError:
                raise ValueError(f"Unknown loss or metric function: {value}. Pass it in `custom_objects` to "
                                 "load_model, or load with compile=False.") from None
    return value
