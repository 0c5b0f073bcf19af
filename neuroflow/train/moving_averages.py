"""`tf.train.ExponentialMovingAverage`: shadow copies of variables updated as
`shadow -= (1 - decay) * (shadow - variable)` by the op `apply()` returns, with TF's names
(`<var>/ExponentialMovingAverage`) so `variables_to_restore()` maps checkpoints of the averages onto the model.
"""
from ..framework import dtypes
from ..framework.graph import GraphKeys
from ..framework.graph_api import add_to_collection

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """Maintains moving averages of variables with exponential decay (TF 1.x's class).

    With `num_updates`, the decay used is `min(decay, (1 + num_updates) / (10 + num_updates))`. Shadow variables
    start at their variable's initial value. Averaging plain tensors (TF's zero-debiased shadows) is not supported.
    """

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables of `var_list` (default: the trainable variables) and returns the op that
        updates all of them."""
        from ..framework.apply import convert_to_tensor
        from ..framework.constant_op import constant
        from ..ops.control_flow_ops import group
        from ..ops.math_ops import cast, minimum
        from ..variables.collections import trainable_variables
        from ..variables.variable import Variable
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        for var in var_list:
            if not hasattr(var, "initial_value"):
                raise TypeError("The variables must be half, float, or double: neuroflow averages variables only, "
                                f"not {var!r}")
            if var.dtype.base_dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
                raise TypeError(f"The variables must be half, float, or double: {var.op.name}")
            if self._key(var) in self._averages:
                raise ValueError(f"Moving average already computed for: {var.op.name}")
        updates = []
        for var in var_list:
            key = self._key(var)
            if key not in self._averages:
                self._averages[key] = Variable(var.initial_value, trainable=False, name=self.average_name(var))
                add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
        decay = constant(self._decay, dtype=dtypes.float32, name="decay")
        if self._num_updates is not None:
            n = cast(convert_to_tensor(self._num_updates), dtypes.float32)
            decay = minimum(decay, (1.0 + n) / (10.0 + n))
        for var in var_list:
            shadow = self._averages[self._key(var)]
            one_minus = cast(1.0 - decay, var.dtype.base_dtype)
            updates.append(shadow.assign_sub((shadow - var) * one_minus))
        return group(*updates, name=self._name)

    @staticmethod
    def _key(var):
        return id(var)

    def average(self, var):
        """The shadow variable of `var`, or None."""
        return self._averages.get(self._key(var))

    def average_name(self, var):
        """The name of `var`'s shadow variable: `<var op name>/<name>`."""
        return var.op.name + "/" + self._name

    def variables_to_restore(self, moving_avg_variables=None):
        """A {checkpoint name: variable} map that restores the averages into the model's variables (and the other
        global variables under their own names), for `tf.train.Saver(ema.variables_to_restore())`."""
        from ..variables.collections import global_variables, moving_average_variables, trainable_variables
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        averaged = {id(v) for v in moving_avg_variables}
        out = {}
        for v in moving_avg_variables:
            out[self.average_name(v)] = v
        shadows = {id(s) for s in self._averages.values()}
        for v in global_variables():
            if id(v) not in averaged and id(v) not in shadows and v.op.name not in out:
                out[v.op.name] = v
        return out
