"""`tf.layers`: object and functional layers that create their variables on first call (TF 1.x)."""
from .base import Layer
from .core import Dense, dense

__all__ = ["Layer", "Dense", "dense"]
