"""`tf.contrib.layers`: flatten, fully_connected (variables `weights`/`biases`), dropout, batch_norm, the Xavier and
variance-scaling initializers, and the regularizers (from neuroflow/regularizers.py)."""
from ..regularizers import *  # noqa: F401,F403
import math

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..nn.activations import relu
from ..ops import random_ops
from ..variables import initializers
from ..variables.scope import get_variable, variable_scope

__all__ = ["flatten", "fully_connected", "linear", "dropout", "batch_norm", "xavier_initializer",
           "xavier_initializer_conv2d", "variance_scaling_initializer"]
from .. import regularizers as _regularizers  # noqa: E402 - l1_regularizer, l2_regularizer, ... (star-imported)
__all__ += list(getattr(_regularizers, "__all__", []))
from .layers_conv import *  # noqa: E402,F401,F403 - conv2d, max_pool2d, avg_pool2d
from . import layers_conv as _layers_conv  # noqa: E402
__all__ += _layers_conv.__all__
from .layers_extra import *  # noqa: E402,F401,F403 - layer_norm, embed_sequence, conv2d_transpose, one_hot_encoding
from . import layers_extra as _layers_extra  # noqa: E402
__all__ += _layers_extra.__all__


# --- initializers --------------------------------------------------------------------------------------------
def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=dtypes.float32):
    """Initializer with variance factor / n, n the fan-in, fan-out or their average (`mode` "FAN_IN",
    "FAN_OUT", "FAN_AVG"): uniform in ±sqrt(3 * factor / n), or a truncated normal with stddev
    sqrt(1.3 * factor / n). The default (factor 2, FAN_IN, normal) is He initialization.

    Raises:
        TypeError: a non-floating dtype. ValueError: an unknown mode.
    """
    if not dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")

    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        shape = [int(d) for d in shape]
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1]) if shape else 1.0
        fan_out = float(shape[-1]) if shape else 1.0
        for d in shape[:-2]:  # convolution kernels: the receptive field counts too
            fan_in *= d
            fan_out *= d
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=seed)
        return random_ops.truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)
    return _initializer


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """Glorot/Xavier initialization: variance 1 / average(fan_in, fan_out) (uniform or truncated normal).

    Example:
        >>> W = tf.get_variable("W", [784, 256], initializer=tf.contrib.layers.xavier_initializer())
    """
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


# --- helpers -------------------------------------------------------------------------------------------------
def _collections_for(collections, key):
    """contrib's `variables_collections` / `outputs_collections`: a list (all) or a dict by variable kind."""
    if collections is None:
        return []
    if isinstance(collections, dict):
        found = collections.get(key)
        return [] if found is None else ([found] if isinstance(found, str) else list(found))
    return [collections] if isinstance(collections, str) else list(collections)


def _collect_outputs(collections, outputs):
    """contrib's `outputs_collections`: the layer's output is added to each collection named."""
    if collections:
        get_default_graph().add_to_collections(collections, outputs)
    return outputs


def _model_variable(name, shape, dtype, initializer, regularizer, trainable, collections_set, key):
    collections = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    collections += [c for c in _collections_for(collections_set, key) if c not in collections]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=trainable, collections=collections)


# --- layers --------------------------------------------------------------------------------------------------
def flatten(inputs, outputs_collections=None, scope=None):
    """Flattens all but the first dimension: [batch, ...] -> [batch, k] (ops under "Flatten/").

    Example:
        >>> flat = tf.contrib.layers.flatten(pool2)
    """
    from ..layers.core import flatten as core_flatten
    with name_scope(scope, "Flatten", [inputs]):
        inputs = convert_to_tensor(inputs)
        return _collect_outputs(outputs_collections, core_flatten(inputs))


