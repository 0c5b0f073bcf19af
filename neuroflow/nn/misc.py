"""`tf.nn` dropout, batch_normalization, fused_batch_norm, lrn, embedding_lookup, top_k, in_top_k, with
TensorFlow 1.x's argument names, defaults, node names and errors. The primitives are in ops/dropout_ops.py, ops/normalization_ops.py and ops/top_k_ops.py."""
import collections
import numbers

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.random_seed import get_seed
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from ..ops import array_ops, math_ops
from ..ops import dropout_ops, normalization_ops, top_k_ops
from ..ops.array_ops import _shape_tensor

__all__ = ["dropout", "batch_normalization", "batch_norm_with_global_normalization", "fused_batch_norm", "lrn",
           "local_response_normalization", "embedding_lookup", "top_k", "in_top_k"]


def known_value(t, limit=64):
    """`t`'s value if known while building the graph, else None. Unlike `constant_value` alone, a tensor that
    depends on a `placeholder_with_default` is unknown: a feed can override the default at run time (the usual
    `keep_prob = tf.placeholder_with_default(1.0, [])` and `training` flags)."""
    stack, seen = [t.op], set()
    while stack and len(seen) < limit:
        op = stack.pop()
        if op not in seen:
            seen.add(op)
            if op.type == "PlaceholderWithDefault":
                return None
            stack.extend(i.op for i in op.inputs)
    return constant_value(t)


# --- dropout -------------------------------------------------------------------------------------------------
def _noise_shape(x, noise_shape):
    """The shape of the keep/drop mask: x's shape, or `noise_shape` with None entries filled from x's."""
    if noise_shape is None:
        return array_ops.shape(x)
    if _is_tensor_like(noise_shape):
        return noise_shape
    dims = [getattr(d, "value", d) for d in (noise_shape.as_list() if isinstance(noise_shape, TensorShape)
                                             else list(noise_shape))]
    if None not in dims:
        return dims
    if x.shape.ndims != len(dims):
        raise ValueError(f"noise_shape {dims} has unknown dimensions but does not have x's rank "
                         f"({x.shape.ndims}), so they cannot be taken from x's shape")
    dynamic = None
    out = []
    for i, d in enumerate(dims):
        if d is None:
            d = x.shape[i].value
        if d is None:
            dynamic = array_ops.shape(x) if dynamic is None else dynamic
            d = dynamic[i]
        out.append(d)
    return out


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Keeps each element of `x` with probability `keep_prob` (scaled up to `x / keep_prob`), else outputs 0.

    Give either `keep_prob` (TF 1.x) or `rate` = 1 - keep_prob (the newer name). Each run of the graph draws a
    new mask; `tf.set_random_seed` (or `seed`) makes the sequence reproducible across programs.

    Args:
        x: a floating-point tensor.
        keep_prob: the probability of keeping each element: a Python float in (0, 1] or a scalar tensor (a
            placeholder fed 0.5 when training and 1.0 when evaluating is the usual pattern).
        noise_shape: the shape of the random keep/drop mask, broadcast against x (e.g. [batch, 1, 1, channels]
            drops whole feature maps); None entries are taken from x's shape.
        seed: the op seed (see `tf.set_random_seed`).
        name: the name scope (default "dropout").
        rate: the probability of dropping each element, instead of keep_prob.

    Returns:
        A tensor of x's shape and dtype; `x` itself when keep_prob is known to be 1.

    Raises:
        ValueError: both or neither of keep_prob and rate; a Python rate outside [0, 1); a non-float x.

    Example:
        >>> keep_prob = tf.placeholder(tf.float32)
        >>> h_drop = tf.nn.dropout(h, keep_prob)   # feed {keep_prob: 0.5} to train, 1.0 to evaluate
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    given = keep_prob if keep_prob is not None else rate
    if not _is_tensor_like(given) and not isinstance(given, numbers.Real):
        raise ValueError(f"keep_prob must be a floating point number or Tensor (got {given!r})")
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a {x.dtype} "
                             "tensor instead.")
        if isinstance(given, numbers.Real):
            rate_value = 1.0 - given if keep_prob is not None else given
            if not 0 <= rate_value < 1:
                raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate_value:g}")
            if rate_value == 0:
                return x
            # The op's keep_prob input (read by the ONNX exporter); the exact rate goes in the `rate` attr.
            keep = float(keep_prob) if keep_prob is not None else 1.0 - float(rate)
        else:
            given = convert_to_tensor(given, dtype=x.dtype.base_dtype,
                                      name="keep_prob" if keep_prob is not None else "rate")
            if not given.shape.is_compatible_with(TensorShape([])):
                raise ValueError(f"Shapes {given.shape} and () are incompatible")
            known = known_value(given)
            keep = given if keep_prob is not None else math_ops.subtract(1.0, given, name="sub")
            if known is not None and (known == 1 if keep_prob is not None else known == 0):
                return x
        # One fused op (ops/dropout_ops.py): TF 2.x's where(U >= rate, x * scale, 0); a Python rate is passed
        # as TF computes it (1 - keep_prob in double), so the mask and scale are TensorFlow's to the bit.
        seed1, seed2 = get_seed(seed)
        mask_shape = _shape_tensor(_noise_shape(x, noise_shape))
        exact_rate = float(rate_value) if isinstance(given, numbers.Real) else None
        ret, _ = apply_op(dropout_ops.Dropout, [x, keep, mask_shape],
                          {"seed": seed1 or 0, "seed2": seed2 or 0, "rate": exact_rate}, name="Dropout")
        ret.set_shape(x.shape)
        return ret


