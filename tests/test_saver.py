"""tf.train.Saver and the checkpoint utilities: round trips, the state file, TF's errors, corrupt files (in both
checkpoint formats) and resuming training from a checkpoint. The crash tests are in test_saver_crash.py."""
import errno
import json
import os
import struct
import time

import numpy as np
import pytest

import neuroflow as tf


def _files(directory):
    return sorted(os.listdir(directory))


@pytest.fixture
def model():
    """A few variables of different dtypes, including TF's int64 global step."""
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    b = tf.Variable(np.array([0.5, -1.5]), name="scope/b")   # float64
    n = tf.Variable(np.array([1, 2, 3], dtype=np.int32), name="n")
    flag = tf.Variable(np.array([True, False]), name="flag")
    step = tf.train.get_or_create_global_step()
    return {"w": w, "scope/b": b, "n": n, "flag": flag, "global_step": step}


def _values(sess, variables):
    return {name: sess.run(v) for name, v in variables.items()}


# --- round trips ------------------------------------------------------------------------------------------------
def test_round_trip_restores_values_and_dtypes(tmp_path, model):
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(model["global_step"].assign(7))
        saved = _values(sess, model)
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
        assert path == str(tmp_path / "model.ckpt")
        sess.run([v.assign(tf.zeros_like(v)) for v in model.values()])
        saver.restore(sess, path)
        restored = _values(sess, model)
    for name in model:
        np.testing.assert_array_equal(restored[name], saved[name])
        assert np.asarray(restored[name]).dtype == np.asarray(saved[name]).dtype, name
    assert np.asarray(restored["global_step"]).dtype == np.int64
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_dtype_map() == {"w": tf.float32, "scope/b": tf.float64, "n": tf.int32,
                                                  "flag": tf.bool, "global_step": tf.int64}
    assert reader.get_variable_to_shape_map() == {"w": [2, 3], "scope/b": [2], "n": [3], "flag": [2],
                                                  "global_step": []}


def test_new_session_restores_without_running_the_initializer(tmp_path, model):
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(model["w"].assign(model["w"] * 10.0))
        saved = _values(sess, model)
        path = saver.save(sess, str(tmp_path / "m"))
    with tf.Session() as sess:
        assert len(sess.run(tf.report_uninitialized_variables())) == len(model)
        saver.restore(sess, path)
        assert len(sess.run(tf.report_uninitialized_variables())) == 0
        assert sess.run(tf.is_variable_initialized(model["w"]))
        np.testing.assert_array_equal(sess.run(model["w"]), saved["w"])
        np.testing.assert_array_equal(sess.run(model["w"] + 1.0), saved["w"] + 1.0)
        # Restored values are the variables' own storage: later in-place updates work as usual.
        sess.run(tf.assign_add(model["w"], tf.ones_like(model["w"])))
        np.testing.assert_array_equal(sess.run(model["w"]), saved["w"] + 1.0)


def test_a_new_graph_with_the_same_names_restores(tmp_path):
    with tf.Graph().as_default():
        tf.layers.dense(tf.placeholder(tf.float32, [None, 4]), 3)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            kernel = sess.run(tf.global_variables()[0])
            path = tf.train.Saver().save(sess, str(tmp_path / "dense"))
    assert [n for n, _ in tf.train.list_variables(path)] == ["dense/bias", "dense/kernel"]   # op names, no ":0"
    with tf.Graph().as_default():
        tf.layers.dense(tf.placeholder(tf.float32, [None, 4]), 3)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, path)
            np.testing.assert_array_equal(sess.run(tf.global_variables()[0]), kernel)


def test_partial_var_list_saves_and_restores_only_those(tmp_path, model):
    saver = tf.train.Saver([model["w"], model["n"]])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "part"))
    assert sorted(tf.train.NewCheckpointReader(path).get_variable_to_shape_map()) == ["n", "w"]
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(model["n"]), [1, 2, 3])
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value scope/b"):
            sess.run(model["scope/b"])


def test_dict_var_list_names_the_tensors(tmp_path, model):
    saver = tf.train.Saver({"weights": model["w"], "step": model["global_step"]})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(model["global_step"].assign(3))
        path = saver.save(sess, str(tmp_path / "named"))
    assert tf.train.list_variables(path) == [("step", []), ("weights", [2, 3])]
    assert tf.train.load_variable(path, "step") == 3
    # Restore into a differently named variable of another graph through the dict.
    with tf.Graph().as_default():
        other = tf.Variable(np.zeros((2, 3), np.float32), name="other")
        with tf.Session() as sess:
            tf.train.Saver({"weights": other}).restore(sess, path)
            np.testing.assert_array_equal(sess.run(other), np.arange(6).reshape(2, 3))


