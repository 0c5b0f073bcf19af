"""The feature column kinds of `tf.feature_column` and their constructors: how each turns a raw feature of the
features dict into a dense [batch, width] float tensor (numeric, bucketized, indicator, embedding columns) or into
categorical ids (vocabulary list, identity, hash bucket columns; crossed columns: crossed.py).

Categorical ids are kept dense here: an int64 [batch, n] tensor of ids with a bool mask of the entries that are
present and valid. TensorFlow keeps them as a SparseTensor; its missing entries (-1 for integers, '' for strings,
and ids a vocabulary maps to -1) are exactly the masked ones, so indicator, embedding and linear results agree.
"""
import collections
import math

__all__ = ["numeric_column", "bucketized_column", "categorical_column_with_vocabulary_list",
           "categorical_column_with_identity", "categorical_column_with_hash_bucket",
           "categorical_column_with_vocabulary_file", "indicator_column", "embedding_column", "make_parse_example_spec",
           "DenseColumn", "CategoricalColumn"]


def _tf():
    import neuroflow
    return neuroflow


class Ids(collections.namedtuple("Ids", ["ids", "mask"])):
    """Categorical ids, int64 [batch, n], and which of them count (bool [batch, n])."""


def _raw(features, key):
    if key not in features:
        raise ValueError(f"The feature '{key}' is not in the features dictionary (keys: {sorted(features)}).")
    return features[key]


def _as_rank2(tensor, missing):
    """A feature as a [batch, n] tensor: a SparseTensor made dense with `missing` (so absent entries are masked),
    rank 1 expanded to [batch, 1], higher ranks flattened after the batch dimension."""
    tf = _tf()
    if isinstance(tensor, tf.SparseTensor):
        tensor = tf.sparse_tensor_to_dense(tensor, default_value=missing)
    tensor = tf.convert_to_tensor(tensor)
    rank = tensor.shape.ndims
    if rank == 0:
        raise ValueError(f"Feature (key: {tensor.name}) cannot have rank 0. Given: {tensor}")
    if rank == 1:
        return tf.expand_dims(tensor, -1)
    if rank == 2:
        return tensor
    return tf.reshape(tensor, [tf.shape(tensor)[0], -1])


class DenseColumn:
    """A column whose value is a dense [batch, width] float32 tensor (subclasses define `width`)."""

    var_scope_name = property(lambda self: self.name, doc="The variable scope input_layer opens for the column.")

    def dense(self, features):
        raise NotImplementedError

    @property
    def _variable_shape(self):
        return _tf().TensorShape([self.width])


class CategoricalColumn:
    """A column whose value is ids in [0, num_buckets) (subclasses define `num_buckets`)."""

    var_scope_name = property(lambda self: self.name, doc="The variable scope linear_model opens for the column.")

    def ids(self, features):
        raise NotImplementedError

    def entries(self, features):
        """The ids TensorFlow's id SparseTensor holds, and where: every present input, even one whose id is -1
        (what a crossed column crosses). Only a vocabulary's -1 ids differ from `ids`."""
        return self.ids(features)

    def weights(self, features):
        """Each id's weight (float32, like the ids), or None: every id counts once (weighted.py sets them)."""
        return None

    @property
    def _num_buckets(self):
        return self.num_buckets


