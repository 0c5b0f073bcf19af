"""`tensorflow.python.lib.io.file_io`: TensorFlow's file functions by their snake_case names, each the `tf.gfile`
implementation, plus the whole-file helpers (read_file_to_string, write_string_to_file, ...)."""
import os
import tempfile

from ....gfile import (Copy as copy, DeleteRecursively as delete_recursively, Exists as file_exists,  # noqa: F401
                      GFile as FileIO, Glob, IsDirectory as is_directory, ListDirectory as list_directory,
                      MakeDirs as recursive_create_dir, MkDir as create_dir, Remove as delete_file,
                      Rename as rename, Stat as stat, Walk as walk, FileStatistics)


def get_matching_files(filename):
    """The paths matching a glob pattern or any pattern of a list (an empty list for none)."""
    return Glob(filename) if isinstance(filename, (str, bytes, os.PathLike)) or filename else []


def read_file_to_string(filename, binary_mode=False):
    """A file's whole content: bytes with `binary_mode`, else str. Raises NotFoundError for a missing file."""
    with FileIO(filename, "rb" if binary_mode else "r") as f:
        return f.read()


def write_string_to_file(filename, file_content):
    """Replaces a file's content with `file_content` (str or bytes)."""
    with FileIO(filename, "w") as f:
        f.write(file_content)


def atomic_write_string_to_file(filename, contents, overwrite=True):
    """Writes to a temporary file next to `filename`, then renames it over `filename`: readers never see half a
    file."""
    folder = os.path.dirname(os.fspath(filename)) or "."
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp")
    os.close(handle)
    try:
        write_string_to_file(temp, contents)
        rename(temp, filename, overwrite)
    except Exception:
        if os.path.exists(temp):
            os.remove(temp)
        raise
