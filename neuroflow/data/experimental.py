"""`tf.data.experimental`: the TF 1.x helpers tutorials use (`AUTOTUNE`, `unbatch`, `shuffle_and_repeat`,
`map_and_batch`, `parse_example_dataset`), each a function returning a transformation for `Dataset.apply`."""

__all__ = ["AUTOTUNE", "unbatch", "shuffle_and_repeat", "map_and_batch", "parse_example_dataset"]

AUTOTUNE = -1  # for num_parallel_calls (maps run in order) and prefetch buffer sizes (a small fixed buffer)


def unbatch():
    """A transformation splitting each element along its first dimension: `dataset.apply(unbatch())`."""
    def apply(dataset):
        from .transformations import UnbatchDataset
        return UnbatchDataset(dataset)
    return apply


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`dataset.shuffle(buffer_size, seed).repeat(count)` as one transformation (a new order each pass)."""
    def apply(dataset):
        return dataset.shuffle(buffer_size, seed).repeat(count)
    return apply


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False, num_parallel_calls=None):
    """`dataset.map(map_func).batch(batch_size, drop_remainder)` as one transformation."""
    def apply(dataset):
        return dataset.map(map_func).batch(batch_size, drop_remainder)
    return apply


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """A transformation parsing a dataset of batches (vectors) of serialized Examples into dicts of Tensors with
    `tf.parse_example(batch, features)` (a VarLenFeature gives a SparseTensor component).

    Example: `tf.data.TFRecordDataset(files).batch(32).apply(parse_example_dataset({"x": FixedLenFeature(...)}))`.
    """
    if features is None:
        raise ValueError("Missing: features was None.")

    def apply(dataset):
        from ..framework import dtypes
        from ..ops.example_parsing_ops import parse_example
        spec = dataset._flat_spec
        if len(spec) != 1 or spec[0].dtype is not dtypes.string or spec[0].shape.ndims not in (None, 1):
            raise TypeError(f"Input dataset should be a dataset of vectors of strings; its elements are "
                            f"{dataset.output_types} of shape {dataset.output_shapes}.")
        return dataset.map(lambda serialized: parse_example(serialized, features))
    return apply
