"""ONNX node importers for shapes and indexing (reshape, transpose, concat, split, slice, gather, pad, ...), NCHW
convolution and pooling, batch normalization and forward LSTMs (back to the fused BlockLSTM op)."""
import numpy as np

from .import_ops import INT64_MAX, _ints, _tf, importer

__all__ = []


def _int32(ctx, node, i):
    """Input `i` (an int64 shape / axes / indices vector) as int32, constant when it is one."""
    tf = _tf()
    value = ctx.value(node, i)
    if value is not None:
        return tf.constant(np.asarray(value, dtype=np.int64).astype(np.int32))
    return tf.cast(ctx.input(node, i), tf.int32)


@importer("Reshape")
def _reshape(ctx, node, attrs):
    tf = _tf()
    x = ctx.input(node, 0)
    shape = ctx.value(node, 1)
    if shape is None:
        return tf.reshape(x, tf.cast(ctx.input(node, 1), tf.int32))
    shape = _ints(shape)
    if 0 in shape and not attrs.get("allowzero", 0):   # ONNX's 0: copy the input's dim
        dims = tf.shape(x)
        shape = tf.stack([dims[k] if d == 0 else d for k, d in enumerate(shape)])
    return tf.reshape(x, shape)


@importer("Transpose")
def _transpose(ctx, node, attrs):
    return _tf().transpose(ctx.input(node, 0), attrs.get("perm"))


@importer("Concat")
def _concat(ctx, node, attrs):
    return _tf().concat([ctx.input(node, i) for i in range(len(node.input))], int(attrs["axis"]))


@importer("Split")
def _split(ctx, node, attrs):
    split = ctx.value(node, 1)
    n = len(node.output)
    sizes = _ints(split) if split is not None else attrs.get("split") or n
    return _tf().split(ctx.input(node, 0), sizes, axis=int(attrs.get("axis", 0)))


@importer("Squeeze", "Unsqueeze")
def _squeeze(ctx, node, attrs):
    tf = _tf()
    axes = ctx.value(node, 1)
    axes = _ints(axes) if axes is not None else attrs.get("axes")
    x = ctx.input(node, 0)
    if node.op_type == "Squeeze":
        return tf.squeeze(x, axes or None)
    if axes is None:
        ctx.fail("the axes must be a constant")
    rank = x.shape.ndims
    if rank is None:
        ctx.fail("the input's rank must be known")
    for a in sorted(a % (rank + len(axes)) for a in axes):
        x = tf.expand_dims(x, a)
    return x


def _element(vector, k):
    tf = _tf()
    big = np.iinfo(np.int32).max
    return tf.cast(tf.clip_by_value(vector[k], -big, big), tf.int32)


@importer("Slice")
def _slice(ctx, node, attrs):
    tf = _tf()
    starts, ends = ctx.value(node, 1), ctx.value(node, 2)
    axes, steps = ctx.value(node, 3), ctx.value(node, 4)
    n = ctx.input(node, 1).shape.num_elements()
    if n is None:
        ctx.fail("the number of sliced axes must be known")
    axes = _ints(axes) if axes is not None else list(range(n))
    steps = _ints(steps) if steps is not None else [1] * n
    x = ctx.input(node, 0)
    rank = x.shape.ndims
    if rank is None:
        ctx.fail("the input's rank must be known")
    begin, end, strides = [0] * rank, [0] * rank, [1] * rank
    begin_mask = end_mask = (1 << rank) - 1
    big, int32 = INT64_MAX // 2, 2 ** 31 - 1
    for k, (a, st) in enumerate(zip(axes, steps)):
        a %= rank
        strides[a] = st
        s = int(starts[k]) if starts is not None else _element(ctx.input(node, 1), k)
        e = int(ends[k]) if ends is not None else _element(ctx.input(node, 2), k)
        if not isinstance(s, int) or not (st < 0 and s >= big):      # else: from the last element (masked)
            begin[a] = max(min(s, int32), -int32) if isinstance(s, int) else s
            begin_mask &= ~(1 << a)
        if not isinstance(e, int) or not (st > 0 and e >= big) and not (st < 0 and e <= -big):
            end[a] = max(min(e, int32), -int32) if isinstance(e, int) else e
            end_mask &= ~(1 << a)
    if any(not isinstance(v, int) for v in begin + end):
        begin, end = tf.stack(begin), tf.stack(end)
    return tf.strided_slice(x, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask)


