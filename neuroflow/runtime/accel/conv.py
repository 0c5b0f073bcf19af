"""Compiled convolution and pooling kernels (registered fast paths for Conv2D, its backprops, pooling)."""
