"""`tf.train.Saver`: crash-safe checkpoints in TensorFlow's format, the checkpoint state file, latest_checkpoint.

A Saver reads the values of its variables straight from a session's variable storage and writes them with
`checkpoint_format` in TensorFlow's V2 format (so TensorFlow restores them; no pickle; checksummed); `restore`
writes them back, which also initializes them, from a checkpoint in either format (TensorFlow's, whoever wrote it,
or neuroflow's earlier one). Each save
writes the checkpoint files first, then the `checkpoint` state file, and deletes old checkpoints only after that,
so a crash at any moment leaves the previous checkpoint loadable.
"""
import errno
import logging
import numbers
import os
import time

import numpy as np

from ..framework import errors
from ..framework.context import executing_eagerly
from . import checkpoint_entries
from .checkpoint_format import TENSORFLOW, CheckpointFile, write_checkpoint
from .checkpoint_management import *  # noqa: F401,F403 - tf.train's checkpoint utilities live there
from .checkpoint_management import __all__ as _management_all
from .checkpoint_management import checkpoint_exists, remove_checkpoint, update_checkpoint_state
from .checkpoint_utils import *  # noqa: F401,F403
from .checkpoint_utils import __all__ as _utils_all

__all__ = ["Saver", "SaverDef"] + _management_all + _utils_all

_log = logging.getLogger("neuroflow")


class SaverDef:
    """A Saver's settings (TF's `SaverDef` proto). `tf.train.SaverDef.V2` names the checkpoint format version.

    The tensor-name fields stay empty: this Saver adds no save/restore ops to the graph.
    """

    LEGACY, V1, V2 = 0, 1, 2

    def __init__(self, filename_tensor_name="", save_tensor_name="", restore_op_name="", max_to_keep=0,
                 sharded=False, keep_checkpoint_every_n_hours=0.0, version=V2):
        self.filename_tensor_name = filename_tensor_name
        self.save_tensor_name = save_tensor_name
        self.restore_op_name = restore_op_name
        self.max_to_keep = max_to_keep
        self.sharded = sharded
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.version = version

    def __repr__(self):
        return (f"SaverDef(max_to_keep={self.max_to_keep}, keep_checkpoint_every_n_hours="
                f"{self.keep_checkpoint_every_n_hours}, sharded={self.sharded}, version={self.version})")


def _wrap_restore_error(err, extra_verbiage):
    message = (f"Restoring from checkpoint failed. This is most likely due to {extra_verbiage} from the checkpoint. "
               "Please ensure that you have not altered the graph expected based on the checkpoint. Original "
               f"error:\n\n{err.message}")
    return type(err)(err.node_def, err.op, message)


def _create_last_folder(save_dir):
    """The checkpoint's folder, created when only its last component is missing: TensorFlow's V2 checkpoint
    writer makes that one folder (not a chain of them) before writing, so `./model/x.ckpt` saves into a new
    `./model` while `./a/b/x.ckpt` with no `./a` fails."""
    if not save_dir or os.path.isdir(save_dir):
        return
    try:
        os.mkdir(save_dir)
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        pass  # a file in the way, or a missing parent: the caller's check reports it as TensorFlow does


def _os_error(e):
    """TensorFlow's error class for a failed checkpoint write (disk full, no permission, ...)."""
    if isinstance(e, PermissionError):
        cls = errors.PermissionDeniedError
    elif e.errno == errno.ENOSPC:
        cls = errors.ResourceExhaustedError
    elif isinstance(e, FileNotFoundError):
        cls = errors.NotFoundError
    else:
        cls = errors.UnknownError
    return cls(None, None, f"{e.filename}; {e.strerror or e}" if e.filename else str(e))


