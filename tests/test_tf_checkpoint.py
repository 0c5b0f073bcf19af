"""Checkpoints in TensorFlow's own format (the V2 tensor bundle): neuroflow reads every tensor of a checkpoint that
real TensorFlow wrote (tests/data/tf_checkpoint, made by make_tf_checkpoint.py: an MLP with Adam slots, a
partitioned variable, every dtype a TF1 program saves), restores it with a Saver, and real TensorFlow reads and
restores what neuroflow's Saver wrote (where the anchors' TensorFlow is installed). Damaged files give
DataLossError naming the file."""
import base64
import json
import os
import random
import shutil
import subprocess

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.train import tensor_bundle, tensor_bundle_table

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_checkpoint")
TF_PREFIX = os.path.join(DATA, "model.ckpt")
ANCHORS_PYTHON = os.path.expanduser("~/.cache/neuroflow-anchors/bin/python")


def _decode(record):
    """An expected.json / read_with_tf.py record as a NumPy array."""
    if record["dtype"] == "string":
        values = [base64.b64decode(v) for v in record["strings"]]
        out = np.empty(len(values), object)
        out[:] = values
        return out.reshape(record["shape"])
    raw = base64.b64decode(record["bytes"])
    return np.frombuffer(raw, np.dtype(record["dtype"]).newbyteorder("<")).reshape(record["shape"])


def _expected(which="tensors"):
    with open(os.path.join(DATA, "expected.json")) as f:
        return {name: _decode(r) for name, r in json.load(f)[which].items()}


def _assert_same(actual, expected, name):
    assert actual.shape == expected.shape, name
    if expected.dtype == object:
        assert actual.dtype == object and actual.tolist() == expected.tolist(), name
    else:
        assert actual.dtype == expected.dtype, name
        assert actual.tobytes() == np.ascontiguousarray(expected, expected.dtype.newbyteorder("=")).tobytes(), name


# --- reading what TensorFlow wrote ------------------------------------------------------------------------------------
def test_every_tensor_tensorflow_wrote_reads_exactly():
    expected = _expected()
    reader = tf.train.NewCheckpointReader(TF_PREFIX)
    assert reader.get_variable_to_shape_map() == {n: list(v.shape) for n, v in expected.items()}
    assert [n for n, _ in tf.train.list_variables(TF_PREFIX)] == sorted(expected)
    dtypes = reader.get_variable_to_dtype_map()
    for name, value in expected.items():
        got = reader.get_tensor(name)
        _assert_same(got, value, name)
        assert dtypes[name] == tf.as_dtype("string" if value.dtype == object else value.dtype), name
    # TF's names for the optimizer's slots and accumulators, and the partitioned variable as one tensor
    assert {"dense/W/Adam", "dense/W/Adam_1", "beta1_power", "beta2_power", "embedding"} <= set(expected)
    assert b"embedding (DT_FLOAT) [7,4]\n" in reader.debug_string()
    np.testing.assert_array_equal(tf.train.load_variable(DATA + "/model.ckpt", "dtypes/i64:0"),
                                  [-(2 ** 63), 2 ** 63 - 1])


