"""Convolution primitives (Conv2D and its backprops, depthwise convolution) with im2col/BLAS kernels."""
__all__ = []