class _NumericColumn(DenseColumn, collections.namedtuple(
        "_NumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    name = property(lambda self: self.key)
    width = property(lambda self: int(math.prod(self.shape)))

    def dense(self, features):
        tf = _tf()
        raw = _raw(features, self.key)
        if isinstance(raw, tf.SparseTensor):
            raise ValueError(f"The corresponding Tensor of numerical column must be a Tensor. SparseTensor is not "
                             f"supported. key: {self.key}")
        value = tf.convert_to_tensor(raw)
        if self.normalizer_fn is not None:  # on the feature as given, then cast (TensorFlow's order)
            value = self.normalizer_fn(value)
        if value.dtype != tf.float32:
            value = tf.cast(value, tf.float32)
        return tf.reshape(value, [-1, self.width])

    def parse_spec(self):
        return {self.key: _tf().FixedLenFeature(self.shape, self.dtype, self.default_value)}


def numeric_column(key, shape=(1,), default_value=None, dtype=None, normalizer_fn=None):
    """A real-valued feature of `shape` per example (cast to float32; `normalizer_fn` applied first).

    Example: `numeric_column("price")`, `numeric_column("pixels", shape=(28, 28), normalizer_fn=lambda x: x / 255)`.
    """
    tf = _tf()
    dtype = tf.float32 if dtype is None else tf.as_dtype(dtype)
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)
    if any(d < 1 for d in shape):
        raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: {key}")
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    if default_value is not None:
        import numpy as np
        default = np.asarray(default_value, dtype.as_numpy_dtype)
        if default.size not in (1, math.prod(shape)):
            raise ValueError(f"The shape of default_value must be equal to given shape. default_value: "
                             f"{default_value}, shape: {shape}, key: {key}")
        default_value = tuple(np.broadcast_to(default, shape).reshape(-1).tolist())
    return _NumericColumn(key, shape, default_value, dtype, normalizer_fn)


class _BucketizedColumn(DenseColumn, CategoricalColumn, collections.namedtuple(
        "_BucketizedColumn", ["source_column", "boundaries"])):
    name = property(lambda self: f"{self.source_column.name}_bucketized")
    num_buckets = property(lambda self: self.source_column.width * (len(self.boundaries) + 1))
    width = property(lambda self: self.num_buckets)

    def _buckets(self, features):
        tf = _tf()
        value = self.source_column.dense(features)                        # [batch, n]
        # Bucket i holds boundaries[i-1] <= x < boundaries[i]: the count of boundaries at or below x.
        above = tf.greater_equal(tf.expand_dims(value, -1), tf.constant(self.boundaries, tf.float32))
        return tf.reduce_sum(tf.cast(above, tf.int64), axis=-1)

    def dense(self, features):
        # One one-hot block per source element, flattened ([batch, n * (len(boundaries) + 1)]), as TensorFlow does.
        tf = _tf()
        one_hot = tf.one_hot(self._buckets(features), len(self.boundaries) + 1, dtype=tf.float32)
        return tf.reshape(one_hot, [-1, self.width])

    def ids(self, features):
        tf = _tf()
        buckets = self._buckets(features)
        offsets = tf.constant([i * (len(self.boundaries) + 1) for i in range(self.source_column.width)], tf.int64)
        ids = buckets + offsets
        return Ids(ids, tf.ones_like(ids, dtype=tf.bool))

    def parse_spec(self):
        return self.source_column.parse_spec()


def bucketized_column(source_column, boundaries):
    """Discretizes a numeric column by sorted `boundaries`: len(boundaries) + 1 buckets per element."""
    if not isinstance(source_column, _NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: {source_column}")
    boundaries = tuple(float(b) for b in boundaries)
    if not boundaries or any(a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError("boundaries must be a sorted list.")
    return _BucketizedColumn(source_column, boundaries)


def _categorical_input(features, key, dtype):
    """The raw ids or strings of `key` as [batch, n], and the mask of entries present (-1 / '' are absent)."""
    tf = _tf()
    missing = "" if dtype == tf.string else -1
    value = _as_rank2(_raw(features, key), missing)
    if (value.dtype == tf.string) != (dtype == tf.string):
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: {key}, column dtype: "
                         f"{dtype}, tensor dtype: {value.dtype}")
    if value.dtype != tf.string and value.dtype != tf.int64:
        value = tf.cast(value, tf.int64)
    return value, tf.not_equal(value, tf.constant(missing, value.dtype))


def _hash_buckets(strings, num_buckets):
    from ..ops.string_hash_ops import string_to_hash_bucket_fast
    return string_to_hash_bucket_fast(strings, num_buckets)


class _VocabularyListColumn(CategoricalColumn, collections.namedtuple(
        "_VocabularyListColumn", ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"])):
    name = property(lambda self: self.key)
    num_buckets = property(lambda self: len(self.vocabulary_list) + self.num_oov_buckets)

    def ids(self, features):
        ids, present = self.entries(features)
        return Ids(ids, _tf().logical_and(present, _tf().greater_equal(ids, 0)))

    def entries(self, features):
        from ..ops.vocabulary_lookup_ops import vocabulary_lookup
        value, present = _categorical_input(features, self.key, self.dtype)
        return Ids(vocabulary_lookup(value, self.vocabulary_list, self.num_oov_buckets, self.default_value), present)

    def parse_spec(self):
        return {self.key: _tf().VarLenFeature(self.dtype)}


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
    """Ids by position in `vocabulary_list`; values outside it get `default_value` (-1: dropped) or, with
    `num_oov_buckets`, one of that many hash buckets after the vocabulary.

    Example: `categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])`."""
    tf = _tf()
    vocabulary_list = tuple(vocabulary_list)
    if not vocabulary_list:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: {key}")
    strings = all(isinstance(v, (str, bytes)) for v in vocabulary_list)
    if dtype is None:
        dtype = tf.string if strings else tf.int64
    dtype = tf.as_dtype(dtype)
    if (dtype == tf.string) != strings:
        raise ValueError(f"dtype {dtype} and vocabulary {vocabulary_list} are incompatible, column_name: {key}")
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets}.")
    if num_oov_buckets and default_value != -1:
        raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
    if not strings:
        vocabulary_list = tuple(int(v) for v in vocabulary_list)
    return _VocabularyListColumn(key, vocabulary_list, tf.string if strings else tf.int64, int(default_value),
                                 int(num_oov_buckets))


class _VocabularyFileColumn(CategoricalColumn, collections.namedtuple(
        "_VocabularyFileColumn", ["key", "vocabulary_file", "vocabulary_size", "num_oov_buckets", "default_value",
                                  "dtype"])):
    name = property(lambda self: self.key)
    num_buckets = property(lambda self: self.vocabulary_size + self.num_oov_buckets)

    def _as_list_column(self):
        """The first vocabulary_size lines of the file (each whole line, as TensorFlow's table reads it)."""
        from ..gfile import GFile
        with GFile(self.vocabulary_file, "rb") as f:
            lines = f.read().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if len(lines) < self.vocabulary_size:
            raise ValueError(f"Invalid vocab_size in {self.key}: vocabulary_size {self.vocabulary_size} is larger "
                             f"than the {len(lines)} lines of {self.vocabulary_file}")
        vocabulary = lines[:self.vocabulary_size]
        if self.dtype != _tf().string:
            vocabulary = [int(v) for v in vocabulary]
        return _VocabularyListColumn(self.key, tuple(vocabulary), self.dtype, self.default_value,
                                     self.num_oov_buckets)

    def ids(self, features):
        return self._as_list_column().ids(features)

    def entries(self, features):
        return self._as_list_column().entries(features)

    def parse_spec(self):
        return {self.key: _tf().VarLenFeature(self.dtype)}


def categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size=None, num_oov_buckets=0,
                                            default_value=None, dtype=None):
    """Ids by line number in `vocabulary_file` (one value per line; the first `vocabulary_size` lines, all by
    default); other values get `default_value` (None: -1, dropped) or one of `num_oov_buckets` hash buckets.

    Example: `categorical_column_with_vocabulary_file("occupation", "occupations.txt", num_oov_buckets=5)`."""
    tf = _tf()
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    dtype = tf.string if dtype is None else tf.as_dtype(dtype)
    if dtype != tf.string and not dtype.is_integer:
        raise ValueError(f"dtype must be string or integer. dtype: {dtype}, column_name: {key}")
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    if default_value is not None and num_oov_buckets:
        raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
    if vocabulary_size is None:
        from ..gfile import GFile
        with GFile(vocabulary_file, "rb") as f:
            vocabulary_size = sum(1 for _ in f)
        if vocabulary_size < 1:
            raise ValueError(f"Invalid vocab_size in {key}: the vocabulary file {vocabulary_file} is empty")
    elif vocabulary_size < 1:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    return _VocabularyFileColumn(key, vocabulary_file, int(vocabulary_size), int(num_oov_buckets),
                                 -1 if default_value is None else int(default_value),
                                 tf.string if dtype == tf.string else tf.int64)


class _IdentityColumn(CategoricalColumn, collections.namedtuple(
        "_IdentityColumn", ["key", "num_buckets", "default_value"])):
    name = property(lambda self: self.key)

    def ids(self, features):
        tf = _tf()
        value, present = _categorical_input(features, self.key, tf.int64)
        in_range = tf.logical_and(tf.greater_equal(value, 0), tf.less(value, self.num_buckets))
        if self.default_value is not None:
            value = tf.where(in_range, value, tf.fill(tf.shape(value), tf.constant(self.default_value, tf.int64)))
            return Ids(value, present)
        bad = tf.logical_and(present, tf.logical_not(in_range))
        check = tf.Assert(tf.logical_not(tf.reduce_any(bad)),
                          [f"Input id must be in [0, {self.num_buckets}) for column {self.key}; got",
                           tf.boolean_mask(value, bad)])
        with tf.control_dependencies([check]):
            return Ids(tf.identity(value), present)

    def parse_spec(self):
        return {self.key: _tf().VarLenFeature(_tf().int64)}


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """Integer features used as ids in [0, num_buckets); others are an error, or `default_value` if given."""
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}")
    return _IdentityColumn(key, int(num_buckets), default_value)


class _HashedColumn(CategoricalColumn, collections.namedtuple(
        "_HashedColumn", ["key", "hash_bucket_size", "dtype"])):
    name = property(lambda self: self.key)
    num_buckets = property(lambda self: self.hash_bucket_size)

    def ids(self, features):
        tf = _tf()
        value, present = _categorical_input(features, self.key, self.dtype)
        strings = value if value.dtype == tf.string else tf.as_string(value)
        return Ids(_hash_buckets(strings, self.hash_bucket_size), present)

    def parse_spec(self):
        return {self.key: _tf().VarLenFeature(self.dtype)}


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=None):
    """Ids = Fingerprint64(value as a string) mod hash_bucket_size, TensorFlow's hashing (equal bucket ids)."""
    tf = _tf()
    dtype = tf.string if dtype is None else tf.as_dtype(dtype)
    if hash_bucket_size is None or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}, key: {key}")
    if dtype != tf.string and not dtype.is_integer:
        raise ValueError(f"dtype must be string or integer. dtype: {dtype}, column_name: {key}")
    return _HashedColumn(key, int(hash_bucket_size), dtype)