def test_a_partitioned_variable_is_its_slices_put_together():
    """The index holds `embedding` as a full shape with three slices, each stored under its own OrderedCode key;
    the assembled tensor is each slice's bytes where the slice says."""
    raw = open(TF_PREFIX + ".index", "rb").read()
    _, _, entries, slices = tensor_bundle.parse_index(raw, TF_PREFIX + ".index")
    assert entries["embedding"].slices == [[(0, 3), (0, 4)], [(3, 2), (0, 4)], [(5, 2), (0, 4)]]
    assert entries["wide"].slices == [[(0, 65), (0, 2)], [(65, 65), (0, 2)]]   # keys with two-byte numbers
    assert {tensor_bundle.slice_key(n, e) for n in ("embedding", "wide") for e in entries[n].slices} == set(slices)
    data = open(TF_PREFIX + ".data-00000-of-00001", "rb").read()
    whole = tf.train.load_variable(TF_PREFIX, "embedding")
    for extents, rows in zip(entries["embedding"].slices, ([0, 3], [3, 5], [5, 7])):
        part = slices[tensor_bundle.slice_key("embedding", extents)]
        assert part.shape == (rows[1] - rows[0], 4)
        np.testing.assert_array_equal(whole[rows[0]:rows[1]],
                                      np.frombuffer(data, "<f4", part.size // 4, part.offset).reshape(part.shape))


def test_a_sharded_checkpoint_reads_from_both_its_data_files():
    """TensorFlow's `Saver(sharded=True)` over two devices: one index, two data files, entries by shard_id."""
    prefix = os.path.join(DATA, "sharded.ckpt")
    raw = open(prefix + ".index", "rb").read()
    num_shards, _, entries, _ = tensor_bundle.parse_index(raw, prefix)
    assert num_shards == 2 and {e.shard_id for e in entries.values()} == {0, 1}
    expected = _expected("sharded")
    reader = tf.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == sorted(expected) == [
        "first", "first_words", "second", "second_words"]
    for name, value in expected.items():
        _assert_same(reader.get_tensor(name), value, name)


def test_a_big_endian_bundle_reads_in_native_byte_order(tmp_path):
    """The header's endianness BIG: the data holds each element big-endian (the checksum is over those bytes)."""
    from neuroflow.summary.crc32c import masked_crc32c
    value = np.array([1.5, -2.0, 3.25], np.float32)
    raw = value.astype(">f4").tobytes()
    entry = tensor_bundle.encode_entry(tf.float32, (3,), 0, len(raw), masked_crc32c(raw))
    header = b"\x08\x01\x10\x01\x1a\x02\x08\x01"   # num_shards 1, endianness BIG, version {producer 1}
    (tmp_path / "be.index").write_bytes(tensor_bundle_table.build_table([(b"", header), (b"v", entry)]))
    (tmp_path / "be.data-00000-of-00001").write_bytes(raw)
    got = tf.train.load_variable(str(tmp_path / "be"), "v")
    assert got.dtype.isnative and got.dtype == np.float32
    np.testing.assert_array_equal(got, value)


def test_a_dtype_neuroflow_lacks_is_listed_and_refused_when_read(tmp_path):
    """A bfloat16 tensor (DataType 14) among others: the others read; reading it names it and its dtype."""
    ok = tensor_bundle.tensor_chunks(tf.float32, np.ones(2, np.float32))
    records = {"a": tensor_bundle.encode_entry(tf.float32, (2,), 0, ok[1], ok[2]),
               "b": b"\x08\x0e\x12\x04\x12\x02\x08\x02 \x08(\x04\x35\x00\x00\x00\x00"}  # DT_BFLOAT16 [2]
    (tmp_path / "m.index").write_bytes(tensor_bundle.build_index(records))
    (tmp_path / "m.data-00000-of-00001").write_bytes(b"".join(bytes(c) for c in ok[0]) + b"\x80\x3f" * 2)
    reader = tf.train.NewCheckpointReader(str(tmp_path / "m"))
    assert reader.get_variable_to_shape_map() == {"a": [2], "b": [2]}
    np.testing.assert_array_equal(reader.get_tensor("a"), [1.0, 1.0])
    with pytest.raises(tf.errors.UnimplementedError, match=r"checkpoint .*m.index has dtype bfloat16 \(DataType"):
        reader.get_tensor("b")
    assert b"b (DT_BFLOAT16) [2]" in reader.debug_string()


def test_a_saver_restores_tensorflows_checkpoint_into_a_neuroflow_graph():
    expected = _expected()
    with tf.Graph().as_default():
        variables = {name: tf.Variable(np.zeros_like(v) if v.dtype != object else np.full(v.shape, b"", object),
                                       dtype=tf.as_dtype("string" if v.dtype == object else v.dtype), name=name)
                     for name, v in expected.items()}
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, TF_PREFIX)
            for name, var in variables.items():
                value = sess.run(var)
                _assert_same(np.array(value, object) if isinstance(value, bytes) else value, expected[name], name)


def test_init_from_checkpoint_warm_starts_from_tensorflows_checkpoint():
    expected = _expected()
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            w = tf.get_variable("W", [4, 8])
        emb = tf.get_variable("emb", [7, 4])
        tf.train.init_from_checkpoint(TF_PREFIX, {"dense/": "new/", "embedding": emb})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(w), expected["dense/W"])
            np.testing.assert_array_equal(sess.run(emb), expected["embedding"])


