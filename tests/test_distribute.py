"""neuroflow.distribute in one process, without MPI: nothing MPI is imported until init(); queries before init()
and collectives inside a multi-process launch without init() are errors; the API's argument checks; tensor fusion
packs a step's gradients into few buffers of at most HOROVOD_FUSION_THRESHOLD bytes (with a recording stand-in for
the communicator). Real multi-process behaviour is in test_distribute_mpi.py."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
import neuroflow.distribute as hvd
from neuroflow.distribute import collectives


def test_importing_neuroflow_and_the_package_loads_no_mpi():
    code = ("import sys, neuroflow, neuroflow.distribute, neuroflow.distribute.keras; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mpi4py', 'openmpi', 'mpich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("query", [hvd.rank, hvd.size, hvd.local_rank, hvd.local_size, hvd.cross_rank,
                                   hvd.cross_size, hvd.is_homogeneous, hvd.mpi_threads_supported])
def test_queries_before_init_say_to_call_init(query):
    assert not hvd.is_initialized() and not hvd.mpi_enabled() and hvd.mpi_built()
    with pytest.raises(ValueError, match=r"has not been initialized; use neuroflow.distribute.init\(\)"):
        query()


def test_a_collective_in_a_launched_job_without_init_is_an_error(monkeypatch, sess):
    reduced = hvd.allreduce(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(sess.run(reduced), [1.0, 2.0])  # no launcher: a world of one process
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    with pytest.raises(tf.errors.InvalidArgumentError, match="one of 4 launched together .*call "
                                                             r"neuroflow.distribute.init\(\) first"):
        sess.run(hvd.allreduce(tf.constant([1.0, 2.0])))


def test_argument_errors_have_horovods_messages():
    x = tf.constant([1.0])
    with pytest.raises(ValueError, match="The op parameter supersedes average"):
        hvd.allreduce(x, average=True, op=hvd.Sum)
    with pytest.raises(NotImplementedError, match="Adasum"):
        hvd.allreduce(x, op=hvd.Adasum)
    with pytest.raises(TypeError, match="Cannot average bool tensors"):
        hvd.allreduce(tf.constant([True]))
    with pytest.raises(TypeError, match="complex numbers are not ordered"):
        hvd.allreduce(tf.constant([1j]), op=hvd.Max)
    with pytest.raises(ValueError, match="rank at least 1"):
        hvd.allgather(tf.constant(1.0))
    with pytest.raises(ValueError, match="root_rank must be a non-negative integer"):
        hvd.broadcast(x, root_rank=-1)
    with pytest.raises(TypeError, match="wraps a tf.train.Optimizer"):
        hvd.DistributedOptimizer(tf.keras.optimizers.SGD())


def test_broadcast_global_variables_refuses_eager_mode():
    with tf.eager_mode():
        with pytest.raises(RuntimeError, match="does not support eager execution"):
            hvd.broadcast_global_variables(0)


def test_average_false_sums_and_ops_are_stored_as_attributes():
    x = tf.constant([1.0])
    assert hvd.allreduce(x, average=False).op.get_attr("reduce_op") == "sum"
    assert hvd.allreduce(x).op.get_attr("reduce_op") == "average"
    assert hvd.allreduce(x, op=hvd.Min).op.get_attr("reduce_op") == "min"


def test_distributed_optimizer_reduces_all_gradients_in_one_fused_op():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.ones((3, 2), np.float32))
    b = tf.Variable(np.zeros(2, np.float32))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b))
    opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.5))
    train = opt.minimize(loss)
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert types.count("HorovodGroupedAllreduce") == 1 and "HorovodAllreduce" not in types
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        grads = sess.run(tf.gradients(loss, [w, b]), {x: data})
        sess.run(train, {x: data})
        np.testing.assert_allclose(sess.run(w), 1 - 0.5 * grads[0], rtol=1e-6)


class _RecordingWorld:
    """A stand-in for the MPI world of `size` ranks that all contribute the same arrays: records each Allreduce
    (buffer dtype and size) and sums in place as MPI would."""

    def __init__(self, size, threshold):
        import threading
        self.size, self.rank, self.fusion_threshold, self.sequence = size, 0, threshold, 0
        self.lock = threading.Lock()
        self.calls = []
        self.buffers = {}
        self.stats = {"allreduce_calls": 0, "allreduce_bytes": 0, "allreduce_seconds": 0.0,
                      "allreduce_wait_seconds": 0.0}
        world = self

        class Comm:
            def Allreduce(self, send, receive, op):  # noqa: N802 - mpi4py's name
                buffer = receive
                if send is not world.mpi.IN_PLACE:
                    buffer[...] = send
                world.calls.append((buffer.dtype, buffer.size))
                buffer *= world.size

        class Mpi:
            IN_PLACE, SUM, MIN, MAX, PROD, LAND, LOR = object(), "sum", "min", "max", "prod", "land", "lor"
        self.comm, self.mpi = Comm(), Mpi


def test_fusion_packs_gradients_into_few_buffers_by_dtype_and_threshold(monkeypatch):
    monkeypatch.setattr(collectives, "_agree", lambda *args, **kwargs: None)
    world = _RecordingWorld(size=2, threshold=100)
    arrays = [np.full(10, 1.0, np.float32), np.full((2, 5), 2.0, np.float32), np.full(3, 3, np.int64),
              np.full(10, 4.0, np.float32), np.full(40, 5.0, np.float32), np.zeros((0, 2), np.float32)]
    results = collectives.allreduce_arrays(world, arrays, "average", "grads")
    # float32: 40 + 40 bytes share a buffer; the third 40 would pass 100 bytes; 160 bytes travel alone; int64 apart
    assert world.calls == [(np.float32, 20), (np.int64, 3), (np.float32, 10), (np.float32, 40)]
    for got, sent in zip(results, arrays):
        assert got.dtype == sent.dtype and got.shape == sent.shape
        np.testing.assert_array_equal(got, sent)  # the average of identical contributions
    summed = collectives.allreduce_arrays(world, arrays[:2], "sum", "grads")
    np.testing.assert_array_equal(summed[1], arrays[1] * 2)


def test_integer_average_floors_like_horovod(monkeypatch):
    monkeypatch.setattr(collectives, "_agree", lambda *args, **kwargs: None)
    world = _RecordingWorld(size=4, threshold=1 << 20)
    (got,) = collectives.allreduce_arrays(world, [np.array([1, 3, -1], np.int32)], "average", "counts")
    np.testing.assert_array_equal(got, np.array([4, 12, -4]) // 4)


def test_large_result_buffers_are_reused_only_once_nothing_references_them(monkeypatch):
    """Buffers of 1 MiB and more are pooled (glibc maps large blocks afresh each time: page faults every step),
    but a result still referenced anywhere, even through a view, keeps its buffer out of reuse."""
    monkeypatch.setattr(collectives, "_agree", lambda *args, **kwargs: None)
    world = _RecordingWorld(size=2, threshold=64 << 20)
    grads = [np.ones(300_000, np.float32), np.ones(300_000, np.float32)]
    first = collectives.allreduce_arrays(world, grads, "sum", "grads")
    view = first[1][::2]
    del first
    second = collectives.allreduce_arrays(world, [g * 3 for g in grads], "sum", "grads")
    assert not np.shares_memory(view, second[0])  # `view` still holds the first buffer
    np.testing.assert_array_equal(view, 2.0)      # and its values are untouched
    pool = world.buffers[(np.dtype(np.float32).str, 600_000)]
    assert len(pool) == 2 and np.shares_memory(second[0], pool[1])
    del view, second
    third = collectives.allreduce_arrays(world, grads, "sum", "grads")
    assert len(pool) == 2 and np.shares_memory(third[0], pool[0])  # reused, no new allocation
    np.testing.assert_array_equal(third[0], 2.0)


def test_learning_rate_warmup_rises_linearly_from_lr_over_size_to_lr(monkeypatch):
    """Horovod's rule (Goyal et al.): lr(epoch e, batch b) = lr / size * ((e + b / steps) * (size - 1) / warmup + 1)
    during the warmup epochs, then lr; with 4 ranks pretended (the callback's only use of the world)."""
    import neuroflow.distribute.keras as hvd_keras
    monkeypatch.setattr(hvd_keras.callbacks.LearningRateWarmupCallback, "_size", lambda self: 4)
    seen = []

    class Record(tf.keras.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(tf.keras.backend.get_value(self.model.optimizer.lr))

    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    warmup = hvd_keras.callbacks.LearningRateWarmupCallback(warmup_epochs=2)
    history = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), batch_size=2, epochs=3,
                        shuffle=False, verbose=0, callbacks=[warmup, Record()])
    expected = [0.1 / 4 * ((e + b / 4) * 3 / 2 + 1) for e in range(2) for b in range(4)] + [0.1] * 4
    np.testing.assert_allclose(seen, expected, rtol=1e-6)
    np.testing.assert_allclose(history.history["lr"], [expected[4 - 1], 0.1, 0.1], rtol=1e-6)


