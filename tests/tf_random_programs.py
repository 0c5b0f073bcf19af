"""Seeded TF1 programs whose values tests/data/tf_random/tf_random.npz holds from real TensorFlow: each takes the
`tf` module (neuroflow, or TensorFlow's `tf.compat.v1` in graph mode) and returns {name: array}. The generator
(tests/data/tf_random/make_tf_random.py) and the tests (tests/test_tf_random_streams.py) run the same code."""
import numpy as np

SHAPES = [(), (1,), (7,), (3, 4), (2, 3, 5)]
FLOATS = ["float16", "float32", "float64"]


def _draws(tf, dtype, shape, seed):
    return {"uniform": tf.random_uniform(shape, dtype=dtype, seed=seed),
            "uniform_range": tf.random_uniform(shape, -2.5, 4.0, dtype=dtype, seed=seed),
            "normal": tf.random_normal(shape, dtype=dtype, seed=seed),
            "normal_scaled": tf.random_normal(shape, 1.5, 0.25, dtype=dtype, seed=seed),
            "truncated": tf.truncated_normal(shape, dtype=dtype, seed=seed),
            "truncated_scaled": tf.truncated_normal(shape, -1.0, 3.0, dtype=dtype, seed=seed)}


def distributions(tf):
    """Every float distribution and dtype, several shapes, graph seed only / op seed only / both; two runs in
    one session and a run in a second session."""
    out = {}
    for mode, graph_seed, op_seed in [("graph", 1234, None), ("op", None, 7), ("both", 42, 3)]:
        for dtype in FLOATS:
            for shape in SHAPES:
                with tf.Graph().as_default():
                    if graph_seed is not None:
                        tf.set_random_seed(graph_seed)
                    draws = _draws(tf, getattr(tf, dtype), shape, op_seed)
                    names = sorted(draws)
                    with tf.Session() as sess:
                        first = sess.run([draws[n] for n in names])
                        second = sess.run([draws[n] for n in names])
                    with tf.Session() as sess:
                        again = sess.run([draws[n] for n in names])
                tag = f"{mode}/{dtype}/{'x'.join(map(str, shape)) or 'scalar'}"
                for n, a, b, c in zip(names, first, second, again):
                    out[f"{n}/{tag}/run1"], out[f"{n}/{tag}/run2"], out[f"{n}/{tag}/session2"] = a, b, c
    return out


def integers(tf):
    out = {}
    for dtype, lo, hi in [("int32", 0, 10), ("int32", -7, 1000003), ("int32", -2 ** 31, 2 ** 31 - 1),
                          ("int64", -5, 17), ("int64", -2 ** 40, 2 ** 50)]:
        for shape in [(1,), (5,), (3, 3)]:
            with tf.Graph().as_default():
                tf.set_random_seed(99)
                t = tf.random_uniform(shape, lo, hi, dtype=getattr(tf, dtype))
                with tf.Session() as sess:
                    first, second = sess.run(t), sess.run(t)
            tag = f"int/{dtype}/{lo}/{hi}/{'x'.join(map(str, shape))}"
            out[f"{tag}/run1"], out[f"{tag}/run2"] = first, second
    with tf.Graph().as_default():  # bounds as tensors: TF's RandomUniformInt
        tf.set_random_seed(99)
        rows = tf.shape(tf.zeros([9, 2]))[0]
        draws = {"tensor_max": tf.random_uniform([6], 0, rows, dtype=tf.int32),
                 "tensor_both_int64": tf.random_uniform([2, 3], tf.constant(-40, tf.int64),
                                                        tf.constant(2 ** 35, tf.int64), dtype=tf.int64, seed=5)}
        with tf.Session() as sess:
            for run in (1, 2):
                for name, value in sess.run(draws).items():
                    out[f"int/{name}/run{run}"] = value
    return out


def seed_rule(tf):
    """Op seeds from the graph's counter (creation order, counting only ops without a seed), a second graph
    starting again, a seed of 0 and huge seeds."""
    out = {}
    for g in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(1234)
            a = tf.random_normal([3])
            b = tf.random_uniform([2], seed=5)
            c = tf.random_uniform([2])
            d = tf.truncated_normal([2])
            with tf.Session() as sess:
                for name, value in zip("abcd", sess.run([a, b, c, d])):
                    out[f"rule/graph{g}/{name}"] = value
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        zero = tf.random_uniform([4], seed=0)
        big = tf.random_uniform([4], seed=2 ** 40 + 3)
        with tf.Session() as sess:
            out["rule/zero_zero"], out["rule/big_op_seed"] = sess.run([zero, big])
    with tf.Graph().as_default():
        tf.set_random_seed(2 ** 33 + 11)
        t = tf.random_uniform([4])
        with tf.Session() as sess:
            out["rule/big_graph_seed"] = sess.run(t)
    return out


