"""Test fixtures: every test starts with a fresh default graph and no default session; the `consistency`
marker."""
import numpy as np
import pytest

import neuroflow as tf


def pytest_configure(config):
    config.addinivalue_line("markers", "consistency: one mode of neuroflow against another (eager vs graph, "
                                       "Session kernels vs folded forward, tape vs tf.gradients); blind to a rule "
                                       "both sides share, so never the only check of a behaviour")


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
