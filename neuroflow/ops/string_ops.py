"""String primitives on bytes tensors (TensorFlow's StringJoin, StringLength, Substr, StringToNumber, RegexReplace,
AsString, StringSplit, StringSplitV2): host kernels over object arrays of `bytes`, none differentiable; the public
functions of `tf.strings` and their TF1 top-level names (tf.string_join, tf.substr, ...)."""
import re

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument
from .shape_inference import broadcast_shape

__all__ = ["string_join", "substr", "string_to_number", "regex_replace", "as_string", "string_split", "string_strip",
           "reduce_join"]

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


@register
class ReduceJoin(_StringOp):
    """The strings along attr `axis` joined with `separator`, axis by axis in the order given (so [1, 0] joins rows
    first, [0, 1] columns first); None means every axis, last first."""

    type_name = "ReduceJoin"
    input_names = ("inputs",)

    def canonicalize_attrs(self, inputs, attrs):
        rank = inputs[0].shape.ndims
        axis = attrs["axis"]
        if axis is None:
            if rank is None:
                raise ValueError("reduce_join over every axis needs the input's rank")
            axis = list(range(rank))[::-1]
        axis = [int(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis])]
        if rank is not None:
            for a in axis:
                if not -rank <= a < rank:
                    raise ValueError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
            axis = list(dict.fromkeys(a % rank for a in axis))
        return {**attrs, "axis": axis}

    def infer(self, inputs, attrs):
        x = inputs[0]
        _check_string(x, "ReduceJoin", "inputs")
        if x.shape.ndims is None:
            return [(TensorShape(None), dtypes.string)]
        dims = x.shape.as_list()
        kept = [1 if i in attrs["axis"] else d for i, d in enumerate(dims)] if attrs["keep_dims"] else \
            [d for i, d in enumerate(dims) if i not in attrs["axis"]]
        return [(TensorShape(kept), dtypes.string)]

    def forward(self, xp, x, axis, keep_dims, separator):
        x = xp.asarray(x)
        sep = _bytes(separator)
        rest = [i for i in range(x.ndim) if i not in axis]
        rest_shape = tuple(x.shape[i] for i in rest)
        n_rows = 1
        for d in rest_shape:
            n_rows *= d
        width = 1
        for i in axis:
            width *= x.shape[i]
        # The axis reduced first varies fastest in the joined order; explicit sizes keep empty inputs right.
        rows = xp.transpose(x, rest + list(axis)[::-1]).reshape(n_rows, width)
        out = xp.empty(rest_shape, dtype=object)
        flat_out = out.reshape(-1)
        for i, row in enumerate(rows.tolist()):
            flat_out[i] = sep.join(row)
        if keep_dims:
            out = out.reshape(tuple(1 if i in axis else x.shape[i] for i in range(x.ndim)))
        return out


class _Split(_StringOp):
    """A 1-D string tensor split per element: a SparseTensor's indices [N, 2], values [N] and dense_shape [2]."""

    num_outputs = 3
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        source, sep = inputs
        _check_string(source, self.type_name, "input")
        if source.shape.ndims not in (None, 1):
            raise InferenceError(f"Shape must be rank 1 but is rank {source.shape.ndims}")
        return [(TensorShape([None, 2]), dtypes.int64), (TensorShape([None]), dtypes.string),
                (TensorShape([2]), dtypes.int64)]

    def forward(self, xp, source, sep, **attrs):
        sep = xp.asarray(sep).reshape(()).tolist()
        rows = [self.split(s, _bytes(sep), **attrs) for s in xp.asarray(source).tolist()]
        indices = [(r, c) for r, parts in enumerate(rows) for c in range(len(parts))]
        values = xp.empty(len(indices), dtype=object)
        for k, piece in enumerate(p for parts in rows for p in parts):
            values[k] = piece
        width = max((len(parts) for parts in rows), default=0)
        return (xp.asarray(indices, dtype=xp.int64).reshape(-1, 2), values,
                xp.asarray([len(rows), width], dtype=xp.int64))


@register
class StringSplit(_Split):
    """TF1's tf.string_split: every byte of the delimiter splits (an empty delimiter splits into bytes)."""

    type_name = "StringSplit"
    input_names = ("input", "delimiter")

    @staticmethod
    def split(s, delimiter, skip_empty):
        if not delimiter:
            return [s[i:i + 1] for i in range(len(s))]
        parts = re.split(b"[" + re.escape(delimiter) + b"]", s)
        return [p for p in parts if p] if skip_empty else parts


@register
class StringSplitV2(_Split):
    """tf.strings.split: Python's bytes.split(sep, maxsplit) per element (sep "" means runs of whitespace)."""

    type_name = "StringSplitV2"
    input_names = ("input", "sep")

    @staticmethod
    def split(s, sep, maxsplit):
        return s.split(sep or None, maxsplit)


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


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None, reduction_indices=None,
                keepdims=None):
    """The strings along `axis` (all axes when None) joined in order: `tf.reduce_join([["a", "b"], ["c", "d"]],
    axis=1)` is [b"ab", b"cd"]."""
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    return apply_op(ReduceJoin, [_strings(inputs, "inputs")], {"axis": axis, "keep_dims": keep,
                                                              "separator": separator}, name=name or "ReduceJoin")


def _sparse(parts):
    from ..framework.sparse_tensor import SparseTensor
    return SparseTensor(*parts)


def string_split(source, delimiter=" ", skip_empty=True, sep=None, result_type="SparseTensor", name=None):
    """TF1's tf.string_split: each string of the 1-D `source` split at every byte of `delimiter`, as a
    SparseTensor [number of strings, most parts]."""
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'SparseTensor' (neuroflow has no RaggedTensor)")
    delimiter = sep if sep is not None else delimiter
    return _sparse(apply_op(StringSplit, [_strings(source), _strings(delimiter, "delimiter")],
                            {"skip_empty": bool(skip_empty)}, name=name or "StringSplit"))


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None,  # noqa: A002
                  name=None):
    """tf.strings.split: each string of the 1-D input split as Python's bytes.split(sep, maxsplit) splits it,
    as a SparseTensor."""
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'SparseTensor' (neuroflow has no RaggedTensor)")
    source = input if input is not None else source
    return _sparse(apply_op(StringSplitV2, [_strings(source), _strings(sep or "", "sep")],
                            {"maxsplit": int(maxsplit)}, name=name or "StringSplit"))
