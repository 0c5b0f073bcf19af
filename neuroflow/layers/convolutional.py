"""`tf.layers` convolution layers: Conv1D/conv1d, Conv2D/conv2d, Conv2DTranspose/conv2d_transpose."""
__all__ = []
