"""Run-time printing and assertions: `tf.Print` (passes its input through, prints data to stderr), `tf.print`
(the PrintV2 op; prints at once in eager mode) and `tf.Assert` (InvalidArgumentError listing the data)."""
import logging
import pprint
import random
import sys

import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.context import executing_eagerly
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..util import nest
from .tensor_format import host_array, summarize as summarize_v1, summarize_v2

__all__ = ["Print", "print_v2", "Assert"]


@register
class PrintOp(OpDef):
    """Input 0 unchanged; prints `message` and each further input, summarized, to stderr (first_n times)."""

    type_name = "Print"
    input_names = ("input",)
    variadic = True
    may_alias_input = True
    foldable = False
    stateful = True  # printing is the point: never dropped, merged or folded away, as in TensorFlow

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, *data, message, first_n, summarize):
        _write(_print_text(data, message, summarize), "stderr")
        return x

    def kernel(self, op, ctx):
        attrs = op.attrs
        if attrs["first_n"] < 0:
            return lambda x, *data: self.forward(ctx.xp, x, *data, **attrs)
        # TensorFlow counts in the kernel, which lives as long as the session: count in its resources.
        key = ("Print", op.name, attrs["message"], attrs["first_n"], attrs["summarize"])
        ctx.resources.setdefault(key, [0])
        counter = ctx.resources[key]

        def print_first_n(x, *data):
            if counter[0] < attrs["first_n"]:
                counter[0] += 1
                _write(_print_text(data, attrs["message"], attrs["summarize"]), "stderr")
            return x
        return print_first_n

    def grad(self, op, g):
        return [g] + [None] * (len(op.inputs) - 1)


def _print_text(data, message, max_entries):
    return message + "".join(f"[{summarize_v1(d, max_entries)}]" for d in data)


def _write(text, stream, end="\n"):
    """Writes to the stream named as TensorFlow's PrintV2 names them, looked up at run time (so a redirected
    sys.stderr, e.g. under a test's capture, receives it)."""
    if stream == "stderr":
        sys.stderr.write(text + end)
        sys.stderr.flush()
    elif stream == "stdout":
        sys.stdout.write(text + end)
        sys.stdout.flush()
    elif stream.startswith("log("):
        level = {"log(info)": logging.INFO, "log(warning)": logging.WARNING, "log(error)": logging.ERROR}[stream]
        logging.getLogger("tensorflow").log(level, text)
    else:  # "file://<path>": appended, as TensorFlow's kernel does
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text + end)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802 - TF's name
    """`input_` unchanged; each time it is computed, writes `message` followed by each tensor of `data` in
    brackets to stderr (TensorFlow's format: `message[1 2 3...]`).

    Args:
        input_: the tensor passed through.
        data: a list of tensors to print.
        message: a prefix for the printed line.
        first_n: print only the first `first_n` times (per session); negative or None: always.
        summarize: how many entries of each tensor to print (default 3; negative: all).
        name: the op's name.

    Example:
        >>> loss = tf.Print(loss, [loss, step], "loss, step: ")
    """
    attrs = {"message": "" if message is None else str(message),
             "first_n": -1 if first_n is None else int(first_n),
             "summarize": 3 if summarize is None else int(summarize)}
    return apply_op(PrintOp, [input_] + list(data), attrs, name=name or "Print")


@register
class PrintV2(OpDef):
    """Writes `template` with each placeholder replaced by the next input's print_v2 text, then `end`, to
    `output_stream`. No outputs: run it, or make it a control dependency."""

    type_name = "PrintV2"
    input_names = ("inputs",)
    variadic = True
    num_outputs = 0
    foldable = False
    stateful = True

    def infer(self, inputs, attrs):
        return []

    def forward(self, xp, *arrays, template, placeholder, summarize, output_stream, end):
        if template == placeholder and len(arrays) == 1 and host_array(arrays[0]).dtype.kind == "O" \
                and host_array(arrays[0]).ndim == 0:
            text = _text_of(host_array(arrays[0])[()])  # a lone string scalar prints as it is
        else:
            pieces = template.split(placeholder)
            text = pieces[0] + "".join(summarize_v2(a, summarize) + piece for a, piece in zip(arrays, pieces[1:]))
        _write(text, output_stream, end)


def _text_of(value):
    return value.decode("utf8", "replace") if isinstance(value, bytes) else str(value)


_STDERR_AT_IMPORT = sys.stderr


def _stream_name(output_stream):
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        return output_stream
    if output_stream is sys.stderr or output_stream is _STDERR_AT_IMPORT:  # the default, bound at import
        return "stderr"
    if output_stream is sys.stdout:
        return "stdout"
    for level, names in (("log(info)", (logging.info, logging.INFO)), ("log(warning)", (logging.warning,
                                                                                        logging.WARNING)),
                         ("log(error)", (logging.error, logging.ERROR))):
        if any(output_stream is n or (isinstance(n, int) and output_stream == n and not isinstance(output_stream,
                                                                                                   bool))
               for n in names):
            return level
    raise ValueError("Unsupported output stream, logging level, or file." + str(output_stream) + ". Supported "
                     "streams are sys.stdout, sys.stderr, tf.logging.info, tf.logging.warning, tf.logging.error. "
                     "File needs to be in the form of 'file://<filepath>'.")


