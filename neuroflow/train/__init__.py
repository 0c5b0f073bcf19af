"""`tf.train`: training utilities (global step; optimizers and checkpoints join here)."""
from .training_util import (assert_global_step, create_global_step, get_global_step, get_or_create_global_step,
                            global_step)

__all__ = ["assert_global_step", "create_global_step", "get_global_step", "get_or_create_global_step",
           "global_step"]
