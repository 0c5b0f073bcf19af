"""GPU placement without a GPU: a fake device whose array module is the strict backend (arrays that refuse
every silent trip to NumPy) stands for CuPy, so placement, inserted copies, copy counts, device strings,
CUDA_VISIBLE_DEVICES and the placement log are checked on any machine. TensorFlow's own log line and error
message are in tests/data/gpu_placement/tf_placement.json (make_tf_placement.py beside it)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.python.client import device_lib
from neuroflow.runtime import backend_gpu, placement
from neuroflow.runtime.plan import Plan

import strict_backend
from strict_backend import StrictArray, backend

with open(os.path.join(os.path.dirname(__file__), "data", "gpu_placement", "tf_placement.json")) as _f:
    TF = json.load(_f)


def _fake_gpu(index=0):
    return backend_gpu.GpuDevice(index, backend, backend.asarray, strict_backend.asnumpy, "Fake GPU", 1 << 30,
                                 "0000:00:00.0", "9.0")


@pytest.fixture
def gpus(request):
    """Installs `count` fake GPUs (parametrize indirectly; default 1), restoring discovery afterwards."""
    count = getattr(request, "param", 1)
    backend_gpu.set_devices_for_testing([_fake_gpu(i) for i in range(count)])
    backend_gpu.reset_copy_counts()
    strict_backend.escapes.clear()
    yield count
    backend_gpu.set_devices_for_testing(None)
    assert strict_backend.escapes == []


def _regression_graph():
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    w = tf.Variable(np.linspace(-1, 1, 3, dtype=np.float32).reshape(3, 1), name="w")
    b = tf.Variable(np.zeros(1, np.float32), name="b")
    loss = tf.reduce_mean(tf.square(tf.nn.relu(tf.matmul(x, w) + b) - y))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    return x, y, w, loss, train


def _train(steps=4):
    x, y, w, loss, train = _regression_graph()
    rng = np.random.default_rng(0)
    data = rng.standard_normal((8, 3)).astype(np.float32), rng.standard_normal((8, 1)).astype(np.float32)
    losses, counts = [], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        backend_gpu.reset_copy_counts()
        for _ in range(steps):
            losses.append(sess.run([loss, train], {x: data[0], y: data[1]})[0])
            counts.append(backend_gpu.copy_counts())
        stored = sess._ctx.variables[w.op.name]
        final = sess.run(w)
    return losses, counts, stored, final


def test_training_on_the_fake_gpu_matches_the_cpu_with_one_copy_per_feed_and_fetch(gpus):
    losses, counts, stored, final = _train()
    backend_gpu.set_devices_for_testing([])
    cpu_losses, cpu_counts, cpu_stored, cpu_final = _train()
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-6)
    np.testing.assert_allclose(final, cpu_final, rtol=1e-6)
    assert type(stored) is StrictArray and type(cpu_stored) is np.ndarray  # the variable lives on its device
    assert type(final) is np.ndarray
    # Per run: two feeds up, one fetch (the loss) down; the variables and Adam's slots never leave the device.
    assert counts == [{"host_to_device": 2 * k, "device_to_host": k} for k in range(1, 5)]
    assert cpu_counts == [{"host_to_device": 0, "device_to_host": 0}] * 4


def test_without_a_gpu_or_a_log_plans_are_not_rewritten():
    backend_gpu.set_devices_for_testing([])
    try:
        x = tf.placeholder(tf.float32)
        with tf.Session() as sess:
            assert sess.run(x * 2.0, {x: 3.0}) == 6.0
            plans = [p for p in _plans(sess)]
            assert plans and all(p._placer is None for p in plans)
    finally:
        backend_gpu.set_devices_for_testing(None)


def _plans(sess):
    return [v for v in vars(sess).get("_plans", {}).values() if isinstance(v, Plan)]


def test_a_cpu_pin_between_gpu_ops_copies_across_inside_the_plan(gpus):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    a = tf.square(x, name="a")
    with tf.device("/cpu:0"):
        b = tf.add(a, 1.0, name="b")
    c = tf.sqrt(b, name="c")
    with tf.Session() as sess:
        backend_gpu.reset_copy_counts()
        value = sess.run(c, {x: np.full((2, 2), 2.0, np.float32)})
        # feed up; a down to the CPU op; b up; c down.
        assert backend_gpu.copy_counts() == {"host_to_device": 2, "device_to_host": 2}
    np.testing.assert_allclose(value, np.sqrt(5.0 * np.ones((2, 2))))


def test_placement_log_prints_tensorflows_lines_once_per_session(gpus, capsys):
    tf.reset_default_graph()
    a = tf.placeholder(tf.float32, [2, 2], name="a")
    product = tf.matmul(a, a, name="mm")
    with tf.device("/cpu:0"):
        tf.identity(product, name="on_cpu")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        sess.run(product, {a: np.eye(2, dtype=np.float32)})
        sess.run(product, {a: np.eye(2, dtype=np.float32)})
        sess.run("on_cpu:0", {a: np.eye(2, dtype=np.float32)})
    lines = capsys.readouterr().out.splitlines()
    expected = TF["log_lines"][0].replace("device:CPU:0", "device:GPU:0")  # TensorFlow's line, on a GPU
    assert lines.count(expected) == 1
    assert "on_cpu: (Identity): /job:localhost/replica:0/task:0/device:CPU:0" in lines


def test_placement_log_without_a_gpu_is_tensorflows(capsys):
    backend_gpu.set_devices_for_testing([])
    try:
        tf.reset_default_graph()
        a = tf.placeholder(tf.float32, [2, 2], name="a")
        product = tf.matmul(a, a, name="mm")
        with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
            for _ in range(2):
                sess.run(product, {a: [[1, 2], [3, 4]]})
            assert [d.name for d in sess.list_devices()] == TF["list_devices"]
    finally:
        backend_gpu.set_devices_for_testing(None)
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("mm:")] == TF["log_lines"]
    assert [line for line in lines if line.startswith("a:")] == TF["placeholder_log_lines"]


def test_pin_to_a_missing_gpu_fails_with_tensorflows_message_or_falls_back_when_soft():
    backend_gpu.set_devices_for_testing([])
    try:
        tf.reset_default_graph()
        a = tf.placeholder(tf.float32, [2, 2], name="a")
        with tf.device("/gpu:1"):
            c = tf.add(a, a, name="c")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(c, {a: [[1, 2], [3, 4]]})
        assert TF["pin_error"] in info.value.message
        with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
            assert sess.run(c, {a: [[1, 2], [3, 4]]}).tolist() == TF["soft_placed_value"]
    finally:
        backend_gpu.set_devices_for_testing(None)


@pytest.mark.parametrize("gpus", [2], indirect=True)
def test_pins_choose_among_several_gpus(gpus):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [3], name="x")
    with tf.device("/device:GPU:1"):
        y = tf.multiply(x, 3.0, name="y")
    z = tf.add(y, 1.0, name="z")
    with tf.Session() as sess:
        placer = placement.placer_for(sess._ctx)
        assert placer.device_of(y.op) == "/device:GPU:1" and placer.device_of(z.op) == "/device:GPU:0"
        assert sess.run(z, {x: [1, 2, 3]}).tolist() == [4, 7, 10]
        assert [d.name for d in sess.list_devices()] == [
            "/job:localhost/replica:0/task:0/device:CPU:0", "/job:localhost/replica:0/task:0/device:GPU:0",
            "/job:localhost/replica:0/task:0/device:GPU:1"]


def test_host_only_op_pinned_to_the_gpu_is_refused_unless_soft(gpus):
    tf.reset_default_graph()
    with tf.device("/gpu:0"):   # EncodePng: host-only, and needs no optional package (tf.summary needs tensorboard)
        png = tf.image.encode_png(tf.zeros([2, 2, 1], tf.uint8))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="no supported kernel for GPU"):
        sess.run(png)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(png).startswith(b"\x89PNG")


def test_string_ops_and_variable_updates_are_placed_like_tensorflow(gpus):
    tf.reset_default_graph()
    v = tf.Variable(1.0, name="v")
    with tf.device("/cpu:0"):
        w = tf.Variable(2.0, name="w")
    update = tf.assign_add(w, v)
    text = tf.as_string(v)
    with tf.Session() as sess:
        placer = placement.placer_for(sess._ctx)
        assert placer.device_of(v.op) == "/device:GPU:0"
        assert placer.device_of(update.op) == "/device:CPU:0"  # with its variable
        assert placer.device_of(text.op) == "/device:CPU:0"     # a string output: a host value
        sess.run(tf.global_variables_initializer())
        assert sess.run(update) == 3.0 and sess.run(text) == b"1.000000"


def test_device_queries_tell_the_truth(gpus):
    assert tf.test.is_gpu_available() and tf.test.gpu_device_name() == "/device:GPU:0"
    assert tf.test.is_gpu_available(min_cuda_compute_capability=(9, 0))
    assert not tf.test.is_gpu_available(min_cuda_compute_capability=(10, 0))
    devices = device_lib.list_local_devices()
    assert [(d.name, d.device_type) for d in devices] == [("/device:CPU:0", "CPU"), ("/device:GPU:0", "GPU")]
    assert devices[1].memory_limit == 1 << 30 and "name: Fake GPU" in devices[1].physical_device_desc
    backend_gpu.set_devices_for_testing([])
    assert not tf.test.is_gpu_available() and tf.test.gpu_device_name() == TF["gpu_device_name"]


@pytest.mark.parametrize("visible", ["", "-1"])
def test_cuda_visible_devices_empty_means_no_gpu_and_no_cupy_import(visible):
    code = ("import sys, neuroflow as tf; from neuroflow.runtime import backend_gpu; "
            "print(backend_gpu.gpu_devices(), tf.test.gpu_device_name() == '', 'cupy' in sys.modules)")
    env = dict(os.environ, CUDA_VISIBLE_DEVICES=visible)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "True", "False"]


def test_import_neuroflow_imports_nothing_gpu_related():
    code = "import sys, neuroflow; print(sorted(m for m in sys.modules if m.split('.')[0] in ('cupy', 'cupyx')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_host_only_list_agrees_with_the_strict_backend_test():
    import test_strict_backend
    assert set(test_strict_backend.HOST_ONLY) == set(placement.HOST_ONLY)


def test_deterministic_switch_keeps_atomic_sums_off_the_gpu(gpus, monkeypatch):
    tf.reset_default_graph()
    data = tf.placeholder(tf.float32, [4, 2])
    summed = tf.unsorted_segment_sum(data, [0, 1, 0, 1], 2)
    doubled = data * 2.0
    feed = {data: np.arange(8, dtype=np.float32).reshape(4, 2)}
    for flag, expected in (("0", "/device:GPU:0"), ("1", "/device:CPU:0")):
        monkeypatch.setenv(backend_gpu.DETERMINISTIC_ENV, flag)
        with tf.Session() as sess:
            placer = placement.placer_for(sess._ctx)
            assert placer.device_of(summed.op) == expected and placer.device_of(doubled.op) == "/device:GPU:0"
            assert sess.run(summed, feed).tolist() == [[4, 6], [8, 10]]


def test_nondeterministic_list_names_registered_ops():
    from neuroflow.framework.op_def import registered_opdefs
    assert placement.NONDETERMINISTIC_ON_GPU <= set(registered_opdefs())


def test_a_checkpoint_restored_into_a_gpu_session_moves_to_the_device_once(tmp_path):
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    step = tf.assign_add(w, tf.ones_like(w))
    saver = tf.train.Saver()
    backend_gpu.set_devices_for_testing([])
    try:
        with tf.Session() as sess:  # saved from the CPU
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model"))
        backend_gpu.set_devices_for_testing([_fake_gpu()])
        with tf.Session() as sess:
            backend_gpu.reset_copy_counts()
            saver.restore(sess, path)  # the restored value goes to the device here
            sess.run(step.op)
            sess.run(step.op)
            assert type(sess._ctx.variables[w.op.name]) is StrictArray
            assert backend_gpu.copy_counts() == {"host_to_device": 1, "device_to_host": 0}
            np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(3, 2) + 2)
    finally:
        backend_gpu.set_devices_for_testing(None)


def test_a_gpu_session_saves_its_variables_with_one_copy_back_each(tmp_path):
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    step = tf.assign_add(w, tf.ones_like(w))
    saver = tf.train.Saver()
    backend_gpu.set_devices_for_testing([_fake_gpu()])
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step.op)
            assert type(sess._ctx.variables[w.op.name]) is StrictArray
            backend_gpu.reset_copy_counts()
            path = saver.save(sess, str(tmp_path / "model"))
            assert backend_gpu.copy_counts() == {"host_to_device": 0, "device_to_host": 1}
    finally:
        backend_gpu.set_devices_for_testing(None)
    np.testing.assert_array_equal(tf.train.load_variable(path, "w"), np.arange(6).reshape(3, 2) + 1)


def test_the_gpu_namespace_adds_what_cupy_lacks_and_passes_the_rest():
    lacking = type(sys)("fake_cupy")
    lacking.matmul, lacking.ndarray = np.matmul, np.ndarray
    xp = backend_gpu.CupyNamespace(lacking)
    assert xp.matmul is np.matmul and xp.ndarray is np.ndarray
    with xp.errstate(over="ignore", invalid="ignore"):
        pass
    with pytest.raises(AttributeError):
        xp.frombuffer


def test_gpu_options_are_accepted(gpus):
    config = tf.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.5
    x = tf.placeholder(tf.float32, [2])
    with tf.Session(config=config) as sess:
        assert sess.run(x * 2.0, {x: [1, 2]}).tolist() == [2, 4]
    assert backend_gpu.copy_counts() == {"host_to_device": 1, "device_to_host": 1}


def test_host_value_copies_device_arrays_back_and_leaves_host_values(gpus):
    w = tf.Variable([1.0, 2.0], name="w")
    with tf.Session() as sess:
        sess.run(w.initializer)
        stored = sess._ctx.variables[w.op.name]
        assert type(stored) is StrictArray
        host = backend_gpu.host_value(stored)
        assert type(host) is np.ndarray and host.tolist() == [1.0, 2.0]
    plain = np.ones(2)
    assert backend_gpu.host_value(plain) is plain and backend_gpu.host_value(np.float32(1)) == 1


def test_a_traced_run_runs_the_placed_program_and_reports_gpu_devices(gpus):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    w = tf.Variable(np.eye(2, dtype=np.float32) * 3, name="w")
    product = tf.matmul(x, w, name="mm")
    with tf.device("/cpu:0"):
        shifted = tf.add(product, 1.0, name="on_cpu")
    feed = {x: np.arange(4, dtype=np.float32).reshape(2, 2)}
    with tf.Session() as sess:
        sess.run(w.initializer)
        untraced = sess.run(shifted, feed)
        backend_gpu.reset_copy_counts()
        metadata = tf.RunMetadata()
        traced = sess.run(shifted, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                          run_metadata=metadata)
        # As the untraced run: the feed up, the product down to the CPU op; the result is already on the host.
        assert backend_gpu.copy_counts() == {"host_to_device": 1, "device_to_host": 1}
    np.testing.assert_array_equal(traced, untraced)
    np.testing.assert_array_equal(traced, feed[x] * 3 + 1)
    nodes = {d.device: [(n.node_name, n.timeline_label) for n in d.node_stats] for d in metadata.step_stats.dev_stats}
    gpu, cpu = placement.full_name("/device:GPU:0"), placement.full_name("/device:CPU:0")
    assert ("mm", "mm = MatMul(x:0, w/read:0)") in nodes[gpu] and "on_cpu" in dict(nodes[cpu])
    assert "mm" not in dict(nodes[cpu]) and "on_cpu" not in dict(nodes[gpu])
    assert sorted(label for _, label in nodes["/device:GPU:0/memcpy"]) == ["MEMCPYDtoH", "MEMCPYHtoD"]
