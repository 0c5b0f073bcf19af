"""`tensorflow.python.saved_model`: builder, loader, tag_constants, signature_constants, signature_def_utils,
utils, constants, simple_save — the modules of `neuroflow.saved_model` under TensorFlow's internal path, so
`from neuroflow.python.saved_model import tag_constants` and `import neuroflow.python.saved_model.loader` work."""
import importlib
import sys

__all__ = ["builder", "constants", "loader", "signature_constants", "signature_def_utils", "simple_save",
           "tag_constants", "utils"]

for _name in __all__:   # the same module objects under this path (not copies)
    _module = importlib.import_module(f"neuroflow.saved_model.{_name}")
    globals()[_name] = _module
    sys.modules[f"{__name__}.{_name}"] = _module
