"""`tensorflow.python.training.momentum`: MomentumOptimizer (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