def _is_tensor(x):
    return _is_tensor_like(x)  # a Tensor, or a value that converts to one (a Variable)


def _placeholder_for(text):
    """A placeholder string not in `text` (TensorFlow's _generate_placeholder_string)."""
    placeholder = "{}"
    rng = random.Random(5)
    while placeholder in text:
        placeholder += str(rng.randint(0, 9))
    return placeholder


def print_v2(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):
    """`tf.print`: prints the inputs (tensors, Python values and structures holding tensors), separated by
    `sep`, ended by `end`; each tensor shows its first and last `summarize` entries per dimension.

    In graph mode it returns the op to run (or to use as a control dependency); eagerly it prints now and
    returns None.

    Raises:
        ValueError: an output stream other than sys.stdout, sys.stderr, logging.info/warning/error or
        "file://<path>".

    Example:
        >>> print_op = tf.print("loss:", loss, {"step": step})
        >>> with tf.control_dependencies([print_op]): train = tf.identity(train)
    """
    stream = _stream_name(output_stream)
    if len(inputs) == 1 and _is_tensor(inputs[0]) and convert_to_tensor(inputs[0]).shape.ndims == 0 \
            and convert_to_tensor(inputs[0]).dtype.base_dtype is dtypes.string:
        tensors, template, placeholder = [convert_to_tensor(inputs[0])], "{}", "{}"
    else:
        free = nest.map_structure(lambda x: "" if _is_tensor(x) else x, list(inputs))
        placeholder = _placeholder_for(sep.join(pprint.pformat(x) for x in free))
        tensors, templates = [], []
        for item in inputs:
            if isinstance(item, str):
                templates.append(item)
                continue
            slots = []
            for x in nest.flatten(item):
                if _is_tensor(x):
                    tensors.append(convert_to_tensor(x))
                    slots.append(placeholder)
                else:
                    slots.append(x)
            templates.append(pprint.pformat(nest.pack_sequence_as(item, slots) if nest.is_nested(item) else slots[0]))
        template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
    attrs = {"template": template, "placeholder": placeholder, "summarize": int(summarize),
             "output_stream": stream, "end": end}
    return apply_op(PrintV2, tensors, attrs, name=name or "PrintV2")


@register
class AssertOp(OpDef):
    """Raises InvalidArgumentError "assertion failed: [data0] [data1]..." when `condition` (a scalar) is false."""

    type_name = "Assert"
    input_names = ("condition",)
    variadic = True
    num_outputs = 0
    foldable = False
    stateful = True

    def infer(self, inputs, attrs):
        if inputs[0].dtype.base_dtype is not dtypes.bool:
            raise TypeError(f"Input 'condition' of 'Assert' Op has type {inputs[0].dtype.base_dtype.name} that "
                            "does not match expected type of bool.")
        return []

    def forward(self, xp, condition, *data, summarize):
        shape = tuple(condition.shape)
        if not (shape == () or shape == (1,)):  # TensorFlow's IsLegacyScalar
            raise errors.InvalidArgumentError(None, None, f"In[0] should be a scalar: [{','.join(map(str, shape))}]")
        if bool(condition.reshape(())):
            return None
        raise errors.InvalidArgumentError(None, None, "assertion failed: " + " ".join(
            f"[{summarize_v1(d, summarize)}]" for d in data))


def _summarize_eager(tensor, max_entries):
    """TensorFlow's eager Assert text of one tensor: its first entries joined by ", "."""
    array = np.asarray(tensor.numpy())
    if max_entries is None:
        max_entries = 3
    elif max_entries < 0:
        max_entries = array.size
    if array.ndim:
        items = [str(x) for x in array.reshape(-1)[:max_entries]]
        if len(items) < array.size:
            items.append("...")
    else:
        items = [str(tensor.numpy())] if max_entries != 0 else []  # a NumPy scalar or bytes, as TensorFlow
    return ", ".join(items)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """Asserts that `condition` (a boolean scalar) is true; if not, fails with InvalidArgumentError
    "assertion failed: [data0] [data1]..." (each tensor of `data` summarized to `summarize` entries, default 3).

    In graph mode it returns the assert op: make it a control dependency of what must wait for the check.
    Eagerly it checks now and returns None.

    Example:
        >>> check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x])
        >>> with tf.control_dependencies([check]): y = tf.log(x)
    """
    if executing_eagerly():
        condition = convert_to_tensor(condition)
        if not bool(condition.numpy()):
            tensors = [convert_to_tensor(x) for x in data]
            raise errors.InvalidArgumentError(None, None, "Expected '%s' to be true. Summarized data: %s" % (
                condition, "\n".join(_summarize_eager(t, summarize) for t in tensors)))
        return None
    with name_scope(name, "Assert", [condition, data]):
        summarize = 3 if summarize is None else int(summarize)
        return apply_op(AssertOp, [convert_to_tensor(condition, name="Condition")] + list(data),
                        {"summarize": summarize}, name="Assert")
