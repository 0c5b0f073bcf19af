"""The classic MNIST loader on small IDX files generated here (gzipped and not); downloads only from 127.0.0.1."""
import functools
import gzip
import hashlib
import http.server
import os
import struct
import threading

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.examples.tutorials.mnist import input_data

N_TRAIN, N_TEST, ROWS, COLS = 30, 12, 4, 5
NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz")


def _images_bytes(images):
    n, rows, cols = images.shape
    return struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes()


def _labels_bytes(labels):
    return struct.pack(">II", 2049, len(labels)) + labels.astype(np.uint8).tobytes()


def _payloads():
    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, (N_TRAIN, ROWS, COLS), dtype=np.uint8)
    train_images[:, 0, 0] = np.arange(N_TRAIN)  # pixel (0, 0) identifies each example
    train_labels = np.arange(N_TRAIN) % 10
    test_images = rng.integers(0, 256, (N_TEST, ROWS, COLS), dtype=np.uint8)
    test_labels = (np.arange(N_TEST) * 3) % 10
    raw = [_images_bytes(train_images), _labels_bytes(train_labels), _images_bytes(test_images),
           _labels_bytes(test_labels)]
    return dict(zip(NAMES, raw)), (train_images, train_labels, test_images, test_labels)


def write_mnist(directory, compressed=True):
    payloads, arrays = _payloads()
    os.makedirs(directory, exist_ok=True)
    for name, raw in payloads.items():
        if compressed:
            with gzip.open(os.path.join(directory, name), "wb") as f:
                f.write(raw)
        else:
            with open(os.path.join(directory, name[:-3]), "wb") as f:
                f.write(raw)
    return arrays


@pytest.mark.parametrize("compressed", [True, False])
def test_shapes_dtypes_scaling_and_split(tmp_path, compressed):
    train_images, train_labels, test_images, test_labels = write_mnist(tmp_path, compressed)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=10)
    assert isinstance(mnist, input_data.Datasets)
    assert mnist.train.num_examples == 20 and mnist.validation.num_examples == 10
    assert mnist.test.num_examples == N_TEST
    assert mnist.train.images.shape == (20, ROWS * COLS) and mnist.train.images.dtype == np.float32
    assert mnist.train.labels.shape == (20,) and mnist.train.labels.dtype == np.uint8
    # The first validation_size training examples (file order) are the validation set.
    np.testing.assert_allclose(mnist.validation.images, train_images[:10].reshape(10, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(mnist.train.labels, train_labels[10:])
    np.testing.assert_allclose(mnist.test.images, test_images.reshape(N_TEST, -1) / np.float32(255), rtol=1e-6)
    np.testing.assert_array_equal(mnist.test.labels, test_labels)
    assert 0.0 <= mnist.train.images.min() and mnist.train.images.max() <= 1.0


def test_one_hot_uint8_and_reshape_false(tmp_path):
    train_images, train_labels, _, _ = write_mnist(tmp_path)
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True, dtype=tf.uint8, reshape=False, validation_size=0)
    assert mnist.train.images.shape == (N_TRAIN, ROWS, COLS, 1) and mnist.train.images.dtype == np.uint8
    np.testing.assert_array_equal(mnist.train.images[..., 0], train_images)
    assert mnist.train.labels.shape == (N_TRAIN, 10) and mnist.train.labels.dtype.kind == "f"
    np.testing.assert_array_equal(mnist.train.labels.argmax(1), train_labels)
    np.testing.assert_array_equal(mnist.train.labels.sum(1), np.ones(N_TRAIN))
    assert mnist.validation.num_examples == 0


def test_bad_dtype_and_validation_size(tmp_path):
    write_mnist(tmp_path)
    with pytest.raises(TypeError, match="Invalid image dtype .*expected uint8 or float32"):
        input_data.read_data_sets(str(tmp_path), dtype=tf.float64, validation_size=5)
    with pytest.raises(ValueError, match=r"Validation size should be between 0 and 30. Received: 31."):
        input_data.read_data_sets(str(tmp_path), validation_size=31)


def test_next_batch_epochs_and_shuffling(tmp_path):
    write_mnist(tmp_path)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=0, dtype=tf.uint8, seed=3)
    train = mnist.train
    ids = lambda images: images[:, 0].astype(int)  # noqa: E731 - pixel (0, 0) is the example id
    first, labels = train.next_batch(12)
    assert first.shape == (12, ROWS * COLS) and labels.shape == (12,)
    np.testing.assert_array_equal(labels, ids(first) % 10)  # images and labels stay paired
    assert list(ids(first)) != list(range(12)), "the first epoch is shuffled"
    second, _ = train.next_batch(12)
    assert train.epochs_completed == 0
    epoch1 = list(ids(first)) + list(ids(second))
    # 24 + 12 > 30: the last 6 of epoch 1, then the first 6 of the reshuffled epoch 2.
    third, labels3 = train.next_batch(12)
    assert train.epochs_completed == 1 and third.shape[0] == 12
    np.testing.assert_array_equal(labels3, ids(third) % 10)
    rest = list(ids(third[:6]))
    assert sorted(epoch1 + rest) == list(range(N_TRAIN)), "epoch 1 covers every example exactly once"
    fourth, _ = train.next_batch(24)
    epoch2 = list(ids(third[6:])) + list(ids(fourth))
    assert sorted(epoch2) == list(range(N_TRAIN)) and train.epochs_completed == 1
    assert epoch2 != epoch1 + rest, "each epoch is reshuffled"