@importer("Gather")
def _gather(ctx, node, attrs):
    tf = _tf()
    params, axis = ctx.input(node, 0), int(attrs.get("axis", 0))
    indices = ctx.value(node, 1)
    if indices is not None and (indices < 0).any():   # ONNX counts negative indices from the end
        dim = params.shape[axis].value if params.shape.ndims is not None else None
        if dim is None:
            ctx.fail("negative indices need the gathered dimension's size known")
        return tf.gather(params, tf.constant(np.where(indices < 0, indices + dim, indices)), axis=axis)
    return tf.gather(params, ctx.input(node, 1), axis=axis)


@importer("Shape", "Size")
def _shape(ctx, node, attrs):
    tf = _tf()
    fn = tf.shape if node.op_type == "Shape" else tf.size
    return fn(ctx.input(node, 0), out_type=tf.int64)


@importer("Expand")
def _expand(ctx, node, attrs):
    tf = _tf()
    x = ctx.input(node, 0)   # ONNX broadcasts both ways: x * ones(shape)
    return x + tf.zeros(_int32(ctx, node, 1), dtype=x.dtype.base_dtype)


@importer("ConstantOfShape")
def _constant_of_shape(ctx, node, attrs):
    tf = _tf()
    value = np.asarray(attrs.get("value", np.zeros(1, np.float32))).ravel()
    return tf.fill(_int32(ctx, node, 0), tf.constant(value[0]))


@importer("Where")
def _where(ctx, node, attrs):
    return _tf().where(ctx.input(node, 0), ctx.input(node, 1), ctx.input(node, 2))


@importer("NonZero")
def _non_zero(ctx, node, attrs):
    tf = _tf()
    return tf.transpose(tf.where(ctx.input(node, 0)))


@importer("Range")
def _range(ctx, node, attrs):
    x = ctx.input(node, 0)
    return _tf().range(x, ctx.input(node, 1), ctx.input(node, 2), dtype=x.dtype.base_dtype)


@importer("Tile")
def _tile(ctx, node, attrs):
    return _tf().tile(ctx.input(node, 0), _int32(ctx, node, 1))


@importer("Pad")
def _pad(ctx, node, attrs):
    tf = _tf()
    pads = _ints(ctx.require_value(node, 1, "pads"))
    n = len(pads) // 2
    paddings = [[pads[k], pads[k + n]] for k in range(n)]
    mode = attrs.get("mode", "constant")
    if mode == "reflect":
        return tf.pad(ctx.input(node, 0), paddings, mode="REFLECT")
    if mode != "constant":
        ctx.fail(f"pad mode '{mode}' is not supported")
    value = ctx.value(node, 2)
    return tf.pad(ctx.input(node, 0), paddings, constant_values=0 if value is None else value.item())


@importer("TopK")
def _top_k(ctx, node, attrs):
    tf = _tf()
    if attrs.get("axis", -1) not in (-1, ctx.input(node, 0).shape.ndims - 1) or not attrs.get("largest", 1):
        ctx.fail("only the largest values along the last axis are supported")
    values, indices = tf.nn.top_k(ctx.input(node, 0), int(ctx.require_value(node, 1, "K").ravel()[0]))
    return values, tf.cast(indices, tf.int64)


