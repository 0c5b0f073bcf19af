"""The Playground's Python side: datasets, features, config, training on one graph, CSV checks, export, sessions."""
import os
import subprocess
import sys

import numpy as np
import pytest

from neuroflow.playground import config as C
from neuroflow.playground import datasets, export, features
from neuroflow.playground.engine import GRID, NEURON_GRID, Playground
from neuroflow.playground.session import PlaygroundSession, SessionRegistry, history_after

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- datasets ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_classification_sets(name):
    d = datasets.generate(name, noise=0, seed=3)
    assert d.points.shape == (500, 2) and d.problem == "classification" and d.num_classes == 2
    assert set(np.unique(d.labels)) == {0, 1}
    assert np.abs(d.points).max() <= datasets.DOMAIN + 3      # gaussians have tails; the rest stay in the plot
    again = datasets.generate(name, noise=0, seed=3)
    np.testing.assert_array_equal(d.points, again.points)
    assert not np.array_equal(d.points, datasets.generate(name, noise=0, seed=4).points)


def test_dataset_geometry_matches_the_original():
    circle = datasets.generate("circle", seed=0)
    r = np.hypot(*circle.points.T)
    assert np.all(r[circle.labels == 1] < 2.5) and np.all(r[circle.labels == 0] > 3.5)
    xor = datasets.generate("xor", seed=0)
    assert np.all((xor.points[:, 0] * xor.points[:, 1] >= 0) == (xor.labels == 1))
    gauss = datasets.generate("gauss", seed=0)
    np.testing.assert_allclose(gauss.points[gauss.labels == 1].mean(0), [2, 2], atol=0.3)
    np.testing.assert_allclose(gauss.points[gauss.labels == 0].mean(0), [-2, -2], atol=0.3)
    spiral = datasets.generate("spiral", seed=0)
    assert np.abs(spiral.points).max() <= 5.0


def test_noise_flips_labels_near_the_boundary():
    clean = datasets.generate("xor", noise=0, seed=1)
    noisy = datasets.generate("xor", noise=50, seed=1)
    assert np.all((clean.points[:, 0] * clean.points[:, 1] >= 0) == (clean.labels == 1))
    assert np.mean((noisy.points[:, 0] * noisy.points[:, 1] >= 0) != (noisy.labels == 1)) > 0.05


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral"])
def test_more_than_two_classes(name):
    d = datasets.generate(name, seed=2, num_classes=4)
    assert d.num_classes == 4 and set(np.unique(d.labels)) == {0, 1, 2, 3}
    assert len(d) == 500
    assert datasets.generate("xor", num_classes=5).num_classes == 2
    with pytest.raises(ValueError, match="between 2 and 6"):
        datasets.generate(name, num_classes=9)


@pytest.mark.parametrize("name", datasets.REGRESSION)
def test_regression_sets(name):
    d = datasets.generate(name, noise=10, seed=0)
    assert d.points.shape == (1200, 2) and d.problem == "regression"
    assert d.labels.min() >= -1 and d.labels.max() <= 1 and d.labels.std() > 0.1
    if name == "reg-plane":
        clean = datasets.generate(name, seed=0)
        np.testing.assert_allclose(clean.labels, np.clip(clean.points.sum(1) / 10, -1, 1))


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Unknown dataset 'moons'"):
        datasets.generate("moons")


def test_split_ratio():
    d = datasets.generate("circle", seed=0)
    train, test = d.split(30, np.random.default_rng(0))
    assert len(train) == 150 and len(test) == 350
    assert set(map(tuple, train.points)).isdisjoint(map(tuple, test.points))


# --- features --------------------------------------------------------------------------------------------------------
def test_feature_transforms():
    pts = np.array([[2.0, -3.0], [0.5, 1.0]])
    out = features.transform(pts, features.FEATURE_KEYS)
    a, b = pts[:, 0], pts[:, 1]
    expected = np.stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)], 1)
    assert out.dtype == np.float32 and out.shape == (2, 7)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_allclose(features.transform(pts, ["xTimesY", "x"]), expected[:, [4, 0]], rtol=1e-6)
    with pytest.raises(KeyError, match="Unknown feature 'cosX'"):
        features.transform(pts, ["cosX"])