def test_ref_tensors_and_reshape(tmp_path):
    v = tf.Variable(np.arange(6, dtype=np.float32), name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = tf.train.Saver([v._ref()]).save(sess, str(tmp_path / "flat"))
    with tf.Graph().as_default():
        v2 = tf.Variable(np.zeros((2, 3), np.float32), name="v")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError):
                tf.train.Saver().restore(sess, path)
            tf.train.Saver(reshape=True).restore(sess, path)
            np.testing.assert_array_equal(sess.run(v2), np.arange(6).reshape(2, 3))


def test_string_and_empty_variables(tmp_path):
    s = tf.Variable(["héllo", "", "x" * 100], name="s")
    e = tf.Variable(np.zeros((0, 3), np.float32), name="e")
    c = tf.Variable(np.array([1 + 2j], np.complex64), name="c")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "s"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        assert list(sess.run(s)) == ["héllo".encode(), b"", b"x" * 100]
        assert sess.run(e).shape == (0, 3)
        np.testing.assert_array_equal(sess.run(c), np.array([1 + 2j], np.complex64))


# --- global step, max_to_keep, the state file ---------------------------------------------------------------------
def test_global_step_suffixes(tmp_path, model):
    saver = tf.train.Saver()
    prefix = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, prefix, global_step=3) == prefix + "-3"
        assert saver.save(sess, prefix, global_step=np.int64(4)) == prefix + "-4"
        sess.run(model["global_step"].assign(12))
        assert saver.save(sess, prefix, global_step=model["global_step"]) == prefix + "-12"
        assert saver.save(sess, prefix, global_step=model["global_step"] + 1) == prefix + "-13"
        assert saver.save(sess, prefix, global_step="global_step:0") == prefix + "-12"
        padded = tf.train.Saver(pad_step_number=True)
        assert padded.save(sess, prefix, global_step=5) == prefix + "-00000005"
    assert os.path.exists(prefix + "-13.index") and os.path.exists(prefix + "-13.data-00000-of-00001")


def test_max_to_keep_deletes_the_oldest_after_the_state_file(tmp_path, model):
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 5):
            saver.save(sess, prefix, global_step=step)
    assert saver.last_checkpoints == [prefix + "-3", prefix + "-4"]
    assert _files(tmp_path) == ["checkpoint", "m-3.data-00000-of-00001", "m-3.index", "m-3.meta",
                                "m-4.data-00000-of-00001", "m-4.index", "m-4.meta"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == prefix + "-4"
    assert state.all_model_checkpoint_paths == [prefix + "-3", prefix + "-4"]


def test_max_to_keep_none_keeps_every_file(tmp_path, model):
    saver = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert sum(f.endswith(".index") for f in _files(tmp_path)) == 3
    assert saver.last_checkpoints == []
    assert (tmp_path / "checkpoint").read_text() == (f'model_checkpoint_path: "{tmp_path}/m-2"\n'
                                                     f'all_model_checkpoint_paths: "{tmp_path}/m-2"\n')


def test_state_file_is_tensorflows_text_format_with_relative_paths(tmp_path, model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpts")
    saver = tf.train.Saver(max_to_keep=3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2):
            assert saver.save(sess, "ckpts/model", global_step=step) == f"ckpts/model-{step}"
    # A relative save path is written relative to its folder, newest last, as TensorFlow writes it.
    assert (tmp_path / "ckpts" / "checkpoint").read_text() == ('model_checkpoint_path: "model-2"\n'
                                                              'all_model_checkpoint_paths: "model-1"\n'
                                                              'all_model_checkpoint_paths: "model-2"\n')
    assert tf.train.latest_checkpoint("ckpts") == os.path.join("ckpts", "model-2")
    # The folder can be moved: the state file names the checkpoints relative to it.
    os.rename("ckpts", "moved")
    assert tf.train.latest_checkpoint("moved") == os.path.join("moved", "model-2")
    assert tf.train.latest_checkpoint(str(tmp_path / "moved")) == str(tmp_path / "moved" / "model-2")


def test_absolute_paths_and_save_relative_paths(tmp_path, model):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "abs"), global_step=1)
        assert f'model_checkpoint_path: "{tmp_path}/abs-1"' in (tmp_path / "checkpoint").read_text()
        tf.train.Saver(save_relative_paths=True).save(sess, str(tmp_path / "rel"), global_step=1)
    assert (tmp_path / "checkpoint").read_text() == ('model_checkpoint_path: "rel-1"\n'
                                                     'all_model_checkpoint_paths: "rel-1"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "rel-1")


def test_latest_checkpoint_and_state_edge_cases(tmp_path, model):
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path / "missing")) is None
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "a"), global_step=1, latest_filename="my_state")
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
        assert tf.train.latest_checkpoint(str(tmp_path), "my_state") == str(tmp_path / "a-1")
        with pytest.raises(ValueError, match="must not contain path components"):
            saver.save(sess, str(tmp_path / "a"), latest_filename="sub/state")
        with pytest.raises(ValueError, match="'latest_filename' collides with 'save_path'"):
            saver.save(sess, str(tmp_path / "checkpoint"))
    # A state file naming a checkpoint whose files are gone gives None; an unparsable one is ignored.
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone-5"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text("this is { not a state")
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "a-1"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        tf.train.get_checkpoint_state(str(tmp_path))


def test_state_file_escapes_unusual_paths(tmp_path, model):
    folder = tmp_path / 'we"ird \\ dïr'
    folder.mkdir()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(folder / "m"), global_step=1)
    text = (folder / "checkpoint").read_text()
    assert '\\"' in text and "\\\\" in text and "\\303\\257" in text   # C escapes, UTF-8 bytes in octal
    assert tf.train.latest_checkpoint(str(folder)) == path
    state = tf.train.generate_checkpoint_state_proto("dir", "dir/x-1", ["dir/x-0"])
    assert str(state) == ('model_checkpoint_path: "x-1"\nall_model_checkpoint_paths: "x-0"\n'
                          'all_model_checkpoint_paths: "x-1"\n')