class _IndicatorColumn(DenseColumn, collections.namedtuple("_IndicatorColumn", ["categorical_column"])):
    name = property(lambda self: f"{self.categorical_column.name}_indicator")
    width = property(lambda self: self.categorical_column.num_buckets)

    def dense(self, features):
        # Multi-hot: how often each id occurs in the example (masked entries count for nothing).
        tf = _tf()
        ids, mask = self.categorical_column.ids(features)
        counts = tf.cast(mask, tf.float32)
        weights = self.categorical_column.weights(features)
        if weights is not None:  # a weighted column: each id's weight, as given (TensorFlow does not prune here)
            counts = counts * weights
        one_hot = tf.one_hot(ids, self.width, dtype=tf.float32) * tf.expand_dims(counts, -1)
        return tf.reduce_sum(one_hot, axis=1)

    def parse_spec(self):
        return self.categorical_column.parse_spec()


def indicator_column(categorical_column):
    """The multi-hot [batch, num_buckets] representation of a categorical column."""
    if not isinstance(categorical_column, CategoricalColumn):
        raise ValueError(f"Unsupported input type. Input must be a CategoricalColumn. Given: {categorical_column}")
    return _IndicatorColumn(categorical_column)


def combine_rows(table, ids, mask, combiner, weights=None, prune=True):
    """`combiner` of table[id] over each row's valid ids: 'sum' (of weight * row), 'mean' (divided by the sum of
    weights) or 'sqrtn' (by the root of the sum of squared weights); ids weigh 1 unless `weights` are given. With
    `prune` (embedding columns: TensorFlow's safe_embedding_lookup_sparse) weights <= 0 drop their id; linear
    models keep them. Rows without any give zeros."""
    tf = _tf()
    safe_ids = tf.where(mask, ids, tf.zeros_like(ids))
    counted = tf.cast(mask, table.dtype)
    if weights is not None:
        counted = counted * (tf.where(tf.greater(weights, 0.0), weights, tf.zeros_like(weights)) if prune
                             else weights)
    rows = tf.gather(table, safe_ids) * tf.expand_dims(counted, -1)          # [batch, n, dim]
    total = tf.reduce_sum(rows, axis=1)
    if combiner == "sum":
        return total
    if combiner == "mean":
        scale = tf.reduce_sum(counted, axis=1, keepdims=True)
    else:
        scale = tf.sqrt(tf.reduce_sum(counted * counted, axis=1, keepdims=True))
    # Rows whose weights sum to 0 (no ids) have a zero total: divide by 1 there instead.
    return total / tf.where(tf.not_equal(scale, 0.0), scale, tf.ones_like(scale))


