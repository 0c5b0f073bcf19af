"""`read_data_sets`: the classic MNIST loader (IDX files, train/validation/test, next_batch).

Mirrors TensorFlow 1.x's `tensorflow.examples.tutorials.mnist.input_data`: the four IDX files are read from
`train_dir` (gzipped or not) and downloaded there first when absent — with a short network timeout, checksum
verification and an atomic rename, so an interrupted or corrupted download never leaves a bad file behind.
"""
import collections
import gzip
import hashlib
import os
import tempfile

import numpy as np

from ....framework import dtypes
from ....framework.random_seed import get_seed

__all__ = ["DEFAULT_SOURCE_URL", "CHECKSUMS", "DataSet", "Datasets", "MNISTDownloadError", "dense_to_one_hot",
           "extract_images", "extract_labels", "load_mnist", "maybe_download", "read_data_sets"]

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

# Seconds to wait for a connection or for the next chunk: offline machines must fail fast, never hang.
DOWNLOAD_TIMEOUT = 10

_MNIST_SUMS = {
    TRAIN_IMAGES: "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Known digests of the files each source serves, keyed by source URL. Fashion-MNIST ships files under the same
# names (a documented use of this loader), so digests are per source, not per file name. A download from a source
# not listed here is checked for a valid IDX header only.
CHECKSUMS = {
    DEFAULT_SOURCE_URL: _MNIST_SUMS,
    "http://yann.lecun.com/exdb/mnist/": _MNIST_SUMS,
    "https://ossci-datasets.s3.amazonaws.com/mnist/": _MNIST_SUMS,
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/": {
        TRAIN_IMAGES: "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        TRAIN_LABELS: "md5:25c81989df183df01b3e8a0aad5dffbe",
        TEST_IMAGES: "md5:bef4ecab320f06d8554ea6380940ec79",
        TEST_LABELS: "md5:bb300cfdad3c16e7a12a480ee83cd310",
    },
}

_IMAGE_MAGIC, _LABEL_MAGIC = 2051, 2049

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


class MNISTDownloadError(OSError):
    """The MNIST files are missing and could not be downloaded (offline, bad URL, checksum mismatch)."""


# --- reading IDX files -------------------------------------------------------------------------------------
def _open_stream(f):
    """A byte stream of the IDX content of file object `f`, decompressing when it starts with the gzip magic."""
    head = f.read(2)
    f.seek(-len(head), os.SEEK_CUR)
    return gzip.GzipFile(fileobj=f) if head == b"\x1f\x8b" else f


def _read(stream, count, name):
    try:
        return stream.read(count)
    except (EOFError, gzip.BadGzipFile, OSError) as e:  # a cut-off or damaged gzip stream
        raise ValueError(f"Corrupted MNIST file: {name} ({e})") from None


def _read32(stream, name):
    raw = _read(stream, 4, name)
    if len(raw) != 4:
        raise ValueError(f"Truncated MNIST file (header ends early): {name}")
    return int(np.frombuffer(raw, dtype=">u4")[0])


def _read_exactly(stream, count, name, what):
    buf = _read(stream, count, name)
    if len(buf) != count:
        raise ValueError(f"Truncated MNIST file: {name} declares {what} ({count} bytes) but holds {len(buf)} bytes")
    return np.frombuffer(buf, dtype=np.uint8)


def extract_images(f):
    """Reads an IDX3 image file (gzipped or not) into a uint8 array of shape [num_images, rows, cols, 1].

    Args:
        f: a binary file object, e.g. `open("train-images-idx3-ubyte.gz", "rb")`.

    Raises:
        ValueError: if the magic number is not 2051 or the file is truncated.
    """
    name = getattr(f, "name", "<stream>")
    print("Extracting", name)
    stream = _open_stream(f)
    magic = _read32(stream, name)
    if magic != _IMAGE_MAGIC:
        raise ValueError(f"Invalid magic number {magic} in MNIST image file: {name}")
    num_images, rows, cols = (_read32(stream, name) for _ in range(3))
    data = _read_exactly(stream, rows * cols * num_images, name, f"{num_images} images of {rows}x{cols}")
    return data.reshape(num_images, rows, cols, 1)


def dense_to_one_hot(labels_dense, num_classes):
    """Class ids [N] -> one-hot rows [N, num_classes] (float64, as in TensorFlow)."""
    labels_dense = np.asarray(labels_dense)
    labels_one_hot = np.zeros((labels_dense.shape[0], num_classes))
    labels_one_hot[np.arange(labels_dense.shape[0]), labels_dense.ravel()] = 1
    return labels_one_hot


