"""`tf.keras.regularizers`: weight penalties `l1(0.01)`, `l2(0.01)`, `l1_l2(...)` (Keras's sums, e.g.
l2 * sum(w ** 2) with no 1/2), for the `*_regularizer=` arguments of Keras layers."""
from ..framework.apply import convert_to_tensor
from ..ops import math_ops, reduce_ops

__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1_l2", "get", "serialize", "deserialize"]


class Regularizer:
    """Base class: `regularizer(weights)` returns a scalar penalty tensor."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2).

    Example:
        >>> tf.keras.layers.Dense(64, kernel_regularizer=tf.keras.regularizers.L1L2(l2=1e-4))
    """

    def __init__(self, l1=0.0, l2=0.0):  # noqa: E741 - Keras's argument names
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        x = convert_to_tensor(x)
        dt = x.dtype.base_dtype
        penalty = None
        if self.l1:
            penalty = math_ops.multiply(convert_to_tensor(self.l1, dtype=dt), reduce_ops.reduce_sum(math_ops.abs(x)))
        if self.l2:
            term = math_ops.multiply(convert_to_tensor(self.l2, dtype=dt), reduce_ops.reduce_sum(math_ops.square(x)))
            penalty = term if penalty is None else math_ops.add(penalty, term)
        return penalty if penalty is not None else convert_to_tensor(0.0, dtype=dt)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l=0.01):  # noqa: E741
    """l * sum(|x|)."""
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    """l * sum(x ** 2)."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: E741
    """l1 * sum(|x|) + l2 * sum(x ** 2)."""
    return L1L2(l1=l1, l2=l2)


def serialize(regularizer):
    """{"class_name": ..., "config": ...} for a regularizer object."""
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config, custom_objects=None):
    """A regularizer from {"class_name", "config"} (custom_objects first).

    Raises:
        ValueError: an unknown class name.
    """
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or {"L1L2": L1L2}.get(name)
    if cls is None:
        raise ValueError(f"Unknown regularizer: {name}")
    return cls(**config.get("config", {}))


def get(identifier):
    """A regularizer from a name ("l1", "l2", "l1_l2": factor 0.01), a config dict, a callable or None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        makers = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
        if identifier not in makers:
            raise ValueError(f"Unknown regularizer: {identifier}")
        return makers[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
