"""The Playground's settings: defaults, the allowed values, and turning what a page or URL sent into a clean config.

The keys are TensorFlow Playground's URL keys (plus ours: optimizer, loss, dropout, numClasses), so its links load.
`normalize` never raises: an unusable value falls back to the default and is reported in the returned notes.
"""
import math

from .datasets import CLASSIFICATION, MAX_CLASSES, REGRESSION
from .features import FEATURE_KEYS

__all__ = ["DEFAULTS", "CHOICES", "normalize", "active_features", "dataset_key", "architecture_key", "reset_key",
           "data_key", "MAX_LAYERS", "MAX_NEURONS"]

MAX_LAYERS = 10              # the page's buttons stop at 6 layers of 8; a URL may ask for up to this ...
MAX_NEURONS = 32             # ... and this many neurons in a layer

DEFAULTS = {
    "activation": "tanh",
    "batchSize": 10,
    "dataset": "circle",
    "regDataset": "reg-plane",
    "learningRate": 0.03,
    "regularization": "none",
    "regularizationRate": 0.0,
    "noise": 0,
    "networkShape": [4, 2],
    "seed": 1,
    "showTestData": False,
    "discretize": False,
    "percTrainData": 50,
    "problem": "classification",
    "optimizer": "sgd",
    "loss": "square",
    "dropout": 0.0,
    "numClasses": 2,
    "x": True, "y": True, "xTimesY": False, "xSquared": False, "ySquared": False, "sinX": False, "sinY": False,
}

CHOICES = {
    "activation": ("relu", "tanh", "sigmoid", "linear"),
    "dataset": CLASSIFICATION + ("csv",),
    "regDataset": REGRESSION + ("csv",),
    "learningRate": (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "regularization": ("none", "L1", "L2"),
    "regularizationRate": (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "problem": ("classification", "regression"),
    "optimizer": ("sgd", "momentum", "adam", "rmsprop"),
    "loss": ("square", "crossentropy"),
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
}
_RANGES = {"batchSize": (1, 30), "noise": (0, 50), "percTrainData": (10, 90), "numClasses": (2, MAX_CLASSES),
           "seed": (0, 2 ** 31 - 1)}
_BOOLS = ("showTestData", "discretize") + FEATURE_KEYS


def normalize(raw, base=None):
    """Turns a dict from the page (numbers, strings or booleans) into a complete, valid config.

    Args:
        raw: the values to apply; unknown keys are ignored.
        base: the config to start from (DEFAULTS when None).

    Returns:
        (config, notes): the clean config, and a list of messages about values that were replaced.

    Example:
        >>> cfg, notes = normalize({"networkShape": "8,8,3", "activation": "relu", "noise": "99"})
        >>> cfg["networkShape"], cfg["noise"], len(notes)
        ([8, 8, 3], 50, 1)
    """
    cfg = dict(DEFAULTS if base is None else base)
    cfg["networkShape"] = list(cfg["networkShape"])
    notes = []
    for key, value in (raw or {}).items():
        if key not in DEFAULTS:
            continue
        try:
            cfg[key] = _clean(key, value, notes)
        except (TypeError, ValueError, OverflowError):      # OverflowError: int() of Infinity or 1e400
            notes.append(f"Ignored {key}={str(value)[:40]!r}: not a valid value; kept {cfg[key]!r}.")
    if cfg["problem"] == "regression":
        cfg["loss"] = "square"
    return cfg, notes


def _clean(key, value, notes):
    if key in _BOOLS:
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        return bool(value)
    if key == "networkShape":
        parts = value if isinstance(value, (list, tuple)) else [p for p in str(value).split(",") if p.strip()]
        shape = [int(p) for p in parts]
        if len(shape) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in shape):
            notes.append(f"networkShape is limited to {MAX_LAYERS} layers of 1..{MAX_NEURONS} neurons; clipped.")
            shape = [min(max(n, 1), MAX_NEURONS) for n in shape[:MAX_LAYERS]]
        return shape
    if key in _RANGES:
        lo, hi = _RANGES[key]
        number = int(round(_finite(value)))
        if not lo <= number <= hi:
            notes.append(f"{key} must be between {lo} and {hi}; got {number}, clipped.")
        return min(max(number, lo), hi)
    if key in CHOICES:
        allowed = CHOICES[key]
        if isinstance(allowed[0], float):
            number = _finite(value)
            # snap to the nearest listed value, so hand-edited URLs stay on the menu
            snapped = min(allowed, key=lambda a: abs(a - number))
            if snapped != number:
                notes.append(f"{key} {number:g} is not one of the choices; using {snapped:g}.")
            return snapped
        text = str(value)
        if text not in allowed:
            raise ValueError(text)
        return text
    raise ValueError(value)


def _finite(value):
    """float(value), refusing NaN and the infinities: no setting can use them (JSON and URLs can spell them)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def active_features(cfg):
    """The chosen feature keys, in the page's order."""
    return [k for k in FEATURE_KEYS if cfg[k]]


def dataset_key(cfg):
    return cfg["dataset"] if cfg["problem"] == "classification" else cfg["regDataset"]


def architecture_key(cfg, num_classes, problem):
    """What the graph depends on: a change here rebuilds it (else the Session and its compiled plans stay)."""
    return (tuple(active_features(cfg)), tuple(cfg["networkShape"]), cfg["activation"], problem,
            num_classes if problem == "classification" else 0, cfg["loss"], cfg["optimizer"], cfg["dropout"] > 0)


def reset_key(cfg):
    """Settings whose change restarts training (new weights, epoch 0), like the original; learning rate,
    batch size and the display options apply to the running network instead."""
    ignore = ("learningRate", "batchSize", "showTestData", "discretize")
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(cfg.items()) if k not in ignore)


def data_key(cfg):
    """Settings the points depend on."""
    return (cfg["problem"], dataset_key(cfg), cfg["noise"], cfg["seed"], cfg["percTrainData"], cfg["numClasses"])