# --- normalization -------------------------------------------------------------------------------------------
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) / sqrt(variance + variance_epsilon) * scale + offset, broadcasting (ops under "batchnorm/").

    Args:
        x: the input tensor.
        mean, variance: the statistics, e.g. from `tf.nn.moments(x, [0])`.
        offset: beta, added after normalizing (or None).
        scale: gamma, multiplied after normalizing (or None).
        variance_epsilon: a small float that avoids dividing by zero.
        name: the name scope.

    Example:
        >>> mean, var = tf.nn.moments(h, [0])
        >>> h_bn = tf.nn.batch_normalization(h, mean, var, beta, gamma, 1e-3)
    """
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        # TensorFlow's op order and names (batchnorm/add, Rsqrt, mul, mul_1, mul_2, sub, add_1).
        inv = math_ops.rsqrt(math_ops.add(variance, variance_epsilon, name="add"))
        if scale is not None:
            inv = math_ops.multiply(inv, scale, name="mul")
        scaled = math_ops.multiply(x, math_ops.cast(inv, x.dtype), name="mul")
        shifted_mean = math_ops.multiply(mean, inv, name="mul")
        shift = math_ops.subtract(offset, shifted_mean, name="sub") if offset is not None else \
            math_ops.negative(shifted_mean)
        return math_ops.add(scaled, math_ops.cast(shift, x.dtype), name="add")


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None, variance_epsilon=None,
                                         scale_after_normalization=None, name=None, input=None, mean=None,  # noqa: A002
                                         variance=None):
    """The deprecated form of `batch_normalization` (gamma applied only with `scale_after_normalization`)."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    with name_scope(name, "BatchNormWithGlobalNormalization", [t, m, v, beta, gamma]) as scope:
        return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None, variance_epsilon,
                                   name=scope)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None):
    """Batch normalization of a 4-D tensor in one op ("FusedBatchNormV3").

    Args:
        x: a 4-D float tensor (float16 with float32 parameters, float32 or float64).
        scale, offset: per-channel gamma and beta (1-D, as long as the channel axis).
        mean, variance: the population statistics for inference; must be None when training.
        epsilon: added to the variance (at least 1.001e-5, as in TensorFlow).
        data_format: "NHWC" (channels last) or "NCHW".
        is_training: normalize with the batch statistics (True) or with mean/variance (False).
        name: the node name.

    Returns:
        (y, batch_mean, batch_variance). When training, batch_variance is the unbiased (Bessel-corrected) batch
        variance, while y was normalized with the biased one (as in TensorFlow); in inference they are the mean
        and variance given.

    Raises:
        ValueError: mean/variance given when training, or missing in inference; x not 4-D.

    Example:
        >>> y, mean, var = tf.nn.fused_batch_norm(images, gamma, beta)
    """
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset")
    if is_training and (mean is not None or variance is not None):
        raise ValueError("Both 'mean' and 'variance' must be None if is_training is True.")
    if not is_training and (mean is None or variance is None):
        raise ValueError("Both 'mean' and 'variance' must be a 1D tensor when is_training is False.")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    empty = constant([], dtype=scale.dtype.base_dtype) if is_training else None
    mean = empty if mean is None else mean
    variance = empty if variance is None else variance
    epsilon = max(float(epsilon), 1.001e-5)  # cuDNN's lower bound, which TensorFlow applies everywhere
    outputs = apply_op(normalization_ops.FusedBatchNormV3, [x, scale, offset, mean, variance],
                       {"epsilon": epsilon, "data_format": data_format, "is_training": bool(is_training)},
                       name=name or "FusedBatchNormV3")
    return outputs[0], outputs[1], outputs[2]


