"""`tf.data.experimental`: the TF 1.x helpers tutorials use (`AUTOTUNE`, `unbatch`, `shuffle_and_repeat`,
`map_and_batch`), each a function returning a transformation for `Dataset.apply`."""

__all__ = ["AUTOTUNE", "unbatch", "shuffle_and_repeat", "map_and_batch"]

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
