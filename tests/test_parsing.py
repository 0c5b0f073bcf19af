"""tf.decode_csv and tf.decode_raw: TF1 input-pipeline parsing, with TensorFlow's messages for malformed records and
its rules for defaults, quotes, na_value and select_cols."""
import numpy as np
import pytest

import neuroflow as tf


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


def test_decode_csv_columns_defaults_and_quotes():
    records = tf.placeholder(tf.string, [None])
    age, name, score = tf.decode_csv(records, record_defaults=[[0], ["?"], [0.0]])
    assert (age.dtype, name.dtype, score.dtype) == (tf.int32, tf.string, tf.float32)
    assert age.shape.as_list() == [None]
    with tf.Session() as sess:
        got = sess.run([age, name, score], {records: ['31,"Smith, J",1.5', '7,,', ',"say ""hi""",-2']})
    assert got[0].tolist() == [31, 7, 0]
    assert got[1].tolist() == [b"Smith, J", b"?", b'say "hi"']
    np.testing.assert_allclose(got[2], [1.5, 0.0, -2.0])
    assert tf.io.decode_csv is tf.decode_csv


def test_decode_csv_na_value_select_cols_and_delimiter():
    a, c = tf.decode_csv(tf.constant(["1|NA|3", "NA|x|6"]), [[-1], [0]], field_delim="|", na_value="NA",
                         select_cols=[0, 2])
    assert _run(a).tolist() == [1, -1] and _run(c).tolist() == [3, 6]
    with pytest.raises(ValueError, match="select_cols is not strictly increasing"):
        tf.decode_csv(tf.constant(["1,2"]), [[0], [0]], select_cols=[1, 0])
    with pytest.raises(ValueError, match="Length of select_cols and record_defaults do not match"):
        tf.decode_csv(tf.constant(["1,2"]), [[0]], select_cols=[0, 1])


@pytest.mark.parametrize("record, defaults, message", [
    ("1,2", [[0], [0], [0]], "Expect 3 fields but have 2 in record 0"),
    ("1,2,3,4", [[0], [0], [0]], "Expect 3 fields but have 4 in record 0"),
    ("1,,3", [[0], np.array([], np.int32), [0]], "Field 1 is required but missing in record 0!"),
    ("1,x", [[0], [0]], "Field 1 in record 0 is not a valid int32: x"),
    ("1.5,2", [[0.0], [0.0]], None),
    ("a,2", [[0.0], [0.0]], "Field 0 in record 0 is not a valid float: a"),
    ("2147483648", [[0]], "Field 0 in record 0 is not a valid int32: 2147483648"),
    ('"abc,1', [[""], [0]], "Quoted field has to end with quote followed by delim or end"),
])
def test_decode_csv_errors_are_tensorflows(record, defaults, message):
    outputs = tf.decode_csv(tf.constant([record]), defaults)
    if message is None:
        _run(outputs)
        return
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"^{message}"):
        _run(outputs)


def test_decode_raw_both_byte_orders_and_its_errors():
    data = np.array([b"\x01\x00\x00\x00\xff\xff\xff\xff", b"\x00\x00\x00\x00\x02\x00\x00\x00"], dtype=object)
    got = _run(tf.decode_raw(tf.constant(data), tf.int32))
    assert got.tolist() == [[1, -1], [0, 2]]
    assert _run(tf.decode_raw(tf.constant(data), tf.int32, little_endian=False)).tolist() == \
        [[16777216, -1], [0, 33554432]]
    assert _run(tf.decode_raw(tf.constant(np.array(b"\x00\x00\x80?", dtype=object)), tf.float32)).tolist() == [1.0]
    out = tf.decode_raw(tf.placeholder(tf.string, [3]), tf.uint8)
    assert out.shape.as_list() == [3, None] and out.dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="DecodeRaw requires input strings to all be the same size, but element 1 has size 2 "
                             "!= 4"):
        _run(tf.decode_raw(tf.constant(np.array([b"abcd", b"ab"], dtype=object)), tf.int16))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32"):
        _run(tf.decode_raw(tf.constant(np.array([b"abc"], dtype=object)), tf.int32))