def test_keras_distributed_optimizer_keeps_class_and_config_and_fuses_the_gradients():
    import neuroflow.distribute.keras as hvd_keras
    adam = tf.keras.optimizers.Adam(0.01, beta_1=0.8)
    wrapped = hvd_keras.DistributedOptimizer(adam)
    assert type(wrapped).__name__ == "Adam" and isinstance(wrapped, tf.keras.optimizers.Adam)
    assert wrapped.get_config() == adam.get_config()
    model = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(2,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=wrapped, loss="mse")
    model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), batch_size=4, verbose=0)
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert types.count("HorovodGroupedAllreduce") == 1
    fused = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodGroupedAllreduce"][0]
    assert len(fused.inputs) == 4  # both layers' kernels and biases in one collective


def test_init_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # `import mpi4py` now fails, as in the light install
    with pytest.raises(ImportError, match=r"pip install 'neuroflow\[mpi\]'"):
        hvd.init()
    assert not hvd.is_initialized()


def test_the_example_without_mpi4py_says_in_one_line_what_to_install():
    pytest.importorskip("sklearn", reason="the example's dataset needs scikit-learn")
    example = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "mpi_training.py")
    code = f"import runpy, sys\nsys.modules['mpi4py'] = None\nrunpy.run_path({example!r}, run_name='__main__')\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "examples/mpi_training.py: neuroflow.distribute needs mpi4py and an MPI library: pip install "
        "'neuroflow[mpi]' (installs mpi4py and Open MPI from the package index) (import of mpi4py halted; None in "
        "sys.modules)"]