def test_neuroflow_writes_tensorflows_bytes_for_each_tensor_and_its_table():
    """Each tensor's data bytes and index entry equal TensorFlow's, and the index table rebuilt from TensorFlow's
    own items is byte-identical (blocks, restart points, index keys, footer)."""
    raw = open(TF_PREFIX + ".index", "rb").read()
    items = tensor_bundle_table.read_table(raw, TF_PREFIX)
    assert tensor_bundle_table.build_table(items) == raw
    assert dict(items)[b""] == tensor_bundle.encode_header()
    data = open(TF_PREFIX + ".data-00000-of-00001", "rb").read()
    _, _, entries, _ = tensor_bundle.parse_index(raw, TF_PREFIX)
    for name, value in _expected().items():
        entry = entries[name]
        if entry.slices:
            continue
        chunks, size, crc = tensor_bundle.tensor_chunks(entry.dtype, value)
        assert b"".join(bytes(c) for c in chunks) == data[entry.offset:entry.offset + entry.size], name
        assert (size, crc) == (entry.size, entry.crc32c), name
        assert tensor_bundle.encode_entry(entry.dtype, value.shape, entry.offset, size, crc) == \
            dict(items)[name.encode()], name


def test_slice_keys_encode_negative_and_large_numbers_as_orderedcode_does():
    # Values from OrderedCode's signed encoding: one byte for -64..63, then a length prefix in the high bits.
    key = tensor_bundle.slice_key("a\x00b", [(0, None), (63, 64), (-65, 1 << 40)])
    assert key == (b"\x00" + b"a\x00\xffb\x00\x01" + b"\x01\x03" + b"\x80\x7f" + b"\xbf\xc0\x40"
                   + b"\x3f\xbf" + b"\xfd\x00\x00\x00\x00\x00")