def test_checkpoint_exists_mtimes_and_remove(tmp_path, model):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "x"), global_step=1)
    assert tf.train.checkpoint_exists(path) and not tf.train.checkpoint_exists(path + "0")
    assert tf.train.checkpoint_exists(str(tmp_path / "x-*"))
    assert len(tf.train.get_checkpoint_mtimes([path, path + "0"])) == 1
    tf.train.remove_checkpoint(path)
    assert _files(tmp_path) == ["checkpoint"]
    assert not tf.train.checkpoint_exists(path)


def test_recover_and_set_last_checkpoints(tmp_path, model):
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = tf.train.Saver(max_to_keep=2)
        for step in range(2):
            first.save(sess, prefix, global_step=step)
        # A restarted program takes over the existing checkpoints, so max_to_keep still applies to them.
        second = tf.train.Saver(max_to_keep=2)
        second.recover_last_checkpoints(tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths
                                        + [prefix + "-99"])
        assert second.last_checkpoints == [prefix + "-0", prefix + "-1"]
        second.save(sess, prefix, global_step=2)
        assert not os.path.exists(prefix + "-0.index")
        second.set_last_checkpoints_with_time([(prefix + "-1", 1.0)])
        assert second.last_checkpoints == [prefix + "-1"]
        second.save(sess, prefix)          # the same prefix twice is listed once
        second.save(sess, prefix)
        assert second.last_checkpoints == [prefix + "-1", prefix]


def test_keep_checkpoint_every_n_hours_keeps_old_files(tmp_path, model):
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    time.sleep(0.01)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert sum(f.endswith(".index") for f in _files(tmp_path)) == 3


# --- errors -----------------------------------------------------------------------------------------------------------
def test_var_list_errors(model):
    with pytest.raises(ValueError, match="^No variables to save$"):
        tf.train.Saver([])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="^No variables to save$"):
            tf.train.Saver()
        with tf.Session() as sess:
            assert tf.train.Saver(allow_empty=True).save(sess, "/nonexistent/x") is None
    with pytest.raises(ValueError, match="At least two variables have the same name: w"):
        tf.train.Saver([model["w"], model["w"]._ref()])
    with pytest.raises(ValueError, match="The same saveable will be restored with two names: w2"):
        tf.train.Saver({"w1": model["w"], "w2": model["w"]})
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([model["w"] + 1.0])
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"x": tf.constant(1.0)})
    with pytest.raises(TypeError, match="Name is not a string: 3"):
        tf.train.Saver({3: model["w"]})
    with pytest.raises(TypeError, match="should be passed in a dict or a list"):
        tf.train.Saver(model["w"])
    with pytest.raises(ValueError, match="build cannot be deferred"):
        tf.train.Saver([model["w"]], defer_build=True)
    deferred = tf.train.Saver(defer_build=True)
    with pytest.raises(RuntimeError, match=r"`build\(\)` should be called before save"), tf.Session() as sess:
        deferred.save(sess, "/tmp/x")


