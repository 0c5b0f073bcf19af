"""The program each MPI rank runs for tests/test_distribute_mpi.py (`mpirun -np N python distribute_child.py
SCENARIO OUT_DIR`), and the training functions the test also runs in one process for the reference: a small
model (dense layers and an embedding, so both dense and IndexedSlices gradients travel) trained for a few steps
in graph mode, eager mode and Keras fit."""
import os
import signal
import sys
import time

import numpy as np

import neuroflow as tf
import neuroflow.distribute as hvd
import neuroflow.distribute.keras as hvd_keras

STEPS, GLOBAL_BATCH, FEATURES, VOCAB, EMBED, HIDDEN, OUTPUTS = 3, 8, 4, 10, 3, 5, 2


def initial_weights():
    rng = np.random.default_rng(22)
    return {"w1": rng.normal(0, 0.5, (FEATURES, HIDDEN)).astype(np.float32),
            "b1": rng.normal(0, 0.1, HIDDEN).astype(np.float32),
            "emb": rng.normal(0, 0.5, (VOCAB, HIDDEN)).astype(np.float32),
            "w2": rng.normal(0, 0.5, (HIDDEN, OUTPUTS)).astype(np.float32),
            "b2": rng.normal(0, 0.1, OUTPUTS).astype(np.float32)}


def dataset():
    """STEPS global batches of (x, ids, y)."""
    rng = np.random.default_rng(7)
    n = STEPS * GLOBAL_BATCH
    return (rng.normal(size=(n, FEATURES)).astype(np.float32), rng.integers(0, VOCAB, n).astype(np.int32),
            rng.normal(size=(n, OUTPUTS)).astype(np.float32))


def shard(arrays, rank, size):
    """This rank's rows of every global batch, in step order (rank r takes the r-th slice of each batch)."""
    local = GLOBAL_BATCH // size
    rows = np.concatenate([np.arange(s * GLOBAL_BATCH + rank * local, s * GLOBAL_BATCH + (rank + 1) * local)
                           for s in range(STEPS)])
    return tuple(a[rows] for a in arrays), local


def _optimizer(kind):
    return tf.train.GradientDescentOptimizer(0.1) if kind == "sgd" else tf.train.AdamOptimizer(0.05)


def _loss(params, x, ids, y):
    hidden = tf.tanh(tf.matmul(x, params["w1"]) + params["b1"] + tf.nn.embedding_lookup(params["emb"], ids))
    return tf.reduce_mean(tf.square(tf.matmul(hidden, params["w2"]) + params["b2"] - y))


def train_graph(kind, data, batch, distributed):
    """Graph mode: Optimizer.minimize (wrapped in DistributedOptimizer when `distributed`)."""
    x_all, ids_all, y_all = data
    with tf.Graph().as_default():
        params = {k: tf.Variable(v, name=k) for k, v in initial_weights().items()}
        x, ids, y = (tf.placeholder(tf.float32, [None, FEATURES]), tf.placeholder(tf.int32, [None]),
                     tf.placeholder(tf.float32, [None, OUTPUTS]))
        optimizer = _optimizer(kind)
        if distributed:
            optimizer = hvd.DistributedOptimizer(optimizer)
        train = optimizer.minimize(_loss(params, x, ids, y))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            if distributed:
                sess.run(hvd.broadcast_global_variables(0))
            for s in range(STEPS):
                rows = slice(s * batch, (s + 1) * batch)
                sess.run(train, {x: x_all[rows], ids: ids_all[rows], y: y_all[rows]})
            return sess.run(params)


def train_eager(kind, data, batch, distributed):
    """Eager mode: GradientTape (wrapped in DistributedGradientTape when `distributed`) and apply_gradients."""
    x_all, ids_all, y_all = data
    with tf.eager_mode():
        params = {k: tf.Variable(v, name=k) for k, v in initial_weights().items()}
        names = sorted(params)
        optimizer = _optimizer(kind)
        if distributed:
            hvd.broadcast_variables([params[k] for k in names], root_rank=0)
        for s in range(STEPS):
            rows = slice(s * batch, (s + 1) * batch)
            with tf.GradientTape() as tape:
                loss = _loss(params, tf.constant(x_all[rows]), tf.constant(ids_all[rows]), tf.constant(y_all[rows]))
            if distributed:
                tape = hvd.DistributedGradientTape(tape)
            grads = tape.gradient(loss, [params[k] for k in names])
            optimizer.apply_gradients(zip(grads, [params[k] for k in names]))
        return {k: params[k].numpy() for k in names}


