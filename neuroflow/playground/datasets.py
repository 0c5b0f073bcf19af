"""The Playground's data: the built-in 2-D datasets, the train/test split and validated CSV uploads.

Every dataset lives in the square [-6, 6]^2 that the page draws. Classification labels are class indices
0..K-1 (class 0 is drawn orange, class 1 blue, as in TensorFlow Playground); regression labels lie in [-1, 1].
"""
import csv
import io
import math

import numpy as np

__all__ = ["Dataset", "CSVError", "CLASSIFICATION", "REGRESSION", "DOMAIN", "generate", "parse_csv",
           "MAX_CSV_BYTES", "MAX_CSV_ROWS", "MAX_CLASSES"]

CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
REGRESSION = ("reg-plane", "reg-gauss")
DOMAIN = 6.0                       # points and heat maps cover [-DOMAIN, DOMAIN] on both axes
NUM_SAMPLES_CLASSIFY = 500         # the original's sizes
NUM_SAMPLES_REGRESS = 1200
MAX_CLASSES = 6
MAX_CSV_BYTES = 1 << 20            # 1 MiB: plenty for a 2-D toy set, small enough to parse at once
MAX_CSV_ROWS = 5000
MAX_LABEL_CHARS = 200              # a class name is shown in the legend and the exported script; longer is a mistake
_CSV_FIT = 5.0                     # uploaded features are scaled into [-5, 5] so they sit inside the plot


class Dataset:
    """Points, labels and how they map back to the user's units.

    Attributes:
        points: float64 array [n, 2] in plot coordinates.
        labels: int64 class indices [n] (classification) or float64 values in [-1, 1] (regression).
        problem: "classification" or "regression".
        num_classes: K for classification, 0 for regression.
        class_names: the label text of each class (the CSV's own labels for uploads).
        x_offset, x_scale: raw feature = points * x_scale + x_offset (identity for built-in data).
        y_offset, y_scale: raw regression label = labels * y_scale + y_offset.
        name: the dataset key ("circle", ..., "csv").
    """

    def __init__(self, points, labels, problem, num_classes=0, class_names=None, name="",
                 x_offset=(0.0, 0.0), x_scale=(1.0, 1.0), y_offset=0.0, y_scale=1.0):
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self.labels = np.asarray(labels)
        self.problem = problem
        self.num_classes = int(num_classes)
        self.class_names = list(class_names) if class_names is not None else [str(k) for k in range(num_classes)]
        self.name = name
        self.x_offset = np.asarray(x_offset, dtype=np.float64)
        self.x_scale = np.asarray(x_scale, dtype=np.float64)
        self.y_offset = float(y_offset)
        self.y_scale = float(y_scale)

    def __len__(self):
        return len(self.points)

    def split(self, percent_train, rng):
        """Shuffles and splits into (train, test) Datasets; `percent_train` is 10..90."""
        order = rng.permutation(len(self))
        n_train = int(round(len(self) * percent_train / 100.0))
        n_train = min(max(n_train, 1), len(self) - 1) if len(self) > 1 else len(self)
        return self._subset(order[:n_train]), self._subset(order[n_train:])

    def _subset(self, idx):
        return Dataset(self.points[idx], self.labels[idx], self.problem, self.num_classes, self.class_names,
                       self.name, self.x_offset, self.x_scale, self.y_offset, self.y_scale)


class CSVError(ValueError):
    """An uploaded CSV file that cannot be used; the message says what is wrong and where."""


