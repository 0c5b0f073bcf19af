"""Vocabulary lookup: each key's position in a vocabulary, or for keys outside it one of `num_oov_buckets` hash
buckets after the vocabulary (TensorFlow's farmhash of the key, or of an integer's decimal string), or
`default_value`. What TensorFlow's index_table_from_tensor (a HashTable and IdTableWithHashBuckets) computes,
as one stateless host kernel with the vocabulary in its attributes: a dict lookup per key, where comparing every
key with every vocabulary entry cost batch x vocabulary string comparisons (70 ms for 1280 keys and 1000 words)."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import OpDef, register
from .string_hash_ops import fingerprint64

__all__ = ["vocabulary_lookup"]


def _as_key(value):
    return value.encode("utf-8") if isinstance(value, str) else value


@register
class VocabularyLookup(OpDef):
    """Input: keys (string or int64). Output: int64 ids, same shape. Attrs: vocabulary (its entries' positions are
    the ids), num_oov_buckets, default_value (for keys outside the vocabulary when num_oov_buckets is 0)."""

    type_name = "VocabularyLookup"
    input_names = ("keys",)
    allowed_dtypes = None
    grad = None

    def infer(self, inputs, attrs):
        keys = inputs[0].dtype.base_dtype
        strings = all(isinstance(v, (bytes, str)) for v in attrs["vocabulary"])
        if keys not in (dtypes.string, dtypes.int64) or (keys == dtypes.string) != strings:
            raise TypeError(f"VocabularyLookup: keys of type {keys.name} do not match a vocabulary of "
                            f"{'strings' if strings else 'integers'}")
        return [(inputs[0].shape, dtypes.int64)]

    def forward(self, xp, keys, vocabulary, num_oov_buckets, default_value):
        table = {_as_key(v): i for i, v in enumerate(vocabulary)}
        size = len(vocabulary)
        out = []
        for key in xp.asarray(keys).reshape(-1).tolist():
            found = table.get(key)
            if found is None:
                if num_oov_buckets:
                    text = key if isinstance(key, bytes) else str(key).encode()
                    found = size + fingerprint64(text) % num_oov_buckets
                else:
                    found = default_value
            out.append(found)
        return xp.asarray(out, dtype=xp.int64).reshape(xp.shape(keys))


def vocabulary_lookup(keys, vocabulary, num_oov_buckets=0, default_value=-1, name=None):
    """The int64 id of each key: its index in `vocabulary`; else vocabulary size + hash bucket (num_oov_buckets),
    else default_value.

    Example: `vocabulary_lookup(["b", "zz"], ["a", "b"], num_oov_buckets=1)` is [1, 2]."""
    keys = convert_to_tensor(keys)
    vocabulary = [_as_key(v) if isinstance(v, (bytes, str)) else int(v) for v in vocabulary]
    return apply_op(VocabularyLookup, [keys], {"vocabulary": vocabulary, "num_oov_buckets": int(num_oov_buckets),
                                               "default_value": int(default_value)},
                    name=name or "VocabularyLookup")
