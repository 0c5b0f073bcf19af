"""The `checkpoint` state file (TensorFlow's CheckpointState in protobuf text format) and the path utilities around
it: `tf.train.latest_checkpoint`, `get_checkpoint_state`, `update_checkpoint_state`, `checkpoint_exists`,
`get_checkpoint_mtimes`, `remove_checkpoint`.

The state file is written like every checkpoint file: a temp file in the same folder, fsynced, renamed over the
old one, then the folder fsynced, so a reader sees either the previous state or the new one.
"""
import glob
import logging
import os
import re

from ..framework import errors
from .checkpoint_format import DATA_GLOB, INDEX_SUFFIX, side_data_files, write_text_atomically

__all__ = ["latest_checkpoint", "get_checkpoint_state", "update_checkpoint_state", "generate_checkpoint_state_proto",
           "checkpoint_exists", "get_checkpoint_mtimes", "remove_checkpoint"]

_log = logging.getLogger("neuroflow")
V1, V2 = 1, 2   # SaverDef.V1 / SaverDef.V2


class CheckpointState:
    """The content of a `checkpoint` file: the newest checkpoint and the not-yet-deleted ones (oldest first).

    `str(state)` is the file's text (TensorFlow's protobuf text format).
    """

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=None,
                 all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
        self.last_preserved_timestamp = last_preserved_timestamp

    def __str__(self):
        lines = []
        if self.model_checkpoint_path:
            lines.append(f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}")
        lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {float(t)!r}" for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp:
            lines.append(f"last_preserved_timestamp: {float(self.last_preserved_timestamp)!r}")
        return "".join(line + "\n" for line in lines)

    __repr__ = __str__

    def __eq__(self, other):
        return isinstance(other, CheckpointState) and str(self) == str(other)

    __hash__ = None


# --- protobuf text format (the subset a CheckpointState uses) ------------------------------------------------
_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("'"): "\\'",
            ord("\\"): "\\\\"}


def _quote(text):
    """A protobuf text-format string literal (C escapes; bytes outside printable ASCII as octal, as TF writes)."""
    out = []
    for b in text.encode("utf-8"):
        if b in _ESCAPES:
            out.append(_ESCAPES[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


_TOKEN = re.compile(r"""\s*(?:\#[^\n]*(?:\n|$)\s*)*(\w+)\s*:\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[-+\w.]+)\s*""")
_TRAILER = re.compile(r"\s*(?:\#[^\n]*(?:\n|$)\s*)*\Z")
_UNESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))", re.S)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"a": b"\a", b"b": b"\b", b"f": b"\f", b"v": b"\v"}


class _ParseError(ValueError):
    pass


def _unquote(literal):
    def one(m):
        octal, hexa, char = m.groups()
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        if hexa:
            return bytes([int(hexa, 16)])
        return _SIMPLE.get(char, char)
    try:
        return _UNESCAPE.sub(one, literal[1:-1].encode("utf-8")).decode("utf-8")
    except UnicodeDecodeError:
        raise _ParseError(f"invalid UTF-8 in {literal}") from None


def _parse_state(text):
    state = CheckpointState()
    pos = 0
    while not _TRAILER.match(text, pos):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _ParseError(f"cannot parse {text[pos:pos + 40]!r}")
        key, value = m.groups()
        pos = m.end()
        if value[0] in "\"'":
            value = _unquote(value)
            if key == "model_checkpoint_path":
                state.model_checkpoint_path = value
            elif key == "all_model_checkpoint_paths":
                state.all_model_checkpoint_paths.append(value)
            else:
                raise _ParseError(f"unknown field {key}")
        else:
            try:
                number = float(value)
            except ValueError:
                raise _ParseError(f"bad number {value!r} for {key}") from None
            if key == "all_model_checkpoint_timestamps":
                state.all_model_checkpoint_timestamps.append(number)
            elif key == "last_preserved_timestamp":
                state.last_preserved_timestamp = number
            else:
                raise _ParseError(f"unknown field {key}")
    return state