def test_feature_expressions_match_functions():
    """The exported script computes features from FEATURES' expressions; they must agree with transform."""
    x1, x2 = np.array([0.3, -2.0]), np.array([1.7, 4.0])
    for key, (_, fn, expr) in features.FEATURES.items():
        np.testing.assert_allclose(eval(expr, {"np": np, "x1": x1, "x2": x2}), fn(x1, x2))


def test_grid_is_row_major_from_the_top():
    g = features.grid(4, 6.0)
    assert g.shape == (16, 2)
    np.testing.assert_allclose(g[0], [-4.5, 4.5])
    np.testing.assert_allclose(g[3], [4.5, 4.5])
    np.testing.assert_allclose(g[-1], [4.5, -4.5])


# --- config ----------------------------------------------------------------------------------------------------------
def test_config_from_url_strings():
    cfg, notes = C.normalize({"activation": "relu", "networkShape": "8,8,3", "x": "false", "sinX": "true",
                              "learningRate": "0.1", "seed": "0.58", "noise": "99", "bogus": 1})
    assert cfg["activation"] == "relu" and cfg["networkShape"] == [8, 8, 3]
    assert cfg["x"] is False and cfg["sinX"] is True and cfg["learningRate"] == 0.1
    assert cfg["noise"] == 50 and cfg["seed"] == 1
    assert any("noise" in n for n in notes)


def test_config_rejects_bad_values_without_raising():
    cfg, notes = C.normalize({"activation": "swish", "networkShape": "a,b", "batchSize": None, "x": "maybe"})
    assert cfg["activation"] == "tanh" and cfg["networkShape"] == [4, 2] and cfg["batchSize"] == 10
    assert len(notes) == 4
    big, notes = C.normalize({"networkShape": ",".join(["64"] * 20)})
    assert big["networkShape"] == [C.MAX_NEURONS] * C.MAX_LAYERS and notes
    cfg, _ = C.normalize({"networkShape": ""})
    assert cfg["networkShape"] == []
    cfg, _ = C.normalize({"problem": "regression", "loss": "crossentropy"})
    assert cfg["loss"] == "square"
    cfg, _ = C.normalize({"learningRate": 0.02})
    assert cfg["learningRate"] == 0.03          # snapped to the menu


# --- training on one graph -------------------------------------------------------------------------------------------
def test_training_lowers_the_loss():
    pg = Playground({"dataset": "xor", "networkShape": "6,3", "learningRate": 0.1, "xTimesY": True})
    start = pg.losses[0]
    for _ in range(30):
        pg.step_epoch()
    assert pg.epoch == 30 and pg.losses[0] < start * 0.5
    assert [h[0] for h in pg.history] == list(range(31))


@pytest.mark.parametrize("settings", [
    {"optimizer": "adam", "loss": "crossentropy", "dataset": "gauss"},
    {"optimizer": "momentum", "dataset": "spiral", "numClasses": 3, "loss": "crossentropy", "activation": "relu"},
    {"optimizer": "rmsprop", "dataset": "circle", "numClasses": 3, "loss": "square", "dropout": 0.1},
    {"problem": "regression", "regDataset": "reg-plane", "activation": "linear", "networkShape": ""},
    {"regularization": "L1", "regularizationRate": 0.001, "activation": "sigmoid", "dataset": "gauss"},
])
def test_every_option_trains(settings):
    pg = Playground(dict(settings, learningRate=0.03, seed=5))
    start = pg.losses[0]
    for _ in range(15):
        pg.step_epoch()
    assert pg.losses[0] < start


