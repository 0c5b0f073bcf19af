"""`tf.io.gfile`: the lower-case names of the file API (TensorFlow 1.13+ and 2.x) over the one in `gfile`."""
from .gfile import (Copy as copy, Exists as exists, GFile, Glob as glob, IsDirectory as isdir,  # noqa: F401
                    ListDirectory as listdir, MakeDirs as makedirs, MkDir as mkdir, Remove as remove,
                    Rename as rename, DeleteRecursively as rmtree, Stat as stat, Walk as _walk)
from .framework import errors as _errors

__all__ = ["GFile", "copy", "exists", "glob", "isdir", "listdir", "makedirs", "mkdir", "remove", "rename", "rmtree",
           "stat", "walk"]


def walk(top, topdown=True, onerror=None):
    """Yields `(folder, subfolder names, file names)` below `top`, parents first when `topdown`; `onerror` (if
    given) is called with the NotFoundError when `top` is not a folder."""
    if onerror is not None:
        try:
            listdir(top)
        except _errors.NotFoundError as e:
            onerror(e)
            return
    yield from _walk(top, in_order=topdown)
