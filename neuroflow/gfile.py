"""`tf.gfile` and `tf.io.gfile`: TensorFlow's file API on local paths, raising TensorFlow's error classes.

`GFile` opens lazily and separately for reading and writing, as TensorFlow's FileIO does: a missing file is a
`NotFoundError` at the first read, text mode returns `str` (UTF-8, newlines untranslated), binary mode `bytes`.
"""
import errno as _errno
import glob as _glob
import os

from .framework import errors

__all__ = ["GFile", "FastGFile", "Open", "Exists", "IsDirectory", "MakeDirs", "MkDir", "ListDirectory", "Glob",
           "Walk", "Copy", "Rename", "Remove", "DeleteRecursively", "Stat", "FileStatistics"]

_ERROR_BY_ERRNO = {
    _errno.ENOENT: errors.NotFoundError, _errno.EEXIST: errors.AlreadyExistsError,
    _errno.EACCES: errors.PermissionDeniedError, _errno.EPERM: errors.PermissionDeniedError,
    _errno.EISDIR: errors.FailedPreconditionError, _errno.ENOTDIR: errors.FailedPreconditionError,
    _errno.ENOTEMPTY: errors.FailedPreconditionError, _errno.ENOSPC: errors.ResourceExhaustedError,
}
_MODES = ("r", "w", "a", "r+", "w+", "a+", "rb", "wb", "ab", "r+b", "w+b", "a+b", "rb+", "wb+", "ab+")


def _path(name):
    name = os.fspath(name)
    return name.decode("utf-8") if isinstance(name, bytes) else name


def _translate(os_error, path):
    """TensorFlow's error for an OSError, worded as its POSIX file system words it: `<path>; <strerror>`."""
    cls = _ERROR_BY_ERRNO.get(os_error.errno, errors.UnknownError)
    return cls(None, None, f"{path}; {os.strerror(os_error.errno) if os_error.errno else os_error}")


def _as_bytes(data):
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"Expected binary or unicode string, got {data!r}")


