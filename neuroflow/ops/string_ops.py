"""Elementwise string primitives on bytes tensors (TensorFlow's StringJoin, StringLength, Substr, StringToNumber,
RegexReplace, AsString, StringStrip, StringLower, StringUpper): host kernels over object arrays of `bytes`, none
differentiable; the public functions of `tf.strings` and their TF1 top-level names (tf.string_join, tf.substr, ...).
Splitting and joining along axes: string_split_join_ops.py."""
import re

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument
from .shape_inference import broadcast_shape

__all__ = ["string_join", "substr", "string_to_number", "regex_replace", "as_string", "string_strip"]

_UNITS = ("BYTE", "UTF8_CHAR")


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _map(xp, fn, out_dtype, *arrays):
    """`fn` applied to the elements of the broadcast `arrays` (a host loop: strings live on the host)."""
    arrays = xp.broadcast_arrays(*[xp.asarray(a) for a in arrays])
    out = xp.empty(arrays[0].shape, dtype=out_dtype)
    flat = out.reshape(-1)
    for i, items in enumerate(zip(*[a.reshape(-1).tolist() for a in arrays])):
        flat[i] = fn(i, *items)
    return out


def _check_string(tensor, op_name, arg):
    if tensor.dtype.base_dtype is not dtypes.string:
        raise TypeError(f"Input '{arg}' of '{op_name}' Op has type {tensor.dtype.base_dtype.name} that does not "
                        f"match expected type of string.")


class _StringOp(OpDef):
    allowed_dtypes = None
    grad = None


@register
class StringJoin(_StringOp):
    """The inputs (same shapes, or scalars) joined elementwise with attr `separator`."""

    type_name = "StringJoin"
    input_names = ("inputs",)
    variadic = True

    def canonicalize_attrs(self, inputs, attrs):
        return {**attrs, "N": len(inputs)}

    def infer(self, inputs, attrs):
        shape = TensorShape([])
        for i, t in enumerate(inputs):
            _check_string(t, "StringJoin", "inputs")
            if t.shape.ndims == 0:
                continue
            if shape.ndims == 0:
                shape = t.shape
            elif not shape.is_compatible_with(t.shape):
                raise InferenceError(f"Inputs must be scalars or the same shape, but input {i} has shape "
                                     f"{t.shape.bracket_str()} and an earlier input {shape.bracket_str()}")
            else:
                shape = shape.merge_with(t.shape)
        return [(shape, dtypes.string)]

    def forward(self, xp, *arrays, separator, N):
        sep = _bytes(separator)
        return _map(xp, lambda i, *parts: sep.join(parts), object, *arrays)


@register
class StringLength(_StringOp):
    """Bytes, or UTF-8 characters (attr unit), per element."""

    type_name = "StringLength"
    input_names = ("input",)

    def infer(self, inputs, attrs):
        _check_string(inputs[0], "StringLength", "input")
        if attrs["unit"] not in _UNITS:
            raise ValueError(f"unit must be one of {list(_UNITS)}, got '{attrs['unit']}'")
        return [(inputs[0].shape, dtypes.int32)]

    def forward(self, xp, x, unit):
        if unit == "BYTE":
            return _map(xp, lambda i, s: len(s), xp.int32, x)
        return _map(xp, lambda i, s: len(s.decode("utf-8", errors="replace")), xp.int32, x)


@register
class Substr(_StringOp):
    """input[pos:pos + len] per element (pos < 0 counts from the end); pos outside the string is an error."""

    type_name = "Substr"
    input_names = ("input", "pos", "len")
    same_dtype = ("pos", "len")

    def infer(self, inputs, attrs):
        x, pos, length = inputs
        _check_string(x, "Substr", "input")
        if pos.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'pos' has DataType {pos.dtype.base_dtype.name} not in list "
                            f"of allowed values: int32, int64")
        if not pos.shape.is_compatible_with(length.shape):
            raise InferenceError(f"pos and len should have the same shape, got: {pos.shape.bracket_str()} vs. "
                                 f"{length.shape.bracket_str()}")
        return [(broadcast_shape(x.shape, pos.shape), dtypes.string)]

    def forward(self, xp, x, pos, length, unit):
        def cut(i, s, p, n):
            text = s.decode("utf-8") if unit == "UTF8_CHAR" else s
            if not -len(text) <= p <= len(text):
                # TensorFlow's message has no space before b'...'.
                raise invalid_argument(f"pos {p} out of range for stringb'{s.decode('utf-8', 'replace')}' at "
                                       f"index {i}")
            start = p + len(text) if p < 0 else p
            piece = text[start:start + max(n, 0)]
            return piece.encode("utf-8") if unit == "UTF8_CHAR" else piece
        return _map(xp, cut, object, x, pos, length)


