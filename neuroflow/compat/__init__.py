"""`tf.compat`: `v1` (neuroflow itself, so `import neuroflow.compat.v1 as tf` runs TF1 programs), `v2` (the names
TensorFlow 2 kept), the v2-behaviour switches and TensorFlow's bytes/str helpers (`as_bytes`, `as_text`, ...)."""
import sys as _sys

from .behavior import disable_v2_behavior, enable_v2_behavior  # noqa: F401
from .text import (as_bytes, as_str, as_str_any, as_text, bytes_or_text_types, complex_types,  # noqa: F401
                   integral_types, path_to_str, real_types)

# `tf.compat.v1` is the package itself: the same module object, so `tf.compat.v1.X is tf.X` for every X.
v1 = _sys.modules[__name__.rpartition(".")[0]]
_sys.modules[__name__ + ".v1"] = v1


def __getattr__(name):
    if name == "v2":  # loaded on first use: it is a view of the whole package
        import importlib
        return importlib.import_module(__name__ + ".v2")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
