"""`tensorflow.python.training.gradient_descent`: GradientDescentOptimizer (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
