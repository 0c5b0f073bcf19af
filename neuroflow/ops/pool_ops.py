"""Pooling primitives (MaxPool, AvgPool and their gradients) with vectorized window kernels."""
__all__ = []
