"""The shape checks and dimension lookups that `tf.image` functions share, with TensorFlow's messages."""
from ..ops.array_ops import shape as _shape
from ..ops.array_ops import unstack

__all__ = ["assert_at_least_3d", "image_dimensions", "is_tensor"]


def is_tensor(value):
    return hasattr(value, "op") and hasattr(value, "dtype")


def assert_at_least_3d(image):
    """`image`, after TensorFlow's static checks: rank at least 3, the last three dimensions not 0.

    Raises:
        ValueError: "'image' (shape ...) must be at least three-dimensional.", or a zero inner dimension.
    """
    dims = image.shape.as_list() if image.shape.ndims is not None else None
    if dims is not None and len(dims) < 3:
        raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
    if dims is not None and 0 in dims[-3:]:
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {image.shape}")
    return image


def image_dimensions(image, rank):
    """The dimensions of `image` (rank `rank`): Python ints where the static shape knows them, scalar tensors
    where it does not."""
    if image.shape.ndims is not None and image.shape.is_fully_defined():
        return image.shape.as_list()
    static = image.shape.as_list() if image.shape.ndims is not None else [None] * rank
    dynamic = unstack(_shape(image), num=rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]
