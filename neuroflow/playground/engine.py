"""One Playground: its config, data, network, epoch count and loss history, and the messages the page draws.

Not thread-aware: a `PlaygroundSession` (session.py) owns one and calls it from its single worker thread.
"""
import base64
import time

import numpy as np

from . import config as C
from . import datasets, export
from .features import FEATURE_KEYS, LABELS, grid, transform
from .model import Network

__all__ = ["Playground", "GRID", "NEURON_GRID"]

GRID = 80              # the output heat map's resolution
NEURON_GRID = 20       # each neuron's small heat map (GRID / 4: averaged 4x4 blocks)
MAX_HISTORY = 4000     # loss-curve points kept; older ones are thinned out


def _u8(values):
    """[-1, 1] -> bytes 0..255, base64: the compact form the page decodes into heat-map pixels."""
    v = np.nan_to_num(np.asarray(values, np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    q = np.clip((v + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _blocks(values, size):
    """Averages a [GRID*GRID, units] map down to [units, size, size]."""
    f = GRID // size
    units = values.shape[1]
    v = values.T.reshape(units, size, f, size, f)
    return v.mean(axis=(2, 4))


class Playground:
    """A configured network on a dataset, trained epoch by epoch.

    Example:
        >>> pg = Playground({"dataset": "xor", "networkShape": "4"})
        >>> pg.step_epoch(); pg.epoch
        1
    """

    def __init__(self, raw=None):
        self.cfg, self.notes = C.normalize(raw)
        self.csv_bytes = None
        self.data = None
        self.network = None
        self._arch = None
        self.builds = 0                # graphs built (tests check that non-architecture changes keep the graph)
        self.resets = 0
        self.generation = 0            # bumps whenever the page must redraw everything (new data or network)
        self.notes += self._rebuild(force_data=True)

    # --- configuration -----------------------------------------------------------------------------------------
    def update(self, raw):
        """Applies settings from the page. Returns the notes about rejected values.

        Learning rate and batch size apply to the running network; data settings regenerate the points;
        architecture settings rebuild the graph; anything else restarts training on the same graph.
        """
        new, notes = C.normalize(raw, base=self.cfg)
        old = self.cfg
        self.cfg = new
        if C.reset_key(new) != C.reset_key(old):
            notes += self._rebuild(force_data=C.data_key(new) != C.data_key(old))
        return notes

    def upload_csv(self, data):
        """Uses an uploaded CSV as the dataset (raises datasets.CSVError for a bad file). Returns a summary."""
        dataset = datasets.parse_csv(data)
        self.csv_bytes = bytes(data) if not isinstance(data, str) else data.encode("utf-8")
        self.cfg["problem"] = dataset.problem
        self.cfg["dataset" if dataset.problem == "classification" else "regDataset"] = "csv"
        if dataset.problem == "regression":
            self.cfg["loss"] = "square"
        self._rebuild(force_data=True)
        if dataset.problem == "classification":
            return (f"Loaded {len(dataset)} points in {dataset.num_classes} classes "
                    f"({', '.join(dataset.class_names)}).")
        return f"Loaded {len(dataset)} points for regression (labels {dataset.y_offset - dataset.y_scale:g} " \
               f"to {dataset.y_offset + dataset.y_scale:g})."

    def _load_data(self):
        notes = []
        key = C.dataset_key(self.cfg)
        problem = self.cfg["problem"]
        if key == "csv":
            try:
                if self.csv_bytes is None:
                    raise datasets.CSVError("No CSV file has been uploaded in this session; showing the default set.")
                return datasets.parse_csv(self.csv_bytes, problem), notes
            except datasets.CSVError as e:
                notes.append(str(e))
                key = "circle" if problem == "classification" else "reg-plane"
                self.cfg["dataset" if problem == "classification" else "regDataset"] = key
        return datasets.generate(key, self.cfg["noise"], self.cfg["seed"], self.cfg["numClasses"]), notes

    def _rebuild(self, force_data):
        notes = []
        if force_data or self.data is None:
            self.data, notes = self._load_data()
            rng = np.random.default_rng([self.cfg["seed"], 1])
            self.train, self.test = self.data.split(self.cfg["percTrainData"], rng)
        self.features = [k for k in FEATURE_KEYS if self.cfg[k]]
        if not self.features:
            self.cfg["x"] = True
            self.features = ["x"]
            notes.append("The network needs at least one input feature; using X\u2081.")
        arch = C.architecture_key(self.cfg, self.data.num_classes, self.data.problem)
        if arch != self._arch:
            if self.network is not None:
                self.network.close()
            self.network = Network(len(self.features), self.cfg["networkShape"], self.cfg["activation"],
                                   self.data.problem, self.data.num_classes, self.cfg["loss"], self.cfg["optimizer"],
                                   use_dropout=self.cfg["dropout"] > 0, seed=self.cfg["seed"])
            self._arch = arch
            self.builds += 1
        self._train_x = transform(self.train.points, self.features)
        self._test_x = transform(self.test.points, self.features)
        self._train_y = self.network.targets(self.train.labels)
        self._test_y = self.network.targets(self.test.labels)
        self._grid_x = transform(grid(GRID, datasets.DOMAIN), self.features)
        self.reset()
        return notes

    def reset(self):
        """New weights (reproducible from the seed and how many resets came before), epoch 0, empty curves."""
        self._rng = np.random.default_rng([self.cfg["seed"], 2, self.resets])
        self.resets += 1
        self.network.reset(self._rng)
        self.epoch = 0
        self._order, self._pos = None, 0
        self.history = []
        self.generation += 1
        self._record()

    # --- training ----------------------------------------------------------------------------------------------
    def _rates(self):
        rate = self.cfg["regularizationRate"]
        reg = self.cfg["regularization"]
        return (rate if reg == "L1" else 0.0), (rate if reg == "L2" else 0.0)

    def train_for(self, seconds):
        """Trains batch after batch until `seconds` pass or an epoch ends. Returns True if an epoch ended.

        A big upload with batch size 1 takes many steps per epoch; stopping mid-epoch keeps the page live.
        """
        deadline = time.perf_counter() + seconds
        n = len(self._train_x)
        if self._order is None:
            self._order, self._pos = self._rng.permutation(n), 0
        bs = self.cfg["batchSize"]
        lr = self.cfg["learningRate"]
        l1, l2 = self._rates()
        drop = self.cfg["dropout"]
        net = self.network
        while self._pos < n:
            idx = self._order[self._pos:self._pos + bs]
            net.train_step(self._train_x[idx], self._train_y[idx], lr, l1, l2, drop)
            self._pos += bs
            if time.perf_counter() >= deadline and self._pos < n:
                return False
        self._order = None
        self.epoch += 1
        self._record()
        return True

    def step_epoch(self):
        """Finishes the current epoch (one full pass over the training points)."""
        while not self.train_for(3600.0):
            pass

    def _record(self):
        train = self.network.evaluate_loss(self._train_x, self._train_y)
        test = self.network.evaluate_loss(self._test_x, self._test_y)
        self.losses = (train, test)
        self.history.append((self.epoch, _finite(train), _finite(test)))
        if len(self.history) > MAX_HISTORY:
            self.history = self.history[::2]

    # --- what the page draws -----------------------------------------------------------------------------------
    def structure(self):
        """Everything that changes only with the data or the network: the page redraws from scratch on it."""
        grid_pts = grid(GRID, datasets.DOMAIN)
        feature_maps = transform(grid_pts, list(FEATURE_KEYS))
        scale = np.maximum(np.abs(feature_maps).max(axis=0), 1e-9)
        maps = _blocks(feature_maps / scale, NEURON_GRID)
        return {
            "generation": self.generation,
            "config": self.cfg,
            "features": self.features,
            "featureLabels": LABELS,
            "featureMaps": {k: _u8(maps[i]) for i, k in enumerate(FEATURE_KEYS)},
            "layers": [len(self.features)] + list(self.network.hidden) + [self.network.num_outputs],
            "mode": self.network.mode,
            "numClasses": self.data.num_classes,
            "classNames": self.data.class_names,
            "grid": GRID, "neuronGrid": NEURON_GRID, "domain": datasets.DOMAIN,
            "train": _points(self.train), "test": _points(self.test),
            "datasetName": self.data.name,
            "builds": self.builds,
        }

    def frame(self):
        """The live picture: epoch, losses, the output heat map, every neuron's map, and the weights."""
        outs = self.network.layer_outputs(self._grid_x)
        out = outs[-1]
        neurons = [_blocks(o, NEURON_GRID) for o in outs]
        weights, biases = self.network.parameters()
        main = out[:, 0] if out.shape[1] == 1 else out.T
        return {
            "generation": self.generation,
            "epoch": self.epoch,
            "trainLoss": _finite(self.losses[0]),
            "testLoss": _finite(self.losses[1]),
            "output": _u8(main),
            "neurons": _u8(np.concatenate([n.ravel() for n in neurons])),
            "weights": [_rounded(w) for w in weights],
            "biases": [_rounded(b) for b in biases],
        }

    # --- export ------------------------------------------------------------------------------------------------
    def export_spec(self):
        """The trained network as plain data (JSON-ready): features, layers, weights, scalings, labels."""
        weights, biases = self.network.parameters()
        return export.spec(self, weights, biases)

    def predict_raw(self, raw_points):
        """The network's predictions for points in the data's own units (what an exported script prints)."""
        d = self.data
        pts = (np.asarray(raw_points, np.float64).reshape(-1, 2) - d.x_offset) / d.x_scale
        out = self.network.predict(transform(pts, self.features))
        if self.network.mode == "regression":
            out = out * d.y_scale + d.y_offset
        return out

    def close(self):
        if self.network is not None:
            self.network.close()


def _rounded(a):
    """Rounded for the page; a diverged (inf/nan) weight shows as 0 rather than breaking the JSON."""
    return np.round(np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0), 4).tolist()


def _finite(v):
    return float(v) if np.isfinite(v) else None


def _points(ds):
    labels = ds.labels.astype(np.float64) if ds.problem == "regression" else ds.labels
    return [[round(float(a), 3), round(float(b), 3), round(float(c), 4) if ds.problem == "regression" else int(c)]
            for (a, b), c in zip(ds.points, labels)]