def test_fp16_compression_sends_float16_and_returns_the_original_dtype(sess):
    value = np.array([1.0, 1.0 + 2.0 ** -12, 3.14159], np.float32)
    x = tf.constant(value)
    reduced = hvd.allreduce(x, compression=hvd.Compression.fp16)
    assert reduced.dtype == tf.float32
    sent = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodAllreduce"][0]
    assert sent.inputs[0].dtype == tf.float16
    np.testing.assert_array_equal(sess.run(reduced), value.astype(np.float16).astype(np.float32))
    ints = hvd.allreduce(tf.constant([3]), compression=hvd.Compression.fp16)  # only floats are compressed
    assert ints.op.inputs[0].dtype == tf.int32


def test_prescale_and_postscale_factors_multiply_before_and_after(sess):
    reduced = hvd.allreduce(tf.constant([2.0, 4.0]), op=hvd.Sum, prescale_factor=0.5, postscale_factor=3.0)
    np.testing.assert_array_equal(sess.run(reduced), [3.0, 6.0])


def test_num_groups_splits_the_gradients_into_that_many_fused_collectives():
    x = tf.constant(np.ones((2, 3), np.float32))
    layers = [tf.Variable(np.ones((3, 3), np.float32)) for _ in range(5)]
    h = x
    for w in layers:
        h = tf.matmul(h, w)
    hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1), num_groups=2).minimize(tf.reduce_sum(h))
    fused = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodGroupedAllreduce"]
    assert sorted(len(op.inputs) for op in fused) == [2, 3]


def test_a_saved_meta_graph_with_collectives_imports_in_a_process_that_never_imported_the_package(tmp_path):
    """import_meta_graph finds the collectives' op types by loading neuroflow.distribute itself (it is not loaded
    by `import neuroflow`)."""
    path = str(tmp_path / "model.meta")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        tf.identity(hvd.allreduce(x * 2.0), name="reduced")
        tf.train.export_meta_graph(path)
    code = ("import numpy as np, neuroflow as tf\n"
            f"tf.train.import_meta_graph({path!r})\n"
            "with tf.Session() as sess:\n"
            "    print(sess.run('reduced:0', {'x:0': np.arange(3, dtype=np.float32)}).tolist())\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI_", "PMIX_"))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[0.0, 2.0, 4.0]"   # one process: the sum of one rank
