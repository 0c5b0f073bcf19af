"""`tensorflow.python.ops.parsing_ops`: decode_csv, decode_raw, string_to_number (names of `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