@pytest.mark.parametrize("size", [(1 << 20) - 1, 1 << 20, (1 << 20) + 4 * 8192 * 3 + 7, 5_000_003])
def test_the_lane_parallel_crc32c_equals_the_byte_table_one(size):
    from neuroflow.summary.crc32c import crc32c as reference
    from neuroflow.train.tensor_bundle_crc import crc32c
    data = np.random.RandomState(size % 1000).bytes(size)
    assert crc32c(data) == reference(data)
    assert crc32c(data, 0x12345678) == reference(data, 0x12345678)   # continuing a CRC, as string tensors do
    assert crc32c(memoryview(np.frombuffer(data[:size // 8 * 8], np.float64))) == reference(data[:size // 8 * 8])


@pytest.mark.skipif(not __import__("neuroflow.runtime.accel", fromlist=["x"]).numba_available(),
                    reason="the compiled CRC32C needs numba")
def test_the_compiled_crc32c_equals_the_byte_table_one(monkeypatch):
    from neuroflow.summary.crc32c import crc32c as reference
    from neuroflow.train import tensor_bundle_crc
    monkeypatch.setattr(tensor_bundle_crc, "_NUMBA_MIN_SIZE", 0)   # every size through the compiled loop
    rng = np.random.RandomState(3)
    for size in (0, 1, 7, 8, 9, 4096 + 5, 300_001):
        data = rng.bytes(size)
        assert tensor_bundle_crc.crc32c(data) == reference(data), size
        assert tensor_bundle_crc.crc32c(data, 0xFFFFFFFF) == reference(data, 0xFFFFFFFF), size


# --- damaged files ----------------------------------------------------------------------------------------------------
@pytest.fixture
def tf_copy(tmp_path):
    for suffix in (".index", ".data-00000-of-00001"):
        shutil.copy(TF_PREFIX + suffix, tmp_path / ("model.ckpt" + suffix))
    return str(tmp_path / "model.ckpt")


def _read_all(prefix):
    reader = tf.train.NewCheckpointReader(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def test_every_flipped_bit_of_the_index_is_a_data_loss_error_naming_it(tf_copy):
    raw = open(tf_copy + ".index", "rb").read()
    for offset in range(len(raw)):
        damaged = bytearray(raw)
        damaged[offset] ^= 1 << (offset % 8)
        open(tf_copy + ".index", "wb").write(bytes(damaged))
        with pytest.raises(tf.errors.DataLossError, match="model.ckpt.index"):
            _read_all(tf_copy)


def test_flipped_bytes_of_the_data_are_checksum_errors_naming_the_file(tf_copy):
    raw = open(tf_copy + ".data-00000-of-00001", "rb").read()
    for offset in random.Random(5).sample(range(len(raw)), 40):
        damaged = bytearray(raw)
        damaged[offset] ^= 0x20
        open(tf_copy + ".data-00000-of-00001", "wb").write(bytes(damaged))
        with pytest.raises(tf.errors.DataLossError, match="(?s)(Checksum does not match|bad string).*model.ckpt.data"):
            _read_all(tf_copy)


def test_truncated_files_are_data_loss_errors_naming_them(tf_copy):
    data, index = tf_copy + ".data-00000-of-00001", tf_copy + ".index"
    full_data, full_index = open(data, "rb").read(), open(index, "rb").read()
    open(data, "wb").write(full_data[:-1])
    with pytest.raises(tf.errors.DataLossError, match="data file .*model.ckpt.data-00000-of-00001 is truncated"):
        tf.train.NewCheckpointReader(tf_copy)
    open(data, "wb").write(full_data)
    for cut in (0, 20, 500, len(full_index) - 2):
        open(index, "wb").write(full_index[:cut])
        with pytest.raises(tf.errors.DataLossError, match="model.ckpt.index"):
            tf.train.NewCheckpointReader(tf_copy)
    os.remove(data)
    open(index, "wb").write(full_index)
    with pytest.raises(tf.errors.NotFoundError, match="model.ckpt.data-00000-of-00001"):
        tf.train.NewCheckpointReader(tf_copy)


def test_a_snappy_block_or_a_newer_bundle_version_is_refused_clearly(tmp_path):
    items = [(b"", tensor_bundle.encode_header())]
    raw = bytearray(tensor_bundle_table.build_table(items))
    path = str(tmp_path / "x")
    # The first block's type byte set to snappy (1), with its checksum recomputed: a valid, compressed block.
    from neuroflow.summary.crc32c import masked_crc32c
    end = raw.index(b"\x08\x01\x1a\x02\x08\x01") + 6 + 8   # the header entry, then the block's restart array
    raw[end] = 1
    raw[end + 1:end + 5] = masked_crc32c(bytes(raw[:end + 1])).to_bytes(4, "little")
    open(path + ".index", "wb").write(bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="x.index holds a snappy-compressed block"):
        tf.train.NewCheckpointReader(path)
    newer = b"\x08\x01\x1a\x04\x08\x02\x10\x02"   # version {producer: 2, min_consumer: 2}
    open(path + ".index", "wb").write(tensor_bundle_table.build_table([(b"", newer)]))
    with pytest.raises(tf.errors.DataLossError, match="x.index needs a newer reader"):
        tf.train.NewCheckpointReader(path)


def test_a_partitioned_entry_whose_shape_its_slices_do_not_cover_is_refused_before_allocating(tmp_path):
    """An untrusted index may claim any shape: a sliced tensor of 2**40 x 2**40 elements with one 1x1 slice is a
    DataLossError, not an attempt to allocate it."""
    one = tensor_bundle.tensor_chunks(tf.float32, np.ones((1, 1), np.float32))
    huge = b"\x12\x12\x12\x07\x08\x80\x80\x80\x80\x80\x20\x12\x07\x08\x80\x80\x80\x80\x80\x20"  # [2**40,2**40]
    extent = b"\x0a\x04\x08\x00\x10\x01"   # start 0, length 1
    records = {"big": b"\x08\x01" + huge + b"\x3a\x0c" + extent + extent,
               "x": tensor_bundle.encode_entry(tf.float32, (1, 1), 0, one[1], one[2])}
    raw = tensor_bundle.build_index(records)
    items = dict(tensor_bundle_table.read_table(raw, "t"))
    items[tensor_bundle.slice_key("big", [(0, 1), (0, 1)])] = items.pop(b"x")
    (tmp_path / "m.index").write_bytes(tensor_bundle_table.build_table(sorted(items.items())))
    (tmp_path / "m.data-00000-of-00001").write_bytes(b"".join(bytes(c) for c in one[0]))
    reader = tf.train.NewCheckpointReader(str(tmp_path / "m"))
    assert reader.get_variable_to_shape_map() == {"big": [2 ** 40, 2 ** 40]}
    with pytest.raises(tf.errors.DataLossError, match="'big': its slices cover 1 of its 1208925819614629174706176"):
        reader.get_tensor("big")


def test_garbled_entries_with_valid_checksums_are_data_loss_errors_never_crashes(tmp_path):
    """A crafted index (checksums recomputed) whose header, entries or slice entries are mutated protobuf bytes:
    opening and reading it succeeds or raises TensorFlow's errors, never anything else (IndexError, MemoryError,
    ...)."""
    rng = random.Random(11)
    prefix = str(tmp_path / "m")
    open(prefix + ".data-00000-of-00001", "wb").write(bytes(rng.randrange(256) for _ in range(200)))
    seeds = [tensor_bundle.encode_entry(tf.float32, (2, 3), 8, 24, 0), tensor_bundle.encode_header(),
             tensor_bundle.encode_entry(tf.string, (2,), 0, 20, 0)]
    slice_key = tensor_bundle.slice_key("w", [(0, 1), (0, 3)])
    for _ in range(400):
        value = bytearray(rng.choice(seeds))
        for _ in range(rng.randrange(1, 4)):
            where = rng.randrange(len(value) + 1)
            if rng.random() < 0.5 and where < len(value):
                value[where] = rng.randrange(256)
            else:
                value.insert(where, rng.randrange(256))
        key = rng.choice([b"", b"w", slice_key])
        items = {b"": tensor_bundle.encode_header(), key: bytes(value)}
        open(prefix + ".index", "wb").write(tensor_bundle_table.build_table(sorted(items.items())))
        try:
            reader = tf.train.NewCheckpointReader(prefix)
            for name in reader.get_variable_to_shape_map():
                reader.get_tensor(name)
            reader.debug_string()
        except (tf.errors.DataLossError, tf.errors.UnimplementedError, tf.errors.NotFoundError):
            pass


def test_a_v1_checkpoint_is_refused_by_name(tmp_path):
    """TensorFlow's V1 format is one table file at the prefix itself, with no .index beside it."""
    (tmp_path / "old.ckpt").write_bytes(tensor_bundle_table.build_table([(b"", b"")]))
    with pytest.raises(tf.errors.UnimplementedError, match="old.ckpt is a checkpoint in TensorFlow's V1 format"):
        tf.train.NewCheckpointReader(str(tmp_path / "old.ckpt"))
    (tmp_path / "notes.txt").write_bytes(b"x" * 100)
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for .*notes.txt"):
        tf.train.NewCheckpointReader(str(tmp_path / "notes.txt"))


# --- TensorFlow reading what neuroflow wrote --------------------------------------------------------------------------
def _neuroflow_checkpoint(directory):
    """An MLP trained two Adam steps plus a variable of every dtype, saved by neuroflow's Saver; returns the
    prefix and every saved value."""
    rng = np.random.RandomState(1)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        hidden = tf.layers.dense(x, 8, activation=tf.nn.relu, name="dense")
        loss = tf.reduce_mean(tf.square(tf.layers.dense(hidden, 3, name="logits")))
        train = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=tf.train.get_or_create_global_step())
        extra = {"f16": np.array([1.5, -2.25], np.float16), "f64": np.array([np.pi]), "i8": np.array([-128], np.int8),
                 "i16": np.array([7], np.int16), "i64": np.array([-(2 ** 63)]), "u8": np.array([255], np.uint8),
                 "u16": np.array([65535], np.uint16), "u32": np.array([2 ** 32 - 1], np.uint32),
                 "u64": np.array([2 ** 64 - 1], np.uint64), "flag": np.array([True, False]),
                 "c64": np.array([1 - 2j], np.complex64), "c128": np.array([[1e-10 + 1j]]),
                 "empty": np.zeros((0, 3), np.float32)}
        for name, value in extra.items():
            tf.Variable(value, name="dtypes/" + name)
        tf.Variable(np.array([b"", b"\x00\xff", "h\u00e9".encode(), b"y" * 200], object), dtype=tf.string,
                    name="dtypes/words")
        # partitioned in the TF program that restores it (read_with_tf.py), one tensor in neuroflow
        tf.get_variable("embedding", [7, 4], initializer=tf.random_uniform_initializer(seed=3))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(2):
                sess.run(train, {x: rng.randn(5, 4).astype(np.float32)})
            prefix = tf.train.Saver().save(sess, os.path.join(directory, "nf.ckpt"), global_step=2)
            values = {v.op.name: np.asarray(sess.run(v)) for v in tf.global_variables()}
    return prefix, values


@pytest.mark.skipif(not os.path.exists(ANCHORS_PYTHON), reason="needs the anchors' TensorFlow")
def test_tensorflow_reads_and_restores_what_neuroflows_saver_wrote(tmp_path):
    """Including a variable TensorFlow's program partitions in three: it restores each part as a slice."""
    prefix, values = _neuroflow_checkpoint(str(tmp_path))
    assert {"dense/kernel/Adam", "dense/kernel/Adam_1", "beta1_power"} <= set(values)
    script = os.path.join(DATA, "read_with_tf.py")
    result = subprocess.run([ANCHORS_PYTHON, script, prefix, "embedding:3"], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES=""))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    for how in ("reader", "restored"):
        assert sorted(seen[how]) == sorted(values), how
        for name, value in values.items():
            _assert_same(_decode(seen[how][name]), value, f"{name} ({how})")