def generate(name, noise=0, seed=0, num_classes=2):
    """Generates a built-in dataset.

    Args:
        name: one of CLASSIFICATION or REGRESSION ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss").
        noise: 0..50, the original's noise slider (percent).
        seed: an integer; the same seed gives the same points.
        num_classes: 2..MAX_CLASSES for circle (rings), gauss (blobs) and spiral (arms); xor always has 2.

    Returns:
        A Dataset.

    Raises:
        ValueError: an unknown name or a class count out of range.

    Example:
        >>> d = generate("spiral", noise=10, seed=3, num_classes=3)
        >>> d.points.shape, d.num_classes
        ((500, 2), 3)
    """
    rng = np.random.default_rng(int(seed))
    noise = float(noise) / 100.0
    if name in REGRESSION:
        maker = _reg_plane if name == "reg-plane" else _reg_gauss
        points, labels = maker(NUM_SAMPLES_REGRESS, noise, rng)
        return Dataset(points, labels, "regression", name=name)
    if name not in CLASSIFICATION:
        raise ValueError(f"Unknown dataset {name!r}; expected one of {', '.join(CLASSIFICATION + REGRESSION)}")
    k = 2 if name == "xor" else int(num_classes)
    if not 2 <= k <= MAX_CLASSES:
        raise ValueError(f"num_classes must be between 2 and {MAX_CLASSES}, got {num_classes}")
    maker = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral}[name]
    points, labels = maker(NUM_SAMPLES_CLASSIFY, noise, rng, k)
    order = rng.permutation(len(points))
    return Dataset(points[order], labels[order].astype(np.int64), "classification", k, name=name)


def _circle(n, noise, rng, k):
    """K=2: a disc of radius 2.5 (class 1) inside a ring 3.5..5 (class 0); K>2: K rings with gaps."""
    radius = 5.0
    if k == 2:
        bands = [(0.7 * radius, radius), (0.0, 0.5 * radius)]        # class 0 outside, class 1 inside
    else:
        width = radius / k
        bands = [(c * width + (0.1 * width if c else 0.0), (c + 1) * width - 0.1 * width) for c in range(k)]
    per = _shares(n, k)
    pts, labs = [], []
    for c, (lo, hi) in enumerate(bands):
        r = rng.uniform(lo, hi, per[c])
        angle = rng.uniform(0, 2 * math.pi, per[c])
        xy = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
        noisy = xy + rng.uniform(-radius, radius, xy.shape) * noise
        pts.append(xy)
        labs.append(_band_of(np.hypot(noisy[:, 0], noisy[:, 1]), bands))
    return np.concatenate(pts), np.concatenate(labs)


def _band_of(r, bands):
    """The class whose radial band is nearest to each radius (labels follow the noisy position)."""
    centers = np.array([(lo + hi) / 2 for lo, hi in bands])
    if len(bands) == 2:                                   # the original's rule: inside radius 2.5 or not
        return np.where(r < bands[1][1], 1, 0)
    return np.argmin(np.abs(r[:, None] - centers[None, :]), axis=1)


def _xor(n, noise, rng, k):
    pad = 0.3
    xy = rng.uniform(-5, 5, (n, 2))
    xy += np.where(xy > 0, pad, -pad)
    noisy = xy + rng.uniform(-5, 5, xy.shape) * noise
    return xy, (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)


def _gauss(n, noise, rng, k):
    """K blobs around a circle; K=2 gives the original's (-2,-2) class 0 and (2,2) class 1."""
    spread = 0.5 + noise / 0.5 * 3.5                      # noise 0..0.5 -> variance 0.5..4
    per = _shares(n, k)
    pts, labs = [], []
    for c in range(k):
        angle = 5 * math.pi / 4 + 2 * math.pi * c / k
        center = 2 * math.sqrt(2) * np.array([math.cos(angle), math.sin(angle)])
        if k > 2:
            center *= 1.5                                 # more blobs need more room to stay apart
        pts.append(center + rng.normal(0.0, math.sqrt(spread), (per[c], 2)))
        labs.append(np.full(per[c], c))
    return np.concatenate(pts), np.concatenate(labs)


def _spiral(n, noise, rng, k):
    """K interleaved arms; K=2 gives the original's two spirals (class 1 starting at angle 0)."""
    per = _shares(n, k)
    pts, labs = [], []
    for c in range(k):
        m = per[c]
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * math.pi + math.pi + 2 * math.pi * c / k
        xy = np.stack([r * np.sin(t), r * np.cos(t)], 1) + rng.uniform(-1, 1, (m, 2)) * noise
        pts.append(xy)
        labs.append(np.full(m, c))
    return np.concatenate(pts), np.concatenate(labs)