def test_restore_missing_key_shape_and_dtype_mismatch(tmp_path):
    with tf.Graph().as_default():
        a = tf.Variable(np.zeros((2, 3), np.float32), name="a")
        with tf.Session() as sess:
            sess.run(a.initializer)
            path = tf.train.Saver().save(sess, str(tmp_path / "a"))
    with tf.Graph().as_default():
        a = tf.Variable(np.ones((3, 2), np.float32), name="a")
        tf.Variable(1.0, name="extra")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.NotFoundError) as info:
                tf.train.Saver().restore(sess, path)
            assert "Key extra not found in checkpoint" in info.value.message
            assert "a Variable name or other graph key that is missing" in info.value.message
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                tf.train.Saver([a]).restore(sess, path)
            message = info.value.message
            assert "lhs shape= [3,2] rhs shape= [2,3]" in message and "variable a" in message
            assert "mismatch between the current graph and the graph from the checkpoint" in message
            np.testing.assert_array_equal(sess.run(a), np.ones((3, 2)))   # nothing was written
    with tf.Graph().as_default():
        a = tf.Variable(np.zeros((2, 3), np.float64), name="a")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="tensor_name = a; expected dtype double does not equal original dtype float"):
                tf.train.Saver().restore(sess, path)


def test_bad_paths_and_sessions(tmp_path, model):
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="^The passed save_path is not a valid checkpoint: " +
                           str(tmp_path / "nothing") + "$"):
            saver.restore(sess, str(tmp_path / "nothing"))
        with pytest.raises(ValueError, match="Can't load save_path when it is None."):
            saver.restore(sess, None)
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value"):
            saver.save(sess, str(tmp_path / "x"))
        sess.run(tf.global_variables_initializer())
        # TensorFlow's writer creates one missing folder, not a chain (tests/test_tf1_regressions.py).
        with pytest.raises(ValueError, match="Parent directory of .*nope/deeper/x doesn't exist, can't save."):
            saver.save(sess, str(tmp_path / "nope" / "deeper" / "x"))
        with pytest.raises(TypeError, match="'sess' must be a Session"):
            saver.save("not a session", str(tmp_path / "x"))
        with pytest.raises(tf.errors.DataLossError, match="is a directory"):
            saver.restore(sess, str(tmp_path))
    with tf.Graph().as_default(), tf.Session() as other:
        tf.constant(1.0)
        with pytest.raises(ValueError, match="not an element of the Session's graph"):
            saver.save(other, str(tmp_path / "x"))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for"):
        tf.train.NewCheckpointReader(str(tmp_path / "nothing"))
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints"):
        tf.train.list_variables(str(tmp_path))


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, model, monkeypatch):
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = saver.save(sess, str(tmp_path / "m"), global_step=1)
        state = (tmp_path / "checkpoint").read_text()

        def disk_full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(os, "fsync", disk_full)
        with pytest.raises(tf.errors.ResourceExhaustedError, match="No space left on device"):
            saver.save(sess, str(tmp_path / "m"), global_step=2)
        monkeypatch.undo()
    assert _files(tmp_path) == ["checkpoint", "m-1.data-00000-of-00001", "m-1.index", "m-1.meta"]  # no temp file left
    assert (tmp_path / "checkpoint").read_text() == state
    assert tf.train.latest_checkpoint(str(tmp_path)) == first and saver.last_checkpoints == [first]


@pytest.fixture(params=["tensorflow", "neuroflow"])
def file_format(request, monkeypatch):
    """Each format-specific test runs for both formats Saver can write (TensorFlow's is the default)."""
    monkeypatch.setattr(tf.train.Saver, "_checkpoint_file_format", request.param)
    return request.param


@pytest.fixture
def saved(tmp_path, model, file_format):
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "c"), global_step=1)
    return saver, path, model


def _expect_data_loss(saver, path, model, match):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(model["w"].assign(tf.fill([2, 3], 9.0)))
        with pytest.raises(tf.errors.DataLossError, match=match):
            saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(model["w"]), np.full((2, 3), 9.0))   # nothing restored