def fully_connected(inputs, num_outputs, activation_fn=relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=None, weights_regularizer=None, biases_initializer=initializers.Zeros(),
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """activation_fn(normalizer_fn(inputs @ weights) or inputs @ weights + biases), with variables
    `<scope>/weights` and `<scope>/biases` (scope default "fully_connected", "fully_connected_1", ...).

    Args:
        inputs: a tensor of rank >= 2 whose last dimension is known.
        num_outputs: the number of units (a Python int).
        activation_fn: default `tf.nn.relu`; None for a linear layer.
        normalizer_fn: e.g. `tf.contrib.layers.batch_norm`; it replaces the biases.
        weights_initializer: default Xavier (Glorot uniform).
        weights_regularizer, biases_regularizer: functions of the variable, added to REGULARIZATION_LOSSES.
        biases_initializer: default zeros; None for no biases.
        reuse: reuse the scope's variables. variables_collections / outputs_collections: extra collections.

    Example:
        >>> h = tf.contrib.layers.fully_connected(x, 256)
        >>> logits = tf.contrib.layers.fully_connected(h, 10, activation_fn=None)
    """
    from .. import nn
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of [<class 'int'>], got {type(num_outputs)}.")
    weights_initializer = weights_initializer or xavier_initializer()
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        dtype = inputs.dtype.base_dtype
        shape = inputs.shape
        if shape.ndims is None or shape.ndims < 2 or shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        weights = _model_variable("weights", [shape[-1].value, num_outputs], dtype, weights_initializer,
                                  weights_regularizer, trainable, variables_collections, "weights")
        if shape.ndims > 2:
            from ..ops.linalg_ops import tensordot
            outputs = tensordot(inputs, weights, [[shape.ndims - 1], [0]])
            outputs.set_shape(shape[:-1].concatenate([num_outputs]))
        else:
            from ..ops.linalg_ops import matmul
            outputs = matmul(inputs, weights)
        if normalizer_fn is None and biases_initializer is not None:
            biases = _model_variable("biases", [num_outputs], dtype, biases_initializer, biases_regularizer,
                                     trainable, variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, outputs)


def linear(inputs, num_outputs, **kwargs):
    """`fully_connected` without an activation function."""
    kwargs.setdefault("activation_fn", None)
    return fully_connected(inputs, num_outputs, **kwargs)


def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None):
    """Dropout that keeps each element with probability `keep_prob` while `is_training` (a bool or bool
    tensor), else the identity (ops under "Dropout/")."""
    from ..layers.core import Dropout
    with variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed, name=sc.name, _scope=sc)
        return _collect_outputs(outputs_collections, layer.apply(inputs, training=is_training))


def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False, scope=None,
               renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """contrib's batch normalization: variables `BatchNorm/beta` (and `gamma` if scale), `moving_mean` and
    `moving_variance`; in training the moving-average updates go to `updates_collections` (UPDATE_OPS).

    Only `updates_collections` of UPDATE_OPS (or any collection name) is supported, not None (in-place updates).
    """
    from ..layers.normalization import BatchNormalization
    if updates_collections is None or batch_weights is not None or zero_debias_moving_mean or renorm or \
            adjustment is not None:
        raise NotImplementedError("neuroflow's contrib batch_norm supports neither updates_collections=None, "
                                  "batch_weights, zero_debias_moving_mean, renorm nor adjustment")
    param_initializers = param_initializers or {}
    param_regularizers = param_regularizers or {}
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        axis = 1 if data_format.startswith("NC") and rank is not None and rank > 2 else -1
        kwargs = {k: param_initializers[k] for k in ("beta", "gamma", "moving_mean", "moving_variance")
                  if k in param_initializers}
        layer = BatchNormalization(
            axis=axis, momentum=decay, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=kwargs.get("beta", initializers.Zeros()),
            gamma_initializer=kwargs.get("gamma", initializers.Ones()),
            moving_mean_initializer=kwargs.get("moving_mean", initializers.Zeros()),
            moving_variance_initializer=kwargs.get("moving_variance", initializers.Ones()),
            beta_regularizer=param_regularizers.get("beta"), gamma_regularizer=param_regularizers.get("gamma"),
            trainable=trainable, fused=fused, name=sc.name, _scope=sc, _reuse=reuse)
        graph = get_default_graph()
        before = list(graph.get_collection(GraphKeys.UPDATE_OPS))
        outputs = layer.apply(inputs, training=is_training)
        if updates_collections != GraphKeys.UPDATE_OPS:
            # Move the updates the layer just added to the collection asked for.
            ref = graph.get_collection_ref(GraphKeys.UPDATE_OPS)
            ref[:] = before
            for u in layer.updates:
                graph.add_to_collection(updates_collections, u)
        for v in layer.variables:
            graph.add_to_collection(GraphKeys.MODEL_VARIABLES, v)
            for c in _collections_for(variables_collections, v.name.split("/")[-1].split(":")[0]):
                graph.add_to_collection(c, v)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, outputs)
