"""Protobuf's wire format, the little of it TensorFlow's example.proto and feature.proto need: varints,
length-delimited fields, skipping unknown fields, and the error a malformed message raises."""

def _varint(out, v):
    v &= 0xFFFFFFFFFFFFFFFF
    while v > 0x7F:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _read_varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError("Error parsing message: varint too long")


def _delimited(out, number, data):
    _varint(out, (number << 3) | 2)
    _varint(out, len(data))
    out += data


class DecodeError(Exception):
    """A message's bytes are not valid wire format (google.protobuf.message.DecodeError's counterpart)."""


def _skip(buf, pos, wire, end):
    if wire == 0:
        _, pos = _read_varint(buf, pos)
    elif wire == 1:
        pos += 8
    elif wire == 2:
        n, pos = _read_varint(buf, pos)
        pos += n
    elif wire == 5:
        pos += 4
    else:
        raise DecodeError(f"Error parsing message: unsupported wire type {wire}")
    if pos > end:
        raise DecodeError("Error parsing message: truncated")
    return pos
