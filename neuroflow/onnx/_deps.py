"""Imports of the optional `onnx` / `onnxruntime` packages, done lazily (only when a model is written, read or
run) with a clear message naming the pip extra when they are missing."""
import importlib

__all__ = ["require_onnx", "require_onnxruntime"]

_HINT = "Install the optional extra: pip install 'neuroflow[onnx]' (or: pip install onnx onnxruntime)."


def require_onnx():
    """The `onnx` module (raises ImportError with installation advice when it is not installed)."""
    try:
        return importlib.import_module("onnx")
    except ImportError as e:
        raise ImportError(f"neuroflow.onnx needs the 'onnx' package, which is not installed ({e}). {_HINT}") from None


def require_onnxruntime():
    """The `onnxruntime` module (raises ImportError with installation advice when it is not installed)."""
    try:
        return importlib.import_module("onnxruntime")
    except ImportError as e:
        raise ImportError(f"Running ONNX models needs the 'onnxruntime' package, which is not installed ({e}). "
                          f"{_HINT}") from None