def _reg_plane(n, noise, rng):
    xy = rng.uniform(-6, 6, (n, 2))
    noisy = xy + rng.uniform(-6, 6, xy.shape) * noise
    return xy, np.clip((noisy[:, 0] + noisy[:, 1]) / 10.0, -1, 1)


_REG_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _reg_gauss(n, noise, rng):
    """Six signed bumps; a point takes the value of the bump whose value is largest in size."""
    xy = rng.uniform(-6, 6, (n, 2))
    noisy = xy + rng.uniform(-6, 6, xy.shape) * noise
    d = np.hypot(noisy[:, None, 0] - _REG_GAUSSIANS[None, :, 0], noisy[:, None, 1] - _REG_GAUSSIANS[None, :, 1])
    values = _REG_GAUSSIANS[None, :, 2] * np.clip(1 - d / 2, 0, 1)
    pick = np.argmax(np.abs(values), axis=1)
    return xy, values[np.arange(n), pick]


def _shares(n, k):
    base = [n // k] * k
    for i in range(n - sum(base)):
        base[i] += 1
    return base


# ----------------------------------------------------------------------------------------------------------------
# CSV uploads

def parse_csv(data, problem=None):
    """Validates and reads an uploaded CSV: two numeric feature columns and a label column.

    A first row none of whose cells reads as a number is a header (a row with "nan" or "inf" in it is data, and is
    rejected: every value must be finite). Line ends may be \\n, \\r\\n or \\r. Labels that are not all numbers, or
    numbers with at most MAX_CLASSES distinct integer values, make a classification set (unless `problem` says
    "regression"); any other numbers make a regression set. Features are scaled into the plot and regression
    labels into [-1, 1]; the Dataset remembers the scaling so exports work in the file's own units.

    Args:
        data: the file's bytes (or str).
        problem: None to detect, or "classification" / "regression" to insist.

    Returns:
        A Dataset named "csv".

    Raises:
        CSVError: with a message saying what is wrong and on which line.

    Example:
        >>> parse_csv(b"x,y,label\\n0,0,0\\n1,1,1\\n0,1,1\\n1,0,0\\n").num_classes
        2
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_CSV_BYTES:
        raise CSVError(f"The file is too large ({len(data):,} bytes); the limit is {MAX_CSV_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CSVError(f"The file is not UTF-8 text (bad byte at position {e.start}); upload a plain CSV file.")
    if "\x00" in text:
        raise CSVError("The file looks binary (it contains NUL bytes); upload a plain CSV file.")
    # old Mac files end lines with a lone \r, which the csv module rejects inside an unquoted field
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = _rows(text, _delimiter(text))
    if not rows:
        raise CSVError("The file is empty: expected rows of x1,x2,label.")
    if not any(_is_number(c) for c in rows[0][1]):
        rows = rows[1:]                                   # a header line
    if len(rows) < 4:
        raise CSVError(f"The file has {len(rows)} data row(s); at least 4 are needed (x1,x2,label per row).")
    if len(rows) > MAX_CSV_ROWS:
        raise CSVError(f"The file has {len(rows):,} rows; the limit is {MAX_CSV_ROWS:,}.")
    features, labels = [], []
    for lineno, cells in rows:
        if len(cells) != 3:
            raise CSVError(f"Line {lineno}: expected 3 columns (x1, x2, label), found {len(cells)}.")
        try:
            x1, x2 = float(cells[0]), float(cells[1])
        except ValueError:
            raise CSVError(f"Line {lineno}: the features must be numbers, found {cells[0]!r}, {cells[1]!r}.")
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise CSVError(f"Line {lineno}: the features must be finite numbers, found {cells[0]!r}, {cells[1]!r}.")
        if not cells[2]:
            raise CSVError(f"Line {lineno}: the label is empty.")
        if _is_number(cells[2]) and not math.isfinite(float(cells[2])):
            raise CSVError(f"Line {lineno}: the label must be a finite number or a name, found {cells[2]!r}.")
        if len(cells[2]) > MAX_LABEL_CHARS:
            raise CSVError(f"Line {lineno}: the label is {len(cells[2]):,} characters long; the limit is "
                           f"{MAX_LABEL_CHARS}.")
        features.append((x1, x2))
        labels.append(cells[2])
    return _dataset_from(np.array(features), labels, problem)


def _rows(text, delimiter):
    """[(line number, stripped cells)] of the rows with content (blank rows and # comments dropped)."""
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as e:                            # e.g. a field over csv.field_size_limit()
            if "field larger than field limit" in str(e):
                raise CSVError(f"Line {reader.line_num}: a value is longer than {csv.field_size_limit():,} "
                               "characters; is this really a CSV file of x1,x2,label rows?")
            raise CSVError(f"Line {reader.line_num}: cannot be read as CSV ({e}).")
        cells = [c.strip() for c in row]
        if delimiter == " ":
            cells = [c for c in cells if c]
        if not cells or all(not c for c in cells) or cells[0].startswith("#"):
            continue
        rows.append((reader.line_num, cells))


def _is_number(text):
    """Whether float() reads `text` (nan and inf included: those are data, never a header)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _delimiter(text):
    """Comma, semicolon or tab, whichever most of the first content lines hold (a quoted header may span several
    lines), else runs of spaces."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")][:10]
    counts = {d: sum(d in line for line in lines) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)                   # ties go to the earlier one: comma first
    return best if counts[best] else " "


