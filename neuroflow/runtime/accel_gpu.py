"""Fused optimizer updates on the GPU: one CuPy ElementwiseKernel launch per update instead of one per arithmetic
operation of the OpDef's `update`. The placement (runtime/placement.py) offers them to GPU steps; a kernel CuPy
cannot build falls back to the OpDef's own kernel for good, at its first call (before anything was written).

Each source below is the C form of its OpDef's `update` (ops/training_ops.py), statement for statement in the
same order, compiled without fused multiply-add so it rounds as NumPy does; tests/test_gpu_placement.py runs the
sources on NumPy against the OpDefs, and tests/test_gpu_ops.py runs them on a GPU against the CPU.
"""
import os
import warnings

from ..framework import errors
from ..ops import training_ops

__all__ = ["FUSED_UPDATES", "fused_update_kernel", "FUSED_ENV"]

FUSED_ENV = "NEUROFLOW_GPU_FUSED"  # "0": GPU steps use the OpDefs' own kernels (for comparisons)

# OpDef -> {use_nesterov: C statements}; names are the OpDef's input names, `T` their dtype.
FUSED_UPDATES = {
    training_ops.ApplyGradientDescent: {False: "var -= delta * alpha;"},
    training_ops.ApplyMomentum: {
        False: "accum *= momentum; accum += grad; var -= accum * lr;",
        True: "accum *= momentum; accum += grad; var -= grad * lr + accum * momentum * lr;"},
    training_ops.ApplyAdagrad: {False: "accum += grad * grad; var -= grad * lr / sqrt(accum);"},
    training_ops.ApplyAdadelta: {False: (
        "accum *= rho; accum += grad * grad * ((T)1 - rho); "
        "T step = sqrt(accum_update + epsilon) / sqrt(accum + epsilon) * grad; "
        "accum_update *= rho; accum_update += step * step * ((T)1 - rho); var -= step * lr;")},
    training_ops.ApplyRMSProp: {False: (
        "ms += (grad * grad - ms) * ((T)1 - rho); mom *= momentum; mom += grad * lr / sqrt(ms + epsilon); "
        "var -= mom;")},
    training_ops.ApplyCenteredRMSProp: {False: (
        "ms += (grad * grad - ms) * ((T)1 - rho); mg += (grad - mg) * ((T)1 - rho); "
        "T denom = ms - mg * mg + epsilon; mom *= momentum; mom += grad * lr / sqrt(denom); var -= mom;")},
    training_ops.ApplyAdam: {
        False: ("T alpha = lr * sqrt((T)1 - beta2_power) / ((T)1 - beta1_power); "
                "m += (grad - m) * ((T)1 - beta1); v += (grad * grad - v) * ((T)1 - beta2); "
                "var -= m * alpha / (sqrt(v) + epsilon);"),
        True: ("T alpha = lr * sqrt((T)1 - beta2_power) / ((T)1 - beta1_power); "
               "m += (grad - m) * ((T)1 - beta1); v += (grad * grad - v) * ((T)1 - beta2); "
               "var -= (m * beta1 + grad * ((T)1 - beta1)) * alpha / (sqrt(v) + epsilon);")},
}
_FLOAT_CHARS = "fd"  # float32, float64: the dtypes the sources are written for
_built = {}          # (OpDef type, nesterov) -> ElementwiseKernel, per process


def _params(opdef):
    values = [n for n in opdef.input_names if n not in opdef.ref_names]
    return values, list(opdef.ref_names)


def _elementwise_kernel(xp, opdef, nesterov):
    key = (opdef.type_name, nesterov)
    kernel = _built.get(key)
    if kernel is None:
        values, refs = _params(opdef)
        kernel = xp.ElementwiseKernel(", ".join(f"T {n}" for n in values), ", ".join(f"T {n}" for n in refs),
                                      FUSED_UPDATES[opdef][nesterov], f"neuroflow_{opdef.type_name}",
                                      options=("--fmad=false",))
        _built[key] = kernel
    return kernel


def fused_update_kernel(op, ctx):
    """The fused kernel of optimizer update `op` for a GPU context `ctx` (its `xp` has CuPy's ElementwiseKernel),
    or None: not an update with a fused form, a module without ElementwiseKernel, or NEUROFLOW_GPU_FUSED=0."""
    opdef = op.opdef
    sources = FUSED_UPDATES.get(opdef)
    nesterov = bool(op.attrs.get("use_nesterov", False))
    if sources is None or nesterov not in sources or os.environ.get(FUSED_ENV, "1") == "0" or \
            not hasattr(ctx.xp, "ElementwiseKernel"):
        return None
    plain = opdef.kernel(op, ctx)
    store, xp = ctx.variables, ctx.xp
    names = [ctx.variable_name(t) for t in op.inputs[:len(opdef.ref_names)]]
    state = {"fused": None, "failed": False}

    def apply(*values):
        if state["failed"]:
            return plain(*values)
        try:
            refs = [store[n] for n in names]
        except KeyError as e:
            raise errors.FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {e.args[0]}") from None
        var, grad = refs[0], values[-1]
        if var.dtype.char not in _FLOAT_CHARS or any(getattr(v, "dtype", var.dtype) != var.dtype for v in values):
            return plain(*values)
        if grad.shape != var.shape:
            raise errors.InvalidArgumentError(
                None, None, f"var and grad do not have the same shape{list(var.shape)} {list(grad.shape)}")
        if state["fused"] is None:
            try:  # CuPy compiles at the first call, before it writes anything
                kernel = _elementwise_kernel(xp, opdef, nesterov)
                kernel(*values, *refs)
            except Exception as exc:  # noqa: BLE001 - a CuPy that cannot build it: the OpDef's kernel serves
                warnings.warn(f"fused GPU {opdef.type_name} unavailable ({type(exc).__name__}: {exc}); "
                              "using the unfused update", RuntimeWarning, stacklevel=2)
                state["failed"] = True
                return plain(*values)
            state["fused"] = kernel
            return var
        state["fused"](*values, *refs)
        return var
    apply.fused_state = state  # tests read whether the fused kernel ran
    return apply
