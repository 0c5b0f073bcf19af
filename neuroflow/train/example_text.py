"""The protobuf text form of `tf.train.Example`'s messages (example_proto, sequence_example_proto): what
`print(example)` and `repr` show, fields in number order, bytes escaped as protobuf escapes them."""
import numpy as np

from ..framework.tf_protos.text_format import _escape   # protobuf's escaping, written once

__all__ = ["message_text"]


def message_text(message):
    """The text form of an Example message, ending in a newline (empty for an empty message).

    Example:
        >>> print(message_text(tf.train.Int64List(value=[3])), end="")
        value: 3
    """
    text = "\n".join(_lines(message, 0))
    return text + "\n" if text else ""


def _lines(message, indent):
    pad, lines = "  " * indent, []
    for name, _, kind, _cls in message._FIELDS:
        if not message._is_set(name):
            continue
        value = message._values[name]
        if kind == "message":
            lines += [f"{pad}{name} {{", *_lines(value, indent + 1), f"{pad}}}"]
        elif kind == "map":
            for key, item in value.items():
                lines += [f"{pad}{name} {{", f'{pad}  key: "{_escape(key.encode("utf-8"))}"',
                          f"{pad}  value {{", *_lines(item, indent + 2), f"{pad}  }}", f"{pad}}}"]
        elif kind == "messages":
            for item in value:
                lines += [f"{pad}{name} {{", *_lines(item, indent + 1), f"{pad}}}"]
        elif kind == "bytes":
            lines += [f'{pad}{name}: "{_escape(v)}"' for v in value]
        elif kind == "float":
            lines += [f"{pad}{name}: {_float_text(v)}" for v in value]
        else:
            lines += [f"{pad}{name}: {v}" for v in value]
    return lines


def _float_text(v):
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if np.isnan(v):
        return "nan"
    return np.format_float_positional(np.float32(v), trim="-") if abs(v) < 1e16 else str(np.float32(v))
