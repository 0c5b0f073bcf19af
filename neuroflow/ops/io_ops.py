"""File primitives: ReadFile (a file's bytes as a string scalar), WriteFile (the reverse, creating the folders) and
MatchingFiles (the paths a glob pattern matches, sorted) — TensorFlow's `tf.read_file`, `tf.write_file`,
`tf.matching_files` (and `tf.io.*`). They touch the file system when run, so they are never folded at build time."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .string_ops import _strings

__all__ = ["read_file", "write_file", "matching_files"]


def _path(xp, value):
    value = xp.asarray(value).reshape(()).tolist()
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _scalar_string(t, op_name, arg):
    if t.dtype.base_dtype is not dtypes.string:
        raise TypeError(f"Input '{arg}' of '{op_name}' Op has type {t.dtype.base_dtype.name} that does not match "
                        f"expected type of string.")
    if t.shape.ndims not in (None, 0):
        raise InferenceError(f"Shape must be rank 0 but is rank {t.shape.ndims}")


class _FileOp(OpDef):
    foldable = False
    stateful = True  # the file system is state: two reads of one path may differ, so none is merged or folded
    grad = None


@register
class ReadFile(_FileOp):
    type_name = "ReadFile"
    input_names = ("filename",)

    def infer(self, inputs, attrs):
        _scalar_string(inputs[0], "ReadFile", "filename")
        return [(TensorShape([]), dtypes.string)]

    def forward(self, xp, filename):
        from .. import gfile
        with gfile.GFile(_path(xp, filename), "rb") as f:
            data = f.read()
        out = xp.empty((), dtype=object)
        out[()] = data
        return out


@register
class WriteFile(_FileOp):
    type_name = "WriteFile"
    input_names = ("filename", "contents")
    num_outputs = 0

    def infer(self, inputs, attrs):
        _scalar_string(inputs[0], "WriteFile", "filename")
        _scalar_string(inputs[1], "WriteFile", "contents")
        return []

    def forward(self, xp, filename, contents):
        import os

        from .. import gfile
        path = _path(xp, filename)
        folder = os.path.dirname(path)
        if folder:
            gfile.MakeDirs(folder)  # TensorFlow's WriteFile creates the missing folders too
        with gfile.GFile(path, "wb") as f:
            f.write(xp.asarray(contents).reshape(()).tolist())


@register
class MatchingFiles(_FileOp):
    type_name = "MatchingFiles"
    input_names = ("pattern",)
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        pattern = inputs[0]
        if pattern.dtype.base_dtype is not dtypes.string:
            raise TypeError(f"Input 'pattern' of 'MatchingFiles' Op has type {pattern.dtype.base_dtype.name} that "
                            f"does not match expected type of string.")
        if pattern.shape.ndims not in (None, 0, 1):
            raise InferenceError(f"Shape must be at most rank 1 but is rank {pattern.shape.ndims}")
        return [(TensorShape([None]), dtypes.string)]

    def forward(self, xp, pattern):
        from .. import gfile
        patterns = xp.asarray(pattern).reshape(-1).tolist()
        found = sorted(gfile.Glob([p.decode("utf-8") if isinstance(p, bytes) else p for p in patterns]))
        out = xp.empty(len(found), dtype=object)
        for i, name in enumerate(found):
            out[i] = name.encode("utf-8")
        return out


def read_file(filename, name=None):
    """The bytes of the file at `filename` (a string scalar), read when the op runs; NotFoundError if missing.

    Example:
        >>> image = tf.image.decode_png(tf.read_file("digit.png"))
    """
    return apply_op(ReadFile, [_strings(filename, "filename")], name=name or "ReadFile")


def write_file(filename, contents, name=None):
    """An op writing `contents` (a string scalar) to `filename` when run, creating missing folders."""
    return apply_op(WriteFile, [_strings(filename, "filename"), _strings(contents, "contents")],
                    name=name or "WriteFile")


def matching_files(pattern, name=None):
    """The sorted paths that the glob `pattern` (a string, or a 1-D tensor of them) matches, when run."""
    return apply_op(MatchingFiles, [_strings(pattern, "pattern")], name=name or "MatchingFiles")
