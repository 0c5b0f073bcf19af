"""The ONNX node importers, a registry keyed by ONNX op type: `fn(ctx, node, attrs)` returns the neuroflow
tensor(s) of the node's outputs, built with neuroflow's public op functions. Covers the op set the exporter
writes (opset 13-17): arithmetic, reductions, shapes, slicing, NCHW convolution and pooling, batch
normalization, softmax and forward LSTMs."""
import numpy as np

__all__ = ["get_importer", "importer"]

_IMPORTERS = {}
INT64_MAX = np.iinfo(np.int64).max


def importer(*op_types):
    """Decorator registering `fn(ctx, node, attrs)` as the importer of the given ONNX op types (ONNX's names:
    neuroflow builds what they compute with its public functions, so no OpDef is named here)."""
    def register(fn):
        for t in op_types:
            if t in _IMPORTERS:
                raise ValueError(f"ONNX importer for {t} registered twice")
            _IMPORTERS[t] = fn
        return fn
    return register


def get_importer(op_type):
    return _IMPORTERS.get(op_type)


def _tf():
    import neuroflow as tf
    return tf


def _ints(value):
    return [int(v) for v in np.asarray(value).ravel()]


# --- elementwise ------------------------------------------------------------------------------------------------
_UNARY = {"Abs": "abs", "Ceil": "ceil", "Cos": "cos", "Exp": "exp", "Floor": "floor", "Log": "log",
          "Neg": "negative", "Reciprocal": "reciprocal", "Sigmoid": "sigmoid", "Sign": "sign", "Sin": "sin",
          "Sqrt": "sqrt", "Tanh": "tanh", "Round": "round", "Not": "logical_not", "Identity": "identity"}
_NN_UNARY = {"Relu": "relu", "Softplus": "softplus", "Softsign": "softsign"}
_BINARY = {"Add": "add", "Sub": "subtract", "Mul": "multiply", "Pow": "pow", "Equal": "equal",
           "Greater": "greater", "GreaterOrEqual": "greater_equal", "Less": "less", "LessOrEqual": "less_equal",
           "And": "logical_and", "Or": "logical_or"}


@importer(*_UNARY)
def _unary(ctx, node, attrs):
    return getattr(_tf(), _UNARY[node.op_type])(ctx.input(node, 0))


@importer(*_NN_UNARY)
def _nn_unary(ctx, node, attrs):
    return getattr(_tf().nn, _NN_UNARY[node.op_type])(ctx.input(node, 0))


@importer(*_BINARY)
def _binary(ctx, node, attrs):
    return getattr(_tf(), _BINARY[node.op_type])(ctx.input(node, 0), ctx.input(node, 1))


@importer("Div")
def _div(ctx, node, attrs):
    tf = _tf()
    x, y = ctx.input(node, 0), ctx.input(node, 1)
    if x.dtype.base_dtype.is_floating:
        return tf.divide(x, y)
    # ONNX's integer division truncates toward zero.
    q = tf.floordiv(tf.abs(x), tf.abs(y))
    return tf.where(tf.equal(tf.less(x, 0), tf.less(y, 0)), q, -q)


@importer("Mod")
def _mod(ctx, node, attrs):
    if attrs.get("fmod", 0):
        ctx.fail("fmod=1 (C's fmod) is not supported")
    return _tf().floormod(ctx.input(node, 0), ctx.input(node, 1))


@importer("Max", "Min", "Sum")
def _variadic(ctx, node, attrs):
    tf = _tf()
    values = [ctx.input(node, i) for i in range(len(node.input))]
    if node.op_type == "Sum":
        return tf.add_n(values) if len(values) > 1 else tf.identity(values[0])
    fn = tf.maximum if node.op_type == "Max" else tf.minimum
    out = values[0]
    for v in values[1:]:
        out = fn(out, v)
    return out


@importer("Elu", "LeakyRelu", "Selu")
def _param_activations(ctx, node, attrs):
    tf = _tf()
    x = ctx.input(node, 0)
    if node.op_type == "LeakyRelu":
        return tf.nn.leaky_relu(x, attrs.get("alpha", 0.01))
    if node.op_type == "Elu":
        alpha = attrs.get("alpha", 1.0)
        return tf.nn.elu(x) if alpha == 1.0 else tf.where(x > 0, x, alpha * (tf.exp(x) - 1))
    alpha, gamma = attrs.get("alpha", 1.67326319), attrs.get("gamma", 1.05070102)
    if abs(alpha - 1.6732632) < 1e-6 and abs(gamma - 1.0507010) < 1e-6:
        return tf.nn.selu(x)
    return gamma * tf.where(x > 0, x, alpha * (tf.exp(x) - 1))


