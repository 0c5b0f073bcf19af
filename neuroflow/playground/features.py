"""The Playground's input features: the seven transforms of a point (x1, x2) the network may see.

Keys match TensorFlow Playground's URL parameters, so its shared links work here too.
"""
import numpy as np

__all__ = ["FEATURES", "FEATURE_KEYS", "LABELS", "transform", "grid"]

# key -> (label shown on the page, function of (x1, x2), Python expression used by exported scripts)
FEATURES = {
    "x": ("X\u2081", lambda a, b: a, "x1"),
    "y": ("X\u2082", lambda a, b: b, "x2"),
    "xSquared": ("X\u2081\u00b2", lambda a, b: a * a, "x1 * x1"),
    "ySquared": ("X\u2082\u00b2", lambda a, b: b * b, "x2 * x2"),
    "xTimesY": ("X\u2081X\u2082", lambda a, b: a * b, "x1 * x2"),
    "sinX": ("sin(X\u2081)", lambda a, b: np.sin(a), "np.sin(x1)"),
    "sinY": ("sin(X\u2082)", lambda a, b: np.sin(b), "np.sin(x2)"),
}
FEATURE_KEYS = tuple(FEATURES)
LABELS = {key: label for key, (label, _, _) in FEATURES.items()}


def transform(points, keys):
    """Maps points [n, 2] to the chosen features [n, len(keys)] (float32, in the order of `keys`).

    Args:
        points: array-like [n, 2] of (x1, x2).
        keys: feature keys from FEATURE_KEYS.

    Returns:
        A float32 array [n, len(keys)].

    Raises:
        KeyError: an unknown feature key.

    Example:
        >>> transform([[2.0, 3.0]], ["x", "xTimesY", "ySquared"])
        array([[2., 6., 9.]], dtype=float32)
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    a, b = points[:, 0], points[:, 1]
    columns = []
    for key in keys:
        if key not in FEATURES:
            raise KeyError(f"Unknown feature {key!r}; expected one of {', '.join(FEATURE_KEYS)}")
        columns.append(FEATURES[key][1](a, b))
    if not columns:
        return np.zeros((len(points), 0), np.float32)
    return np.stack(columns, axis=1).astype(np.float32)


def grid(size, domain):
    """The centres of a size x size grid over [-domain, domain]^2, row by row from the top (x2 = +domain).

    Returns:
        A float64 array [size * size, 2]: row r, column c is at index r * size + c.
    """
    step = 2.0 * domain / size
    coords = -domain + (np.arange(size) + 0.5) * step
    xs, ys = np.meshgrid(coords, coords[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)
