"""Protobuf's text format for neuroflow's TensorFlow messages (`.pbtxt` files): `MessageToString` writes what
`google.protobuf.text_format.MessageToString` writes; `Parse`/`Merge` read it back (comments, both quote styles,
`<...>` blocks and `[a, b]` lists included). Reading only builds messages; nothing in the text runs."""
import math
import re

from ._fields import _SCALAR_DEFAULTS
from ._message import Message
from .types import DataType

__all__ = ["MessageToString", "Parse", "Merge", "ParseError"]



class ParseError(Exception):
    """The text is not a valid text-format message (google.protobuf.text_format.ParseError's counterpart)."""


def _enum_for(msg_cls, f):
    """The enum type of field `f` (DataType unless the field names another)."""
    return f.message if f.message is not None else DataType


# --- writing ----------------------------------------------------------------------------------------------------
def _escape(data):
    """C-style escaping of bytes as protobuf writes it (non-printable and non-ASCII bytes as octal)."""
    out = []
    for b in data:
        if b == 0x0A:
            out.append("\\n")
        elif b == 0x0D:
            out.append("\\r")
        elif b == 0x09:
            out.append("\\t")
        elif b == 0x22:
            out.append('\\"')
        elif b == 0x27:
            out.append("\\'")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def _float_text(value, kind):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if kind == "float":
        # the shortest decimal that reads back as the same float32, written as a Python float (protobuf's way)
        for digits in range(6, 10):
            shortest = float(f"{value:.{digits}g}")
            if _as_float32(shortest) == value:
                return str(shortest)
    return str(value)


def _as_float32(value):
    from ._wire import pack_float, unpack_float
    try:
        return unpack_float(pack_float(value))[0]
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _scalar_text(msg_cls, f, kind, value):
    if kind == "string":
        return '"' + _escape(value.encode("utf-8")) + '"'
    if kind == "bytes":
        return '"' + _escape(value) + '"'
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("float", "double"):
        return _float_text(value, kind)
    if kind == "enum":
        try:
            return _enum_for(msg_cls, f).Name(value)
        except ValueError:
            return str(value)
    return str(value)


def _write(msg, indent, lines):
    msg._materialize()
    pad = " " * indent
    cls = type(msg)
    for f in cls._FIELDS:
        if f.name not in msg.__dict__ and not (f.oneof and f.name in msg._present):
            continue
        value = getattr(msg, f.name)
        if f.kind == "map":
            for key in sorted(value):   # protobuf's text format sorts map entries by key
                item = dict.__getitem__(value, key)
                lines.append(f"{pad}{f.name} {{")
                # an entry is a message of its own: a key or scalar value equal to its default is left out
                if key != _SCALAR_DEFAULTS[f.key_kind]:
                    lines.append(f"{pad}  key: {_scalar_text(cls, f, f.key_kind, key)}")
                if f.value_kind == "message":
                    lines.append(f"{pad}  value {{")
                    _write(item, indent + 4, lines)
                    lines.append(f"{pad}  }}")
                elif item != _SCALAR_DEFAULTS[f.value_kind]:
                    lines.append(f"{pad}  value: {_scalar_text(cls, f, f.value_kind, item)}")
                lines.append(f"{pad}}}")
        elif f.repeated:
            for item in value:
                if f.kind == "message":
                    lines.append(f"{pad}{f.name} {{")
                    _write(item, indent + 2, lines)
                    lines.append(f"{pad}}}")
                else:
                    lines.append(f"{pad}{f.name}: {_scalar_text(cls, f, f.kind, item)}")
        elif f.kind == "message":
            if f.name in msg._present:
                lines.append(f"{pad}{f.name} {{")
                _write(value, indent + 2, lines)
                lines.append(f"{pad}}}")
        elif (f.oneof and f.name in msg._present) or (not f.oneof and value != f.default) or \
                (f.kind in ("float", "double") and math.copysign(1.0, value) < 0):
            lines.append(f"{pad}{f.name}: {_scalar_text(cls, f, f.kind, value)}")


def MessageToString(message, as_utf8=False, **unused):  # noqa: N802 - protobuf's name
    """The text format of `message` (fields in number order, two spaces per level, a newline after each).

    Example:
        >>> MessageToString(TensorShapeProto(dim=[TensorShapeProto.Dim(size=3)]))
        'dim {\\n  size: 3\\n}\\n'
    """
    lines = []
    _write(message, 0, lines)
    return "".join(line + "\n" for line in lines)


# --- reading ----------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n\f\v]+|\#[^\n]*) |
    (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*') |
    (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)[fF]?) |
    (?P<ident>[-]?[A-Za-z_][A-Za-z0-9_.]*) |
    (?P<symbol>[{}<>:\[\],;])