def test_graph_and_plans_are_reused():
    pg = Playground({"dataset": "circle"})
    net = pg.network
    pg.step_epoch()
    pg.frame()
    plans = len(net.session._plans)
    for _ in range(5):
        pg.step_epoch()
        pg.frame()
    pg.update({"learningRate": 0.3, "batchSize": 5})          # applies to the running network
    assert pg.epoch == 6 and pg.network is net
    pg.update({"regularization": "L2", "regularizationRate": 0.01})   # restarts, same graph
    assert pg.epoch == 0 and pg.network is net
    pg.update({"noise": 20, "dataset": "xor"})                # new data, same graph
    assert pg.network is net
    pg.step_epoch()
    pg.frame()
    assert len(net.session._plans) == plans and pg.builds == 1
    pg.update({"activation": "relu"})                        # a new architecture: a new graph
    assert pg.network is not net and pg.builds == 2


def test_reset_is_reproducible_from_the_seed():
    a, b = Playground({"seed": 9}), Playground({"seed": 9})
    np.testing.assert_array_equal(a.network.parameters()[0][0], b.network.parameters()[0][0])
    first = a.network.parameters()[0][0]
    a.reset()
    assert not np.array_equal(first, a.network.parameters()[0][0])


def test_frame_and_structure_contents():
    pg = Playground({"dataset": "spiral", "numClasses": 3, "loss": "crossentropy", "networkShape": "5"})
    st, fr = pg.structure(), pg.frame()
    assert st["layers"] == [2, 5, 3] and st["mode"] == "multiclass" and st["classNames"] == ["0", "1", "2"]
    assert len(st["train"]) + len(st["test"]) == 500
    import base64
    assert len(base64.b64decode(fr["output"])) == 3 * GRID * GRID
    assert len(base64.b64decode(fr["neurons"])) == (5 + 3) * NEURON_GRID ** 2
    assert [np.array(w).shape for w in fr["weights"]] == [(2, 5), (5, 3)]


def test_diverging_training_stays_drawable():
    pg = Playground({"learningRate": 10, "activation": "relu", "networkShape": "8,8", "xSquared": True})
    for _ in range(10):
        pg.step_epoch()
    import json
    json.loads(json.dumps(pg.frame(), allow_nan=False))      # NaN weights would break the page's JSON.parse


# --- CSV -------------------------------------------------------------------------------------------------------------
def test_csv_classification_with_header_and_names():
    text = "a,b,kind\n" + "\n".join(f"{i},{i % 7},{'cat' if i % 3 else 'dog'}" for i in range(30))
    d = datasets.parse_csv(text.encode())
    assert d.problem == "classification" and d.num_classes == 2 and d.class_names == ["cat", "dog"]
    assert len(d) == 30 and np.abs(d.points).max() <= 5.0 + 1e-9
    np.testing.assert_allclose(d.points * d.x_scale + d.x_offset, [[i, i % 7] for i in range(30)])


def test_csv_variants():
    semi = datasets.parse_csv(b"1;2;-1\n2;3;1\n3;1;-1\n4;4;1\n")
    assert semi.num_classes == 2 and semi.class_names == ["-1", "1"] and list(semi.labels) == [0, 1, 0, 1]
    spaces = datasets.parse_csv(b"# comment\n1 2 0\n2 3 2\n\n3 1 1\n4 4 2\n")
    assert spaces.num_classes == 3
    reg = datasets.parse_csv(b"x,y,z\n0,0,10.5\n1,0,20\n0,1,30.25\n1,1,40\n2,2,50.5\n")
    assert reg.problem == "regression" and reg.labels.min() == -1 and reg.labels.max() == 1
    np.testing.assert_allclose(reg.labels * reg.y_scale + reg.y_offset, [10.5, 20, 30.25, 40, 50.5])
    forced = datasets.parse_csv(b"0,0,1\n1,0,2\n0,1,3\n1,1,4\n", problem="regression")
    assert forced.problem == "regression"
    constant = datasets.parse_csv(b"5,0,0\n5,1,1\n5,2,0\n5,3,1\n")         # a constant column must not divide by 0
    assert np.all(np.isfinite(constant.points))


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    (b"x,y,label\n", "0 data row"),
    (b"1,2,0\n2,3,1\n", "at least 4"),
    (b"1,2\n3,4\n5,6\n7,8\n", "Line 1: expected 3 columns"),
    (b"1,2,0\n1,2,3,4\n1,2,0\n1,2,1\n", "Line 2: expected 3 columns"),
    (b"1,2,0\n1,abc,1\n1,2,0\n1,2,1\n", "Line 2: the features must be numbers"),
    (b"1,2,0\n1,nan,1\n1,2,0\n1,2,1\n", "Line 2: the features must be finite"),
    (b"1,2,0\n1,2,\n1,2,0\n1,2,1\n", "Line 2: the label is empty"),
    (b"\xff\xfe\x00\x01garbage", "not UTF-8"),
    (b"1,2,0\x00\n", "binary"),
    (b"1,2,a\n1,2,a\n1,2,a\n1,2,a\n", "at least 2 classes"),
    ("\n".join(f"{i},{i},c{i}" for i in range(9)).encode(), "9 classes"),
    ("\n".join("1,2,0" for _ in range(5001)).encode(), "5,001 rows"),
    (b"1,2,0\n" * 200000, "too large"),
])
def test_bad_csv_files_get_clear_messages(data, message):
    with pytest.raises(datasets.CSVError, match=message):
        datasets.parse_csv(data)