def lrn(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None):  # noqa: A002 - TensorFlow's argument name
    """Local response normalization ("LRN") over the last axis of a 4-D tensor:
    input / (bias + alpha * sum(input[..., d - depth_radius : d + depth_radius + 1] ** 2)) ** beta.

    Example:
        >>> norm1 = tf.nn.lrn(pool1, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
    """
    depth_radius = int(depth_radius)
    if depth_radius < 0:
        raise ValueError(f"depth_radius must be non-negative, got {depth_radius}")
    return apply_op(normalization_ops.LRN, [input], {"depth_radius": depth_radius, "bias": float(bias), "alpha": float(alpha),
                                      "beta": float(beta)}, name=name or "LRN")


local_response_normalization = lrn


# --- embedding_lookup ----------------------------------------------------------------------------------------
def _dim0(p):
    """The first dimension of `p`: an int when static, else a scalar int32 tensor."""
    d = p.shape[0].value if p.shape.ndims else None
    return d if d is not None else array_ops.shape(p)[0]


def _partitioned_ids(flat_ids, params, partition_strategy):
    """Each id's row in concat(params): TensorFlow's assignment of ids to partitions ("mod" or "div"), then the
    partition's offset plus the id's row within it."""
    from ..ops.grad_support_ops import where
    from ..ops.index_ops import gather
    np_ = len(params)
    sizes = [_dim0(p) for p in params]
    id_dtype = flat_ids.dtype.base_dtype
    if partition_strategy == "mod":
        assignment = math_ops.floormod(flat_ids, np_)
        new_ids = math_ops.floordiv(flat_ids, np_)
    else:
        if all(isinstance(s, int) for s in sizes):
            total = constant(sum(sizes), dtype=id_dtype, name="num_total_ids")
        else:
            from ..ops.reduce_ops import reduce_sum
            total = reduce_sum(array_ops.stack([math_ops.cast(s, id_dtype) for s in sizes]))
        per, extras = math_ops.floordiv(total, np_), math_ops.floormod(total, np_)
        assignment = math_ops.maximum(math_ops.floordiv(flat_ids, per + 1),
                                      math_ops.floordiv(math_ops.subtract(flat_ids, extras), per))
        new_ids = where(math_ops.less(assignment, extras), math_ops.floormod(flat_ids, per + 1),
                        math_ops.floormod(math_ops.subtract(flat_ids, extras), per))
    starts = [0]
    for s in sizes[:-1]:
        starts.append(starts[-1] + s if isinstance(s, int) and isinstance(starts[-1], int) else
                      math_ops.add(starts[-1], s))
    if all(isinstance(s, int) for s in starts):
        offsets = constant(starts, dtype=id_dtype, name="offsets")
    else:
        offsets = array_ops.stack([math_ops.cast(s, id_dtype) for s in starts], name="offsets")
    return math_ops.add(gather(offsets, assignment), new_ids)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None):
    """The rows of `params` at `ids` (any shape): result shape ids.shape + params.shape[1:].

    Args:
        params: a tensor or variable [vocabulary, ...], or a list of them holding the vocabulary partitioned
            along the first axis by `partition_strategy`.
        ids: int32/int64 indices.
        partition_strategy: with several params, "mod" (id i lives in params[i % n] at row i // n) or "div"
            (contiguous blocks, the first `vocabulary % n` partitions one row longer).
        name: the name scope (default "embedding_lookup").
        validate_indices: ignored (indices are always checked).
        max_norm: if given, each looked-up embedding with a larger L2 norm is scaled down to it.

    Returns:
        A tensor of params' dtype; its gradient into params is a scatter-add of the incoming gradient.

    Raises:
        ValueError: no params, or an unknown partition_strategy.

    Example:
        >>> embeddings = tf.Variable(tf.random_uniform([vocab_size, 128], -1.0, 1.0))
        >>> embed = tf.nn.embedding_lookup(embeddings, word_ids)
    """
    del validate_indices
    from ..ops.index_ops import gather
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Need at least one param")
    params = list(params) if isinstance(params, (list, tuple)) else [params]
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    with name_scope(name, "embedding_lookup", params + [ids]) as scope:
        params = [convert_to_tensor(p, name="params") for p in params]
        ids = convert_to_tensor(ids, name="ids")
        if len(params) == 1:
            result = gather(params[0], ids, name=scope)
        else:
            from ..ops.concat_ops import concat
            flat_ids = array_ops.reshape(ids, [-1])
            rows = _partitioned_ids(flat_ids, params, partition_strategy)
            flat = gather(concat(params, 0), rows)
            tail = array_ops.shape(params[0])[1:]
            result = array_ops.reshape(flat, concat([array_ops.shape(ids), tail], 0))
            if ids.shape.ndims is not None and params[0].shape.ndims is not None:
                result.set_shape(ids.shape.concatenate(params[0].shape[1:]))
        if max_norm is not None:
            from ..ops.clip_ops import clip_by_norm
            rank_ids, rank_params = ids.shape.ndims, result.shape.ndims
            if rank_ids is None or rank_params is None:
                raise ValueError("embedding_lookup with max_norm needs ids and params of known rank")
            result = clip_by_norm(result, max_norm, axes=list(range(rank_ids, rank_params)))
        return array_ops.identity(result)


