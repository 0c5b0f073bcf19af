"""Fused optimizer updates (ApplyGradientDescent, ApplyMomentum, ApplyAdagrad, ApplyAdadelta, ApplyRMSProp,
ApplyCenteredRMSProp, ApplyAdam): each updates a variable and its slots in place in the session's storage,
with TensorFlow 1.x's exact update rules (written as TF's kernels write them, so float32 results agree)."""
import functools

from ..framework import errors
from ..framework.op_def import OpDef, register

__all__ = []


class ApplyOp(OpDef):
    """Base: inputs named in `ref_names` are variable references (updated in place); the rest are values.

    `update(xp, *refs, *values, **attrs)` receives the array module, the storage arrays of the references, then the
    value inputs, in order; it writes into the arrays in place. The kernel returns the variable's new value.
    """

    ref_names = ("var",)
    stateful = True
    foldable = False
    output_is_shared = True

    @property
    def ref_inputs(self):
        return tuple(range(len(self.ref_names)))

    @property
    def same_dtype(self):
        return self.input_names

    def infer(self, inputs, attrs):
        var = inputs[0]
        for t, name in zip(inputs[1:], self.input_names[1:]):
            if name in ("grad", "delta") and not var.shape.is_compatible_with(t.shape):
                from ..framework.op_def import InferenceError
                raise InferenceError(f"var and {name} do not have the same shape: {var.shape.bracket_str()} "
                                     f"{t.shape.bracket_str()}")
        return [(var.shape, var.dtype.base_dtype._as_ref)]

    def kernel(self, op, ctx):
        store = ctx.variables
        names = tuple(ctx.variable_name(t) for t in op.inputs[:len(self.ref_names)])
        update = functools.partial(self.update, ctx.xp, **op.attrs)
        if len(names) == 1:
            return _single_ref_kernel(store, names[0], update)

        def apply(*values):
            try:
                refs = [store[n] for n in names]
            except KeyError as e:
                raise errors.FailedPreconditionError(
                    None, None, f"Attempting to use uninitialized value {e.args[0]}") from None
            var, grad = refs[0], values[-1]
            if grad.shape != var.shape:
                raise errors.InvalidArgumentError(
                    None, None, f"var and grad do not have the same shape{list(var.shape)} {list(grad.shape)}")
            update(*refs, *values)
            return var
        return apply


def _single_ref_kernel(store, name, update):
    """The kernel of an update with one reference (plain gradient descent), without the general bookkeeping."""
    def apply(*values):
        try:
            var = store[name]
        except KeyError:
            raise errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {name}") from None
        grad = values[-1]
        if grad.shape != var.shape:
            raise errors.InvalidArgumentError(
                None, None, f"var and grad do not have the same shape{list(var.shape)} {list(grad.shape)}")
        update(var, *values)
        return var
    return apply


@register
class ApplyGradientDescent(ApplyOp):
    """var -= alpha * delta."""

    type_name = "ApplyGradientDescent"
    input_names = ("var", "alpha", "delta")

    @staticmethod
    def update(xp, var, alpha, delta, **attrs):
        var -= delta * alpha


@register
class ApplyMomentum(ApplyOp):
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: var -= lr * (grad + momentum * accum))."""

    type_name = "ApplyMomentum"
    input_names = ("var", "accum", "lr", "momentum", "grad")
    ref_names = ("var", "accum")

    @staticmethod
    def update(xp, var, accum, lr, momentum, grad, use_nesterov=False, **attrs):
        accum *= momentum
        accum += grad
        if use_nesterov:
            var -= grad * lr + accum * momentum * lr
        else:
            var -= accum * lr


@register
class ApplyAdagrad(ApplyOp):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    type_name = "ApplyAdagrad"
    input_names = ("var", "accum", "lr", "grad")
    ref_names = ("var", "accum")

    @staticmethod
    def update(xp, var, accum, lr, grad, **attrs):
        accum += grad * grad
        var -= grad * lr / xp.sqrt(accum)


@register
class ApplyAdadelta(ApplyOp):
    """accum = rho*accum + (1-rho)*grad^2; update = sqrt(accum_update+eps)/sqrt(accum+eps)*grad;
    accum_update = rho*accum_update + (1-rho)*update^2; var -= lr*update."""

    type_name = "ApplyAdadelta"
    input_names = ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad")
    ref_names = ("var", "accum", "accum_update")

    @staticmethod
    def update(xp, var, accum, accum_update, lr, rho, epsilon, grad, **attrs):
        one = xp.ones((), accum.dtype)
        accum *= rho
        accum += grad * grad * (one - rho)
        step = xp.sqrt(accum_update + epsilon) / xp.sqrt(accum + epsilon) * grad
        accum_update *= rho
        accum_update += step * step * (one - rho)
        var -= step * lr


@register
class ApplyRMSProp(ApplyOp):
    """ms += (grad^2 - ms)*(1-rho); mom = mom*momentum + lr*grad/sqrt(ms+eps); var -= mom."""

    type_name = "ApplyRMSProp"
    input_names = ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    ref_names = ("var", "ms", "mom")

    @staticmethod
    def update(xp, var, ms, mom, lr, rho, momentum, epsilon, grad, **attrs):
        one = xp.ones((), ms.dtype)
        ms += (grad * grad - ms) * (one - rho)
        mom *= momentum
        mom += grad * lr / xp.sqrt(ms + epsilon)
        var -= mom


@register
class ApplyCenteredRMSProp(ApplyOp):
    """As ApplyRMSProp, normalizing by sqrt(ms - mg^2 + eps) where mg tracks the mean gradient."""

    type_name = "ApplyCenteredRMSProp"
    input_names = ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    ref_names = ("var", "mg", "ms", "mom")

    @staticmethod
    def update(xp, var, mg, ms, mom, lr, rho, momentum, epsilon, grad, **attrs):
        one = xp.ones((), ms.dtype)
        ms += (grad * grad - ms) * (one - rho)
        mg += (grad - mg) * (one - rho)
        denom = ms - mg * mg + epsilon
        mom *= momentum
        mom += grad * lr / xp.sqrt(denom)
        var -= mom


@register
class ApplyAdam(ApplyOp):
    """lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t); m += (g-m)*(1-beta1); v += (g^2-v)*(1-beta2);
    var -= lr_t*m/(sqrt(v)+eps)."""

    type_name = "ApplyAdam"
    input_names = ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad")
    ref_names = ("var", "m", "v")

    @staticmethod
    def update(xp, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False,
               **attrs):
        one = xp.ones((), m.dtype)
        alpha = lr * xp.sqrt(one - beta2_power) / (one - beta1_power)
        m += (grad - m) * (one - beta1)
        v += (grad * grad - v) * (one - beta2)
        if use_nesterov:
            var -= (m * beta1 + grad * (one - beta1)) * alpha / (xp.sqrt(v) + epsilon)
        else:
            var -= m * alpha / (xp.sqrt(v) + epsilon)