def shuffles(tf):
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        vec = tf.random_shuffle(tf.range(13))
        mat = tf.random_shuffle(tf.reshape(tf.range(30.0), [10, 3]))
        one = tf.random_shuffle(tf.constant([[1.0, 2.0]]))
        logits = tf.constant(np.log([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25], [1.0, 1e-3, 1e-3]]), tf.float32)
        draws = tf.multinomial(logits, 9)
        masked = tf.multinomial(tf.constant([[0.0, -np.inf, 1.0, np.inf - np.inf]]), 5)
        categorical = tf.random.categorical(logits, 4, dtype=tf.int32)
        with tf.Session() as sess:
            for run in (1, 2):
                for name, value in zip(["vec", "mat", "one", "multinomial", "masked", "categorical"],
                                       sess.run([vec, mat, one, draws, masked, categorical])):
                    out[f"shuffle/{name}/run{run}"] = value
    return out


def initializers(tf):
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(2024)
        inits = {"glorot_uniform": tf.glorot_uniform_initializer(),
                 "glorot_normal": tf.glorot_normal_initializer(),
                 "truncated": tf.truncated_normal_initializer(stddev=0.1),
                 "normal": tf.random_normal_initializer(0.5, 2.0),
                 "uniform": tf.random_uniform_initializer(-0.3, 0.3),
                 "vs_fan_in_normal": tf.variance_scaling_initializer(2.0, "fan_in", "normal"),
                 "vs_fan_out_uniform": tf.variance_scaling_initializer(1.0, "fan_out", "uniform"),
                 "he_normal": tf.initializers.he_normal(),
                 "lecun_uniform": tf.initializers.lecun_uniform(),
                 "orthogonal": tf.orthogonal_initializer(),
                 "orthogonal_seeded": tf.orthogonal_initializer(gain=2.0, seed=11)}
        variables = {n: tf.get_variable(n, [5, 3], initializer=i) for n, i in inits.items()}
        variables["default"] = tf.get_variable("default", [4, 6])
        variables["conv"] = tf.get_variable("conv", [3, 3, 2, 4], initializer=tf.glorot_uniform_initializer())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for name, value in sess.run(variables).items():
                out[f"init/{name}"] = value
    return out


def dropouts(tf):
    out = {}
    x = np.arange(1.0, 25.0, dtype=np.float32).reshape(4, 6)
    with tf.Graph().as_default():
        tf.set_random_seed(77)
        v1 = tf.nn.dropout(tf.constant(x), keep_prob=0.6)
        v2 = tf.nn.dropout(tf.constant(x), rate=0.25, noise_shape=[4, 1])
        seeded = tf.nn.dropout(tf.constant(x), keep_prob=0.5, seed=8)
        with tf.Session() as sess:
            for run in (1, 2):
                for name, value in zip(["keep_prob", "rate_noise_shape", "seeded"], sess.run([v1, v2, seeded])):
                    out[f"dropout/{name}/run{run}"] = value
    return out


def gammas(tf):
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        draws = {"float32": tf.random_gamma([4], [0.5, 1.0, 3.0]),
                 "float64_beta": tf.random_gamma([2, 3], [[1.5], [0.2]], beta=[1.0, 2.0, 4.0], dtype=tf.float64),
                 "seeded": tf.random_gamma([7], 0.7, seed=12),
                 "poisson": tf.random_poisson([0.5, 3.0, 9.9, 10.0, 45.0, 300.0], [5]),
                 "poisson_int": tf.random_poisson(tf.constant([2.0, 25.0], tf.float64), [3, 2], dtype=tf.int64),
                 "poisson_seeded": tf.random_poisson(7.5, [9], seed=2)}
        with tf.Session() as sess:
            for run in (1, 2):
                for name, value in sess.run(draws).items():
                    out[f"gamma/{name}/run{run}"] = value
    return out