# --- top_k, in_top_k -----------------------------------------------------------------------------------------
TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 - TensorFlow's argument names
    """The `k` largest entries of each row (last axis) of `input` and their indices ("TopKV2").

    Values come largest first (also with sorted=False); among equal values the lower index comes first.

    Args:
        input: a real tensor of rank >= 1 with at least k entries in its last axis.
        k: a Python int or a scalar int32 tensor.
        sorted: accepted for TensorFlow compatibility; results are always sorted.
        name: the node name.

    Returns:
        A (values, indices) namedtuple: values of input's dtype, int32 indices, both of shape
        input.shape[:-1] + [k]. Gradients flow to input through values.

    Example:
        >>> values, indices = tf.nn.top_k([[1., 3., 2.]], k=2)   # [[3., 2.]], [[1, 2]]
    """
    k_t = k if _is_tensor_like(k) else constant(int(k), dtypes.int32, name="k")
    values, indices = apply_op(top_k_ops.TopKV2, [input, k_t], {"sorted": bool(sorted)}, name=name or "TopKV2")
    return TopKV2(values, indices)


def in_top_k(predictions, targets, k, name=None):
    """Whether `targets[i]` is among the `k` largest entries of `predictions[i]` ([batch] bool, "InTopKV2").

    Ties count in the target's favour: it is in the top k when fewer than k predictions are strictly larger.
    An out-of-range target, or a row with a non-finite prediction, gives False.

    Args:
        predictions: a float [batch, classes] tensor.
        targets: an int32/int64 [batch] tensor of class ids.
        k: a Python int or scalar tensor of targets' dtype.

    Example:
        >>> correct = tf.nn.in_top_k(logits, labels, 1)
        >>> accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    """
    with name_scope(name, "in_top_k"):
        return apply_op(top_k_ops.InTopKV2, [predictions, targets, k], name=name or "InTopKV2")
