"""What the ONNX exporter knows about each OpDef, keyed by the OpDef itself (the instance `@register` made, as its
op module names it: `nn_ops.Relu`), kept out of the op files: `@exporter(Relu, ...)` registers `fn(ctx, op)`,
which adds ONNX nodes computing the op's needed outputs through the ExportContext `ctx`; `not_exportable(reason,
...)` says why an op has no exporter (the export error quotes it); `handled_by_exporter(how, ...)` names the ops
the exporter itself turns into graph inputs or initializers. Every registered OpDef is in exactly one of the
three (`unexportable_without_reason()` lists those in none). Naming an OpDef that does not exist fails at import.
"""
from ..framework.op_def import OpDef, registered_opdefs

__all__ = ["exporter", "not_exportable", "handled_by_exporter", "get_exporter", "why_not_exportable",
           "registered_exporters", "unexportable_without_reason", "ONNX_TYPES"]

_EXPORTERS = {}       # OpDef -> fn(ctx, op)
_NOT_EXPORTABLE = {}  # OpDef -> why no ONNX graph can hold it
_HANDLED = {}         # OpDef -> how the exporter itself writes it (graph input, initializer)

# neuroflow dtype name -> ONNX TensorProto element type (the enum values of onnx.proto, fixed by the standard).
ONNX_TYPES = {"float32": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5, "int32": 6, "int64": 7, "string": 8,
              "bool": 9, "float16": 10, "float64": 11, "uint32": 12, "uint64": 13, "complex64": 14,
              "complex128": 15}


def _declare(table, opdefs, value, what):
    for opdef in opdefs:
        if not isinstance(opdef, OpDef):
            raise TypeError(f"{what} takes registered OpDefs (e.g. nn_ops.Relu), not {opdef!r}")
        if registered_opdefs().get(opdef.type_name) is not opdef:
            raise ValueError(f"{what}: {opdef!r} is not the registered OpDef of {opdef.type_name!r}")
        if any(opdef in t for t in (_EXPORTERS, _NOT_EXPORTABLE, _HANDLED)):
            raise ValueError(f"{opdef.type_name} is declared twice for ONNX export")
        table[opdef] = value


def exporter(*opdefs):
    """Decorator registering `fn(ctx, op)` as the ONNX exporter of the given OpDefs.

    Example:
        @exporter(nn_ops.Relu)
        def _relu(ctx, op):
            ctx.node("Relu", [ctx.input(op, 0)], [ctx.out(op)])
    """
    def register(fn):
        _declare(_EXPORTERS, opdefs, fn, "exporter")
        return fn
    return register


def not_exportable(reason, *opdefs):
    """Declares that the OpDefs have no ONNX exporter, and why: `reason` completes "Cannot export <node>: ..."."""
    _declare(_NOT_EXPORTABLE, opdefs, reason, "not_exportable")


def handled_by_exporter(how, *opdefs):
    """Declares OpDefs the exporter writes itself, not through a converter (`how`: a note for readers)."""
    _declare(_HANDLED, opdefs, how, "handled_by_exporter")


def get_exporter(opdef):
    """The exporter function of `opdef` (an op's `op.opdef`), or None."""
    _load()
    return _EXPORTERS.get(opdef)


def why_not_exportable(opdef):
    """The declared reason `opdef` cannot be exported, or None."""
    _load()
    return _NOT_EXPORTABLE.get(opdef)


def registered_exporters():
    """{OpDef: exporter function} for every OpDef with an exporter."""
    _load()
    return dict(_EXPORTERS)


def unexportable_without_reason():
    """Type names of the registered OpDefs (a test's own included) with no exporter, no declared reason for
    having none, and no handling by the exporter itself: what the coverage test reports."""
    _load()
    return sorted(name for name, opdef in registered_opdefs().items()
                  if not any(opdef in t for t in (_EXPORTERS, _NOT_EXPORTABLE, _HANDLED)))


def _load():
    # The converter modules register themselves on import.
    from . import convert_array, convert_control_flow, convert_image, convert_math, convert_nn, convert_rnn, convert_sequence, convert_sparse, convert_tensor_list, without_converter  # noqa: F401,E501