def train_keras(kind, data, batch, distributed):
    """Keras fit of a two-layer model (no embedding: Keras's own path), shuffle off, one epoch of STEPS steps."""
    x_all, _, y_all = data
    weights = initial_weights()
    with tf.Graph().as_default():
        model = tf.keras.Sequential([tf.keras.layers.Dense(HIDDEN, activation="tanh", input_shape=(FEATURES,)),
                                     tf.keras.layers.Dense(OUTPUTS)])
        model.set_weights([weights["w1"], weights["b1"], weights["w2"], weights["b2"]])
        optimizer = tf.keras.optimizers.SGD(0.1) if kind == "sgd" else tf.keras.optimizers.Adam(0.05)
        callbacks = []
        if distributed:
            optimizer = hvd_keras.DistributedOptimizer(optimizer)
            callbacks = [hvd_keras.callbacks.BroadcastGlobalVariablesCallback(0),
                         hvd_keras.callbacks.MetricAverageCallback()]
        model.compile(optimizer=optimizer, loss="mse")
        history = model.fit(x_all, y_all, batch_size=batch, epochs=1, shuffle=False, verbose=0,
                            callbacks=callbacks)
        w1, b1, w2, b2 = model.get_weights()
        return {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "loss": np.float64(history.history["loss"][-1])}


TRAINERS = {"graph": train_graph, "eager": train_eager, "keras": train_keras}


def collective_values(rank):
    """Per dtype and shape (incl. 0-d and empty), this rank's tensor: values that differ by rank."""
    cases = {}
    for dtype in (np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.complex64):
        for shape in ((), (0,), (3,), (2, 0, 3), (2, 3)):
            base = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 1 + 2 * rank
            cases[f"{np.dtype(dtype).name}{list(shape)}"] = base.astype(dtype)
    cases["bool[4]"] = np.array([rank == 0, rank == 1, True, False])
    return cases


def run_collectives(out):
    """allreduce (average, sum, min, max), allgather (rows vary by rank) and broadcast from the last rank, in
    graph mode and (a few) in eager mode; results saved per case."""
    rank, size = hvd.rank(), hvd.size()
    results = {}
    with tf.Graph().as_default():
        fetches = {}
        for key, value in collective_values(rank).items():
            tensor = tf.constant(value)
            if value.dtype != np.bool_:
                fetches["average " + key] = hvd.allreduce(tensor)
            fetches["sum " + key] = hvd.allreduce(tensor, op=hvd.Sum)
            if value.dtype.kind != "c":
                fetches["max " + key] = hvd.allreduce(tensor, op=hvd.Max)
                fetches["min " + key] = hvd.allreduce(tensor, op=hvd.Min)
            fetches["broadcast " + key] = hvd.broadcast(tensor, root_rank=size - 1)
            if value.ndim:
                fetches["allgather " + key] = hvd.allgather(tf.constant(np.repeat(value, rank + 1, axis=0)))
        fetches["grouped"] = hvd.grouped_allreduce([tf.constant(np.float32(rank)), tf.constant([rank] * 3),
                                                    tf.constant(np.ones((2, 2)) * rank)])
        # Gradients across ranks (Horovod's rules): through an average, a gather and a broadcast from the last rank.
        x = tf.constant(np.full((1, 3), rank + 1.0))
        rows = tf.constant(np.full((rank + 1, 3), rank + 1.0))
        gathered = hvd.allgather(rows)
        loss = (tf.reduce_sum(hvd.allreduce(x)) + tf.reduce_sum(hvd.broadcast(x, size - 1))
                + tf.reduce_sum(gathered * gathered))
        fetches["grad x"], fetches["grad rows"] = tf.gradients(loss, [x, rows])
        with tf.Session() as sess:
            for key, value in sess.run(fetches).items():
                if key == "grouped":
                    results.update({f"grouped{i}": v for i, v in enumerate(value)})
                else:
                    results[key] = value
    with tf.eager_mode():
        results["eager average"] = hvd.allreduce(tf.constant([1.0, 2.0]) * (rank + 1)).numpy()
        results["eager allgather"] = hvd.allgather(tf.constant([[rank] * 2] * (rank + 1))).numpy()
        results["eager broadcast"] = hvd.broadcast(tf.constant([rank, rank]), 0).numpy()
    results["queries"] = np.array([hvd.rank(), hvd.size(), hvd.local_rank(), hvd.local_size(), hvd.cross_rank(),
                                   hvd.cross_size(), hvd.is_homogeneous(), hvd.mpi_enabled()])
    np.savez(os.path.join(out, f"collectives_rank{rank}.npz"), **results)