_COMBINERS = ("mean", "sqrtn", "sum")


class _EmbeddingColumn(DenseColumn, collections.namedtuple(
        "_EmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer", "trainable",
                             "max_norm"])):
    name = property(lambda self: f"{self.categorical_column.name}_embedding")
    width = property(lambda self: self.dimension)

    def dense(self, features):
        tf = _tf()
        ids, mask = self.categorical_column.ids(features)
        initializer = self.initializer or tf.truncated_normal_initializer(
            mean=0.0, stddev=1 / math.sqrt(self.dimension))
        table = tf.get_variable("embedding_weights", [self.categorical_column.num_buckets, self.dimension],
                                dtype=tf.float32, initializer=initializer, trainable=self.trainable)
        if self.max_norm is not None:
            table = tf.clip_by_norm(table, self.max_norm, axes=[1])
        return combine_rows(table, ids, mask, self.combiner, self.categorical_column.weights(features))

    def parse_spec(self):
        return self.categorical_column.parse_spec()


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None, ckpt_to_load_from=None,
                     tensor_name_in_ckpt=None, max_norm=None, trainable=True):
    """A learned `dimension`-wide vector per id, combined over each example's ids by `combiner` (mean, sqrtn or
    sum); the table is the variable `<scope>/<column>_embedding/embedding_weights`."""
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', given: {combiner}")
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of column_name: "
                         f"{categorical_column.name}")
    if ckpt_to_load_from is not None or tensor_name_in_ckpt is not None:
        raise NotImplementedError("embedding_column: loading the table from a checkpoint is not supported; "
                                  "restore it with tf.train.init_from_checkpoint")
    if not isinstance(categorical_column, CategoricalColumn):
        raise ValueError(f"Unsupported input type. Input must be a CategoricalColumn. Given: {categorical_column}")
    return _EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, trainable, max_norm)


def make_parse_example_spec(feature_columns):
    """The `parse_example` features dict that reading these columns from tf.train.Example protos needs."""
    spec = {}
    for column in feature_columns:
        for key, feature in column.parse_spec().items():
            if key in spec and spec[key] != feature:
                raise ValueError(f"feature_columns contain different parse_spec for key {key}. Given "
                                 f"{feature} and {spec[key]}")
            spec[key] = feature
    return spec
