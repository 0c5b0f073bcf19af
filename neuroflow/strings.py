"""`tf.strings`: the common string ops on bytes tensors (join, split, length, substr, to_number, regex_replace,
as_string, strip, lower, upper, reduce_join, to_hash_bucket_fast), each the one implementation in ops/string_ops.py or
ops/string_split_join_ops.py that TF1's top-level names (tf.string_join, tf.substr, ...) also are."""
from .ops.string_ops import as_string, regex_replace, substr  # noqa: F401
from .ops.string_ops import string_join as join  # noqa: F401
from .ops.string_ops import string_length as length  # noqa: F401
from .ops.string_ops import string_lower as lower  # noqa: F401
from .ops.string_ops import string_strip as strip  # noqa: F401
from .ops.string_ops import string_to_number as to_number  # noqa: F401
from .ops.string_ops import string_upper as upper  # noqa: F401
from .ops.string_hash_ops import string_to_hash_bucket_fast as to_hash_bucket_fast  # noqa: F401
from .ops.string_split_join_ops import reduce_join  # noqa: F401
from .ops.string_split_join_ops import strings_split as split  # noqa: F401

__all__ = ["as_string", "join", "length", "lower", "reduce_join", "regex_replace", "split", "strip", "substr",
           "to_number", "to_hash_bucket_fast", "upper"]