""", re.VERBOSE)
_ESCAPES = {"n": 10, "r": 13, "t": 9, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11, "?": 63}


def _tokens(text):
    pos, line = 0, 1
    out = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(f"{line}:{pos}: unexpected character {text[pos]!r}")
        kind = m.lastgroup
        if kind != "space":
            out.append((kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    return out


def _unescape(token, line):
    body = token[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ParseError(f"{line}: invalid escape at the end of a string")
        c = body[i]
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
            i += 1
        elif c in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[i:]).group()
            out.append(int(digits, 8) & 0xFF)
            i += len(digits)
        elif c in "xX":
            digits = re.match(r"[0-9a-fA-F]{1,2}", body[i + 1:])
            if digits is None:
                raise ParseError(f"{line}: invalid \\x escape")
            out.append(int(digits.group(), 16))
            i += 1 + len(digits.group())
        else:
            raise ParseError(f"{line}: invalid escape sequence \\{c}")
    return bytes(out)


class _Reader:
    def __init__(self, text):
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, None)

    def next(self):
        tok = self.peek()
        if tok[0] is None:
            raise ParseError("unexpected end of text")
        self.i += 1
        return tok

    def accept(self, symbol):
        kind, value, _ = self.peek()
        if kind == "symbol" and value == symbol:
            self.i += 1
            return True
        return False

    def expect(self, symbol):
        kind, value, line = self.next()
        if value != symbol:
            raise ParseError(f"{line}: expected {symbol!r}, found {value!r}")


def _parse_scalar(reader, msg_cls, f, kind):
    tok_kind, value, line = reader.next()
    try:
        if kind in ("string", "bytes"):
            if tok_kind != "string":
                raise ParseError(f"{line}: expected a string for field '{f.name}', found {value!r}")
            data = _unescape(value, line)
            while reader.peek()[0] == "string":   # adjacent strings are concatenated
                data += _unescape(reader.next()[1], line)
            return data.decode("utf-8") if kind == "string" else data
        if kind == "bool":
            if value in ("true", "True", "t", "1"):
                return True
            if value in ("false", "False", "f", "0"):
                return False
            raise ParseError(f"{line}: expected a bool for field '{f.name}', found {value!r}")
        if kind in ("float", "double"):
            low = value.lower()
            if low in ("inf", "infinity", "-inf", "-infinity", "nan", "-nan", "inff", "-inff", "nanf"):
                return float(low.rstrip("f") if low.endswith("ff") or low == "nanf" else low)
            if tok_kind != "number":
                raise ParseError(f"{line}: expected a number for field '{f.name}', found {value!r}")
            if value.lower().startswith(("0x", "-0x", "+0x")):
                return float(int(value, 16))
            return float(value.rstrip("fF"))
        if kind == "enum" and tok_kind == "ident":
            try:
                return _enum_for(msg_cls, f).Value(value)
            except ValueError:
                raise ParseError(f"{line}: unknown enum value {value!r} for field '{f.name}'") from None
        if tok_kind != "number" or value.rstrip("fF") != value and not value.lower().startswith(("0x", "-0x")):
            raise ParseError(f"{line}: expected an integer for field '{f.name}', found {value!r}")
        return int(value, 0) if not re.fullmatch(r"[-+]?0\d+", value) else int(value, 8)
    except ValueError as e:
        raise ParseError(f"{line}: invalid value {value!r} for field '{f.name}': {e}") from None


def _parse_message_body(reader, msg, closing):
    cls = type(msg)
    while True:
        kind, value, line = reader.peek()
        if kind is None:
            if closing is None:
                return
            raise ParseError(f"{line}: expected {closing!r} before the end of text")
        if kind == "symbol" and value == closing:
            reader.next()
            return
        kind, name, line = reader.next()
        if kind != "ident":
            raise ParseError(f"{line}: expected a field name, found {name!r}")
        f = cls._by_name.get(name)
        if f is None:
            raise ParseError(f'{line}: Message type "{cls._full_name()}" has no field named "{name}".')
        if f.kind in ("message", "map"):
            reader.accept(":")
            if reader.accept("["):
                if not reader.accept("]"):
                    while True:
                        _parse_one_message(reader, msg, f)
                        if reader.accept("]"):
                            break
                        reader.expect(",")
            else:
                _parse_one_message(reader, msg, f)
        else:
            reader.expect(":")
            if f.repeated and reader.accept("["):
                if not reader.accept("]"):
                    while True:
                        getattr(msg, f.name).append(_parse_scalar(reader, cls, f, f.kind))
                        if reader.accept("]"):
                            break
                        reader.expect(",")
            elif f.repeated:
                getattr(msg, f.name).append(_parse_scalar(reader, cls, f, f.kind))
            else:
                if f.name in msg.__dict__ and not f.oneof:
                    raise ParseError(f'{line}: Message type "{cls._full_name()}" should not have multiple '
                                     f'"{f.name}" fields.')
                setattr(msg, f.name, _parse_scalar(reader, cls, f, f.kind))
        if not reader.accept(","):
            reader.accept(";")


def _parse_one_message(reader, msg, f):
    if reader.accept("{"):
        closing = "}"
    else:
        reader.expect("<")
        closing = ">"
    if f.kind == "map":
        entry = _MapEntry(f)
        _parse_message_body(reader, entry, closing)
        target = getattr(msg, f.name)
        if f.value_kind == "message":
            target[entry.key].CopyFrom(entry.value)
        else:
            target[entry.key] = entry.value
        return
    if f.repeated:
        child = getattr(msg, f.name).add()
    else:
        child = getattr(msg, f.name)
        child.SetInParent()
    _parse_message_body(reader, child, closing)


_ENTRY_CLASSES = {}


def _MapEntry(f):  # noqa: N802 - makes a message
    """A message for one `key: ... value ...` block of the map field `f` while it is read."""
    cls = _ENTRY_CLASSES.get(id(f))
    if cls is None:
        from ._fields import _Field
        value = _Field("value", 2, f.value_kind, message=f.message)
        cls = type(f"{f.name}_entry", (Message,), {"_FIELDS": [_Field("key", 1, f.key_kind), value],
                                                   "_resolved": True, "_PROTO_NAME": f.name + "Entry"})
        _ENTRY_CLASSES[id(f)] = cls
    return cls()


def Merge(text, message):  # noqa: N802
    """Reads the text-format `text` into `message` (fields it sets are added to what it holds); returns it.

    Raises:
        ParseError: the text is malformed or names fields the message does not have.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    _parse_message_body(_Reader(text), message, None)
    return message


def Parse(text, message):  # noqa: N802
    """Replaces the content of `message` by the text-format message in `text`; returns it."""
    message.Clear()
    return Merge(text, message)
