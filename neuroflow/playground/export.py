"""Exporting a trained Playground network: its weights as JSON, and a runnable neuroflow script that rebuilds it.

The script is self-contained (NumPy and neuroflow only), prints predictions for points given in the data's own
units, and reproduces the Playground's predictions exactly (the same ops in the same order, float32 weights
written with enough digits to round-trip).
"""
import re

import numpy as np

from .features import FEATURES

__all__ = ["spec", "script", "FORMAT"]

FORMAT = "neuroflow-playground/1"


def spec(pg, weights, biases):
    """The network of Playground `pg` as JSON-ready data (see the module docstring of the exported script)."""
    d, net = pg.data, pg.network
    return {
        "format": FORMAT,
        "dataset": d.name,
        "epoch": pg.epoch,
        "train_loss": _num(pg.losses[0]),
        "test_loss": _num(pg.losses[1]),
        "features": list(pg.features),
        "activation": net.activation,
        "output": net.mode,
        "loss": net.loss_kind,
        "layers": [net.num_inputs] + net.hidden + [net.num_outputs],
        "class_names": d.class_names if d.problem == "classification" else [],
        "input_offset": [float(v) for v in d.x_offset],
        "input_scale": [float(v) for v in d.x_scale],
        "output_offset": float(d.y_offset),
        "output_scale": float(d.y_scale),
        "weights": [_f32(w) for w in weights],
        "biases": [_f32(b) for b in biases],
        "config": dict(pg.cfg),
    }


def _num(v):
    return None if v is None or not np.isfinite(v) else float(v)


def _f32(a):
    """Nested lists of Python floats equal to the float32 values (float32 -> float64 is exact)."""
    return np.asarray(a, np.float32).astype(np.float64).tolist()


def _array(a, indent):
    """A float32 array as Python source: the shortest decimal that round-trips each float32."""
    a = np.asarray(a, np.float32)
    if a.ndim == 1:
        return "[" + ", ".join(_short(v) for v in a) + "]"
    pad = " " * (indent + 4)
    rows = (",\n" + pad).join(_array(r, indent + 4) for r in a)
    return "[\n" + pad + rows + ",\n" + " " * indent + "]"


def _short(v):
    if not np.isfinite(v):                                # a diverged network still exports valid Python
        return f'float("{float(v)}")'
    text = np.format_float_positional(np.float32(v), unique=True, trim="-")
    return text if len(text) <= 14 else np.format_float_scientific(np.float32(v), unique=True, trim="-")


_ACTIVATION_CODE = {"relu": "tf.nn.relu(h)", "tanh": "tf.tanh(h)", "sigmoid": "tf.sigmoid(h)", "linear": "h"}
# (output, loss) -> (the output expression, what it means). The meanings name classes only through CLASS_NAMES:
# class names come from an uploaded file, so they appear in the script solely as repr() literals in code.
_OUTPUT_CODE = {
    ("binary", "square"): ("tf.tanh(logits)", "tanh output in [-1, 1]: above 0 means CLASS_NAMES[1], below means "
                                              "CLASS_NAMES[0]"),
    ("binary", "crossentropy"): ("tf.sigmoid(logits)", "the probability of CLASS_NAMES[1]"),
    ("multiclass", "square"): ("tf.nn.softmax(logits)", "one probability per class"),
    ("multiclass", "crossentropy"): ("tf.nn.softmax(logits)", "one probability per class"),
    ("regression", "square"): ("logits", "the predicted value"),
}
_DOC_SAFE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def script(s):
    """The Python source of a script that rebuilds the network in spec `s` and prints its predictions.

    Every value from the spec reaches the source either as a literal written by repr() in code (strings, floats),
    through int()/float() (numbers), or after a check against a fixed table (feature, activation and output kinds):
    nothing a user uploaded can become code, whatever quotes or newlines it holds.

    Raises:
        ValueError: a spec whose features, activation or output kind are not ones the Playground makes.

    Example:
        >>> open("network.py", "w").write(script(playground.export_spec()))
    """
    names = [str(n) for n in s["class_names"]]
    kind = (s["output"], s["loss"])
    features = list(s["features"])
    unknown = [f for f in features if f not in FEATURES]
    if unknown or s["activation"] not in _ACTIVATION_CODE or kind not in _OUTPUT_CODE:
        raise ValueError(f"Not a Playground network: features {features!r}, activation {s['activation']!r}, "
                         f"output {kind!r}.")
    out_expr, out_doc = _OUTPUT_CODE[kind]
    columns = ", ".join(FEATURES[k][2] for k in features)
    if s["output"] == "binary":
        header = ["output", "class"]
    elif s["output"] == "multiclass":
        header = [f"p({n})" for n in names] + ["class"]
    else:
        header = ["prediction"]
    weights = ",\n    ".join(_array(w, 4) for w in s["weights"])
    biases = ",\n    ".join(_array(b, 4) for b in s["biases"])
    layers = " -> ".join(str(int(n)) for n in s["layers"])
    losses = ""
    if s["test_loss"] is not None:
        losses = f", test loss {float(s['test_loss']):.4f}"
    # the docstring shows the dataset's name only when it is a plain word (built-in names and "csv" are)
    dataset = str(s["dataset"]) if _DOC_SAFE.match(str(s["dataset"])) else "uploaded"
    return _TEMPLATE.format(
        dataset=dataset, epoch=int(s["epoch"]), losses=losses, layers=layers, activation=s["activation"],
        features=repr(features), feature_columns=columns, output=repr(s["output"]), out_doc=out_doc,
        class_names=repr(names), x_offset=_floats(s["input_offset"]), x_scale=_floats(s["input_scale"]),
        y_offset=repr(float(s["output_offset"])), y_scale=repr(float(s["output_scale"])), weights=weights,
        biases=biases, act_code=_ACTIVATION_CODE[s["activation"]], out_code=out_expr,
        threshold=0.5 if kind == ("binary", "crossentropy") else 0.0, header=repr(",".join(header)),
    )