_INT_RANGE = {dtypes.int32: (-2 ** 31, 2 ** 31 - 1), dtypes.int64: (-2 ** 63, 2 ** 63 - 1)}


@register
class StringToNumber(_StringOp):
    """Parses each element as attr `out_type` (float32/float64 as strtod does, hex included; int32/int64)."""

    type_name = "StringToNumber"
    input_names = ("string_tensor",)

    def infer(self, inputs, attrs):
        _check_string(inputs[0], "StringToNumber", "string_tensor")
        out = dtypes.as_dtype(attrs["out_type"])
        if out not in (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'out_type' has DataType {out.name} not in list of allowed "
                            f"values: float32, float64, int32, int64")
        return [(inputs[0].shape, out)]

    def forward(self, xp, x, out_type):
        out = dtypes.as_dtype(out_type)

        def parse(i, s):
            text = s.decode("utf-8", errors="replace").strip()
            try:
                if out in _INT_RANGE:
                    value = int(text, 10)
                    low, high = _INT_RANGE[out]
                    if not low <= value <= high:
                        raise ValueError(text)
                    return value
                try:
                    return float(text)
                except ValueError:
                    return float.fromhex(text)  # strtod reads hexadecimal too ("0xF" is 15)
            except ValueError:
                raise invalid_argument(f"StringToNumberOp could not correctly convert string: "
                                       f"{s.decode('utf-8', 'replace')}") from None
        return _map(xp, parse, out.as_numpy_dtype, x)


@register
class RegexReplace(_StringOp):
    """Replaces the first or (attr replace_global) every match of `pattern` by `rewrite` (\\1 for groups)."""

    type_name = "RegexReplace"
    input_names = ("input", "pattern", "rewrite")

    def infer(self, inputs, attrs):
        for t, arg in zip(inputs, self.input_names):
            _check_string(t, "RegexReplace", arg)
        for t, arg in zip(inputs[1:], self.input_names[1:]):
            if t.shape.ndims not in (None, 0):
                raise InferenceError(f"Shape must be rank 0 but is rank {t.shape.ndims} for '{arg}'")
        return [(inputs[0].shape, dtypes.string)]

    def forward(self, xp, x, pattern, rewrite, replace_global):
        pattern, rewrite = (xp.asarray(v).reshape(()).tolist() for v in (pattern, rewrite))
        try:
            regex = re.compile(_bytes(pattern))
        except re.error as e:
            raise invalid_argument(f"Invalid pattern: {_bytes(pattern).decode('utf-8', 'replace')}, error: {e}") \
                from None
        replacement = _bytes(rewrite)
        count = 0 if replace_global else 1
        # A function as replacement: the rewrite's \1 groups are expanded, and nothing else in it is interpreted.
        return _map(xp, lambda i, s: regex.sub(lambda m: m.expand(replacement), s, count=count), object, x)


@register
class AsString(_StringOp):
    """Numbers and booleans formatted as text (printf's %d / %f / %e / %g with width, fill and precision)."""

    type_name = "AsString"
    input_names = ("input",)

    def infer(self, inputs, attrs):
        dt = inputs[0].dtype.base_dtype
        if dt is dtypes.string:
            raise TypeError("Value passed to parameter 'input' has DataType string not in list of allowed values: "
                            "int8, int16, int32, int64, complex64, complex128, float32, float64, bool")
        fill = attrs["fill"]
        if len(fill) > 1:
            raise ValueError(f"Fill string must be one or fewer characters: {fill}")
        if attrs["scientific"] and attrs["shortest"]:
            raise ValueError("Cannot select both scientific and shortest notation")
        if dt.is_integer and attrs["precision"] > -1:
            raise ValueError("Cannot specify precision for non-float type")
        return [(inputs[0].shape, dtypes.string)]

    def forward(self, xp, x, precision, scientific, shortest, width, fill):
        kind = xp.asarray(x).dtype.kind
        spec = "%" + fill + (str(width) if width > -1 else "")
        if kind in "fc":
            spec += (f".{precision}" if precision > -1 else "") + ("g" if shortest else "e" if scientific else "f")
        else:
            spec += "d"

        def fmt(i, v):
            if kind == "b":
                return (spec.replace("d", "s") % ("true" if v else "false")).encode()
            if kind == "c":
                return f"({spec % v.real},{spec % v.imag})".encode()
            return (spec % v).encode()
        return _map(xp, fmt, object, x)