def training(tf, steps=6):
    """A seeded TF1 training program: dense layers with get_variable's default initializer (glorot uniform),
    dropout, a shuffled input (random_shuffle of the data each step), Adam; its first losses."""
    rng = np.random.RandomState(0)
    data = rng.rand(32, 5).astype(np.float32)
    target = (data @ rng.rand(5, 1) > 1.2).astype(np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(5)
        order = tf.random_shuffle(tf.range(32))[:8]
        x = tf.gather(tf.constant(data), order)
        y = tf.gather(tf.constant(target), order)
        w1 = tf.get_variable("w1", [5, 16])
        b1 = tf.get_variable("b1", [16], initializer=tf.zeros_initializer())
        w2 = tf.get_variable("w2", [16, 1], initializer=tf.truncated_normal_initializer(stddev=0.3))
        hidden = tf.nn.dropout(tf.nn.relu(tf.matmul(x, w1) + b1), keep_prob=0.8)
        logits = tf.matmul(hidden, w2)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        losses = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                losses.append(sess.run([loss, train])[0])
    return {"training/losses": np.array(losses, dtype=np.float32)}


def datasets(tf):
    """tf.data shuffles: graph seed only / op seed, buffers smaller and larger than the data, reshuffling over
    repeats or not, batches, and a re-initialized iterator (which starts the seed generator again)."""
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(5)
        cases = {"graph_seed": tf.data.Dataset.range(10).shuffle(4).repeat(2),
                 "op_seed": tf.data.Dataset.range(23).shuffle(7, seed=3),
                 "big_buffer": tf.data.Dataset.range(9).shuffle(100).repeat(3),
                 "one_slot": tf.data.Dataset.range(6).shuffle(1),
                 "fixed_order": tf.data.Dataset.range(8).shuffle(5, seed=9, reshuffle_each_iteration=False).repeat(2),
                 "batches": tf.data.Dataset.from_tensor_slices(np.arange(40.0).reshape(20, 2)).shuffle(8).batch(6)}
        nexts = {name: tf.data.make_one_shot_iterator(ds).get_next() for name, ds in cases.items()}
        reinit = tf.data.make_initializable_iterator(tf.data.Dataset.range(12).shuffle(5))
        with tf.Session() as sess:
            for name, nxt in nexts.items():
                values = []
                while True:
                    try:
                        values.append(sess.run(nxt))
                    except tf.errors.OutOfRangeError:
                        break
                out[f"data/{name}"] = np.concatenate([np.reshape(v, (-1,) + np.shape(v)[1:]) for v in values]) \
                    if name == "batches" else np.array(values)
            for run in (1, 2):
                sess.run(reinit.initializer)
                out[f"data/reinitialized/run{run}"] = np.array([sess.run(reinit.get_next()) for _ in range(12)])
    return out


def training_tf_data(tf, steps=8):
    """A TF1 training program fed by shuffled, repeated tf.data batches: dense layers with get_variable's default
    initializer, dropout, plain SGD; its first losses."""
    rng = np.random.RandomState(1)
    features = rng.rand(50, 4).astype(np.float32)
    labels = (features.sum(axis=1, keepdims=True) > 2).astype(np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(11)
        batches = tf.data.Dataset.from_tensor_slices((features, labels)).shuffle(20).repeat().batch(10)
        x, y = tf.data.make_one_shot_iterator(batches).get_next()
        with tf.variable_scope("layer1"):
            h = tf.nn.relu(tf.matmul(x, tf.get_variable("w", [4, 8])) + tf.get_variable("b", [8]))
        h = tf.nn.dropout(h, keep_prob=0.75)
        with tf.variable_scope("layer2"):
            logits = tf.matmul(h, tf.get_variable("w", [8, 1]))
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train])[0] for _ in range(steps)]
    return {"training_tf_data/losses": np.array(losses, dtype=np.float32)}


def images(tf):
    """tf.image's seeded augmentations (each a tf.random_uniform draw and an adjustment), two runs."""
    out = {}
    image = np.arange(5 * 6 * 3, dtype=np.float32).reshape(5, 6, 3) / 90.0
    with tf.Graph().as_default():
        tf.set_random_seed(21)
        x = tf.constant(image)
        batch = tf.constant(np.stack([image, image[::-1], image * 0.5, image[:, ::-1]]))
        ops = {"crop": tf.image.random_crop(x, [3, 4, 3]),
               "crop_seeded": tf.image.random_crop(x, [2, 2, 1], seed=4),
               "flip_lr": tf.image.random_flip_left_right(x),
               "flip_ud_batch": tf.image.random_flip_up_down(batch),
               "brightness": tf.image.random_brightness(x, 0.3),
               "contrast": tf.image.random_contrast(x, 0.2, 1.8),
               "saturation": tf.image.random_saturation(x, 0.5, 1.5),
               "hue": tf.image.random_hue(x, 0.2)}
        with tf.Session() as sess:
            for run in (1, 2):
                for name, value in sess.run(ops).items():
                    out[f"image/{name}/run{run}"] = value
    return out


PROGRAMS = [distributions, integers, seed_rule, shuffles, initializers, dropouts, training, datasets,
            training_tf_data, images, gammas]


def eager_program(tf):
    """Eager draws after tf.set_random_seed (the caller runs it eagerly): op seeds from Python's
    random.Random(global seed); calls with the same seeds continue one stream; a new set_random_seed restarts."""
    out = {}
    tf.set_random_seed(1234)
    out["a1"] = tf.random_uniform([3]).numpy()
    out["a2"] = tf.random_uniform([3]).numpy()
    out["normal"] = tf.random_normal([2, 2]).numpy()
    out["seeded1"] = tf.random_uniform([3], seed=4).numpy()
    out["seeded2"] = tf.random_uniform([3], seed=4).numpy()
    out["truncated"] = tf.truncated_normal([5], seed=4).numpy()
    tf.set_random_seed(1234)
    out["restart"] = tf.random_uniform([3]).numpy()
    out["seeded_restart"] = tf.random_uniform([3], seed=4).numpy()
    # tf.data eagerly: the shuffle's seed generator lives with the dataset, so each iteration reshuffles
    for name, dataset in [("shuffle", tf.data.Dataset.range(10).shuffle(5)),
                          ("shuffle_seeded", tf.data.Dataset.range(10).shuffle(5, seed=7))]:
        for iteration in (1, 2):
            out[f"{name}/iteration{iteration}"] = np.array([int(x) for x in dataset])
    return out
