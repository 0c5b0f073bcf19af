"""`tf.feature_column.shared_embedding_columns`: embedding columns over several categorical columns of one kind that
share a single table, `<scope>/<collection name>/embedding_weights`, made by the first of them (in order of column
name) and found by the others in the graph collection of that name, as TensorFlow does."""
import collections
import math

from .columns import CategoricalColumn, DenseColumn, _COMBINERS, combine_rows

__all__ = ["shared_embedding_columns"]


def _tf():
    import neuroflow
    return neuroflow


class _SharedEmbeddingColumn(DenseColumn, collections.namedtuple(
        "_SharedEmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer",
                                   "shared_embedding_collection_name", "max_norm", "trainable"])):
    name = property(lambda self: f"{self.categorical_column.name}_shared_embedding")
    width = property(lambda self: self.dimension)
    var_scope_name = property(lambda self: self.shared_embedding_collection_name)

    def dense(self, features):
        tf = _tf()
        ids, mask = self.categorical_column.ids(features)
        found = tf.get_collection(self.shared_embedding_collection_name)
        if found:
            table = found[0]
        else:
            initializer = self.initializer or tf.truncated_normal_initializer(
                mean=0.0, stddev=1 / math.sqrt(self.dimension))
            table = tf.get_variable("embedding_weights", [self.categorical_column.num_buckets, self.dimension],
                                    dtype=tf.float32, initializer=initializer, trainable=self.trainable)
            tf.add_to_collection(self.shared_embedding_collection_name, table)
        if self.max_norm is not None:
            table = tf.clip_by_norm(table, self.max_norm, axes=[1])
        return combine_rows(table, ids, mask, self.combiner, self.categorical_column.weights(features))

    def parse_spec(self):
        return self.categorical_column.parse_spec()


def shared_embedding_columns(categorical_columns, dimension, combiner="mean", initializer=None,
                             shared_embedding_collection_name=None, ckpt_to_load_from=None,
                             tensor_name_in_ckpt=None, max_norm=None, trainable=True):
    """One embedding column per categorical column, all looking up one `dimension`-wide table (the columns must be
    of one kind with one bucket count); the table's scope is `shared_embedding_collection_name`, by default the
    sorted column names joined by '_' plus '_shared_embedding'.

    Example: `query, doc = shared_embedding_columns([query_words, doc_words], 16)`."""
    columns = list(categorical_columns)
    if not columns:
        raise ValueError("categorical_columns must not be empty.")
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', given: {combiner}")
    if initializer is not None and not callable(initializer):
        raise ValueError("initializer must be callable if specified.")
    if ckpt_to_load_from is not None or tensor_name_in_ckpt is not None:
        raise NotImplementedError("shared_embedding_columns: loading the table from a checkpoint is not supported; "
                                  "restore it with tf.train.init_from_checkpoint")
    first = columns[0]
    for c in columns:
        if not isinstance(c, CategoricalColumn):
            raise ValueError(f"All categorical_columns must be subclasses of _CategoricalColumn. Given: {c}")
        if type(c) is not type(first):
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must have the same type. "
                             f"Given column: {c} of type: {type(c)} does not match given column: {first} of type: "
                             f"{type(first)}")
        if c.num_buckets != first.num_buckets:
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must have the same number of "
                             f"buckets. Given column: {c} with buckets: {c.num_buckets} does not match column: "
                             f"{first} with buckets: {first.num_buckets}")
    name = shared_embedding_collection_name or "_".join(sorted(c.name for c in columns)) + "_shared_embedding"
    return [_SharedEmbeddingColumn(c, int(dimension), combiner, initializer, name, max_norm, trainable)
            for c in columns]