class GFile:
    """A file on a local path with TensorFlow's FileIO behaviour (`tf.gfile.GFile`, `tf.io.gfile.GFile`).

    Args:
        name: the path.
        mode: "r", "w", "a", "r+", "w+", "a+", each optionally with "b" (bytes instead of str).

    Example:
        >>> with tf.gfile.GFile("/tmp/x.txt", "w") as f:
        ...     f.write("hello\\n")
        >>> tf.gfile.GFile("/tmp/x.txt").read()
        'hello\\n'
    """

    def __init__(self, name, mode="r"):
        if mode not in _MODES:
            raise errors.InvalidArgumentError(None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self.__name = _path(name)
        self.__mode = mode
        self._binary = "b" in mode
        self._readable = "r" in mode or "+" in mode
        self._writable = "w" in mode or "a" in mode or "+" in mode
        self._reader = None
        self._writer = None

    @property
    def name(self):
        return self.__name

    @property
    def mode(self):
        return self.__mode

    def _decode(self, data):
        return data if self._binary else data.decode("utf-8")

    def _read_file(self):
        if not self._readable:
            raise errors.PermissionDeniedError(None, None, "File isn't open for reading")
        if self._reader is None:
            try:
                self._reader = open(self.__name, "rb")  # noqa: SIM115 - kept open across calls, closed by close()
            except OSError as e:
                raise _translate(e, self.__name) from None
        return self._reader

    def _write_file(self):
        if not self._writable:
            raise errors.PermissionDeniedError(None, None, "File isn't open for writing")
        if self._writer is None:
            try:
                # TensorFlow's writable file appends for "a" modes and truncates otherwise ("r+" included).
                self._writer = open(self.__name, "ab" if "a" in self.__mode else "wb")  # noqa: SIM115
            except OSError as e:
                raise _translate(e, self.__name) from None
        return self._writer

    def size(self):
        """The file's length in bytes."""
        return Stat(self.__name).length

    def write(self, file_content):
        """Writes `file_content` (str or bytes, in either mode) at the end of what was written."""
        self._write_file().write(_as_bytes(file_content))

    def read(self, n=-1):
        """Up to `n` bytes (all that is left when `n` is -1), as str in text mode."""
        reader = self._read_file()
        return self._decode(reader.read() if n is None or n < 0 else reader.read(n))

    def readline(self):
        return self._decode(self._read_file().readline())

    def readlines(self):
        return [self._decode(line) for line in self._read_file().readlines()]

    def seek(self, offset=None, whence=0, position=None):
        """Moves the read position; `position` is the old name of `offset`."""
        if position is not None:
            if offset is not None:
                raise TypeError("position is deprecated in favor of the offset argument.")
            offset = position
        self._read_file().seek(0 if offset is None else offset, whence)
        return self.tell()

    def tell(self):
        if self._reader is not None:
            return self._reader.tell()
        return self._writer.tell() if self._writer is not None else 0

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def flush(self):
        if self._writer is not None:
            self._writer.flush()

    def close(self):
        """Flushes and closes; a later read or write opens the file again, as in TensorFlow."""
        for handle in (self._reader, self._writer):
            if handle is not None:
                handle.close()
        self._reader = self._writer = None

    def seekable(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - nothing to report to at interpreter shutdown
            pass


FastGFile = GFile
Open = GFile


class FileStatistics:
    """What `Stat` returns: `length` (bytes), `mtime_nsec` (modification time in nanoseconds), `is_directory`."""

    def __init__(self, length=0, mtime_nsec=0, is_directory=False):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self):
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def Exists(filename):  # noqa: N802 - TensorFlow's name
    """True when the path exists (a file or a folder)."""
    return os.path.exists(_path(filename))


def IsDirectory(dirname):  # noqa: N802
    """True when the path is a folder."""
    return os.path.isdir(_path(dirname))


def MkDir(dirname):  # noqa: N802
    """Creates one folder. Raises AlreadyExistsError when it exists, NotFoundError when its parent does not."""
    dirname = _path(dirname)
    try:
        os.mkdir(dirname)
    except OSError as e:
        raise _translate(e, dirname) from None


def MakeDirs(dirname):  # noqa: N802
    """Creates a folder and the missing ones above it; an existing folder is fine."""
    dirname = _path(dirname)
    try:
        os.makedirs(dirname, exist_ok=True)
    except OSError as e:
        raise _translate(e, dirname) from None


def ListDirectory(dirname):  # noqa: N802
    """The names in a folder, without "." and "..". Raises NotFoundError when it is not a folder."""
    dirname = _path(dirname)
    if not os.path.isdir(dirname):
        raise errors.NotFoundError(None, None, f"Could not find directory {dirname}")
    return os.listdir(dirname)


def Glob(filename):  # noqa: N802
    """The paths matching a pattern (or any pattern of a list), sorted."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else list(filename)
    found = []
    for pattern in patterns:
        found.extend(_glob.glob(_path(pattern)))
    return sorted(found)


def Walk(top, in_order=True):  # noqa: N802
    """Yields `(folder, subfolder names, file names)` below `top`, parents first when `in_order`, else last;
    nothing when `top` is not a folder."""
    top = _path(top)
    try:
        names = ListDirectory(top)
    except errors.NotFoundError:
        return
    subdirs = [n for n in names if os.path.isdir(os.path.join(top, n))]
    files = [n for n in names if n not in subdirs]
    here = (top, subdirs, files)
    if in_order:
        yield here
    for subdir in subdirs:
        yield from Walk(os.path.join(top, subdir), in_order)
    if not in_order:
        yield here


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    """Copies a file. Raises AlreadyExistsError when `newpath` exists and not `overwrite`."""
    oldpath, newpath = _path(oldpath), _path(newpath)
    if not overwrite and os.path.exists(newpath):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        import shutil  # here: shutil's imports (bz2, lzma) cost `import neuroflow` ~10 ms
        shutil.copyfile(oldpath, newpath)
    except OSError as e:
        raise _translate(e, e.filename or oldpath) from None


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    """Renames a file or folder. Raises AlreadyExistsError when `newname` exists and not `overwrite`."""
    oldname, newname = _path(oldname), _path(newname)
    if not overwrite and os.path.exists(newname):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        os.replace(oldname, newname)
    except OSError as e:
        raise _translate(e, oldname) from None


def Remove(filename):  # noqa: N802
    """Deletes a file. Raises NotFoundError when it does not exist."""
    filename = _path(filename)
    try:
        os.remove(filename)
    except OSError as e:
        raise _translate(e, filename) from None


def DeleteRecursively(dirname):  # noqa: N802
    """Deletes a folder and everything in it (or a single file). Raises NotFoundError when it does not exist."""
    dirname = _path(dirname)
    if not os.path.lexists(dirname):
        raise errors.NotFoundError(None, None, f"{dirname}; No such file or directory")
    try:
        if os.path.isdir(dirname) and not os.path.islink(dirname):
            import shutil
            shutil.rmtree(dirname)
        else:
            os.remove(dirname)
    except OSError as e:
        raise _translate(e, e.filename or dirname) from None


def Stat(filename):  # noqa: N802
    """A `FileStatistics` of the path. Raises NotFoundError when it does not exist."""
    filename = _path(filename)
    try:
        st = os.stat(filename)
    except OSError as e:
        raise _translate(e, filename) from None
    return FileStatistics(length=st.st_size, mtime_nsec=st.st_mtime_ns, is_directory=os.path.isdir(filename))