# --- the state file ------------------------------------------------------------------------------------------------
def _state_filename(save_dir, latest_filename):
    return os.path.join(save_dir, latest_filename or "checkpoint")


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    """A CheckpointState whose paths are relative to `save_dir` when `save_dir` is relative (as TF writes them).

    The newest path is appended to `all_model_checkpoint_paths` when it is not already last.
    """
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if (all_model_checkpoint_timestamps
            and len(all_model_checkpoint_timestamps) != len(paths)):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths (got paths {paths} and "
                         f"timestamps {all_model_checkpoint_timestamps})")
    if not os.path.isabs(save_dir):
        base = save_dir or "."
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, base)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, base) for p in paths]
    return CheckpointState(model_checkpoint_path, paths, all_model_checkpoint_timestamps, last_preserved_timestamp)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None, latest_filename=None,
                            all_model_checkpoint_timestamps=None, last_preserved_timestamp=None,
                            save_relative_paths=False):
    """Atomically rewrites the `checkpoint` state file in `save_dir`.

    Args:
        save_dir: the folder of the checkpoints.
        model_checkpoint_path: the newest checkpoint prefix.
        all_model_checkpoint_paths: the not-yet-deleted checkpoints, oldest first (the newest last).
        latest_filename: the state file's name (default "checkpoint").
        save_relative_paths: write paths relative to `save_dir` even when they are absolute.

    Raises:
        RuntimeError: the checkpoint prefix is the state file itself.
    """
    filename = _state_filename(save_dir, latest_filename)
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        def rel(p):
            return os.path.relpath(p, save_dir or ".") if os.path.isabs(p) else p
        model_checkpoint_path, paths = rel(model_checkpoint_path), [rel(p) for p in paths]
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, paths, all_model_checkpoint_timestamps,
                                            last_preserved_timestamp)
    if filename == state.model_checkpoint_path:
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint state.  "
                           "Please use a different save path.")
    write_text_atomically(filename, str(state))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState in `checkpoint_dir`'s state file, with relative paths joined to `checkpoint_dir`.

    Example:
        >>> state = tf.train.get_checkpoint_state("/tmp/model")
        >>> state.model_checkpoint_path, state.all_model_checkpoint_paths
        ('/tmp/model/model-2', ['/tmp/model/model-1', '/tmp/model/model-2'])

    Returns:
        The state, or None when there is no readable state file (an unreadable one is logged and ignored).

    Raises:
        ValueError: the state file names no model_checkpoint_path.
    """
    filename = _state_filename(checkpoint_dir, latest_filename)
    try:
        with open(filename, "rb") as f:
            content = f.read().decode("utf-8")
        state = _parse_state(content)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError, _ParseError) as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
                                        for p in state.all_model_checkpoint_paths]
    return state


def _matches(pattern):
    return os.path.exists(pattern) or bool(glob.glob(pattern))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in `checkpoint_dir`, or None.

    Example: `saver.restore(sess, tf.train.latest_checkpoint("/tmp/model"))`.

    Returns None when there is no state file or the checkpoint it names has no files.
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        prefix = state.model_checkpoint_path
        if _matches(prefix + INDEX_SUFFIX) or _matches(prefix):
            return prefix
        _log.error("Couldn't match files for checkpoint %s", prefix)
    return None


def checkpoint_exists(checkpoint_prefix):
    """True if a checkpoint with this prefix (or glob pattern) exists: its `.index` file, or a V1 file."""
    return _matches(checkpoint_prefix + INDEX_SUFFIX) or _matches(checkpoint_prefix)


def get_checkpoint_mtimes(checkpoint_prefixes):
    """The modification times (seconds since the epoch) of the given checkpoints; missing ones are skipped."""
    mtimes = []
    for prefix in checkpoint_prefixes:
        for pattern in (prefix + INDEX_SUFFIX, prefix):
            files = [pattern] if os.path.isfile(pattern) else glob.glob(pattern)
            if files:
                mtimes.append(os.stat(files[0]).st_mtime)
                break
    return mtimes


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        _log.warning("Ignoring: %s", e)


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=V2, meta_graph_suffix="meta"):
    """Deletes a checkpoint's files: the index first, so a half-deleted checkpoint reads as absent, not corrupt."""
    _remove(checkpoint_prefix + INDEX_SUFFIX)
    for path in glob.glob(glob.escape(checkpoint_prefix) + DATA_GLOB) + side_data_files(checkpoint_prefix):
        _remove(path)
    if checkpoint_format_version != V2 and os.path.isfile(checkpoint_prefix):
        _remove(checkpoint_prefix)
    _remove(meta_graph_filename(checkpoint_prefix, meta_graph_suffix))


def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """`model-2` -> `model-2.meta` (a sharded `-?????-of-?????` suffix is dropped)."""
    basename = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return f"{basename}.{meta_graph_suffix}"


def not_found_in_checkpoint(name):
    return errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
