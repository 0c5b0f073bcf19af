"""`tf.nn` convolution and pooling functions: conv2d, conv2d_transpose, depthwise_conv2d, conv1d, max_pool, avg_pool."""
__all__ = []
