"""The fast path `tf.parse_example` takes: serialized Examples and SequenceExamples decoded straight into
(kind, values) per feature, without building message objects (several times faster than Example.FromString)."""
import struct

import numpy as np

from .proto_wire import DecodeError, _read_varint, _skip

__all__ = ["decode_example_features", "decode_feature_lists"]


def _decode_list(buf, start, end, kind):
    values, pos = [], start
    while pos < end:
        tag, pos = _read_varint(buf, pos)
        if tag == 0x0A:
            n, pos = _read_varint(buf, pos)
            stop = pos + n
            if stop > end:
                raise DecodeError("truncated")
            if kind == "bytes_list":
                values.append(buf[pos:stop])
            elif kind == "float_list":
                values += np.frombuffer(buf[pos:stop], dtype="<f4").tolist()
            else:
                while pos < stop:
                    v, pos = _read_varint(buf, pos)
                    values.append(v - (1 << 64) if v >> 63 else v)
            pos = stop
        elif tag == 0x0D and kind == "float_list":
            values.append(struct.unpack_from("<f", buf, pos)[0])
            pos += 4
        elif tag == 0x08 and kind == "int64_list":
            v, pos = _read_varint(buf, pos)
            values.append(v - (1 << 64) if v >> 63 else v)
        else:
            pos = _skip(buf, pos, tag & 7, end)
    if pos != end:
        raise DecodeError("truncated")
    return values


_LIST_TAGS = {0x0A: "bytes_list", 0x12: "float_list", 0x1A: "int64_list"}


def decode_example_features(data):
    """{key: (kind or None, values)} of a serialized Example, without building message objects (what
    tf.parse_example needs, several times faster than Example.FromString). Raises DecodeError for bad bytes."""
    buf = bytes(data)
    out, pos, end = {}, 0, len(buf)
    try:
        while pos < end:
            tag, pos = _read_varint(buf, pos)
            if tag != 0x0A:
                pos = _skip(buf, pos, tag & 7, end)
                continue
            n, pos = _read_varint(buf, pos)
            fend = pos + n
            while pos < fend:
                tag, pos = _read_varint(buf, pos)
                if tag != 0x0A:
                    pos = _skip(buf, pos, tag & 7, fend)
                    continue
                n, pos = _read_varint(buf, pos)
                eend = pos + n
                key, kind, values = "", None, []
                while pos < eend:
                    tag, pos = _read_varint(buf, pos)
                    n, pos = _read_varint(buf, pos)
                    stop = pos + n
                    if tag == 0x0A:
                        key = buf[pos:stop].decode("utf-8")
                    elif tag == 0x12:
                        q = pos
                        while q < stop:  # the Feature: its oneof member (the last one wins; a repeat merges)
                            t, q = _read_varint(buf, q)
                            m, q = _read_varint(buf, q)
                            k = _LIST_TAGS.get(t)
                            if k is None:
                                raise DecodeError("unexpected field in Feature")
                            got = _decode_list(buf, q, q + m, k)
                            values = values + got if k == kind else got
                            kind = k
                            q += m
                        if q != stop:
                            raise DecodeError("truncated")
                    elif tag & 7 != 2:
                        raise DecodeError("unexpected wire type")
                    pos = stop
                if pos != eend:
                    raise DecodeError("truncated")
                out[key] = (kind, values)
            if pos != fend:
                raise DecodeError("truncated")
        if pos != end:
            raise DecodeError("truncated")
    except (IndexError, struct.error, ValueError, UnicodeDecodeError) as e:
        raise DecodeError("Error parsing message with type 'tensorflow.Example'") from e
    return out


def decode_feature_lists(data):
    """{key: [(kind or None, values) per step]} of a serialized SequenceExample's feature_lists (field 2)."""
    from .example_proto import SequenceExample   # here: example_proto imports this module
    msg = SequenceExample()
    msg.MergeFromString(data)
    out = {}
    if msg.HasField("feature_lists"):
        for key, flist in msg.feature_lists.feature_list.items():
            steps = []
            for f in flist.feature:
                kind = f.WhichOneof("kind")
                steps.append((kind, list(getattr(f, kind).value) if kind else []))
            out[key] = steps
    return out