class Saver:
    """Saves and restores variables (TensorFlow 1.x's `tf.train.Saver`), in TensorFlow's checkpoint format:
    real TensorFlow restores what it saves, and it restores what TensorFlow saved (by TF's names, e.g. `W/Adam`,
    `beta1_power`; a partitioned variable's slices are read as one tensor).

    Args:
        var_list: None (all global variables and saveable objects), a list of variables (named in the
            checkpoint by their op names, e.g. `dense/kernel`), or a dict {name in checkpoint: variable}.
        reshape: allow restoring a variable from a tensor of another shape with as many elements.
        sharded: accepted; one data file is always written.
        max_to_keep: how many recent checkpoints to keep (None or 0: keep all).
        keep_checkpoint_every_n_hours: also keep one checkpoint every N hours.
        defer_build: build in `build()` (variables are collected then).
        allow_empty: with no variables, make a Saver that does nothing instead of raising.
        write_version: accepted (`tf.train.SaverDef.V2`); the files are always TensorFlow's V2 checkpoint,
            `<prefix>.index` and `<prefix>.data-00000-of-00001`.
        pad_step_number: zero-pad the global step in file names to 8 digits.
        save_relative_paths: write paths relative to the folder in the `checkpoint` state file.

    Example:
        >>> saver = tf.train.Saver(max_to_keep=3)
        >>> path = saver.save(sess, "/tmp/model/model.ckpt", global_step=100)   # '/tmp/model/model.ckpt-100'
        >>> saver.restore(sess, tf.train.latest_checkpoint("/tmp/model"))

    Raises:
        ValueError: no variables to save, two variables with the same name, one variable under two names.
        TypeError: `var_list` holds something that is not a variable.
        RuntimeError: in eager mode without a `var_list`.
    """

    # The format `save` writes: TensorFlow's ("tensorflow"), or "neuroflow" for the earlier neuroflow-only format
    # (kept for tests and for going back; both are read whichever this is).
    _checkpoint_file_format = TENSORFLOW

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False, saver_def=None,
                 builder=None, defer_build=False, allow_empty=False, write_version=SaverDef.V2,
                 pad_step_number=False, save_relative_paths=False, filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set defer_build=False "
                             "or var_list=None.")
        if saver_def is not None and not isinstance(saver_def, SaverDef):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {saver_def}")
        self._eager = executing_eagerly()
        if self._eager and var_list is None:
            raise RuntimeError("When eager execution is enabled, `var_list` must specify a list or dict of variables "
                               "to save")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._save_relative_paths = save_relative_paths
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._entries = []
        if self._eager:
            self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
            self._build()
        elif not defer_build:
            self.build()
        if saver_def is not None:
            self._write_version = saver_def.version

    # --- building --------------------------------------------------------------------------------------------
    def build(self):
        """Collects the variables to save (called by the constructor unless `defer_build=True`)."""
        if executing_eagerly():
            raise RuntimeError("Use save/restore instead of build in eager mode.")
        self._build()

    def _build(self):
        if self._is_built:
            return
        self._is_built = True
        given = self.saver_def
        if self._var_list is None:
            self._var_list = checkpoint_entries.all_saveable_objects()
        if not self._var_list:
            if self._allow_empty:
                self._is_empty = True
                return
            raise ValueError("No variables to save")
        self._is_empty = False
        self._entries = checkpoint_entries.resolve(self._var_list, in_graph=not self._eager)
        if given is None:
            self.saver_def = SaverDef(max_to_keep=self._max_to_keep or 0, sharded=bool(self._sharded),
                                      keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
                                      version=self._write_version)
        self._next_checkpoint_time = time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600

    def as_saver_def(self):
        """This Saver's SaverDef."""
        return self.saver_def

    def to_proto(self, export_scope=None):
        return self.saver_def

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False, export_scope=None,
                          clear_devices=False, clear_extraneous_attributes=False, strip_default_attrs=False,
                          save_debug_info=False):
        """Writes (and returns) the MetaGraphDef of this Saver's graph with its settings and checkpoint names
        (see `tf.train.export_meta_graph`; `tf.train.import_meta_graph` reads it back)."""
        from .meta_graph import export_for_saver
        return export_for_saver(self, filename, collection_list, as_text, export_scope, clear_devices,
                                save_debug_info)

    # --- the list of recent checkpoints -------------------------------------------------------------------------
    @property
    def last_checkpoints(self):
        """The not-yet-deleted checkpoint prefixes this Saver made, oldest first."""
        return [p[0] for p in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        """DEPRECATED: use `set_last_checkpoints_with_time`. These checkpoints are never deleted."""
        assert isinstance(last_checkpoints, list)
        self._last_checkpoints = [(s, np.inf) for s in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        """Sets the list of (checkpoint prefix, timestamp) pairs, oldest first."""
        assert isinstance(last_checkpoints_with_time, list)
        self._last_checkpoints = last_checkpoints_with_time

    def recover_last_checkpoints(self, checkpoint_paths):
        """After a restart: takes over the existing checkpoints among `checkpoint_paths` (e.g. a CheckpointState's
        `all_model_checkpoint_paths`), with their files' modification times, so `max_to_keep` keeps applying."""
        from .checkpoint_management import get_checkpoint_mtimes
        recovered = []
        for path in checkpoint_paths:
            mtime = get_checkpoint_mtimes([path])
            if mtime:
                recovered.append((path, mtime[0]))
        self.set_last_checkpoints_with_time(recovered)

    def _record_last_checkpoint(self, latest_save_path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        # Runs only after the new state file is in place: a crash before this leaves extra files, never a state
        # file naming deleted ones.
        if self._checkpoints_to_be_deleted:
            path, stamp = self._checkpoints_to_be_deleted.pop(0)
            if stamp > self._next_checkpoint_time:   # keep one every keep_checkpoint_every_n_hours
                self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
                return
            remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)

    # --- save / restore ------------------------------------------------------------------------------------------
    def _check_session(self, sess):
        if self._eager:
            return None
        from ..runtime.session import Session
        if not isinstance(sess, Session):
            raise TypeError(f"'sess' must be a Session; {sess}")
        return sess

    def save(self, sess, save_path, global_step=None, latest_filename=None, meta_graph_suffix="meta",
             write_meta_graph=True, write_state=True, strip_default_attrs=False, save_debug_info=False):
        """Saves the variables' values in `sess` to the checkpoint `save_path` (`save_path-<global_step>`).

        Args:
            sess: the Session holding the values (ignored in eager mode).
            save_path: the checkpoint prefix, e.g. "/tmp/model/model.ckpt"; a missing last folder ("model")
                is created, as TensorFlow's writer does, but not a chain of them (nor by a sharded Saver).
            global_step: appended to the prefix: an int, or a variable/tensor (or its name) evaluated in `sess`.
            latest_filename: the state file's name in the folder (default "checkpoint").
            write_meta_graph: also write the graph (`<prefix>.meta`, see `tf.train.export_meta_graph`).
            write_state: update the state file (and delete checkpoints beyond `max_to_keep`).

        Returns:
            The checkpoint prefix (pass it to `restore`), or None for an empty Saver.

        Raises:
            ValueError: the folder does not exist and cannot be made; `latest_filename` has path components or
                collides with `save_path`.
            TypeError: `sess` is not a Session.
            tf.errors.FailedPreconditionError: a variable is not initialized.
        """
        if not self._is_built and not self._eager:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if isinstance(save_path, bytes):
            save_path = save_path.decode("utf-8")
        if global_step is not None:
            if not isinstance(global_step, numbers.Integral):
                global_step = _global_step_value(self._check_session(sess), global_step)
            global_step = int(global_step)
            checkpoint_file = (f"{save_path}-{global_step:08d}" if self._pad_step_number
                               else f"{save_path}-{global_step}")
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': '{latest_filename}' and "
                                 f"'{save_path}'")
        sess = self._check_session(sess)
        if self._is_empty:
            return None
        save_dir = os.path.dirname(save_path)
        try:
            values = self._collect(sess)
        except (errors.FailedPreconditionError, errors.NotFoundError):
            if not os.path.isdir(save_dir or "."):  # TensorFlow names the missing folder first
                raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.") from None
            raise
        if not self._sharded:
            _create_last_folder(save_dir)
        if not os.path.isdir(save_dir or "."):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        try:
            write_checkpoint(checkpoint_file, values, self._checkpoint_file_format)
            if write_meta_graph and not self._eager:
                from .checkpoint_management import meta_graph_filename
                from .meta_graph import export_for_saver
                export_for_saver(self, meta_graph_filename(checkpoint_file, meta_graph_suffix),
                                 save_debug_info=save_debug_info, graph=sess.graph, implicit=True)
            if write_state:
                self._record_last_checkpoint(checkpoint_file)
                update_checkpoint_state(save_dir, checkpoint_file, self.last_checkpoints, latest_filename,
                                        save_relative_paths=self._save_relative_paths)
        except OSError as e:
            raise _os_error(e) from e
        if write_state:
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        return checkpoint_file

    def _collect(self, sess):
        out = []
        for entry in self._entries:
            if isinstance(entry, checkpoint_entries.VariableEntry):
                out.append((entry.name, entry.dtype, entry.read(sess)))
            else:
                for name, dtype, value in zip(entry.spec_names, entry.spec_dtypes, entry.read(sess)):
                    out.append((name, dtype, np.asarray(value, dtype=dtype.as_numpy_dtype)))
        return out

    def restore(self, sess, save_path):
        """Restores the variables from the checkpoint `save_path` into `sess` (no initialization needed before;
        the restored variables are initialized). Nothing is restored unless every value checks out.

        Raises:
            ValueError: `save_path` is None or no checkpoint exists there.
            tf.errors.NotFoundError: a variable is missing in the checkpoint ("Key <name> not found in checkpoint").
            tf.errors.InvalidArgumentError: a shape or dtype differs from the checkpoint's.
            tf.errors.DataLossError: a checkpoint file is truncated or corrupted (the message names it).
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = os.fspath(save_path)
        if isinstance(prefix, bytes):
            prefix = prefix.decode("utf-8")
        if not checkpoint_exists(prefix):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {prefix}")
        _log.info("Restoring parameters from %s", prefix)
        sess = self._check_session(sess)
        # The reader holds one save's data file: a concurrent save of this prefix cannot mix two saves.
        with CheckpointFile(prefix) as reader:
            plan = self._restore_plan(sess, reader, prefix)
        for entry, value in plan:   # only now, with every value read and checked, is anything written
            entry.write(sess, value)

    def _restore_plan(self, sess, reader, prefix):
        """[(entry, value to write)] for every entry, or the error of the first value that does not check out."""
        names = [n for e in self._entries for n in getattr(e, "spec_names", [e.name])]
        for name in names:
            if name not in reader.tensors:
                raise _wrap_restore_error(errors.NotFoundError(None, None, f"Key {name} not found in checkpoint"),
                                          "a Variable name or other graph key that is missing")
        values = reader.read(names)
        plan = []
        for entry in self._entries:
            if isinstance(entry, checkpoint_entries.VariableEntry):
                entry.storage(sess)  # the session matches before anything is written
                plan.append((entry, self._checked(entry, reader.tensors[entry.name].dtype, values[entry.name],
                                                  prefix)))
            else:
                plan.append((entry, [values[n] for n in entry.spec_names]))
        return plan

    def _checked(self, entry, stored_dtype, value, prefix):
        """`value` ready to become `entry`'s value, or the error TF gives for a mismatch."""
        mismatch = "a mismatch between the current graph and the graph"
        if stored_dtype is not entry.dtype:
            raise _wrap_restore_error(errors.InvalidArgumentError(
                None, None, f"tensor_name = {entry.name}; expected dtype {entry.dtype.proto_name} does not equal "
                            f"original dtype {stored_dtype.proto_name}"), mismatch)
        shape = entry.shape
        if shape.is_fully_defined() and self._reshape and value.size == shape.num_elements():
            return value.reshape(shape.as_list())
        if not shape.is_compatible_with(value.shape):
            raise _wrap_restore_error(errors.InvalidArgumentError(
                None, None, f"Assign requires shapes of both tensors to match. lhs shape= {shape.bracket_str()} rhs "
                            f"shape= [{','.join(str(d) for d in value.shape)}] (variable {entry.key} restored from "
                            f"'{entry.name}' in checkpoint {prefix})"), mismatch)
        return value


def _global_step_value(sess, global_step):
    """The global step as an int: a variable or tensor (or its name) evaluated in `sess`, or an eager value."""
    if hasattr(global_step, "numpy") and (sess is None or executing_eagerly()):
        return int(global_step.numpy())
    if sess is None:
        raise TypeError(f"'sess' must be a Session; {sess}")
    return int(sess.run(global_step))
