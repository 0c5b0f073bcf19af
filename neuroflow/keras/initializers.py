"""`tf.keras.initializers`: weight initializers by name ("glorot_uniform", "zeros", "orthogonal", ...) with
Keras's defaults (e.g. RandomUniform in [-0.05, 0.05]), for the `*_initializer=` arguments of Keras layers."""
import numpy as np

from ..framework import dtypes
from ..framework.constant_op import constant as _constant
from ..variables import initializers as _tf

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "Orthogonal", "Identity", "GlorotUniform", "GlorotNormal", "glorot_uniform",
           "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "zeros", "ones", "constant",
           "uniform", "normal", "random_uniform", "random_normal", "truncated_normal", "orthogonal", "identity",
           "get", "serialize", "deserialize"]

Initializer = _tf.Initializer
Zeros = _tf.Zeros
Ones = _tf.Ones
Constant = _tf.Constant
VarianceScaling = _tf.VarianceScaling
GlorotUniform = _tf.GlorotUniform
GlorotNormal = _tf.GlorotNormal


class RandomNormal(_tf.RandomNormal):
    """Normal with mean 0 and stddev 0.05 by default (Keras's defaults)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean, stddev, seed, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_tf.RandomUniform):
    """Uniform in [-0.05, 0.05) by default (Keras's defaults)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(minval, maxval, seed, dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_tf.TruncatedNormal):
    """Normal with mean 0 and stddev 0.05, redrawn beyond two standard deviations (Keras's defaults)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean, stddev, seed, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class Orthogonal(_tf.Orthogonal):
    """A random orthogonal matrix (times `gain`), Keras's default for recurrent kernels: TF1's
    `tf.orthogonal_initializer` (variables/initializers.py), TensorFlow's QR construction.
    """

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        self.gain = gain
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = [int(d) for d in shape]
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = dtypes.as_dtype(dtype or self.dtype).base_dtype
        return _constant(self.gain * np.eye(*shape), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = _tf.he_normal, _tf.he_uniform, _tf.lecun_normal, _tf.lecun_uniform
zeros, ones, constant = Zeros, Ones, Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
orthogonal = Orthogonal
identity = Identity

_BY_NAME = {"zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
            "random_uniform": RandomUniform, "normal": RandomNormal, "random_normal": RandomNormal,
            "truncated_normal": TruncatedNormal, "orthogonal": Orthogonal, "identity": Identity,
            "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": he_normal,
            "he_uniform": he_uniform, "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
            "variance_scaling": VarianceScaling}
_CLASSES = {cls.__name__: cls for cls in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                          VarianceScaling, Orthogonal, Identity, GlorotUniform, GlorotNormal)}


def serialize(initializer):
    """{"class_name": ..., "config": ...} for an initializer object (every value spelled out, so tf.* and Keras
    initializers with different defaults round-trip)."""
    if isinstance(initializer, VarianceScaling):
        return {"class_name": "VarianceScaling", "config": VarianceScaling.get_config(initializer)}
    if isinstance(initializer, _tf.RandomUniform):
        return {"class_name": "RandomUniform",
                "config": {"minval": initializer.minval, "maxval": initializer.maxval, "seed": initializer.seed}}
    for cls in (_tf.TruncatedNormal, _tf.RandomNormal):
        if isinstance(initializer, cls):
            return {"class_name": cls.__name__,
                    "config": {"mean": initializer.mean, "stddev": initializer.stddev, "seed": initializer.seed}}
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config, custom_objects=None):
    """An initializer from {"class_name", "config"} (custom_objects first).

    Raises:
        ValueError: an unknown class name.
    """
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Unknown initializer: {name}")
    return cls(**config.get("config", {}))


def get(identifier):
    """An initializer from a name ("glorot_uniform"), a config dict, a callable, or None (None).

    Example:
        >>> tf.keras.layers.Dense(3, kernel_initializer="he_normal")
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown initializer: {identifier}")
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
