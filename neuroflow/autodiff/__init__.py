"""The gradient engine, shared by graph mode (`tf.gradients`) and, later, eager tapes."""
from .gradients import gradients, stop_gradient

__all__ = ["gradients", "stop_gradient"]