def run_broadcast(out):
    """Variables initialized differently on each rank become rank 0's, through the hook and through the op."""
    rank = hvd.rank()
    with tf.Graph().as_default():
        tf.set_random_seed(100 + rank)
        w = tf.Variable(tf.random_normal([3, 2]), name="w")
        step = tf.train.get_or_create_global_step()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(w)
            sess.run(hvd.broadcast_global_variables(0))
            after = sess.run(w)
        hook = hvd.BroadcastGlobalVariablesHook(0)
        with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            hooked = sess.run(w)
            del step
    with tf.Graph().as_default():
        tf.set_random_seed(200 + rank)
        model = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(2,))])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.0), loss="mse")  # lr 0: fit changes nothing but the broadcast
        keras_before = model.get_weights()[0]
        model.fit(np.ones((2, 2), np.float32), np.ones((2, 3), np.float32), batch_size=2, verbose=0,
                  callbacks=[hvd_keras.callbacks.BroadcastGlobalVariablesCallback(0)])
        keras_after = model.get_weights()[0]
    np.savez(os.path.join(out, f"broadcast_rank{rank}.npz"), before=before, after=after, hooked=hooked,
             keras_before=keras_before, keras_after=keras_after)


def run_training(out):
    rank, size = hvd.rank(), hvd.size()
    local, batch = shard(dataset(), rank, size)
    results = {}
    for mode, trainer in TRAINERS.items():
        for kind in ("sgd", "adam"):
            for name, value in trainer(kind, local, batch, True).items():
                results[f"{mode} {kind} {name}"] = value
    np.savez(os.path.join(out, f"training_rank{rank}.npz"), **results)


def main(scenario, out):
    hvd.init()
    rank = hvd.rank()
    if scenario == "all":
        run_collectives(out)
        run_broadcast(out)
        run_training(out)
    elif scenario == "mismatch":
        with tf.Graph().as_default():  # agreed collectives first: one name, shapes that change, each seen again
            fed = tf.placeholder(tf.float32, [None])
            summed = hvd.allreduce(fed, op=hvd.Sum, name="grads")
            with tf.Session() as sess:
                for length in (3, 5, 3, 5):
                    got = sess.run(summed, {fed: np.arange(length, dtype=np.float32) + rank})
                    expected = np.arange(length) * hvd.size() + sum(range(hvd.size()))
                    assert np.array_equal(got, expected), (length, got)
        with tf.Graph().as_default():
            reduced = hvd.allreduce(tf.zeros([3 + rank]), name="grads")
            with tf.Session() as sess:
                sess.run(reduced)
    elif scenario in ("killed", "raises", "hangs"):
        with tf.Graph().as_default():
            reduced = hvd.allreduce(tf.ones([4]), name="step")
            with tf.Session() as sess:
                sess.run(reduced)
                if rank == 1 and scenario == "killed":
                    os.kill(os.getpid(), signal.SIGKILL)
                if rank == 1 and scenario == "raises":
                    raise ValueError("rank one cannot go on")
                if rank == 1 and scenario == "hangs":
                    time.sleep(60)
                sess.run(reduced)
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    hvd.shutdown()
    with open(os.path.join(out, f"done_rank{rank}"), "w"):
        pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
