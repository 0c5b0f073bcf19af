"""End to end: train a small model with summaries, start the real `tensorboard` on 127.0.0.1, check its HTTP API
lists the run, the tags and the graph, and take headless-Chromium screenshots of the Scalars and Graphs
dashboards (and of `graph_to_html`'s page), checking that they show drawn content.

Skipped when the `tensorboard` package or a Chromium browser is missing. Set NEUROFLOW_SCREENSHOT_DIR to keep
the screenshots (docs/tensorboard.png was made this way).
"""
import importlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import numpy as np
import pytest

import neuroflow as tf

pytestmark = pytest.mark.browser

_CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "chrome")
                  if shutil.which(n)), None)


def _requirements():
    try:
        importlib.import_module("tensorboard.main")
        importlib.import_module("PIL.Image")  # comes with tensorboard; reads the screenshots
    except ImportError:
        pytest.skip("the tensorboard package is not installed (pip install neuroflow[tensorboard])")
    if _CHROMIUM is None:
        pytest.skip("no Chromium browser found (Debian: apt-get install -y chromium)")
    pytest.importorskip("sklearn", reason="the digits data comes from scikit-learn (pip install neuroflow[examples])")


def _train(logdir):
    from sklearn.datasets import load_digits
    digits = load_digits()
    x_all = (digits.data / 16.0).astype(np.float32)
    y_all = digits.target.astype(np.int64)
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    with tf.name_scope("input"):
        tf.summary.image("digits", tf.reshape(x, [-1, 8, 8, 1]), max_outputs=3)
    with tf.name_scope("hidden"):
        h = tf.layers.dense(x, 32, activation=tf.nn.relu)
    with tf.name_scope("output"):
        logits = tf.layers.dense(h, 10)
    with tf.name_scope("xent"):
        loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    with tf.name_scope("eval"):
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    train = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=tf.train.get_or_create_global_step())
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("accuracy", accuracy)
    tf.summary.histogram("hidden_activations", h)
    merged = tf.summary.merge_all()
    rng = np.random.default_rng(0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter(os.path.join(logdir, "mlp"), sess.graph)
        for step in range(120):
            idx = rng.integers(0, len(x_all), 64)
            feed = {x: x_all[idx], y: y_all[idx]}
            if step % 5 == 0:
                summary, _ = sess.run([merged, train], feed)
                writer.add_summary(summary, step)
            else:
                sess.run(train, feed)
        writer.close()
        tf.summary.graph_to_html(sess.graph, path=os.path.join(logdir, "graph.html"))


def _start_tensorboard(logdir, timeout=60.0):
    """Starts tensorboard on a port the OS picks (`--port 0`: no window in which another process could take a
    port chosen beforehand) and reads the port from the line it prints once serving. Returns (process, port,
    stderr lines so far); a thread keeps draining its stderr so it never blocks on a full pipe."""
    proc = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host",
                             "127.0.0.1", "--port", "0", "--reload_interval", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, text=True)
    lines, found = [], queue.Queue()

    def pump():
        for line in proc.stderr:
            lines.append(line)
            match = re.search(r"TensorBoard \S+ at http://127\.0\.0\.1:(\d+)/", line)
            if match:
                found.put(int(match.group(1)))
        found.put(None)   # stderr closed: tensorboard exited
    threading.Thread(target=pump, daemon=True).start()
    try:
        port = found.get(timeout=timeout)
    except queue.Empty:
        port = None
    if port is None:
        _stop(proc)
        pytest.fail("tensorboard did not report its port: " + "".join(lines)[-2000:])
    return proc, port, lines


def _stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # tensorboard and the data server it started, nothing else
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def _screenshot(url, path, tmp):
    subprocess.run([_CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    f"--user-data-dir={tmp}", f"--screenshot={path}", "--window-size=1400,900",
                    "--virtual-time-budget=15000", url],
                   check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from PIL import Image
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int32)


def _drawn(region):
    """The share of pixels in `region` that differ from its most common (background) colour."""
    flat = region.reshape(-1, 3)
    colors, counts = np.unique(flat, axis=0, return_counts=True)
    background = colors[counts.argmax()]
    return float(np.mean(np.abs(flat - background).sum(axis=1) > 30))


def test_tensorboard_shows_scalars_and_graph(tmp_path):
    _requirements()
    logdir = tmp_path / "runs"
    logdir.mkdir()
    _train(str(logdir))
    proc, port, stderr_lines = _start_tensorboard(logdir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120   # generous: a loaded machine may take long to load the run
        runs = []
        while time.time() < deadline and "mlp" not in runs:
            if proc.poll() is not None:
                pytest.fail("tensorboard exited: " + "".join(stderr_lines)[-2000:])
            try:
                runs = json.loads(_get(base + "/data/runs"))
            except OSError:
                pass
            time.sleep(0.3)
        assert runs == ["mlp"]
        tags = json.loads(_get(base + "/data/plugin/scalars/tags"))
        assert set(tags["mlp"]) == {"loss", "accuracy"}
        series = json.loads(_get(base + "/data/plugin/scalars/scalars?run=mlp&tag=loss"))
        steps = [s[1] for s in series]
        assert steps == list(range(0, 120, 5))
        assert series[-1][2] < series[0][2]  # the loss went down
        assert "hidden_activations" in json.loads(_get(base + "/data/plugin/histograms/tags"))["mlp"]
        assert json.loads(_get(base + "/data/plugin/graphs/info"))["mlp"]["run_graph"] is True
        graph_text = _get(base + "/data/plugin/graphs/graph?run=mlp")
        for fragment in ('name: "hidden/dense/MatMul"', 'op: "MatMul"', 'input: "x"', 'key: "_output_shapes"'):
            assert fragment in graph_text

        shots = os.environ.get("NEUROFLOW_SCREENSHOT_DIR") or str(tmp_path)
        os.makedirs(shots, exist_ok=True)
        scalars = _screenshot(base + "/#scalars", os.path.join(shots, "tensorboard_scalars.png"), tmp_path / "c1")
        graphs = _screenshot(base + "/#graphs&run=mlp", os.path.join(shots, "tensorboard_graphs.png"),
                             tmp_path / "c2")
        page = _screenshot((logdir / "graph.html").as_uri(), os.path.join(shots, "graph_html.png"),
                           tmp_path / "c3")
    finally:
        _stop(proc)
    orange = np.array([245, 124, 0])  # TensorBoard's header bar: the app itself loaded
    assert np.abs(scalars[20, 700] - orange).sum() < 40 and np.abs(graphs[20, 700] - orange).sum() < 40
    assert _drawn(scalars[120:600, 360:1400]) > 0.02, "no charts drawn on the Scalars dashboard"
    assert _drawn(graphs[120:700, 360:1400]) > 0.01, "no graph drawn on the Graphs dashboard"
    assert _drawn(page[:, 280:]) > 0.01, "graph_to_html drew nothing"
