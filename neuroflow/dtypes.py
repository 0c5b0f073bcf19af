"""`tf.dtypes`: the element types and their conversions (`cast`, `saturate_cast`, `as_string` where neuroflow has
them), each an alias of the one implementation in `framework.dtypes` or the ops."""
from .framework.dtypes import (DType, as_dtype, bool, complex64, complex128,  # noqa: F401,A004
                               double, float16, float32, float64, half, int8, int16, int32, int64, string, uint8,
                               uint16, uint32, uint64)
from .util.lazy_alias import alias_module

alias_module(globals(), {"cast": "cast", "saturate_cast": "saturate_cast", "complex": "complex",
                         "as_string": "as_string"})