def test_csv_regression_needs_numbers():
    with pytest.raises(datasets.CSVError, match="Regression needs numeric labels; found 'cat'"):
        datasets.parse_csv(b"1,2,cat\n2,3,dog\n3,4,cat\n4,5,dog\n", problem="regression")


def test_upload_switches_the_problem_and_survives_bad_files():
    pg = Playground()
    rows = "\n".join(f"{x:.3f},{y:.3f},{int(x * y > 0) + int(x > 1)}" for x, y in np.random.default_rng(0).normal(0, 2, (90, 2)))
    message = pg.upload_csv(rows.encode())
    assert "90 points in 3 classes" in message and pg.cfg["dataset"] == "csv" and pg.network.num_outputs == 3
    with pytest.raises(datasets.CSVError):
        pg.upload_csv(b"junk")
    assert pg.data.name == "csv" and pg.network.num_outputs == 3       # the bad file changed nothing
    notes = pg.update({"problem": "regression", "regDataset": "csv"})
    assert pg.data.problem == "regression" and not notes                # the labels are numbers: fine
    fresh = Playground({"dataset": "csv"})                              # a shared URL without the file
    assert fresh.cfg["dataset"] == "circle" and any("No CSV file" in n for n in fresh.notes)


# --- export ----------------------------------------------------------------------------------------------------------
def _run_script(tmp_path, pg, points):
    path = tmp_path / "net.py"
    path.write_text(export.script(pg.export_spec()))
    pts = tmp_path / "points.csv"
    pts.write_text("x1,x2\n" + "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in points))
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, str(path), str(pts)], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    return lines[0], [line.split(",") for line in lines[1:]]


@pytest.mark.parametrize("settings, upload", [
    ({"networkShape": "4,2", "xSquared": True, "sinY": True}, None),
    ({"networkShape": "5", "activation": "relu", "loss": "crossentropy", "dataset": "spiral", "numClasses": 3}, None),
    ({"networkShape": "", "loss": "crossentropy", "dataset": "gauss"}, None),
    ({"networkShape": "3", "activation": "sigmoid"}, "regression"),
])
def test_exported_script_reproduces_predictions(tmp_path, settings, upload):
    pg = Playground(dict(settings, seed=4))
    rng = np.random.default_rng(0)
    if upload:
        raw = rng.uniform(100, 200, (60, 2))
        pg.upload_csv("\n".join(f"{a},{b},{a - 2 * b}" for a, b in raw).encode())
        points = raw[:12]
    else:
        points = rng.uniform(-6, 6, (12, 2))
    for _ in range(5):
        pg.step_epoch()
    header, rows = _run_script(tmp_path, pg, points)
    expected = np.asarray(pg.predict_raw(points)).reshape(len(points), -1)
    mode = pg.network.mode
    width = expected.shape[1]
    got = np.array([[float(v) for v in row[2:2 + width]] for row in rows])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array([[float(r[0]), float(r[1])] for r in rows]), points)
    if mode == "binary":
        assert header.endswith("output,class") and {r[-1] for r in rows} <= set(pg.data.class_names)
    if mode == "multiclass":
        assert [r[-1] for r in rows] == [pg.data.class_names[i] for i in expected.argmax(1)]


