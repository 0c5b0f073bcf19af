"""neuroflow's seeded random ops draw TensorFlow's numbers: the programs of tests/tf_random_programs.py against
the values real TensorFlow 2.21 (tf.compat.v1) gave for them (tests/data/tf_random/, with its generator).

Everything is equal to the last bit, normals included: like TensorFlow, neuroflow takes logf/sinf/cosf (and
log/sin/cos for doubles) from the C library where their rounding matters. Only without a loadable C math library
do the float32 normals fall back to correctly rounded values (about 98.5% identical, the rest within 3 ulp).
Exceptions, each explained where it is compared: the orthogonal initializer (a QR decomposition by another LAPACK)
and image adjustments whose arithmetic NumPy orders differently from Eigen."""
import os

import numpy as np
import pytest

import neuroflow as tf
import tf_random_programs as programs
from neuroflow.ops import philox

DATA = os.path.join(os.path.dirname(__file__), "data", "tf_random", "tf_random.npz")
REFERENCE = dict(np.load(DATA))
# Values computed through sin/cos/log: equal, or at most this many ulp from TensorFlow's without the C library.
MAX_ULP = 0 if philox._libm_float() is not None else 4
_TRANSCENDENTAL = ("normal", "truncated", "init/glorot_normal", "init/truncated", "init/normal", "init/vs_fan_in",
                   "init/he_normal", "init/orthogonal", "init/default_normal")
# Random factors applied by image adjustments whose float arithmetic (a mean, a colour-space round trip) NumPy
# orders differently from Eigen: equal to float32 rounding (another draw would move them by ~1e-2).
_ADJUSTED = ("image/contrast", "image/saturation", "image/hue")


def _ulp_distance(got, want):
    return np.abs(got.astype(np.float64) - want.astype(np.float64)) / np.spacing(np.abs(want)).astype(np.float64)


def _compare(values, exact=lambda name: not name.startswith(_TRANSCENDENTAL + _ADJUSTED)):
    assert values, "the program produced nothing"
    for name, got in values.items():
        want = REFERENCE[name]
        got = np.asarray(got)
        assert got.shape == want.shape and got.dtype == want.dtype, (name, got.shape, got.dtype, want.dtype)
        if name.startswith(_ADJUSTED):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)
        elif exact(name) or want.dtype.kind in "iu":
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            worst = _ulp_distance(got, want).max(initial=0)
            assert worst <= MAX_ULP, f"{name}: {worst} ulp from TensorFlow\n{got}\n{want}"


@pytest.mark.parametrize("program", [programs.distributions, programs.integers, programs.seed_rule,
                                     programs.shuffles, programs.dropouts, programs.datasets, programs.images,
                                     programs.gammas],
                         ids=lambda p: p.__name__)
def test_draws_equal_tensorflows(program):
    _compare(program(tf))


def test_initializers_equal_tensorflows():
    values = programs.initializers(tf)
    # The orthogonal initializer goes through a QR decomposition (LAPACK in both, but not the same build):
    # equal to float32 rounding; everything else is a scaled draw.
    ortho = {k: values.pop(k) for k in list(values) if k.startswith("init/orthogonal")}
    _compare(values)
    for name, got in ortho.items():
        np.testing.assert_allclose(got, REFERENCE[name], rtol=2e-5, atol=2e-6, err_msg=name)


def test_seeded_training_program_prints_tensorflows_losses():
    losses = programs.training(tf)["training/losses"]
    np.testing.assert_allclose(losses, REFERENCE["training/losses"], rtol=2e-6)


def test_training_program_on_shuffled_tf_data_batches_prints_tensorflows_losses():
    losses = programs.training_tf_data(tf)["training_tf_data/losses"]
    np.testing.assert_allclose(losses, REFERENCE["training_tf_data/losses"], rtol=2e-6)


def test_eager_draws_follow_tensorflows_eager_seed_rule():
    with tf.eager_mode():
        values = programs.eager_program(tf)
    _compare({"eager/" + k: v for k, v in values.items()})


def test_each_run_continues_the_stream_and_a_new_session_restarts_it():
    # Checks the recorded reference itself says what the tests rely on (the runs differ, sessions agree).
    key = "uniform/graph/float32/3x4/"
    assert not np.array_equal(REFERENCE[key + "run1"], REFERENCE[key + "run2"])
    np.testing.assert_array_equal(REFERENCE[key + "run1"], REFERENCE[key + "session2"])
    with tf.Graph().as_default():
        tf.set_random_seed(1234)
        draws = programs._draws(tf, tf.float32, (3, 4), None)
        with tf.Session() as sess:
            sess.run(draws["uniform"])
            np.testing.assert_array_equal(sess.run(draws["uniform"]), REFERENCE[key + "run2"])


def test_compiled_path_draws_the_numpy_paths_values(monkeypatch):
    """Large draws use the numba-compiled Philox and Box-Muller when numba is installed: the same values as the
    NumPy path that the TensorFlow references above check."""
    pytest.importorskip("numba")
    from neuroflow.ops import philox
    size = 4 * philox.COMPILED_MIN_BLOCKS + 7   # past the threshold, not a whole number of Philox blocks
    stream_seeds = (123, 2 ** 40 + 5)
    draws = [lambda k, c: philox.standard_normal(k, c, size, np.float32),
             lambda k, c: philox.standard_normal(k, c, size, np.float16),
             lambda k, c: philox.uniform(k, c, size, np.float32),
             lambda k, c: philox.uniform_int(k, c, size, np.int32, -3, 1000),
             lambda k, c: philox.truncated_normal(k, c, size, np.float32)]
    compiled = [draw(*philox.PhiloxStream(*stream_seeds).reserve_outputs(size)) for draw in draws]
    monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    for draw, fast in zip(draws, compiled):
        np.testing.assert_array_equal(fast, draw(*philox.PhiloxStream(*stream_seeds).reserve_outputs(size)))


def test_normals_are_bit_identical():
    """The share of float32 normals and truncated normals equal to TensorFlow's to the bit: all of them with the
    C library's float functions (about 98.5% on 10^6 values with correctly rounded ones instead)."""
    names = [k for k in REFERENCE if k.startswith(("normal/", "truncated/")) and "/float32/" in k]
    values = programs.distributions(tf)
    got = np.concatenate([np.ravel(values[k]) for k in names])
    want = np.concatenate([np.ravel(REFERENCE[k]) for k in names])
    assert got.size > 500
    assert (got == want).mean() >= (1.0 if philox._libm_float() is not None else 0.95)