# --- convolution, pooling, normalization -------------------------------------------------------------------------------
def _padding(ctx, attrs, kernel, x, strides, dilations, same_ok=True):
    """TensorFlow's padding for ONNX's auto_pad / pads: "SAME", "VALID" or explicit [[0, 0], [0, 0], [t, b],
    [l, r]] (NCHW)."""
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER",):
        return "SAME"
    if auto == "VALID":
        return "VALID"
    if auto != "NOTSET":
        ctx.fail(f"auto_pad {auto} is not supported")
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    if not any(pads):
        return "VALID"
    dims = x.shape.as_list()[2:] if x.shape.ndims == 4 else [None, None]
    if None not in dims and same_ok:
        same = []
        for size, k, s, d in zip(dims, kernel, strides, dilations):
            out = -(-size // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            same.append((total // 2, total - total // 2))
        if pads == [same[0][0], same[1][0], same[0][1], same[1][1]]:
            return "SAME"
    return [[0, 0], [0, 0], [pads[0], pads[2]], [pads[1], pads[3]]]


@importer("Conv")
def _conv(ctx, node, attrs):
    tf = _tf()
    x, w = ctx.input(node, 0), ctx.input(node, 1)
    if w.shape.ndims != 4:
        ctx.fail("only 2-D convolutions are supported")
    out_c, in_per_group, kh, kw = w.shape.as_list()
    group = int(attrs.get("group", 1))
    strides = list(attrs.get("strides", [1, 1]))
    dilations = list(attrs.get("dilations", [1, 1]))
    padding = _padding(ctx, attrs, [kh, kw], x, strides, dilations)
    w_hwio = tf.transpose(w, [2, 3, 1, 0])
    if group == 1:
        y = tf.nn.conv2d(x, w_hwio, [1, 1] + strides, padding, data_format="NCHW", dilations=[1, 1] + dilations)
    elif in_per_group == 1 and group == x.shape.as_list()[1] and not isinstance(padding, list):
        filt = tf.reshape(w_hwio, [kh, kw, group, out_c // group])
        y = tf.nn.depthwise_conv2d(x, filt, [1, 1] + strides, padding, data_format="NCHW", dilations=dilations)
    else:
        ctx.fail("grouped convolutions other than depthwise are not supported")
    b = ctx.input(node, 2)
    return y if b is None else tf.nn.bias_add(y, b, data_format="NCHW")


@importer("MaxPool", "AveragePool")
def _pool(ctx, node, attrs):
    tf = _tf()
    if attrs.get("ceil_mode", 0) or any(d != 1 for d in attrs.get("dilations", [1, 1])) or len(node.output) > 1:
        ctx.fail("ceil_mode, dilations and the Indices output are not supported")
    x = ctx.input(node, 0)
    kernel, strides = list(attrs["kernel_shape"]), list(attrs.get("strides", [1, 1]))
    # An average counting the padding is no TensorFlow SAME pool (which averages the real pixels only).
    include_pad = node.op_type == "AveragePool" and attrs.get("count_include_pad", 0)
    if include_pad and attrs.get("auto_pad", "NOTSET") != "NOTSET":
        ctx.fail("auto_pad with count_include_pad=1 is not supported")
    padding = _padding(ctx, attrs, kernel, x, strides, [1, 1], same_ok=not include_pad)
    if isinstance(padding, list):
        if node.op_type == "AveragePool" and not attrs.get("count_include_pad", 0):
            ctx.fail("explicit padding that is not SAME, excluded from the average, is not supported")
        fill = -np.inf if node.op_type == "MaxPool" else 0.0
        x = tf.pad(x, padding, constant_values=fill)
        padding = "VALID"
    fn = tf.nn.max_pool if node.op_type == "MaxPool" else tf.nn.avg_pool
    return fn(x, [1, 1] + kernel, [1, 1] + strides, padding, data_format="NCHW")


@importer("BatchNormalization")
def _batch_norm(ctx, node, attrs):
    tf = _tf()
    if attrs.get("training_mode", 0):
        ctx.fail("training_mode=1 is not supported")
    x, scale, bias, mean, var = (ctx.input(node, i) for i in range(5))
    rank = x.shape.ndims
    if rank is None:
        ctx.fail("the input's rank must be known")
    shape = [-1] + [1] * (rank - 2)
    s = tf.reshape(scale * tf.rsqrt(var + attrs.get("epsilon", 1e-5)), shape)
    return x * s + tf.reshape(bias - mean * tf.reshape(s, [-1]), shape)


@importer("LRN")
def _lrn(ctx, node, attrs):
    tf = _tf()
    size = int(attrs["size"])
    if size % 2 == 0:
        ctx.fail("an even window size is not supported")
    y = tf.nn.lrn(tf.transpose(ctx.input(node, 0), [0, 2, 3, 1]), (size - 1) // 2, attrs.get("bias", 1.0),
                  attrs.get("alpha", 1e-4) / size, attrs.get("beta", 0.75))
    return tf.transpose(y, [0, 3, 1, 2])


@importer("LSTM")
def _lstm(ctx, node, attrs):
    """A forward LSTM with default activations, as neuroflow's fused BlockLSTM (TensorFlow's gate order)."""
    tf = _tf()
    from ..ops.rnn_ops import block_lstm
    if attrs.get("direction", "forward") != "forward" or attrs.get("layout", 0) or "clip" in attrs or \
            attrs.get("input_forget", 0) or ctx.input(node, 4) is not None:
        ctx.fail("only forward, time-major LSTMs without clip, input_forget or sequence_lens are supported")
    if [a.lower() for a in attrs.get("activations", ["Sigmoid", "Tanh", "Tanh"])] != ["sigmoid", "tanh", "tanh"]:
        ctx.fail("only the default activations are supported")
    w, r, b = (ctx.require_value(node, i, n) for i, n in ((1, "W"), (2, "R"), (3, "B")))
    units = r.shape[2]
    order = (0, 3, 2, 1)   # TensorFlow's i, j, f, o as positions in ONNX's i, o, f, c
    blocks = [slice(k * units, (k + 1) * units) for k in order]
    kernel = np.concatenate([np.concatenate([w[0][s] for s in blocks]).T,
                             np.concatenate([r[0][s] for s in blocks]).T])
    bias = np.zeros(8 * units, w.dtype) if b is None else b[0]
    bias = bias[:4 * units] + bias[4 * units:]
    bias = np.concatenate([bias[s] for s in blocks])
    x = ctx.input(node, 0)
    if x.shape.ndims != 3 or x.shape[0].value is None:
        ctx.fail("the number of time steps must be known (a fixed first dimension of X)")
    dt = x.dtype.base_dtype
    h0, c0 = ctx.input(node, 5), ctx.input(node, 6)
    batch = tf.shape(x)[1]
    h0 = tf.zeros(tf.stack([batch, units]), dt) if h0 is None else h0[0]
    c0 = tf.zeros(tf.stack([batch, units]), dt) if c0 is None else c0[0]
    peep = None
    p = ctx.value(node, 7)
    if p is not None:
        peep = tuple(tf.constant(p[0][k * units:(k + 1) * units]) for k in (0, 2, 1))   # i, f, o
    outs = block_lstm(x, c0, h0, tf.constant(kernel), tf.constant(bias.astype(w.dtype)), 0.0, None, peep)
    h_all, c_all = outs[6], outs[1]
    return tf.expand_dims(h_all, 1), tf.expand_dims(h_all[-1], 0), tf.expand_dims(c_all[-1], 0)


@importer("Flatten")
def _flatten(ctx, node, attrs):
    tf = _tf()
    x = ctx.input(node, 0)
    rank = x.shape.ndims
    if rank is None:
        ctx.fail("the input's rank must be known")
    axis = int(attrs.get("axis", 1))
    axis = axis + rank if axis < 0 else axis
    shape = tf.shape(x)
    outer = tf.reduce_prod(shape[:axis]) if axis else tf.constant(1)
    return tf.reshape(x, tf.stack([outer, tf.reduce_prod(shape[axis:])]))


@importer("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(ctx, node, attrs):
    tf = _tf()
    x = ctx.input(node, 0)
    if x.shape.ndims is None:
        ctx.fail("the input's rank must be known")
    fn = tf.reduce_mean if node.op_type == "GlobalAveragePool" else tf.reduce_max
    return fn(x, axis=list(range(2, x.shape.ndims)), keepdims=True)


@importer("Dropout")
def _dropout(ctx, node, attrs):
    tf = _tf()
    training = ctx.value(node, 2)
    if len(node.input) > 2 and node.input[2] and (training is None or bool(training)):
        ctx.fail("dropout in training mode is not supported (import inference models)")
    x = ctx.input(node, 0)
    return tf.identity(x), tf.ones_like(x, dtype=tf.bool)