def _floats(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


_TEMPLATE = '''#!/usr/bin/env python3
"""A network trained in the neuroflow Playground (dataset {dataset}, epoch {epoch}{losses}).

Layers {layers} ({activation}); output: {out_doc}.

    python this_file.py              # predictions on a few sample points
    python this_file.py points.csv   # one prediction per row (x1,x2[,anything else]; a header line is skipped)

or `from this_file import predict`. It rebuilds the network with neuroflow (graph mode) from the weights below.
"""
import csv
import sys

import numpy as np

import neuroflow as tf

FEATURES = {features}
CLASS_NAMES = {class_names}
OUTPUT = {output}
THRESHOLD = {threshold}  # a binary output above this means the second class
# the Playground scaled the data into its plot: plot = (raw - OFFSET) / SCALE (and back for regression values)
INPUT_OFFSET = np.array({x_offset})
INPUT_SCALE = np.array({x_scale})
OUTPUT_OFFSET = {y_offset}
OUTPUT_SCALE = {y_scale}

WEIGHTS = [
    {weights},
]
BIASES = [
    {biases},
]


def features(points):
    """The network's inputs (FEATURES) for points [n, 2] given in the data's own units."""
    plot = (np.asarray(points, dtype=np.float64).reshape(-1, 2) - INPUT_OFFSET) / INPUT_SCALE
    x1, x2 = plot[:, 0], plot[:, 1]
    return np.stack([{feature_columns}], axis=1).astype(np.float32)


def build_network():
    """Returns (x, output): the input placeholder and the network's output tensor."""
    x = tf.placeholder(tf.float32, [None, len(FEATURES)], name="x")
    h = x
    for i, (w, b) in enumerate(zip(WEIGHTS, BIASES)):
        last = i == len(WEIGHTS) - 1
        with tf.variable_scope("output" if last else "layer%d" % (i + 1)):
            kernel = tf.Variable(np.array(w, dtype=np.float32), name="kernel")
            bias = tf.Variable(np.array(b, dtype=np.float32), name="bias")
        h = tf.matmul(h, kernel) + bias
        if not last:
            h = {act_code}
    logits = h
    return x, {out_code}


def predict(points):
    """The network's output for each point: {out_doc}."""
    with tf.Graph().as_default():
        x, output = build_network()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = sess.run(output, feed_dict={{x: features(points)}})
    if OUTPUT == "regression":
        return out[:, 0] * OUTPUT_SCALE + OUTPUT_OFFSET
    return out if OUTPUT == "multiclass" else out[:, 0]


def read_points(path):
    points = []
    with open(path, newline="") as f:
        for row in csv.reader(f):
            try:
                points.append((float(row[0]), float(row[1])))
            except (ValueError, IndexError):
                continue                       # a header or a blank line
    return np.array(points).reshape(-1, 2)


def main(argv):
    if len(argv) > 1:
        points = read_points(argv[1])
    else:
        grid = np.linspace(-1, 1, 3)
        points = np.array([(a, b) for a in grid for b in grid]) * INPUT_SCALE * 5 + INPUT_OFFSET
    out = predict(points)
    print("x1,x2," + {header})
    for p, o in zip(points, out):
        values = [repr(float(v)) for v in np.atleast_1d(o)]
        if OUTPUT == "binary":
            values.append(CLASS_NAMES[int(o > THRESHOLD)])
        elif OUTPUT == "multiclass":
            values.append(CLASS_NAMES[int(np.argmax(o))])
        print("%r,%r,%s" % (float(p[0]), float(p[1]), ",".join(values)))


if __name__ == "__main__":
    main(sys.argv)
'''