def test_corrupt_data_file_fails_its_checksum(saved):
    saver, path, model = saved
    data = path + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[-5] ^= 0x40
    open(data, "wb").write(bytes(raw))
    _expect_data_loss(saver, path, model, "Checksum does not match.*" + os.path.basename(data))
    with pytest.raises(tf.errors.DataLossError):
        tf.train.load_variable(path, "w")


def test_truncated_files_give_data_loss_errors(saved):
    saver, path, model = saved
    data, index = path + ".data-00000-of-00001", path + ".index"
    full_data = open(data, "rb").read()
    open(data, "wb").write(full_data[:-3])
    _expect_data_loss(saver, path, model, "data file .*c-1.data-00000-of-00001 is truncated")
    open(data, "wb").write(full_data)
    full_index = open(index, "rb").read()
    for cut in (5, 30, len(full_index) - 1):
        open(index, "wb").write(full_index[:cut])
        _expect_data_loss(saver, path, model, "index .*c-1.index is truncated")
    for offset in (40, len(full_index) - 50, len(full_index) - 48):   # a data block, the index block, the footer
        raw = bytearray(full_index)
        raw[offset] ^= 1
        open(index, "wb").write(bytes(raw))
        _expect_data_loss(saver, path, model, "index .*c-1.index is corrupted")
    open(index, "wb").write(b"\x00" * 64)   # e.g. a checkpoint from another program
    _expect_data_loss(saver, path, model, "Unable to open table file .*c-1.index.*not an sstable")


def test_index_and_data_from_different_saves_are_detected(saved, tmp_path, file_format):
    saver, path, model = saved
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(model["n"].assign([4, 5, 6]))
        other = saver.save(sess, str(tmp_path / "c"), global_step=2)
    os.replace(other + ".data-00000-of-00001", path + ".data-00000-of-00001")
    # TensorFlow's format has no save id in its data file: each tensor's checksum tells the data apart.
    _expect_data_loss(saver, path, model, "does not belong to its index" if file_format == "neuroflow"
                      else "Checksum does not match.*tensor 'n'")


def test_files_are_tensorflows_bundle_or_neuroflows_json_header_never_pickle(saved, file_format):
    _, path, _ = saved
    raw = open(path + ".index", "rb").read()
    if file_format == "tensorflow":   # an SSTable: footer magic at the end; the "" key holds the bundle header
        from neuroflow.train import tensor_bundle, tensor_bundle_table
        assert raw[-8:] == struct.pack("<Q", 0xDB4775248B80FB57)
        items = dict(tensor_bundle_table.read_table(raw, path))
        assert tensor_bundle.decode_header(items[b""], path) == (1, False)
        entry = tensor_bundle.decode_entry("w", items[b"w"], path)
        assert entry.dtype == tf.float32 and entry.shape == (2, 3) and entry.size == 24
        data = open(path + ".data-00000-of-00001", "rb").read()
        np.testing.assert_array_equal(np.frombuffer(data, "<f4", 6, entry.offset), np.arange(6))
    else:
        magic, version, length, _ = struct.unpack_from("<8sIQI", raw)
        header = json.loads(raw[24:24 + length])
        assert magic == b"NFCKPTIX" and version == 1
        assert header["tensors"]["w"]["dtype"] == "float32" and header["tensors"]["w"]["shape"] == [2, 3]
    for name in ("checkpoint_format", "checkpoint_management", "checkpoint_utils", "checkpoint_entries", "saver",
                 "tensor_bundle", "tensor_bundle_table", "tensor_bundle_file"):
        source = open(os.path.join(os.path.dirname(tf.train.__file__), name + ".py")).read()
        assert "pickle" not in source.replace("No pickle", "").replace("no pickle", "")


# --- readers and other utilities --------------------------------------------------------------------------------------
def test_checkpoint_reader(saved):
    _, path, _ = saved
    reader = tf.train.NewCheckpointReader(path)
    assert reader.has_tensor("w") and not reader.has_tensor("w:0")
    np.testing.assert_array_equal(reader.get_tensor("w"), np.arange(6).reshape(2, 3))
    assert reader.get_tensor("global_step").dtype == np.int64
    with pytest.raises(tf.errors.NotFoundError, match="^Key nope not found in checkpoint$"):
        reader.get_tensor("nope")
    assert b"w (DT_FLOAT) [2,3]\n" in reader.debug_string()
    np.testing.assert_array_equal(tf.train.load_variable(os.path.dirname(path), "scope/b:0"), [0.5, -1.5])
    assert tf.train.load_checkpoint(os.path.dirname(path)).has_tensor("n")