class _Elementwise(_StringOp):
    input_names = ("input",)

    def infer(self, inputs, attrs):
        _check_string(inputs[0], self.type_name, "input")
        return [(inputs[0].shape, dtypes.string)]

    def forward(self, xp, x, **attrs):
        return _map(xp, lambda i, s: self.apply(s, **attrs), object, x)


@register
class StringStrip(_Elementwise):
    """Leading and trailing ASCII whitespace removed."""

    type_name = "StringStrip"

    @staticmethod
    def apply(s):
        return s.strip()


@register
class StringLower(_Elementwise):
    """Lower case: ASCII letters only when attr encoding is "", all of Unicode's with "utf-8"."""

    type_name = "StringLower"

    @staticmethod
    def apply(s, encoding):
        return s.decode("utf-8").lower().encode("utf-8") if encoding else s.lower()


@register
class StringUpper(_Elementwise):
    """Upper case: ASCII letters only when attr encoding is "", all of Unicode's with "utf-8"."""

    type_name = "StringUpper"

    @staticmethod
    def apply(s, encoding):
        return s.decode("utf-8").upper().encode("utf-8") if encoding else s.upper()


def _strings(value, name="input"):
    # A tensor of another dtype goes to `infer`, whose TypeError names the op and the input as TensorFlow does.
    if isinstance(value, Tensor):
        return value
    return convert_to_tensor(value, dtype=dtypes.string, name=name)


def string_join(inputs, separator="", name=None):
    """The strings of `inputs` (same shapes, or scalars) joined elementwise: `tf.strings.join`."""
    return apply_op(StringJoin, [_strings(t) for t in inputs], {"separator": separator},
                    name=name or "StringJoin")


def string_length(input, name=None, unit="BYTE"):  # noqa: A002 - TensorFlow's argument name
    """The length of each string in bytes, or in UTF-8 characters with unit="UTF8_CHAR": `tf.strings.length`."""
    return apply_op(StringLength, [_strings(input)], {"unit": unit}, name=name or "StringLength")


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002
    """input[pos:pos+len] for each string (pos < 0 counts from the end; pos/len broadcast against input)."""
    return apply_op(Substr, [_strings(input), pos, len], {"unit": unit}, name=name or "Substr")


def string_to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Each string parsed as a number of `out_type`; an unparsable one is an InvalidArgumentError at run time."""
    return apply_op(StringToNumber, [_strings(string_tensor, "string_tensor")],
                    {"out_type": dtypes.as_dtype(out_type)}, name=name or "StringToNumber")


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces matches of the regular expression `pattern` (a pattern is data: matched, never run) by `rewrite`
    in each string; `\\1` in `rewrite` inserts a group."""
    return apply_op(RegexReplace, [_strings(input), _strings(pattern, "pattern"), _strings(rewrite, "rewrite")],
                    {"replace_global": bool(replace_global)}, name=name or "RegexReplace")


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    """Numbers (or booleans) as strings, formatted as TensorFlow's AsString: `tf.as_string(3.5)` is b'3.500000'."""
    attrs = {"precision": int(precision), "scientific": bool(scientific), "shortest": bool(shortest),
             "width": int(width), "fill": fill}
    return apply_op(AsString, [input], attrs, name=name or "AsString")


def string_strip(input, name=None):  # noqa: A002
    """Each string without its leading and trailing whitespace: `tf.strings.strip`."""
    return apply_op(StringStrip, [_strings(input)], name=name or "StringStrip")


def string_lower(input, encoding="", name=None):  # noqa: A002
    """Each string in lower case (ASCII letters only unless encoding="utf-8"): `tf.strings.lower`."""
    return apply_op(StringLower, [_strings(input)], {"encoding": encoding}, name=name or "StringLower")


def string_upper(input, encoding="", name=None):  # noqa: A002
    """Each string in upper case (ASCII letters only unless encoding="utf-8"): `tf.strings.upper`."""
    return apply_op(StringUpper, [_strings(input)], {"encoding": encoding}, name=name or "StringUpper")
