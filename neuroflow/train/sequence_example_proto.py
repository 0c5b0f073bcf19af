"""`tf.train.SequenceExample` and its messages FeatureList and FeatureLists (TensorFlow's example.proto and
feature.proto): a record of context features and of feature lists, one Feature per step of a sequence, over
example_proto's message codec (`tf.parse_single_sequence_example` reads them)."""
from .example_proto import Feature, Features, _Message

__all__ = ["SequenceExample", "FeatureList", "FeatureLists"]


class FeatureList(_Message):
    """`repeated Feature feature = 1`: one Feature per step of a sequence."""
    __slots__ = ()
    _FIELDS = (("feature", 1, "messages", Feature),)


class FeatureLists(_Message):
    """`map<string, FeatureList> feature_list = 1`."""
    __slots__ = ()
    _FIELDS = (("feature_list", 1, "map", FeatureList),)


class SequenceExample(_Message):
    """`Features context = 1; FeatureLists feature_lists = 2`.

    Example:
        >>> steps = tf.train.FeatureList(feature=[tf.train.Feature(int64_list=tf.train.Int64List(value=[t]))
        ...                                       for t in (4, 8)])
        >>> ex = tf.train.SequenceExample(feature_lists=tf.train.FeatureLists(feature_list={"tokens": steps}))
        >>> len(tf.train.SequenceExample.FromString(ex.SerializeToString()).feature_lists.feature_list["tokens"]
        ...     .feature)
        2
    """
    __slots__ = ()
    _FIELDS = (("context", 1, "message", Features), ("feature_lists", 2, "message", FeatureLists))
