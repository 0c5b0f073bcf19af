"""`tf.keras.losses`: Keras's loss functions (per-sample values, averaged over the last axis), their aliases
('mse', 'mae', ...), the `Loss` classes (`SparseCategoricalCrossentropy(from_logits=True)`, ...), and `get` for
`compile(loss=...)`.

A loss function maps `(y_true, y_pred)` to one value per sample (shape `y_pred.shape[:-1]`); `Model.compile`
weights and averages them. Cross-entropies given a probability output made by a softmax or sigmoid op use that
op's input (the logits) instead, as Keras does: same value, no `log(0)`, and a fused gradient.
"""
import neuroflow as _tf
from .. import nn
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope

__all__ = ["Loss", "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "squared_hinge", "hinge", "categorical_hinge", "logcosh",
           "huber_loss", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
           "kullback_leibler_divergence", "poisson", "cosine_proximity", "mse", "MSE", "mae", "MAE", "mape", "MAPE",
           "msle", "MSLE", "kld", "KLD", "cosine", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge", "CategoricalHinge",
           "Huber", "LogCosh", "KLDivergence", "Poisson", "get", "serialize", "deserialize"]

EPSILON = 1e-7   # Keras's backend epsilon: keeps logs and divisions finite


def _pair(y_true, y_pred):
    """Both as tensors of y_pred's float dtype (Keras feeds targets as floats; ints are cast)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype.base_dtype is not y_pred.dtype.base_dtype:
        y_true = _tf.cast(y_true, y_pred.dtype.base_dtype)
    return y_true, y_pred


def _mean_last(x):
    return _tf.reduce_mean(x, axis=-1)


def _clip(x, low, high):
    return _tf.clip_by_value(x, low, high)


def _producer(t, op_type):
    """The input of the op of type `op_type` that made `t` (looking through Identity ops), else None."""
    op = getattr(t, "op", None)
    while op is not None and op.type == "Identity":
        op = op.inputs[0].op
    return op.inputs[0] if op is not None and op.type == op_type else None


# --- regression ------------------------------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)^2, axis=-1). Example: `model.compile("sgd", loss="mse")`."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last(_tf.square(y_pred - y_true))


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last(_tf.abs(y_pred - y_true))


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|(y_true - y_pred) / y_true|, axis=-1), with |y_true| clipped below at epsilon."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = _tf.abs((y_true - y_pred) / _clip(_tf.abs(y_true), EPSILON, float("inf")))
    return 100.0 * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(y_pred + 1) - log(y_true + 1))^2, axis=-1), values clipped below at epsilon."""
    y_true, y_pred = _pair(y_true, y_pred)
    first = _tf.log(_clip(y_pred, EPSILON, float("inf")) + 1.0)
    second = _tf.log(_clip(y_true, EPSILON, float("inf")) + 1.0)
    return _mean_last(_tf.square(first - second))


def _signed_labels(y_true):
    """Hinge losses want labels in {-1, 1}; labels given as {0, 1} are mapped there (as Keras does)."""
    all_binary = _tf.reduce_all(_tf.logical_or(_tf.equal(y_true, 0.0), _tf.equal(y_true, 1.0)))
    return _tf.where(all_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1); labels in {-1, 1} (or {0, 1}, converted)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last(_tf.maximum(1.0 - _signed_labels(y_true) * y_pred, 0.0))


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last(_tf.square(_tf.maximum(1.0 - _signed_labels(y_true) * y_pred, 0.0)))