def extract_labels(f, one_hot=False, num_classes=10):
    """Reads an IDX1 label file (gzipped or not) into uint8 class ids [N], or one-hot rows [N, num_classes].

    Raises:
        ValueError: if the magic number is not 2049 or the file is truncated.
    """
    name = getattr(f, "name", "<stream>")
    print("Extracting", name)
    stream = _open_stream(f)
    magic = _read32(stream, name)
    if magic != _LABEL_MAGIC:
        raise ValueError(f"Invalid magic number {magic} in MNIST label file: {name}")
    num_items = _read32(stream, name)
    labels = _read_exactly(stream, num_items, name, f"{num_items} labels")
    if one_hot:
        return dense_to_one_hot(labels, num_classes)
    return labels


# --- the data set --------------------------------------------------------------------------------------------
class DataSet:
    """Images and labels with `next_batch`: TensorFlow's MNIST tutorial data set.

    Images are scaled from [0, 255] to [0.0, 1.0] when `dtype` is float32 (kept as uint8 otherwise) and flattened
    to [N, rows*cols] when `reshape` is true. `next_batch` shuffles at the start of the first epoch and of every
    new epoch; a batch that crosses an epoch boundary is the end of one epoch followed by the start of the next.

    Shuffling uses a generator of its own seeded from `seed` (or the graph seed, as TensorFlow does); with neither
    set it uses NumPy's global generator, so `np.random.seed(...)` makes it reproducible. (TensorFlow reseeded the
    global generator instead; we leave the caller's generator alone.)

    Example:
        >>> batch_xs, batch_ys = mnist.train.next_batch(100)
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                 seed=None):
        seed1, seed2 = get_seed(seed)
        rng_seed = seed1 if seed is None else seed2
        self._rng = np.random if rng_seed is None else np.random.RandomState(rng_seed)
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images and labels must have the same number of examples, but images.shape: "
                                 f"{images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(f"reshape=True expects images of shape [N, rows, cols, 1], got {images.shape}")
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    images = property(lambda self: self._images, doc="The images, in the current (shuffled) order.")
    labels = property(lambda self: self._labels, doc="The labels, in the same order as `images`.")
    num_examples = property(lambda self: self._num_examples, doc="Number of examples.")
    epochs_completed = property(lambda self: self._epochs_completed, doc="Epochs finished by `next_batch`.")

    def _shuffle(self):
        perm = np.arange(self._num_examples)
        self._rng.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples as `(images, labels)`.

        Args:
            batch_size: number of examples.
            fake_data: return constant fake examples (784 ones, label 0) instead.
            shuffle: shuffle at the start of each epoch.
        """
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size > self._num_examples:
            # The epoch ends inside this batch: its rest, then the start of the (reshuffled) next epoch.
            self._epochs_completed += 1
            images_rest = self._images[start:self._num_examples]
            labels_rest = self._labels[start:self._num_examples]
            if shuffle:
                self._shuffle()
            self._index_in_epoch = batch_size - (self._num_examples - start)
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]

    def __repr__(self):
        return f"<DataSet num_examples={self._num_examples} epochs_completed={self._epochs_completed}>"


# --- finding and downloading the files ---------------------------------------------------------------------------
def _local_candidates(filename, work_directory):
    """The paths where `filename` may already be: as named, then uncompressed (`x-idx3-ubyte`, `x.idx3-ubyte`)."""
    plain = filename[:-3] if filename.endswith(".gz") else filename
    names = [filename, plain, plain.replace("-idx", ".idx")]
    return [os.path.join(work_directory, n) for n in dict.fromkeys(names)]


def _find_local(filename, work_directory):
    for path in _local_candidates(filename, work_directory):
        if os.path.isfile(path):
            return path
    return None


def _digest(kind, path):
    h = hashlib.new(kind)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_idx_header(path, filename, url):
    """Rejects a download that is not an IDX file (an HTML error page, a wrong file)."""
    expected = _LABEL_MAGIC if "labels" in filename else _IMAGE_MAGIC
    try:
        with open(path, "rb") as f:
            magic = _read32(_open_stream(f), url)
    except (OSError, EOFError, ValueError) as e:
        raise MNISTDownloadError(f"The file downloaded from {url} is not a valid MNIST IDX file ({e}).") from None
    if magic != expected:
        raise MNISTDownloadError(f"The file downloaded from {url} is not a valid MNIST IDX file: magic number "
                                 f"{magic}, expected {expected}.")


def _download(url, target, filename, checksum):
    """Downloads `url` to a temporary file next to `target`, verifies it, then renames it into place."""
    import urllib.request
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if checksum is not None:
            kind, expected = checksum.split(":", 1)
            actual = _digest(kind, tmp)
            if actual != expected:
                raise MNISTDownloadError(
                    f"Checksum mismatch for {filename} downloaded from {url}: expected {kind} {expected}, got "
                    f"{actual}. The download was corrupted or the server sent a different file; nothing was saved. "
                    "Try again, or download the file yourself.")
        _check_idx_header(tmp, filename, url)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    print("Successfully downloaded", filename, os.path.getsize(target), "bytes.")
    return target


