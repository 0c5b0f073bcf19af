"""tf.gfile / tf.io.gfile on local paths: TensorFlow's FileIO behaviour (lazy opening, text and binary modes,
separate read and write positions) and its error classes, checked against the file system through `os`."""
import os

import pytest

import neuroflow as tf


def test_write_then_read_text_and_binary(tmp_path):
    path = str(tmp_path / "a.txt")
    with tf.gfile.GFile(path, "w") as f:
        f.write("line1\n")
        f.write(b"line2\r\nend")  # bytes are accepted in text mode too, newlines are not translated
    assert open(path, "rb").read() == b"line1\nline2\r\nend"
    with tf.gfile.GFile(path) as f:
        assert f.read() == "line1\nline2\r\nend"
    with tf.gfile.GFile(path, "rb") as f:
        assert f.read(5) == b"line1" and f.tell() == 5
        assert f.readline() == b"\n" and f.readlines() == [b"line2\r\n", b"end"]
    assert list(tf.gfile.Open(path)) == ["line1\n", "line2\r\n", "end"]
    assert tf.gfile.FastGFile(path, "rb").size() == os.path.getsize(path) == 16


def test_append_seek_and_utf8(tmp_path):
    path = str(tmp_path / "u.txt")
    tf.gfile.GFile(path, "w").write("héllo\n")
    with tf.gfile.GFile(path, "a") as f:
        f.write("wörld")
    with tf.gfile.GFile(path, "r") as f:
        assert f.readline() == "héllo\n"
        assert f.tell() == len("héllo\n".encode("utf-8"))
        f.seek(0)
        assert f.read() == "héllo\nwörld"


def test_missing_file_is_a_not_found_error_at_the_first_read(tmp_path):
    path = str(tmp_path / "missing.txt")
    f = tf.gfile.GFile(path)  # opening is lazy, as in TensorFlow
    with pytest.raises(tf.errors.NotFoundError) as info:
        f.read()
    assert info.value.message == f"{path}; No such file or directory"
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.GFile(str(tmp_path / "no_dir" / "x.txt"), "w").write("x")


def test_mode_errors_are_permission_denied(tmp_path):
    path = str(tmp_path / "m.txt")
    tf.gfile.GFile(path, "w").write("x")
    with pytest.raises(tf.errors.PermissionDeniedError, match="File isn't open for writing"):
        tf.gfile.GFile(path, "r").write("y")
    with pytest.raises(tf.errors.PermissionDeniedError, match="File isn't open for reading"):
        tf.gfile.GFile(path, "w").read()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gfile.GFile(path, "x")


