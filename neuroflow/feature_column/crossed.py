"""`tf.feature_column.crossed_column`: ids hashing every combination of one value from each of its keys (raw
features or categorical columns), through TensorFlow's SparseCross (ops/sparse_cross_ops.py), so bucket ids equal
TensorFlow's. Its inputs go in as TensorFlow passes them: a raw dense feature as a dense tensor (all its entries,
'' and -1 included), a SparseTensor feature and a categorical column's ids as SparseTensors."""
import collections

from .columns import CategoricalColumn, Ids, _as_rank2, _BucketizedColumn, _HashedColumn, _IdentityColumn, \
    _raw, _VocabularyFileColumn, _VocabularyListColumn

__all__ = ["crossed_column"]

_DEFAULT_HASH_KEY = 0xDECAFCAFFE


def _tf():
    import neuroflow
    return neuroflow


def _leaf_keys(keys):
    """Keys with nested crossed columns replaced by their own keys, as TensorFlow flattens them."""
    out = []
    for k in keys:
        out.extend(_leaf_keys(k.keys) if isinstance(k, _CrossedColumn) else [k])
    return out


def _as_sparse(ids, mask):
    tf = _tf()
    where = tf.where(mask)
    return tf.SparseTensor(where, tf.gather_nd(ids, where), tf.shape(ids, out_type=tf.int64))


def _cross_input(features, key):
    tf = _tf()
    if isinstance(key, str):
        raw = _raw(features, key)
        if isinstance(raw, tf.SparseTensor):
            return raw
        value = _as_rank2(raw, "")
        return value if value.dtype in (tf.string, tf.int64) else tf.cast(value, tf.int64)
    return _as_sparse(*key.entries(features))


class _CrossedColumn(CategoricalColumn, collections.namedtuple(
        "_CrossedColumn", ["keys", "hash_bucket_size", "hash_key"])):
    name = property(lambda self: "_X_".join(sorted(k if isinstance(k, str) else k.name for k in self.keys)))
    num_buckets = property(lambda self: self.hash_bucket_size)

    def ids(self, features):
        tf = _tf()
        from ..ops.sparse_cross_ops import sparse_cross_hashed
        crossed = sparse_cross_hashed([_cross_input(features, k) for k in _leaf_keys(self.keys)],
                                      num_buckets=self.hash_bucket_size, hash_key=self.hash_key)
        ids = tf.sparse_tensor_to_dense(crossed, default_value=-1)
        return Ids(ids, tf.greater_equal(ids, 0))

    def parse_spec(self):
        tf = _tf()
        spec = {}
        for k in _leaf_keys(self.keys):
            spec.update({k: tf.VarLenFeature(tf.string)} if isinstance(k, str) else k.parse_spec())
        return spec


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """Ids for every combination of one value of each key (strings name raw features; categorical columns cross
    their ids), hashed into `hash_bucket_size` buckets as TensorFlow hashes crosses.

    Example: `crossed_column(["country", bucketized_column(numeric_column("age"), [18, 65])], 1000)`."""
    if not hash_bucket_size or hash_bucket_size <= 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if isinstance(key, _HashedColumn):
            raise ValueError(f"categorical_column_with_hash_bucket is not supported for crossing. Hashing before "
                             f"crossing will increase probability of collision. Instead, use the feature name as a "
                             f"string. Given: {key}")
        if not isinstance(key, (str, _VocabularyListColumn, _VocabularyFileColumn, _IdentityColumn, _BucketizedColumn,
                                _CrossedColumn)):
            raise ValueError(f"Unsupported key type. All keys must be either string, or categorical column except "
                             f"HashedCategoricalColumn. Given: {key}")
    return _CrossedColumn(tuple(keys), int(hash_bucket_size), _DEFAULT_HASH_KEY if hash_key is None else hash_key)