def _missing_message(missing, work_directory, source_url, reason):
    where = os.path.abspath(work_directory)
    lines = [f"MNIST files missing and could not be downloaded ({reason}).",
             f"  Missing: {', '.join(missing)}",
             f"  Looked in: {where} (each name as given, or uncompressed without .gz)",
             f"  Tried to download from: {source_url}",
             "  To fix: connect to the network and run again, or download the files on another machine, e.g.",
             *(f"    {source_url}{name}" for name in missing),
             f"  and copy them into {where}, or pass source_url= a reachable mirror."]
    return "\n".join(lines)


def maybe_download(filename, work_directory, source_url):
    """The path of `filename` in `work_directory`, downloading it from `source_url` first if it is absent.

    A file already there, gzipped or uncompressed (`train-images-idx3-ubyte`), is used as is. A download goes to
    a temporary file, is checked against the source's known digest (see `CHECKSUMS`) and the IDX header, and is
    then renamed into place atomically.

    Raises:
        MNISTDownloadError: the file is absent and could not be downloaded, or failed verification.
    """
    found = _find_local(filename, work_directory)
    if found is not None:
        return found
    os.makedirs(work_directory, exist_ok=True)
    base = source_url if source_url.endswith("/") else source_url + "/"
    return _download(base + filename, os.path.join(work_directory, filename), filename,
                     CHECKSUMS.get(base, {}).get(filename))


def _fetch_all(filenames, work_directory, source_url):
    """Local paths of all `filenames`, downloading absent ones; one clear error naming every missing file."""
    paths = {name: _find_local(name, work_directory) for name in filenames}
    missing = [name for name, path in paths.items() if path is None]
    for name in missing:
        try:
            paths[name] = maybe_download(name, work_directory, source_url)
        except MNISTDownloadError:
            raise
        except OSError as e:  # URLError, timeouts, refused connections, HTTP errors: no network or a bad URL
            still = [n for n in missing if paths[n] is None]
            reason = getattr(e, "reason", None) or e
            raise MNISTDownloadError(_missing_message(still, work_directory, source_url, reason)) from e
    return paths


# --- the entry points -----------------------------------------------------------------------------------------
def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=DEFAULT_SOURCE_URL):
    """Loads MNIST from `train_dir` (downloading it there if needed) as `Datasets(train, validation, test)`.

    The first `validation_size` training examples become the validation set (60000 - 5000 = 55000 remain for
    training by default); the test set is the 10000 t10k examples.

    Args:
        train_dir: folder holding (or to receive) the four IDX files.
        fake_data: return fake data sets of 10000 examples each (for unit tests).
        one_hot: labels as one-hot float rows [N, 10] instead of uint8 class ids [N].
        dtype: `tf.float32` (images scaled to [0, 1]) or `tf.uint8` (raw 0..255).
        reshape: flatten images to [N, 784]; False keeps [N, 28, 28, 1].
        validation_size: number of training examples held out for validation.
        seed: seed for `next_batch` shuffling.
        source_url: where to download absent files from.

    Returns:
        `Datasets` namedtuple of `DataSet` (`images`, `labels`, `num_examples`, `next_batch`).

    Raises:
        MNISTDownloadError: files absent and not downloadable (the message says which, where, and how to get them).
        ValueError: a file with a bad magic number or truncated; `validation_size` out of range.

    Example:
        >>> from neuroflow.examples.tutorials.mnist import input_data
        >>> mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
        >>> mnist.train.images.shape, mnist.train.labels.shape
        ((55000, 784), (55000, 10))
    """
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())

    if not source_url:
        source_url = DEFAULT_SOURCE_URL
    paths = _fetch_all([TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS], train_dir, source_url)
    with open(paths[TRAIN_IMAGES], "rb") as f:
        train_images = extract_images(f)
    with open(paths[TRAIN_LABELS], "rb") as f:
        train_labels = extract_labels(f, one_hot=one_hot)
    with open(paths[TEST_IMAGES], "rb") as f:
        test_images = extract_images(f)
    with open(paths[TEST_LABELS], "rb") as f:
        test_labels = extract_labels(f, one_hot=one_hot)

    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. Received: "
                         f"{validation_size}.")
    validation_images, validation_labels = train_images[:validation_size], train_labels[:validation_size]
    train_images, train_labels = train_images[validation_size:], train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=DataSet(train_images, train_labels, **options),
                    validation=DataSet(validation_images, validation_labels, **options),
                    test=DataSet(test_images, test_labels, **options))


def load_mnist(train_dir="MNIST-data"):
    """`read_data_sets(train_dir)` with the defaults."""
    return read_data_sets(train_dir)