def test_directories_listing_walk_and_glob(tmp_path):
    root = str(tmp_path / "d")
    tf.gfile.MakeDirs(os.path.join(root, "sub", "deeper"))
    tf.gfile.MakeDirs(os.path.join(root, "sub"))  # existing folders are fine
    tf.gfile.MkDir(os.path.join(root, "other"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.MkDir(os.path.join(root, "other"))
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.MkDir(os.path.join(root, "nope", "x"))
    for name in ("a.txt", "b.txt", "c.log"):
        tf.gfile.GFile(os.path.join(root, name), "w").write(name)
    assert tf.gfile.IsDirectory(root) and not tf.gfile.IsDirectory(os.path.join(root, "a.txt"))
    assert sorted(tf.gfile.ListDirectory(root)) == sorted(os.listdir(root)) == ["a.txt", "b.txt", "c.log", "other",
                                                                               "sub"]
    assert tf.gfile.Glob(os.path.join(root, "*.txt")) == [os.path.join(root, "a.txt"), os.path.join(root, "b.txt")]
    walked = list(tf.gfile.Walk(root))
    assert walked[0][0] == root and sorted(walked[0][1]) == ["other", "sub"]
    assert sorted(walked[0][2]) == ["a.txt", "b.txt", "c.log"]
    tops = [w[0] for w in walked]
    assert tops.index(os.path.join(root, "sub")) < tops.index(os.path.join(root, "sub", "deeper"))
    post = [w[0] for w in tf.gfile.Walk(root, in_order=False)]
    assert post[-1] == root and sorted(post) == sorted(tops)
    assert list(tf.gfile.Walk(os.path.join(root, "missing"))) == []
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        tf.gfile.ListDirectory(os.path.join(root, "missing"))


def test_copy_rename_remove_stat_and_delete_recursively(tmp_path):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    tf.gfile.GFile(a, "w").write("1234567")
    tf.gfile.GFile(b, "w").write("old")
    with pytest.raises(tf.errors.AlreadyExistsError, match="file already exists"):
        tf.gfile.Copy(a, b)
    tf.gfile.Copy(a, b, overwrite=True)
    assert open(b).read() == "1234567"
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Rename(a, b)
    tf.gfile.Rename(a, b, overwrite=True)
    assert not tf.gfile.Exists(a) and tf.gfile.Exists(b)
    stat = tf.gfile.Stat(b)
    assert stat.length == 7 and not stat.is_directory and stat.mtime_nsec == os.stat(b).st_mtime_ns
    assert tf.gfile.Stat(str(tmp_path)).is_directory
    tf.gfile.Remove(b)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Remove(b)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Stat(b)
    tree = tmp_path / "tree" / "x"
    tree.mkdir(parents=True)
    (tree / "f").write_text("f")
    tf.gfile.DeleteRecursively(str(tmp_path / "tree"))
    assert not (tmp_path / "tree").exists()
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.DeleteRecursively(str(tmp_path / "tree"))


def test_io_gfile_lower_case_names_are_the_same_functions(tmp_path):
    g = tf.io.gfile
    assert (g.exists, g.isdir, g.listdir, g.makedirs, g.mkdir, g.glob, g.copy, g.rename, g.remove, g.rmtree,
            g.stat, g.GFile) == (tf.gfile.Exists, tf.gfile.IsDirectory, tf.gfile.ListDirectory, tf.gfile.MakeDirs,
                                 tf.gfile.MkDir, tf.gfile.Glob, tf.gfile.Copy, tf.gfile.Rename, tf.gfile.Remove,
                                 tf.gfile.DeleteRecursively, tf.gfile.Stat, tf.gfile.GFile)
    g.makedirs(str(tmp_path / "w" / "v"))
    assert [w[0] for w in g.walk(str(tmp_path / "w"), topdown=False)] == [str(tmp_path / "w" / "v"),
                                                                          str(tmp_path / "w")]
    seen = []
    assert list(g.walk(str(tmp_path / "none"), onerror=seen.append)) == []
    assert len(seen) == 1 and isinstance(seen[0], tf.errors.NotFoundError)


def test_file_ops_read_write_and_match_when_run(tmp_path):
    path = str(tmp_path / "new" / "deeper" / "data.bin")
    write = tf.write_file(path, b"\x00\x01bytes")
    read = tf.read_file(path)
    assert read.dtype == tf.string and read.shape.ndims == 0
    assert (tf.io.read_file, tf.io.write_file, tf.io.matching_files) == (tf.read_file, tf.write_file,
                                                                         tf.matching_files)
    for name in ("b.txt", "a.txt", "c.log"):
        (tmp_path / name).write_text(name)
    with tf.Session() as sess:
        sess.run(write)  # the missing folders are created, as TensorFlow's WriteFile does
        assert sess.run(read) == open(path, "rb").read() == b"\x00\x01bytes"
        open(path, "wb").write(b"changed")
        assert sess.run(read) == b"changed"  # read again on every run, never folded
        got = sess.run(tf.matching_files(str(tmp_path / "*.txt")))
        assert got.tolist() == [str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]
        with pytest.raises(tf.errors.NotFoundError, match="missing.bin; No such file or directory"):
            sess.run(tf.read_file(str(tmp_path / "missing.bin")))
    with pytest.raises(TypeError, match="Input 'filename' of 'ReadFile' Op has type int32"):
        tf.read_file(tf.constant(3))