def test_export_spec_is_plain_json():
    import json
    pg = Playground({"networkShape": "3"})
    spec = json.loads(json.dumps(pg.export_spec()))
    assert spec["format"] == export.FORMAT and spec["layers"] == [2, 3, 1]
    w = np.array(spec["weights"][0], np.float32)
    np.testing.assert_array_equal(w, pg.network.parameters()[0][0])
    assert spec["features"] == ["x", "y"] and spec["activation"] == "tanh"


def test_default_script_run_prints_sample_points(tmp_path):
    pg = Playground()
    path = tmp_path / "net.py"
    path.write_text(export.script(pg.export_spec()))
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "x1,x2,output,class" and len(result.stdout.splitlines()) == 10


# --- sessions ----------------------------------------------------------------------------------------------------------
def test_two_sessions_do_not_mix():
    a = PlaygroundSession("a" * 10, {"dataset": "xor", "networkShape": "3"})
    b = PlaygroundSession("b" * 10, {"dataset": "spiral", "networkShape": "5,5"})
    try:
        a.control("play")
        b.control("step")
        b.control("step")
        snap = a.wait_snapshot(0, 5)
        import time
        deadline = time.monotonic() + 60           # waits on the epoch count; generous for a loaded machine
        while a.call(lambda pg: pg.epoch) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        a.control("pause")
        assert a.call(lambda pg: (pg.cfg["dataset"], pg.network.hidden)) == ("xor", [3])
        assert b.call(lambda pg: (pg.cfg["dataset"], pg.network.hidden, pg.epoch)) == ("spiral", [5, 5], 2)
        assert a.call(lambda pg: pg.epoch) >= 10
        assert a.call(lambda pg: pg.network.graph) is not b.call(lambda pg: pg.network.graph)
        assert snap is not None
    finally:
        a.close()
        b.close()


def test_session_errors_and_closing():
    s = PlaygroundSession("c" * 10)
    with pytest.raises(ValueError, match="Unknown action 'jump'"):
        s.control("jump")
    assert s.control("step")["epoch"] == 1            # the worker survived the bad request
    s.close()
    s._thread.join(5)
    assert not s._thread.is_alive()
    with pytest.raises(RuntimeError):
        s.call(lambda pg: 1)


def test_registry_caps_sessions(monkeypatch):
    from neuroflow.playground import session as S
    monkeypatch.setattr(S, "EVICTABLE_SECONDS", 0.0)   # any session without a stream may make room at once
    reg = SessionRegistry(max_sessions=2, idle_seconds=60)
    try:
        first = reg.create({})
        second = reg.create({})
        second.attach()                                # has a page: must not be evicted
        third = reg.create({})                         # evicts the idle first one
        assert reg.get(first.id) is None and reg.get(second.id) is second and len(reg) == 2
        third.attach()
        with pytest.raises(RuntimeError, match="Too many open Playground tabs"):
            reg.create({})
    finally:
        reg.close_all()


def test_history_after():
    h = [(0, 1.0, 1.0), (1, 0.5, 0.6), (2, 0.4, 0.5)]
    assert history_after(h, -1) == h and history_after(h, 1) == h[2:] and history_after(h, 2) == []


def test_cli_help():
    result = subprocess.run([sys.executable, "-m", "neuroflow", "playground", "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0 and "--no-browser" in result.stdout and "127.0.0.1" in result.stdout


def test_abandoned_sessions_pause_then_close(monkeypatch):
    import time
    from neuroflow.playground import session as S
    monkeypatch.setattr(S, "PAUSE_SECONDS", 0.3)
    s = PlaygroundSession("d" * 10, idle_seconds=1.5)
    s.control("play")
    assert s.playing
    deadline = time.monotonic() + 30               # generous: a loaded machine may be slow to get there
    while s.playing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not s.playing                           # nobody watching: training stopped
    s._thread.join(30)
    assert s.closed and not s._thread.is_alive()   # and later the session went away