@importer("Clip")
def _clip(ctx, node, attrs):
    tf = _tf()
    out = ctx.input(node, 0)
    low, high = ctx.input(node, 1), ctx.input(node, 2)
    if low is not None:
        out = tf.maximum(out, low)
    if high is not None:
        out = tf.minimum(out, high)
    return out


@importer("Cast")
def _cast(ctx, node, attrs):
    from .importer import dtype_of
    return _tf().cast(ctx.input(node, 0), dtype_of(attrs["to"], "Cast"))


@importer("Constant")
def _constant(ctx, node, attrs):
    if "value" not in attrs:
        ctx.fail("only a 'value' tensor attribute is supported")
    return _tf().constant(attrs["value"])


# --- matrices and reductions ----------------------------------------------------------------------------------------
@importer("MatMul")
def _matmul(ctx, node, attrs):
    return _tf().matmul(ctx.input(node, 0), ctx.input(node, 1))


@importer("Gemm")
def _gemm(ctx, node, attrs):
    tf = _tf()
    y = tf.matmul(ctx.input(node, 0), ctx.input(node, 1), transpose_a=bool(attrs.get("transA", 0)),
                  transpose_b=bool(attrs.get("transB", 0)))
    if attrs.get("alpha", 1.0) != 1.0:
        y = y * attrs["alpha"]
    c = ctx.input(node, 2)
    if c is not None:
        y = y + (c if attrs.get("beta", 1.0) == 1.0 else c * attrs["beta"])
    return y


@importer("Einsum")
def _einsum(ctx, node, attrs):
    """The two-operand contractions tensordot writes: no repeated letter, every shared letter contracted."""
    equation = attrs["equation"].replace(" ", "")
    lhs, out = equation.split("->")
    terms = lhs.split(",")
    if len(terms) != 2 or any(len(set(t)) != len(t) for t in terms):
        ctx.fail(f"only two-operand contractions are supported, not '{equation}'")
    a, b = terms
    shared = [c for c in a if c in b]
    if any(c in out for c in shared):
        ctx.fail(f"batch dimensions in '{equation}' are not supported")
    tf = _tf()
    y = tf.tensordot(ctx.input(node, 0), ctx.input(node, 1), [[a.index(c) for c in shared],
                                                              [b.index(c) for c in shared]])
    natural = [c for c in a if c not in shared] + [c for c in b if c not in shared]
    perm = [natural.index(c) for c in out]
    return y if perm == sorted(perm) else tf.transpose(y, perm)


def _reduce_axes(ctx, node, attrs):
    if node.op_type == "ReduceSum" or len(node.input) > 1:
        value = ctx.value(node, 1)
        if value is None and len(node.input) > 1 and node.input[1]:
            ctx.fail("the axes must be a constant")
        axes = None if value is None else _ints(value)
    else:
        axes = attrs.get("axes")
    if axes is not None and not axes and attrs.get("noop_with_empty_axes", 0):
        return []
    return None if not axes else list(axes)


@importer("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd")
def _reduce(ctx, node, attrs):
    tf = _tf()
    axes = _reduce_axes(ctx, node, attrs)
    x = ctx.input(node, 0)
    if axes == []:
        return tf.identity(x)
    fn = {"ReduceSum": tf.reduce_sum, "ReduceMean": tf.reduce_mean, "ReduceMax": tf.reduce_max,
          "ReduceMin": tf.reduce_min, "ReduceProd": tf.reduce_prod}[node.op_type]
    return fn(x, axis=axes, keepdims=bool(attrs.get("keepdims", 1)))


@importer("ArgMax", "ArgMin")
def _arg(ctx, node, attrs):
    tf = _tf()
    if attrs.get("select_last_index", 0):
        ctx.fail("select_last_index=1 is not supported")
    axis = int(attrs.get("axis", 0))
    fn = tf.argmax if node.op_type == "ArgMax" else tf.argmin
    y = fn(ctx.input(node, 0), axis=axis, output_type=tf.int64)
    return tf.expand_dims(y, axis) if attrs.get("keepdims", 1) else y


@importer("CumSum")
def _cumsum(ctx, node, attrs):
    axis = int(ctx.require_value(node, 1, "axis"))
    return _tf().cumsum(ctx.input(node, 0), axis=axis, exclusive=bool(attrs.get("exclusive", 0)),
                        reverse=bool(attrs.get("reverse", 0)))


@importer("Softmax", "LogSoftmax")
def _softmax(ctx, node, attrs):
    tf = _tf()
    fn = tf.nn.softmax if node.op_type == "Softmax" else tf.nn.log_softmax
    return fn(ctx.input(node, 0), axis=int(attrs.get("axis", -1)))


from . import import_shapes  # noqa: E402,F401 - registers the shape, convolution and recurrent importers
from . import import_sparse  # noqa: E402,F401 - GatherND, ScatterND
from . import import_image  # noqa: E402,F401 - Resize
from . import import_control_flow  # noqa: E402,F401 - If, Loop