def categorical_hinge(y_true, y_pred):
    """max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1) for one-hot y_true."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = _tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = _tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _tf.maximum(neg - pos + 1.0, 0.0)


def logcosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log 2 (no overflow)."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return _mean_last(x + nn.softplus(-2.0 * x) - 0.6931471805599453)


def huber_loss(y_true, y_pred, delta=1.0):
    """mean(0.5 * e^2 if |e| <= delta else delta * (|e| - 0.5 * delta), axis=-1) with e = y_pred - y_true."""
    y_true, y_pred = _pair(y_true, y_pred)
    error = _tf.abs(y_pred - y_true)
    quadratic = _tf.minimum(error, delta)
    linear = error - quadratic
    return _mean_last(0.5 * _tf.square(quadratic) + delta * linear)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last(y_pred - y_true * _tf.log(y_pred + EPSILON))


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = _clip(y_true, EPSILON, 1.0), _clip(y_pred, EPSILON, 1.0)
    return _tf.reduce_sum(y_true * _tf.log(y_true / y_pred), axis=-1)


def cosine_proximity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -_tf.reduce_sum(nn.l2_normalize(y_true, axis) * nn.l2_normalize(y_pred, axis), axis=axis)


# --- classification ---------------------------------------------------------------------------------------------
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """-sum(y_true * log(y_pred), axis=-1) for one-hot (or soft) targets.

    Args:
        from_logits: y_pred are logits rather than probabilities.
        label_smoothing: in [0, 1]: targets become y_true * (1 - s) + s / num_classes.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        classes = _tf.cast(_tf.shape(y_true)[-1], y_true.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    logits = y_pred if from_logits else _producer(y_pred, "Softmax")
    if logits is not None:
        return nn.softmax_cross_entropy_with_logits_v2(labels=y_true, logits=logits)
    probs = y_pred / _tf.reduce_sum(y_pred, axis=-1, keepdims=True)
    probs = _clip(probs, EPSILON, 1.0 - EPSILON)
    return -_tf.reduce_sum(y_true * _tf.log(probs), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """-log(y_pred[y_true]) for integer class targets (shape y_pred.shape[:-1], or with a trailing 1).

    Args:
        from_logits: y_pred are logits rather than probabilities.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    logits = y_pred if from_logits else _producer(y_pred, "Softmax")
    if logits is None:
        logits = _tf.log(_clip(y_pred, EPSILON, 1.0 - EPSILON))
    rank = logits.shape.ndims
    labels = y_true
    if labels.shape.ndims is not None and rank is not None and labels.shape.ndims == rank:
        labels = _tf.squeeze(labels, axis=[-1])   # (n, 1) targets, as Keras feeds 1-D labels
    if not labels.dtype.is_integer:
        labels = _tf.cast(labels, dtypes.int64)
    if rank is not None and rank > 2:   # flatten the leading dims, then restore them
        classes = _tf.shape(logits)[-1]
        flat = nn.sparse_softmax_cross_entropy_with_logits(labels=_tf.reshape(labels, [-1]),
                                                           logits=_tf.reshape(logits, [-1, classes]))
        return _tf.reshape(flat, _tf.shape(logits)[:-1])
    return nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """mean(-(y_true * log(y_pred) + (1 - y_true) * log(1 - y_pred)), axis=-1).

    Args:
        from_logits: y_pred are logits rather than probabilities.
        label_smoothing: targets become y_true * (1 - s) + 0.5 * s.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _producer(y_pred, "Sigmoid")
    if logits is None:
        probs = _clip(y_pred, EPSILON, 1.0 - EPSILON)
        logits = _tf.log(probs / (1.0 - probs))
    return _mean_last(nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=logits))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity
huber = huber_loss

_ALIASES = {"kl_divergence": kullback_leibler_divergence, "huber": huber_loss, "log_cosh": logcosh,
            "cosine_similarity": cosine_proximity}


# --- Loss classes ---------------------------------------------------------------------------------------------
class Loss:
    """Base of the loss classes: `loss(y_true, y_pred, sample_weight=None)` is a scalar, the per-sample values
    (from `call`) weighted and averaged over all elements (`reduction="sum_over_batch_size"`), or summed
    (`"sum"`), or left per sample (`"none"`).

    Example:
        >>> model.compile("adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    """

    def __init__(self, reduction="sum_over_batch_size", name=None):
        if reduction not in ("auto", "sum_over_batch_size", "sum", "none"):
            raise ValueError(f"Invalid Reduction Key {reduction}.")
        self.reduction = reduction
        self.name = name

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def __call__(self, y_true, y_pred, sample_weight=None):
        with name_scope(self.name or type(self).__name__):
            values = self.call(y_true, y_pred)
            if sample_weight is not None:
                values = values * _tf.cast(sample_weight, values.dtype)
            if self.reduction == "none":
                return values
            total = _tf.reduce_sum(values)
            if self.reduction == "sum":
                return total
            return total / _tf.cast(_tf.size(values), values.dtype)

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _Wrapper(Loss):
    """A loss class over one of the functions above, with its keyword arguments."""

    fn = None
    default_name = None

    def __init__(self, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(reduction, name or self.default_name)
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return dict(super().get_config(), **self._fn_kwargs)


def _loss_class(class_name, fn, default_name, params=()):
    """Makes a Loss subclass whose constructor takes `params` ((name, default) pairs) before reduction/name."""
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, **kwargs):
        values = dict(params)
        for (key, _), value in zip(params, args):
            values[key] = value
        unknown = set(kwargs) - set(values)
        if unknown:
            raise TypeError(f"{class_name}() got unexpected keyword arguments {sorted(unknown)}")
        values.update(kwargs)
        _Wrapper.__init__(self, reduction=reduction, name=name, **values)
    doc = f"The `{fn.__name__}` loss as a `Loss` object" + (f" (arguments: {', '.join(p for p, _ in params)})."
                                                             if params else ".")
    return type(class_name, (_Wrapper,), {"fn": staticmethod(fn), "default_name": default_name,
                                          "__init__": __init__, "__doc__": doc})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                                 (("from_logits", False), ("label_smoothing", 0)))
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
                                      (("from_logits", False), ("label_smoothing", 0)))
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy", (("from_logits", False),))
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
Huber = _loss_class("Huber", huber_loss, "huber_loss", (("delta", 1.0),))
LogCosh = _loss_class("LogCosh", logcosh, "logcosh")
KLDivergence = _loss_class("KLDivergence", kullback_leibler_divergence, "kullback_leibler_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")

_CLASSES = {c.__name__: c for c in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                                    MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy,
                                    SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, Huber,
                                    LogCosh, KLDivergence, Poisson)}


# --- lookup ---------------------------------------------------------------------------------------------------
def deserialize(name, custom_objects=None):
    """The loss function (or Loss object) named `name`, looking in `custom_objects` first.

    Raises:
        ValueError: unknown name.
    """
    if isinstance(name, dict):   # {"class_name": ..., "config": ...} from serialize(Loss object)
        cls = (custom_objects or {}).get(name.get("class_name")) or _CLASSES.get(name.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown loss function: {name.get('class_name')}")
        return cls.from_config(name.get("config", {}))
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    fn = _ALIASES.get(name) or (globals().get(name) if name in __all__ else None)
    if fn is None or fn in (get, serialize, deserialize) or (isinstance(fn, type) and not issubclass(fn, Loss)):
        raise ValueError(f"Unknown loss function:{name}")
    return fn() if isinstance(fn, type) else fn


def serialize(loss):
    """A JSON-able description of `loss`: a function's name, or a Loss object's class and config."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", loss)


def get(identifier):
    """`compile(loss=...)`'s lookup: a name ('mse', 'categorical_crossentropy', ...), a Loss object, a dict from
    `serialize`, or a callable `(y_true, y_pred)`.

    Raises:
        ValueError: an unknown name or a value that is neither name nor callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")
