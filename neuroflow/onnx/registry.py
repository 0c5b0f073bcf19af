"""The ONNX exporters, a registry keyed by neuroflow op type (kept out of the op files, as TensorBoard's and the
fast kernels' registries are): `@exporter("Relu", ...)` registers `fn(ctx, op)`, which adds ONNX nodes computing
the op's needed outputs through the ExportContext `ctx`."""

__all__ = ["exporter", "get_exporter", "registered_exporters", "ONNX_TYPES"]

_EXPORTERS = {}

# neuroflow dtype name -> ONNX TensorProto element type (the enum values of onnx.proto, fixed by the standard).
ONNX_TYPES = {"float32": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5, "int32": 6, "int64": 7, "string": 8,
              "bool": 9, "float16": 10, "float64": 11, "uint32": 12, "uint64": 13, "complex64": 14,
              "complex128": 15}


def exporter(*type_names):
    """Decorator registering `fn(ctx, op)` as the exporter of the given op types."""
    def register(fn):
        for name in type_names:
            if name in _EXPORTERS:
                raise ValueError(f"ONNX exporter for {name} registered twice")
            _EXPORTERS[name] = fn
        return fn
    return register


def get_exporter(type_name):
    _load()
    return _EXPORTERS.get(type_name)


def registered_exporters():
    _load()
    return dict(_EXPORTERS)


def _load():
    # The exporter modules register themselves on import.
    from . import convert_array, convert_math, convert_nn, convert_rnn  # noqa: F401
