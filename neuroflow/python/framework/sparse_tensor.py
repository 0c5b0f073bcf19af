"""`tensorflow.python.framework.sparse_tensor`: SparseTensor and SparseTensorValue."""
from ...util.lazy_alias import alias_module

alias_module(globals(), {"SparseTensor": "SparseTensor", "SparseTensorValue": "SparseTensorValue"})