def test_init_from_checkpoint(tmp_path):
    with tf.Graph().as_default():
        with tf.variable_scope("old"):
            tf.get_variable("w", initializer=np.full((2, 2), 3.0, np.float32))
            tf.get_variable("b", initializer=np.full((2,), 4.0, np.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "pre"))
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            w = tf.get_variable("w", [2, 2])
            b = tf.get_variable("b", [2])
        single = tf.get_variable("single", [2], initializer=tf.zeros_initializer())
        tf.train.init_from_checkpoint(path, {"old/": "new/", "old/b": single})
        with pytest.raises(ValueError, match="is not found in"):
            tf.train.init_from_checkpoint(path, {"old/missing": "single"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(w), np.full((2, 2), 3.0))
            np.testing.assert_array_equal(sess.run(b), np.full((2,), 4.0))
            np.testing.assert_array_equal(sess.run(single), np.full((2,), 4.0))


def test_saveable_objects_in_the_collection(tmp_path):
    class Spec:
        def __init__(self, tensor, name):
            self.tensor, self.name, self.slice_spec = tensor, name, ""

    class DoubledSaveable:
        """Stores 2 * v under its own name; restores v = stored / 2."""

        def __init__(self, var):
            self.var, self.name, self.op = var, "doubled", var
            self.specs = [Spec(var.value() * 2.0, "doubled")]

        def restore(self, restored_tensors, restored_shapes):
            return tf.assign(self.var, restored_tensors[0] / 2.0)

    v = tf.Variable([1.0, 2.0], name="v", collections=[])
    tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS, DoubledSaveable(v))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = saver.save(sess, str(tmp_path / "s"))
        np.testing.assert_array_equal(tf.train.load_variable(path, "doubled"), [2.0, 4.0])
        sess.run(v.assign([0.0, 0.0]))
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_eager_variables(tmp_path):
    with tf.eager_mode():
        with pytest.raises(RuntimeError, match="`var_list` must specify a list or dict"):
            tf.train.Saver()
        v = tf.Variable([1.0, 2.0], name="ev")
        step = tf.Variable(5, dtype=tf.int64, name="step")
        saver = tf.train.Saver([v, step])
        path = saver.save(None, str(tmp_path / "eager"), global_step=step)
        assert path == str(tmp_path / "eager-5")
        v.assign([7.0, 7.0])
        saver.restore(None, path)
        np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
        with pytest.raises(ValueError, match="At least two variables have the same name: Variable"):
            tf.train.Saver([tf.Variable(1.0), tf.Variable(2.0)])
    assert tf.train.list_variables(path) == [("ev", [2]), ("step", [])]


# --- resuming training ------------------------------------------------------------------------------------------------
def _training_graph():
    rng = np.random.default_rng(0)
    data_x = rng.normal(size=(64, 5)).astype(np.float32)
    data_y = (data_x @ rng.normal(size=(5, 1))).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5])
    y = tf.placeholder(tf.float32, [None, 1])
    hidden = tf.layers.dense(x, 8, activation=tf.nn.tanh, kernel_initializer=tf.glorot_uniform_initializer(seed=1))
    out = tf.layers.dense(hidden, 1, kernel_initializer=tf.glorot_uniform_initializer(seed=2))
    loss = tf.reduce_mean(tf.square(out - y))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=step)

    def run_steps(sess, count):
        losses = []
        for _ in range(count):
            i = int(sess.run(step)) % 4
            feed = {x: data_x[16 * i:16 * (i + 1)], y: data_y[16 * i:16 * (i + 1)]}
            losses.append(sess.run([train, loss], feed)[1])
        return losses
    return run_steps, step


def test_training_resumes_from_a_checkpoint_with_identical_results(tmp_path):
    with tf.Graph().as_default():
        run_steps, step = _training_graph()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            run_steps(sess, 10)
            saver.save(sess, str(tmp_path / "train"), global_step=step)
            straight = run_steps(sess, 10)
            final = {v.op.name: sess.run(v) for v in tf.global_variables()}
    with tf.Graph().as_default():
        run_steps, step = _training_graph()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            assert sess.run(step) == 10
            resumed = run_steps(sess, 10)
            resumed_final = {v.op.name: sess.run(v) for v in tf.global_variables()}
    assert any("Adam" in name for name in final)   # optimizer slots are saved too
    np.testing.assert_array_equal(resumed, straight)
    assert resumed_final.keys() == final.keys()
    for name in final:
        np.testing.assert_array_equal(resumed_final[name], final[name], err_msg=name)
