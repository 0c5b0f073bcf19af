"""Test fixtures: every test starts with a fresh default graph and no default session."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture
def sess():
    with tf.Session() as s:
        yield s


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
