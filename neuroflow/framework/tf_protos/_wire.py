"""Protobuf's binary wire format for TensorFlow's messages: varints, fixed-width numbers, length-delimited
fields, packed repeated numbers, and the DecodeError a malformed message raises. Decoding only reads bytes;
nothing in a message can make it run code."""
import struct

__all__ = ["DecodeError", "write_varint", "read_varint", "skip_field", "tag"]

_MASK64 = 0xFFFFFFFFFFFFFFFF


class DecodeError(Exception):
    """The bytes are not a valid message of the expected type (google.protobuf.message.DecodeError's
    counterpart)."""


def write_varint(out, value):
    """Appends `value` (negative numbers as 64-bit two's complement, as protobuf writes int32/int64)."""
    value &= _MASK64
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def tag(number, wire_type):
    out = bytearray()
    write_varint(out, (number << 3) | wire_type)
    return bytes(out)


def read_varint(buf, pos, end):
    """(value, new position) of the varint at `pos`; DecodeError past `end` or after 10 bytes."""
    result = shift = 0
    while True:
        if pos >= end:
            raise DecodeError("Error parsing message: truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & _MASK64, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("Error parsing message: varint too long")


def skip_field(buf, pos, wire_type, end):
    """The position after a field of `wire_type` whose tag ended at `pos` (unknown fields are skipped)."""
    if wire_type == 0:
        _, pos = read_varint(buf, pos, end)
    elif wire_type == 1:
        pos += 8
    elif wire_type == 2:
        n, pos = read_varint(buf, pos, end)
        pos += n
    elif wire_type == 5:
        pos += 4
    else:
        raise DecodeError(f"Error parsing message: unsupported wire type {wire_type}")
    if pos > end:
        raise DecodeError("Error parsing message: truncated field")
    return pos


def signed32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def signed64(value):
    return value - (1 << 64) if value & (1 << 63) else value


_FLOAT = struct.Struct("<f")
_DOUBLE = struct.Struct("<d")
pack_float, unpack_float = _FLOAT.pack, _FLOAT.unpack_from
pack_double, unpack_double = _DOUBLE.pack, _DOUBLE.unpack_from