def _midpoint_and_half_range(lo, hi):
    """(lo + hi) / 2 and (hi - lo) / 2 without overflow: values near 1e308 would make inf of the sums. A range
    of 0 (or too small to divide by) counts as 1, so a constant column stays put instead of dividing by 0."""
    lo, hi = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
    center = lo / 2 + hi / 2
    half = hi / 2 - lo / 2
    return center, np.where(half / _CSV_FIT > 0, half, 1.0)


def _dataset_from(features, labels, problem):
    center, half = _midpoint_and_half_range(features.min(0), features.max(0))
    x_scale = half / _CSV_FIT
    points = (features - center) / x_scale
    numeric = _numbers_or_none(labels)
    if problem is None:
        if numeric is None:
            problem = "classification"
        else:
            distinct = np.unique(numeric)
            problem = ("classification" if len(distinct) <= MAX_CLASSES and np.all(distinct == np.round(distinct))
                       else "regression")
    if problem == "regression":
        if numeric is None:
            bad = next(t for t in labels if _numbers_or_none([t]) is None)
            raise CSVError(f"Regression needs numeric labels; found {bad!r}.")
        y_offset, y_scale = _midpoint_and_half_range(numeric.min(), numeric.max())
        targets = (numeric - y_offset) / y_scale
        _require_finite(points, x_scale, targets, y_scale)
        return Dataset(points, targets, "regression", name="csv", x_offset=center,
                       x_scale=x_scale, y_offset=y_offset, y_scale=y_scale)
    if numeric is not None:
        keys = np.unique(numeric)
        names = [_fmt(v) for v in keys]
        index = np.searchsorted(keys, numeric)
    else:
        names = sorted(set(labels))
        lookup = {name: i for i, name in enumerate(names)}
        index = np.array([lookup[t] for t in labels])
    if len(names) < 2:
        raise CSVError(f"Classification needs at least 2 classes; every label is {names[0]!r}.")
    if len(names) > MAX_CLASSES:
        shown = ", ".join(names[:MAX_CLASSES + 1])
        raise CSVError(f"Found {len(names)} classes ({shown}, ...); at most {MAX_CLASSES} are supported.")
    _require_finite(points, x_scale)
    return Dataset(points, index.astype(np.int64), "classification", len(names), names, name="csv",
                   x_offset=center, x_scale=x_scale)


def _require_finite(*arrays):
    """The scaled data must be finite numbers: the page's JSON and the exports cannot carry inf or nan."""
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise CSVError("The values cannot be scaled into the plot (the result is not a finite number); "
                       "rescale the file's columns.")


def _numbers_or_none(texts):
    try:
        values = np.array([float(t) for t in texts])
    except ValueError:
        return None
    return values if np.all(np.isfinite(values)) else None


def _fmt(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))