def test_next_batch_without_shuffle_and_seed_reproducibility(tmp_path):
    write_mnist(tmp_path)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=0, dtype=tf.uint8)
    batches = [mnist.train.next_batch(8, shuffle=False)[0][:, 0] for _ in range(4)]
    order = np.concatenate(batches)
    np.testing.assert_array_equal(order, np.r_[0:30, 0:2])
    a = input_data.read_data_sets(str(tmp_path), validation_size=0, seed=7).train.next_batch(10)[1]
    b = input_data.read_data_sets(str(tmp_path), validation_size=0, seed=7).train.next_batch(10)[1]
    np.testing.assert_array_equal(a, b)


def test_fake_data():
    mnist = input_data.read_data_sets("", fake_data=True, one_hot=True)
    images, labels = mnist.train.next_batch(3, fake_data=True)
    assert mnist.train.num_examples == 10000
    assert np.shape(images) == (3, 784) and labels[0] == [1] + [0] * 9


def _corrupt(path, magic):
    raw = bytearray(gzip.open(path).read())
    raw[:4] = struct.pack(">I", magic)
    with gzip.open(path, "wb") as f:
        f.write(bytes(raw))


def test_bad_magic_numbers(tmp_path):
    write_mnist(tmp_path)
    labels_path = tmp_path / NAMES[1]
    _corrupt(labels_path, 2051)
    with pytest.raises(ValueError, match=r"Invalid magic number 2051 in MNIST label file: .*train-labels"):
        input_data.read_data_sets(str(tmp_path))
    write_mnist(tmp_path)
    _corrupt(tmp_path / NAMES[2], 2049)
    with pytest.raises(ValueError, match=r"Invalid magic number 2049 in MNIST image file: .*t10k-images"):
        input_data.read_data_sets(str(tmp_path))


def test_truncated_file(tmp_path):
    write_mnist(tmp_path, compressed=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(ValueError, match="Truncated MNIST file: .*train-images"):
        input_data.read_data_sets(str(tmp_path))


def test_missing_files_offline_message_is_clear_and_fast(tmp_path, monkeypatch):
    """Offline, the loader gives up after one refused connection (not one wait per file) and names every
    missing file."""
    import urllib.request
    write_mnist(tmp_path)
    os.remove(tmp_path / NAMES[0])
    os.remove(tmp_path / NAMES[3])
    attempts = []
    real_urlopen = urllib.request.urlopen

    def counting_urlopen(url, *args, **kwargs):
        attempts.append((url, kwargs.get("timeout")))
        return real_urlopen(url, *args, **kwargs)
    monkeypatch.setattr(urllib.request, "urlopen", counting_urlopen)
    with pytest.raises(input_data.MNISTDownloadError) as info:
        input_data.read_data_sets(str(tmp_path), source_url="http://127.0.0.1:9/")
    assert len(attempts) == 1 and attempts[0][1] == input_data.DOWNLOAD_TIMEOUT <= 30, attempts
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "train-labels" not in message.split("Looked in")[0], "only the missing files are listed"
    assert str(tmp_path) in message and "http://127.0.0.1:9/t10k-labels-idx1-ubyte.gz" in message
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")], "no temporary file left behind"


class _Server:
    """Serves a folder over HTTP on 127.0.0.1 (an ephemeral port), quietly, in a thread."""

    def __init__(self, directory):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
        handler.log_message = lambda *args: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_download_verifies_checksums(tmp_path, monkeypatch, capsys):
    served = tmp_path / "served"
    write_mnist(served)
    target = tmp_path / "data"
    with _Server(served) as server:
        sums = {name: "sha256:" + _sha256(served / name) for name in NAMES}
        monkeypatch.setitem(input_data.CHECKSUMS, server.url, sums)
        mnist = input_data.read_data_sets(str(target), validation_size=5, source_url=server.url)
        assert mnist.train.num_examples == N_TRAIN - 5
        assert sorted(os.listdir(target)) == sorted(NAMES)
        assert "Successfully downloaded" in capsys.readouterr().out

        # A corrupted download: an error naming the file, and nothing saved.
        bad = tmp_path / "bad"
        monkeypatch.setitem(input_data.CHECKSUMS, server.url, dict(sums, **{NAMES[1]: "sha256:" + "0" * 64}))
        with pytest.raises(input_data.MNISTDownloadError, match="Checksum mismatch for train-labels-idx1-ubyte.gz"):
            input_data.read_data_sets(str(bad), source_url=server.url)
        assert NAMES[1] not in os.listdir(bad) and not [p for p in os.listdir(bad) if p.endswith(".part")]


def test_download_from_unknown_source_checks_the_idx_header(tmp_path):
    served = tmp_path / "served"
    write_mnist(served)
    (served / NAMES[2]).write_bytes(b"<html>Not the file you wanted</html>")
    with _Server(served) as server:
        with pytest.raises(input_data.MNISTDownloadError, match="not a valid MNIST IDX file"):
            input_data.read_data_sets(str(tmp_path / "data"), source_url=server.url)
        # A 404 is reported like being offline: which files, where, how.
        with pytest.raises(input_data.MNISTDownloadError, match="missing and could not be downloaded"):
            input_data.read_data_sets(str(tmp_path / "data2"), source_url=server.url + "nothing/")


def test_default_checksums_are_the_published_ones():
    sums = input_data.CHECKSUMS[input_data.DEFAULT_SOURCE_URL]
    assert sums["train-images-idx3-ubyte.gz"] == \
        "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    assert set(sums) == set(NAMES)
    assert input_data.DEFAULT_SOURCE_URL == "https://storage.googleapis.com/cvdf-datasets/mnist/"
