"""`tf.estimator.inputs.numpy_input_fn`: an input_fn over NumPy arrays (a dict of features, or one array), batched,
optionally shuffled, for `num_epochs` (None: forever), built on `tf.data`."""
import numpy as np

__all__ = ["numpy_input_fn"]


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1):
    """Returns an input_fn yielding (features, labels) batches of `x` (dict or array) and `y`."""
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be provided and explicitly set as boolean (it is recommended to set it as "
                         f"True for training); got {shuffle}")

    def input_fn():
        from .. import data
        features = {k: np.asarray(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x)
        tensors = features if y is None else (features, np.asarray(y))
        dataset = data.Dataset.from_tensor_slices(tensors)
        if shuffle:
            dataset = dataset.shuffle(queue_capacity)
        dataset = dataset.repeat(num_epochs).batch(batch_size)
        return data.make_one_shot_iterator(dataset).get_next()
    return input_fn
