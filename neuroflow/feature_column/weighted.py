"""`tf.feature_column.weighted_categorical_column`: a categorical column whose ids carry weights from another
feature (e.g. term frequencies), used by indicator_column (the weights, summed per id), embedding_column (weighted
combiners; weights <= 0 drop their id, as TensorFlow's safe_embedding_lookup_sparse) and linear_model (weighted
sums, every weight kept, as TensorFlow's)."""
import collections

from .columns import CategoricalColumn, _as_rank2, _raw

__all__ = ["weighted_categorical_column"]


def _tf():
    import neuroflow
    return neuroflow


class _WeightedColumn(CategoricalColumn, collections.namedtuple(
        "_WeightedColumn", ["categorical_column", "weight_feature_key", "dtype"])):
    name = property(lambda self: f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}")
    num_buckets = property(lambda self: self.categorical_column.num_buckets)

    def ids(self, features):
        return self.categorical_column.ids(features)

    def weights(self, features):
        tf = _tf()
        weights = _raw(features, self.weight_feature_key)
        weights = _as_rank2(weights, 0.0 if not isinstance(weights, tf.SparseTensor) else
                            tf.constant(0, weights.values.dtype))
        if weights.dtype != tf.float32:
            weights = tf.cast(weights, tf.float32)
        return weights

    def parse_spec(self):
        return dict(self.categorical_column.parse_spec(), **{self.weight_feature_key: _tf().VarLenFeature(self.dtype)})


def weighted_categorical_column(categorical_column, weight_feature_key, dtype=None):
    """Weights each id of `categorical_column` by the value at the same position of feature `weight_feature_key`.

    Example: `weighted_categorical_column(categorical_column_with_identity("word", 1000), "count")`."""
    tf = _tf()
    dtype = tf.float32 if dtype is None else tf.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"dtype {dtype} is not convertible to float.")
    if not weight_feature_key:
        raise ValueError(f"weight_feature_key must be a non-empty string. Given: {weight_feature_key}")
    if not isinstance(categorical_column, CategoricalColumn):
        raise ValueError(f"Unsupported input type. Input must be a CategoricalColumn. Given: {categorical_column}")
    return _WeightedColumn(categorical_column, weight_feature_key, dtype)
